// BudgetLedger: counters per scope and window behind lock stripes, reservations with expiry,
// and the journal + snapshot persistence.
//
// Concurrency design:
//  - Each scope's counters live in one of N stripes (chosen by hashing the scope key), each
//    with its own mutex. A pre-flight locks the stripes of all its scopes in ascending
//    index order (so two calls can never wait on each other in a cycle), checks every
//    limit, adds its reservation to every counter, then unlocks: check-and-reserve is one
//    atomic step across all scopes of the call.
//  - Reservations live in 16 shards keyed by id, each with a min-heap of expiry times. A
//    reservation is settled exactly once: Commit/Release take it out of its shard, or the
//    expiry sweep marks it expired; whoever does that removes its holds from the counters.
//  - Commits hold `gate_` shared while they journal and apply; Snapshot() holds it
//    exclusively, so a snapshot sees every journaled record applied and no record half done:
//    its last_seq exactly matches the counters (the cure for counters seeded twice).
//  - Lock order: gate_ -> stripes (ascending) ; gate_ -> journal_mu_ ; shard locks are never
//    held while taking another lock, except the sweep mutex which is taken first.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <mutex>
#include <queue>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "budget/journal.h"
#include "budget/pricing.h"
#include "tokwise/budget.h"
#include "tokwise/chat.h"

namespace tokwise {

using budget_internal::Costing;
using budget_internal::ErrnoError;
using budget_internal::FormatUsd;
using budget_internal::kMaxTokens;
using budget_internal::PriceSheet;

namespace {

// Stored amounts, per counter: requests, input tokens, output tokens, cost (pico-USD).
// Metric::kTokens is input + output.
constexpr int kStored = 4;
struct Amounts {
  int64_t v[kStored] = {0, 0, 0, 0};
  void Add(const Amounts& o) {
    for (int i = 0; i < kStored; ++i) v[i] += o.v[i];
  }
  void Sub(const Amounts& o) {
    for (int i = 0; i < kStored; ++i) v[i] -= o.v[i];
  }
};

int64_t MetricOf(const Amounts& a, Metric m) {
  switch (m) {
    case Metric::kRequests:
      return a.v[0];
    case Metric::kInputTokens:
      return a.v[1];
    case Metric::kOutputTokens:
      return a.v[2];
    case Metric::kTokens:
      return a.v[1] + a.v[2];
    case Metric::kCostPicoUsd:
      return a.v[3];
  }
  return 0;
}

constexpr int64_t kNoPeriod = INT64_MIN;

// Saturating arithmetic for what-if sums (a request's cost at an absurd max output must
// deny, not wrap around).
int64_t SatAdd(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN) : r;
}
int64_t SatMul(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}

struct WindowCounter {
  int64_t period = kNoPeriod;
  Amounts committed;
  Amounts reserved;
};

// Moves a counter forward to `period`, emptying it; never backward.
void Roll(WindowCounter& c, int64_t period) {
  if (period > c.period) {
    c.period = period;
    c.committed = Amounts();
    c.reserved = Amounts();
  }
}

// Charges committed spend of `period` (the call's admission period). Spend of a period the
// counter has already left behind is history: it no longer counts against any limit.
void Charge(WindowCounter& c, int64_t period, const Amounts& a) {
  Roll(c, period);
  if (c.period == period) c.committed.Add(a);
}

struct ScopeState {
  std::string key;
  WindowCounter w[kNumWindows];
  const std::vector<Limit>* limits = nullptr;  // Resolved from the spec; null: none.
};

// std::mutex rather than absl::Mutex: ThreadSanitizer sees through it without an
// instrumented Abseil, so the concurrency tests can run under TSan.
struct alignas(64) Stripe {
  mutable std::mutex mu;
  absl::flat_hash_map<std::string, std::unique_ptr<ScopeState>> scopes;  // Guarded by mu.
};

// The spec with its lookups.
struct CompiledSpec {
  BudgetSpec spec;
  absl::flat_hash_map<std::string, const std::vector<Limit>*> exact;
  absl::flat_hash_map<std::string, const std::vector<Limit>*> by_kind;  // "user" for "user:*"

  const std::vector<Limit>* Resolve(std::string_view key) const {
    auto it = exact.find(base::ToAbsl(key));
    if (it != exact.end()) return it->second;
    auto k = by_kind.find(base::ToAbsl(key.substr(0, key.find(':'))));
    return k != by_kind.end() ? k->second : nullptr;
  }
};

absl::StatusOr<std::unique_ptr<CompiledSpec>> Compile(BudgetSpec spec) {
  auto c = std::make_unique<CompiledSpec>();
  c->spec = std::move(spec);
  for (const ScopeBudget& b : c->spec.budgets) {
    absl::Status s = ValidateScopeKey(b.scope, /*allow_wildcard=*/true);
    if (!s.ok()) return s;
    for (const Limit& l : b.limits) {
      if (l.max < 0) {
        return absl::InvalidArgumentError(absl::StrCat("budget of \"", b.scope,
                                                       "\": ", MetricName(l.metric), " per ",
                                                       WindowName(l.window), " is negative"));
      }
    }
    const bool wildcard = base::EndsWith(b.scope, ":*");
    auto& map = wildcard ? c->by_kind : c->exact;
    std::string key = wildcard ? b.scope.substr(0, b.scope.size() - 2) : b.scope;
    if (!map.emplace(key, &b.limits).second) {
      return absl::InvalidArgumentError(absl::StrCat("scope \"", b.scope, "\" has two budgets"));
    }
  }
  return c;
}

struct Reservation {
  ReservationId id = 0;
  bool expired = false;  // Guarded by the shard's mutex.
  UnixMicros admitted_at = 0;
  UnixMicros expires_at = 0;
  UnixMicros purge_at = 0;
  int64_t periods[kNumWindows] = {};
  Amounts held;
  std::vector<ScopeState*> scopes;  // Stable pointers: scope states are never freed.
  std::vector<uint32_t> stripes;    // Sorted, unique.
  PriceSheet sheet;
  bool dollar_limited = false;  // A scope had a dollar limit at pre-flight.
  int64_t step = -1;
  std::string conversation_id;
};

struct alignas(64) ResShard {
  std::mutex mu;  // Guards everything below.
  absl::flat_hash_map<ReservationId, std::shared_ptr<Reservation>> live;
  // (time, id): the expiry of an active reservation or the purge of an expired one. Entries
  // of settled reservations are skipped when popped and dropped when the heap is rebuilt.
  std::priority_queue<std::pair<UnixMicros, ReservationId>,
                      std::vector<std::pair<UnixMicros, ReservationId>>,
                      std::greater<std::pair<UnixMicros, ReservationId>>>
      heap;
};
constexpr int kResShards = 16;

void AtomicMin(std::atomic<int64_t>& a, int64_t v) {
  int64_t cur = a.load(std::memory_order_relaxed);
  while (v < cur && !a.compare_exchange_weak(cur, v, std::memory_order_acq_rel)) {
  }
}

void AtomicMax(std::atomic<int64_t>& a, int64_t v) {
  int64_t cur = a.load(std::memory_order_relaxed);
  while (v > cur && !a.compare_exchange_weak(cur, v, std::memory_order_acq_rel)) {
  }
}

// Locks a sorted set of stripes for the lifetime of the object.
class StripeLocks {
 public:
  StripeLocks(std::vector<std::unique_ptr<Stripe>>& stripes, const std::vector<uint32_t>& idx)
      : stripes_(stripes), idx_(idx) {
    for (uint32_t i : idx_) stripes_[i]->mu.lock();
  }
  ~StripeLocks() {
    for (auto it = idx_.rbegin(); it != idx_.rend(); ++it) stripes_[*it]->mu.unlock();
  }

