// Pre-flight decisions, windows, pricing, reservations and the failure modes of issue 8:
// a "monthly" window that is really 28 days, an unpriceable call skipping the check,
// reservations that block forever, a free model blocked by a dollar budget.
// (Concurrency: budget_concurrency_test.cc; durability: budget_journal_test.cc.)
#include "tokwise/budget.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "budget_test_util.h"
#include "simdjson.h"

namespace tokwise {
namespace {

using testing::FreeLocalModel;
using testing::Gpt4o;
using testing::InOut;
using testing::kUsd;
using testing::MakeLedger;
using testing::Req;
using testing::Sonnet45;
using testing::UnpricedModel;

constexpr UnixMicros kSec = kMicrosPerSecond;

LedgerOptions ClockOnly(const Clock* clock) {
  LedgerOptions o;
  o.clock = clock;
  return o;
}

const LimitStatus* FindLimit(const Decision& d, const std::string& scope, Metric m, Window w) {
  for (const LimitStatus& l : d.limits) {
    if (l.scope == scope && l.limit.metric == m && l.limit.window == w) return &l;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------
// Calendar windows
// ---------------------------------------------------------------------------------------

// Every month from 1900 to 2200 against Abseil's civil-time library (an independent
// implementation of the proleptic Gregorian calendar).
TEST(Windows, MonthPeriodsMatchAbseilCivilTime) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  for (int y = 1900; y <= 2200; ++y) {
    for (int m = 1; m <= 12; ++m) {
      const absl::CivilMonth month(y, m);
      const UnixMicros start = absl::ToUnixMicros(absl::FromCivil(month, utc));
      const UnixMicros end = absl::ToUnixMicros(absl::FromCivil(month + 1, utc));
      for (UnixMicros t : {start, start + 1, (start + end) / 2, end - 1}) {
        const Period p = PeriodOf(Window::kMonth, t);
        ASSERT_EQ(p.start, start) << y << "-" << m << " t=" << t;
        ASSERT_EQ(p.end, end) << y << "-" << m;
        ASSERT_EQ(p.id, int64_t{y} * 12 + m - 1);
      }
      ASSERT_EQ(UnixMicrosFromUtc(y, m, 1), start);
    }
  }
}

TEST(Windows, MonthLengthsAreRealCalendarMonths) {
  auto days = [](int y, int m) {
    const Period p = PeriodOf(Window::kMonth, UnixMicrosFromUtc(y, m, 15));
    return (p.end - p.start) / (86400 * kSec);
  };
  EXPECT_EQ(days(2023, 2), 28);
  EXPECT_EQ(days(2024, 2), 29);  // Leap year.
  EXPECT_EQ(days(1900, 2), 28);  // Divisible by 100, not by 400: not a leap year.
  EXPECT_EQ(days(2000, 2), 29);  // Divisible by 400: a leap year.
  EXPECT_EQ(days(2025, 1), 31);
  EXPECT_EQ(days(2025, 4), 30);
  EXPECT_EQ(days(2025, 12), 31);
}

TEST(Windows, FixedWindowsAlignToUtcAndHandleTimesBeforeTheEpoch) {
  const UnixMicros t = UnixMicrosFromUtc(2025, 3, 9, 14, 27, 31) + 123;
  EXPECT_EQ(PeriodOf(Window::kMinute, t).start, UnixMicrosFromUtc(2025, 3, 9, 14, 27, 0));
  EXPECT_EQ(PeriodOf(Window::kHour, t).start, UnixMicrosFromUtc(2025, 3, 9, 14, 0, 0));
  EXPECT_EQ(PeriodOf(Window::kDay, t).start, UnixMicrosFromUtc(2025, 3, 9));
  EXPECT_EQ(PeriodOf(Window::kDay, t).end, UnixMicrosFromUtc(2025, 3, 10));
  const UnixMicros before = UnixMicrosFromUtc(1969, 12, 31, 23, 59, 59);
  EXPECT_EQ(before, -kSec);
  EXPECT_EQ(PeriodOf(Window::kDay, before).start, UnixMicrosFromUtc(1969, 12, 31));
  EXPECT_EQ(PeriodOf(Window::kMonth, before).start, UnixMicrosFromUtc(1969, 12, 1));
  EXPECT_EQ(PeriodOf(Window::kTotal, t).id, 0);
  EXPECT_EQ(FormatUtc(t), "2025-03-09T14:27:31Z");
  EXPECT_EQ(FormatUtc(before), "1969-12-31T23:59:59Z");
  EXPECT_EQ(*ParseUtc("2025-03-09T14:27:31Z"), t - 123);
  EXPECT_EQ(*ParseUtc("2024-02-29"), UnixMicrosFromUtc(2024, 2, 29));
  EXPECT_EQ(*ParseUtc("2024-02-29T08:15"), UnixMicrosFromUtc(2024, 2, 29, 8, 15, 0));
  EXPECT_FALSE(ParseUtc("2023-02-29").ok());  // Not a leap year.
  EXPECT_FALSE(ParseUtc("2025-13-01").ok());
  EXPECT_FALSE(ParseUtc("2025-01-01T24:00:00Z").ok());
  EXPECT_FALSE(ParseUtc("2025-01-01T10:00:00+02:00").ok());  // UTC only.
  EXPECT_FALSE(ParseUtc("yesterday").ok());
  EXPECT_EQ(FormatPicoUsd(3'500'000'000), "$0.0035");
  EXPECT_EQ(FormatPicoUsd(5 * testing::kUsd), "$5.00");
  EXPECT_EQ(FormatPicoUsd(1), "$0.000000000001");
  EXPECT_EQ(FormatPicoUsd(-2'500'000'000'000), "-$2.50");
}

// Failure mode: a "monthly" budget that is really 28 (or 30) days. The month must reopen
// exactly on the 1st at 00:00 UTC: not on day 29 of February in a leap year, not on
// March 31, and not a moment before the 1st.
TEST(FailureModes, MonthlyBudgetIsACalendarMonthNot28Days) {
  ManualClock clock(UnixMicrosFromUtc(2024, 2, 1, 0, 0, 0));
  auto ledger =
      MakeLedger(R"({"budgets":[{"scope":"user:*","usd_per_month":"1"}]})", ClockOnly(&clock));
  const ModelInfo m = Gpt4o();
  // Spend the whole dollar on Feb 1: 400,000 input tokens at $2.50 / M.
  for (int i = 0; i < 4; ++i) {
    auto d = ledger->Preflight(Req(m, 100000, 0, {"user:u"}));
    ASSERT_TRUE(d.ok() && d->allowed()) << d->message;
    ASSERT_TRUE(ledger->Commit(d->reservation, InOut(100000, 0)).ok());
  }
  PreflightOptions dry;
  dry.dry_run = true;
  auto denied_at = [&](UnixMicros t) {
    clock.Set(t);
    auto d = ledger->Preflight(Req(m, 10, 1, {"user:u"}), dry);
    EXPECT_TRUE(d.ok());
    return d->code;
  };
  // A 28-day window would reopen on Feb 29 (2024 is a leap year).
  EXPECT_EQ(denied_at(UnixMicrosFromUtc(2024, 2, 29, 12, 0, 0)), DecisionCode::kBudgetExceeded);
  EXPECT_EQ(denied_at(UnixMicrosFromUtc(2024, 2, 29, 23, 59, 59)), DecisionCode::kBudgetExceeded);
  {
    auto d = ledger->Preflight(Req(m, 10, 1, {"user:u"}));
    EXPECT_EQ(d->retry_at, UnixMicrosFromUtc(2024, 3, 1));
    EXPECT_NE(d->message.find("2024-03-01T00:00:00Z"), std::string::npos) << d->message;
  }
  EXPECT_EQ(denied_at(UnixMicrosFromUtc(2024, 3, 1)), DecisionCode::kAllowed);

  // March has 31 days: spend on March 1, still blocked on March 31 (a 30-day window would
  // have reopened), open on April 1.
  for (int i = 0; i < 4; ++i) {
    auto d = ledger->Preflight(Req(m, 100000, 0, {"user:u"}));
    ASSERT_TRUE(d->allowed());
    ASSERT_TRUE(ledger->Commit(d->reservation, InOut(100000, 0)).ok());
  }
  EXPECT_EQ(denied_at(UnixMicrosFromUtc(2024, 3, 31, 0, 0, 1)), DecisionCode::kBudgetExceeded);
  EXPECT_EQ(denied_at(UnixMicrosFromUtc(2024, 4, 1)), DecisionCode::kAllowed);
}

// ---------------------------------------------------------------------------------------
// Context window, max output, projected cost
// ---------------------------------------------------------------------------------------

TEST(Preflight, ContextWindowAndTheLargestOutputThatFits) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  auto ledger = MakeLedger(R"({"budgets":[]})", ClockOnly(&clock));
  const ModelInfo m = Gpt4o();
  auto d = ledger->Preflight(Req(m, 127000, 2000, {"user:a"}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->code, DecisionCode::kContextWindow);
  EXPECT_EQ(d->max_output_that_fits, 1000);  // 128,000 - 127,000.
  EXPECT_EQ(d->retry_at, -1);
  EXPECT_EQ(d->reservation, 0u);
  EXPECT_NE(d->message.find("128000"), std::string::npos) << d->message;

  // With shrinking, the call is admitted with the output that fits.
  PreflightOptions shrink;
  shrink.shrink_output_to_fit = true;
  d = ledger->Preflight(Req(m, 127000, 2000, {"user:a"}), shrink);
  ASSERT_TRUE(d->allowed()) << d->message;
  EXPECT_EQ(d->reserved_output_tokens, 1000);
  // ... but not below the caller's minimum.
  shrink.min_output_tokens = 1500;
  d = ledger->Preflight(Req(m, 127000, 2000, {"user:a"}), shrink);
  EXPECT_EQ(d->code, DecisionCode::kContextWindow);

  // An input that fills the whole window leaves nothing to reserve.
  d = ledger->Preflight(Req(m, 128000, std::nullopt, {"user:a"}));
  EXPECT_EQ(d->code, DecisionCode::kContextWindow);
  EXPECT_EQ(d->max_output_that_fits, 0);
}

TEST(Preflight, ReservesTheModelMaxOutputWhenNoneIsGiven) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  auto ledger = MakeLedger(R"({"budgets":[]})", ClockOnly(&clock));
  const ModelInfo m = Gpt4o();
  auto d = ledger->Preflight(Req(m, 1000, std::nullopt, {"user:a"}));
  ASSERT_TRUE(d->allowed());
  EXPECT_EQ(d->reserved_output_tokens, 16384);
  // Near the end of the window the provider allows only what remains.
  d = ledger->Preflight(Req(m, 120000, std::nullopt, {"user:a"}));
  ASSERT_TRUE(d->allowed());
  EXPECT_EQ(d->reserved_output_tokens, 8000);
  // An explicit max above the model's maximum is what the provider rejects.
  d = ledger->Preflight(Req(m, 1000, 20000, {"user:a"}));
  EXPECT_EQ(d->code, DecisionCode::kMaxOutput);
  EXPECT_EQ(d->max_output_that_fits, 16384);
}

TEST(Preflight, ProjectedCostUsesDocumentedPricesExactly) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  auto ledger = MakeLedger(R"({"budgets":[]})", ClockOnly(&clock));
  const ModelInfo gpt = Gpt4o();
  // 1,000 input at $2.50 / M + 100 output at $10 / M = $0.0025 + $0.001.
  auto d = ledger->Preflight(Req(gpt, 1000, 100, {"user:a"}));
  EXPECT_EQ(d->projected_cost, 3'500'000'000);
  EXPECT_NE(d->message.find("$0.0035"), std::string::npos) << d->message;

  // Expected cache reads are priced at $1.25 / M.
  PreflightRequest r = Req(gpt, 1000, 100, {"user:a"});
  r.expected_cache_read = 800;
  d = ledger->Preflight(r);
  EXPECT_EQ(d->projected_cost, 200LL * 2'500'000 + 800LL * 1'250'000 + 100LL * 10'000'000);

  // Sonnet 4.5: at 200,000 input the base prices apply; above, the long-context ones, for
  // the whole request: 250,000 x $6 / M + 1,000 x $22.50 / M = $1.5225.
  const ModelInfo sonnet = Sonnet45();
  d = ledger->Preflight(Req(sonnet, 200000, 1000, {"user:a"}));
  EXPECT_EQ(d->projected_cost, 200000LL * 3'000'000 + 1000LL * 15'000'000);
  d = ledger->Preflight(Req(sonnet, 250000, 1000, {"user:a"}));
  EXPECT_EQ(d->projected_cost, 1'522'500'000'000);
}

TEST(Preflight, RejectsMalformedRequests) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  auto ledger = MakeLedger(R"({"budgets":[]})", ClockOnly(&clock));
  const ModelInfo m = Gpt4o();
  PreflightRequest r = Req(m, 10, 10, {"user:a"});
  r.model = nullptr;
  EXPECT_EQ(ledger->Preflight(r).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ledger->Preflight(Req(m, -1, 10, {"user:a"})).ok());
  EXPECT_FALSE(ledger->Preflight(Req(m, 10, -5, {"user:a"})).ok());
  EXPECT_FALSE(ledger->Preflight(Req(m, 10, 10, {"alice"})).ok());   // Not kind:name.
  EXPECT_FALSE(ledger->Preflight(Req(m, 10, 10, {"user:*"})).ok());  // Wildcard.
  EXPECT_FALSE(ledger->Preflight(Req(m, 10, 10, {"User:a"})).ok());  // Upper-case kind.
  r = Req(m, 10, 10, {"user:a"});
  r.expected_cache_read = 11;
  EXPECT_FALSE(ledger->Preflight(r).ok());
  ModelInfo no_window = m;
  no_window.context_window = 0;
  auto s = ledger->Preflight(Req(no_window, 10, 10, {"user:a"}));
  EXPECT_NE(s.status().message().find("context window"), std::string::npos);
  ModelInfo no_max = m;
  no_max.max_output = 0;
  EXPECT_FALSE(ledger->Preflight(Req(no_max, 10, std::nullopt, {"user:a"})).ok());
  EXPECT_TRUE(ledger->Preflight(Req(no_max, 10, 100, {"user:a"})).ok());
}

TEST(Preflight, AbsurdSizesAreDeniedWithoutOverflow) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  auto ledger =
      MakeLedger(R"({"budgets":[{"scope":"user:*","usd_per_day":"1"}]})", ClockOnly(&clock));
  ModelInfo pricey = Gpt4o();
  pricey.prices.input = 4'000'000'000'000;  // $4M per million tokens: products overflow.
  pricey.prices.output = 4'000'000'000'000;
  const int64_t huge = int64_t{1} << 40;
  auto d = ledger->Preflight(Req(pricey, huge, huge, {"user:a"}));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->code, DecisionCode::kContextWindow);
  d = ledger->Preflight(Req(pricey, 1000, huge, {"user:a"}));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->code, DecisionCode::kContextWindow);
  PreflightOptions shrink;
  shrink.shrink_output_to_fit = true;
  d = ledger->Preflight(Req(Gpt4o(), 1000, huge, {"user:a"}), shrink);
  ASSERT_TRUE(d->allowed()) << d->message;
  EXPECT_EQ(d->reserved_output_tokens, 16384);
  EXPECT_FALSE(ledger->Preflight(Req(pricey, huge + 1, 1, {"user:a"})).ok());
}

