// tokwise models: lists the price catalog, or shows how model names resolve.
#include <cstdio>
#include <string>
#include <vector>

#include "base/json.h"
#include "commands.h"
#include "tokwise/catalog.h"

namespace tokwise::cli {
namespace {

const char kModelsHelp[] =
    "usage: tokwise models [--json] [--provider NAME] [--catalog FILE]... [--litellm FILE]...\n"
    "                      [MODEL...]\n"
    "\n"
    "Lists the models of the price catalog compiled into tokwise: id, provider, tokenizer,\n"
    "context window, max output and prices in USD per million tokens (input, cache read,\n"
    "cache write 5 minutes / 1 hour, output, batch input / output; '-' = not offered).\n"
    "With MODEL names, shows each model's whole entry and how the name matched (aliases,\n"
    "dated snapshots, provider/model, azure/, Bedrock and Vertex forms).\n"
    "  --json             print the catalog in tokwise's catalog JSON form (usable as --catalog)\n"
    "  --provider NAME    only models of this provider (openai, anthropic, google, ...)\n"
    "  --catalog FILE     lay a catalog in tokwise's JSON form over the built-in one\n"
    "  --litellm FILE     lay a LiteLLM model_prices_and_context_window.json over it\n"
    "Overrides apply in the order given; an entry with the same id replaces the built-in one.\n"
    "\n"
    "Examples:\n"
    "  tokwise models --provider anthropic\n"
    "  tokwise models openrouter/openai/gpt-4o claude-3-5-sonnet@20240620\n"
    "\n"
    "Exit codes: 0 ok, 1 usage error (bad option), 2 input error (a MODEL the catalog does\n"
    "not know, or a catalog file that does not parse, naming the JSON path).\n";

struct Args {
  bool json = false;
  bool help = false;
  std::string provider;
  // Override files in order: (is_litellm, path).
  std::vector<std::pair<bool, std::string>> overrides;
  std::vector<std::string> models;
};

bool ParseArgs(int argc, char** argv, Args* a, std::string* err) {
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) {
        *err = "option " + arg + " needs a value";
        return false;
      }
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (arg == "--help" || arg == "-h") {
      a->help = true;
    } else if (arg == "--json") {
      a->json = true;
    } else if (arg == "--provider") {
      if (!value(&a->provider)) return false;
    } else if (arg == "--catalog" || arg == "--litellm") {
      if (!value(&v)) return false;
      a->overrides.emplace_back(arg == "--litellm", v);
    } else if (arg.size() > 1 && arg[0] == '-') {
      *err = "unknown option " + arg;
      return false;
    } else {
      a->models.push_back(arg);
    }
  }
  return true;
}

std::string PricesJson(const Prices& p) {
  std::string out = "{";
  auto add = [&](const char* name, PricePerMTok v) {
    if (v == kNotOffered) return;
    if (out.size() > 1) out += ", ";
    out += std::string("\"") + name + "\": \"" + FormatPricePerMTok(v) + "\"";
  };
  add("input", p.input);
  add("output", p.output);
  add("cache_read", p.cache_read);
  add("cache_write_5m", p.cache_write_5m);
  add("cache_write_1h", p.cache_write_1h);
  add("batch_input", p.batch_input);
  add("batch_output", p.batch_output);
  return out + "}";
}

std::string ModelJson(const ModelInfo& m) {
  std::string out = "    {\"id\": " + base::JsonString(m.id) +
                    ", \"provider\": " + base::JsonString(m.provider) +
                    ", \"tokenizer\": " + base::JsonString(m.tokenizer);
  if (!m.aliases.empty()) {
    out += ", \"aliases\": [";
    for (size_t i = 0; i < m.aliases.size(); ++i) {
      if (i) out += ", ";
      out += base::JsonString(m.aliases[i]);
    }
    out += "]";
  }
  out += ",\n     \"context_window\": " + std::to_string(m.context_window) +
         ", \"max_output\": " + std::to_string(m.max_output);
  if (m.max_input != 0) out += ", \"max_input\": " + std::to_string(m.max_input);
  out += ",\n     \"prices\": " + PricesJson(m.prices);
  if (!m.long_context_tiers.empty()) {
    out += ",\n     \"long_context\": [";
    for (size_t i = 0; i < m.long_context_tiers.size(); ++i) {
      if (i) out += ", ";
      out += "{\"above\": " + std::to_string(m.long_context_tiers[i].threshold_tokens) +
             ", \"prices\": " + PricesJson(m.long_context_tiers[i].prices) + "}";
    }
    out += "]";
  }
  out += ",\n     \"min_cacheable_prefix\": " + std::to_string(m.min_cacheable_prefix) +
         ", \"prices_effective\": " + base::JsonString(m.prices_effective) +
         ",\n     \"source\": " + base::JsonString(m.source);
  if (!m.notes.empty()) out += ",\n     \"notes\": " + base::JsonString(m.notes);
  return out + "}";
}

const char* MatchName(MatchKind k) {
  switch (k) {
    case MatchKind::kExact:
      return "id";
    case MatchKind::kAlias:
      return "alias";
    case MatchKind::kSnapshot:
      return "dated snapshot of";
    case MatchKind::kProviderPrefix:
      return "provider prefix";
    case MatchKind::kBedrock:
      return "Bedrock id of";
    case MatchKind::kVertex:
      return "Vertex id of";
  }
  return "?";
}