 private:
  std::vector<std::unique_ptr<Stripe>>& stripes_;
  const std::vector<uint32_t>& idx_;
};

std::string FormatAmount(Metric m, int64_t v) {
  if (m == Metric::kCostPicoUsd) return FormatUsd(v);
  return absl::StrCat(v, m == Metric::kRequests ? " requests" : " tokens");
}

std::string LimitName(const Limit& l) {
  if (l.window == Window::kTotal) return absl::StrCat(MetricName(l.metric), " total");
  return absl::StrCat(MetricName(l.metric), " per ", WindowName(l.window));
}

}  // namespace

struct BudgetLedger::Impl {
  LedgerOptions options;
  const Clock* clock = nullptr;

  std::vector<std::unique_ptr<Stripe>> stripes;
  uint32_t stripe_mask = 0;
  std::unique_ptr<CompiledSpec> spec;  // Written only with every stripe locked.

  ResShard shards[kResShards];
  std::atomic<uint64_t> next_id{1};
  std::atomic<int64_t> next_sweep_at{INT64_MAX};
  std::mutex sweep_mu;
  // The ledger's time never goes backward, so a window once left is never reopened.
  std::atomic<int64_t> time_floor{INT64_MIN};

  std::shared_mutex gate;
  std::mutex journal_mu;   // After gate. Guards journal, next_seq, journal_first_seq.
  std::mutex snapshot_mu;  // Before gate: one snapshot at a time.
  std::unique_ptr<budget_internal::JournalWriter> journal;
  uint64_t next_seq = 1;
  uint64_t journal_first_seq = 1;
  std::atomic<uint64_t> records_since_snapshot{0};
  std::atomic<bool> snapshot_running{false};
  int lock_fd = -1;
  RecoveryReport recovery;

  std::atomic<uint64_t> n_preflights{0}, n_admitted{0}, n_denied{0}, n_commits{0}, n_late{0},
      n_releases{0}, n_expired{0}, n_records{0}, n_snapshots{0}, n_active{0},
      n_snapshot_failures{0};
  std::atomic<uint64_t> fsyncs_closed{0};  // Of journals replaced by a snapshot.

  ~Impl() {
    {
      std::lock_guard<std::mutex> l(journal_mu);
      journal.reset();
    }
    if (lock_fd >= 0) ::close(lock_fd);  // Also drops the flock.
  }

  UnixMicros Now() {
    UnixMicros t = clock->Now();
    AtomicMax(time_floor, t);
    return std::max(t, time_floor.load(std::memory_order_acquire));
  }

  uint32_t StripeOf(std::string_view key) const {
    const size_t h = absl::Hash<absl::string_view>()(base::ToAbsl(key));
    // High bits: the stripe's own hash map uses the low ones.
    return static_cast<uint32_t>(h >> 40) & stripe_mask;
  }

  // Finds or creates a scope's state. Requires the stripe's lock.
  ScopeState* GetScope(Stripe& s, std::string_view key) {
    auto it = s.scopes.find(base::ToAbsl(key));
    if (it != s.scopes.end()) return it->second.get();
    auto st = std::make_unique<ScopeState>();
    st->key = std::string(key);
    st->limits = spec->Resolve(key);
    ScopeState* raw = st.get();
    s.scopes.emplace(st->key, std::move(st));
    return raw;
  }

  ResShard& ShardOf(ReservationId id) { return shards[id % kResShards]; }

  // Removes a reservation's holds from its scopes' counters (its periods only).
  void RemoveHolds(const Reservation& r) {
    StripeLocks locks(stripes, r.stripes);
    for (ScopeState* sc : r.scopes) {
      for (int w = 0; w < kNumWindows; ++w) {
        WindowCounter& c = sc->w[w];
        if (c.period == r.periods[w]) c.reserved.Sub(r.held);
      }
    }
  }

  size_t Sweep(UnixMicros now);
  void MaybeSweep(UnixMicros now) {
    if (now >= next_sweep_at.load(std::memory_order_acquire)) Sweep(now);
  }

  absl::Status ApplyRecord(const UsageRecord& r);
  absl::Status Recover();
  absl::Status TakeSnapshot();
  absl::StatusOr<Decision> Preflight(const PreflightRequest& req, const PreflightOptions& opt);
  absl::StatusOr<UsageRecord> Commit(ReservationId id, const Usage& usage,
                                     std::optional<PicoUsd> cost);
};

// ------------------------------------------------------------------------------------------
// Expiry
// ------------------------------------------------------------------------------------------

size_t BudgetLedger::Impl::Sweep(UnixMicros now) {
  std::lock_guard<std::mutex> sweep_lock(sweep_mu);
  // Reset first: an insert racing with the scan lowers it again after this store.
  next_sweep_at.store(INT64_MAX, std::memory_order_release);
  std::vector<std::shared_ptr<Reservation>> to_free;
  int64_t next = INT64_MAX;
  for (ResShard& shard : shards) {
    std::lock_guard<std::mutex> l(shard.mu);
    while (!shard.heap.empty() && shard.heap.top().first <= now) {
      const ReservationId id = shard.heap.top().second;
      shard.heap.pop();
      auto it = shard.live.find(id);
      if (it == shard.live.end()) continue;  // Settled already.
      Reservation& r = *it->second;
      if (!r.expired) {
        if (r.expires_at > now) continue;
        r.expired = true;
        r.purge_at = r.expires_at + options.late_commit_grace;
        shard.heap.push({r.purge_at, id});
        to_free.push_back(it->second);
      } else if (r.purge_at <= now) {
        shard.live.erase(it);
      }
    }
    if (!shard.heap.empty()) next = std::min(next, shard.heap.top().first);
  }
  AtomicMin(next_sweep_at, next);
  for (const auto& r : to_free) RemoveHolds(*r);
  n_expired.fetch_add(to_free.size(), std::memory_order_relaxed);
  n_active.fetch_sub(to_free.size(), std::memory_order_relaxed);
  return to_free.size();
}

// ------------------------------------------------------------------------------------------
// Pre-flight
// ------------------------------------------------------------------------------------------

