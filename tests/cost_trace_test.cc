// The accumulation model against real agent runs: SWE-agent trajectories (GPT-4 Turbo) in the
// shared data record what the run was billed (info.model_stats: tokens_sent, tokens_received,
// api_calls, instance_cost). Rebuilding each run call by call from its messages' token counts
// (oracle/traces_message_counts.jsonl, counted by tiktoken) must give those figures exactly.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "simdjson.h"
#include "test_models.h"
#include "test_util.h"
#include "tokwise/cost_model.h"

namespace tokwise {
namespace {

struct Message {
  std::string role;
  uint32_t tokens = 0;
};

// The cl100k_base counts of one trace's messages, in order.
std::vector<Message> Messages(const std::string& trace) {
  const std::string text = tokwise::testing::ReadFile(
      tokwise::testing::SharedData("oracle/traces_message_counts.jsonl"));
  simdjson::dom::parser parser;
  std::vector<Message> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    simdjson::dom::element e;
    if (parser.parse(line).get(e) != simdjson::SUCCESS) {
      ADD_FAILURE() << "bad line: " << line;
      continue;
    }
    std::string_view t, role;
    uint64_t n = 0;
    if (e["trace"].get(t) || e["role"].get(role) || e["n_tokens_cl100k_base"].get(n)) {
      ADD_FAILURE() << "missing field: " << line;
      continue;
    }
    if (t == trace) out.push_back({std::string(role), static_cast<uint32_t>(n)});
  }
  return out;
}

struct ModelStats {
  uint64_t tokens_sent = 0;
  uint64_t tokens_received = 0;
  uint64_t api_calls = 0;
  double instance_cost = 0;
};

ModelStats Stats(const std::string& trace) {
  const std::string text = tokwise::testing::ReadFile(tokwise::testing::SharedData(trace));
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  ModelStats s;
  EXPECT_EQ(parser.parse(text).get(e), simdjson::SUCCESS);
  simdjson::dom::element m;
  EXPECT_EQ(e["info"]["model_stats"].get(m), simdjson::SUCCESS);
  EXPECT_EQ(m["tokens_sent"].get(s.tokens_sent), simdjson::SUCCESS);
  EXPECT_EQ(m["tokens_received"].get(s.tokens_received), simdjson::SUCCESS);
  EXPECT_EQ(m["api_calls"].get(s.api_calls), simdjson::SUCCESS);
  EXPECT_EQ(m["instance_cost"].get(s.instance_cost), simdjson::SUCCESS);
  return s;
}

// The run as calls: every assistant message is one call's output; everything before it is
// that call's input (re-sent). Framing follows OpenAI's documented chat-format count for its
// GPT-3.5/4 chat models: 3 tokens per message plus the role name (one token for "system",
// "user" and "assistant"), and 3 more priming each reply.
Scenario FromMessages(const std::vector<Message>& msgs) {
  Scenario s("trace");
  s.BeginSequence("agent", /*message_overhead=*/3 + 1, /*call_overhead=*/3);
  bool task_seen = false;
  for (const Message& m : msgs) {
    if (m.role == "assistant") {
      s.AddOutput(TokenKind::kAssistant, m.tokens);
    } else if (m.role == "system") {
      s.AddInput(TokenKind::kSystem, m.tokens, ItemFlags{true});
    } else if (!task_seen) {
      s.AddInput(TokenKind::kUser, m.tokens, ItemFlags{true});
      task_seen = true;
    } else {
      s.AddInput(TokenKind::kToolResult, m.tokens);  // Observations.
    }
  }
  return s;
}

void CheckTrace(const std::string& trace) {
  const std::vector<Message> msgs = Messages(trace);
  ASSERT_FALSE(msgs.empty()) << trace;
  const ModelStats want = Stats(trace);
  EvalOptions o;
  o.cache.mode = CacheMode::kOff;  // 2023 runs: no prompt caching.
  auto r = Evaluate(FromMessages(msgs), tokwise::testing::Gpt4Turbo1106(), o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->calls, want.api_calls) << trace;
  EXPECT_EQ(r->tokens.input(), want.tokens_sent) << trace;
  EXPECT_EQ(r->tokens.output, want.tokens_received) << trace;
  // The recorded cost (dollars, a double) at $10/M in and $30/M out, to the micro-dollar.
  const double usd = static_cast<double>(r->total_cost()) / 1e12;
  EXPECT_NEAR(usd, want.instance_cost, 5e-7) << trace;
  // The accumulation is what makes it expensive: re-sent context dwarfs the new input.
  uint64_t resent = 0;
  for (const StepResult& st : r->steps) resent += st.resent;
  EXPECT_GT(resent, r->tokens.input() / 2) << trace;
}

TEST(TraceTest, SweAgentTestRepoRun) {
  // 5 calls, 52,861 tokens sent, 326 received, $0.53839 (the trace's own record).
  CheckTrace("traces/sweagent_gpt4_swe-agent__test-repo-i1.traj");
}

TEST(TraceTest, SweAgentPydicomRun) {
  // 12 calls, 122,612 tokens sent, 1,369 received, $1.26719.
  CheckTrace("traces/sweagent_gpt4_pydicom__pydicom-1458.traj");
}

}  // namespace
}  // namespace tokwise
