// The C ABI's budget and usage-record sections (tokwise_ledger_*, tokwise_preflight_request_*,
// tokwise_decision_*, tokwise_usage_record*): conversions over tokwise/budget.h. Pre-flight of
// a chat body joins the chat layer's count to the ledger here, since the ledger takes counts.
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "capi/capi_internal.h"
#include "capi/capi_types.h"
#include "tokwise/budget.h"
#include "tokwise/catalog.h"
#include "tokwise/tokwise.h"

// tokwise_usage is defined in capi_cost.cc; the ledger only reads its buckets.
struct tokwise_usage;
extern "C" uint64_t tokwise_usage_get(const tokwise_usage* usage, tokwise_bucket bucket);

struct tokwise_ledger_options {
  tokwise::LedgerOptions options;  // Its clock and on_commit are set by tokwise_ledger_open().
  std::optional<tokwise::UnixMicros> manual_clock_start;
  std::shared_ptr<const tokwise::Catalog> catalog;  // nullptr: the default.
  tokwise_commit_callback on_commit = nullptr;
  void* on_commit_data = nullptr;
};

struct tokwise_ledger {
  // Declared before `ledger`, so they outlive it: the ledger reads the clock until it closes.
  std::unique_ptr<tokwise::ManualClock> clock;
  std::shared_ptr<const tokwise::Catalog> catalog;
  std::unique_ptr<tokwise::BudgetLedger> ledger;
};

struct tokwise_preflight_request {
  std::string model;
  int64_t input_tokens = 0;
  std::optional<int64_t> max_output_tokens;
  std::vector<std::string> scopes;
  int64_t cache_read = 0, cache_write_5m = 0, cache_write_1h = 0;
  int64_t step = -1;
  std::string conversation_id;
  tokwise::PreflightOptions options;
};

struct tokwise_decision {
  tokwise::Decision decision;
  tokwise_exactness input_exactness = TOKWISE_EXACTNESS_EXACT;
};

// A record the library owns (`owned`, returned by commit and copy) or one it lends to a
// callback for the duration of the call (`record` points at the ledger's).
struct tokwise_usage_record {
  tokwise_usage_record() : record(&owned) {}
  explicit tokwise_usage_record(const tokwise::UsageRecord* lent) : record(lent) {}
  explicit tokwise_usage_record(tokwise::UsageRecord r) : owned(std::move(r)), record(&owned) {}
  tokwise_usage_record(const tokwise_usage_record&) = delete;
  tokwise_usage_record& operator=(const tokwise_usage_record&) = delete;

  tokwise::UsageRecord owned;
  const tokwise::UsageRecord* record;
};

