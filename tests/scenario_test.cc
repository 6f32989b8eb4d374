// Scenario builders, JSON specs (and their errors) and the regenerated typical-task ranges.
#include "tokwise/scenario.h"

#include <string>

#include "gtest/gtest.h"
#include "test_models.h"

namespace tokwise {
namespace {

using testing::Gpt4o;

ScenarioResult Tokens(const Scenario& s) {
  EvalOptions o;
  o.cache.mode = CacheMode::kOff;
  auto r = Evaluate(s, Gpt4o(), o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : ScenarioResult{};
}

ScenarioResult FromJson(const std::string& json) {
  auto spec = ScenarioFromJson(json);
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.ok() ? Tokens(spec->scenario) : ScenarioResult{};
}

std::string JsonError(const std::string& json) {
  auto spec = ScenarioFromJson(json);
  EXPECT_FALSE(spec.ok()) << json;
  if (spec.ok()) return "";
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(spec.status().message());
}

TEST(BuilderTest, PinsSystemToolsAndTask) {
  AgentLoopSpec a;
  a.system = 100;
  a.tool_definitions = 300;
  a.user = 20;
  a.steps = AgentLoopSpec::Uniform(3, AgentStep{10, 200, 0, 0}, 50);
  const Scenario s = BuildAgentLoop(a);
  ASSERT_EQ(s.sequences().size(), 1u);
  int pinned = 0;
  for (const Item& it : s.items()) pinned += it.flags.pinned;
  EXPECT_EQ(pinned, 3);
  // Billed layout: call 1 writes the first tool call; calls 2 and 3 read one result each.
  ASSERT_EQ(s.calls().size(), 3u);
  const ScenarioResult r = Tokens(s);
  EXPECT_EQ(r.steps[0].input, 420u);
  EXPECT_EQ(r.steps[1].input, 420u + 10 + 200);
  EXPECT_EQ(r.steps[2].input, 420u + 2 * 210);
  EXPECT_EQ(r.steps[2].output, 50u);
}

TEST(BuilderTest, TrailingResultGetsAClosingCall) {
  AgentLoopSpec a;
  a.user = 10;
  a.steps = {AgentStep{5, 100, 0, 0}};
  EXPECT_EQ(BuildAgentLoop(a).calls().size(), 2u);
  a.timing = ResultTiming::kSameStep;
  EXPECT_EQ(BuildAgentLoop(a).calls().size(), 1u);
}

TEST(BuilderTest, SubAgentTaskIsTheDelegation) {
  MultiAgentSpec m;
  m.system = 100;
  m.user = 10;
  m.final_output = 30;
  SubAgentSpec sub;
  sub.delegation = 40;
  sub.loop.name = "worker";
  sub.loop.system = 50;
  sub.loop.steps = {AgentStep{0, 0, 0, 70}};
  m.agents.push_back(sub);
  const ScenarioResult r = Tokens(BuildMultiAgent(m));
  ASSERT_EQ(r.sequences.size(), 2u);
  // The worker: system 50 + task 40 -> 70.
  EXPECT_EQ(r.sequences[1].tokens.input(), 90u);
  EXPECT_EQ(r.sequences[1].tokens.output, 70u);
  // The orchestrator: 110 -> delegation 40; then reads the 70-token answer -> 30.
  EXPECT_EQ(r.sequences[0].tokens.input(), 110u + (110 + 40 + 70));
  EXPECT_EQ(r.sequences[0].tokens.output, 40u + 30u);
}

TEST(PresetTest, EveryPresetBuildsAndUnknownNamesAreListed) {
  for (const PresetInfo& p : Presets()) {
    auto s = BuildPreset(p.name);
    ASSERT_TRUE(s.ok()) << p.name;
    EXPECT_EQ(s->name(), p.name);
    EXPECT_EQ(s->direct_answer_tokens(), 550u);
  }
  auto bad = BuildPreset("reserch-agent");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(bad.status().message().find("research-agent"), absl::string_view::npos);
  for (std::string_view level : LevelPresets()) EXPECT_TRUE(BuildPreset(level).ok()) << level;
}

TEST(JsonTest, SpecsReproduceTheReferenceExamples) {
  EXPECT_EQ(
      FromJson(R"({"type": "single", "system": 200, "user": 50, "output": 300})").total_tokens(),
      550u);
  EXPECT_EQ(FromJson(R"({"type": "rag", "system": 200, "user": 50, "output": 400,
                         "chunks": [800, 1100, 900]})")
                .input_by_kind[static_cast<size_t>(TokenKind::kRetrieved)],
            2800u);
  const ScenarioResult agent = FromJson(R"({
      "type": "agent", "name": "research", "direct_answer_tokens": 550,
      "system": 200, "user": 21, "result_timing": "same_step",
      "steps": [{"tool_call": 18, "tool_result": 311}, {"tool_call": 23, "tool_result": 627},
                {"tool_call": 30, "tool_result": 870}, {"output": 1200}, {"output": 1500}]})");
  EXPECT_EQ(agent.total_tokens(), 11950u);
  EXPECT_EQ(agent.scenario, "research");
  EXPECT_EQ(agent.direct_answer_tokens, 550u);
  EXPECT_EQ(FromJson(R"({"type": "conversation", "system": 500, "turns": 50, "user": 50,
                         "output": 300})")
                .input_by_kind[static_cast<size_t>(TokenKind::kSystem)],
            25000u);
  EXPECT_EQ(FromJson(R"({"type": "rag", "k": 4, "chunk_tokens": 500, "user": 10})").total_tokens(),
            2010u);
  EXPECT_EQ(FromJson(R"({"type": "agent", "user": 550, "result_timing": "next_call",
                         "n_steps": 10, "step": {"tool_result": 550}, "final_output": 0})")
                .tokens.input(),
            55u * 550u);
}

