// Cost-model throughput: scenario evaluations per second (target: >= 1 million 10-step
// agent-loop evaluations a second, so that callers can sweep parameters).
#include <benchmark/benchmark.h>

#include "tokwise/catalog.h"
#include "tokwise/cost_model.h"
#include "tokwise/scenario.h"

namespace {

// A 10-step agent loop in the billed layout: system 500, tools 800, task 100; each step a
// 40-token tool call and a 600-token result; a 400-token final answer.
tokwise::Scenario TenStepLoop() {
  tokwise::AgentLoopSpec a;
  a.system = 500;
  a.tool_definitions = 800;
  a.user = 100;
  a.steps = tokwise::AgentLoopSpec::Uniform(10, {40, 600, 0, 0}, 400);
  return tokwise::BuildAgentLoop(a);
}

const tokwise::ModelInfo& Model(const char* name) {
  return **tokwise::Catalog::Default().Find(name);
}

void EvaluateLoop(benchmark::State& state, const char* model, tokwise::CacheMode mode) {
  const tokwise::Scenario s = TenStepLoop();
  const tokwise::ModelInfo& m = Model(model);
  tokwise::EvalOptions o;
  o.cache.mode = mode;
  tokwise::ScenarioEvaluator ev;
  tokwise::ScenarioResult r;
  for (auto _ : state) {
    auto st = ev.Evaluate(s, m, o, &r);
    benchmark::DoNotOptimize(st);
    benchmark::DoNotOptimize(r.cost);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["calls/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * r.calls,
                         benchmark::Counter::kIsRate);
}

void BM_Evaluate_TenStepLoop_NoCache(benchmark::State& state) {
  EvaluateLoop(state, "gpt-4o", tokwise::CacheMode::kOff);
}
void BM_Evaluate_TenStepLoop_AutoCache(benchmark::State& state) {
  EvaluateLoop(state, "gpt-4o", tokwise::CacheMode::kAutomatic);
}
void BM_Evaluate_TenStepLoop_Explicit5m(benchmark::State& state) {
  EvaluateLoop(state, "claude-sonnet-4-5", tokwise::CacheMode::kExplicit5m);
}
BENCHMARK(BM_Evaluate_TenStepLoop_NoCache);
BENCHMARK(BM_Evaluate_TenStepLoop_AutoCache);
BENCHMARK(BM_Evaluate_TenStepLoop_Explicit5m);

// The convenience call, allocating its result each time.
void BM_EvaluateFresh_TenStepLoop(benchmark::State& state) {
  const tokwise::Scenario s = TenStepLoop();
  const tokwise::ModelInfo& m = Model("gpt-4o");
  for (auto _ : state) {
    auto r = tokwise::Evaluate(s, m);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluateFresh_TenStepLoop);

// A parameter sweep as a caller writes it: build the scenario for each point, then evaluate.
void BM_BuildAndEvaluate_TenStepLoop(benchmark::State& state) {
  const tokwise::ModelInfo& m = Model("gpt-4o");
  tokwise::ScenarioEvaluator ev;
  tokwise::ScenarioResult r;
  uint32_t result = 100;
  for (auto _ : state) {
    tokwise::AgentLoopSpec a;
    a.system = 500;
    a.user = 100;
    a.steps = tokwise::AgentLoopSpec::Uniform(10, {40, result, 0, 0}, 400);
    result = result % 2000 + 1;
    const tokwise::Scenario s = tokwise::BuildAgentLoop(a);
    auto st = ev.Evaluate(s, m, {}, &r);
    benchmark::DoNotOptimize(st);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BuildAndEvaluate_TenStepLoop);

// Long conversations: evaluation is quadratic in the number of calls of a sequence.
void BM_Evaluate_Conversation(benchmark::State& state) {
  tokwise::ConversationSpec c;
  c.system = 500;
  c.turns = tokwise::ConversationSpec::Uniform(static_cast<uint32_t>(state.range(0)), 50, 300);
  const tokwise::Scenario s = tokwise::BuildConversation(c);
  tokwise::ModelInfo m = Model("gpt-4o");
  m.context_window = 0;
  tokwise::ScenarioEvaluator ev;
  tokwise::ScenarioResult r;
  for (auto _ : state) {
    auto st = ev.Evaluate(s, m, {}, &r);
    benchmark::DoNotOptimize(st);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Evaluate_Conversation)->Arg(20)->Arg(100)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