namespace {

using tokwise::capi::BadText;
using tokwise::capi::CopyString;
using tokwise::capi::Fail;
using tokwise::capi::FromStatus;
using tokwise::capi::Guard;
using tokwise::capi::InvalidArgument;
using tokwise::capi::OptionalString;
using tokwise::capi::Text;

// Builds the ledger's request from ours, for `model` and `input_tokens`.
tokwise::PreflightRequest ToPreflightRequest(const tokwise_preflight_request& r,
                                             const tokwise::ModelInfo* model, int64_t input_tokens,
                                             std::optional<int64_t> max_output_tokens) {
  tokwise::PreflightRequest req;
  req.model = model;
  req.input_tokens = input_tokens;
  req.max_output_tokens = max_output_tokens;
  req.expected_cache_read = r.cache_read;
  req.expected_cache_write_5m = r.cache_write_5m;
  req.expected_cache_write_1h = r.cache_write_1h;
  req.scopes = r.scopes;
  req.step = r.step;
  req.conversation_id = r.conversation_id;
  return req;
}

tokwise_status Decide(tokwise_ledger* ledger, const tokwise::PreflightRequest& req,
                      const tokwise::PreflightOptions& options, tokwise_exactness exactness,
                      tokwise_decision** out) {
  auto decision = ledger->ledger->Preflight(req, options);
  if (!decision.ok()) return FromStatus(decision.status());
  auto handle = std::make_unique<tokwise_decision>();
  handle->decision = *std::move(decision);
  handle->input_exactness = exactness;
  *out = handle.release();
  return TOKWISE_STATUS_OK;
}

// The ledger's usage (int64 buckets) from ours. The ledger bounds counts itself (2^40).
tokwise_status ToLedgerUsage(const tokwise_usage* usage, bool cost_given, tokwise::Usage* out) {
  uint64_t v[6];
  const tokwise_bucket buckets[6] = {TOKWISE_BUCKET_UNCACHED_INPUT, TOKWISE_BUCKET_CACHE_READ,
                                     TOKWISE_BUCKET_CACHE_WRITE_5M, TOKWISE_BUCKET_CACHE_WRITE_1H,
                                     TOKWISE_BUCKET_OUTPUT,         TOKWISE_BUCKET_REASONING};
  for (int i = 0; i < 6; ++i) {
    v[i] = tokwise_usage_get(usage, buckets[i]);
    if (v[i] > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return InvalidArgument(
          absl::StrCat("usage bucket ", buckets[i], " holds ", v[i], " tokens: out of range"));
    }
  }
  if (v[5] > v[4]) {
    return InvalidArgument(absl::StrCat("reasoning tokens (", v[5], ") exceed output tokens (",
                                        v[4], "); reasoning is part of output"));
  }
  // The ledger prices text buckets only: audio would be priced as text, wrongly.
  const uint64_t audio = tokwise_usage_get(usage, TOKWISE_BUCKET_AUDIO_INPUT) +
                         tokwise_usage_get(usage, TOKWISE_BUCKET_AUDIO_OUTPUT);
  if (audio != 0 && !cost_given) {
    return Fail(TOKWISE_STATUS_FAILED_PRECONDITION,
                absl::StrCat("the usage holds ", audio,
                             " audio tokens, which the catalog has no prices for: pass the "
                             "call's cost to tokwise_ledger_commit()"));
  }
  out->input_uncached = static_cast<int64_t>(v[0]);
  out->cache_read = static_cast<int64_t>(v[1]);
  out->cache_write_5m = static_cast<int64_t>(v[2]);
  out->cache_write_1h = static_cast<int64_t>(v[3]);
  out->output = static_cast<int64_t>(v[4]);
  out->reasoning = static_cast<int64_t>(v[5]);
  return TOKWISE_STATUS_OK;
}

bool ToWindow(tokwise_window in, tokwise::Window* out) {
  switch (in) {
    case TOKWISE_WINDOW_MINUTE:
      *out = tokwise::Window::kMinute;
      return true;
    case TOKWISE_WINDOW_HOUR:
      *out = tokwise::Window::kHour;
      return true;
    case TOKWISE_WINDOW_DAY:
      *out = tokwise::Window::kDay;
      return true;
    case TOKWISE_WINDOW_MONTH:
      *out = tokwise::Window::kMonth;
      return true;
    case TOKWISE_WINDOW_TOTAL:
      *out = tokwise::Window::kTotal;
      return true;
  }
  return false;
}

}  // namespace

extern "C" {

// ---- Ledger options -----------------------------------------------------------------------

const char* tokwise_decision_code_name(tokwise_decision_code code) {
  switch (code) {
    case TOKWISE_DECISION_ALLOWED:
    case TOKWISE_DECISION_CONTEXT_WINDOW:
    case TOKWISE_DECISION_MAX_OUTPUT:
    case TOKWISE_DECISION_BUDGET_EXCEEDED:
    case TOKWISE_DECISION_RATE_LIMITED:
    case TOKWISE_DECISION_UNPRICED:
      // The C values are the C++ ones (budget.h pins them); its names are static strings.
      return tokwise::DecisionCodeName(static_cast<tokwise::DecisionCode>(code));
  }
  return "unknown";
}

tokwise_status tokwise_ledger_options_create(tokwise_ledger_options** out) {
  return Guard([&] {
    if (out == nullptr) return InvalidArgument("out is NULL");
    *out = new tokwise_ledger_options();
    return TOKWISE_STATUS_OK;
  });
}

void tokwise_ledger_options_free(tokwise_ledger_options* options) { delete options; }

tokwise_status tokwise_ledger_options_set_dir(tokwise_ledger_options* options, const char* dir) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    options->options.dir = std::string(OptionalString(dir));
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_ledger_options_set_fsync(tokwise_ledger_options* options,
                                                tokwise_fsync policy, uint32_t every_n) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    switch (policy) {
      case TOKWISE_FSYNC_EVERY_COMMIT:
        options->options.fsync = tokwise::FsyncPolicy::kEveryCommit;
        return TOKWISE_STATUS_OK;
      case TOKWISE_FSYNC_EVERY_N:
        if (every_n == 0) return InvalidArgument("TOKWISE_FSYNC_EVERY_N needs every_n > 0");
        options->options.fsync = tokwise::FsyncPolicy::kEveryN;
        options->options.fsync_every_n = every_n;
        return TOKWISE_STATUS_OK;
      case TOKWISE_FSYNC_NEVER:
        options->options.fsync = tokwise::FsyncPolicy::kNever;
        return TOKWISE_STATUS_OK;
    }
    return InvalidArgument(absl::StrCat("unknown fsync policy ", policy));
  });
}

