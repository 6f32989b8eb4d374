// tokwise simulate: the context-accumulation cost model from the command line.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.h"
#include "commands.h"
#include "tokwise/catalog.h"
#include "tokwise/cost_model.h"
#include "tokwise/cost_report.h"
#include "tokwise/scenario.h"
#include "tokwise/whatif.h"

namespace tokwise::cli {
namespace {

const char kSimulateHelp[] =
    "usage: tokwise simulate PRESET|SPEC.json [options]\n"
    "       tokwise simulate --levels [--model M] [--cache MODE]\n"
    "       tokwise simulate --ranges | --presets\n"
    "\n"
    "Prints, call by call, what a scenario sends and pays: re-sent context, new input, output,\n"
    "cache reads and writes, cost, cumulative tokens and the multiple of a direct answer.\n"
    "PRESET is one of the reference examples (--presets lists them); SPEC.json is a scenario\n"
    "spec (see tokwise/scenario.h). 'levels' is the same as --levels.\n"
    "\n"
    "  --model M             price with catalog model M (default: the spec's \"model\", else\n"
    "                        gpt-4o)\n"
    "  --catalog FILE        lay a catalog override (tokwise's JSON) over the embedded one;\n"
    "  --litellm FILE        or LiteLLM's model_prices_and_context_window.json (repeatable)\n"
    "  --cache MODE          provider (default: what the provider does unasked), off, auto,\n"
    "                        5m, 1h\n"
    "  --batch               batch prices (no caching)\n"
    "  --json                print the result as JSON (money in integer pico-dollars)\n"
    "  --levels              single call, RAG, agent loop, multi-agent and long conversation\n"
    "                        side by side\n"
    "  --ranges              regenerate the article's typical-tokens-per-task table and say\n"
    "                        where the model disagrees\n"
    "  --what-ifs            also compare the standard what-ifs (caching, batch, windows,\n"
    "                        summaries, restarts, smaller outputs, fewer chunks)\n"
    "  --cheaper M           add catalog model M to the what-ifs\n"
    "  --token-ratio R       tokens under M's tokenizer per token under the baseline's (e.g.\n"
    "                        1.15); default 1\n"
    "  --users N --runs-per-user N\n"
    "                        also forecast daily and monthly tokens and dollars\n"
    "  --gpu-hourly USD --gpu-tokens-per-second N\n"
    "                        also compute the self-hosting break-even\n"
    "\n"
    "Examples:\n"
    "  tokwise simulate --levels\n"
    "  tokwise simulate research-agent --model claude-sonnet-4-5 --cache 5m --what-ifs\n"
    "  tokwise simulate my_agent.json --users 10000 --runs-per-user 3\n"
    "To account for a run that really happened, use 'tokwise report TRACE'.\n"
    "\n"
    "Exit codes: 0 ok, 1 usage error (bad option, unknown --model), 2 input error (neither\n"
    "a preset nor a readable spec file, or a spec that does not parse: the message names the\n"
    "file and JSON path).\n";

struct Args {
  std::string target;
  std::string model;
  std::string cache;
  std::string cheaper;
  double token_ratio = 1.0;
  bool json = false, levels = false, ranges = false, presets = false, what_ifs = false;
  bool batch = false, help = false;
  uint64_t users = 0, runs_per_user = 0;
  bool forecast = false;
  int64_t gpu_hourly_micro = 0;
  uint64_t gpu_tps = 0;
  std::vector<std::pair<bool, std::string>> catalog_overrides;  // (is_litellm, path)
};

bool ParseU64(const std::string& s, uint64_t* out) {
  if (s.empty() || s[0] == '-' || s[0] == '+') return false;
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (*end != '\0' || errno != 0) return false;
  *out = v;
  return true;
}

// "2.5" -> 2'500'000 micro-dollars, exactly (at most 6 decimals).
bool ParseUsdMicro(const std::string& s, int64_t* out) {
  size_t dot = s.find('.');
  std::string whole = s.substr(0, dot), frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  if (frac.size() > 6 || (whole.empty() && frac.empty())) return false;
  uint64_t w = 0, f = 0;
  if (!whole.empty() && !ParseU64(whole, &w)) return false;
  if (!frac.empty() && !ParseU64(frac, &f)) return false;
  if (w > 1'000'000'000) return false;
  for (size_t i = frac.size(); i < 6; ++i) f *= 10;
  *out = static_cast<int64_t>(w * 1'000'000 + f);
  return true;
}

bool ParseArgs(int argc, char** argv, Args* a, std::string* err) {
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) {
        *err = "option " + arg + " needs a value";
        return false;
      }
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (ParseCatalogOption(argc, argv, &i, &a->catalog_overrides, err)) {
      if (!err->empty()) return false;
    } else if (arg == "--help" || arg == "-h") {
      a->help = true;
    } else if (arg == "--model" || arg == "-m") {
      if (!value(&a->model)) return false;
    } else if (arg == "--cache") {
      if (!value(&a->cache)) return false;
      if (!CacheModeFromName(a->cache)) {
        *err = "--cache takes provider, off, auto, 5m or 1h, not '" + a->cache + "'";
        return false;
      }
    } else if (arg == "--json") {
      a->json = true;
    } else if (arg == "--batch") {
      a->batch = true;
    } else if (arg == "--levels") {
      a->levels = true;
    } else if (arg == "--ranges") {
      a->ranges = true;
    } else if (arg == "--presets") {
      a->presets = true;
    } else if (arg == "--what-ifs") {
      a->what_ifs = true;
    } else if (arg == "--cheaper") {
      if (!value(&a->cheaper)) return false;
      a->what_ifs = true;
    } else if (arg == "--token-ratio") {
      if (!value(&v)) return false;
      char* end = nullptr;
      a->token_ratio = std::strtod(v.c_str(), &end);
      if (*end != '\0' || !(a->token_ratio > 0) || a->token_ratio > 100) {
        *err = "--token-ratio takes a number between 0 and 100, not '" + v + "'";
        return false;
      }
    } else if (arg == "--users" || arg == "--runs-per-user") {
      if (!value(&v)) return false;
      if (!ParseU64(v, arg == "--users" ? &a->users : &a->runs_per_user)) {
        *err = arg + " takes a non-negative integer, not '" + v + "'";
        return false;
      }
      a->forecast = true;
    } else if (arg == "--gpu-hourly") {
      if (!value(&v)) return false;
      if (!ParseUsdMicro(v, &a->gpu_hourly_micro)) {
        *err = "--gpu-hourly takes dollars like 2.50, not '" + v + "'";
        return false;
      }
    } else if (arg == "--gpu-tokens-per-second") {
      if (!value(&v)) return false;
      if (!ParseU64(v, &a->gpu_tps)) {
        *err = "--gpu-tokens-per-second takes a non-negative integer, not '" + v + "'";
        return false;
      }
    } else if (arg.size() > 1 && arg[0] == '-') {
      *err = "unknown option " + arg;
      return false;
    } else if (a->target.empty()) {
      a->target = arg;
    } else {
      *err = "simulate takes one preset or spec file";
      return false;
    }
  }
  if (a->target == "levels") {
    a->levels = true;
    a->target.clear();
  }
  if ((a->gpu_hourly_micro > 0) != (a->gpu_tps > 0)) {
    *err = a->gpu_hourly_micro > 0 || a->gpu_tps > 0
               ? "--gpu-hourly and --gpu-tokens-per-second go together, each above 0"
               : "give both --gpu-hourly and --gpu-tokens-per-second";
    return false;
  }
  return true;
}

int Fail(const std::string& msg, int code) {
  std::fprintf(stderr, "tokwise: %s\n", msg.c_str());
  return code;
}

}  // namespace