absl::StatusOr<Decision> BudgetLedger::Impl::Preflight(const PreflightRequest& req,
                                                       const PreflightOptions& opt) {
  // Validate the request.
  if (req.model == nullptr) return absl::InvalidArgumentError("preflight: no model given");
  const ModelInfo& model = *req.model;
  auto bad_count = [](const char* what, int64_t v) {
    return absl::InvalidArgumentError(
        absl::StrCat("preflight: ", what, " = ", v, " is out of range [0, 2^40]"));
  };
  if (req.input_tokens < 0 || req.input_tokens > kMaxTokens) {
    return bad_count("input_tokens", req.input_tokens);
  }
  if (req.max_output_tokens &&
      (*req.max_output_tokens < 0 || *req.max_output_tokens > kMaxTokens)) {
    return bad_count("max_output_tokens", *req.max_output_tokens);
  }
  if (req.expected_cache_read < 0 || req.expected_cache_write_5m < 0 ||
      req.expected_cache_write_1h < 0 ||
      req.expected_cache_read + req.expected_cache_write_5m + req.expected_cache_write_1h >
          req.input_tokens) {
    return absl::InvalidArgumentError(
        "preflight: expected cache reads and writes must be >= 0 and within input_tokens");
  }
  if (opt.min_output_tokens < 0 || opt.ttl < 0) {
    return absl::InvalidArgumentError("preflight: min_output_tokens and ttl must be >= 0");
  }
  if (model.context_window == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "preflight: model \"", model.id, "\" has no context window in its catalog entry"));
  }
  const int64_t input = req.input_tokens;
  const int64_t ctx = model.context_window;
  const int64_t model_max = model.max_output;  // 0: unknown.
  const int64_t room = ctx - input;
  int64_t requested;
  if (req.max_output_tokens) {
    requested = *req.max_output_tokens;
  } else {
    if (model_max == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("preflight: no max_output_tokens given and model \"", model.id,
                       "\" has no max output in its catalog entry: nothing to reserve"));
    }
    requested = std::max<int64_t>(0, std::min(model_max, room));
  }

  // The call's scopes: the given ones plus model:<id>, each once.
  std::vector<std::string_view> keys;
  keys.reserve(req.scopes.size() + 1);
  for (const std::string& s : req.scopes) {
    absl::Status st = ValidateScopeKey(s);
    if (!st.ok()) return absl::Status(st.code(), absl::StrCat("preflight: ", st.message()));
    if (std::find(keys.begin(), keys.end(), std::string_view(s)) == keys.end()) keys.push_back(s);
  }
  const std::string model_scope = absl::StrCat("model:", model.id);
  if (std::find(keys.begin(), keys.end(), std::string_view(model_scope)) == keys.end()) {
    keys.push_back(model_scope);
  }

  // Price the input and learn the output price (long-context tier by input size). An input
  // larger than the context window is denied below whatever it costs, but still priced (for
  // the decision's projected cost) when that does not overflow.
  const bool oversized = input > ctx;
  Usage proj;
  proj.cache_read = req.expected_cache_read;
  proj.cache_write_5m = req.expected_cache_write_5m;
  proj.cache_write_1h = req.expected_cache_write_1h;
  proj.input_uncached = input - proj.cache_read - proj.cache_write_5m - proj.cache_write_1h;
  const Prices& prices = budget_internal::PricesFor(model.prices, model.long_context_tiers, input);
  const bool use_fallback = options.unpriced == UnpricedPolicy::kUseFallbackPrices;
  absl::StatusOr<Costing> in_cost =
      budget_internal::PriceUsage(prices, proj, use_fallback ? &options.fallback_prices : nullptr);
  if (!in_cost.ok()) {
    if (!oversized) return in_cost.status();
    // Denied for the window whatever it costs; the cost only informs, so an overflow
    // (absurd input at a high price) leaves it unknown instead of failing the call.
    in_cost = Costing{};
    in_cost->priced = false;
  }
  const bool priced = in_cost->priced;
  const PicoUsd cost_in = in_cost->input_cost;
  const PricePerMTok p_out = in_cost->output_price;
  auto cost_of = [&](int64_t out) -> PicoUsd {
    return priced ? SatAdd(cost_in, SatMul(out, p_out)) : 0;
  };

  // What the call adds to each metric for a given output.
  auto contribution = [&](Metric m, int64_t out) -> int64_t {
    switch (m) {
      case Metric::kRequests:
        return 1;
      case Metric::kInputTokens:
        return input;
      case Metric::kOutputTokens:
        return out;
      case Metric::kTokens:
        return input + out;
      case Metric::kCostPicoUsd:
        return cost_of(out);
    }
    return 0;
  };

  const UnixMicros now = Now();
  MaybeSweep(now);
  int64_t periods[kNumWindows];
  Period period_info[kNumWindows];
  for (int w = 0; w < kNumWindows; ++w) {
    period_info[w] = PeriodOf(static_cast<Window>(w), now);
    periods[w] = period_info[w].id;
  }

  std::vector<uint32_t> stripe_idx(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) stripe_idx[i] = StripeOf(keys[i]);
  std::vector<uint32_t> sorted = stripe_idx;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());

  Decision d;
  d.input_tokens = input;
  d.cost_known = priced;
  std::shared_ptr<Reservation> res;
  {
    StripeLocks locks(stripes, sorted);
    std::vector<ScopeState*> states(keys.size());
    bool dollar_limited = false;
    for (size_t i = 0; i < keys.size(); ++i) {
      states[i] = GetScope(*stripes[stripe_idx[i]], keys[i]);
      ScopeState& sc = *states[i];
      for (int w = 0; w < kNumWindows; ++w) Roll(sc.w[w], periods[w]);
      if (sc.limits == nullptr) continue;
      for (const Limit& l : *sc.limits) {
        LimitStatus ls;
        ls.scope = sc.key;
        ls.limit = l;
        ls.period = period_info[static_cast<int>(l.window)];
        const WindowCounter& c = sc.w[static_cast<int>(l.window)];
        ls.used = MetricOf(c.committed, l.metric);
        ls.reserved = MetricOf(c.reserved, l.metric);
        if (l.metric == Metric::kCostPicoUsd) dollar_limited = true;
        d.limits.push_back(std::move(ls));
      }
    }
    const bool unpriced_block = !priced && !oversized && dollar_limited;

    // The largest output every limit allows (-1: the call does not fit at any output).
    int64_t fit = std::min<int64_t>(room, model_max > 0 ? model_max : room);
    for (const LimitStatus& ls : d.limits) {
      const int64_t avail = ls.limit.max - ls.used - ls.reserved;
      int64_t lim_fit = INT64_MAX;
      switch (ls.limit.metric) {
        case Metric::kRequests:
        case Metric::kInputTokens: {
          const int64_t c = contribution(ls.limit.metric, 0);
          lim_fit = (c == 0 || c <= avail) ? INT64_MAX : -1;
          break;
        }
        case Metric::kOutputTokens:
          lim_fit = std::max<int64_t>(avail, 0);
          break;
        case Metric::kTokens:
          lim_fit =
              input == 0 ? std::max<int64_t>(avail, 0) : (avail >= input ? avail - input : -1);
          break;
        case Metric::kCostPicoUsd:
          if (!priced) {
            lim_fit = -1;
          } else if (p_out == 0) {
            lim_fit = (cost_in == 0 || cost_in <= avail) ? INT64_MAX : -1;
          } else {
            lim_fit = cost_in <= avail ? (avail - cost_in) / p_out : (cost_in == 0 ? 0 : -1);
          }
          break;
      }
      fit = std::min(fit, lim_fit);
    }
    d.max_output_that_fits = std::max<int64_t>(fit, 0);

    // The output to reserve: the request's, or shrunk to what fits.
    int64_t out = requested;
    const bool over_ctx = input + out > ctx || (!req.max_output_tokens && room < 1);
    const bool over_model = model_max > 0 && out > model_max;
    auto blocks = [&](const LimitStatus& ls, int64_t o) {
      const int64_t c = contribution(ls.limit.metric, o);
      if (ls.limit.metric == Metric::kCostPicoUsd && unpriced_block) return true;
      return c > 0 && SatAdd(SatAdd(ls.used, ls.reserved), c) > ls.limit.max;
    };
    bool any_block = false;
    for (const LimitStatus& ls : d.limits) any_block = any_block || blocks(ls, out);
    if ((over_ctx || over_model || any_block) && opt.shrink_output_to_fit && fit >= 1 &&
        fit >= opt.min_output_tokens && fit < out) {
      out = fit;
    }
    d.reserved_output_tokens = out;
    d.projected_cost = cost_of(out);

    // Decide, most fundamental reason first.
    // The largest output that fits, as the decision reports it (window, model maximum and
    // budgets), so the message and max_output_that_fits never disagree.
    auto fit_note = [&]() -> std::string {
      if (d.max_output_that_fits > 0) {
        return absl::StrCat("; at most ", d.max_output_that_fits, " output tokens fit");
      }
      return room > 0 ? "; the budgets leave no room for any output" : "";
    };
    if (input + out > ctx || (!req.max_output_tokens && room < 1)) {
      d.code = DecisionCode::kContextWindow;
      if (input > ctx) {
        d.message = absl::StrCat("input (", input, " tokens) alone exceeds the context window of ",
                                 model.id, " (", ctx, " tokens)");
      } else if (!req.max_output_tokens) {
        d.message = absl::StrCat("input (", input, " tokens) fills the context window of ",
                                 model.id, " (", ctx, " tokens): no room for any output");
      } else {
        d.message = absl::StrCat("input (", input, " tokens) + max output (", out,
                                 ") exceed the context window of ", model.id, " (", ctx, " tokens)",
                                 fit_note());
      }
    } else if (model_max > 0 && out > model_max) {
      d.code = DecisionCode::kMaxOutput;
      d.message = absl::StrCat("max output ", out, " is above the maximum of ", model.id, " (",
                               model_max, " tokens)", fit_note());
    } else if (unpriced_block) {
      d.code = DecisionCode::kUnpriced;
      d.message = absl::StrCat("cannot price ", model.id, " (no ", in_cost->missing,
                               " price) and a dollar limit applies: denied under the 'deny' "
                               "policy for unpriced calls");
      for (LimitStatus& ls : d.limits) {
        if (ls.limit.metric == Metric::kCostPicoUsd) ls.blocking = true;
      }
    } else {
      UnixMicros retry = 0;
      for (LimitStatus& ls : d.limits) {
        ls.request = contribution(ls.limit.metric, out);
        if (!blocks(ls, out)) continue;
        ls.blocking = true;
        const bool never = ls.limit.window == Window::kTotal || ls.request > ls.limit.max;
        retry = (never || retry < 0) ? -1 : std::max(retry, ls.period.end);
        if (d.code == DecisionCode::kAllowed) {
          const bool rate = ls.limit.window == Window::kMinute || ls.limit.window == Window::kHour;
          d.code = rate ? DecisionCode::kRateLimited : DecisionCode::kBudgetExceeded;
          d.message =
              absl::StrCat(ls.scope, ": ", LimitName(ls.limit), " limit ",
                           FormatAmount(ls.limit.metric, ls.limit.max),
                           " would be exceeded: ", FormatAmount(ls.limit.metric, ls.used),
                           " used + ", FormatAmount(ls.limit.metric, ls.reserved), " reserved + ",
                           FormatAmount(ls.limit.metric, ls.request), " for this call");
          if (ls.request > ls.limit.max) {
            absl::StrAppend(&d.message, " (this call alone is over the limit)");
          } else if (ls.limit.window != Window::kTotal) {
            absl::StrAppend(&d.message, "; the ", WindowName(ls.limit.window), " resets at ",
                            FormatUtc(ls.period.end));
          }
        }
      }
      if (d.code != DecisionCode::kAllowed) d.retry_at = retry;
    }
    for (LimitStatus& ls : d.limits) ls.request = contribution(ls.limit.metric, out);

    if (d.allowed() && !opt.dry_run) {
      // Reserve in every window of every scope, limited or not (usage reports and later
      // budgets see in-flight calls too).
      res = std::make_shared<Reservation>();
      res->held.v[0] = 1;
      res->held.v[1] = input;
      res->held.v[2] = out;
      res->held.v[3] = d.projected_cost;
      for (ScopeState* sc : states) {
        for (int w = 0; w < kNumWindows; ++w) sc->w[w].reserved.Add(res->held);
      }
      for (LimitStatus& ls : d.limits) ls.reserved += ls.request;
      res->scopes = std::move(states);
      res->dollar_limited = dollar_limited;
    }
    for (LimitStatus& ls : d.limits) {
      ls.remaining = std::max<int64_t>(0, ls.limit.max - ls.used - ls.reserved);
    }
  }

  n_preflights.fetch_add(1, std::memory_order_relaxed);
  if (!d.allowed()) {
    n_denied.fetch_add(1, std::memory_order_relaxed);
    return d;
  }
  n_admitted.fetch_add(1, std::memory_order_relaxed);
  if (d.message.empty()) {
    d.message = absl::StrCat(input, " input + ", d.reserved_output_tokens, " output tokens",
                             d.reserved_output_tokens < requested ? " (shrunk to fit)" : "",
                             opt.dry_run ? " would be reserved" : " reserved", ", projected ",
                             priced ? FormatUsd(d.projected_cost) : std::string("cost unknown"));
  }
  if (!res) return d;

  // Register the reservation.
  res->id = next_id.fetch_add(1, std::memory_order_relaxed);
  res->admitted_at = now;
  res->expires_at = now + (opt.ttl > 0 ? opt.ttl : options.reservation_ttl);
  std::copy(periods, periods + kNumWindows, res->periods);
  res->stripes = std::move(sorted);
  res->sheet.model = model.id;
  res->sheet.provider = model.provider;
  res->sheet.prices = model.prices;
  res->sheet.tiers = model.long_context_tiers;
  res->step = req.step;
  res->conversation_id = req.conversation_id;
  d.reservation = res->id;
  d.expires_at = res->expires_at;
  {
    ResShard& shard = ShardOf(res->id);
    std::lock_guard<std::mutex> l(shard.mu);
    shard.heap.push({res->expires_at, res->id});
    shard.live.emplace(res->id, res);
    // Drop the entries of settled reservations once they dominate the heap.
    if (shard.heap.size() > 2 * shard.live.size() + 1024) {
      decltype(shard.heap) rebuilt;
      for (const auto& [id, r] : shard.live) {
        rebuilt.push({r->expired ? r->purge_at : r->expires_at, id});
      }
      shard.heap = std::move(rebuilt);
    }
  }
  n_active.fetch_add(1, std::memory_order_relaxed);
  AtomicMin(next_sweep_at, res->expires_at);
  return d;
}

