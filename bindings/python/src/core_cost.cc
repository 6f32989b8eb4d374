// tokwise._core, catalog, usage, prices and scenarios: shims over tokwise/catalog.h, usage.h,
// pricing.h, cost_model.h, scenario.h and cost_report.h. Money crosses as integer pico-dollars
// (and prices as integer micro-dollars per million tokens), so nothing is rounded here.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core_util.h"
#include "tokwise/catalog.h"
#include "tokwise/cost_model.h"
#include "tokwise/cost_report.h"
#include "tokwise/pricing.h"
#include "tokwise/scenario.h"
#include "tokwise/usage.h"

namespace tokwise_python {
namespace {

struct CoreScenario {
  tokwise::ScenarioSpec spec;
};

struct CoreResult {
  tokwise::ScenarioResult result;
};

py::object Price(tokwise::PricePerMTok p) {
  return p == tokwise::kNotOffered ? py::object(py::none()) : py::object(py::int_(p));
}

py::dict PricesDict(const tokwise::Prices& p) {
  py::dict d;
  d["input"] = Price(p.input);
  d["output"] = Price(p.output);
  d["cache_read"] = Price(p.cache_read);
  d["cache_write_5m"] = Price(p.cache_write_5m);
  d["cache_write_1h"] = Price(p.cache_write_1h);
  d["batch_input"] = Price(p.batch_input);
  d["batch_output"] = Price(p.batch_output);
  return d;
}

tokwise::UsageFormat UsageFormatFromName(const std::string& name) {
  for (tokwise::UsageFormat f : {tokwise::UsageFormat::kAuto, tokwise::UsageFormat::kOpenAiChat,
                                 tokwise::UsageFormat::kOpenAiResponses,
                                 tokwise::UsageFormat::kAnthropic, tokwise::UsageFormat::kGemini}) {
    if (tokwise::UsageFormatName(f) == name) return f;
  }
  throw py::value_error(
      "format must be 'auto', 'openai-chat', 'openai-responses', 'anthropic' or 'gemini', not '" +
      name + "'");
}

// The usage's buckets as a dict keyed like tokwise.Usage's fields.
py::dict UsageDict(const tokwise::NormalizedUsage& u) {
  py::dict d;
  d["uncached_input"] = u.uncached_input;
  d["cache_read"] = u.cache_read;
  d["cache_write_5m"] = u.cache_write_5m;
  d["cache_write_1h"] = u.cache_write_1h;
  d["output"] = u.output;
  d["reasoning"] = u.reasoning;
  d["audio_input"] = u.audio_input;
  d["audio_output"] = u.audio_output;
  d["format"] = std::string(tokwise::UsageFormatName(u.format));
  return d;
}

tokwise::NormalizedUsage UsageFromBuckets(uint64_t uncached_input, uint64_t cache_read,
                                          uint64_t cache_write_5m, uint64_t cache_write_1h,
                                          uint64_t output, uint64_t reasoning, uint64_t audio_input,
                                          uint64_t audio_output) {
  tokwise::NormalizedUsage u;
  u.uncached_input = uncached_input;
  u.cache_read = cache_read;
  u.cache_write_5m = cache_write_5m;
  u.cache_write_1h = cache_write_1h;
  u.output = output;
  u.reasoning = reasoning;
  u.audio_input = audio_input;
  u.audio_output = audio_output;
  if (reasoning > output) {
    Raise(absl::InvalidArgumentError("reasoning tokens (" + std::to_string(reasoning) +
                                     ") exceed output tokens (" + std::to_string(output) +
                                     "); reasoning is part of output"));
  }
  return u;
}

py::tuple CostTuple(const tokwise::CostBreakdown& c) {
  py::dict by_bucket;
  by_bucket["uncached_input"] = c.uncached_input;
  by_bucket["cache_read"] = c.cache_read;
  by_bucket["cache_write_5m"] = c.cache_write_5m;
  by_bucket["cache_write_1h"] = c.cache_write_1h;
  by_bucket["output"] = c.output;
  return py::make_tuple(c.total, by_bucket, c.tier_threshold, c.batch);
}

py::tuple StepTuple(const tokwise::StepResult& s) {
  return py::make_tuple(s.sequence, s.call, s.summarization, s.time_ms, s.resent, s.new_input,
                        s.input, s.output, s.tokens.uncached, s.tokens.cache_read,
                        s.tokens.cache_write_5m, s.tokens.cache_write_1h, s.cost.total(),
                        s.cumulative_tokens, s.cumulative_cost, s.over_context_window,
                        s.over_max_output);
}

}  // namespace

void RegisterCost(py::module_& m) {
  // ---- Catalog and models ----
  py::class_<CoreModel>(m, "Model")
      .def_property_readonly("id", [](const CoreModel& s) { return s.info->id; })
      .def_property_readonly("provider", [](const CoreModel& s) { return s.info->provider; })
      .def_property_readonly("tokenizer", [](const CoreModel& s) { return s.info->tokenizer; })
      .def_property_readonly("context_window",
                             [](const CoreModel& s) { return s.info->context_window; })
      .def_property_readonly("max_output", [](const CoreModel& s) { return s.info->max_output; })
      .def_property_readonly("max_input", [](const CoreModel& s) { return s.info->max_input; })
      .def_property_readonly("prices",
                             [](const CoreModel& s) { return PricesDict(s.info->prices); })
      .def_property_readonly(
          "long_context_tiers",
          [](const CoreModel& s) {
            py::list tiers;
            for (const tokwise::LongContextTier& t : s.info->long_context_tiers) {
              tiers.append(py::make_tuple(t.threshold_tokens, PricesDict(t.prices)));
            }
            return tiers;
          })
      .def_property_readonly("min_cacheable_prefix",
                             [](const CoreModel& s) { return s.info->min_cacheable_prefix; })
      .def_property_readonly("prices_effective",
                             [](const CoreModel& s) { return s.info->prices_effective; })
      .def_property_readonly("source", [](const CoreModel& s) { return s.info->source; })
      .def_property_readonly("aliases", [](const CoreModel& s) { return s.info->aliases; })
      .def_property_readonly("notes", [](const CoreModel& s) { return s.info->notes; })
      .def("check_window", [](const CoreModel& s, uint64_t input, uint64_t output) {
        tokwise::WindowCheck w = Check(tokwise::CheckContextWindow(*s.info, input, output));
        return py::make_tuple(w.fits, w.input_fits, w.output_within_max, w.largest_max_output,
                              w.context_window);
      });

  py::class_<CoreCatalog>(m, "Catalog")
      .def_property_readonly("size", [](const CoreCatalog& c) { return c.catalog->size(); })
      .def("find",
           [](const CoreCatalog& c, const std::string& name) {
             return CoreModel{c.catalog, Check(c.catalog->Find(name))};
           })
      .def("models", [](const CoreCatalog& c) {
        std::vector<CoreModel> out;
        for (const tokwise::ModelInfo* info : c.catalog->All()) out.push_back({c.catalog, info});
        return out;
      });

  m.def("default_catalog", [] { return CoreCatalog{DefaultCatalog()}; });
  // `litellm` picks the form; `over_default` lays the result over the embedded catalog.
  m.def("catalog_from_json", [](py::handle json, bool litellm, bool over_default) {
    TextArg text(json);
    tokwise::Catalog parsed = Check(MaybeWithoutGil(text.view().size(), [&] {
      return litellm ? tokwise::Catalog::FromLiteLlmJson(text.view())
                     : tokwise::Catalog::FromJson(text.view());
    }));
    if (over_default) {
      tokwise::Catalog merged = tokwise::Catalog::Default();
      Check(merged.Merge(parsed));
      parsed = std::move(merged);
    }
    return CoreCatalog{std::make_shared<const tokwise::Catalog>(std::move(parsed))};
  });

  // ---- Usage and prices ----
  m.def("normalize_usage", [](py::handle json, const std::string& format) {
    TextArg text(json);
    return UsageDict(Check(tokwise::NormalizeUsage(text.view(), UsageFormatFromName(format))));
  });
  m.def("price_usage",
        [](const CoreModel& model, uint64_t uncached_input, uint64_t cache_read,
           uint64_t cache_write_5m, uint64_t cache_write_1h, uint64_t output, uint64_t reasoning,
           uint64_t audio_input, uint64_t audio_output, bool batch) {
          tokwise::PriceOptions o;
          o.batch = batch;
          return CostTuple(Check(tokwise::PriceUsage(
              *model.info,
              UsageFromBuckets(uncached_input, cache_read, cache_write_5m, cache_write_1h, output,
                               reasoning, audio_input, audio_output),
              o)));
        });
  m.def("price_before_call", [](const CoreModel& model, uint64_t input_tokens, uint64_t max_output,
                                bool batch) {
    tokwise::PriceOptions o;
    o.batch = batch;
    return CostTuple(Check(tokwise::PriceBeforeCall(*model.info, input_tokens, max_output, o)));
  });
  m.def("format_usd", [](int64_t pico, int min_decimals) {
    if (min_decimals < 0 || min_decimals > 12) {
      throw py::value_error("min_decimals must be 0 to 12");
    }
    return tokwise::FormatUsd(pico, min_decimals);
  });

  // ---- Scenarios ----
  py::class_<CoreScenario>(m, "Scenario")
      .def_property_readonly("name", [](const CoreScenario& s) { return s.spec.scenario.name(); })
      .def_property_readonly("description",
                             [](const CoreScenario& s) { return s.spec.scenario.description(); })
      .def_property_readonly("model", [](const CoreScenario& s) { return s.spec.model; })
      .def_property_readonly("cache", [](const CoreScenario& s) -> py::object {
        if (!s.spec.cache.has_value()) return py::none();
        return py::str(std::string(tokwise::CacheModeName(*s.spec.cache)));
      });

  py::class_<CoreResult>(m, "ScenarioResult")
      .def_property_readonly("scenario", [](const CoreResult& r) { return r.result.scenario; })
      .def_property_readonly("model", [](const CoreResult& r) { return r.result.model; })
      .def_property_readonly("cache_mode",
                             [](const CoreResult& r) {
                               return std::string(tokwise::CacheModeName(r.result.cache_mode));
                             })
      .def_property_readonly("batch", [](const CoreResult& r) { return r.result.batch; })
      .def_property_readonly("total_tokens",
                             [](const CoreResult& r) { return r.result.total_tokens(); })
      .def_property_readonly("input_tokens",
                             [](const CoreResult& r) { return r.result.tokens.input(); })
      .def_property_readonly("output_tokens",
                             [](const CoreResult& r) { return r.result.tokens.output; })
      .def_property_readonly("cost", [](const CoreResult& r) { return r.result.total_cost(); })
      .def_property_readonly("calls", [](const CoreResult& r) { return r.result.calls; })
      .def_property_readonly("direct_answer_tokens",
                             [](const CoreResult& r) { return r.result.direct_answer_tokens; })
      .def_property_readonly("multiplier",
                             [](const CoreResult& r) { return r.result.Multiplier(); })
      .def("steps",
           [](const CoreResult& r) {
             py::list steps;
             for (const tokwise::StepResult& s : r.result.steps) steps.append(StepTuple(s));
             return steps;
           })
      .def("to_json", [](const CoreResult& r) { return tokwise::ResultToJson(r.result); })
      .def("table", [](const CoreResult& r) { return tokwise::FormatStepTable(r.result); });

  m.def("presets", [] {
    std::vector<std::pair<std::string, std::string>> out;
    for (const tokwise::PresetInfo& p : tokwise::Presets()) {
      out.emplace_back(std::string(p.name), std::string(p.summary));
    }
    return out;
  });
  m.def("scenario_preset", [](const std::string& name) {
    CoreScenario s;
    s.spec.scenario = Check(tokwise::BuildPreset(name));
    return s;
  });
  m.def("scenario_from_json", [](py::handle json) {
    TextArg text(json);
    return CoreScenario{Check(tokwise::ScenarioFromJson(text.view()))};
  });
  m.def(
      "evaluate", [](const CoreScenario& scenario, const CoreModel* model,
                     const std::optional<std::string>& cache, bool batch,
                     std::optional<uint32_t> max_output_tokens,
                     std::optional<uint64_t> window_tokens, std::optional<uint64_t> summarize_above,
                     uint32_t summary_tokens, uint32_t token_ratio_ppm) {
        const tokwise::ModelInfo* info = model == nullptr ? nullptr : model->info;
        if (info == nullptr) {
          if (scenario.spec.model.empty()) {
            throw py::value_error("scenario \"" + scenario.spec.scenario.name() +
                                  "\" names no model: pass model=...");
          }
          info = Check(tokwise::Catalog::Default().Find(scenario.spec.model));
        }
        tokwise::EvalOptions o;
        if (cache.has_value()) {
          std::optional<tokwise::CacheMode> mode = tokwise::CacheModeFromName(*cache);
          if (!mode.has_value()) {
            throw py::value_error("cache must be 'provider', 'off', 'auto', '5m' or '1h', not '" +
                                  *cache + "'");
          }
          o.cache.mode = *mode;
        } else if (scenario.spec.cache.has_value()) {
          o.cache.mode = *scenario.spec.cache;
        }
        o.batch = batch;
        o.max_output_tokens = max_output_tokens;
        if (window_tokens.has_value()) o.context.window_tokens = *window_tokens;
        if (summarize_above.has_value()) {
          o.context.summarize_above_tokens = *summarize_above;
          o.context.summary_tokens = summary_tokens;
        }
        if (token_ratio_ppm == 0) throw py::value_error("token_ratio must be > 0");
        o.token_ratio_ppm = token_ratio_ppm;
        // A long conversation with summaries can take a while: let other threads run.
        CoreResult out;
        absl::Status st;
        {
          py::gil_scoped_release release;
          st = tokwise::ScenarioEvaluator().Evaluate(scenario.spec.scenario, *info, o, &out.result);
        }
        Check(st);
        return out;
      });
}

}  // namespace tokwise_python
