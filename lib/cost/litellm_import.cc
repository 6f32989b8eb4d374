// Import of LiteLLM's model_prices_and_context_window.json into a Catalog.
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/json_depth.h"
#include "base/strings.h"
#include "cost/decimal.h"
#include "cost/json_util.h"
#include "cost/price_buckets.h"
#include "simdjson.h"
#include "tokwise/catalog.h"
#include "tokwise/encoding.h"

namespace tokwise {

using cost_internal::ForEachField;
using cost_internal::PathError;
using cost_internal::SimdjsonError;
namespace od = simdjson::ondemand;

namespace {

// USD per token (a float in LiteLLM's file) -> micro-dollars per million, from the decimal
// text so that 2.5e-06 is exactly 2'500'000 (no binary-float error).
absl::StatusOr<PricePerMTok> ReadPerTokenPrice(od::value value, const std::string& path) {
  od::json_type type;
  if (auto err = value.type().get(type)) return SimdjsonError(path, err);
  if (type == od::json_type::null) return kNotOffered;
  if (type != od::json_type::number) {
    return PathError(path, absl::StrCat("expected a price in USD per token, got ",
                                        std::string(cost_internal::JsonTypeName(type))));
  }
  auto micro =
      cost_internal::ScaleDecimal(value.raw_json_token(), 12, cost_internal::Inexact::kRound);
  if (!micro.ok()) return PathError(path, std::string(micro.status().message()));
  return *micro;
}

// The bucket a LiteLLM price key fills, or nullptr.
PricePerMTok* BaseSlot(std::string_view key, Prices* p) {
  for (const cost_internal::PriceBucket& b : cost_internal::kPriceBuckets) {
    if (key == b.litellm_key) return &(p->*b.member);
  }
  return nullptr;
}

// "<base>_above_<N>k_tokens" -> base and N * 1000. False for any other key.
bool SplitTierKey(std::string_view key, std::string_view* base, uint32_t* threshold) {
  if (!base::EndsWith(key, "k_tokens")) return false;
  size_t above = key.rfind("_above_");
  if (above == std::string_view::npos) return false;
  std::string_view n = key.substr(above + 7, key.size() - above - 7 - 8);
  if (n.empty() || n.size() > 6) return false;
  uint32_t v = 0;
  for (char c : n) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  *base = key.substr(0, above);
  *threshold = v * 1000;
  return true;
}

std::string NormalizeProvider(std::string_view p) {
  if (p == "gemini" || base::StartsWith(p, "vertex_ai-language")) return "google";
  if (p == "text-completion-openai") return "openai";
  return std::string(p);
}

std::string TokenizerFor(std::string_view name, std::string_view provider) {
  if (name.find("gpt-oss") != std::string_view::npos) return "o200k_harmony";
  if (provider == "openai" || provider == "azure" || provider == "azure_ai") {
    auto enc = EncodingNameForModel(name);
    if (enc.ok()) return *enc;
  }
  if (name.find("claude") != std::string_view::npos) return "claude";
  if (name.find("gemini") != std::string_view::npos) return "gemini";
  return "";
}

}  // namespace

absl::StatusOr<Catalog> Catalog::FromLiteLlmJson(std::string_view json, size_t* skipped) {
  if (absl::Status deep = base::CheckJsonDepth(json); !deep.ok()) return deep;
  if (skipped != nullptr) *skipped = 0;
  cost_internal::JsonDocument doc;
  if (absl::Status s = doc.Open(json); !s.ok()) return s;
  Catalog catalog;
  absl::Status st = doc.RootFields(
      "expected an object of models",
      [&](std::string_view name_view, od::value& entry, const std::string& path) -> absl::Status {
        const std::string name(name_view);
        od::object obj;
        if (auto err = entry.get_object().get(obj)) {
          if (err == simdjson::INCORRECT_TYPE) return PathError(path, "expected a model object");
          return SimdjsonError(path, err);
        }
        if (name == "sample_spec") {
          // The format's own documentation entry: its values are descriptions, not prices.
          if (skipped != nullptr) ++*skipped;
          return absl::OkStatus();
        }

        ModelInfo m;
        m.id = name;
        std::string mode;
        std::string provider;
        uint32_t max_tokens = 0;
        uint64_t max_input = 0;
        uint64_t max_output = 0;
        // Tiers found so far, by threshold.
        std::vector<LongContextTier> tiers;
        auto read_field = [&](std::string_view key, od::value& v,
                              const std::string& p) -> absl::Status {
          std::string_view tier_base;
          uint32_t threshold = 0;
          if (PricePerMTok* slot = BaseSlot(key, &m.prices)) {
            auto price = ReadPerTokenPrice(v, p);
            if (!price.ok()) return price.status();
            *slot = *price;
          } else if (SplitTierKey(key, &tier_base, &threshold)) {
            Prices scratch;
            PricePerMTok* slot = BaseSlot(tier_base, &scratch);
            // A tier of something we do not price (audio, images).
            if (slot == nullptr) return absl::OkStatus();
            auto price = ReadPerTokenPrice(v, p);
            if (!price.ok()) return price.status();
            LongContextTier* tier = nullptr;
            for (LongContextTier& t : tiers) {
              if (t.threshold_tokens == threshold) tier = &t;
            }
            if (tier == nullptr) {
              tiers.push_back(LongContextTier{threshold, {}});
              tier = &tiers.back();
            }
            *BaseSlot(tier_base, &tier->prices) = *price;
          } else if (key == "mode") {
            auto s = cost_internal::ReadString(v, p);
            if (!s.ok()) return s.status();
            mode = std::string(*s);
          } else if (key == "litellm_provider") {
            auto s = cost_internal::ReadString(v, p);
            if (!s.ok()) return s.status();
            provider = std::string(*s);
          } else if (key == "source") {
            auto s = cost_internal::ReadString(v, p);
            if (!s.ok()) return s.status();
            m.source = std::string(*s);
          } else if (key == "max_input_tokens" || key == "max_output_tokens" ||
                     key == "max_tokens" || key == "prompt_cache_min_tokens") {
            od::json_type type;
            if (v.type().get(type) == simdjson::SUCCESS && type == od::json_type::null) {
              return absl::OkStatus();
            }
            auto n = cost_internal::ReadCount(v, p, 0xFFFFFFFFu);
            if (!n.ok()) return n.status();
            if (key == "max_input_tokens")
              max_input = *n;
            else if (key == "max_output_tokens")
              max_output = *n;
            else if (key == "max_tokens")
              max_tokens = static_cast<uint32_t>(*n);
            else
              m.min_cacheable_prefix = static_cast<uint32_t>(*n);
          }
          // Other keys (capabilities, per-image or per-second prices, rate limits) are ignored.
          return absl::OkStatus();
        };
        if (absl::Status s = ForEachField(obj, path, read_field, &doc); !s.ok()) return s;

        const bool priced_mode =
            mode.empty() || mode == "chat" || mode == "completion" || mode == "responses";
        if (!priced_mode || m.prices.input == kNotOffered || m.prices.output == kNotOffered) {
          if (skipped != nullptr) ++*skipped;
          return absl::OkStatus();
        }
        m.provider = NormalizeProvider(provider.empty() ? "unknown" : provider);
        m.tokenizer = TokenizerFor(name, provider);
        m.context_window = static_cast<uint32_t>(max_input);
        m.max_output = static_cast<uint32_t>(max_output != 0 ? max_output : max_tokens);
        if (m.context_window != 0 && m.max_output > m.context_window) {
          // LiteLLM's max_tokens is sometimes the window itself; never exceed it.
          m.max_output = m.context_window;
        }
        std::sort(tiers.begin(), tiers.end(),
                  [](const LongContextTier& a, const LongContextTier& b) {
                    return a.threshold_tokens < b.threshold_tokens;
                  });
        m.long_context_tiers = std::move(tiers);
        if (m.source.empty()) m.source = "LiteLLM model_prices_and_context_window.json";
        m.notes = "imported from LiteLLM's format; context_window is its max_input_tokens";
        // LiteLLM's keys are unique as written but may collide once case is folded (names are
        // matched case-insensitively): the first entry keeps the name, later ones are skipped.
        if (auto s = catalog.Add(std::make_shared<const ModelInfo>(std::move(m))); !s.ok()) {
          if (skipped != nullptr) ++*skipped;
        }
        return absl::OkStatus();
      });
  if (!st.ok()) return st;
  return catalog;
}

}  // namespace tokwise
