// The C ABI's catalog, usage, pricing and scenario sections (tokwise_catalog_*, tokwise_model_*,
// tokwise_usage_*, tokwise_price_*, tokwise_scenario_*): conversions over tokwise/catalog.h,
// usage.h, pricing.h, cost_model.h, scenario.h and cost_report.h.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/file.h"
#include "capi/capi_internal.h"
#include "capi/capi_types.h"
#include "tokwise/catalog.h"
#include "tokwise/cost_model.h"
#include "tokwise/cost_report.h"
#include "tokwise/error_details.h"
#include "tokwise/pricing.h"
#include "tokwise/scenario.h"
#include "tokwise/tokwise.h"
#include "tokwise/usage.h"

struct tokwise_usage {
  tokwise::NormalizedUsage usage;
};

struct tokwise_scenario {
  tokwise::ScenarioSpec spec;
};

struct tokwise_eval_options {
  tokwise::EvalOptions options;
  bool cache_given = false;  // Else the spec's "cache" applies.
};

struct tokwise_scenario_result {
  tokwise::ScenarioResult result;
  std::string cache_mode;
};

namespace tokwise::capi {

std::shared_ptr<const Catalog> DefaultCatalog() {
  // Catalog::Default() lives for the whole process: share it without owning it.
  return std::shared_ptr<const Catalog>(&Catalog::Default(), [](const Catalog*) {});
}

}  // namespace tokwise::capi