// ---------------------------------------------------------------------------------------
// Budgets, scopes, rate limits
// ---------------------------------------------------------------------------------------

TEST(Budgets, EveryScopeOfACallIsChargedAndTheTightestDecides) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1, 12, 0, 0));
  auto ledger = MakeLedger(R"({"budgets":[
      {"scope":"user:*","usd_per_day":"10"},
      {"scope":"workflow:triage","tokens_per_day":5000},
      {"scope":"agent:coder","requests_total":100}]})",
                           ClockOnly(&clock));
  const ModelInfo m = Gpt4o();
  const std::vector<std::string> scopes = {"user:alice", "workflow:triage", "agent:coder"};
  auto d = ledger->Preflight(Req(m, 3000, 500, scopes));
  ASSERT_TRUE(d->allowed()) << d->message;
  ASSERT_EQ(d->limits.size(), 3u);
  const LimitStatus* wf = FindLimit(*d, "workflow:triage", Metric::kTokens, Window::kDay);
  ASSERT_NE(wf, nullptr);
  EXPECT_EQ(wf->request, 3500);
  EXPECT_EQ(wf->reserved, 3500);
  EXPECT_EQ(wf->remaining, 1500);
  EXPECT_EQ(wf->period.start, UnixMicrosFromUtc(2025, 6, 1));
  auto rec = ledger->Commit(d->reservation, InOut(3000, 200));
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->scopes, (std::vector<std::string>{"user:alice", "workflow:triage", "agent:coder",
                                                   "model:gpt-4o"}));
  // Every scope, the implied model scope included, carries the real usage in every window.
  for (const std::string& s : rec->scopes) {
    ScopeUsage u = ledger->GetScopeUsage(s);
    for (int w = 0; w < kNumWindows; ++w) {
      EXPECT_EQ(u.windows[w].requests, 1) << s;
      EXPECT_EQ(u.windows[w].input_tokens, 3000) << s;
      EXPECT_EQ(u.windows[w].output_tokens, 200) << s;
      EXPECT_EQ(u.windows[w].cost, 3000LL * 2'500'000 + 200LL * 10'000'000) << s;
      EXPECT_EQ(u.windows[w].reserved_requests, 0) << s;
      EXPECT_EQ(u.windows[w].reserved_cost, 0) << s;
    }
  }
  // The workflow has 1,800 tokens left: 1,000 in + 1,000 out does not fit, and the largest
  // output that would is 800. Another user in the same workflow is stopped too.
  d = ledger->Preflight(Req(m, 1000, 1000, {"user:bob", "workflow:triage"}));
  EXPECT_EQ(d->code, DecisionCode::kBudgetExceeded);
  EXPECT_EQ(d->max_output_that_fits, 800);
  EXPECT_EQ(d->retry_at, UnixMicrosFromUtc(2025, 6, 2));
  const LimitStatus* blocking = FindLimit(*d, "workflow:triage", Metric::kTokens, Window::kDay);
  EXPECT_TRUE(blocking->blocking);
  EXPECT_FALSE(FindLimit(*d, "user:bob", Metric::kCostPicoUsd, Window::kDay)->blocking);
  EXPECT_NE(d->message.find("workflow:triage"), std::string::npos) << d->message;
  // Outside the workflow, bob is fine.
  EXPECT_TRUE(ledger->Preflight(Req(m, 1000, 1000, {"user:bob"}))->allowed());
}