// ------------------------------------------------------------------------------------------
// Commit and release
// ------------------------------------------------------------------------------------------

absl::StatusOr<UsageRecord> BudgetLedger::Impl::Commit(ReservationId id, const Usage& usage,
                                                       std::optional<PicoUsd> cost) {
  const int64_t buckets[] = {usage.input_uncached, usage.cache_read, usage.cache_write_5m,
                             usage.cache_write_1h, usage.output,     usage.reasoning};
  for (int64_t b : buckets) {
    if (b < 0 || b > kMaxTokens) {
      return absl::InvalidArgumentError(
          absl::StrCat("commit: usage bucket ", b, " is out of range [0, 2^40]"));
    }
  }
  if (usage.reasoning > usage.output) {
    return absl::InvalidArgumentError("commit: reasoning tokens exceed output tokens");
  }
  // $1,000,000 for one call is far beyond any price list; more is an input error, and the
  // bound keeps every counter far from overflow.
  if (cost && (*cost < 0 || *cost > 1'000'000'000'000'000'000)) {
    return absl::InvalidArgumentError(
        absl::StrCat("commit: cost ", *cost, " pico-dollars is out of range [0, $1,000,000]"));
  }
  if (options.read_only) {
    return absl::FailedPreconditionError(
        "commit: the ledger was opened read-only (LedgerOptions::read_only); nothing recorded");
  }
  const UnixMicros now = Now();
  MaybeSweep(now);

  ResShard& shard = ShardOf(id);
  std::shared_ptr<Reservation> r;
  {
    std::lock_guard<std::mutex> l(shard.mu);
    auto it = shard.live.find(id);
    if (it == shard.live.end()) {
      return absl::NotFoundError(absl::StrCat(
          "commit: reservation ", id, " is unknown, already settled, or expired too long ago"));
    }
    r = it->second;
  }

  // Price the real usage.
  UsageRecord rec;
  rec.admitted_at = r->admitted_at;
  rec.committed_at = now;
  rec.model = r->sheet.model;
  rec.provider = r->sheet.provider;
  rec.usage = usage;
  rec.step = r->step;
  rec.conversation_id = r->conversation_id;
  if (cost) {
    rec.cost = *cost;
  } else {
    const Prices& p =
        budget_internal::PricesFor(r->sheet.prices, r->sheet.tiers, usage.input_total());
    const bool fb = options.unpriced == UnpricedPolicy::kUseFallbackPrices;
    absl::StatusOr<Costing> c =
        budget_internal::PriceUsage(p, usage, fb ? &options.fallback_prices : nullptr);
    if (!c.ok()) return c.status();
    if (c->priced) {
      rec.cost = c->cost;
    } else if (r->dollar_limited) {
      return absl::InvalidArgumentError(absl::StrCat(
          "commit: cannot price the usage of ", r->sheet.model, " (no ", c->missing,
          " price) and a scope of the call has a dollar limit; pass the cost, or Release()"));
    } else {
      rec.cost = 0;
      rec.cost_known = false;
    }
  }

  // Take the reservation out; from here this call settles it.
  bool was_active;
  {
    std::lock_guard<std::mutex> l(shard.mu);
    auto it = shard.live.find(id);
    if (it == shard.live.end() || it->second != r) {
      return absl::NotFoundError(
          absl::StrCat("commit: reservation ", id, " was settled meanwhile"));
    }
    was_active = !r->expired;
    shard.live.erase(it);
  }
  rec.late = !was_active;
  // The admission check counted only what was reserved; more real usage can overshoot a
  // limit, which the caller should hear about (it is still charged in full).
  rec.exceeded_reservation = usage.input_total() > r->held.v[1] || usage.output > r->held.v[2];
  rec.scopes.reserve(r->scopes.size());
  for (const ScopeState* sc : r->scopes) rec.scopes.push_back(sc->key);
  Amounts actual;
  actual.v[0] = 1;
  actual.v[1] = usage.input_total();
  actual.v[2] = usage.output;
  actual.v[3] = rec.cost;

  {
    std::shared_lock<std::shared_mutex> g(gate);
    {
      std::lock_guard<std::mutex> j(journal_mu);
      rec.seq = next_seq;
      // TODO: group commit. With FsyncPolicy::kEveryCommit each Commit() waits for its own
      // fdatasync while holding journal_mu, so commits run one at a time at disk speed
      // (7-16k per second measured here); writing the records of concurrent commits with one
      // write + fdatasync would multiply that.
      if (journal) {
        absl::Status s = journal->Append(budget_internal::EncodeUsageRecord(rec));
        if (!s.ok()) {
          // Nothing was charged: put the reservation back as it was.
          std::lock_guard<std::mutex> l(shard.mu);
          shard.live.emplace(id, r);
          return s;
        }
      }
      ++next_seq;
    }
    StripeLocks locks(stripes, r->stripes);
    for (ScopeState* sc : r->scopes) {
      for (int w = 0; w < kNumWindows; ++w) {
        WindowCounter& c = sc->w[w];
        if (was_active && c.period == r->periods[w]) c.reserved.Sub(r->held);
        Charge(c, r->periods[w], actual);
      }
    }
  }
  n_commits.fetch_add(1, std::memory_order_relaxed);
  if (was_active) {
    n_active.fetch_sub(1, std::memory_order_relaxed);
  } else {
    n_late.fetch_add(1, std::memory_order_relaxed);
  }
  if (!options.dir.empty()) {
    n_records.fetch_add(1, std::memory_order_relaxed);
    const uint64_t since = records_since_snapshot.fetch_add(1, std::memory_order_relaxed) + 1;
    if (options.snapshot_every > 0 && since >= options.snapshot_every &&
        !snapshot_running.exchange(true)) {
      // A failed automatic snapshot loses nothing (the journal has every record); it is
      // counted and retried after the next record.
      if (!TakeSnapshot().ok()) n_snapshot_failures.fetch_add(1, std::memory_order_relaxed);
      snapshot_running.store(false);
    }
  }
  if (options.on_commit) options.on_commit(rec);
  return rec;
}