TEST(JsonTest, MultiAgentSpecMatchesTheBuilder) {
  const ScenarioResult r = FromJson(R"({
      "type": "multi_agent", "system": 200, "user": 50, "final_output": 200,
      "result_timing": "same_step",
      "agents": [
        {"name": "research", "delegation": 100, "system": 200,
         "steps": [{"tool_call": 50, "tool_result": 600}, {"tool_call": 50, "tool_result": 900},
                   {"tool_call": 50, "tool_result": 1000}, {"output": 250}]},
        {"name": "analysis", "delegation": 100, "system": 200,
         "steps": [{"tool_call": 50, "tool_result": 600}, {"tool_call": 50, "tool_result": 700},
                   {"tool_call": 50, "tool_result": 900}, {"tool_call": 50, "tool_result": 800},
                   {"output": 200}]},
        {"name": "writing", "delegation": 100, "system": 200,
         "steps": [{"tool_call": 50, "tool_result": 850}, {"output": 1200},
                   {"tool_call": 50, "tool_result": 300}, {"output": 400}]}]})");
  const ScenarioResult preset = Tokens(*BuildPreset("multi-agent"));
  EXPECT_EQ(r.total_tokens(), 35500u);
  ASSERT_EQ(r.sequences.size(), preset.sequences.size());
  for (size_t i = 0; i < r.sequences.size(); ++i) {
    EXPECT_EQ(r.sequences[i].name, preset.sequences[i].name);
    EXPECT_EQ(r.sequences[i].tokens.total(), preset.sequences[i].tokens.total());
  }
}

