// The price catalog: tokwise's JSON form, the embedded catalog, name resolution and merging.
#include "tokwise/catalog.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/file.h"
#include "base/json_depth.h"
#include "base/strings.h"
#include "cost/decimal.h"
#include "cost/embedded_catalog.h"
#include "cost/json_util.h"
#include "cost/price_buckets.h"
#include "simdjson.h"

namespace tokwise {

using cost_internal::ForEachField;
using cost_internal::JsonIndexPath;
using cost_internal::JsonKeyPath;
using cost_internal::PathError;
using cost_internal::SimdjsonError;
namespace od = simdjson::ondemand;

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = absl::ascii_tolower(static_cast<unsigned char>(c));
  return out;
}

// Reads a price (USD per million) given as a decimal string or a JSON number, exactly.
absl::StatusOr<PricePerMTok> ReadPrice(od::value value, const std::string& path) {
  od::json_type type;
  if (auto err = value.type().get(type)) return SimdjsonError(path, err);
  std::string_view text;
  if (type == od::json_type::string) {
    if (auto err = value.get_string().get(text)) return SimdjsonError(path, err);
  } else if (type == od::json_type::number) {
    text = value.raw_json_token();
  } else if (type == od::json_type::null) {
    return kNotOffered;
  } else {
    return PathError(path, absl::StrCat("expected a price in USD per million tokens, got ",
                                        std::string(cost_internal::JsonTypeName(type))));
  }
  auto micro = cost_internal::ScaleDecimal(text, 6, cost_internal::Inexact::kError);
  if (!micro.ok()) return PathError(path, std::string(micro.status().message()));
  return *micro;
}

absl::StatusOr<uint32_t> ReadU32(od::value value, const std::string& path) {
  auto n = cost_internal::ReadCount(value, path, 0xFFFFFFFFu);
  if (!n.ok()) return n.status();
  return static_cast<uint32_t>(*n);
}

absl::Status ReadPrices(od::value value, const std::string& path, Prices* prices) {
  od::object obj;
  if (value.get_object().get(obj) != simdjson::SUCCESS) {
    return PathError(path, "expected an object of prices");
  }
  return ForEachField(obj, path, [&](std::string_view key, od::value& v, const std::string& p) {
    PricePerMTok* slot = nullptr;
    for (const cost_internal::PriceBucket& b : cost_internal::kPriceBuckets) {
      if (key == b.catalog_key) slot = &(prices->*b.member);
    }
    if (slot == nullptr) return PathError(p, "unknown price bucket");
    auto price = ReadPrice(v, p);
    if (!price.ok()) return price.status();
    *slot = *price;
    return absl::OkStatus();
  });
}