int RunSimulate(int argc, char** argv) {
  Args a;
  std::string err;
  if (!ParseArgs(argc, argv, &a, &err)) {
    std::fprintf(stderr, "tokwise: %s\n\n%s", err.c_str(), kSimulateHelp);
    return kUsage;
  }
  if (a.help) {
    std::fputs(kSimulateHelp, stdout);
    return kOk;
  }
  if (a.presets) {
    for (const PresetInfo& p : Presets()) {
      std::printf("%-22s %s\n", std::string(p.name).c_str(), std::string(p.summary).c_str());
    }
    return kOk;
  }
  if (a.ranges) {
    std::fputs(FormatTaskRanges(TypicalTaskRanges()).c_str(), stdout);
    return kOk;
  }

  EvalOptions opt;
  opt.batch = a.batch;
  absl::StatusOr<Catalog> catalog_or = CatalogWithOverrides(a.catalog_overrides);
  if (!catalog_or.ok()) return Fail(std::string(catalog_or.status().message()), kInput);
  const Catalog& catalog = *catalog_or;

  if (a.levels) {
    auto model = catalog.Find(a.model.empty() ? "gpt-4o" : a.model);
    if (!model.ok()) return Fail(std::string(model.status().message()), kUsage);
    if (!a.cache.empty()) opt.cache.mode = *CacheModeFromName(a.cache);
    std::vector<ScenarioResult> rows;
    for (std::string_view name : LevelPresets()) {
      auto s = BuildPreset(name);
      if (!s.ok()) return Fail(std::string(s.status().message()), kInput);
      auto r = Evaluate(*s, **model, opt);
      if (!r.ok()) return Fail(std::string(r.status().message()), kInput);
      rows.push_back(std::move(*r));
    }
    std::fputs(FormatLevels(rows).c_str(), stdout);
    return kOk;
  }

  if (a.target.empty()) {
    std::fprintf(stderr, "tokwise: give a preset or a spec file\n\n%s", kSimulateHelp);
    return kUsage;
  }

  // A preset name, else a spec file.
  Scenario scenario;
  std::string spec_model;
  auto preset = BuildPreset(a.target);
  if (preset.ok()) {
    scenario = std::move(*preset);
  } else {
    std::string text;
    if (!ReadInputFile(a.target, &text, &err)) {
      return Fail(err + " (and it is not a preset; --presets lists them)", kInput);
    }
    auto spec = ScenarioFromJson(text);
    if (!spec.ok()) return Fail(a.target + ": " + std::string(spec.status().message()), kInput);
    scenario = std::move(spec->scenario);
    spec_model = spec->model;
    if (spec->cache) opt.cache.mode = *spec->cache;
  }
  if (!a.cache.empty()) opt.cache.mode = *CacheModeFromName(a.cache);
  const std::string model_name =
      !a.model.empty() ? a.model : (!spec_model.empty() ? spec_model : "gpt-4o");
  auto model = catalog.Find(model_name);
  if (!model.ok()) return Fail(std::string(model.status().message()), kUsage);

  auto result = Evaluate(scenario, **model, opt);
  if (!result.ok()) return Fail(std::string(result.status().message()), kInput);
  if (a.json) {
    std::printf("%s\n", ResultToJson(*result).c_str());
  } else {
    std::fputs(FormatStepTable(*result, scenario.description()).c_str(), stdout);
  }

  if (a.what_ifs) {
    const ModelInfo* cheaper = nullptr;
    if (!a.cheaper.empty()) {
      auto m = catalog.Find(a.cheaper);
      if (!m.ok()) return Fail(std::string(m.status().message()), kUsage);
      cheaper = *m;
    }
    const auto ppm = static_cast<uint32_t>(std::llround(a.token_ratio * 1e6));
    auto cmp = CompareWhatIfs(scenario, **model, opt,
                              StandardWhatIfs(scenario, **model, opt, cheaper, ppm));
    if (!cmp.ok()) return Fail(std::string(cmp.status().message()), kInput);
    std::printf("\n%s", FormatWhatIfs(*cmp).c_str());
    const std::string payoff = FormatCachePayoff(**model);
    if (!payoff.empty()) std::printf("\n%s", payoff.c_str());
  }
  if (a.forecast) {
    ForecastInput in;
    in.users = a.users;
    in.runs_per_user_per_day = a.runs_per_user;
    auto f = Forecast(*result, in);
    if (!f.ok()) return Fail(std::string(f.status().message()), kInput);
    std::printf("\n%s", FormatForecast(*f, in).c_str());
  }
  if (a.gpu_tps > 0) {
    SelfHostingInput in;
    in.hourly_micro_usd = a.gpu_hourly_micro;
    in.tokens_per_second = a.gpu_tps;
    auto s = SelfHostingBreakEven(*result, in);
    if (!s.ok()) return Fail(std::string(s.status().message()), kInput);
    std::printf("\n%s", FormatSelfHosting(*s, in).c_str());
  }
  return kOk;
}

}  // namespace tokwise::cli