TEST(Budgets, AnExactScopeReplacesItsKindTemplate) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  auto ledger = MakeLedger(R"({"budgets":[
      {"scope":"user:*","usd_per_day":"1"},
      {"scope":"user:vip","usd_per_day":"10"}]})",
                           ClockOnly(&clock));
  const ModelInfo m = Gpt4o();
  // Eight calls of 100,000 input tokens at $2.50 / M: $0.25 each, $2 in all.
  auto spend = [&](const std::string& user) {
    int admitted = 0;
    for (int i = 0; i < 8; ++i) {
      auto d = ledger->Preflight(Req(m, 100000, 0, {user}));
      if (!d->allowed()) continue;
      ++admitted;
      EXPECT_TRUE(ledger->Commit(d->reservation, InOut(100000, 0)).ok());
    }
    return admitted;
  };
  EXPECT_EQ(spend("user:bob"), 4);  // $1 / $0.25.
  EXPECT_EQ(spend("user:vip"), 8);  // Not held to the template's $1.
  auto d = ledger->Preflight(Req(m, 100000, 0, {"user:bob"}));
  EXPECT_EQ(d->limits.size(), 1u);
  EXPECT_EQ(d->limits[0].limit.max, 1 * kUsd);
}

TEST(Budgets, RateLimitsPerMinuteReopenWithTheNextMinute) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1, 9, 30, 10));
  auto ledger = MakeLedger(R"({"budgets":[{"scope":"model:gpt-4o",
      "requests_per_minute":3,"input_tokens_per_minute":10000,"output_tokens_per_minute":900}]})",
                           ClockOnly(&clock));
  const ModelInfo m = Gpt4o();
  for (int i = 0; i < 3; ++i) {
    auto d = ledger->Preflight(Req(m, 100, 100, {"user:a"}));
    ASSERT_TRUE(d->allowed());
    ASSERT_TRUE(ledger->Commit(d->reservation, InOut(100, 100)).ok());
  }
  auto d = ledger->Preflight(Req(m, 100, 100, {"user:a"}));
  EXPECT_EQ(d->code, DecisionCode::kRateLimited);
  EXPECT_EQ(d->retry_at, UnixMicrosFromUtc(2025, 6, 1, 9, 31, 0));
  EXPECT_EQ(d->max_output_that_fits, 0);  // Requests do not depend on the output.
  clock.Set(UnixMicrosFromUtc(2025, 6, 1, 9, 31, 0));
  d = ledger->Preflight(Req(m, 100, 100, {"user:a"}));
  EXPECT_TRUE(d->allowed()) << d->message;
  ASSERT_TRUE(ledger->Release(d->reservation).ok());
  // Output tokens per minute: 900 allowed; 1,000 does not fit, 900 does.
  d = ledger->Preflight(Req(m, 100, 1000, {"user:a"}));
  EXPECT_EQ(d->code, DecisionCode::kRateLimited);
  EXPECT_EQ(d->max_output_that_fits, 900);
  // Input tokens per minute: a call larger than the limit on its own can never pass.
  d = ledger->Preflight(Req(m, 10001, 10, {"user:a"}));
  EXPECT_EQ(d->code, DecisionCode::kRateLimited);
  EXPECT_EQ(d->retry_at, -1);
  EXPECT_NE(d->message.find("alone"), std::string::npos) << d->message;
}

