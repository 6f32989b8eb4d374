// BudgetSpec: the JSON form of the budgets, and scope key checks.
#include <cctype>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/json_depth.h"
#include "simdjson.h"
#include "tokwise/budget.h"

namespace tokwise {
namespace {

constexpr int64_t kPicoPerUsd = 1'000'000'000'000;

absl::Status JsonError(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("budget spec ", path, ": ", what));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  return s;
}

// Parses a non-negative decimal integer made of digits only.
bool ParseCount(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  int64_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, ch - '0', &v)) {
      return false;
    }
  }
  *out = v;
  return true;
}

// Parses "12", "12.5", "0.000001" (at most 12 decimals) into exact pico-dollars.
absl::Status ParseUsd(std::string_view s, int64_t* out) {
  const size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && frac.empty())) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", std::string(s), "\" is not a plain decimal amount of dollars"));
  }
  if (frac.size() > 12) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", std::string(s), "\" has more than 12 decimals (pico-dollars are the unit)"));
  }
  int64_t w = 0, f = 0;
  if (!ParseCount(whole, &w) || (!frac.empty() && !ParseCount(frac, &f))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", std::string(s), "\" is not a plain non-negative decimal (no sign, no exponent)"));
  }
  for (size_t i = frac.size(); i < 12; ++i) f *= 10;
  int64_t pico;
  if (__builtin_mul_overflow(w, kPicoPerUsd, &pico) || __builtin_add_overflow(pico, f, &pico)) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", std::string(s), "\" is over the largest budget, $9223372.036854775807"));
  }
  *out = pico;
  return absl::OkStatus();
}

// Splits "usd_per_day" / "tokens_total" into metric and window.
bool ParseLimitKey(std::string_view key, Metric* metric, Window* window) {
  static const std::pair<const char*, Window> kWindows[] = {{"_per_minute", Window::kMinute},
                                                            {"_per_hour", Window::kHour},
                                                            {"_per_day", Window::kDay},
                                                            {"_per_month", Window::kMonth},
                                                            {"_total", Window::kTotal}};
  static const std::pair<const char*, Metric> kMetrics[] = {
      {"requests", Metric::kRequests},
      {"input_tokens", Metric::kInputTokens},
      {"output_tokens", Metric::kOutputTokens},
      {"tokens", Metric::kTokens},
      {"usd", Metric::kCostPicoUsd}};
  for (const auto& [suffix, w] : kWindows) {
    std::string_view sv(suffix);
    if (key.size() <= sv.size() || key.substr(key.size() - sv.size()) != sv) continue;
    std::string_view head = key.substr(0, key.size() - sv.size());
    for (const auto& [name, m] : kMetrics) {
      if (head == name) {
        *metric = m;
        *window = w;
        return true;
      }
    }
  }
  return false;
}

#define TW_JSON(expr, path)                                                          \
  do {                                                                               \
    if (auto _err = (expr)) return JsonError((path), simdjson::error_message(_err)); \
  } while (0)

}  // namespace

absl::Status ValidateScopeKey(std::string_view key, bool allow_wildcard) {
  const size_t colon = key.find(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scope \"", std::string(key), "\" is not of the form kind:name (e.g. user:alice)"));
  }
  std::string_view kind = key.substr(0, colon), name = key.substr(colon + 1);
  if (kind.empty() || kind.size() > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("scope \"", std::string(key), "\": the kind must be 1 to 64 characters"));
  }
  for (char ch : kind) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
          ch == '-')) {
      return absl::InvalidArgumentError(
          absl::StrCat("scope \"", std::string(key), "\": the kind may hold only a-z 0-9 _ . -"));
    }
  }
  if (name.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("scope \"", std::string(key), "\" has an empty name"));
  }
  if (name == "*" && !allow_wildcard) {
    return absl::InvalidArgumentError(absl::StrCat(
        "scope \"", std::string(key), "\": a wildcard names budgets, not the scope of a call"));
  }
  return absl::OkStatus();
}