// ------------------------------------------------------------------------------------------
// Persistence
// ------------------------------------------------------------------------------------------

absl::Status BudgetLedger::Impl::ApplyRecord(const UsageRecord& r) {
  Amounts a;
  a.v[0] = 1;
  a.v[1] = r.usage.input_total();
  a.v[2] = r.usage.output;
  a.v[3] = r.cost;
  int64_t periods[kNumWindows];
  for (int w = 0; w < kNumWindows; ++w)
    periods[w] = PeriodOf(static_cast<Window>(w), r.admitted_at).id;
  for (const std::string& key : r.scopes) {
    Stripe& s = *stripes[StripeOf(key)];
    std::lock_guard<std::mutex> l(s.mu);
    ScopeState* sc = GetScope(s, key);
    for (int w = 0; w < kNumWindows; ++w) Charge(sc->w[w], periods[w], a);
  }
  AtomicMax(time_floor, r.admitted_at);
  return absl::OkStatus();
}

namespace {

// Takes the folder's lock (exclusive, or shared for a read-only ledger), retrying until
// `timeout` has passed on the steady clock. Returns the locked descriptor, -1 if a read-only
// ledger finds no LOCK file (the folder was never opened for writing), or an error.
absl::StatusOr<int> LockLedgerDir(const std::string& dir, bool read_only, UnixMicros timeout) {
  const std::string lock_path = dir + "/" + budget_internal::kLockName;
  const int fd = read_only ? ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC)
                           : ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (read_only && errno == ENOENT) return -1;
    return ErrnoError("cannot open lock file", lock_path, errno);
  }
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::microseconds(std::max<UnixMicros>(timeout, 0));
  // Short sleeps first (a CLI run holds the lock for milliseconds), then up to 50 ms.
  auto pause = std::chrono::microseconds(500);
  while (::flock(fd, (read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EINTR) continue;
    if (err != EWOULDBLOCK) {
      ::close(fd);
      return ErrnoError("cannot lock", lock_path, err);
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      ::close(fd);
      const double waited = std::chrono::duration<double>(now - start).count();
      return absl::UnavailableError(absl::StrCat(
          dir, ": ledger busy: another ledger still held ", lock_path, " after waiting ",
          absl::SixDigits(waited), " s (LedgerOptions::lock_timeout)"));
    }
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, std::chrono::microseconds(50'000));
  }
  return fd;
}

}  // namespace