TEST(Budgets, DryRunReservesNothingAndShrinkingFitsTheBudget) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  auto ledger =
      MakeLedger(R"({"budgets":[{"scope":"user:*","usd_total":"0.01"}]})", ClockOnly(&clock));
  const ModelInfo m = Gpt4o();
  PreflightOptions dry;
  dry.dry_run = true;
  for (int i = 0; i < 5; ++i) {
    auto d = ledger->Preflight(Req(m, 1000, 500, {"user:a"}), dry);  // $0.0075 each.
    ASSERT_TRUE(d->allowed());
    EXPECT_EQ(d->reservation, 0u);
    EXPECT_EQ(d->limits[0].reserved, 0);
    EXPECT_EQ(d->limits[0].remaining, kUsd / 100);
  }
  EXPECT_EQ(ledger->stats().active_reservations, 0u);
  // $0.01 - $0.0025 input leaves $0.0075 for output at $10 / M: 750 tokens.
  auto d = ledger->Preflight(Req(m, 1000, 1000, {"user:a"}));
  EXPECT_EQ(d->code, DecisionCode::kBudgetExceeded);
  EXPECT_EQ(d->max_output_that_fits, 750);
  EXPECT_EQ(d->retry_at, -1);  // A total budget never resets.
  PreflightOptions shrink;
  shrink.shrink_output_to_fit = true;
  d = ledger->Preflight(Req(m, 1000, 1000, {"user:a"}), shrink);
  ASSERT_TRUE(d->allowed());
  EXPECT_EQ(d->reserved_output_tokens, 750);
  EXPECT_EQ(d->projected_cost, kUsd / 100);
  EXPECT_EQ(d->limits[0].remaining, 0);
}

TEST(Budgets, ReplacedSpecSeesSpendAlreadyRecorded) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  auto ledger = MakeLedger(R"({"budgets":[]})", ClockOnly(&clock));
  const ModelInfo m = Gpt4o();
  auto d = ledger->Preflight(Req(m, 100000, 0, {"user:a"}));
  ASSERT_TRUE(ledger->Commit(d->reservation, InOut(100000, 0)).ok());  // $0.25.
  ASSERT_TRUE(
      ledger->ReplaceSpec(testing::Spec(R"({"budgets":[{"scope":"user:a","usd_per_day":"0.30"}]})"))
          .ok());
  d = ledger->Preflight(Req(m, 30000, 0, {"user:a"}));  // $0.075 more: over $0.30.
  EXPECT_EQ(d->code, DecisionCode::kBudgetExceeded);
  EXPECT_EQ(d->limits[0].used, kUsd / 4);
  d = ledger->Preflight(Req(m, 20000, 0, {"user:a"}));  // $0.05: exactly $0.30.
  EXPECT_TRUE(d->allowed());
}

// ---------------------------------------------------------------------------------------
// Commit, release, expiry
// ---------------------------------------------------------------------------------------

TEST(Reservations, CommitReconcilesWithTheRealUsage) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  auto ledger =
      MakeLedger(R"({"budgets":[{"scope":"user:*","usd_per_day":"1"}]})", ClockOnly(&clock));
  const ModelInfo m = Sonnet45();
  auto d = ledger->Preflight(Req(m, 10000, std::nullopt, {"user:a"}));
  ASSERT_TRUE(d->allowed());
  EXPECT_EQ(d->reserved_output_tokens, 64000);
  const PicoUsd held = 10000LL * 3'000'000 + 64000LL * 15'000'000;  // $0.99.
  EXPECT_EQ(d->projected_cost, held);
  EXPECT_EQ(ledger->GetScopeUsage("user:a").windows[2].reserved_cost, held);
  // While held, a second call of the same size does not fit.
  EXPECT_EQ(ledger->Preflight(Req(m, 10000, std::nullopt, {"user:a"}))->code,
            DecisionCode::kBudgetExceeded);
  // The provider reports a cache write and read and a short answer with some reasoning.
  Usage u;
  u.input_uncached = 1000;
  u.cache_write_5m = 2000;
  u.cache_write_1h = 1000;
  u.cache_read = 6000;
  u.output = 700;
  u.reasoning = 300;
  auto rec = ledger->Commit(d->reservation, u);
  ASSERT_TRUE(rec.ok()) << rec.status();
  const PicoUsd cost = 1000LL * 3'000'000 + 2000LL * 3'750'000 + 1000LL * 6'000'000 +
                       6000LL * 300'000 + 700LL * 15'000'000;
  EXPECT_EQ(rec->cost, cost);
  EXPECT_FALSE(rec->late);
  ScopeUsage su = ledger->GetScopeUsage("user:a");
  EXPECT_EQ(su.windows[2].cost, cost);
  EXPECT_EQ(su.windows[2].input_tokens, 10000);
  EXPECT_EQ(su.windows[2].output_tokens, 700);
  EXPECT_EQ(su.windows[2].reserved_cost, 0);
  EXPECT_EQ(su.windows[2].reserved_requests, 0);
  // The freed budget admits the next call.
  EXPECT_TRUE(ledger->Preflight(Req(m, 10000, 30000, {"user:a"}))->allowed());
  // A reservation settles once.
  EXPECT_EQ(ledger->Commit(d->reservation, u).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ledger->Release(d->reservation).code(), absl::StatusCode::kNotFound);
  // A caller-supplied exact cost wins over our pricing.
  auto d2 = ledger->Preflight(Req(m, 10, 10, {"user:z"}));
  auto rec2 = ledger->Commit(d2->reservation, InOut(10, 10), PicoUsd{42});
  EXPECT_EQ(rec2->cost, 42);
  // Bad usage is refused without settling the reservation.
  auto d3 = ledger->Preflight(Req(m, 10, 10, {"user:z"}));
  Usage bad = InOut(10, 5);
  bad.reasoning = 6;
  EXPECT_EQ(ledger->Commit(d3->reservation, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ledger->Commit(d3->reservation, InOut(10, 5)).ok());
}

