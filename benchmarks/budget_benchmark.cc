// Budget benchmarks: pre-flight latency (p50 / p99 per call, single thread), the step-50
// agent-loop pre-flight with the count cache against a full recount, and throughput of
// pre-flight + commit under 64-thread contention.
//
// The conversation is real: the message histories of two SWE-agent GPT-4 trajectories from
// the shared data (traces/sweagent_gpt4_pydicom__pydicom-1458.traj, then
// traces/sweagent_demo_marshmallow-code__marshmallow-1867.traj), 55 messages, 92 kB.
//
//   build/benchmarks/budget_benchmark --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "simdjson.h"
#include "tokwise/budget.h"
#include "tokwise/catalog.h"
#include "tokwise/count_cache.h"
#include "tokwise/encoding.h"

namespace {

using tokwise::BudgetLedger;
using tokwise::Decision;
using tokwise::LedgerOptions;
using tokwise::ModelInfo;
using tokwise::PreflightRequest;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

const std::vector<std::string>& Conversation() {
  static const std::vector<std::string>* msgs = [] {
    auto* out = new std::vector<std::string>();
    for (const char* f : {"sweagent_gpt4_pydicom__pydicom-1458.traj",
                          "sweagent_demo_marshmallow-code__marshmallow-1867.traj"}) {
      simdjson::dom::parser p;
      simdjson::dom::element doc =
          p.parse(ReadFile(std::string(TOKWISE_SHARED_DATA) + "/traces/" + f));
      for (simdjson::dom::element m : doc["history"].get_array()) {
        out->emplace_back(std::string_view(m["content"]));
      }
    }
    return out;
  }();
  return *msgs;
}

// gpt-4o with OpenAI's documented context window, max output and prices.
const ModelInfo& Model() {
  static const ModelInfo* m = [] {
    auto* info = new ModelInfo();
    info->id = "gpt-4o";
    info->provider = "openai";
    info->context_window = 128000;
    info->max_output = 16384;
    info->prices.input = 2'500'000;
    info->prices.output = 10'000'000;
    info->prices.cache_read = 1'250'000;
    return info;
  }();
  return *m;
}

// A realistic budget: per user, per workflow, per agent, and the model's rate limits.
std::unique_ptr<BudgetLedger> OpenLedger(LedgerOptions o = {}) {
  auto spec = tokwise::BudgetSpec::FromJson(R"({"budgets":[
      {"scope":"user:*","usd_per_day":"1000000","tokens_per_month":100000000000000},
      {"scope":"workflow:*","usd_per_month":"1000000"},
      {"scope":"agent:*","requests_per_minute":1000000000},
      {"scope":"model:gpt-4o","requests_per_minute":1000000000,
       "input_tokens_per_minute":100000000000000,"output_tokens_per_minute":100000000000000}]})");
  return std::move(*BudgetLedger::Open(*spec, std::move(o)));
}

PreflightRequest Request(int64_t input, const std::string& user) {
  PreflightRequest r;
  r.model = &Model();
  r.input_tokens = input;
  r.max_output_tokens = 1024;
  r.scopes = {user, "workflow:triage", "agent:coder"};
  return r;
}

// Per-call latencies (Start() .. Stop() in each iteration), reported as p50 / p99 / max.
class Latencies {
 public:
  Latencies() { ns_.reserve(1 << 20); }
  void Start() { t0_ = std::chrono::steady_clock::now(); }
  void Stop() {
    ns_.push_back(
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0_).count());
  }
  void Report(benchmark::State& state) {
    if (ns_.empty()) return;
    std::sort(ns_.begin(), ns_.end());
    state.counters["p50_us"] = ns_[ns_.size() / 2] / 1e3;
    state.counters["p99_us"] = ns_[std::min(ns_.size() - 1, ns_.size() * 99 / 100)] / 1e3;
    state.counters["max_us"] = ns_.back() / 1e3;
  }

 private:
  std::vector<double> ns_;
  std::chrono::steady_clock::time_point t0_;
};

// Pre-flights a request of `input` tokens for user:alice and releases its reservation.
void PreflightAndRelease(BudgetLedger& ledger, int64_t input) {
  auto d = ledger.Preflight(Request(input, "user:alice"));
  (void)ledger.Release(d->reservation);
}

// The new message of call `i` in a request of `n` messages: a real one, made unique so that
// it is never in a cache.
std::string FreshMessage(size_t n, size_t i) {
  const auto& conv = Conversation();
  return conv[n - 1 + (i % (conv.size() - n + 1))] + " #" + std::to_string(i);
}

// Pre-flight + release of a counted request (4 scopes, 8 limits): the ledger's own cost.
void BM_Preflight_Counted(benchmark::State& state) {
  auto ledger = OpenLedger();
  PreflightRequest req = Request(12000, "user:alice");
  Latencies latencies;
  for (auto _ : state) {
    latencies.Start();
    auto d = ledger->Preflight(req);
    (void)ledger->Release(d->reservation);
    latencies.Stop();
  }
  latencies.Report(state);
}
BENCHMARK(BM_Preflight_Counted);

