// tokwise/budget.h: pre-flight budget checks, reservations and a durable spend ledger.
//
// Before each model call an app asks the ledger whether the call fits: the model's context
// window, the budgets of every scope the call belongs to (user, workflow, agent, model, any
// tag) and the rate limits. An admitted call holds a reservation (its input tokens, its
// maximum output and its projected cost) until the app commits the provider's real usage or
// releases the reservation on failure. Committed spend goes to an append-only journal, so a
// restart loses none of it.
//
//   tokwise::BudgetSpec spec = *tokwise::BudgetSpec::FromJson(R"({"budgets": [
//       {"scope": "user:*", "usd_per_day": "5"},
//       {"scope": "model:gpt-4o", "requests_per_minute": 500}]})");
//   tokwise::LedgerOptions options;
//   options.dir = "/var/lib/myapp/ledger";           // empty: in memory only
//   auto ledger = *tokwise::BudgetLedger::Open(spec, options);
//
//   tokwise::PreflightRequest req;
//   req.model = *tokwise::Catalog::Default().Find("gpt-4o");
//   req.input_tokens = 1200;                         // exact count of the chat request
//   req.max_output_tokens = 500;
//   req.scopes = {"user:alice", "workflow:triage"};  // "model:gpt-4o" is added for you
//   tokwise::Decision d = *ledger->Preflight(req);
//   if (!d.allowed()) return Reject(d.message);
//   ... call the provider ...
//   ledger->Commit(d.reservation, usage);            // or ledger->Release(d.reservation)
//
// Money is exact: budgets, projected and committed costs are integer pico-dollars (PicoUsd,
// see catalog.h). Time is microseconds since the Unix epoch, read from an injectable Clock.
//
// Thread safety: a BudgetLedger may be used by any number of threads at once. Check and
// reserve is one atomic step across all the scopes of a call (the scopes' lock stripes are
// taken in a fixed order), so concurrent calls can never together exceed a limit.
#ifndef TOKWISE_BUDGET_H_
#define TOKWISE_BUDGET_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokwise/catalog.h"

namespace tokwise {

class MessageCountCache;  // tokwise/chat.h

// ------------------------------------------------------------------------------------------
// Time
// ------------------------------------------------------------------------------------------

// Microseconds since 1970-01-01T00:00:00Z (Unix time: leap seconds are not counted).
using UnixMicros = int64_t;

inline constexpr UnixMicros kMicrosPerSecond = 1'000'000;

// The ledger's source of time. Tests inject a ManualClock; production uses Clock::Real().
class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixMicros Now() const = 0;
  // The system clock (std::chrono::system_clock). A process-wide singleton; thread-safe.
  static const Clock* Real();
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(UnixMicros now) : now_(now) {}
  UnixMicros Now() const override { return now_.load(std::memory_order_acquire); }
  void Set(UnixMicros now) { now_.store(now, std::memory_order_release); }
  void Advance(UnixMicros delta) { now_.fetch_add(delta, std::memory_order_acq_rel); }

 private:
  std::atomic<int64_t> now_;
};

// Returns the Unix time of a UTC civil time. Fields are not range-checked beyond what the
// arithmetic needs: month 1..12, day 1..31. Handy for tests and budget reports.
UnixMicros UnixMicrosFromUtc(int year, int month, int day, int hour = 0, int minute = 0,
                             int second = 0);

// Formats a time as "2025-01-31T23:59:59Z" (UTC; microseconds are dropped).
std::string FormatUtc(UnixMicros t);

// Parses "2025-01-31T23:59:59Z" (or without the seconds, or a date alone: midnight). The
// inverse of FormatUtc(). InvalidArgument names what is wrong.
absl::StatusOr<UnixMicros> ParseUtc(std::string_view text);

// Formats exact money: "$0.0035", "$5.00" (at least two decimals, no trailing zeros beyond).
std::string FormatPicoUsd(PicoUsd pico);

// ------------------------------------------------------------------------------------------
// Limits
// ------------------------------------------------------------------------------------------

