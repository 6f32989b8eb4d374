// The report on every real trace in the shared data, checked against what the traces
// themselves record (SWE-agent model_stats, OpenHands and aider usage) and against an
// independent recount of their messages (oracle/traces_message_counts.jsonl, counted by
// tiktoken).
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "simdjson.h"
#include "test_util.h"
#include "tokwise/report.h"

namespace tokwise {
namespace {

constexpr char kGpt4Turbo[] = "gpt-4-1106-preview";  // SWE-agent 0.x's "gpt4".

absl::StatusOr<Report> ReportFor(const std::string& rel, const std::string& model = "") {
  absl::StatusOr<Trace> t = ReadTraceFile(tokwise::testing::SharedData(rel));
  if (!t.ok()) return t.status();
  std::vector<Trace> traces;
  traces.push_back(std::move(*t));
  ReportOptions o;
  o.model = model;
  return BuildReport(traces, o);
}

size_t K(TokenKind k) { return static_cast<size_t>(k); }

TEST(ReportTraceTest, EveryTraceReports) {
  // Traces that do not name their model get one: SWE-agent 0.x (gpt4 = gpt-4-1106-preview),
  // the mini-swe-agent example, and one aider session without a model banner.
  const struct {
    const char* file;
    const char* model;
    size_t calls;
  } kTraces[] = {
      {"traces/aider_chat-history_head.md", "claude-3-5-sonnet", 94},
      {"traces/mini-swe-agent_github_issue.traj.json", kGpt4Turbo, 10},
      {"traces/openhands_multi_swe_bench_examples_output.jsonl", "", 105},
      {"traces/openhands_runtime_trajs_basic.json", "", 2},
      {"traces/sweagent_demo_function_calling_simple.traj", kGpt4Turbo, 5},
      {"traces/sweagent_demo_marshmallow-code__marshmallow-1867.traj", kGpt4Turbo, 14},
      {"traces/sweagent_gpt4_pydicom__pydicom-1458.traj", kGpt4Turbo, 12},
      {"traces/sweagent_gpt4_swe-agent__test-repo-i1.traj", kGpt4Turbo, 5},
  };
  for (const auto& t : kTraces) {
    absl::StatusOr<Report> r = ReportFor(t.file, t.model);
    ASSERT_TRUE(r.ok()) << t.file << ": " << r.status();
    EXPECT_EQ(r->calls.size(), t.calls) << t.file;
    // The groups add up to the total, and cumulative figures end at it.
    uint64_t input = 0, output = 0;
    for (const ReportGroup& g : r->threads) {
      input += g.input;
      output += g.output;
    }
    EXPECT_EQ(input, r->total.input) << t.file;
    EXPECT_EQ(output, r->total.output) << t.file;
    EXPECT_EQ(r->calls.back().cumulative_tokens, r->total.total()) << t.file;
    EXPECT_EQ(r->calls.back().cumulative_cost, r->total.cost) << t.file;
    // Agent runs re-send most of what they send.
    EXPECT_GT(r->total.resent, r->total.input / 2) << t.file;
    // Every format renders.
    EXPECT_FALSE(FormatReport(*r).empty());
    EXPECT_GT(ReportToHtml(*r).size(), 10'000u);
  }
  // Without a model, the SWE-agent 0.x trajectory is refused with the call named.
  absl::StatusOr<Report> r = ReportFor("traces/sweagent_gpt4_swe-agent__test-repo-i1.traj");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("$.history[3]"), absl::string_view::npos);
}

// SWE-agent 0.x summed the API's usage over the run's calls; its model, "gpt4", was
// gpt-4-1106-preview at $10 / $30 per million tokens.
TEST(ReportTraceTest, SweAgentGpt4RunsMatchTheirBilledTotals) {
  const struct {
    const char* file;
    uint64_t tokens_sent, tokens_received, calls;
    PicoUsd instance_cost;
  } kRuns[] = {
      {"traces/sweagent_gpt4_swe-agent__test-repo-i1.traj", 52861, 326, 5, 538'390'000'000},
      {"traces/sweagent_gpt4_pydicom__pydicom-1458.traj", 122612, 1369, 12, 1'267'190'000'000},
  };
  for (const auto& run : kRuns) {
    absl::StatusOr<Report> r = ReportFor(run.file, kGpt4Turbo);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->billed_checks.size(), 1u);
    const BilledCheck& b = r->billed_checks[0];
    EXPECT_EQ(b.stated.input_tokens, run.tokens_sent);
    EXPECT_EQ(b.stated.cost, run.instance_cost);
    // Input within 0.05 % of tokens_sent (it is exact: every call follows OpenAI's
    // published chat framing and nothing else is sent).
    const double rel = std::abs(static_cast<double>(b.input_diff)) / run.tokens_sent;
    EXPECT_LE(rel, 0.0005) << run.file;
    EXPECT_EQ(b.input, run.tokens_sent) << run.file;
    EXPECT_EQ(b.output, run.tokens_received) << run.file;
    EXPECT_EQ(b.calls, run.calls) << run.file;
    // The billed totals at catalog prices are the recorded cost, to the pico-dollar; and so
    // is our own reconstruction (no caching in 2023).
    ASSERT_TRUE(b.cost_of_stated_tokens.has_value());
    EXPECT_EQ(*b.cost_of_stated_tokens, run.instance_cost) << run.file;
    EXPECT_TRUE(b.cost_matches);
    EXPECT_EQ(r->total.cost, run.instance_cost) << run.file;
    EXPECT_EQ(r->total.cached_cost, run.instance_cost);  // No caching offered for the model.
    EXPECT_EQ(r->label, CountLabel::kExact);
  }
}

struct OracleMessage {
  std::string role;
  uint64_t tokens = 0;
};

std::map<std::string, std::vector<OracleMessage>> Oracle() {
  const std::string text = tokwise::testing::ReadFile(
      tokwise::testing::SharedData("oracle/traces_message_counts.jsonl"));
  std::map<std::string, std::vector<OracleMessage>> out;
  simdjson::dom::parser parser;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    simdjson::dom::element e;
    std::string_view trace, role;
    uint64_t n = 0;
    if (parser.parse(line).get(e) || e["trace"].get(trace) || e["role"].get(role) ||
        e["n_tokens_cl100k_base"].get(n)) {
      ADD_FAILURE() << "bad oracle line: " << line;
      continue;
    }
    out[std::string(trace)].push_back({std::string(role), n});
  }
  return out;
}

// The report's totals recounted from tiktoken's per-message counts: every assistant message
// is one call whose prompt is the messages before it, each framed as OpenAI documents (3
// tokens per message plus a one-token role, 3 priming the reply).
TEST(ReportTraceTest, TotalsMatchAnIndependentRecount) {
  const std::map<std::string, std::vector<OracleMessage>> oracle = Oracle();
  for (const char* file : {"traces/sweagent_gpt4_swe-agent__test-repo-i1.traj",
                           "traces/sweagent_gpt4_pydicom__pydicom-1458.traj",
                           "traces/sweagent_demo_marshmallow-code__marshmallow-1867.traj",
                           "traces/mini-swe-agent_github_issue.traj.json"}) {
    auto it = oracle.find(file);
    ASSERT_NE(it, oracle.end()) << file;
    uint64_t input = 0, output = 0, prefix = 0, calls = 0;
    for (const OracleMessage& m : it->second) {
      if (m.role == "assistant" && prefix > 0) {
        input += prefix + 3;
        output += m.tokens;
        ++calls;
      }
      prefix += m.tokens + 3 + 1;
    }
    absl::StatusOr<Report> r = ReportFor(file, kGpt4Turbo);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->calls.size(), calls) << file;
    EXPECT_EQ(r->total.input, input) << file;
    EXPECT_EQ(r->total.output, output) << file;
  }

