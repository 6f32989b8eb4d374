// tokwise._core, budgets: a shim over tokwise/budget.h. The ledger is thread-safe, so every
// call into it runs without the GIL (its locks and fsync must not stall other Python threads);
// the on-commit callback takes the GIL back to call Python.
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
#include "tokwise/budget.h"
#include "tokwise/catalog.h"
#include "tokwise/chat.h"

namespace tokwise_python {
namespace {

// A Python callable held by C++ code that may drop it without the GIL.
struct PyCallable {
  explicit PyCallable(py::object f) : fn(std::move(f)) {}
  ~PyCallable() {
    py::gil_scoped_acquire gil;
    fn = py::object();
  }
  py::object fn;
};

struct CoreLedger {
  // Declared before `ledger`, so they outlive it: the ledger reads the clock until it closes.
  std::unique_ptr<tokwise::ManualClock> clock;
  std::shared_ptr<const tokwise::Catalog> catalog;
  std::unique_ptr<tokwise::BudgetLedger> ledger;
};

// The open ledger, or FailedPreconditionError after close(). Call with the GIL held.
tokwise::BudgetLedger& Live(const CoreLedger& l) {
  if (l.ledger == nullptr) Raise(absl::FailedPreconditionError("the ledger is closed"));
  return *l.ledger;
}

// The arguments of a pre-flight that are not the input count.
struct RequestArgs {
  std::optional<int64_t> max_output_tokens;
  std::vector<std::string> scopes;
  int64_t cache_read = 0, cache_write_5m = 0, cache_write_1h = 0;
  int64_t step = -1;
  std::string conversation_id;
  tokwise::PreflightOptions options;
};

// (seq, admitted_at_us, committed_at_us, scopes, model, provider, usage dict, cost_pico,
//  cost_known, step, conversation_id, late)
py::tuple RecordTuple(const tokwise::UsageRecord& r) {
  py::dict usage;
  usage["uncached_input"] = r.usage.input_uncached;
  usage["cache_read"] = r.usage.cache_read;
  usage["cache_write_5m"] = r.usage.cache_write_5m;
  usage["cache_write_1h"] = r.usage.cache_write_1h;
  usage["output"] = r.usage.output;
  usage["reasoning"] = r.usage.reasoning;
  return py::make_tuple(r.seq, r.admitted_at, r.committed_at, r.scopes, r.model, r.provider, usage,
                        r.cost, r.cost_known, r.step, r.conversation_id, r.late);
}

// (code, message, reservation, expires_at_us, input_tokens, reserved_output_tokens,
//  projected_cost_pico, cost_known, max_output_that_fits, retry_at_us, limits, json,
//  input_label)
py::tuple DecisionTuple(const tokwise::Decision& d, std::string_view input_label) {
  py::list limits;
  for (const tokwise::LimitStatus& l : d.limits) {
    limits.append(py::make_tuple(l.scope, tokwise::MetricName(l.limit.metric),
                                 tokwise::WindowName(l.limit.window), l.limit.max, l.period.start,
                                 l.period.end, l.used, l.reserved, l.remaining, l.request,
                                 l.blocking));
  }
  return py::make_tuple(tokwise::DecisionCodeName(d.code), d.message, d.reservation, d.expires_at,
                        d.input_tokens, d.reserved_output_tokens, d.projected_cost, d.cost_known,
                        d.max_output_that_fits, d.retry_at, limits, tokwise::DecisionToJson(d),
                        std::string(input_label));
}

tokwise::PreflightRequest MakeRequest(const tokwise::ModelInfo* model, int64_t input_tokens,
                                      const RequestArgs& a) {
  tokwise::PreflightRequest req;
  req.model = model;
  req.input_tokens = input_tokens;
  req.max_output_tokens = a.max_output_tokens;
  req.expected_cache_read = a.cache_read;
  req.expected_cache_write_5m = a.cache_write_5m;
  req.expected_cache_write_1h = a.cache_write_1h;
  req.scopes = a.scopes;
  req.step = a.step;
  req.conversation_id = a.conversation_id;
  return req;
}

RequestArgs MakeArgs(std::optional<int64_t> max_output_tokens, std::vector<std::string> scopes,
                     int64_t cache_read, int64_t cache_write_5m, int64_t cache_write_1h,
                     std::optional<int64_t> step, std::optional<std::string> conversation_id,
                     bool dry_run, bool shrink, int64_t min_output_tokens,
                     std::optional<int64_t> ttl_us) {
  RequestArgs a;
  a.max_output_tokens = max_output_tokens;
  a.scopes = std::move(scopes);
  a.cache_read = cache_read;
  a.cache_write_5m = cache_write_5m;
  a.cache_write_1h = cache_write_1h;
  a.step = step.value_or(-1);
  a.conversation_id = conversation_id.value_or("");
  a.options.dry_run = dry_run;
  a.options.shrink_output_to_fit = shrink;
  a.options.min_output_tokens = min_output_tokens;
  a.options.ttl = ttl_us.value_or(0);
  return a;
}

bool MetricFromName(const std::string& name, tokwise::Metric* out) {
  for (int i = 0; i <= static_cast<int>(tokwise::Metric::kCostPicoUsd); ++i) {
    if (name == tokwise::MetricName(static_cast<tokwise::Metric>(i))) {
      *out = static_cast<tokwise::Metric>(i);
      return true;
    }
  }
  return false;
}

bool WindowFromName(const std::string& name, tokwise::Window* out) {
  for (int i = 0; i < tokwise::kNumWindows; ++i) {
    if (name == tokwise::WindowName(static_cast<tokwise::Window>(i))) {
      *out = static_cast<tokwise::Window>(i);
      return true;
    }
  }
  return false;
}

tokwise::FsyncPolicy FsyncFromName(const std::string& name) {
  if (name == "every_commit") return tokwise::FsyncPolicy::kEveryCommit;
  if (name == "every_n") return tokwise::FsyncPolicy::kEveryN;
  if (name == "never") return tokwise::FsyncPolicy::kNever;
  throw py::value_error("fsync must be 'every_commit', 'every_n' or 'never', not '" + name + "'");
}

std::unique_ptr<CoreLedger> OpenLedger(py::object budgets, const std::string& dir,
                                       const CoreCatalog* catalog, std::optional<int64_t> now_us,
                                       py::object on_commit, std::optional<int64_t> ttl_us,
                                       const std::string& fsync, uint32_t fsync_every_n,
                                       const CoreModel* fallback_model) {
  tokwise::BudgetSpec spec;
  if (!budgets.is_none()) {
    TextArg text(budgets);
    spec = Check(tokwise::BudgetSpec::FromJson(text.view()));
  }
  auto handle = std::make_unique<CoreLedger>();
  handle->catalog = catalog != nullptr ? catalog->catalog : DefaultCatalog();

  tokwise::LedgerOptions o;
  o.dir = dir;
  o.fsync = FsyncFromName(fsync);
  if (fsync_every_n == 0) throw py::value_error("fsync_every_n must be > 0");
  o.fsync_every_n = fsync_every_n;
  if (ttl_us.has_value()) {
    if (*ttl_us <= 0) throw py::value_error("reservation_ttl must be > 0");
    o.reservation_ttl = *ttl_us;
  }
  if (now_us.has_value()) {
    handle->clock = std::make_unique<tokwise::ManualClock>(*now_us);
    o.clock = handle->clock.get();
  }
  if (fallback_model != nullptr) {
    const tokwise::Prices& p = fallback_model->info->prices;
    if (p.input < 0 || p.output < 0) {
      throw py::value_error("fallback model " + fallback_model->info->id +
                            " has no input or output price");
    }
    o.unpriced = tokwise::UnpricedPolicy::kUseFallbackPrices;
    o.fallback_prices = p;
  }
  if (!on_commit.is_none()) {
    auto callback = std::make_shared<PyCallable>(std::move(on_commit));
    o.on_commit = [callback](const tokwise::UsageRecord& record) {
      py::gil_scoped_acquire gil;
      // The commit has happened: an exception from the callback cannot undo it and must not
      // cross the ledger, so it goes to sys.unraisablehook, as Python does for callbacks.
      try {
        callback->fn(RecordTuple(record));
      } catch (py::error_already_set& e) {
        e.discard_as_unraisable("tokwise BudgetLedger on_commit callback");
      } catch (...) {
      }
    };
  }
  std::shared_ptr<const tokwise::Catalog> c = handle->catalog;
  o.model_resolver = [c](std::string_view model) { return c->Find(model); };

  // Opening replays the journal: a file read, done without the GIL.
  absl::StatusOr<std::unique_ptr<tokwise::BudgetLedger>> ledger;
  {
    py::gil_scoped_release release;
    ledger = tokwise::BudgetLedger::Open(std::move(spec), std::move(o));
  }
  handle->ledger = Check(std::move(ledger));
  return handle;
}

py::tuple Preflight(CoreLedger& l, const std::string& model, int64_t input_tokens,
                    const RequestArgs& a) {
  tokwise::BudgetLedger& ledger = Live(l);
  const tokwise::ModelInfo* info = Check(l.catalog->Find(model));
  absl::StatusOr<tokwise::Decision> d;
  {
    py::gil_scoped_release release;
    d = ledger.Preflight(MakeRequest(info, input_tokens, a), a.options);
  }
  return DecisionTuple(Check(std::move(d)), "exact");
}

// Counts a chat body with the model the call will be priced for (`model`, else the body's),
// then pre-flights it with the body's max output unless `a` sets one.
py::tuple PreflightChat(CoreLedger& l, py::handle body, const std::string& model,
                        const std::string& format, double anthropic_text_factor,
                        const RequestArgs& a) {
  tokwise::BudgetLedger& ledger = Live(l);
  TextArg text(body);
  tokwise::ChatFormat f = tokwise::ChatFormat::kAuto;
  bool known = false;
  for (tokwise::ChatFormat c :
       {tokwise::ChatFormat::kAuto, tokwise::ChatFormat::kOpenAIChat,
        tokwise::ChatFormat::kOpenAIResponses, tokwise::ChatFormat::kAnthropicMessages}) {
    if (tokwise::ChatFormatName(c) == format) f = c, known = true;
  }
  if (!known) throw py::value_error("unknown chat format '" + format + "'");

  struct Out {
    tokwise::Decision decision;
    tokwise::CountLabel label;
  };
  absl::StatusOr<Out> out;
  {
    py::gil_scoped_release release;
    out = [&]() -> absl::StatusOr<Out> {
      absl::StatusOr<tokwise::ChatRequest> req = tokwise::ParseChatRequest(text.view(), f);
      if (!req.ok()) return req.status();
      tokwise::ChatCountOptions co;
      co.model = model;
      co.anthropic_text_factor = anthropic_text_factor;
      absl::StatusOr<tokwise::ChatCount> count = tokwise::CountChatTokens(*req, co);
      if (!count.ok()) return count.status();
      absl::StatusOr<const tokwise::ModelInfo*> info = l.catalog->Find(count->model);
      if (!info.ok()) return info.status();
      RequestArgs args = a;
      if (!args.max_output_tokens.has_value() && req->max_output_tokens.has_value()) {
        args.max_output_tokens = static_cast<int64_t>(*req->max_output_tokens);
      }
      absl::StatusOr<tokwise::Decision> d = ledger.Preflight(
          MakeRequest(*info, static_cast<int64_t>(count->total), args), args.options);
      if (!d.ok()) return d.status();
      return Out{*std::move(d), count->label};
    }();
  }
  Out o = Check(std::move(out));
  return DecisionTuple(o.decision, tokwise::CountLabelName(o.label));
}

}  // namespace

void RegisterBudget(py::module_& m) {
  py::class_<CoreLedger>(m, "Ledger")
      .def(py::init(&OpenLedger))
      .def("preflight",
           [](CoreLedger& l, const std::string& model, int64_t input_tokens,
              std::optional<int64_t> max_output_tokens, std::vector<std::string> scopes,
              int64_t cache_read, int64_t cache_write_5m, int64_t cache_write_1h,
              std::optional<int64_t> step, std::optional<std::string> conversation_id, bool dry_run,
              bool shrink, int64_t min_output_tokens, std::optional<int64_t> ttl_us) {
             return Preflight(
                 l, model, input_tokens,
                 MakeArgs(max_output_tokens, std::move(scopes), cache_read, cache_write_5m,
                          cache_write_1h, step, std::move(conversation_id), dry_run, shrink,
                          min_output_tokens, ttl_us));
           })
      .def("preflight_chat",
           [](CoreLedger& l, py::handle body, const std::string& model, const std::string& format,
              double anthropic_text_factor, std::optional<int64_t> max_output_tokens,
              std::vector<std::string> scopes, int64_t cache_read, int64_t cache_write_5m,
              int64_t cache_write_1h, std::optional<int64_t> step,
              std::optional<std::string> conversation_id, bool dry_run, bool shrink,
              int64_t min_output_tokens, std::optional<int64_t> ttl_us) {
             return PreflightChat(
                 l, body, model, format, anthropic_text_factor,
                 MakeArgs(max_output_tokens, std::move(scopes), cache_read, cache_write_5m,
                          cache_write_1h, step, std::move(conversation_id), dry_run, shrink,
                          min_output_tokens, ttl_us));
           })
      .def("commit",
           [](CoreLedger& l, uint64_t reservation, int64_t uncached_input, int64_t cache_read,
              int64_t cache_write_5m, int64_t cache_write_1h, int64_t output, int64_t reasoning,
              std::optional<int64_t> cost) {
             tokwise::Usage u;
             u.input_uncached = uncached_input;
             u.cache_read = cache_read;
             u.cache_write_5m = cache_write_5m;
             u.cache_write_1h = cache_write_1h;
             u.output = output;
             u.reasoning = reasoning;
             tokwise::BudgetLedger& ledger = Live(l);
             absl::StatusOr<tokwise::UsageRecord> r;
             {
               py::gil_scoped_release release;
               r = ledger.Commit(reservation, u, cost);
             }
             return RecordTuple(Check(std::move(r)));
           })
      .def("release",
           [](CoreLedger& l, uint64_t reservation) {
             tokwise::BudgetLedger& ledger = Live(l);
             absl::Status s;
             {
               py::gil_scoped_release release;
               s = ledger.Release(reservation);
             }
             Check(s);
           })
      .def("scope_usage",
           [](const CoreLedger& l, const std::string& scope, const std::string& window,
              const std::string& metric) {
             tokwise::Window w;
             tokwise::Metric mt;
             if (!WindowFromName(window, &w)) {
               throw py::value_error(
                   "window must be 'minute', 'hour', 'day', 'month' or "
                   "'total', not '" +
                   window + "'");
             }
             if (!MetricFromName(metric, &mt)) {
               throw py::value_error(
                   "metric must be 'requests', 'input_tokens', "
                   "'output_tokens', 'tokens' or 'usd', not '" +
                   metric + "'");
             }
             Check(tokwise::ValidateScopeKey(scope));
             const tokwise::ScopeUsage u = Live(l).GetScopeUsage(scope);
             const tokwise::ScopeUsage::PerWindow& p = u.windows[static_cast<int>(w)];
             switch (mt) {
               case tokwise::Metric::kRequests:
                 return py::make_tuple(p.requests, p.reserved_requests);
               case tokwise::Metric::kInputTokens:
                 return py::make_tuple(p.input_tokens, p.reserved_input_tokens);
               case tokwise::Metric::kOutputTokens:
                 return py::make_tuple(p.output_tokens, p.reserved_output_tokens);
               case tokwise::Metric::kTokens:
                 return py::make_tuple(p.input_tokens + p.output_tokens,
                                       p.reserved_input_tokens + p.reserved_output_tokens);
               case tokwise::Metric::kCostPicoUsd:
                 break;
             }
             return py::make_tuple(p.cost, p.reserved_cost);
           })
      .def("set_time",
           [](CoreLedger& l, int64_t unix_us) {
             if (l.clock == nullptr) {
               Raise(absl::FailedPreconditionError(
                   "the ledger reads the system clock; open it with now=... to set its time"));
             }
             l.clock->Set(unix_us);
           })
      .def_property_readonly("recovery_problem",
                             [](const CoreLedger& l) { return Live(l).recovery().problem; })
      .def("close", [](CoreLedger& l) {
        // Closing flushes the journal and releases the folder's lock.
        std::unique_ptr<tokwise::BudgetLedger> ledger = std::move(l.ledger);
        py::gil_scoped_release release;
        ledger.reset();
      });

  m.def("read_usage_records", [](const std::string& dir) {
    std::vector<tokwise::UsageRecord> records;
    absl::StatusOr<tokwise::JournalScan> scan;
    {
      py::gil_scoped_release release;
      scan = tokwise::ReadUsageRecords(dir, [&](const tokwise::UsageRecord& r) {
        records.push_back(r);
        return true;
      });
    }
    tokwise::JournalScan s = Check(std::move(scan));
    py::list out;
    for (const tokwise::UsageRecord& r : records) out.append(RecordTuple(r));
    return py::make_tuple(out, s.bad_tails);
  });
}

}  // namespace tokwise_python