// What a limit counts. Input tokens are all input buckets (uncached, cache reads and cache
// writes): that is what providers' tokens-per-minute limits count and what fills the window.
enum class Metric : uint8_t {
  kRequests = 0,
  kInputTokens = 1,
  kOutputTokens = 2,  // Reasoning tokens included.
  kTokens = 3,        // Input + output.
  kCostPicoUsd = 4,   // Exact cost in pico-dollars.
};

// The window a limit is counted over. Every window is a fixed period aligned in UTC: the
// minute starting at second 0, the hour at minute 0, the day at midnight UTC, the calendar
// month on the 1st at midnight UTC (a real month: 28, 29, 30 or 31 days), or all time.
// Spend is attributed to the period in which the call was admitted (its pre-flight), even if
// it is committed in the next one.
//
// TODO: minute and hour limits are fixed windows, not sliding ones, so up to twice a rate
// limit can pass within one minute across a window boundary; providers enforce theirs with
// sliding windows or token buckets, so an app may still see the provider's 429 in that case.
enum class Window : uint8_t { kMinute = 0, kHour = 1, kDay = 2, kMonth = 3, kTotal = 4 };
inline constexpr int kNumWindows = 5;

const char* MetricName(Metric m);  // "requests", "input_tokens", "output_tokens", ...
const char* WindowName(Window w);  // "minute", "hour", "day", "month", "total"

// One period of a window: [start, end). For kTotal: id 0, start INT64_MIN, end INT64_MAX.
struct Period {
  int64_t id = 0;  // Minutes / hours / days since the epoch; year * 12 + month - 1; 0.
  UnixMicros start = 0;
  UnixMicros end = 0;
};

// Returns the period of `window` containing `t`.
Period PeriodOf(Window window, UnixMicros t);

// A limit: at most `max` of `metric` per period of `window`. Cost limits are in pico-dollars.
struct Limit {
  Metric metric = Metric::kTokens;
  Window window = Window::kDay;
  int64_t max = 0;
};

// The limits of one scope.
//
// A scope key is "kind:name": "user:alice", "workflow:triage", "agent:coder",
// "model:gpt-4o", "team:search", ... The kind is 1-64 characters of [a-z0-9_.-]; the name is
// any non-empty text. In a budget, "kind:*" gives every scope of that kind its own copy of
// the limits ("every user gets $5 a day"); an exact key replaces the template for that scope
// ("alice gets $50"), it does not add to it.
struct ScopeBudget {
  std::string scope;
  std::vector<Limit> limits;
};

// Every budget the ledger enforces. Scopes without a budget are still metered (their spend
// is tracked, so a budget added later sees the spend already recorded).
struct BudgetSpec {
  std::vector<ScopeBudget> budgets;

  // Parses the JSON form:
  //
  //   {"budgets": [
  //     {"scope": "user:*", "usd_per_day": "5", "tokens_per_month": 2000000},
  //     {"scope": "user:alice", "usd_per_day": 50.25},
  //     {"scope": "model:gpt-4o", "requests_per_minute": 500,
  //      "input_tokens_per_minute": 30000, "output_tokens_per_minute": 8000},
  //     {"scope": "workflow:nightly", "usd_total": "100"}]}
  //
  // Limit keys are <metric>_per_<minute|hour|day|month> or <metric>_total, the metric being
  // requests, input_tokens, output_tokens, tokens or usd. Counts are non-negative integers;
  // usd is a plain decimal (number or string) with at most 12 decimals, converted exactly.
  // Errors (InvalidArgument) name the JSON path: unknown keys, bad scope keys, duplicate
  // scopes, negative or fractional counts, exponents, overflow.
  static absl::StatusOr<BudgetSpec> FromJson(std::string_view json);
};

// Checks a scope key ("kind:name"); with `allow_wildcard`, "kind:*" too.
absl::Status ValidateScopeKey(std::string_view key, bool allow_wildcard = false);