TEST(Reservations, ReleaseGivesTheBudgetBack) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  auto ledger =
      MakeLedger(R"({"budgets":[{"scope":"user:*","requests_per_day":1}]})", ClockOnly(&clock));
  const ModelInfo m = Gpt4o();
  auto d = ledger->Preflight(Req(m, 10, 10, {"user:a"}));
  ASSERT_TRUE(d->allowed());
  EXPECT_FALSE(ledger->Preflight(Req(m, 10, 10, {"user:a"}))->allowed());
  ASSERT_TRUE(ledger->Release(d->reservation).ok());
  EXPECT_TRUE(ledger->Preflight(Req(m, 10, 10, {"user:a"}))->allowed());
  EXPECT_EQ(ledger->stats().releases, 1u);
  EXPECT_EQ(ledger->GetScopeUsage("user:a").windows[2].requests, 0);
}

// Failure mode: reservations that block forever after the caller died.
TEST(FailureModes, ReservationsOfADeadCallerExpire) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  LedgerOptions o = ClockOnly(&clock);
  o.reservation_ttl = 120 * kSec;
  o.late_commit_grace = 600 * kSec;
  auto ledger = MakeLedger(R"({"budgets":[{"scope":"user:*","usd_per_day":"0.01"}]})", o);
  const ModelInfo m = Gpt4o();
  auto crashed = ledger->Preflight(Req(m, 1000, 500, {"user:a"}));  // $0.0075 held.
  ASSERT_TRUE(crashed->allowed());
  EXPECT_EQ(crashed->expires_at, clock.Now() + 120 * kSec);
  // The caller never commits. Until the time to live passes, the hold stays.
  clock.Advance(119 * kSec);
  EXPECT_EQ(ledger->Preflight(Req(m, 1000, 500, {"user:b", "user:a"}))->code,
            DecisionCode::kBudgetExceeded);
  clock.Advance(1 * kSec);
  auto d = ledger->Preflight(Req(m, 1000, 500, {"user:a"}));
  EXPECT_TRUE(d->allowed()) << d->message;
  EXPECT_EQ(ledger->stats().expired, 1u);
  EXPECT_EQ(ledger->stats().active_reservations, 1u);
  ASSERT_TRUE(ledger->Release(d->reservation).ok());

  // A caller that was only slow can still commit: the call happened, its cost is charged.
  auto late = ledger->Commit(crashed->reservation, InOut(1000, 400));
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_TRUE(late->late);
  EXPECT_EQ(ledger->GetScopeUsage("user:a").windows[2].cost,
            1000LL * 2'500'000 + 400LL * 10'000'000);
  EXPECT_EQ(ledger->GetScopeUsage("user:a").windows[2].reserved_cost, 0);

  // Past the grace period an expired reservation is gone.
  auto gone = ledger->Preflight(Req(m, 10, 10, {"user:c"}));
  clock.Advance(120 * kSec + 600 * kSec + 1);
  EXPECT_EQ(ledger->ExpireReservations(), 1u);
  EXPECT_EQ(ledger->Commit(gone->reservation, InOut(10, 10)).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ledger->stats().active_reservations, 0u);
}

// ---------------------------------------------------------------------------------------
// Pricing failure modes
// ---------------------------------------------------------------------------------------

// Failure mode: a call that cannot be priced skipping the budget check.
TEST(FailureModes, UnpricedCallIsDeniedWhereADollarLimitApplies) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  auto ledger = MakeLedger(R"({"budgets":[{"scope":"user:*","usd_per_day":"100"},
      {"scope":"team:research","tokens_per_day":1000}]})",
                           ClockOnly(&clock));
  const ModelInfo m = UnpricedModel();
  auto d = ledger->Preflight(Req(m, 100, 100, {"user:a"}));
  EXPECT_EQ(d->code, DecisionCode::kUnpriced);
  EXPECT_FALSE(d->cost_known);
  EXPECT_TRUE(d->limits[0].blocking);
  EXPECT_NE(d->message.find("mystery-model"), std::string::npos) << d->message;
  // Where no dollar limit applies, token limits still do, and the cost stays unknown.
  d = ledger->Preflight(Req(m, 100, 100, {"team:research"}));
  ASSERT_TRUE(d->allowed()) << d->message;
  EXPECT_FALSE(d->cost_known);
  auto rec = ledger->Commit(d->reservation, InOut(100, 100));
  ASSERT_TRUE(rec.ok());
  EXPECT_FALSE(rec->cost_known);
  EXPECT_EQ(ledger->GetScopeUsage("team:research").windows[2].input_tokens, 100);
  // 800 tokens left in the team's day.
  EXPECT_EQ(ledger->Preflight(Req(m, 701, 100, {"team:research"}))->code,
            DecisionCode::kBudgetExceeded);
  EXPECT_TRUE(ledger->Preflight(Req(m, 700, 100, {"team:research"}))->allowed());
  // A priced model whose real usage lands in a bucket without a price (gpt-4o has no cache
  // write price) cannot be committed silently at a wrong cost under a dollar limit.
  const ModelInfo gpt = Gpt4o();
  d = ledger->Preflight(Req(gpt, 1000, 10, {"user:a"}));
  ASSERT_TRUE(d->allowed());
  Usage u = InOut(500, 10);
  u.cache_write_5m = 500;
  EXPECT_EQ(ledger->Commit(d->reservation, u).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ledger->Commit(d->reservation, u, PicoUsd{1'000'000}).ok());  // Explicit cost.
}