// Counts a request of `n` messages with `count(fresh)` and pre-flights it, timing both. The
// last message, `fresh`, is new every call, as in an agent loop.
template <class Count>
void RunRequest(benchmark::State& state, size_t n, Count&& count) {
  auto ledger = OpenLedger();
  Latencies latencies;
  size_t i = 0;
  int64_t tokens = 0;
  for (auto _ : state) {
    std::string fresh = FreshMessage(n, i++);
    latencies.Start();
    const int64_t total = static_cast<int64_t>(count(fresh));
    PreflightAndRelease(*ledger, total);
    latencies.Stop();
    tokens = total;
  }
  state.counters["input_tokens"] = static_cast<double>(tokens);
  latencies.Report(state);
}

// Through the count cache: the other messages were counted before.
void RunCachedRequest(benchmark::State& state, size_t n) {
  const auto& conv = Conversation();
  auto enc = *tokwise::Encoding::Get("o200k_base");
  tokwise::TokenCountCache cache(1 << 16);
  std::vector<std::string_view> history(conv.begin(), conv.begin() + n - 1);
  for (std::string_view m : history) (void)cache.Count(*enc, m);
  RunRequest(state, n, [&](const std::string& fresh) {
    return *cache.CountAll(*enc, history) + *cache.Count(*enc, fresh);
  });
}

// A request of `n` messages that were all counted before (a retry, or a re-check after a
// denial): hashing and cache lookups plus the pre-flight.
void BM_Preflight_20Messages_AllCached(benchmark::State& state) {
  const auto& conv = Conversation();
  auto enc = *tokwise::Encoding::Get("o200k_base");
  tokwise::TokenCountCache cache(1 << 16);
  auto ledger = OpenLedger();
  std::vector<std::string_view> history(conv.begin(), conv.begin() + 20);
  (void)cache.CountAll(*enc, history);
  Latencies latencies;
  for (auto _ : state) {
    latencies.Start();
    size_t total = *cache.CountAll(*enc, history);
    PreflightAndRelease(*ledger, static_cast<int64_t>(total));
    latencies.Stop();
  }
  latencies.Report(state);
}
BENCHMARK(BM_Preflight_20Messages_AllCached);

// The same request counted from scratch every call.
void RunFullRecount(benchmark::State& state, size_t n) {
  const auto& conv = Conversation();
  auto enc = *tokwise::Encoding::Get("o200k_base");
  RunRequest(state, n, [&](const std::string& fresh) {
    size_t total = 0;
    for (size_t k = 0; k + 1 < n; ++k) total += *enc->Count(conv[k]);
    return total + *enc->Count(fresh);
  });
}

void BM_Preflight_20Messages_Incremental(benchmark::State& state) { RunCachedRequest(state, 20); }
void BM_Preflight_20Messages_FullRecount(benchmark::State& state) { RunFullRecount(state, 20); }
void BM_Step50_Incremental(benchmark::State& state) { RunCachedRequest(state, 50); }
void BM_Step50_FullRecount(benchmark::State& state) { RunFullRecount(state, 50); }
BENCHMARK(BM_Preflight_20Messages_Incremental);
BENCHMARK(BM_Preflight_20Messages_FullRecount);
BENCHMARK(BM_Step50_Incremental);
BENCHMARK(BM_Step50_FullRecount);

// 64 threads: pre-flight + commit. Arg 0: every thread charges the same user (one hot
// stripe); arg 1: each thread its own user (only the shared workflow, agent and model
// scopes contend).
std::unique_ptr<BudgetLedger> g_ledger;
void BM_Contention_PreflightCommit(benchmark::State& state) {
  if (state.thread_index() == 0) g_ledger = OpenLedger();
  // Google Benchmark starts timing only after every thread is here, so the ledger is ready.
  const std::string user =
      state.range(0) == 0 ? "user:hot" : "user:u" + std::to_string(state.thread_index());
  PreflightRequest req = Request(2000, user);
  tokwise::Usage u;
  u.input_uncached = 2000;
  u.output = 300;
  for (auto _ : state) {
    auto d = g_ledger->Preflight(req);
    if (!d->allowed()) state.SkipWithError("denied");
    benchmark::DoNotOptimize(g_ledger->Commit(d->reservation, u));
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    state.counters["admitted"] = static_cast<double>(g_ledger->stats().admitted);
  }
}
BENCHMARK(BM_Contention_PreflightCommit)->Arg(0)->Arg(1)->Threads(1)->Threads(64)->UseRealTime();

// Commit with the journal on disk, per fsync policy (single thread).
void BM_Commit_Journaled(benchmark::State& state) {
  char tmpl[] = "/tmp/tokwise_bench_XXXXXX";
  std::string dir = mkdtemp(tmpl);
  {
    LedgerOptions o;
    o.dir = dir;
    o.fsync = static_cast<tokwise::FsyncPolicy>(state.range(0));
    o.snapshot_every = 0;
    auto ledger = OpenLedger(std::move(o));
    PreflightRequest req = Request(2000, "user:alice");
    tokwise::Usage u;
    u.input_uncached = 2000;
    u.output = 300;
    for (auto _ : state) {
      auto d = ledger->Preflight(req);
      benchmark::DoNotOptimize(ledger->Commit(d->reservation, u));
    }
    state.SetItemsProcessed(state.iterations());
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK(BM_Commit_Journaled)->Arg(0)->Arg(1)->Arg(2)->ArgNames({"fsync"});

}  // namespace

BENCHMARK_MAIN();