// ------------------------------------------------------------------------------------------
// Usage (what the provider billed) and usage records (what the ledger recorded)
// ------------------------------------------------------------------------------------------

// A call's usage in the billing buckets of catalog.h's Prices. The input buckets are
// disjoint: total input = input_uncached + cache_read + cache_write_5m + cache_write_1h.
struct Usage {
  int64_t input_uncached = 0;
  int64_t cache_read = 0;
  int64_t cache_write_5m = 0;
  int64_t cache_write_1h = 0;
  int64_t output = 0;     // Reasoning tokens included.
  int64_t reasoning = 0;  // The part of `output` spent reasoning (informational).

  int64_t input_total() const {
    return input_uncached + cache_read + cache_write_5m + cache_write_1h;
  }
};

// One committed call, as journaled and as handed to LedgerOptions::on_commit.
struct UsageRecord {
  uint64_t seq = 0;            // Journal sequence number, 1, 2, ... per ledger.
  UnixMicros admitted_at = 0;  // Time of the pre-flight: decides the periods charged.
  UnixMicros committed_at = 0;
  std::vector<std::string> scopes;  // Every scope charged, "model:<id>" included.
  std::string model;                // ModelInfo::id.
  std::string provider;             // ModelInfo::provider.
  Usage usage;
  PicoUsd cost = 0;        // Exact; 0 when !cost_known.
  bool cost_known = true;  // False when the call could not be priced (see UnpricedPolicy).
  int64_t step = -1;       // Agent-loop step index given at pre-flight; -1 if none.
  std::string conversation_id;
  bool late = false;  // Committed after its reservation had expired.
  // The usage had more input tokens or more output tokens than the reservation held (e.g. the
  // provider was sent a larger max_tokens than was reserved). The real usage is charged in
  // full, but the admission check counted only the reservation, so a limit can end up
  // overshot by the difference. Journaled; records written before this flag existed read
  // back false.
  bool exceeded_reservation = false;
};

// An OpenTelemetry attribute value.
using OtelValue = std::variant<int64_t, double, std::string, std::vector<std::string>>;

// Returns the record as OpenTelemetry GenAI attributes (semantic conventions, gen_ai.*):
//   gen_ai.request.model, gen_ai.provider.name,
//   gen_ai.usage.input_tokens (all input, cached included, as the conventions ask),
//   gen_ai.usage.output_tokens (reasoning included), gen_ai.usage.cache_read.input_tokens,
//   gen_ai.usage.cache_creation.input_tokens (5-minute + 1-hour writes),
//   gen_ai.usage.reasoning.output_tokens, and when the call has them
//   gen_ai.conversation.id, gen_ai.agent.name (from an "agent:" scope),
//   gen_ai.workflow.name (from a "workflow:" scope);
// plus our own: tokwise.cost_usd (double, rounded; only when the cost is known),
// tokwise.cost_pico_usd (exact), tokwise.scopes, tokwise.step (when >= 0).
// Empty values are left out; the order is fixed.
std::vector<std::pair<std::string, OtelValue>> OtelAttributes(const UsageRecord& record);

// Calls `fn` for every usage record journaled in `dir` (archived journals, oldest first, then
// the live journal), stopping early if `fn` returns false. A torn or corrupt record ends the
// file it is in and is counted in the result, not an error; if intact records follow it
// (damage inside the file, see BudgetLedger::Open), the file also counts in damaged_files
// and the records after the damage are not read. Records already folded into a
// snapshot are gone unless LedgerOptions::archive_journals kept them. Safe while the ledger
// is open (it reads the prefix written so far).
struct JournalScan {
  uint64_t records = 0;
  uint64_t files = 0;
  uint64_t bad_tails = 0;      // Files that end in a torn or corrupt record.
  uint64_t damaged_files = 0;  // Of those, files with intact records after the bad one.
};
absl::StatusOr<JournalScan> ReadUsageRecords(const std::string& dir,
                                             const std::function<bool(const UsageRecord&)>& fn);