bool IsIsoDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const int month = (s[5] - '0') * 10 + (s[6] - '0');
  const int day = (s[8] - '0') * 10 + (s[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// The model fields that are a plain string or a plain count, by key.
constexpr std::pair<std::string_view, std::string ModelInfo::*> kModelStrings[] = {
    {"id", &ModelInfo::id},
    {"provider", &ModelInfo::provider},
    {"tokenizer", &ModelInfo::tokenizer},
    {"prices_effective", &ModelInfo::prices_effective},
    {"source", &ModelInfo::source},
    {"notes", &ModelInfo::notes},
};
constexpr std::pair<std::string_view, uint32_t ModelInfo::*> kModelCounts[] = {
    {"context_window", &ModelInfo::context_window},
    {"max_output", &ModelInfo::max_output},
    {"max_input", &ModelInfo::max_input},
    {"min_cacheable_prefix", &ModelInfo::min_cacheable_prefix},
};

absl::StatusOr<ModelInfo> ReadModel(od::value value, const std::string& path) {
  od::object obj;
  if (value.get_object().get(obj)) return PathError(path, "expected a model object");
  ModelInfo m;
  bool has_prices = false;
  absl::Status st = ForEachField(
      obj, path, [&](std::string_view key, od::value& v, const std::string& p) -> absl::Status {
        for (const auto& [name, member] : kModelStrings) {
          if (key != name) continue;
          auto s = cost_internal::ReadString(v, p);
          if (!s.ok()) return s.status();
          m.*member = std::string(*s);
          if (key == "prices_effective" && !m.prices_effective.empty() &&
              !IsIsoDate(m.prices_effective)) {
            return PathError(p, "expected an ISO date YYYY-MM-DD");
          }
          return absl::OkStatus();
        }
        for (const auto& [name, member] : kModelCounts) {
          if (key != name) continue;
          auto n = ReadU32(v, p);
          if (!n.ok()) return n.status();
          m.*member = *n;
          return absl::OkStatus();
        }
        if (key == "prices") {
          has_prices = true;
          return ReadPrices(v, p, &m.prices);
        }
        if (key == "aliases") {
          od::array arr;
          if (v.get_array().get(arr)) return PathError(p, "expected an array of names");
          size_t i = 0;
          for (auto item : arr) {
            const std::string ip = JsonIndexPath(p, i++);
            od::value iv;
            if (auto err = std::move(item).get(iv)) return SimdjsonError(ip, err);
            auto s = cost_internal::ReadString(iv, ip);
            if (!s.ok()) return s.status();
            if (s->empty()) return PathError(ip, "empty alias");
            m.aliases.emplace_back(*s);
          }
          return absl::OkStatus();
        }
        if (key == "long_context") {
          od::array arr;
          if (v.get_array().get(arr)) return PathError(p, "expected an array of tiers");
          size_t i = 0;
          for (auto item : arr) {
            const std::string ip = JsonIndexPath(p, i++);
            od::object tier_obj;
            if (item.get_object().get(tier_obj)) return PathError(ip, "expected a tier object");
            LongContextTier tier;
            bool has_above = false, has_tier_prices = false;
            absl::Status ts = ForEachField(
                tier_obj, ip,
                [&](std::string_view tkey, od::value& tv, const std::string& tp) -> absl::Status {
                  if (tkey == "above") {
                    auto n = ReadU32(tv, tp);
                    if (!n.ok()) return n.status();
                    tier.threshold_tokens = *n;
                    has_above = true;
                    return absl::OkStatus();
                  }
                  if (tkey == "prices") {
                    has_tier_prices = true;
                    return ReadPrices(tv, tp, &tier.prices);
                  }
                  return PathError(tp, "unknown key (a tier has \"above\" and \"prices\")");
                });
            if (!ts.ok()) return ts;
            if (!has_above) return PathError(ip, "missing \"above\"");
            if (!has_tier_prices) return PathError(ip, "missing \"prices\"");
            if (!m.long_context_tiers.empty() &&
                tier.threshold_tokens <= m.long_context_tiers.back().threshold_tokens) {
              return PathError(JsonKeyPath(ip, "above"), "thresholds must ascend");
            }
            m.long_context_tiers.push_back(tier);
          }
          return absl::OkStatus();
        }
        return PathError(p, "unknown key");
      });
  if (!st.ok()) return st;

  // Required fields and consistency.
  if (m.id.empty()) return PathError(path, "missing \"id\"");
  const std::string named = absl::StrCat(path, " (", m.id, ")");
  if (m.provider.empty()) return PathError(named, "missing \"provider\"");
  if (m.tokenizer.empty()) return PathError(named, "missing \"tokenizer\"");
  if (m.source.empty()) return PathError(named, "missing \"source\"");
  // Both default to 0, so 0 is "missing" whether the key is absent or says 0.
  if (m.context_window == 0) return PathError(named, "missing \"context_window\"");
  if (m.max_output == 0) return PathError(named, "missing \"max_output\"");
  if (!has_prices) return PathError(named, "missing \"prices\"");
  if (m.prices.input == kNotOffered) return PathError(named, "missing \"prices.input\"");
  if (m.prices.output == kNotOffered) return PathError(named, "missing \"prices.output\"");
  if (m.max_output > m.context_window) {
    return PathError(named, "max_output is larger than context_window");
  }
  if (m.max_input > m.context_window) {
    return PathError(named, "max_input is larger than context_window");
  }
  for (const LongContextTier& t : m.long_context_tiers) {
    if (t.threshold_tokens >= m.context_window) {
      return PathError(named, "a long-context threshold is not below the context window");
    }
  }
  return m;
}

}  // namespace

absl::Status Catalog::Add(std::shared_ptr<const ModelInfo> model) {
  const std::string id = Lower(model->id);
  if (auto it = names_.find(id); it != names_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("model \"", model->id, "\" is already named by \"", it->second, "\""));
  }
  for (const std::string& alias : model->aliases) {
    const std::string a = Lower(alias);
    auto it = names_.find(a);
    if (it != names_.end() || a == id) {
      return absl::InvalidArgumentError(
          absl::StrCat("alias \"", alias, "\" of \"", model->id, "\" is already a name of \"",
                       it != names_.end() ? it->second : model->id, "\""));
    }
  }
  names_.emplace(id, model->id);
  for (const std::string& alias : model->aliases) names_.emplace(Lower(alias), model->id);
  by_id_.emplace(model->id, std::move(model));
  return absl::OkStatus();
}