tokwise_status tokwise_ledger_options_set_reservation_ttl_us(tokwise_ledger_options* options,
                                                             int64_t ttl_us) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    if (ttl_us <= 0) return InvalidArgument("the reservation time to live must be > 0");
    options->options.reservation_ttl = ttl_us;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_ledger_options_set_catalog(tokwise_ledger_options* options,
                                                  const tokwise_catalog* catalog) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    options->catalog = catalog == nullptr ? nullptr : catalog->catalog;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_ledger_options_set_fallback_model(tokwise_ledger_options* options,
                                                         const tokwise_model* model) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    if (model == nullptr) {
      options->options.unpriced = tokwise::UnpricedPolicy::kDeny;
      options->options.fallback_prices = tokwise::Prices();
      return TOKWISE_STATUS_OK;
    }
    const tokwise::Prices& p = model->info->prices;
    if (p.input < 0 || p.output < 0) {
      return InvalidArgument(
          absl::StrCat("fallback model ", model->info->id, " has no input or output price"));
    }
    options->options.unpriced = tokwise::UnpricedPolicy::kUseFallbackPrices;
    options->options.fallback_prices = p;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_ledger_options_set_manual_clock(tokwise_ledger_options* options,
                                                       int64_t start_unix_us) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    options->manual_clock_start = start_unix_us;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_ledger_options_set_on_commit(tokwise_ledger_options* options,
                                                    tokwise_commit_callback callback,
                                                    void* user_data) {
  return Guard([&] {
    if (options == nullptr) return InvalidArgument("options is NULL");
    options->on_commit = callback;
    options->on_commit_data = user_data;
    return TOKWISE_STATUS_OK;
  });
}

// ---- Ledger -------------------------------------------------------------------------------

tokwise_status tokwise_ledger_open(const char* budgets, size_t budgets_len,
                                   const tokwise_ledger_options* options, tokwise_ledger** out) {
  return Guard([&] {
    if (out == nullptr) return InvalidArgument("out is NULL");
    if (BadText(budgets, budgets_len)) return InvalidArgument("budgets is NULL");
    tokwise::BudgetSpec spec;
    if (budgets_len != 0) {
      auto parsed = tokwise::BudgetSpec::FromJson(Text(budgets, budgets_len));
      if (!parsed.ok()) return FromStatus(parsed.status());
      spec = *std::move(parsed);
    }

    static const tokwise_ledger_options kDefaults;
    const tokwise_ledger_options& o = options == nullptr ? kDefaults : *options;
    auto handle = std::make_unique<tokwise_ledger>();
    handle->catalog = o.catalog != nullptr ? o.catalog : tokwise::capi::DefaultCatalog();
    tokwise::LedgerOptions lo = o.options;
    if (o.manual_clock_start.has_value()) {
      handle->clock = std::make_unique<tokwise::ManualClock>(*o.manual_clock_start);
      lo.clock = handle->clock.get();
    }
    if (o.on_commit != nullptr) {
      tokwise_commit_callback callback = o.on_commit;
      void* user_data = o.on_commit_data;
      lo.on_commit = [callback, user_data](const tokwise::UsageRecord& record) {
        tokwise_usage_record lent(&record);
        // The commit has happened; an exception from a C++ callback must not undo or cross it.
        try {
          callback(&lent, user_data);
        } catch (...) {
        }
      };
    }
    // Models are looked up in the ledger's catalog (for PreflightBody, unused by the C ABI
    // but kept consistent).
    std::shared_ptr<const tokwise::Catalog> catalog = handle->catalog;
    lo.model_resolver = [catalog](std::string_view model) { return catalog->Find(model); };

    auto ledger = tokwise::BudgetLedger::Open(std::move(spec), std::move(lo));
    if (!ledger.ok()) return FromStatus(ledger.status());
    handle->ledger = *std::move(ledger);
    *out = handle.release();
    return TOKWISE_STATUS_OK;
  });
}