// ------------------------------------------------------------------------------------------
// Pre-flight
// ------------------------------------------------------------------------------------------

using ReservationId = uint64_t;  // 0: no reservation.

struct PreflightRequest {
  // The model: context window, maximum output and prices. Required; read during the call
  // only (what the reservation needs is copied).
  const ModelInfo* model = nullptr;
  // Exact input tokens of the request as the provider will bill them (chat counting).
  int64_t input_tokens = 0;
  // The request's max output tokens; absent: the model's max output, or what remains of the
  // context window if that is less (what the provider would allow).
  std::optional<int64_t> max_output_tokens;
  // The part of input_tokens expected to be read from / written to the prompt cache, for the
  // projected cost. Default: all uncached. Commit reconciles with the real split.
  int64_t expected_cache_read = 0;
  int64_t expected_cache_write_5m = 0;
  int64_t expected_cache_write_1h = 0;
  // Scopes charged, e.g. {"user:alice", "workflow:triage", "agent:coder"}. "model:<id>" is
  // added unless already present; duplicates are charged once.
  std::vector<std::string> scopes;
  // Recorded in the usage record: agent-loop step index (-1: none) and conversation id.
  int64_t step = -1;
  std::string conversation_id;
};

struct PreflightOptions {
  // Decide only: reserve nothing (to try budgets out).
  bool dry_run = false;
  // When the requested output does not fit (context window, model max output, budgets),
  // admit with the reserved output lowered to the largest that fits, if that is at least
  // `min_output_tokens`. The caller must then send max_tokens = reserved_output_tokens.
  bool shrink_output_to_fit = false;
  int64_t min_output_tokens = 1;
  // Time to live of this reservation; 0: LedgerOptions::reservation_ttl.
  UnixMicros ttl = 0;
};

// Why a call was denied. Values are stable (they are journaled nowhere, but scripts see them).
enum class DecisionCode : uint8_t {
  kAllowed = 0,
  kContextWindow = 1,   // Input + output do not fit the model's context window.
  kMaxOutput = 2,       // The requested max output is above the model's max output.
  kBudgetExceeded = 3,  // A day, month or total limit.
  kRateLimited = 4,     // A minute or hour limit.
  kUnpriced = 5,        // The model has no price and a dollar limit applies (UnpricedPolicy).
};
const char* DecisionCodeName(DecisionCode code);  // "allowed", "context_window", ...

// Where one limit stands for this call.
struct LimitStatus {
  std::string scope;  // The call's scope key ("user:alice"), not the template.
  Limit limit;
  Period period;          // The current period of the limit's window.
  int64_t used = 0;       // Committed in the period.
  int64_t reserved = 0;   // Held by admitted calls not yet committed (this one included if
                          // it was admitted and not a dry run).
  int64_t remaining = 0;  // max(0, limit - used - reserved).
  int64_t request = 0;    // What this call adds (its reservation).
  bool blocking = false;  // This limit denied the call.
};

struct Decision {
  DecisionCode code = DecisionCode::kAllowed;
  bool allowed() const { return code == DecisionCode::kAllowed; }
  // A human sentence: why the call was denied, or a summary of what was reserved.
  std::string message;
  // The reservation to Commit() or Release(); 0 when denied or on a dry run.
  ReservationId reservation = 0;
  UnixMicros expires_at = 0;  // When the reservation lapses if never committed.
  int64_t input_tokens = 0;
  int64_t reserved_output_tokens = 0;  // The output reserved (after shrinking, if any).
  PicoUsd projected_cost = 0;          // Input + reserved output at the model's prices.
  bool cost_known = true;              // False if the model could not be priced.
  // The largest max output that would fit the context window, the model's max output and
  // every limit right now (0 if none does).
  int64_t max_output_that_fits = 0;
  // When denied: when the blocking limits' windows roll over (the earliest time a retry can
  // pass, the latest of the blocking windows' ends); -1 if waiting cannot help (a total
  // limit, the context window, a request larger than a limit on its own).
  UnixMicros retry_at = -1;
  // Every limit that applies to the call's scopes.
  std::vector<LimitStatus> limits;
};