  // With tool calls (counted by tokwise's calibrated rule, which the oracle does not cover),
  // the message contents still recount exactly: system, user, tool results and assistant
  // text, summed over the calls that sent them.
  const char* fc = "traces/sweagent_demo_function_calling_simple.traj";
  auto it = oracle.find(fc);
  ASSERT_NE(it, oracle.end());
  uint64_t content = 0, prefix = 0, assistant_out = 0;
  for (const OracleMessage& m : it->second) {
    if (m.role == "assistant" && prefix > 0) {
      content += prefix;
      assistant_out += m.tokens;
    }
    prefix += m.tokens;
  }
  absl::StatusOr<Report> r = ReportFor(fc, kGpt4Turbo);
  ASSERT_TRUE(r.ok()) << r.status();
  const ReportGroup& t = r->total;
  EXPECT_EQ(t.input_by_kind[K(TokenKind::kSystem)] + t.input_by_kind[K(TokenKind::kUser)] +
                t.input_by_kind[K(TokenKind::kToolResult)] +
                t.input_by_kind[K(TokenKind::kAssistant)],
            content);
  EXPECT_EQ(t.output_by_kind[K(TokenKind::kAssistant)], assistant_out);
  EXPECT_GT(t.output_by_kind[K(TokenKind::kToolCall)], 0u);
}