absl::StatusOr<Catalog> Catalog::FromJson(std::string_view json) {
  if (absl::Status deep = base::CheckJsonDepth(json); !deep.ok()) return deep;
  cost_internal::JsonDocument doc;
  if (absl::Status s = doc.Open(json); !s.ok()) return s;
  Catalog catalog;
  bool has_models = false;
  absl::Status st = doc.RootFields(
      "expected an object",
      [&](std::string_view key, od::value& value, const std::string& p) -> absl::Status {
        if (key == "models") {
          has_models = true;
          od::array arr;
          if (value.get_array().get(arr)) return PathError(p, "expected an array of models");
          size_t i = 0;
          for (auto item : arr) {
            const std::string ip = JsonIndexPath(p, i++);
            od::value v;
            if (auto err = std::move(item).get(v)) return doc.ErrorHere(ip, err);
            auto model = ReadModel(v, ip);
            if (!model.ok()) return model.status();
            if (auto s = catalog.Add(std::make_shared<const ModelInfo>(std::move(*model)));
                !s.ok()) {
              return PathError(ip, std::string(s.message()));
            }
          }
          return absl::OkStatus();
        }
        if (key == "schema" || key == "comment") {
          // Free text for people reading the file.
          return cost_internal::ReadString(value, p).status();
        }
        return PathError(p, "unknown key (a catalog has \"models\")");
      });
  if (!st.ok()) return st;
  if (!has_models) return PathError("$", "missing \"models\"");
  return catalog;
}

absl::StatusOr<Catalog> Catalog::FromJsonFile(const std::string& path) {
  auto text = base::ReadFile(path);
  if (!text.ok()) return text.status();
  auto catalog = FromJson(*text);
  if (!catalog.ok()) {
    return absl::Status(catalog.status().code(),
                        absl::StrCat(path, ": ", catalog.status().message()));
  }
  return catalog;
}

absl::StatusOr<Catalog> Catalog::FromLiteLlmJsonFile(const std::string& path, size_t* skipped) {
  auto text = base::ReadFile(path);
  if (!text.ok()) return text.status();
  auto catalog = FromLiteLlmJson(*text, skipped);
  if (!catalog.ok()) {
    return absl::Status(catalog.status().code(),
                        absl::StrCat(path, ": ", catalog.status().message()));
  }
  return catalog;
}

const Catalog& Catalog::Default() {
  // Parsed once, on first use (a function-local static is initialized thread-safely). The
  // embedded JSON is checked by the test suite; were it ever broken, the catalog is empty
  // and every lookup is NotFound rather than a crash.
  static const Catalog* const catalog = [] {
    auto parsed = FromJson(cost_internal::EmbeddedCatalogJson());
    return parsed.ok() ? new Catalog(std::move(*parsed)) : new Catalog();
  }();
  return *catalog;
}