// The decision as one JSON object (for scripts and the CLI).
std::string DecisionToJson(const Decision& decision);

// ------------------------------------------------------------------------------------------
// The ledger
// ------------------------------------------------------------------------------------------

// What to do when a call cannot be priced (the model lacks an input or output price, or a
// cache bucket used has no price). The check is never skipped.
enum class UnpricedPolicy : uint8_t {
  // Deny the call if any of its scopes has a dollar limit; otherwise admit it with an
  // unknown cost (token and request limits still apply) and record cost_known = false.
  kDeny = 0,
  // Price the missing buckets with LedgerOptions::fallback_prices (e.g. the most expensive
  // model you use), and check dollar limits with that price.
  kUseFallbackPrices = 1,
};

enum class FsyncPolicy : uint8_t {
  kEveryCommit = 0,  // fdatasync after every journal record: nothing is lost on power loss.
  kEveryN = 1,       // fdatasync every LedgerOptions::fsync_every_n records, and on close.
  kNever = 2,        // Leave it to the OS.
};
// Every policy writes each record to the kernel with one write() before Commit() returns, so
// a process crash loses nothing; only a machine crash can lose the records since the last
// fdatasync.

// A chat request counted by the chat layer: the hook PreflightBody() calls. The counter
// should count each message's content through a shared TokenCountCache (count_cache.h), so
// that step N of an agent loop costs about the tokenization of its new message only.
//
// Without a counter installed, PreflightBody() counts the body with the chat layer
// (ParseChatRequest + CountChatTokens, format detected from the fields) through a
// per-ledger MessageCountCache.
struct CountedRequest {
  std::string model;
  int64_t input_tokens = 0;
  std::optional<int64_t> max_output_tokens;
};
using RequestCounter = std::function<absl::StatusOr<CountedRequest>(std::string_view body)>;
using ModelResolver = std::function<absl::StatusOr<const ModelInfo*>(std::string_view model)>;

struct LedgerOptions {
  // Folder of the journal and snapshots (created if missing). Empty: in memory only.
  std::string dir;
  FsyncPolicy fsync = FsyncPolicy::kEveryCommit;
  uint32_t fsync_every_n = 64;
  // Take a snapshot (and start a new journal) after this many journal records; 0: only on
  // Snapshot().
  uint64_t snapshot_every = 100'000;
  // Keep the journals a snapshot has folded in (renamed journal-<first>-<last>) instead of
  // deleting them, so ReadUsageRecords() sees every record ever committed.
  bool archive_journals = false;
  // A reservation not committed or released within this time stops holding budget.
  UnixMicros reservation_ttl = 10 * 60 * kMicrosPerSecond;
  // An expired reservation can still be committed (late) for this long afterwards; its real
  // usage is then charged (a call that happened is never dropped). After that: NotFound.
  UnixMicros late_commit_grace = 60 * 60 * kMicrosPerSecond;
  UnpricedPolicy unpriced = UnpricedPolicy::kDeny;
  Prices fallback_prices;        // For kUseFallbackPrices: input and output must be priced.
  const Clock* clock = nullptr;  // Not owned; must outlive the ledger. nullptr: Clock::Real().
  // Called after every successful Commit(), outside the ledger's locks, on the committing
  // thread. Must not call back into the ledger's Commit() for the same reservation.
  std::function<void(const UsageRecord&)> on_commit;
  // Hooks of PreflightBody(): the request counter (nullptr: the chat layer's count, see
  // CountedRequest) and the model lookup (nullptr: Catalog::Default().Find()).
  RequestCounter request_counter;
  ModelResolver model_resolver;
  uint32_t lock_stripes = 64;  // Rounded up to a power of two.