TEST(JsonTest, ExplicitCallsWithFramingAndSettings) {
  auto spec = ScenarioFromJson(R"({
      "type": "calls", "model": "claude-sonnet-4-5", "cache": "5m",
      "sequences": [{"name": "chat", "message_overhead": 4, "call_overhead": 3, "calls": [
        {"input": [{"kind": "system", "tokens": 100}, {"kind": "user", "tokens": 20}],
         "output": [{"kind": "assistant", "tokens": 30}]},
        {"after_seconds": 90, "input": [{"kind": "user", "tokens": 10}],
         "output": [{"kind": "reasoning", "tokens": 50, "transient": true},
                    {"kind": "assistant", "tokens": 5}]}]}]})");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->model, "claude-sonnet-4-5");
  EXPECT_EQ(spec->cache, CacheMode::kExplicit5m);
  const Scenario& s = spec->scenario;
  ASSERT_EQ(s.calls().size(), 2u);
  EXPECT_EQ(s.calls()[1].gap_ms, 90'000);
  EXPECT_TRUE(s.items()[0].flags.pinned);  // System prompts are pinned by default.
  EXPECT_FALSE(s.items()[1].flags.pinned);
  const ScenarioResult r = Tokens(s);
  // Call 1: two messages of 4 framing tokens plus 3 for the reply: 120 + 11.
  EXPECT_EQ(r.steps[0].input, 131u);
  // Call 2 re-sends system + user + the reply as a message (4 + 30), adds user 10 + 4 + 3.
  EXPECT_EQ(r.steps[1].resent, 128u + 34u);
  EXPECT_EQ(r.steps[1].input, 128u + 34u + 14u + 3u);
  EXPECT_EQ(r.steps[1].output, 55u);
  EXPECT_EQ(r.input_by_kind[static_cast<size_t>(TokenKind::kFraming)], 11u + 12u + 4u + 3u);
}

TEST(JsonTest, ErrorsNameTheJsonPath) {
  EXPECT_NE(JsonError("{").find("$: invalid JSON"), std::string::npos);
  EXPECT_NE(JsonError("[1]").find("$: expected an object"), std::string::npos);
  EXPECT_NE(JsonError(R"({"system": 1})").find("$: missing key \"type\""), std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "agnet"})").find("$.type: unknown type \"agnet\""),
            std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "single", "sytem": 200})")
                .find("$.sytem: unknown key for type \"single\""),
            std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "single", "user": -5})")
                .find("$.user: expected a non-negative integer"),
            std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "single", "user": 2.5})").find("$.user:"), std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "single", "user": 3000000000})").find("$.user:"),
            std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "single", "user": 1, "user": 2})").find("$.user: duplicate key"),
            std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "agent", "steps": [{"tool_call": 1}, {"tool_reslt": 2}]})")
                .find("$.steps[1].tool_reslt: unknown key"),
            std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "agent", "steps": [{"tool_call": "x"}]})")
                .find("$.steps[0].tool_call: expected a non-negative integer"),
            std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "agent", "user": 5})").find("$: missing key \"steps\""),
            std::string::npos);
  EXPECT_NE(
      JsonError(R"({"type": "agent", "steps": [], "n_steps": 3})").find("$.steps: give either"),
      std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "agent", "n_steps": 3, "result_timing": "later"})")
                .find("$.result_timing: expected \"next_call\" or \"same_step\""),
            std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "agent", "n_steps": 1000000})").find("$.n_steps:"),
            std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "rag", "chunks": [1, "big"]})").find("$.chunks[1]:"),
            std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "rag", "chunks": [1], "k": 2})").find("$.chunks: give either"),
            std::string::npos);
  EXPECT_NE(
      JsonError(R"({"type": "conversation", "turns": [{"user": 1}], "user": 5})").find("$.turns:"),
      std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "conversation", "system": 1, "seconds_between_calls": -1,
                          "turns": 2})")
                .find("$.seconds_between_calls:"),
            std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "multi_agent", "agents": [{"name": "a", "steps": 4}]})")
                .find("$.agents[0].steps: expected an array"),
            std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "calls", "sequences": [{"calls": [{"input": [
                           {"kind": "sys", "tokens": 1}]}]}]})")
                .find("$.sequences[0].calls[0].input[0].kind: unknown kind \"sys\""),
            std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "calls", "sequences": [{"calls": [{"output": [
                           {"kind": "assistant", "tokens": 1, "pinned": true}]}]}]})")
                .find("$.sequences[0].calls[0].output[0].pinned: unknown key"),
            std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "calls", "sequences": [{"calls": [{"input": [
                           {"kind": "user"}]}]}]})")
                .find("$.sequences[0].calls[0].input[0]: missing key \"tokens\""),
            std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "single", "cache": "forever"})").find("$.cache:"),
            std::string::npos);
  EXPECT_NE(JsonError(R"({"type": "single", "weird key\"": 1})").find(R"($["weird key\""])"),
            std::string::npos);
}