absl::Status Catalog::Merge(const Catalog& overrides) {
  // Work on a copy so a failure leaves this catalog as it was.
  Catalog merged = *this;
  auto drop_name = [&merged](const std::string& lowered) {
    auto it = merged.names_.find(lowered);
    if (it == merged.names_.end()) return;
    const std::string owner = it->second;
    merged.names_.erase(it);
    auto entry = merged.by_id_.find(owner);
    if (entry == merged.by_id_.end()) return;
    if (Lower(owner) == lowered) {
      // The whole entry goes: its aliases too.
      for (const std::string& alias : entry->second->aliases) merged.names_.erase(Lower(alias));
      merged.by_id_.erase(entry);
    } else {
      auto copy = std::make_shared<ModelInfo>(*entry->second);
      copy->aliases.erase(std::remove_if(copy->aliases.begin(), copy->aliases.end(),
                                         [&](const std::string& a) { return Lower(a) == lowered; }),
                          copy->aliases.end());
      entry->second = std::move(copy);
    }
  };
  for (const auto& [id, model] : overrides.by_id_) {
    drop_name(Lower(id));
    for (const std::string& alias : model->aliases) {
      const std::string a = Lower(alias);
      auto it = merged.names_.find(a);
      if (it != merged.names_.end() && Lower(it->second) == a) {
        return absl::InvalidArgumentError(
            absl::StrCat("alias \"", alias, "\" of override \"", id,
                         "\" is the id of another model; override that model instead"));
      }
      drop_name(a);
    }
    if (auto s = merged.Add(model); !s.ok()) return s;
  }
  *this = std::move(merged);
  return absl::OkStatus();
}

std::vector<const ModelInfo*> Catalog::All() const {
  std::vector<const ModelInfo*> out;
  out.reserve(by_id_.size());
  for (const auto& [id, m] : by_id_) out.push_back(m.get());
  return out;
}

absl::StatusOr<const ModelInfo*> Catalog::Find(std::string_view model) const {
  auto r = Resolve(model);
  if (!r.ok()) return r.status();
  return r->model;
}

absl::StatusOr<Resolution> Catalog::ResolveOnce(std::string_view lowered) const {
  auto it = names_.find(lowered);
  if (it == names_.end()) return absl::NotFoundError("");
  auto entry = by_id_.find(it->second);
  if (entry == by_id_.end()) return absl::NotFoundError("");
  Resolution r;
  r.model = entry->second.get();
  r.kind = Lower(it->second) == lowered ? MatchKind::kExact : MatchKind::kAlias;
  r.matched_name = std::string(lowered);
  return r;
}

namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "gpt-4o-2024-08-06" -> "gpt-4o"; "claude-sonnet-4-5-20250929" -> "claude-sonnet-4-5".
// Only full dates: a 4-digit "-0613" suffix is not stripped (gpt-3.5-turbo-1106 costs more
// than gpt-3.5-turbo; such snapshots are listed as their own entries or aliases).
std::string_view StripDate(std::string_view s) {
  if (s.size() > 11) {
    std::string_view tail = s.substr(s.size() - 11);
    if (tail[0] == '-' && AllDigits(tail.substr(1, 4)) && tail[5] == '-' &&
        AllDigits(tail.substr(6, 2)) && tail[8] == '-' && AllDigits(tail.substr(9, 2))) {
      return s.substr(0, s.size() - 11);
    }
  }
  if (s.size() > 9) {
    std::string_view tail = s.substr(s.size() - 9);
    if (tail[0] == '-' && AllDigits(tail.substr(1)) && tail.substr(1, 2) == "20") {
      return s.substr(0, s.size() - 9);
    }
  }
  return {};
}

// "us.anthropic.claude-3-5-sonnet-20240620-v1:0" -> "claude-3-5-sonnet-20240620".
std::string_view StripBedrock(std::string_view s) {
  for (std::string_view region :
       {"us-gov.", "us.", "eu.", "apac.", "global.", "jp.", "au.", "ca."}) {
    if (base::StartsWith(s, region)) {
      s.remove_prefix(region.size());
      break;
    }
  }
  if (!base::StartsWith(s, "anthropic.")) return {};
  s.remove_prefix(10);
  // Version suffix "-v1:0", "-v2:0", "-v1".
  size_t v = s.rfind("-v");
  if (v == std::string_view::npos) return s;
  std::string_view ver = s.substr(v + 2);
  size_t colon = ver.find(':');
  if (AllDigits(ver.substr(0, colon)) &&
      (colon == std::string_view::npos || AllDigits(ver.substr(colon + 1)))) {
    return s.substr(0, v);
  }
  return s;
}