  // How long Open() waits for another ledger (in this or another process) to close `dir`
  // before failing with Unavailable. Measured on the steady clock, not on `clock`. 0 (the
  // default): do not wait, so an app learns at once that the folder is in use; the CLI,
  // where short runs queue for one folder, waits 10 s (`--lock-timeout`).
  UnixMicros lock_timeout = 0;

  // Damage inside the journal (see "Journal recovery" at BudgetLedger::Open) makes Open()
  // fail with DataLoss. With repair_journal, Open() instead keeps the records before the
  // damage, moves everything from it on aside (journal.bad-<offset>) and reports it in
  // recovery(): the spend in the records set aside is no longer counted. Meant for an
  // operator who has looked at the damage, not as a default.
  bool repair_journal = false;

  // Open without changing any file: no folder or journal is created, a torn tail or (with
  // repair_journal) damage is reported in recovery() but neither cut nor moved aside, the
  // lock is taken shared (read-only ledgers of one folder run together; a writer waits for
  // them, and they for it). Pre-flight works (reservations live in memory as always);
  // Commit() and Snapshot() fail with FailedPrecondition. For dry runs and inspection.
  bool read_only = false;
};

// What Open() found on disk.
struct RecoveryReport {
  bool snapshot_loaded = false;
  uint64_t snapshot_seq = 0;      // Last record folded into the snapshot.
  uint64_t records_replayed = 0;  // Journal records applied on top of the snapshot.
  uint64_t records_skipped = 0;   // Journal records already in the snapshot (not re-applied).
  uint64_t bytes_discarded = 0;   // Torn tail (or repaired damage), moved aside.
  std::string problem;            // Empty if the journal was clean; else what and where.
  std::string quarantine_path;    // Where the discarded bytes were saved; empty if read-only.
  // The damage was inside the journal (intact records followed it) and was cut only because
  // LedgerOptions::repair_journal asked for it.
  bool repaired = false;
};

// Committed and reserved amounts of one scope in the current period of each window.
struct ScopeUsage {
  struct PerWindow {
    Period period;
    int64_t requests = 0, input_tokens = 0, output_tokens = 0;
    PicoUsd cost = 0;
    int64_t reserved_requests = 0, reserved_input_tokens = 0, reserved_output_tokens = 0;
    PicoUsd reserved_cost = 0;
  };
  PerWindow windows[kNumWindows];  // Indexed by Window.
};

struct LedgerStats {
  uint64_t preflights = 0, admitted = 0, denied = 0;
  uint64_t commits = 0, late_commits = 0, releases = 0, expired = 0;
  uint64_t journal_records = 0, fsyncs = 0, snapshots = 0;
  uint64_t active_reservations = 0;
};

class BudgetLedger {
 public:
  // Opens a ledger: loads the snapshot and replays the journal of `options.dir` (if any).
  // Committed spend is durable; reservations live in memory only, so a restart drops the
  // holds of calls in flight (their callers died with the process).
  //
  // One ledger object per folder at a time: Open() takes the folder's LOCK file, waiting up
  // to options.lock_timeout for another holder (another process, or another ledger object
  // in this one) to close it.
  //
  // Journal recovery fails closed. A budget guard that silently forgot spend would admit
  // calls it must deny, so the only damage Open() repairs by itself is a torn TAIL: the last
  // record incomplete because the writer died (a record header or payload running past the
  // end of the file, a checksum mismatch in the final record, a tail of zeros), which no
  // intact record follows. Such a tail is cut (saved as journal.bad-<offset>) and reported in
  // recovery(); the records before it are kept. Anything else (a bad record with intact
  // records after it, or a record whose checksum holds but whose content does not decode)
  // is damage inside the journal: Open() fails with DataLoss naming the file and byte
  // offset, and changes no file, unless options.repair_journal asks to keep the valid
  // prefix (recovery().repaired). With options.read_only nothing is ever cut or moved.
  //
  // TODO: the state of every scope ever charged stays in memory (about 400 bytes each) and
  // in every snapshot; an app minting a scope per request (e.g. "request:<uuid>") grows
  // without bound. Evicting scopes idle for a month with no total limit would cap it.
  //
  // Errors: Unavailable if another ledger still holds the folder after lock_timeout;
  // DataLoss for damage inside the journal (see above) or a corrupt snapshot (naming the
  // file); InvalidArgument for bad options or scope keys; the folder cannot be made or read
  // (NotFound, PermissionDenied, Internal, naming the path).
  static absl::StatusOr<std::unique_ptr<BudgetLedger>> Open(BudgetSpec spec, LedgerOptions options);
  ~BudgetLedger();
  BudgetLedger(const BudgetLedger&) = delete;
  BudgetLedger& operator=(const BudgetLedger&) = delete;

