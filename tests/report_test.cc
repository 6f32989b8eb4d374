// The trace report on small traces built here: new versus re-sent, costs, caching, threads,
// wastes, models, output formats. Expected values come from counting each request on its own
// with tokwise/chat.h and from the published prices, never from the report itself.
#include "tokwise/report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "simdjson.h"
#include "test_util.h"
#include "tokwise/chat.h"

namespace tokwise {
namespace {

#define EXPECT_HAS(s, sub)                            \
  do {                                                \
    const std::string s_ = (s);                       \
    EXPECT_NE(s_.find(sub), std::string::npos) << s_; \
  } while (0)

std::string J(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

std::string Msg(const std::string& role, const std::string& text) {
  return "{\"role\":" + J(role) + ",\"content\":" + J(text) + "}";
}

std::string ToolCallMsg(const std::string& id, const std::string& name, const std::string& args) {
  return "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":" + J(id) +
         ",\"type\":\"function\",\"function\":{\"name\":" + J(name) + ",\"arguments\":" + J(args) +
         "}}]}";
}

std::string ToolMsg(const std::string& id, const std::string& text) {
  return "{\"role\":\"tool\",\"tool_call_id\":" + J(id) + ",\"content\":" + J(text) + "}";
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

std::string Body(const std::string& model, const std::vector<std::string>& msgs) {
  return "{\"model\":" + J(model) + ",\"messages\":[" + Join(msgs) + "]}";
}

std::string Line(const std::string& body, const std::string& reply, const std::string& extra = "") {
  std::string l = "{\"request\":" + body;
  if (!reply.empty()) {
    l += ",\"response\":{\"choices\":[{\"index\":0,\"message\":" + reply + "}]}";
  }
  return l + extra + "}\n";
}

uint64_t Input(const std::string& body) {
  absl::StatusOr<ChatCount> c = CountChatTokens(body);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? c->total : 0;
}

// Tokens of a reply message the model wrote: its count as a message minus the framing.
uint64_t Written(const std::string& model, const std::string& msg) {
  absl::StatusOr<ChatCount> c = CountChatTokens(Body(model, {msg}));
  EXPECT_TRUE(c.ok()) << c.status();
  if (!c.ok()) return 0;
  uint64_t n = 0;
  for (size_t k = 0; k < kNumCountKinds; ++k) {
    if (static_cast<CountKind>(k) != CountKind::kFraming) n += c->message_by_kind[0][k];
  }
  return n;
}

absl::StatusOr<Report> ReportOf(const std::string& text, const std::string& name,
                                ReportOptions options = {}) {
  absl::StatusOr<Trace> t = ReadTrace(text, name);
  if (!t.ok()) return t.status();
  std::vector<Trace> traces;
  traces.push_back(std::move(*t));
  return BuildReport(traces, options);
}

// A system prompt long enough to be cached (over 1,024 tokens).
std::string LongSystem() {
  std::string s = "You are a careful assistant for a logistics company. ";
  for (int i = 0; i < 150; ++i) {
    s += "Rule " + std::to_string(i) + ": check the shipment record before answering. ";
  }
  return s;
}

constexpr PricePerMTok kGpt4oInput = 2'500'000, kGpt4oCached = 1'250'000, kGpt4oOutput = 10'000'000;

TEST(ReportTest, NewVersusResentAndCostsOfAnAgentLoop) {
  const std::string m = "gpt-4o";
  const std::string S = Msg("system", LongSystem()), U = Msg("user", "Where is order 7?");
  const std::string A1 = ToolCallMsg("c1", "lookup_order", R"({"id":7})");
  const std::string R1 = ToolMsg("c1", "Order 7: shipped 2024-05-02 from Lyon, carrier DHL.");
  const std::string A2 = Msg("assistant", "Order 7 shipped on 2 May from Lyon with DHL.");
  const std::string U2 = Msg("user", "When will it arrive?");
  const std::string A3 = Msg("assistant", "DHL usually takes two days: about 4 May.");
  const std::vector<std::string> p1 = {S, U}, p2 = {S, U, A1, R1}, p3 = {S, U, A1, R1, A2, U2};
  // Calls 60 seconds apart: inside the 5-minute cache lifetime.
  const std::string log = Line(Body(m, p1), A1, ",\"timestamp\":1000") +
                          Line(Body(m, p2), A2, ",\"timestamp\":1060") +
                          Line(Body(m, p3), A3, ",\"timestamp\":1120");
  absl::StatusOr<Report> r = ReportOf(log, "loop.jsonl");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->calls.size(), 3u);

  const uint64_t in1 = Input(Body(m, p1)), in2 = Input(Body(m, p2)), in3 = Input(Body(m, p3));
  const uint64_t out1 = Written(m, A1), out2 = Written(m, A2), out3 = Written(m, A3);
  constexpr uint64_t kPriming = 3;  // OpenAI's reply priming, sent with every call.
  const ReportCall& c1 = r->calls[0];
  const ReportCall& c2 = r->calls[1];
  const ReportCall& c3 = r->calls[2];
  EXPECT_EQ(c1.input, in1);
  EXPECT_EQ(c2.input, in2);
  EXPECT_EQ(c3.input, in3);
  EXPECT_EQ(c1.output, out1);
  EXPECT_EQ(c2.output, out2);
  EXPECT_EQ(c3.output, out3);
  // Everything of call 1 is new; call k re-sends call k-1's prompt (without its priming)
  // and the reply it got.
  EXPECT_EQ(c1.resent, 0u);
  EXPECT_EQ(c2.resent, in1 - kPriming + out1);
  EXPECT_EQ(c3.resent, in2 - kPriming + out2);
  EXPECT_EQ(c2.new_tokens + c2.resent, c2.input);
  EXPECT_FALSE(c2.history_edited);
  EXPECT_EQ(c3.step, 3u);
  EXPECT_EQ(c1.output_by_kind[static_cast<size_t>(TokenKind::kToolCall)], out1);
  EXPECT_GT(c2.new_by_kind[static_cast<size_t>(TokenKind::kToolResult)], 0u);
  EXPECT_GT(c2.resent_by_kind[static_cast<size_t>(TokenKind::kSystem)], 1000u);

  // Without caching: every input token at $2.50 / M, output at $10 / M.
  EXPECT_EQ(c1.cost, static_cast<PicoUsd>(in1 * kGpt4oInput + out1 * kGpt4oOutput));
  EXPECT_EQ(c3.cumulative_cost, static_cast<PicoUsd>((in1 + in2 + in3) * kGpt4oInput +
                                                     (out1 + out2 + out3) * kGpt4oOutput));
  // With OpenAI's automatic caching: call k reads what call k-1 sent (its prompt without the
  // priming), in 128-token steps above 1,024 tokens.
  auto cached = [](uint64_t prefix) { return 1024 + (prefix - 1024) / 128 * 128; };
  EXPECT_EQ(c1.cached.cache_read, 0u);
  EXPECT_EQ(c2.cached.cache_read, cached(in1 - kPriming));
  EXPECT_EQ(c3.cached.cache_read, cached(in2 - kPriming));
  EXPECT_EQ(c2.cached_cost.total(),
            static_cast<PicoUsd>(c2.cached.cache_read * kGpt4oCached +
                                 (in2 - c2.cached.cache_read) * kGpt4oInput + out2 * kGpt4oOutput));
  EXPECT_LT(r->total.cached_cost, r->total.cost);

  // Totals and the direct answer: system + task once, plus the last reply.
  EXPECT_EQ(r->total.input, in1 + in2 + in3);
  EXPECT_EQ(r->total.output, out1 + out2 + out3);
  EXPECT_EQ(r->total.direct_answer, in1 - kPriming + out3);
  EXPECT_EQ(r->threads.size(), 1u);
  EXPECT_EQ(r->label, CountLabel::kCalibrated);  // Tool calls in the history.

  // The system prompt is the largest re-sent block: sent 3 times, re-sent twice.
  ASSERT_FALSE(r->resent_blocks.empty());
  EXPECT_EQ(r->resent_blocks[0].role, "system");
  EXPECT_EQ(r->resent_blocks[0].sends, 3u);
  EXPECT_EQ(r->resent_blocks[0].resent_tokens, 2 * r->resent_blocks[0].tokens);
  const uint64_t system = c1.new_by_kind[static_cast<size_t>(TokenKind::kSystem)];
  EXPECT_GT(system, 1024u);
  EXPECT_EQ(r->prompt_tax.system_tokens, 3 * system);

  // The what-ifs ran on this trace.
  ASSERT_TRUE(r->what_ifs.has_value());
  EXPECT_EQ(r->what_if_model, "gpt-4o");
  EXPECT_EQ(r->what_ifs->baseline.total_cost(), r->total.cached_cost);
}

TEST(ReportTest, UnrecordedRepliesAreTakenFromTheNextPrompt) {
  const std::string m = "gpt-4o";
  const std::string U = Msg("user", "Name a prime."), A = Msg("assistant", "Seven.");
  const std::string U2 = Msg("user", "Another?");
  const std::string log = Line(Body(m, {U}), "") + Line(Body(m, {U, A, U2}), "");
  absl::StatusOr<Report> r = ReportOf(log, "noreply.jsonl");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->calls.size(), 2u);
  EXPECT_TRUE(r->calls[0].output_known);
  EXPECT_EQ(r->calls[0].output, Written(m, A));
  EXPECT_FALSE(r->calls[1].output_known);  // Its reply is nowhere in the log.
  EXPECT_EQ(r->calls[1].output, 0u);
  EXPECT_EQ(r->calls[1].resent, Input(Body(m, {U})) - 3 + Written(m, A));
}

TEST(ReportTest, EditedHistoryIsMatchedInOrder) {
  const std::string m = "gpt-4o";
  const std::string S = Msg("system", "Be brief."), U1 = Msg("user", "First question");
  const std::string A1 = Msg("assistant", "First answer"), U2 = Msg("user", "Second question");
  const std::string A2 = Msg("assistant", "Second answer"), U3 = Msg("user", "Third question");
  // Call 3 drops the first exchange (a history window).
  const std::string log = Line(Body(m, {S, U1}), A1) + Line(Body(m, {S, U1, A1, U2}), A2) +
                          Line(Body(m, {S, U2, A2, U3}), "", ",\"metadata\":{\"thread\":\"t\"}");
  absl::StatusOr<Report> r = ReportOf(log, "window.jsonl");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->calls.size(), 3u);
  // Threads: the first two calls continue one another; the third names its own thread.
  EXPECT_EQ(r->calls[2].step, 1u);
  EXPECT_EQ(r->threads.size(), 2u);