void tokwise_ledger_free(tokwise_ledger* ledger) {
  // Closing flushes the journal; a failure there has nowhere to go but must not escape.
  try {
    delete ledger;
  } catch (...) {
  }
}

const char* tokwise_ledger_recovery_problem(const tokwise_ledger* ledger) {
  return ledger == nullptr ? "" : ledger->ledger->recovery().problem.c_str();
}

tokwise_status tokwise_ledger_set_time(tokwise_ledger* ledger, int64_t unix_us) {
  return Guard([&] {
    if (ledger == nullptr) return InvalidArgument("ledger is NULL");
    if (ledger->clock == nullptr) {
      return Fail(TOKWISE_STATUS_FAILED_PRECONDITION,
                  "the ledger reads the system clock; set a manual clock when opening it "
                  "(tokwise_ledger_options_set_manual_clock)");
    }
    ledger->clock->Set(unix_us);
    return TOKWISE_STATUS_OK;
  });
}

// ---- Pre-flight requests ------------------------------------------------------------------

tokwise_status tokwise_preflight_request_create(tokwise_preflight_request** out) {
  return Guard([&] {
    if (out == nullptr) return InvalidArgument("out is NULL");
    *out = new tokwise_preflight_request();
    return TOKWISE_STATUS_OK;
  });
}

void tokwise_preflight_request_free(tokwise_preflight_request* request) { delete request; }