  // Decides whether a call fits and, if so (and not a dry run), reserves it atomically in
  // every scope. Order of checks: context window and model max output, pricing, then every
  // limit of every scope. A limit only blocks a call that adds to it: a model priced at zero
  // is never stopped by a dollar limit. Errors (InvalidArgument) are for malformed requests
  // only (no model, negative counts, bad scope keys, a model without context window, no
  // max output to reserve); a denial is an OK status with !decision.allowed().
  absl::StatusOr<Decision> Preflight(const PreflightRequest& request,
                                     const PreflightOptions& options = {});

  // As Preflight(), for a raw request body: LedgerOptions::request_counter counts it and
  // names the model, model_resolver finds the model. FailedPrecondition without a counter.
  absl::StatusOr<Decision> PreflightBody(std::string_view body, std::vector<std::string> scopes,
                                         const PreflightOptions& options = {}, int64_t step = -1,
                                         std::string conversation_id = {});

  // Reconciles a reservation with the provider's usage: frees what was held, charges the real
  // tokens and cost to every scope (in the periods of the pre-flight), journals the record
  // and calls on_commit. `cost`, if given, is used as the exact cost instead of pricing the
  // usage (e.g. a provider-reported cost). A reservation that expired less than
  // late_commit_grace ago is still committed (record.late). Errors: NotFound (unknown,
  // already committed or released, or expired too long ago), InvalidArgument (negative
  // counts; usage in a bucket the model has no price for, without `cost`, under
  // UnpricedPolicy::kDeny: the reservation is then left untouched), FailedPrecondition for a
  // read-only ledger, or the journal write failing (the reservation is then left untouched,
  // nothing is charged). Usage above what was reserved is charged in full and flagged in
  // the record (UsageRecord::exceeded_reservation).
  absl::StatusOr<UsageRecord> Commit(ReservationId id, const Usage& usage,
                                     std::optional<PicoUsd> cost = std::nullopt);

  // Gives back a reservation whose call failed (nothing is charged). NotFound if unknown or
  // already settled. Releasing an expired reservation is OK and does nothing.
  absl::Status Release(ReservationId id);

  // Frees every reservation whose time to live has passed. Pre-flight does this by itself
  // when one is due; returns how many expired.
  size_t ExpireReservations();

  // Writes a snapshot of every counter and starts a new journal. Blocks commits meanwhile.
  // FailedPrecondition for an in-memory ledger.
  absl::Status Snapshot();

  // fdatasync()s the journal now (for FsyncPolicy::kEveryN / kNever).
  absl::Status Flush();

  // Replaces the budgets. Spend already recorded stays and counts against the new limits.
  absl::Status ReplaceSpec(BudgetSpec spec);

  // Where a scope stands now, in every window (zero for a scope never charged).
  ScopeUsage GetScopeUsage(std::string_view scope) const;

  const RecoveryReport& recovery() const;
  LedgerStats stats() const;

  struct Impl;

 private:
  explicit BudgetLedger(std::unique_ptr<Impl> impl);
  absl::StatusOr<CountedRequest> CountChatBody(std::string_view body);

  std::unique_ptr<Impl> impl_;
  std::once_flag chat_cache_once_;
  std::unique_ptr<MessageCountCache> chat_cache_;
};

}  // namespace tokwise

#endif  // TOKWISE_BUDGET_H_