namespace {

using tokwise::capi::BadText;
using tokwise::capi::CopyString;
using tokwise::capi::Fail;
using tokwise::capi::FromStatus;
using tokwise::capi::Guard;
using tokwise::capi::InvalidArgument;
using tokwise::capi::Text;

constexpr int kNumBuckets = 8;  // tokwise_bucket values known to this library.

tokwise_status NewCatalog(tokwise::Catalog catalog, tokwise_catalog** out) {
  auto handle = std::make_unique<tokwise_catalog>();
  handle->catalog = std::make_shared<const tokwise::Catalog>(std::move(catalog));
  *out = handle.release();
  return TOKWISE_STATUS_OK;
}

// Parses a catalog in `format` and, if asked, lays it over the default one. `where` prefixes
// error messages (a file name) when not empty.
tokwise_status CatalogFromText(std::string_view text, tokwise_catalog_format format,
                               int over_default, std::string_view where, tokwise_catalog** out) {
  absl::StatusOr<tokwise::Catalog> parsed;
  switch (format) {
    case TOKWISE_CATALOG_FORMAT_TOKWISE:
      parsed = tokwise::Catalog::FromJson(text);
      break;
    case TOKWISE_CATALOG_FORMAT_LITELLM:
      parsed = tokwise::Catalog::FromLiteLlmJson(text);
      break;
    default:
      return InvalidArgument(absl::StrCat("unknown catalog format ", format));
  }
  auto fail = [&](const absl::Status& s) {
    return FromStatus(
        where.empty() ? s : tokwise::PrefixErrorMessage(s, absl::StrCat(std::string(where), ": ")));
  };
  if (!parsed.ok()) return fail(parsed.status());
  if (over_default == 0) return NewCatalog(*std::move(parsed), out);
  tokwise::Catalog merged = tokwise::Catalog::Default();
  if (absl::Status s = merged.Merge(*parsed); !s.ok()) return fail(s);
  return NewCatalog(std::move(merged), out);
}

tokwise_status NewModel(std::shared_ptr<const tokwise::Catalog> catalog,
                        const tokwise::ModelInfo* info, tokwise_model** out) {
  auto handle = std::make_unique<tokwise_model>();
  handle->catalog = std::move(catalog);
  handle->info = info;
  *out = handle.release();
  return TOKWISE_STATUS_OK;
}

// The bucket's tokens in a NormalizedUsage, or nullptr for an unknown bucket.
uint64_t* BucketOf(tokwise::NormalizedUsage& u, tokwise_bucket bucket) {
  switch (bucket) {
    case TOKWISE_BUCKET_UNCACHED_INPUT:
      return &u.uncached_input;
    case TOKWISE_BUCKET_CACHE_READ:
      return &u.cache_read;
    case TOKWISE_BUCKET_CACHE_WRITE_5M:
      return &u.cache_write_5m;
    case TOKWISE_BUCKET_CACHE_WRITE_1H:
      return &u.cache_write_1h;
    case TOKWISE_BUCKET_OUTPUT:
      return &u.output;
    case TOKWISE_BUCKET_REASONING:
      return &u.reasoning;
    case TOKWISE_BUCKET_AUDIO_INPUT:
      return &u.audio_input;
    case TOKWISE_BUCKET_AUDIO_OUTPUT:
      return &u.audio_output;
  }
  return nullptr;
}

bool ToUsageFormat(tokwise_usage_format in, tokwise::UsageFormat* out) {
  switch (in) {
    case TOKWISE_USAGE_FORMAT_AUTO:
      *out = tokwise::UsageFormat::kAuto;
      return true;
    case TOKWISE_USAGE_FORMAT_OPENAI_CHAT:
      *out = tokwise::UsageFormat::kOpenAiChat;
      return true;
    case TOKWISE_USAGE_FORMAT_OPENAI_RESPONSES:
      *out = tokwise::UsageFormat::kOpenAiResponses;
      return true;
    case TOKWISE_USAGE_FORMAT_ANTHROPIC:
      *out = tokwise::UsageFormat::kAnthropic;
      return true;
    case TOKWISE_USAGE_FORMAT_GEMINI:
      *out = tokwise::UsageFormat::kGemini;
      return true;
  }
  return false;
}

tokwise_usage_format FromUsageFormat(tokwise::UsageFormat f) {
  switch (f) {
    case tokwise::UsageFormat::kAuto:
      break;
    case tokwise::UsageFormat::kOpenAiChat:
      return TOKWISE_USAGE_FORMAT_OPENAI_CHAT;
    case tokwise::UsageFormat::kOpenAiResponses:
      return TOKWISE_USAGE_FORMAT_OPENAI_RESPONSES;
    case tokwise::UsageFormat::kAnthropic:
      return TOKWISE_USAGE_FORMAT_ANTHROPIC;
    case tokwise::UsageFormat::kGemini:
      return TOKWISE_USAGE_FORMAT_GEMINI;
  }
  return TOKWISE_USAGE_FORMAT_AUTO;
}

tokwise_status ToPriceOptions(uint32_t flags, tokwise::PriceOptions* out) {
  if ((flags & ~TOKWISE_PRICE_FLAG_BATCH) != 0) {
    return InvalidArgument(absl::StrCat("unknown pricing flags ", flags));
  }
  out->batch = (flags & TOKWISE_PRICE_FLAG_BATCH) != 0;
  return TOKWISE_STATUS_OK;
}

bool ToCacheMode(tokwise_cache_mode in, tokwise::CacheMode* out) {
  switch (in) {
    case TOKWISE_CACHE_PROVIDER_DEFAULT:
      *out = tokwise::CacheMode::kProviderDefault;
      return true;
    case TOKWISE_CACHE_OFF:
      *out = tokwise::CacheMode::kOff;
      return true;
    case TOKWISE_CACHE_AUTOMATIC:
      *out = tokwise::CacheMode::kAutomatic;
      return true;
    case TOKWISE_CACHE_EXPLICIT_5M:
      *out = tokwise::CacheMode::kExplicit5m;
      return true;
    case TOKWISE_CACHE_EXPLICIT_1H:
      *out = tokwise::CacheMode::kExplicit1h;
      return true;
  }
  return false;
}

// The presets' names and summaries as NUL-terminated strings, made once.
struct PresetStrings {
  std::vector<std::string> names, summaries;
};

const PresetStrings& Presets() {
  static const PresetStrings* const kPresets = [] {
    auto* p = new PresetStrings();
    for (const tokwise::PresetInfo& info : tokwise::Presets()) {
      p->names.emplace_back(info.name);
      p->summaries.emplace_back(info.summary);
    }
    return p;
  }();
  return *kPresets;
}

}  // namespace