absl::StatusOr<BudgetSpec> BudgetSpec::FromJson(std::string_view json) {
  if (absl::Status deep = base::CheckJsonDepth(json); !deep.ok()) return deep;
  simdjson::padded_string padded(json.data(), json.size());
  // The on-demand parser reads lazily; a full DOM pass first rejects malformed JSON anywhere
  // (trailing garbage included), so the walk below sees only well-formed documents.
  //
  // A number simdjson cannot represent (1e309, 20 digits) fails that pass without saying
  // where. Every number the walk accepts is read from its raw text and checked there, with
  // its JSON path, so such a document goes on to the walk; if the walk finds nothing wrong
  // (it always should), the validator's error stands.
  simdjson::error_code number_error = simdjson::SUCCESS;
  {
    simdjson::dom::parser validator;
    simdjson::dom::element ignored;
    const simdjson::error_code err = validator.parse(padded).get(ignored);
    if (err == simdjson::NUMBER_ERROR) {
      number_error = err;
    } else {
      TW_JSON(err, "$");
    }
  }
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  TW_JSON(parser.iterate(padded).get(doc), "$");
  simdjson::ondemand::object root;
  TW_JSON(doc.get_object().get(root), "$");
  BudgetSpec spec;
  bool saw_budgets = false;
  std::set<std::string> seen_scopes;
  for (auto field_result : root) {
    simdjson::ondemand::field field;
    TW_JSON(std::move(field_result).get(field), "$");
    std::string_view key;
    TW_JSON(field.unescaped_key().get(key), "$");
    if (key != "budgets") {
      return JsonError(absl::StrCat("$.", std::string(key)), "unknown key (expected \"budgets\")");
    }
    saw_budgets = true;
    simdjson::ondemand::array arr;
    TW_JSON(field.value().get_array().get(arr), "$.budgets");
    size_t i = 0;
    for (auto elem_result : arr) {
      const std::string path = absl::StrCat("$.budgets[", i, "]");
      simdjson::ondemand::object obj;
      TW_JSON(elem_result.get_object().get(obj), path);
      ScopeBudget budget;
      bool saw_scope = false;
      std::set<std::pair<int, int>> seen_limits;
      for (auto f_result : obj) {
        simdjson::ondemand::field f;
        TW_JSON(std::move(f_result).get(f), path);
        std::string_view k;
        TW_JSON(f.unescaped_key().get(k), path);
        const std::string kpath = absl::StrCat(path, ".", std::string(k));
        if (k == "scope") {
          std::string_view scope;
          TW_JSON(f.value().get_string().get(scope), kpath);
          absl::Status s = ValidateScopeKey(scope, /*allow_wildcard=*/true);
          if (!s.ok()) return JsonError(kpath, std::string(s.message()));
          budget.scope = std::string(scope);
          saw_scope = true;
          continue;
        }
        Limit limit;
        if (!ParseLimitKey(k, &limit.metric, &limit.window)) {
          return JsonError(kpath,
                           "unknown key (limits are <requests|input_tokens|output_tokens|tokens|"
                           "usd>_per_<minute|hour|day|month> or <metric>_total)");
        }
        if (!seen_limits.insert({static_cast<int>(limit.metric), static_cast<int>(limit.window)})
                 .second) {
          return JsonError(kpath, "limit given twice");
        }
        simdjson::ondemand::json_type type;
        TW_JSON(f.value().type().get(type), kpath);
        std::string_view text;
        if (type == simdjson::ondemand::json_type::number) {
          text = Trim(f.value().raw_json_token());
        } else if (type == simdjson::ondemand::json_type::string &&
                   limit.metric == Metric::kCostPicoUsd) {
          TW_JSON(f.value().get_string().get(text), kpath);
        } else {
          return JsonError(kpath, limit.metric == Metric::kCostPicoUsd
                                      ? "expected a decimal number or string of dollars"
                                      : "expected a non-negative integer");
        }
        if (limit.metric == Metric::kCostPicoUsd) {
          absl::Status s = ParseUsd(text, &limit.max);
          if (!s.ok()) return JsonError(kpath, std::string(s.message()));
        } else if (!ParseCount(text, &limit.max)) {
          return JsonError(kpath,
                           absl::StrCat("\"", std::string(text),
                                        "\" is not a non-negative integer that fits 63 bits"));
        }
        budget.limits.push_back(limit);
      }
      if (!saw_scope) return JsonError(path, "missing \"scope\"");
      if (!seen_scopes.insert(budget.scope).second) {
        return JsonError(path, absl::StrCat("scope \"", budget.scope, "\" has two budgets"));
      }
      spec.budgets.push_back(std::move(budget));
      ++i;
    }
  }
  if (number_error != simdjson::SUCCESS) {
    return JsonError("$", simdjson::error_message(number_error));
  }
  if (!saw_budgets) return JsonError("$", "missing \"budgets\"");
  return spec;
}

}  // namespace tokwise