TEST(FailureModes, UnpricedCallUnderTheFallbackPolicyIsCheckedAtTheFallbackPrice) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  LedgerOptions o = ClockOnly(&clock);
  o.unpriced = UnpricedPolicy::kUseFallbackPrices;
  o.fallback_prices.input = 15'000'000;  // Price unknown models like an expensive one.
  o.fallback_prices.output = 75'000'000;
  auto ledger = MakeLedger(R"({"budgets":[{"scope":"user:*","usd_per_day":"0.5"}]})", o);
  const ModelInfo m = UnpricedModel();
  auto d = ledger->Preflight(Req(m, 10000, 1000, {"user:a"}));
  ASSERT_TRUE(d->allowed()) << d->message;
  EXPECT_TRUE(d->cost_known);
  EXPECT_EQ(d->projected_cost, 10000LL * 15'000'000 + 1000LL * 75'000'000);  // $0.225.
  auto rec = ledger->Commit(d->reservation, InOut(10000, 1000));
  EXPECT_EQ(rec->cost, 225'000'000'000);
  // $0.275 left: 10,000 in ($0.15) + 3,000 out ($0.225) does not fit; 1,666 output does.
  d = ledger->Preflight(Req(m, 10000, 3000, {"user:a"}));
  EXPECT_EQ(d->code, DecisionCode::kBudgetExceeded);
  EXPECT_EQ(d->max_output_that_fits, (275'000'000'000 - 10000LL * 15'000'000) / 75'000'000);
  EXPECT_EQ(d->max_output_that_fits, 1666);
  // The policy needs a fallback price.
  LedgerOptions bad = o;
  bad.fallback_prices = Prices();
  EXPECT_FALSE(BudgetLedger::Open(testing::Spec(R"({"budgets":[]})"), bad).ok());
}

// Failure mode: a model priced at zero blocked by a dollar budget.
TEST(FailureModes, FreeModelIsNotBlockedByAnExhaustedDollarBudget) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  auto ledger =
      MakeLedger(R"({"budgets":[{"scope":"user:*","usd_per_day":"0.01"}]})", ClockOnly(&clock));
  const ModelInfo paid = Gpt4o();
  const ModelInfo free_model = FreeLocalModel();
  auto d = ledger->Preflight(Req(paid, 4000, 0, {"user:a"}));  // Exactly $0.01.
  ASSERT_TRUE(d->allowed());
  ASSERT_TRUE(ledger->Commit(d->reservation, InOut(4000, 0)).ok());
  EXPECT_EQ(ledger->Preflight(Req(paid, 1, 1, {"user:a"}))->code, DecisionCode::kBudgetExceeded);
  d = ledger->Preflight(Req(free_model, 4000, 1000, {"user:a"}));
  ASSERT_TRUE(d->allowed()) << d->message;
  EXPECT_EQ(d->projected_cost, 0);
  EXPECT_EQ(d->max_output_that_fits, 2048);  // Only the model limits it.
  ASSERT_TRUE(ledger->Commit(d->reservation, InOut(4000, 1000)).ok());
  // Even after an overspend (a late commit can push spend past the limit), free calls pass.
  auto over = ledger->Preflight(Req(paid, 10, 10, {"user:b"}));
  ASSERT_TRUE(ledger->Commit(over->reservation, InOut(1'000'000, 0), PicoUsd{5 * kUsd}).ok());
  EXPECT_TRUE(ledger->Preflight(Req(free_model, 10, 10, {"user:b"}))->allowed());
}

// ---------------------------------------------------------------------------------------
// Spec, hooks, export
// ---------------------------------------------------------------------------------------

TEST(Spec, ParsesLimitsAndExactDollars) {
  auto spec = BudgetSpec::FromJson(R"({"budgets":[
      {"scope":"user:*","usd_per_day":"5","tokens_per_month":2000000},
      {"scope":"user:alice","usd_per_day":50.25,"usd_total":"0.000000000001"},
      {"scope":"model:gpt-4o","requests_per_minute":500,"input_tokens_per_minute":30000,
       "output_tokens_per_hour":8000}]})");
  ASSERT_TRUE(spec.ok()) << spec.status();
  ASSERT_EQ(spec->budgets.size(), 3u);
  const auto& a = spec->budgets[0].limits;
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].metric, Metric::kCostPicoUsd);
  EXPECT_EQ(a[0].window, Window::kDay);
  EXPECT_EQ(a[0].max, 5 * kUsd);
  EXPECT_EQ(a[1].metric, Metric::kTokens);
  EXPECT_EQ(a[1].window, Window::kMonth);
  EXPECT_EQ(a[1].max, 2000000);
  EXPECT_EQ(spec->budgets[1].limits[0].max, 50'250'000'000'000);  // No floating point.
  EXPECT_EQ(spec->budgets[1].limits[1].max, 1);                   // One pico-dollar.
  EXPECT_EQ(spec->budgets[1].limits[1].window, Window::kTotal);
  EXPECT_EQ(spec->budgets[2].limits[2].metric, Metric::kOutputTokens);
  EXPECT_EQ(spec->budgets[2].limits[2].window, Window::kHour);
}

TEST(Spec, ErrorsNameTheJsonPath) {
  struct Case {
    const char* json;
    const char* needle;
  } cases[] = {
      {R"({"budgets":[{"scope":"user:a","usd_per_week":1}]})", "$.budgets[0].usd_per_week"},
      {R"({"budgets":[{"scope":"user:a"},{"scope":"bad"}]})", "$.budgets[1].scope"},
      {R"({"budgets":[{"scope":"user:a","tokens_per_day":-1}]})", "$.budgets[0].tokens_per_day"},
      {R"({"budgets":[{"scope":"user:a","tokens_per_day":1.5}]})", "not a non-negative integer"},
      {R"({"budgets":[{"scope":"user:a","usd_per_day":1e3}]})", "plain"},
      {R"({"budgets":[{"scope":"user:a","usd_per_day":"0.0000000000001"}]})", "12 decimals"},
      {R"({"budgets":[{"scope":"user:a","usd_per_day":"99999999"}]})", "largest budget"},
      {R"({"budgets":[{"scope":"user:a"},{"scope":"user:a"}]})", "two budgets"},
      {R"({"budgets":[{"usd_per_day":1}]})", "missing \"scope\""},
      {R"({"budget":[]})", "$.budget"},
      {R"({"budgets":[]} trailing)", "$"},
      {R"({"budgets":[{"scope":"user:a","tokens_per_day":"5"}]})", "integer"},
  };
  for (const Case& c : cases) {
    auto s = BudgetSpec::FromJson(c.json);
    ASSERT_FALSE(s.ok()) << c.json;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_NE(s.status().message().find(c.needle), std::string::npos)
        << c.json << " -> " << s.status().message();
  }
}