extern "C" {

// ---- Catalog ------------------------------------------------------------------------------

tokwise_status tokwise_catalog_default(tokwise_catalog** out) {
  return Guard([&] {
    if (out == nullptr) return InvalidArgument("out is NULL");
    auto handle = std::make_unique<tokwise_catalog>();
    handle->catalog = tokwise::capi::DefaultCatalog();
    *out = handle.release();
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_catalog_from_json(const char* json, size_t json_len,
                                         tokwise_catalog_format format, int over_default,
                                         tokwise_catalog** out) {
  return Guard([&] {
    if (out == nullptr) return InvalidArgument("out is NULL");
    if (BadText(json, json_len)) return InvalidArgument("json is NULL");
    return CatalogFromText(Text(json, json_len), format, over_default, {}, out);
  });
}

tokwise_status tokwise_catalog_from_file(const char* path, tokwise_catalog_format format,
                                         int over_default, tokwise_catalog** out) {
  return Guard([&] {
    if (path == nullptr || out == nullptr) return InvalidArgument("path or out is NULL");
    absl::StatusOr<std::string> text = tokwise::base::ReadFile(path);
    if (!text.ok()) {
      const absl::string_view m = text.status().message();
      return Fail(TOKWISE_STATUS_IO, std::string_view(m.data(), m.size()));
    }
    return CatalogFromText(*text, format, over_default, path, out);
  });
}

void tokwise_catalog_free(tokwise_catalog* catalog) { delete catalog; }

size_t tokwise_catalog_size(const tokwise_catalog* catalog) {
  return catalog == nullptr ? 0 : catalog->catalog->size();
}

tokwise_status tokwise_catalog_find(const tokwise_catalog* catalog, const char* model,
                                    tokwise_model** out) {
  return Guard([&] {
    if (model == nullptr || out == nullptr) return InvalidArgument("model or out is NULL");
    std::shared_ptr<const tokwise::Catalog> c =
        catalog == nullptr ? tokwise::capi::DefaultCatalog() : catalog->catalog;
    absl::StatusOr<const tokwise::ModelInfo*> info = c->Find(model);
    if (!info.ok()) return FromStatus(info.status());
    return NewModel(std::move(c), *info, out);
  });
}

tokwise_status tokwise_catalog_model_at(const tokwise_catalog* catalog, size_t index,
                                        tokwise_model** out) {
  return Guard([&] {
    if (catalog == nullptr || out == nullptr) return InvalidArgument("catalog or out is NULL");
    std::call_once(catalog->all_once, [&] { catalog->all = catalog->catalog->All(); });
    if (index >= catalog->all.size()) {
      return InvalidArgument(absl::StrCat("model index ", index, " is out of range (",
                                          catalog->all.size(), " models)"));
    }
    return NewModel(catalog->catalog, catalog->all[index], out);
  });
}

// ---- Models -------------------------------------------------------------------------------

void tokwise_model_free(tokwise_model* model) { delete model; }

const char* tokwise_model_id(const tokwise_model* model) {
  return model == nullptr ? "" : model->info->id.c_str();
}

const char* tokwise_model_provider(const tokwise_model* model) {
  return model == nullptr ? "" : model->info->provider.c_str();
}

const char* tokwise_model_tokenizer(const tokwise_model* model) {
  return model == nullptr ? "" : model->info->tokenizer.c_str();
}

const char* tokwise_model_source(const tokwise_model* model) {
  return model == nullptr ? "" : model->info->source.c_str();
}

const char* tokwise_model_prices_effective(const tokwise_model* model) {
  return model == nullptr ? "" : model->info->prices_effective.c_str();
}

uint64_t tokwise_model_context_window(const tokwise_model* model) {
  return model == nullptr ? 0 : model->info->context_window;
}

uint64_t tokwise_model_max_output(const tokwise_model* model) {
  return model == nullptr ? 0 : model->info->max_output;
}

uint64_t tokwise_model_max_input(const tokwise_model* model) {
  return model == nullptr ? 0 : model->info->max_input;
}

int64_t tokwise_model_price(const tokwise_model* model, tokwise_price which) {
  if (model == nullptr) return TOKWISE_PRICE_NOT_OFFERED;
  const tokwise::Prices& p = model->info->prices;
  switch (which) {
    case TOKWISE_PRICE_INPUT:
      return p.input;
    case TOKWISE_PRICE_OUTPUT:
      return p.output;
    case TOKWISE_PRICE_CACHE_READ:
      return p.cache_read;
    case TOKWISE_PRICE_CACHE_WRITE_5M:
      return p.cache_write_5m;
    case TOKWISE_PRICE_CACHE_WRITE_1H:
      return p.cache_write_1h;
    case TOKWISE_PRICE_BATCH_INPUT:
      return p.batch_input;
    case TOKWISE_PRICE_BATCH_OUTPUT:
      return p.batch_output;
  }
  return TOKWISE_PRICE_NOT_OFFERED;
}

tokwise_status tokwise_model_check_window(const tokwise_model* model, uint64_t input_tokens,
                                          uint64_t requested_output, int* fits,
                                          uint64_t* largest_max_output) {
  return Guard([&] {
    if (model == nullptr) return InvalidArgument("model is NULL");
    auto check = tokwise::CheckContextWindow(*model->info, input_tokens, requested_output);
    if (!check.ok()) return FromStatus(check.status());
    if (fits != nullptr) *fits = check->fits ? 1 : 0;
    if (largest_max_output != nullptr) *largest_max_output = check->largest_max_output;
    return TOKWISE_STATUS_OK;
  });
}

// ---- Usage --------------------------------------------------------------------------------

tokwise_status tokwise_usage_create(tokwise_usage** out) {
  return Guard([&] {
    if (out == nullptr) return InvalidArgument("out is NULL");
    *out = new tokwise_usage();
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_usage_normalize(const char* json, size_t json_len,
                                       tokwise_usage_format format, tokwise_usage** out) {
  return Guard([&] {
    if (out == nullptr) return InvalidArgument("out is NULL");
    if (BadText(json, json_len)) return InvalidArgument("json is NULL");
    tokwise::UsageFormat f;
    if (!ToUsageFormat(format, &f)) {
      return InvalidArgument(absl::StrCat("unknown usage format ", format));
    }
    auto usage = tokwise::NormalizeUsage(Text(json, json_len), f);
    if (!usage.ok()) return FromStatus(usage.status());
    auto handle = std::make_unique<tokwise_usage>();
    handle->usage = *usage;
    *out = handle.release();
    return TOKWISE_STATUS_OK;
  });
}

void tokwise_usage_free(tokwise_usage* usage) { delete usage; }

uint64_t tokwise_usage_get(const tokwise_usage* usage, tokwise_bucket bucket) {
  if (usage == nullptr) return 0;
  const uint64_t* v = BucketOf(const_cast<tokwise::NormalizedUsage&>(usage->usage), bucket);
  return v == nullptr ? 0 : *v;
}

tokwise_status tokwise_usage_set(tokwise_usage* usage, tokwise_bucket bucket, uint64_t tokens) {
  return Guard([&] {
    if (usage == nullptr) return InvalidArgument("usage is NULL");
    uint64_t* v = BucketOf(usage->usage, bucket);
    if (v == nullptr) return InvalidArgument(absl::StrCat("unknown bucket ", bucket));
    *v = tokens;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_usage_format tokwise_usage_get_format(const tokwise_usage* usage) {
  return usage == nullptr ? TOKWISE_USAGE_FORMAT_AUTO : FromUsageFormat(usage->usage.format);
}

// ---- Prices -------------------------------------------------------------------------------

tokwise_status tokwise_price_usage(const tokwise_model* model, const tokwise_usage* usage,
                                   uint32_t flags, int64_t* total, int64_t* by_bucket,
                                   size_t n_buckets) {
  return Guard([&] {
    if (model == nullptr || usage == nullptr) return InvalidArgument("model or usage is NULL");
    if (by_bucket == nullptr && n_buckets != 0) return InvalidArgument("by_bucket is NULL");
    tokwise::PriceOptions options;
    if (tokwise_status st = ToPriceOptions(flags, &options); st != TOKWISE_STATUS_OK) return st;
    // A hand-filled usage can say what no provider's can; pricing reasoning twice is the bug
    // this layer exists to prevent.
    if (usage->usage.reasoning > usage->usage.output) {
      return InvalidArgument(absl::StrCat("reasoning tokens (", usage->usage.reasoning,
                                          ") exceed output tokens (", usage->usage.output,
                                          "); reasoning is part of output"));
    }
    auto cost = tokwise::PriceUsage(*model->info, usage->usage, options);
    if (!cost.ok()) return FromStatus(cost.status());
    if (total != nullptr) *total = cost->total;
    for (size_t i = 0; i < n_buckets; ++i) {
      int64_t v = 0;
      switch (static_cast<int>(i)) {
        case TOKWISE_BUCKET_UNCACHED_INPUT:
          v = cost->uncached_input;
          break;
        case TOKWISE_BUCKET_CACHE_READ:
          v = cost->cache_read;
          break;
        case TOKWISE_BUCKET_CACHE_WRITE_5M:
          v = cost->cache_write_5m;
          break;
        case TOKWISE_BUCKET_CACHE_WRITE_1H:
          v = cost->cache_write_1h;
          break;
        case TOKWISE_BUCKET_OUTPUT:
          v = cost->output;
          break;
        default:  // Reasoning and audio are priced inside the others; later buckets unknown.
          break;
      }
      by_bucket[i] = v;
    }
    static_assert(kNumBuckets == TOKWISE_BUCKET_AUDIO_OUTPUT + 1, "update the bucket tables");
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_price_before_call(const tokwise_model* model, uint64_t input_tokens,
                                         uint64_t max_output_tokens, uint32_t flags,
                                         int64_t* total) {
  return Guard([&] {
    if (model == nullptr) return InvalidArgument("model is NULL");
    tokwise::PriceOptions options;
    if (tokwise_status st = ToPriceOptions(flags, &options); st != TOKWISE_STATUS_OK) return st;
    auto cost = tokwise::PriceBeforeCall(*model->info, input_tokens, max_output_tokens, options);
    if (!cost.ok()) return FromStatus(cost.status());
    if (total != nullptr) *total = cost->total;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_format_usd(int64_t pico_usd, int min_decimals, char* buffer, size_t capacity,
                                  size_t* length) {
  return Guard([&] {
    if (length == nullptr) return InvalidArgument("length is NULL");
    if (buffer == nullptr && capacity != 0) return InvalidArgument("buffer is NULL");
    if (min_decimals < 0 || min_decimals > 12) {
      return InvalidArgument(absl::StrCat("min_decimals must be 0 to 12, not ", min_decimals));
    }
    return CopyString(tokwise::FormatUsd(pico_usd, min_decimals), buffer, capacity, length);
  });
}

// ---- Scenarios ----------------------------------------------------------------------------

size_t tokwise_scenario_preset_count(void) {
  try {
    return Presets().names.size();
  } catch (...) {
    return 0;  // Out of memory on first use; a later call tries again.
  }
}

const char* tokwise_scenario_preset_name(size_t index) {
  try {
    return index < Presets().names.size() ? Presets().names[index].c_str() : nullptr;
  } catch (...) {
    return nullptr;
  }
}

const char* tokwise_scenario_preset_summary(size_t index) {
  try {
    return index < Presets().summaries.size() ? Presets().summaries[index].c_str() : nullptr;
  } catch (...) {
    return nullptr;
  }
}

tokwise_status tokwise_scenario_preset(const char* name, tokwise_scenario** out) {
  return Guard([&] {
    if (name == nullptr || out == nullptr) return InvalidArgument("name or out is NULL");
    auto scenario = tokwise::BuildPreset(name);
    if (!scenario.ok()) return FromStatus(scenario.status());
    auto handle = std::make_unique<tokwise_scenario>();
    handle->spec.scenario = *std::move(scenario);
    *out = handle.release();
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_scenario_from_json(const char* json, size_t json_len,
                                          tokwise_scenario** out) {
  return Guard([&] {
    if (out == nullptr) return InvalidArgument("out is NULL");
    if (BadText(json, json_len)) return InvalidArgument("json is NULL");
    auto spec = tokwise::ScenarioFromJson(Text(json, json_len));
    if (!spec.ok()) return FromStatus(spec.status());
    auto handle = std::make_unique<tokwise_scenario>();
    handle->spec = *std::move(spec);
    *out = handle.release();
    return TOKWISE_STATUS_OK;
  });
}

void tokwise_scenario_free(tokwise_scenario* scenario) { delete scenario; }

const char* tokwise_scenario_name(const tokwise_scenario* scenario) {
  return scenario == nullptr ? "" : scenario->spec.scenario.name().c_str();
}

const char* tokwise_scenario_model(const tokwise_scenario* scenario) {
  return scenario == nullptr ? "" : scenario->spec.model.c_str();
}

tokwise_status tokwise_eval_options_create(tokwise_eval_options** out) {
  return Guard([&] {
    if (out == nullptr) return InvalidArgument("out is NULL");
    *out = new tokwise_eval_options();
    return TOKWISE_STATUS_OK;
  });
}

void tokwise_eval_options_free(tokwise_eval_options* options) { delete options; }

tokwise_status tokwise_eval_options_set_cache_mode(tokwise_eval_options* options,
                                                   tokwise_cache_mode mode) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    if (!ToCacheMode(mode, &options->options.cache.mode)) {
      return InvalidArgument(absl::StrCat("unknown cache mode ", mode));
    }
    options->cache_given = true;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_eval_options_set_batch(tokwise_eval_options* options, int batch) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    options->options.batch = batch != 0;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_eval_options_set_max_output_tokens(tokwise_eval_options* options,
                                                          uint32_t max_output_tokens) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    if (max_output_tokens == 0) {
      options->options.max_output_tokens.reset();
    } else {
      options->options.max_output_tokens = max_output_tokens;
    }
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_eval_options_set_window(tokwise_eval_options* options,
                                               uint64_t window_tokens) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    options->options.context.window_tokens = window_tokens;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_eval_options_set_summarize(tokwise_eval_options* options,
                                                  uint64_t above_tokens, uint32_t summary_tokens) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    options->options.context.summarize_above_tokens = above_tokens;
    options->options.context.summary_tokens = summary_tokens;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_eval_options_set_token_ratio_ppm(tokwise_eval_options* options,
                                                        uint32_t ratio_ppm) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    if (ratio_ppm == 0) return InvalidArgument("the token ratio must be > 0");
    options->options.token_ratio_ppm = ratio_ppm;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_scenario_evaluate(const tokwise_scenario* scenario,
                                         const tokwise_model* model,
                                         const tokwise_eval_options* options,
                                         tokwise_scenario_result** out) {
  return Guard([&] {
    if (scenario == nullptr || out == nullptr) return InvalidArgument("scenario or out is NULL");
    const tokwise::ModelInfo* info = model == nullptr ? nullptr : model->info;
    if (info == nullptr) {
      if (scenario->spec.model.empty()) {
        return InvalidArgument(absl::StrCat("scenario \"", scenario->spec.scenario.name(),
                                            "\" names no model: pass one"));
      }
      auto found = tokwise::Catalog::Default().Find(scenario->spec.model);
      if (!found.ok()) return FromStatus(found.status());
      info = *found;
    }
    tokwise::EvalOptions eval = options == nullptr ? tokwise::EvalOptions() : options->options;
    const bool cache_given = options != nullptr && options->cache_given;
    if (!cache_given && scenario->spec.cache.has_value()) eval.cache.mode = *scenario->spec.cache;

    auto result = tokwise::Evaluate(scenario->spec.scenario, *info, eval);
    if (!result.ok()) return FromStatus(result.status());
    auto handle = std::make_unique<tokwise_scenario_result>();
    handle->result = *std::move(result);
    handle->cache_mode = std::string(tokwise::CacheModeName(handle->result.cache_mode));
    *out = handle.release();
    return TOKWISE_STATUS_OK;
  });
}

void tokwise_scenario_result_free(tokwise_scenario_result* result) { delete result; }

uint64_t tokwise_scenario_result_total_tokens(const tokwise_scenario_result* result) {
  return result == nullptr ? 0 : result->result.total_tokens();
}

uint64_t tokwise_scenario_result_input_tokens(const tokwise_scenario_result* result) {
  return result == nullptr ? 0 : result->result.tokens.input();
}

uint64_t tokwise_scenario_result_output_tokens(const tokwise_scenario_result* result) {
  return result == nullptr ? 0 : result->result.tokens.output;
}

int64_t tokwise_scenario_result_cost(const tokwise_scenario_result* result) {
  return result == nullptr ? 0 : result->result.total_cost();
}

uint32_t tokwise_scenario_result_calls(const tokwise_scenario_result* result) {
  return result == nullptr ? 0 : result->result.calls;
}

uint64_t tokwise_scenario_result_direct_answer_tokens(const tokwise_scenario_result* result) {
  return result == nullptr ? 0 : result->result.direct_answer_tokens;
}

double tokwise_scenario_result_multiplier(const tokwise_scenario_result* result) {
  return result == nullptr ? 0 : result->result.Multiplier();
}

const char* tokwise_scenario_result_model(const tokwise_scenario_result* result) {
  return result == nullptr ? "" : result->result.model.c_str();
}

const char* tokwise_scenario_result_cache_mode(const tokwise_scenario_result* result) {
  return result == nullptr ? "" : result->cache_mode.c_str();
}

size_t tokwise_scenario_result_step_count(const tokwise_scenario_result* result) {
  return result == nullptr ? 0 : result->result.steps.size();
}

int64_t tokwise_scenario_result_step(const tokwise_scenario_result* result, size_t index,
                                     tokwise_step_field field) {
  if (result == nullptr || index >= result->result.steps.size()) return -1;
  const tokwise::StepResult& s = result->result.steps[index];
  // Token sums fit int64 easily: the evaluator rejects costs past int64 pico-dollars first.
  switch (field) {
    case TOKWISE_STEP_SEQUENCE:
      return s.sequence;
    case TOKWISE_STEP_CALL:
      return s.call;
    case TOKWISE_STEP_SUMMARIZATION:
      return s.summarization ? 1 : 0;
    case TOKWISE_STEP_TIME_MS:
      return s.time_ms;
    case TOKWISE_STEP_RESENT:
      return static_cast<int64_t>(s.resent);
    case TOKWISE_STEP_NEW_INPUT:
      return static_cast<int64_t>(s.new_input);
    case TOKWISE_STEP_INPUT:
      return static_cast<int64_t>(s.input);
    case TOKWISE_STEP_OUTPUT:
      return static_cast<int64_t>(s.output);
    case TOKWISE_STEP_UNCACHED:
      return static_cast<int64_t>(s.tokens.uncached);
    case TOKWISE_STEP_CACHE_READ:
      return static_cast<int64_t>(s.tokens.cache_read);
    case TOKWISE_STEP_CACHE_WRITE_5M:
      return static_cast<int64_t>(s.tokens.cache_write_5m);
    case TOKWISE_STEP_CACHE_WRITE_1H:
      return static_cast<int64_t>(s.tokens.cache_write_1h);
    case TOKWISE_STEP_COST:
      return s.cost.total();
    case TOKWISE_STEP_CUMULATIVE_TOKENS:
      return static_cast<int64_t>(s.cumulative_tokens);
    case TOKWISE_STEP_CUMULATIVE_COST:
      return s.cumulative_cost;
    case TOKWISE_STEP_OVER_CONTEXT_WINDOW:
      return s.over_context_window ? 1 : 0;
    case TOKWISE_STEP_OVER_MAX_OUTPUT:
      return s.over_max_output ? 1 : 0;
  }
  return -1;
}

tokwise_status tokwise_scenario_result_to_json(const tokwise_scenario_result* result, char* buffer,
                                               size_t capacity, size_t* length) {
  return Guard([&] {
    if (result == nullptr || length == nullptr) return InvalidArgument("result or length is NULL");
    if (buffer == nullptr && capacity != 0) return InvalidArgument("buffer is NULL");
    return CopyString(tokwise::ResultToJson(result->result), buffer, capacity, length);
  });
}

}  // extern "C"