  // Same again without the thread id: the window keeps the thread (same system prompt and
  // no common task), and the matched messages count as re-sent.
  const std::string log2 = Line(Body(m, {S, U1}), A1) + Line(Body(m, {S, U1, A1, U2}), A2) +
                           Line(Body(m, {S, U1, U2, A2, U3}), "");
  r = ReportOf(log2, "window2.jsonl");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->threads.size(), 1u);
  const ReportCall& c3 = r->calls[2];
  EXPECT_TRUE(c3.history_edited);
  // Re-sent: S, U1, U2 (whole messages) and what the model wrote of A2; new: A2's framing,
  // U3 and the priming.
  absl::StatusOr<ChatCount> parts = CountChatTokens(Body(m, {S, U1, U2, A2, U3}));
  ASSERT_TRUE(parts.ok());
  const uint64_t a2_written = Written(m, A2);
  EXPECT_EQ(c3.resent, parts->message_tokens[0] + parts->message_tokens[1] +
                           parts->message_tokens[2] + a2_written);
  EXPECT_EQ(c3.new_tokens, parts->message_tokens[3] - a2_written + parts->message_tokens[4] + 3);
}

TEST(ReportTest, InterleavedConversationsAreThreadedByContent) {
  const std::string m = "gpt-4o-mini";
  const std::string S = Msg("system", "You are a helpful assistant.");
  const std::string UA = Msg("user", "Plan a trip to Rome."),
                    AA = Msg("assistant", "Day 1: Colosseum.");
  const std::string UB = Msg("user", "Fix my SQL query."), AB = Msg("assistant", "Add a GROUP BY.");
  const std::string log =
      Line(Body(m, {S, UA}), AA, ",\"metadata\":{\"user\":\"ann\"}") +
      Line(Body(m, {S, UB}), AB, ",\"metadata\":{\"user\":\"bob\"}") +
      Line(Body(m, {S, UA, AA, Msg("user", "Day 2?")}), "", ",\"metadata\":{\"user\":\"ann\"}") +
      Line(Body(m, {S, UB, AB, Msg("user", "Thanks")}), "", ",\"metadata\":{\"user\":\"bob\"}");
  absl::StatusOr<Report> r = ReportOf(log, "two.jsonl");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->threads.size(), 2u);
  EXPECT_EQ(r->calls[2].thread, r->calls[0].thread);
  EXPECT_EQ(r->calls[3].thread, r->calls[1].thread);
  EXPECT_EQ(r->calls[2].step, 2u);
  EXPECT_GT(r->calls[3].resent, 0u);
  ASSERT_EQ(r->users.size(), 2u);
  EXPECT_EQ(r->users[0].name, "ann");
  EXPECT_EQ(r->users[0].calls, 2u);
}