// The provider a prefix segment names, or "" if it names none we check.
std::string_view ProviderOfSegment(std::string_view segment) {
  if (segment == "openai" || segment == "azure" || segment == "azure_ai") return "openai";
  if (segment == "anthropic") return "anthropic";
  if (segment == "google" || segment == "gemini") return "google";
  return {};
}

}  // namespace

absl::StatusOr<Resolution> Catalog::Resolve(std::string_view model) const {
  std::string_view trimmed = model;
  while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) {
    trimmed.remove_prefix(1);
  }
  while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) {
    trimmed.remove_suffix(1);
  }
  if (trimmed.empty()) return absl::InvalidArgumentError("empty model name");
  const std::string lowered = Lower(trimmed);
  const std::string shown(model);

  if (base::StartsWith(lowered, "ft:") || lowered.find("/ft:") != std::string::npos) {
    return absl::NotFoundError(absl::StrCat(
        "fine-tuned model \"", shown,
        "\" is priced differently from its base model; add its prices with a catalog override"));
  }

  // Every form of one name without a provider prefix.
  auto try_forms = [this](std::string_view name) -> absl::StatusOr<Resolution> {
    if (auto r = ResolveOnce(name); r.ok()) return r;
    if (size_t at = name.find('@'); at != std::string_view::npos) {
      std::string_view base = name.substr(0, at);
      if (auto r = ResolveOnce(base); r.ok()) {
        r->kind = MatchKind::kVertex;
        return r;
      }
      if (std::string_view undated = StripDate(base); !undated.empty()) {
        if (auto r = ResolveOnce(undated); r.ok()) {
          r->kind = MatchKind::kVertex;
          return r;
        }
      }
    }
    if (std::string_view bedrock = StripBedrock(name); !bedrock.empty()) {
      auto r = ResolveOnce(bedrock);
      if (!r.ok()) {
        if (std::string_view undated = StripDate(bedrock); !undated.empty()) {
          r = ResolveOnce(undated);
        }
      }
      if (r.ok()) {
        r->kind = MatchKind::kBedrock;
        return r;
      }
    }
    if (std::string_view undated = StripDate(name); !undated.empty()) {
      if (auto r = ResolveOnce(undated); r.ok()) {
        r->kind = MatchKind::kSnapshot;
        return r;
      }
    }
    return absl::NotFoundError("");
  };

  if (auto r = try_forms(lowered); r.ok()) return r;

  // Provider prefixes, one segment at a time.
  std::string_view rest = lowered;
  std::vector<std::string_view> prefix;
  bool azure = false;
  while (true) {
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) break;
    prefix.push_back(rest.substr(0, slash));
    if (prefix.back() == "azure") azure = true;
    rest.remove_prefix(slash + 1);
    auto r = try_forms(rest);
    if (!r.ok()) continue;
    for (std::string_view segment : prefix) {
      std::string_view wanted = ProviderOfSegment(segment);
      if (!wanted.empty() && wanted != r->model->provider) {
        return absl::NotFoundError(absl::StrCat("\"", shown, "\" names provider ",
                                                std::string(segment), " but \"", r->model->id,
                                                "\" is a ", r->model->provider, " model"));
      }
    }
    if (r->kind == MatchKind::kExact || r->kind == MatchKind::kAlias) {
      r->kind = MatchKind::kProviderPrefix;
    }
    return r;
  }

  std::string hint =
      "; add it with a catalog override (Catalog::FromJson / FromLiteLlmJson and Merge; "
      "`tokwise models --catalog FILE` shows how a file resolves)";
  if (azure) {
    hint = absl::StrCat(
        "; an Azure deployment name is chosen by its owner: name the deployment after the "
        "model or add the deployment name as an alias in a catalog override");
  }
  return absl::NotFoundError(absl::StrCat("unknown model \"", shown, "\"", hint));
}

}  // namespace tokwise