TEST(Hooks, PreflightBodyCountsThroughTheInstalledCounter) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  const ModelInfo m = Gpt4o();
  LedgerOptions o = ClockOnly(&clock);
  auto plain = MakeLedger(R"({"budgets":[]})", o);
  // Without a counter installed, the chat layer counts the body as billed: OpenAI's
  // documented "Hello world" request is 9 prompt tokens; max_tokens is the reserved output.
  auto counted = plain->PreflightBody(
      R"({"model":"gpt-4o","max_tokens":100,"messages":[{"role":"user","content":"Hello world"}]})",
      {"user:a"});
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(counted->input_tokens, 9);
  EXPECT_EQ(counted->reserved_output_tokens, 100);
  auto missing = plain->PreflightBody("{}", {"user:a"});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument) << missing.status();

  std::string seen;
  o.request_counter = [&](std::string_view body) -> absl::StatusOr<CountedRequest> {
    seen = std::string(body);
    if (body == "bad") return absl::InvalidArgumentError("bad body");
    CountedRequest r;
    r.model = body == "unknown" ? "no-such-model" : "gpt-4o";
    r.input_tokens = 1234;
    r.max_output_tokens = 56;
    return r;
  };
  o.model_resolver = [&](std::string_view name) -> absl::StatusOr<const ModelInfo*> {
    if (name == "gpt-4o") return &m;
    return absl::NotFoundError("unknown model");
  };
  auto ledger = MakeLedger(R"({"budgets":[]})", o);
  auto d = ledger->PreflightBody("{\"messages\":[]}", {"user:a"}, {}, 7, "conv-1");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(seen, "{\"messages\":[]}");
  EXPECT_EQ(d->input_tokens, 1234);
  EXPECT_EQ(d->reserved_output_tokens, 56);
  auto rec = ledger->Commit(d->reservation, InOut(1234, 50));
  EXPECT_EQ(rec->step, 7);
  EXPECT_EQ(rec->conversation_id, "conv-1");
  EXPECT_EQ(ledger->PreflightBody("bad", {"user:a"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ledger->PreflightBody("unknown", {"user:a"}).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(Instrumentation, UsageRecordsBecomeOpenTelemetryGenAiAttributes) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  std::vector<UsageRecord> seen;
  LedgerOptions o = ClockOnly(&clock);
  o.on_commit = [&](const UsageRecord& r) { seen.push_back(r); };
  auto ledger = MakeLedger(R"({"budgets":[]})", o);
  const ModelInfo m = Sonnet45();
  PreflightRequest r = Req(m, 10000, 2000, {"user:alice", "workflow:triage", "agent:coder"});
  r.step = 12;
  r.conversation_id = "conv_5j66";
  auto d = ledger->Preflight(r);
  Usage u;
  u.input_uncached = 1000;
  u.cache_read = 8000;
  u.cache_write_5m = 600;
  u.cache_write_1h = 400;
  u.output = 1500;
  u.reasoning = 900;
  auto rec = ledger->Commit(d->reservation, u);
  ASSERT_TRUE(rec.ok());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].seq, rec->seq);
  EXPECT_EQ(seen[0].cost, rec->cost);

  auto attrs = OtelAttributes(*rec);
  std::map<std::string, OtelValue> a(attrs.begin(), attrs.end());
  EXPECT_EQ(std::get<std::string>(a["gen_ai.request.model"]), "claude-sonnet-4-5");
  EXPECT_EQ(std::get<std::string>(a["gen_ai.provider.name"]), "anthropic");
  // The conventions: input_tokens includes cached tokens (reads and writes).
  EXPECT_EQ(std::get<int64_t>(a["gen_ai.usage.input_tokens"]), 10000);
  EXPECT_EQ(std::get<int64_t>(a["gen_ai.usage.output_tokens"]), 1500);
  EXPECT_EQ(std::get<int64_t>(a["gen_ai.usage.cache_read.input_tokens"]), 8000);
  EXPECT_EQ(std::get<int64_t>(a["gen_ai.usage.cache_creation.input_tokens"]), 1000);
  EXPECT_EQ(std::get<int64_t>(a["gen_ai.usage.reasoning.output_tokens"]), 900);
  EXPECT_EQ(std::get<std::string>(a["gen_ai.conversation.id"]), "conv_5j66");
  EXPECT_EQ(std::get<std::string>(a["gen_ai.agent.name"]), "coder");
  EXPECT_EQ(std::get<std::string>(a["gen_ai.workflow.name"]), "triage");
  const PicoUsd cost = 1000LL * 3'000'000 + 8000LL * 300'000 + 600LL * 3'750'000 +
                       400LL * 6'000'000 + 1500LL * 15'000'000;
  EXPECT_EQ(std::get<int64_t>(a["tokwise.cost_pico_usd"]), cost);
  EXPECT_DOUBLE_EQ(std::get<double>(a["tokwise.cost_usd"]), static_cast<double>(cost) / 1e12);
  EXPECT_EQ(std::get<int64_t>(a["tokwise.step"]), 12);
  EXPECT_EQ(std::get<std::vector<std::string>>(a["tokwise.scopes"]).back(),
            "model:claude-sonnet-4-5");

  // A record without agent, workflow or conversation leaves those attributes out, and an
  // unknown cost leaves out the cost.
  UsageRecord bare = *rec;
  bare.scopes = {"user:x"};
  bare.conversation_id.clear();
  bare.cost_known = false;
  bare.step = -1;
  std::map<std::string, OtelValue> b;
  for (auto& kv : OtelAttributes(bare)) b.insert(kv);
  EXPECT_EQ(b.count("gen_ai.agent.name"), 0u);
  EXPECT_EQ(b.count("gen_ai.workflow.name"), 0u);
  EXPECT_EQ(b.count("gen_ai.conversation.id"), 0u);
  EXPECT_EQ(b.count("tokwise.cost_usd"), 0u);
  EXPECT_EQ(b.count("tokwise.step"), 0u);
}