void PrintTable(const std::vector<const ModelInfo*>& models) {
  std::printf("%-34s %-10s %-13s %8s %7s %8s %8s %8s %8s %8s %8s %8s %s\n", "ID", "PROVIDER",
              "TOKENIZER", "WINDOW", "MAX_OUT", "INPUT", "CACHE_RD", "WRITE_5M", "WRITE_1H",
              "OUTPUT", "BATCH_IN", "BATCH_OUT", "LONG_CONTEXT");
  for (const ModelInfo* m : models) {
    std::string tiers;
    for (const LongContextTier& t : m->long_context_tiers) {
      if (!tiers.empty()) tiers += ",";
      tiers += ">" + std::to_string(t.threshold_tokens);
    }
    std::printf("%-34s %-10s %-13s %8u %7u %8s %8s %8s %8s %8s %8s %8s %s\n", m->id.c_str(),
                m->provider.c_str(), m->tokenizer.empty() ? "?" : m->tokenizer.c_str(),
                m->context_window, m->max_output, FormatPricePerMTok(m->prices.input).c_str(),
                FormatPricePerMTok(m->prices.cache_read).c_str(),
                FormatPricePerMTok(m->prices.cache_write_5m).c_str(),
                FormatPricePerMTok(m->prices.cache_write_1h).c_str(),
                FormatPricePerMTok(m->prices.output).c_str(),
                FormatPricePerMTok(m->prices.batch_input).c_str(),
                FormatPricePerMTok(m->prices.batch_output).c_str(), tiers.c_str());
  }
}

void PrintPrices(const char* indent, const Prices& p) {
  std::printf(
      "%sinput %s, cache read %s, cache write 5m %s, cache write 1h %s, output %s, "
      "batch %s / %s (USD per million tokens)\n",
      indent, FormatPricePerMTok(p.input).c_str(), FormatPricePerMTok(p.cache_read).c_str(),
      FormatPricePerMTok(p.cache_write_5m).c_str(), FormatPricePerMTok(p.cache_write_1h).c_str(),
      FormatPricePerMTok(p.output).c_str(), FormatPricePerMTok(p.batch_input).c_str(),
      FormatPricePerMTok(p.batch_output).c_str());
}

void PrintDetail(const std::string& query, const Resolution& r) {
  const ModelInfo& m = *r.model;
  std::printf("%s\n", query.c_str());
  std::printf("  model:           %s (%s %s)\n", m.id.c_str(), MatchName(r.kind),
              r.matched_name.c_str());
  std::printf("  provider:        %s\n", m.provider.c_str());
  std::printf("  tokenizer:       %s\n", m.tokenizer.empty() ? "unknown" : m.tokenizer.c_str());
  std::printf("  context window:  %u tokens", m.context_window);
  if (m.max_input != 0) std::printf(" (at most %u input)", m.max_input);
  std::printf("\n  max output:      %u tokens\n", m.max_output);
  std::printf("  prices:          ");
  PrintPrices("", m.prices);
  for (const LongContextTier& t : m.long_context_tiers) {
    std::printf("  above %u input tokens: ", t.threshold_tokens);
    PrintPrices("", t.prices);
  }
  std::printf("  min cacheable:   %u tokens\n", m.min_cacheable_prefix);
  std::printf("  effective:       %s\n",
              m.prices_effective.empty() ? "not documented" : m.prices_effective.c_str());
  std::printf("  source:          %s\n", m.source.c_str());
  if (!m.aliases.empty()) {
    std::string aliases;
    for (const std::string& a : m.aliases) aliases += (aliases.empty() ? "" : ", ") + a;
    std::printf("  aliases:         %s\n", aliases.c_str());
  }
  if (!m.notes.empty()) std::printf("  notes:           %s\n", m.notes.c_str());
}

}  // namespace

int RunModels(int argc, char** argv) {
  Args a;
  std::string err;
  if (!ParseArgs(argc, argv, &a, &err)) {
    std::fprintf(stderr, "tokwise: %s\n\n%s", err.c_str(), kModelsHelp);
    return kUsage;
  }
  if (a.help) {
    std::fputs(kModelsHelp, stdout);
    return kOk;
  }
  Catalog catalog = Catalog::Default();
  for (const auto& [litellm, path] : a.overrides) {
    size_t skipped = 0;
    absl::StatusOr<Catalog> extra =
        litellm ? Catalog::FromLiteLlmJsonFile(path, &skipped) : Catalog::FromJsonFile(path);
    absl::Status st = extra.ok() ? catalog.Merge(*extra) : extra.status();
    if (!st.ok()) {
      std::fprintf(stderr, "tokwise: %s\n", std::string(st.message()).c_str());
      return kInput;
    }
  }

  if (!a.models.empty()) {
    std::vector<const ModelInfo*> found;
    int rc = kOk;
    for (const std::string& name : a.models) {
      auto r = catalog.Resolve(name);
      if (!r.ok()) {
        std::fprintf(stderr, "tokwise: %s\n", std::string(r.status().message()).c_str());
        rc = kInput;
        continue;
      }
      if (a.json) {
        found.push_back(r->model);
      } else {
        PrintDetail(name, *r);
      }
    }
    if (a.json) {
      std::printf("{\"models\": [\n");
      for (size_t i = 0; i < found.size(); ++i) {
        std::printf("%s%s\n", ModelJson(*found[i]).c_str(), i + 1 < found.size() ? "," : "");
      }
      std::printf("]}\n");
    }
    return rc;
  }

  std::vector<const ModelInfo*> models;
  for (const ModelInfo* m : catalog.All()) {
    if (a.provider.empty() || m->provider == a.provider) models.push_back(m);
  }
  if (a.json) {
    std::printf("{\"models\": [\n");
    for (size_t i = 0; i < models.size(); ++i) {
      std::printf("%s%s\n", ModelJson(*models[i]).c_str(), i + 1 < models.size() ? "," : "");
    }
    std::printf("]}\n");
  } else {
    PrintTable(models);
  }
  return kOk;
}

}  // namespace tokwise::cli