TEST(ReportTest, RepeatedToolResultsAndRetrievedContext) {
  const std::string m = "gpt-4o";
  const std::string doc =
      "Refund policy: items may be returned within 30 days with a receipt. Refunds go to the "
      "original payment method within 5 business days.";
  const std::string S = Msg("system", "Answer from the knowledge base."),
                    U = Msg("user", "Refunds?");
  const std::string A1 = ToolCallMsg("k1", "search_docs", R"({"q":"refund"})");
  const std::string R1 = ToolMsg("k1", doc);
  const std::string A2 = ToolCallMsg("k2", "search_docs", R"({"q":"refund policy"})");
  const std::string R2 = ToolMsg("k2", doc);  // The same document again.
  const std::string A3 = Msg("assistant", "Within 30 days, refunded in 5 business days.");
  const std::string log = Line(Body(m, {S, U}), A1) + Line(Body(m, {S, U, A1, R1}), A2) +
                          Line(Body(m, {S, U, A1, R1, A2, R2}), A3);
  absl::StatusOr<Report> r = ReportOf(log, "rag.jsonl");
  ASSERT_TRUE(r.ok()) << r.status();
  // search_docs is a retrieval tool: its results are retrieved context.
  EXPECT_GT(r->total.input_by_kind[static_cast<size_t>(TokenKind::kRetrieved)], 0u);
  EXPECT_EQ(r->total.input_by_kind[static_cast<size_t>(TokenKind::kToolResult)], 0u);
  ASSERT_EQ(r->repeated_results.size(), 1u);
  const RepeatedResult& rep = r->repeated_results[0];
  EXPECT_EQ(rep.tool, "search_docs");
  EXPECT_EQ(rep.copies, 2u);
  EXPECT_EQ(rep.calls, (std::vector<uint32_t>{1, 2}));  // Calls 2 and 3, 0-based.
  EXPECT_EQ(rep.wasted_tokens, rep.tokens);  // The second copy, never re-sent afterwards.

  // Without the retrieval list they stay tool results.
  ReportOptions o;
  o.retrieval_tools.clear();
  r = ReportOf(log, "rag.jsonl", o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total.input_by_kind[static_cast<size_t>(TokenKind::kRetrieved)], 0u);
}