TEST(Instrumentation, DecisionJsonIsWellFormedAndComplete) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1, 10, 0, 0));
  auto ledger = MakeLedger(
      R"({"budgets":[{"scope":"user:*","usd_per_day":"0.001","requests_per_minute":10}]})",
      ClockOnly(&clock));
  const ModelInfo m = Gpt4o();
  PreflightRequest r = Req(m, 1000, 100, {"user:quote\"and\\slash"});
  auto d = ledger->Preflight(r);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->code, DecisionCode::kBudgetExceeded);
  const std::string json = DecisionToJson(*d);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(bool(doc["allowed"]), false);
  EXPECT_EQ(std::string_view(doc["code"]), "budget_exceeded");
  EXPECT_EQ(int64_t(doc["projected_cost_pico_usd"]), 3'500'000'000);
  EXPECT_EQ(std::string_view(doc["projected_cost_usd"]), "0.0035");
  // This call alone costs more than the day's budget: waiting cannot help.
  EXPECT_TRUE(doc["retry_at"].is_null());
  simdjson::dom::array limits = doc["limits"];
  ASSERT_EQ(limits.size(), 2u);
  simdjson::dom::element first = limits.at(0);
  EXPECT_EQ(std::string_view(first["scope"]), "user:quote\"and\\slash");
  EXPECT_EQ(std::string_view(first["unit"]), "pico_usd");
  EXPECT_EQ(bool(first["blocking"]), true);
  EXPECT_EQ(int64_t(first["limit"]), 1'000'000'000);
}

// ---------------------------------------------------------------------------------------
// Defects found in testing
// ---------------------------------------------------------------------------------------

// A denial names the same largest output the decision reports: the minimum of the window's
// room, the model's max output and the budgets' room (it used to name the window's room
// alone: "at most 127900 output tokens fit" for gpt-4o, whose max output is 16,384).
TEST(Preflight, DenialMessagesNameTheLargestOutputThatFits) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  auto ledger = MakeLedger(R"({"budgets":[{"scope":"user:small","output_tokens_per_day":5000}]})",
                           ClockOnly(&clock));
  const ModelInfo m = Gpt4o();
  auto d = ledger->Preflight(Req(m, 100, 999999999, {"user:a"}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->code, DecisionCode::kContextWindow);
  EXPECT_EQ(d->max_output_that_fits, 16384);  // gpt-4o's documented max output.
  EXPECT_NE(d->message.find("at most 16384 output tokens fit"), std::string::npos) << d->message;
  EXPECT_EQ(d->message.find("127900"), std::string::npos) << d->message;

  // Over the model's maximum but inside the window.
  d = ledger->Preflight(Req(m, 100, 20000, {"user:a"}));
  EXPECT_EQ(d->code, DecisionCode::kMaxOutput);
  EXPECT_NE(d->message.find("at most 16384 output tokens fit"), std::string::npos) << d->message;

  // A budget tighter than both.
  d = ledger->Preflight(Req(m, 100, 999999999, {"user:small"}));
  EXPECT_EQ(d->max_output_that_fits, 5000);
  EXPECT_NE(d->message.find("at most 5000 output tokens fit"), std::string::npos) << d->message;
}

// A context-window denial without a max output: no "max output (0)", and the cost of the
// input at gpt-4o's $2.50 / M is known (it used to read "unknown (unpriced)").
TEST(Preflight, ContextWindowDenialWithoutMaxOutputIsPricedAndWordedForTheInput) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  auto ledger = MakeLedger(R"({"budgets":[]})", ClockOnly(&clock));
  const ModelInfo m = Gpt4o();
  auto d = ledger->Preflight(Req(m, 128000, std::nullopt, {"user:a"}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->code, DecisionCode::kContextWindow);
  EXPECT_EQ(d->message.find("max output (0)"), std::string::npos) << d->message;
  EXPECT_NE(d->message.find("no room for any output"), std::string::npos) << d->message;
  EXPECT_TRUE(d->cost_known);
  EXPECT_EQ(d->projected_cost, 128000LL * 2'500'000);  // $0.32.

  d = ledger->Preflight(Req(m, 200000, std::nullopt, {"user:a"}));
  EXPECT_EQ(d->code, DecisionCode::kContextWindow);
  EXPECT_NE(d->message.find("alone exceeds the context window"), std::string::npos) << d->message;
  EXPECT_TRUE(d->cost_known);
  EXPECT_EQ(d->projected_cost, 200000LL * 2'500'000);  // $0.50.
}

// Usage above the reservation is charged in full but flagged, and the flag is journaled.
TEST(Reservations, UsageAboveTheReservationIsFlagged) {
  ManualClock clock(UnixMicrosFromUtc(2025, 6, 1));
  testing::TempDir dir;
  LedgerOptions o = ClockOnly(&clock);
  o.dir = dir.path();
  {
    auto ledger = MakeLedger(R"({"budgets":[]})", o);
    const ModelInfo m = Gpt4o();
    auto d = ledger->Preflight(Req(m, 100, 10, {"user:a"}));
    auto over = ledger->Commit(d->reservation, InOut(100, 5000));
    ASSERT_TRUE(over.ok()) << over.status();
    EXPECT_TRUE(over->exceeded_reservation);
    EXPECT_EQ(over->usage.output, 5000);  // Charged in full.
    EXPECT_EQ(over->cost, 100LL * 2'500'000 + 5000LL * 10'000'000);
    d = ledger->Preflight(Req(m, 100, 10, {"user:a"}));
    auto within = ledger->Commit(d->reservation, InOut(90, 10));
    ASSERT_TRUE(within.ok());
    EXPECT_FALSE(within->exceeded_reservation);
    d = ledger->Preflight(Req(m, 100, 10, {"user:a"}));
    auto more_input = ledger->Commit(d->reservation, InOut(101, 0));
    EXPECT_TRUE(more_input->exceeded_reservation);
  }
  std::vector<bool> flags;
  ASSERT_TRUE(ReadUsageRecords(dir.path(), [&](const UsageRecord& r) {
                flags.push_back(r.exceeded_reservation);
                return true;
              }).ok());
  EXPECT_EQ(flags, (std::vector<bool>{true, false, true}));
}

// A number simdjson cannot represent is reported at its JSON path, not at "$".
TEST(Spec, UnrepresentableNumbersNameTheirJsonPath) {
  struct Case {
    const char* json;
    const char* path;
  } cases[] = {
      {R"({"budgets":[{"scope":"user:a","requests_per_minute":1e309}]})",
       "$.budgets[0].requests_per_minute"},
      {R"({"budgets":[{"scope":"user:a"},{"scope":"user:b","usd_per_day":-1e400}]})",
       "$.budgets[1].usd_per_day"},
      {R"({"budgets":[{"scope":"user:a","tokens_total":123456789012345678901234567890}]})",
       "$.budgets[0].tokens_total"},
      {R"({"budgets":[{"scope":1e309}]})", "$.budgets[0].scope"},
  };
  for (const Case& c : cases) {
    auto s = BudgetSpec::FromJson(c.json);
    ASSERT_FALSE(s.ok()) << c.json;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_NE(s.status().message().find(c.path), std::string::npos)
        << c.json << " -> " << s.status().message();
  }
  // Still rejected, and at "$", when the bad number is also malformed JSON elsewhere.
  EXPECT_FALSE(BudgetSpec::FromJson(R"({"budgets":[]} 1e309)").ok());
}

}  // namespace
}  // namespace tokwise