// OpenHands records each call's usage (Llama 4 Maverick via OpenRouter). tokwise rebuilds the
// prompts from the event log, which lacks OpenHands' observation templates and counts with
// o200k_base, not Llama 4's tokenizer: every rebuilt prompt must come out below what was
// billed, by a bounded margin.
TEST(ReportTraceTest, OpenHandsAgainstItsBilledUsage) {
  absl::StatusOr<Report> r = ReportFor("traces/openhands_multi_swe_bench_examples_output.jsonl");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->priced);  // The model is not in the catalog: tokens only.
  EXPECT_EQ(r->label, CountLabel::kEstimate);
  for (const ReportCall& c : r->calls) {
    ASSERT_TRUE(c.billed.has_value()) << c.where;
    const uint64_t billed = c.billed->usage.input_total();
    EXPECT_LT(c.input, billed) << c.where;
    EXPECT_GT(c.input, billed * 6 / 10) << c.where;
  }
  ASSERT_EQ(r->billed_checks.size(), 3u);
  for (const BilledCheck& b : r->billed_checks) {
    EXPECT_EQ(b.calls, b.stated.calls.value()) << b.stated.workflow;
    EXPECT_GT(b.input_diff, 0) << b.stated.workflow;
    EXPECT_LT(b.input_diff, static_cast<int64_t>(*b.stated.input_tokens / 4)) << b.stated.workflow;
  }
  EXPECT_EQ(r->workflows.size(), 3u);
}

// aider prints what each request cost ("Tokens: N sent, M received"). Its prompts hold a
// repo map and files the transcript lacks, so only the replies can be compared: the model's
// output, counted from the transcript's replies, must agree with what aider was billed.
TEST(ReportTraceTest, AiderRepliesAgainstItsTokenLines) {
  absl::StatusOr<Report> r = ReportFor("traces/aider_chat-history_head.md", "claude-3-5-sonnet");
  ASSERT_TRUE(r.ok()) << r.status();
  const ReportGroup& t = r->total;
  EXPECT_EQ(t.billed_calls, 91u);
  const double out = static_cast<double>(t.our_output_of_billed);
  const double billed = static_cast<double>(t.billed_output);
  EXPECT_NEAR(out / billed, 1.0, 0.03) << out << " vs " << billed;
  EXPECT_LT(t.our_input_of_billed, t.billed_input / 5);  // The prompts are mostly unseen.
}

}  // namespace
}  // namespace tokwise