TEST(JsonTest, HostileSizesAreRefusedQuickly) {
  // 10,000 agents x 10,000 steps would be 10^8 calls: refused at the agent that crosses the
  // total, before anything that size is built.
  std::string json = R"({"type": "multi_agent", "agents": [)";
  for (int i = 0; i < 20; ++i) {
    json += std::string(i ? "," : "") + R"({"n_steps": 10000, "step": {"tool_result": 1}})";
  }
  json += "]}";
  EXPECT_NE(JsonError(json).find("$.agents[10]: too many steps in all"), std::string::npos);
}

TEST(RangesTest, RegeneratedFromTheBuildersWithVerdicts) {
  const std::vector<TaskRange> rows = TypicalTaskRanges();
  ASSERT_EQ(rows.size(), 6u);

  // The single-call range is the sum of the stated bounds (nothing is re-sent).
  EXPECT_EQ(rows[0].setup, "single call");
  EXPECT_EQ(rows[0].low, 100u + 20u + 100u);
  EXPECT_EQ(rows[0].high, 500u + 200u + 500u);
  EXPECT_EQ(rows[0].reference, 550u);
  EXPECT_TRUE(rows[0].agrees);

  // 20 turns: 20 system prompts + 210 exchanges (closed form, from the bounds).
  EXPECT_EQ(rows[2].setup, "20-turn conversation");
  EXPECT_EQ(rows[2].low, 20u * 100 + 210u * (20 + 100));
  EXPECT_EQ(rows[2].high, 20u * 500 + 210u * (200 + 500));
  // The article's own exchange sizes give 77,500 tokens, outside its 10,000-50,000.
  EXPECT_EQ(rows[2].reference, 77500u);
  EXPECT_FALSE(rows[2].agrees);
  EXPECT_NE(rows[2].why.find("outside its range"), std::string::npos);

  // The 5-step agent agrees, its example inside; the verdict notes the billed difference.
  EXPECT_EQ(rows[3].reference, 11950u);
  EXPECT_TRUE(rows[3].agrees);
  EXPECT_NE(rows[3].why.find("10,142"), std::string::npos);

  // The article's RAG multiplier does not follow from its own tokens (2,000/550 = 3.6x).
  EXPECT_NE(rows[1].why.find("3.6-18.2x"), std::string::npos);

  // Every row states its parameters and has a verdict; ranges are ordered.
  for (const TaskRange& r : rows) {
    EXPECT_FALSE(r.parameters.empty()) << r.setup;
    EXPECT_FALSE(r.why.empty()) << r.setup;
    EXPECT_LE(r.low, r.high) << r.setup;
  }
}

TEST(RangesTest, CornersBoundRandomInteriorPoints) {
  // The table's bounds come from the corners only; check monotonicity on interior points of
  // the 20-turn conversation and the 5-step agent.
  const std::vector<TaskRange> rows = TypicalTaskRanges();
  uint32_t seed = 12345;
  auto next = [&](uint32_t lo, uint32_t hi) {
    seed = seed * 1103515245u + 12345u;
    return lo + (seed >> 8) % (hi - lo + 1);
  };
  for (int i = 0; i < 50; ++i) {
    ConversationSpec c;
    c.system = next(100, 500);
    c.turns = ConversationSpec::Uniform(20, next(20, 200), next(100, 500));
    const uint64_t t = Tokens(BuildConversation(c)).total_tokens();
    EXPECT_GE(t, rows[2].low);
    EXPECT_LE(t, rows[2].high);

    AgentLoopSpec a;
    a.system = next(100, 500);
    a.user = next(20, 200);
    a.tool_definitions = next(0, 1000);
    const AgentStep tool{next(20, 50), next(200, 1000), 0, 0};
    a.steps = {tool, tool, tool, AgentStep{0, 0, 0, next(300, 1500)},
               AgentStep{0, 0, 0, next(300, 1500)}};
    const uint64_t u = Tokens(BuildAgentLoop(a)).total_tokens();
    EXPECT_GE(u, rows[3].low);
    EXPECT_LE(u, rows[3].high);
  }
}

}  // namespace
}  // namespace tokwise