TEST(ReportTest, ModelsAreNamedOrRefused) {
  const std::string U = Msg("user", "Hello"), A = Msg("assistant", "Hi");
  const std::string nameless = "{\"request\":{\"messages\":[" + U +
                               "]},\"response\":{\"choices\":[{\"message\":" + A + "}]}}\n";
  absl::StatusOr<Report> r = ReportOf(nameless, "anon.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_HAS(std::string(r.status().message()), "anon.jsonl: line 1: the trace does not name");

  ReportOptions o;
  o.model = "gpt-4o-mini";
  r = ReportOf(nameless, "anon.jsonl", o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->calls[0].priced_as, "gpt-4o-mini");

  // A model outside the catalog: counted (as an estimate), not priced, and said so.
  const std::string unknown = Line(Body("acme-reasoner-1", {U}), A);
  r = ReportOf(unknown, "acme.jsonl");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->priced);
  EXPECT_EQ(r->calls[0].cost, 0);
  EXPECT_EQ(r->label, CountLabel::kEstimate);
  EXPECT_GT(r->calls[0].input, 0u);
  EXPECT_FALSE(r->what_ifs.has_value());
  bool noted = false;
  for (const std::string& n : r->notes) noted |= n.find("acme-reasoner-1") != std::string::npos;
  EXPECT_TRUE(noted);
  // --model prices it.
  r = ReportOf(unknown, "acme.jsonl", o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->calls[0].priced_as, "gpt-4o-mini");

  o.model = "gpt-99";
  r = ReportOf(unknown, "acme.jsonl", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
}

TEST(ReportTest, AnthropicCacheMarkersSetTheBaseline) {
  std::string system;
  for (int i = 0; i < 300; ++i) system += "Policy clause " + std::to_string(i) + " applies. ";
  const std::string body1 =
      R"({"model":"claude-sonnet-4-5","max_tokens":300,"system":[{"type":"text","text":)" +
      J(system) + R"(,"cache_control":{"type":"ephemeral"}}],"messages":[)" +
      Msg("user", "Summarize clause 3.") + "]}";
  const std::string log = "{\"request\":" + body1 +
                          ",\"response\":{\"type\":\"message\",\"role\":\"assistant\",\"content\":"
                          "[{\"type\":\"text\",\"text\":\"It applies.\"}]}}\n";
  absl::StatusOr<Report> r = ReportOf(log, "claude.jsonl");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_HAS(r->baseline_caching, "5m");
  EXPECT_HAS(r->caching, "5-minute");
  EXPECT_EQ(r->label, CountLabel::kEstimate);
  // One call writes its prefix to the cache and reads nothing: caching costs more here.
  EXPECT_GT(r->calls[0].cached.cache_write_5m, 1024u);
  EXPECT_GT(r->total.cached_cost, r->total.cost);
}

TEST(ReportTest, JsonHtmlTextAndProgress) {
  const std::string m = "gpt-4o";
  const std::string log = Line(Body(m, {Msg("user", "Say hello")}), Msg("assistant", "Hello"));
  uint64_t last_done = 0, last_total = 0;
  int calls = 0;
  ReportOptions o;
  o.progress = [&](const ReportProgress& p) {
    ++calls;
    last_done = p.done;
    last_total = p.total;
  };
  absl::StatusOr<Report> r = ReportOf(log, "x</script><y>.jsonl", o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_GT(calls, 0);
  EXPECT_EQ(last_done, last_total);

  const std::string json = ReportToJson(*r);
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  ASSERT_EQ(parser.parse(json).get(e), simdjson::SUCCESS) << json;
  int64_t cost = 0;
  ASSERT_EQ(e["total"]["cost_pico"].get(cost), simdjson::SUCCESS);
  EXPECT_EQ(cost, r->total.cost);
  simdjson::dom::array calls_json;
  ASSERT_EQ(e["calls"].get(calls_json), simdjson::SUCCESS);
  EXPECT_EQ(calls_json.size(), 1u);

  const std::string html = ReportToHtml(*r);
  EXPECT_HAS(html, "<title>tokwise report: x&lt;/script&gt;&lt;y&gt;.jsonl</title>");
  EXPECT_HAS(html, "id=\"report-data\"");
  // The data (the file name is in it) cannot close its script element early.
  EXPECT_EQ(html.find("x</script><y>"), std::string::npos);
  EXPECT_HAS(html, "x<\\/script><y>");
  // Self-contained: nothing to fetch.
  for (const char* ref : {"src=\"http", "href=\"http", "<link", "@import", "url(", "fetch("}) {
    EXPECT_EQ(html.find(ref), std::string::npos) << ref;
  }

  const std::string text = FormatReport(*r);
  EXPECT_HAS(text, "total: 1 calls");
  size_t width = 0, start = 0;
  for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    width = std::max(width, nl - start);
    start = nl + 1;
  }
  EXPECT_LE(width, 160u);
}

// The example in examples/: it plays the cost model's 5-step research agent.
TEST(ReportTest, ExampleTracePlaysTheResearchAgent) {
  const std::string path = std::string(TOKWISE_TEST_DATA) + "/../../examples/research_agent.jsonl";
  absl::StatusOr<Trace> t = ReadTraceFile(path);
  ASSERT_TRUE(t.ok()) << t.status();
  std::vector<Trace> traces;
  traces.push_back(std::move(*t));
  absl::StatusOr<Report> r = BuildReport(traces);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->calls.size(), 5u);
  auto near = [](uint64_t v, uint64_t want, double tolerance) {
    return v >= want * (1 - tolerance) && v <= want * (1 + tolerance);
  };
  auto kind = [](const std::array<uint64_t, kNumTokenKinds>& a, TokenKind k) {
    return a[static_cast<size_t>(k)];
  };
  const auto& c = r->calls;
  // The reference sizes: system 200, user 21, results 311, 627, 870, draft 1,200, final 1,500.
  EXPECT_TRUE(near(kind(c[0].new_by_kind, TokenKind::kSystem), 200, 0.1));
  EXPECT_TRUE(near(kind(c[0].new_by_kind, TokenKind::kUser), 21, 0.25));
  EXPECT_TRUE(near(kind(c[1].new_by_kind, TokenKind::kToolResult), 311, 0.1));
  EXPECT_TRUE(near(kind(c[2].new_by_kind, TokenKind::kToolResult), 627, 0.1));
  EXPECT_TRUE(near(kind(c[3].new_by_kind, TokenKind::kToolResult), 870, 0.1));
  EXPECT_TRUE(near(c[3].output, 1200, 0.05));
  EXPECT_TRUE(near(c[4].output, 1500, 0.05));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(near(kind(c[i].output_by_kind, TokenKind::kToolCall), 24, 0.3)) << i;
  }
  // Each call re-sends all of the previous one: the contexts grow call after call.
  for (int i = 1; i < 5; ++i) {
    EXPECT_FALSE(c[i].history_edited);
    EXPECT_EQ(c[i].resent, c[i - 1].input - 3 + c[i - 1].output) << i;
  }
  EXPECT_EQ(r->calls[0].agent, "research-agent");
  EXPECT_EQ(r->calls[0].workflow, "prompt-caching-brief");
  EXPECT_EQ(r->users.size(), 1u);
}

}  // namespace
}  // namespace tokwise