absl::Status BudgetLedger::Impl::Recover() {
  const std::string& dir = options.dir;
  const bool read_only = options.read_only;
  if (read_only) {
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0) {
      // Nothing recorded yet: an empty ledger, and nothing to create.
      if (errno == ENOENT) return absl::OkStatus();
      return ErrnoError("cannot read ledger folder", dir, errno);
    }
  } else if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoError("cannot create ledger folder", dir, errno);
  }
  absl::StatusOr<int> fd = LockLedgerDir(dir, read_only, options.lock_timeout);
  if (!fd.ok()) return fd.status();
  lock_fd = *fd;
  // A snapshot.tmp is a snapshot that never got renamed into place: not valid.
  if (!read_only) ::unlink((dir + "/" + budget_internal::kSnapshotName + ".tmp").c_str());

  // The snapshot, if any.
  uint64_t last_seq = 0;
  const std::string snap_path = dir + "/" + budget_internal::kSnapshotName;
  absl::StatusOr<std::string> snap_bytes = budget_internal::ReadWholeFile(snap_path);
  if (snap_bytes.ok()) {
    absl::StatusOr<budget_internal::SnapshotData> snap =
        budget_internal::DecodeSnapshot(*snap_bytes, snap_path);
    if (!snap.ok()) return snap.status();
    for (const budget_internal::SnapshotScope& ss : snap->scopes) {
      absl::Status s = ValidateScopeKey(ss.key);
      if (!s.ok()) return absl::DataLossError(absl::StrCat(snap_path, ": ", s.message()));
      Stripe& st = *stripes[StripeOf(ss.key)];
      std::lock_guard<std::mutex> l(st.mu);
      ScopeState* sc = GetScope(st, ss.key);
      for (int w = 0; w < kNumWindows; ++w) {
        sc->w[w].period = ss.w[w].period;
        std::copy(ss.w[w].v, ss.w[w].v + kStored, sc->w[w].committed.v);
      }
    }
    last_seq = snap->last_seq;
    AtomicMax(time_floor, snap->taken_at);
    recovery.snapshot_loaded = true;
    recovery.snapshot_seq = last_seq;
  } else if (!absl::IsNotFound(snap_bytes.status())) {
    return snap_bytes.status();
  }

  // Replay the journal on top, skipping what the snapshot already holds.
  const std::string journal_path = dir + "/" + budget_internal::kJournalName;
  uint64_t max_seq = last_seq;
  uint64_t first_seq = 0;
  uint64_t prev_seq = 0;
  uint64_t bad_offset = UINT64_MAX;
  std::string bad_what;
  auto on_record = [&](std::string_view payload, uint64_t offset) -> absl::Status {
    if (bad_offset != UINT64_MAX) return absl::OkStatus();
    absl::StatusOr<UsageRecord> r = budget_internal::DecodeUsageRecord(payload);
    if (!r.ok() || r->seq <= prev_seq) {
      // A record with a good checksum but bad content, or out of order: treat it like a
      // corrupt tail (everything from it on is set aside).
      bad_offset = offset;
      bad_what = !r.ok() ? std::string(r.status().message()) : "sequence number out of order";
      return absl::OkStatus();
    }
    prev_seq = r->seq;
    if (first_seq == 0) first_seq = r->seq;
    if (r->seq <= last_seq) {
      ++recovery.records_skipped;
      return absl::OkStatus();
    }
    for (const std::string& key : r->scopes) {
      absl::Status s = ValidateScopeKey(key);
      if (!s.ok()) {
        bad_offset = offset;
        bad_what = std::string(s.message());
        return absl::OkStatus();
      }
    }
    ApplyRecord(*r).IgnoreError();
    max_seq = std::max(max_seq, r->seq);
    ++recovery.records_replayed;
    return absl::OkStatus();
  };
  absl::StatusOr<budget_internal::JournalScanResult> scan =
      budget_internal::ScanJournal(journal_path, on_record);
  if (!scan.ok()) return scan.status();
  uint64_t valid = scan->valid_bytes;
  std::string problem = scan->problem;
  // A torn tail is what a writer dying mid-record leaves: nothing intact after it. A record
  // with a good checksum but bad content is never torn.
  bool torn_tail = scan->intact_after == UINT64_MAX;
  if (bad_offset != UINT64_MAX) {
    valid = bad_offset;
    problem =
        absl::StrCat(journal_path, ": bad record at byte offset ", bad_offset, ": ", bad_what);
    torn_tail = false;
  }
  if (valid < scan->file_bytes) {
    if (!torn_tail && !options.repair_journal) {
      // Fail closed: cutting here would forget the spend of every record after the damage.
      std::string where =
          bad_offset != UINT64_MAX
              ? std::string("its checksum holds, so it is not a torn write")
              : absl::StrCat("an intact record follows at byte offset ", scan->intact_after);
      return absl::DataLossError(absl::StrCat(
          problem, "; ", where, ": the journal is damaged inside, not torn at its end, and ",
          scan->file_bytes - valid,
          " bytes of records would be lost. Nothing was changed. "
          "Restore the folder from a backup, or open with LedgerOptions::repair_journal to "
          "keep the ",
          recovery.records_replayed + recovery.records_skipped,
          " records before the damage and set the rest aside"));
    }
    recovery.problem = problem;
    recovery.bytes_discarded = scan->file_bytes - valid;
    recovery.repaired = !torn_tail;
    if (!read_only) {
      // Keep the valid prefix; save the rest for inspection and cut it off so new records
      // follow the last good one.
      absl::StatusOr<std::string> all = budget_internal::ReadWholeFile(journal_path);
      if (!all.ok()) return all.status();
      recovery.quarantine_path = absl::StrCat(journal_path, ".bad-", valid);
      absl::Status s = budget_internal::WriteFileDurably(
          dir, absl::StrCat(budget_internal::kJournalName, ".bad-", valid),
          std::string_view(*all).substr(valid));
      if (!s.ok()) return s;
      if (::truncate(journal_path.c_str(), static_cast<off_t>(valid)) != 0) {
        return ErrnoError("cannot cut the bad journal tail", journal_path, errno);
      }
      if (valid < budget_internal::kJournalHeaderSize && ::truncate(journal_path.c_str(), 0) != 0) {
        return ErrnoError("cannot reset the journal", journal_path, errno);
      }
    }
  }
  if (read_only) {
    std::lock_guard<std::mutex> j(journal_mu);
    next_seq = std::max(max_seq, prev_seq) + 1;
    journal_first_seq = first_seq != 0 ? first_seq : next_seq;
    return absl::OkStatus();
  }
  absl::StatusOr<std::unique_ptr<budget_internal::JournalWriter>> w =
      budget_internal::JournalWriter::Open(journal_path, options.fsync, options.fsync_every_n);
  if (!w.ok()) return w.status();
  std::lock_guard<std::mutex> j(journal_mu);
  journal = std::move(*w);
  next_seq = std::max(max_seq, prev_seq) + 1;
  journal_first_seq = first_seq != 0 ? first_seq : next_seq;
  records_since_snapshot.store(scan->records);
  return absl::OkStatus();
}