tokwise_status tokwise_preflight_request_set_model(tokwise_preflight_request* request,
                                                   const char* model) {
  return Guard([&] {
    if (request == nullptr) return InvalidArgument("request is NULL");
    request->model = std::string(OptionalString(model));
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_preflight_request_set_input_tokens(tokwise_preflight_request* request,
                                                          int64_t input_tokens) {
  return Guard([&] {
    if (request == nullptr) return InvalidArgument("request is NULL");
    if (input_tokens < 0) return InvalidArgument("input_tokens is negative");
    request->input_tokens = input_tokens;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_preflight_request_set_max_output_tokens(tokwise_preflight_request* request,
                                                               int64_t max_output_tokens) {
  return Guard([&] {
    if (request == nullptr) return InvalidArgument("request is NULL");
    if (max_output_tokens < 0) {
      request->max_output_tokens.reset();
    } else {
      request->max_output_tokens = max_output_tokens;
    }
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_preflight_request_add_scope(tokwise_preflight_request* request,
                                                   const char* scope) {
  return Guard([&] {
    if (request == nullptr || scope == nullptr) return InvalidArgument("request or scope is NULL");
    request->scopes.emplace_back(scope);
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_preflight_request_clear_scopes(tokwise_preflight_request* request) {
  return Guard([&] {
    if (request == nullptr) return InvalidArgument("request is NULL");
    request->scopes.clear();
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_preflight_request_set_expected_cache(tokwise_preflight_request* request,
                                                            int64_t cache_read,
                                                            int64_t cache_write_5m,
                                                            int64_t cache_write_1h) {
  return Guard([&] {
    if (request == nullptr) return InvalidArgument("request is NULL");
    if (cache_read < 0 || cache_write_5m < 0 || cache_write_1h < 0) {
      return InvalidArgument("an expected cache count is negative");
    }
    request->cache_read = cache_read;
    request->cache_write_5m = cache_write_5m;
    request->cache_write_1h = cache_write_1h;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_preflight_request_set_step(tokwise_preflight_request* request,
                                                  int64_t step) {
  return Guard([&] {
    if (request == nullptr) return InvalidArgument("request is NULL");
    request->step = step < 0 ? -1 : step;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_preflight_request_set_conversation_id(tokwise_preflight_request* request,
                                                             const char* conversation_id) {
  return Guard([&] {
    if (request == nullptr) return InvalidArgument("request is NULL");
    request->conversation_id = std::string(OptionalString(conversation_id));
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_preflight_request_set_dry_run(tokwise_preflight_request* request,
                                                     int dry_run) {
  return Guard([&] {
    if (request == nullptr) return InvalidArgument("request is NULL");
    request->options.dry_run = dry_run != 0;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_preflight_request_set_shrink_output(tokwise_preflight_request* request,
                                                           int shrink, int64_t min_output_tokens) {
  return Guard([&] {
    if (request == nullptr) return InvalidArgument("request is NULL");
    if (min_output_tokens < 1) return InvalidArgument("min_output_tokens must be >= 1");
    request->options.shrink_output_to_fit = shrink != 0;
    request->options.min_output_tokens = min_output_tokens;
    return TOKWISE_STATUS_OK;
  });
}

// ---- Pre-flight, commit, release ----------------------------------------------------------

tokwise_status tokwise_ledger_preflight(tokwise_ledger* ledger,
                                        const tokwise_preflight_request* request,
                                        tokwise_decision** out) {
  return Guard([&] {
    if (ledger == nullptr || request == nullptr || out == nullptr) {
      return InvalidArgument("ledger, request or out is NULL");
    }
    if (request->model.empty()) {
      return InvalidArgument(
          "the pre-flight request names no model (set one with "
          "tokwise_preflight_request_set_model)");
    }
    auto model = ledger->catalog->Find(request->model);
    if (!model.ok()) return FromStatus(model.status());
    return Decide(
        ledger,
        ToPreflightRequest(*request, *model, request->input_tokens, request->max_output_tokens),
        request->options, TOKWISE_EXACTNESS_EXACT, out);
  });
}

tokwise_status tokwise_ledger_preflight_chat(tokwise_ledger* ledger, const char* body,
                                             size_t body_len,
                                             const tokwise_chat_options* chat_options,
                                             const tokwise_preflight_request* request,
                                             tokwise_decision** out) {
  return Guard([&] {
    if (ledger == nullptr || out == nullptr) return InvalidArgument("ledger or out is NULL");
    if (BadText(body, body_len)) return InvalidArgument("body is NULL");
    static const tokwise_preflight_request kNoRequest;
    const tokwise_preflight_request& r = request == nullptr ? kNoRequest : *request;

    // Count with the model the call will be priced for: the request's, else the options', else
    // the body's.
    tokwise_chat_count counted;
    tokwise_status st =
        tokwise::capi::CountChat(Text(body, body_len), chat_options, r.model, &counted);
    if (st != TOKWISE_STATUS_OK) return st;
    auto model = ledger->catalog->Find(counted.count.model);
    if (!model.ok()) return FromStatus(model.status());
    if (counted.count.total > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return InvalidArgument("the request's token count is out of range");
    }
    std::optional<int64_t> max_output = r.max_output_tokens;
    if (!max_output.has_value() && counted.max_output_tokens >= 0) {
      max_output = counted.max_output_tokens;
    }
    return Decide(
        ledger,
        ToPreflightRequest(r, *model, static_cast<int64_t>(counted.count.total), max_output),
        r.options, tokwise::capi::ToExactness(counted.count.label), out);
  });
}

tokwise_status tokwise_ledger_commit(tokwise_ledger* ledger, uint64_t reservation,
                                     const tokwise_usage* usage, const int64_t* cost,
                                     tokwise_usage_record** record) {
  return Guard([&] {
    if (ledger == nullptr || usage == nullptr) return InvalidArgument("ledger or usage is NULL");
    tokwise::Usage u;
    if (tokwise_status st = ToLedgerUsage(usage, cost != nullptr, &u); st != TOKWISE_STATUS_OK) {
      return st;
    }
    std::optional<tokwise::PicoUsd> c;
    if (cost != nullptr) c = *cost;
    // Made before committing: a commit cannot be undone, so nothing may fail after it.
    std::unique_ptr<tokwise_usage_record> out;
    if (record != nullptr) out = std::make_unique<tokwise_usage_record>();
    auto committed = ledger->ledger->Commit(reservation, u, c);
    if (!committed.ok()) return FromStatus(committed.status());
    if (record != nullptr) {
      out->owned = *std::move(committed);
      *record = out.release();
    }
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_ledger_release(tokwise_ledger* ledger, uint64_t reservation) {
  return Guard([&] {
    if (ledger == nullptr) return InvalidArgument("ledger is NULL");
    absl::Status s = ledger->ledger->Release(reservation);
    if (!s.ok()) return FromStatus(s);
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_ledger_scope_usage(const tokwise_ledger* ledger, const char* scope,
                                          tokwise_window window, tokwise_metric metric,
                                          int64_t* used, int64_t* reserved) {
  return Guard([&] {
    if (ledger == nullptr || scope == nullptr) return InvalidArgument("ledger or scope is NULL");
    tokwise::Window w;
    if (!ToWindow(window, &w)) return InvalidArgument(absl::StrCat("unknown window ", window));
    if (absl::Status s = tokwise::ValidateScopeKey(scope); !s.ok()) return FromStatus(s);
    const tokwise::ScopeUsage u = ledger->ledger->GetScopeUsage(scope);
    const tokwise::ScopeUsage::PerWindow& p = u.windows[static_cast<int>(w)];
    int64_t a = 0, b = 0;
    switch (metric) {
      case TOKWISE_METRIC_REQUESTS:
        a = p.requests, b = p.reserved_requests;
        break;
      case TOKWISE_METRIC_INPUT_TOKENS:
        a = p.input_tokens, b = p.reserved_input_tokens;
        break;
      case TOKWISE_METRIC_OUTPUT_TOKENS:
        a = p.output_tokens, b = p.reserved_output_tokens;
        break;
      case TOKWISE_METRIC_TOKENS:
        a = p.input_tokens + p.output_tokens;
        b = p.reserved_input_tokens + p.reserved_output_tokens;
        break;
      case TOKWISE_METRIC_COST:
        a = p.cost, b = p.reserved_cost;
        break;
      default:
        return InvalidArgument(absl::StrCat("unknown metric ", metric));
    }
    if (used != nullptr) *used = a;
    if (reserved != nullptr) *reserved = b;
    return TOKWISE_STATUS_OK;
  });
}

// ---- Decisions ----------------------------------------------------------------------------

void tokwise_decision_free(tokwise_decision* decision) { delete decision; }

int tokwise_decision_allowed(const tokwise_decision* decision) {
  return decision != nullptr && decision->decision.allowed() ? 1 : 0;
}

tokwise_decision_code tokwise_decision_get_code(const tokwise_decision* decision) {
  if (decision == nullptr) return TOKWISE_DECISION_CONTEXT_WINDOW;
  return static_cast<tokwise_decision_code>(decision->decision.code);
}

const char* tokwise_decision_message(const tokwise_decision* decision) {
  return decision == nullptr ? "" : decision->decision.message.c_str();
}

uint64_t tokwise_decision_reservation(const tokwise_decision* decision) {
  return decision == nullptr ? 0 : decision->decision.reservation;
}

int64_t tokwise_decision_input_tokens(const tokwise_decision* decision) {
  return decision == nullptr ? 0 : decision->decision.input_tokens;
}

int64_t tokwise_decision_reserved_output_tokens(const tokwise_decision* decision) {
  return decision == nullptr ? 0 : decision->decision.reserved_output_tokens;
}

int64_t tokwise_decision_max_output_that_fits(const tokwise_decision* decision) {
  return decision == nullptr ? 0 : decision->decision.max_output_that_fits;
}

int64_t tokwise_decision_projected_cost(const tokwise_decision* decision) {
  return decision == nullptr ? 0 : decision->decision.projected_cost;
}

int tokwise_decision_cost_known(const tokwise_decision* decision) {
  return decision != nullptr && decision->decision.cost_known ? 1 : 0;
}

tokwise_exactness tokwise_decision_input_exactness(const tokwise_decision* decision) {
  return decision == nullptr ? TOKWISE_EXACTNESS_ESTIMATE : decision->input_exactness;
}

int64_t tokwise_decision_retry_at_us(const tokwise_decision* decision) {
  return decision == nullptr ? -1 : decision->decision.retry_at;
}

int64_t tokwise_decision_expires_at_us(const tokwise_decision* decision) {
  return decision == nullptr ? 0 : decision->decision.expires_at;
}

tokwise_status tokwise_decision_to_json(const tokwise_decision* decision, char* buffer,
                                        size_t capacity, size_t* length) {
  return Guard([&] {
    if (decision == nullptr || length == nullptr) {
      return InvalidArgument("decision or length is NULL");
    }
    if (buffer == nullptr && capacity != 0) return InvalidArgument("buffer is NULL");
    return CopyString(tokwise::DecisionToJson(decision->decision), buffer, capacity, length);
  });
}

// ---- Usage records ------------------------------------------------------------------------

tokwise_status tokwise_usage_records_read(const char* dir, tokwise_record_visitor visitor,
                                          void* user_data, uint64_t* records, uint64_t* bad_tails) {
  return Guard([&] {
    if (dir == nullptr || visitor == nullptr) return InvalidArgument("dir or visitor is NULL");
    bool visitor_threw = false;
    auto scan = tokwise::ReadUsageRecords(dir, [&](const tokwise::UsageRecord& r) {
      tokwise_usage_record lent(&r);
      try {
        return visitor(&lent, user_data) != 0;
      } catch (...) {
        visitor_threw = true;
        return false;
      }
    });
    if (visitor_threw) {
      return Fail(TOKWISE_STATUS_INTERNAL, "the record visitor threw an exception");
    }
    if (!scan.ok()) return FromStatus(scan.status());
    if (records != nullptr) *records = scan->records;
    if (bad_tails != nullptr) *bad_tails = scan->bad_tails;
    return TOKWISE_STATUS_OK;
  });
}

tokwise_status tokwise_usage_record_copy(const tokwise_usage_record* record,
                                         tokwise_usage_record** out) {
  return Guard([&] {
    if (record == nullptr || out == nullptr) return InvalidArgument("record or out is NULL");
    *out = new tokwise_usage_record(*record->record);
    return TOKWISE_STATUS_OK;
  });
}

void tokwise_usage_record_free(tokwise_usage_record* record) { delete record; }

uint64_t tokwise_usage_record_seq(const tokwise_usage_record* record) {
  return record == nullptr ? 0 : record->record->seq;
}

int64_t tokwise_usage_record_admitted_at_us(const tokwise_usage_record* record) {
  return record == nullptr ? 0 : record->record->admitted_at;
}

int64_t tokwise_usage_record_committed_at_us(const tokwise_usage_record* record) {
  return record == nullptr ? 0 : record->record->committed_at;
}

int64_t tokwise_usage_record_step(const tokwise_usage_record* record) {
  return record == nullptr ? -1 : record->record->step;
}

const char* tokwise_usage_record_model(const tokwise_usage_record* record) {
  return record == nullptr ? "" : record->record->model.c_str();
}

const char* tokwise_usage_record_provider(const tokwise_usage_record* record) {
  return record == nullptr ? "" : record->record->provider.c_str();
}

const char* tokwise_usage_record_conversation_id(const tokwise_usage_record* record) {
  return record == nullptr ? "" : record->record->conversation_id.c_str();
}

size_t tokwise_usage_record_scope_count(const tokwise_usage_record* record) {
  return record == nullptr ? 0 : record->record->scopes.size();
}

const char* tokwise_usage_record_scope(const tokwise_usage_record* record, size_t index) {
  if (record == nullptr || index >= record->record->scopes.size()) return nullptr;
  return record->record->scopes[index].c_str();
}

uint64_t tokwise_usage_record_tokens(const tokwise_usage_record* record, tokwise_bucket bucket) {
  if (record == nullptr) return 0;
  const tokwise::Usage& u = record->record->usage;
  int64_t v = 0;
  switch (bucket) {
    case TOKWISE_BUCKET_UNCACHED_INPUT:
      v = u.input_uncached;
      break;
    case TOKWISE_BUCKET_CACHE_READ:
      v = u.cache_read;
      break;
    case TOKWISE_BUCKET_CACHE_WRITE_5M:
      v = u.cache_write_5m;
      break;
    case TOKWISE_BUCKET_CACHE_WRITE_1H:
      v = u.cache_write_1h;
      break;
    case TOKWISE_BUCKET_OUTPUT:
      v = u.output;
      break;
    case TOKWISE_BUCKET_REASONING:
      v = u.reasoning;
      break;
    default:  // The ledger keeps no audio tokens.
      break;
  }
  return v < 0 ? 0 : static_cast<uint64_t>(v);
}

int64_t tokwise_usage_record_cost(const tokwise_usage_record* record) {
  return record == nullptr || !record->record->cost_known ? 0 : record->record->cost;
}

int tokwise_usage_record_cost_known(const tokwise_usage_record* record) {
  return record != nullptr && record->record->cost_known ? 1 : 0;
}

int tokwise_usage_record_late(const tokwise_usage_record* record) {
  return record != nullptr && record->record->late ? 1 : 0;
}

}  // extern "C"