absl::Status BudgetLedger::Impl::TakeSnapshot() {
  if (options.dir.empty()) {
    return absl::FailedPreconditionError("snapshot: the ledger is in memory only (no dir)");
  }
  if (options.read_only) {
    return absl::FailedPreconditionError("snapshot: the ledger was opened read-only");
  }
  std::lock_guard<std::mutex> one(snapshot_mu);
  std::unique_lock<std::shared_mutex> g(gate);  // No commit in flight: counters match the journal.
  budget_internal::SnapshotData data;
  {
    std::lock_guard<std::mutex> j(journal_mu);
    data.last_seq = next_seq - 1;
  }
  data.taken_at = time_floor.load();
  for (const auto& stripe : stripes) {
    std::lock_guard<std::mutex> l(stripe->mu);
    for (const auto& [key, sc] : stripe->scopes) {
      budget_internal::SnapshotScope ss;
      ss.key = key;
      for (int w = 0; w < kNumWindows; ++w) {
        ss.w[w].period = sc->w[w].period;
        std::copy(sc->w[w].committed.v, sc->w[w].committed.v + kStored, ss.w[w].v);
      }
      data.scopes.push_back(std::move(ss));
    }
  }
  // Sorted, so equal ledgers write equal snapshots.
  std::sort(data.scopes.begin(), data.scopes.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
  absl::Status s = budget_internal::WriteFileDurably(options.dir, budget_internal::kSnapshotName,
                                                     budget_internal::EncodeSnapshot(data));
  if (!s.ok()) return s;

  // The snapshot is in place. Retire the journal's records; if we crash before this
  // completes, the next Open() skips them by sequence number.
  std::lock_guard<std::mutex> j(journal_mu);
  const std::string journal_path = options.dir + "/" + budget_internal::kJournalName;
  if (options.archive_journals && next_seq > journal_first_seq) {
    fsyncs_closed.fetch_add(journal->fsyncs());
    journal.reset();  // Syncs and closes.
    const std::string archived =
        absl::StrCat(journal_path, "-", journal_first_seq, "-", data.last_seq);
    if (::rename(journal_path.c_str(), archived.c_str()) != 0) {
      s = ErrnoError("cannot archive journal", journal_path, errno);
    }
    absl::StatusOr<std::unique_ptr<budget_internal::JournalWriter>> w =
        budget_internal::JournalWriter::Open(journal_path, options.fsync, options.fsync_every_n);
    if (!w.ok()) return w.status();  // TODO: the ledger then has no journal; Commit() fails.
    journal = std::move(*w);
    if (s.ok()) s = budget_internal::SyncDir(options.dir);
    if (!s.ok()) return s;
  } else {
    s = journal->Reset();
    if (!s.ok()) return s;
  }
  journal_first_seq = next_seq;
  records_since_snapshot.store(0);
  n_snapshots.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

// ------------------------------------------------------------------------------------------
// Public wrappers
// ------------------------------------------------------------------------------------------

BudgetLedger::BudgetLedger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BudgetLedger::~BudgetLedger() = default;

absl::StatusOr<std::unique_ptr<BudgetLedger>> BudgetLedger::Open(BudgetSpec spec,
                                                                 LedgerOptions options) {
  if (options.reservation_ttl <= 0 || options.late_commit_grace < 0) {
    return absl::InvalidArgumentError(
        "ledger: reservation_ttl must be > 0 and late_commit_grace >= 0");
  }
  if (options.lock_timeout < 0) {
    return absl::InvalidArgumentError("ledger: lock_timeout must be >= 0");
  }
  if (options.fsync == FsyncPolicy::kEveryN && options.fsync_every_n == 0) {
    return absl::InvalidArgumentError("ledger: fsync_every_n must be > 0 for FsyncPolicy::kEveryN");
  }
  if (options.unpriced == UnpricedPolicy::kUseFallbackPrices &&
      (options.fallback_prices.input < 0 || options.fallback_prices.output < 0)) {
    return absl::InvalidArgumentError(
        "ledger: UnpricedPolicy::kUseFallbackPrices needs fallback input and output prices");
  }
  absl::StatusOr<std::unique_ptr<CompiledSpec>> compiled = Compile(std::move(spec));
  if (!compiled.ok()) return compiled.status();
  auto impl = std::make_unique<Impl>();
  impl->clock = options.clock != nullptr ? options.clock : Clock::Real();
  uint32_t n = 1;
  while (n < std::max<uint32_t>(options.lock_stripes, 1) && n < (1u << 16)) n <<= 1;
  impl->stripes.reserve(n);
  for (uint32_t i = 0; i < n; ++i) impl->stripes.push_back(std::make_unique<Stripe>());
  impl->stripe_mask = n - 1;
  impl->spec = std::move(*compiled);
  impl->options = std::move(options);
  // Reservation ids differ across restarts of the same ledger, so an id from before a crash
  // can never settle a new reservation.
  impl->next_id.store((static_cast<uint64_t>(std::max<int64_t>(impl->clock->Now(), 0)) << 8) + 1);
  if (!impl->options.dir.empty()) {
    absl::Status s = impl->Recover();
    if (!s.ok()) return s;
  }
  return std::unique_ptr<BudgetLedger>(new BudgetLedger(std::move(impl)));
}

absl::StatusOr<Decision> BudgetLedger::Preflight(const PreflightRequest& request,
                                                 const PreflightOptions& options) {
  return impl_->Preflight(request, options);
}

absl::StatusOr<CountedRequest> BudgetLedger::CountChatBody(std::string_view body) {
  // The chat layer counts the request as the provider bills it. Messages already seen (the
  // history an agent loop re-sends) come from the ledger's per-message cache.
  std::call_once(chat_cache_once_, [this] { chat_cache_ = std::make_unique<MessageCountCache>(); });
  absl::StatusOr<ChatRequest> request = ParseChatRequest(body);
  if (!request.ok()) return request.status();
  ChatCountOptions options;
  options.cache = chat_cache_.get();
  absl::StatusOr<ChatCount> count = CountChatTokens(*request, options);
  if (!count.ok()) return count.status();
  CountedRequest out;
  out.model = count->model;
  out.input_tokens = static_cast<int64_t>(count->total);
  if (request->max_output_tokens) {
    out.max_output_tokens = static_cast<int64_t>(*request->max_output_tokens);
  }
  return out;
}

absl::StatusOr<Decision> BudgetLedger::PreflightBody(std::string_view body,
                                                     std::vector<std::string> scopes,
                                                     const PreflightOptions& options, int64_t step,
                                                     std::string conversation_id) {
  const LedgerOptions& o = impl_->options;
  absl::StatusOr<CountedRequest> counted =
      o.request_counter ? o.request_counter(body) : CountChatBody(body);
  if (!counted.ok()) return counted.status();
  absl::StatusOr<const ModelInfo*> model =
      o.model_resolver ? o.model_resolver(counted->model) : Catalog::Default().Find(counted->model);
  if (!model.ok()) return model.status();
  PreflightRequest req;
  req.model = *model;
  req.input_tokens = counted->input_tokens;
  req.max_output_tokens = counted->max_output_tokens;
  req.scopes = std::move(scopes);
  req.step = step;
  req.conversation_id = std::move(conversation_id);
  return impl_->Preflight(req, options);
}

absl::StatusOr<UsageRecord> BudgetLedger::Commit(ReservationId id, const Usage& usage,
                                                 std::optional<PicoUsd> cost) {
  return impl_->Commit(id, usage, cost);
}

absl::Status BudgetLedger::Release(ReservationId id) {
  Impl& m = *impl_;
  m.MaybeSweep(m.Now());
  ResShard& shard = m.ShardOf(id);
  std::shared_ptr<Reservation> r;
  {
    std::lock_guard<std::mutex> l(shard.mu);
    auto it = shard.live.find(id);
    if (it == shard.live.end()) {
      return absl::NotFoundError(
          absl::StrCat("release: reservation ", id, " is unknown or already settled"));
    }
    r = std::move(it->second);
    shard.live.erase(it);
  }
  if (!r->expired) {
    m.RemoveHolds(*r);
    m.n_active.fetch_sub(1, std::memory_order_relaxed);
  }
  m.n_releases.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

size_t BudgetLedger::ExpireReservations() { return impl_->Sweep(impl_->Now()); }

absl::Status BudgetLedger::Snapshot() { return impl_->TakeSnapshot(); }

absl::Status BudgetLedger::Flush() {
  std::lock_guard<std::mutex> j(impl_->journal_mu);
  if (!impl_->journal) return absl::OkStatus();
  return impl_->journal->Sync();
}

absl::Status BudgetLedger::ReplaceSpec(BudgetSpec spec) {
  absl::StatusOr<std::unique_ptr<CompiledSpec>> compiled = Compile(std::move(spec));
  if (!compiled.ok()) return compiled.status();
  Impl& m = *impl_;
  for (auto& s : m.stripes) s->mu.lock();
  m.spec.swap(*compiled);
  for (auto& s : m.stripes) {
    for (auto& [key, sc] : s->scopes) sc->limits = m.spec->Resolve(key);
  }
  for (auto it = m.stripes.rbegin(); it != m.stripes.rend(); ++it) (*it)->mu.unlock();
  return absl::OkStatus();
}

ScopeUsage BudgetLedger::GetScopeUsage(std::string_view scope) const {
  Impl& m = *impl_;
  const UnixMicros now = m.Now();
  ScopeUsage u;
  for (int w = 0; w < kNumWindows; ++w) u.windows[w].period = PeriodOf(static_cast<Window>(w), now);
  Stripe& s = *m.stripes[m.StripeOf(scope)];
  std::lock_guard<std::mutex> l(s.mu);
  auto it = s.scopes.find(base::ToAbsl(scope));
  if (it == s.scopes.end()) return u;
  for (int w = 0; w < kNumWindows; ++w) {
    const WindowCounter& c = it->second->w[w];
    if (c.period < u.windows[w].period.id) continue;  // Stale: the window has rolled over.
    ScopeUsage::PerWindow& pw = u.windows[w];
    pw.requests = c.committed.v[0];
    pw.input_tokens = c.committed.v[1];
    pw.output_tokens = c.committed.v[2];
    pw.cost = c.committed.v[3];
    pw.reserved_requests = c.reserved.v[0];
    pw.reserved_input_tokens = c.reserved.v[1];
    pw.reserved_output_tokens = c.reserved.v[2];
    pw.reserved_cost = c.reserved.v[3];
  }
  return u;
}

const RecoveryReport& BudgetLedger::recovery() const { return impl_->recovery; }

LedgerStats BudgetLedger::stats() const {
  Impl& m = *impl_;
  LedgerStats s;
  s.preflights = m.n_preflights.load();
  s.admitted = m.n_admitted.load();
  s.denied = m.n_denied.load();
  s.commits = m.n_commits.load();
  s.late_commits = m.n_late.load();
  s.releases = m.n_releases.load();
  s.expired = m.n_expired.load();
  s.journal_records = m.n_records.load();
  s.snapshots = m.n_snapshots.load();
  s.active_reservations = m.n_active.load();
  {
    std::lock_guard<std::mutex> j(m.journal_mu);
    s.fsyncs = m.fsyncs_closed.load() + (m.journal ? m.journal->fsyncs() : 0);
  }
  return s;
}

}  // namespace tokwise
