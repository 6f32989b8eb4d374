// Trace readers: format detection, every input form, and errors that name where.
#include <gtest/gtest.h>

#include <string>

#include "report/trace_common.h"
#include "test_util.h"
#include "tokwise/trace.h"

namespace tokwise {
namespace {

// The message names what it should: expects `sub` in `s`.
#define EXPECT_HAS(s, sub)                            \
  do {                                                \
    const std::string s_ = (s);                       \
    EXPECT_NE(s_.find(sub), std::string::npos) << s_; \
  } while (0)

std::string Shared(const std::string& rel) {
  return tokwise::testing::ReadFile(tokwise::testing::SharedData(rel));
}

TEST(TraceFormatTest, NamesRoundTrip) {
  for (TraceFormat f : {TraceFormat::kAuto, TraceFormat::kRequestLog, TraceFormat::kConversation,
                        TraceFormat::kSweAgent, TraceFormat::kMiniSweAgent, TraceFormat::kOpenHands,
                        TraceFormat::kOtel, TraceFormat::kAider}) {
    EXPECT_EQ(TraceFormatFromName(TraceFormatName(f)), f);
  }
  EXPECT_FALSE(TraceFormatFromName("swe_agent").has_value());
}

TEST(TraceFormatTest, DetectsEverySharedTrace) {
  const struct {
    const char* file;
    TraceFormat want;
  } kCases[] = {
      {"traces/aider_chat-history_head.md", TraceFormat::kAider},
      {"traces/mini-swe-agent_github_issue.traj.json", TraceFormat::kConversation},
      {"traces/openhands_multi_swe_bench_examples_output.jsonl", TraceFormat::kOpenHands},
      {"traces/openhands_runtime_trajs_basic.json", TraceFormat::kOpenHands},
      {"traces/sweagent_demo_function_calling_simple.traj", TraceFormat::kSweAgent},
      {"traces/sweagent_demo_marshmallow-code__marshmallow-1867.traj", TraceFormat::kSweAgent},
      {"traces/sweagent_gpt4_pydicom__pydicom-1458.traj", TraceFormat::kSweAgent},
      {"traces/sweagent_gpt4_swe-agent__test-repo-i1.traj", TraceFormat::kSweAgent},
  };
  for (const auto& c : kCases) {
    absl::StatusOr<TraceFormat> f = DetectTraceFormat(Shared(c.file), c.file);
    ASSERT_TRUE(f.ok()) << c.file << ": " << f.status();
    EXPECT_EQ(*f, c.want) << c.file;
  }
}

TEST(TraceFormatTest, DetectsTheOtherForms) {
  EXPECT_EQ(*DetectTraceFormat(R"({"model":"gpt-4o","messages":[]})"
                               "\n"
                               R"({"model":"gpt-4o","messages":[]})"),
            TraceFormat::kRequestLog);
  EXPECT_EQ(*DetectTraceFormat(R"({"request":{"messages":[]}})"), TraceFormat::kRequestLog);
  // One body is a conversation, unless the file says it is JSONL.
  EXPECT_EQ(*DetectTraceFormat(R"({"model":"gpt-4o","messages":[]})", "a.json"),
            TraceFormat::kConversation);
  EXPECT_EQ(*DetectTraceFormat(R"({"model":"gpt-4o","messages":[]})", "a.jsonl"),
            TraceFormat::kRequestLog);
  EXPECT_EQ(*DetectTraceFormat(R"([{"role":"user","content":"hi"}])"), TraceFormat::kConversation);
  EXPECT_EQ(*DetectTraceFormat(R"({"resourceSpans":[]})"), TraceFormat::kOtel);
  EXPECT_EQ(*DetectTraceFormat(R"([{"traceId":"a","spanId":"b"}])"), TraceFormat::kOtel);
  EXPECT_EQ(*DetectTraceFormat(R"({"messages":[],"info":{}})"), TraceFormat::kMiniSweAgent);
  EXPECT_EQ(*DetectTraceFormat("# aider chat started at 2024-08-05 19:33:02\n"),
            TraceFormat::kAider);
}

TEST(TraceFormatTest, UnknownInputSaysWhatWasSeen) {
  absl::StatusOr<TraceFormat> f = DetectTraceFormat("hello world\n", "notes.txt");
  ASSERT_FALSE(f.ok());
  EXPECT_HAS(std::string(f.status().message()), ("notes.txt: not a trace"));
  f = DetectTraceFormat(R"({"foo": 1})", "x.json");
  ASSERT_FALSE(f.ok());
  EXPECT_HAS(std::string(f.status().message()), ("x.json: JSON, but not a trace"));
  f = DetectTraceFormat("", "empty.jsonl");
  ASSERT_FALSE(f.ok());
  EXPECT_HAS(std::string(f.status().message()), ("empty.jsonl: empty file"));
  // JSONL whose first line is broken: the line is named.
  f = DetectTraceFormat("{\"messages\": [\n{\"a\":1}\n", "log.jsonl");
  ASSERT_FALSE(f.ok());
  EXPECT_HAS(std::string(f.status().message()), ("log.jsonl: line 1: malformed JSON"));
}

// ---- Request logs ----

constexpr char kLog[] =
    R"({"request":{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},)"
    R"({"role":"user","content":"Capital of France?"}]},)"
    R"("response":{"id":"r1","created":1700000000,)"
    R"("model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant",)"
    R"("content":"Paris.","refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":20,)"
    R"("completion_tokens":2,"total_tokens":22}},"metadata":{"agent":"geo","user":"u1",)"
    R"("session_id":"s1"}})"
    "\n\n"
    R"({"model":"gpt-4o","user":"u2","messages":[{"role":"user","content":"And of Spain?"}],)"
    R"("timestamp":"2023-11-14T22:13:25Z"})"
    "\n";

TEST(RequestLogTest, ReadsWrappedAndBareLines) {
  absl::StatusOr<Trace> t = ReadTrace(kLog, "log.jsonl");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->format, TraceFormat::kRequestLog);
  ASSERT_EQ(t->calls.size(), 2u);
  const TraceCall& a = t->calls[0];
  EXPECT_EQ(a.where, "line 1");
  EXPECT_EQ(a.model, "gpt-4o");
  EXPECT_EQ(a.agent, "geo");
  EXPECT_EQ(a.user, "u1");
  EXPECT_EQ(a.thread, "s1");
  EXPECT_EQ(a.time_ms, 1700000000000);
  EXPECT_EQ(a.prompt_messages, 2u);
  ASSERT_GE(a.output_request, 0);
  const ChatRequest& reply = t->requests[a.output_request];
  ASSERT_EQ(reply.messages.size(), 1u);
  EXPECT_EQ(reply.messages[0].role, Role::kAssistant);
  EXPECT_EQ(reply.messages[0].parts[0].text, "Paris.");
  ASSERT_TRUE(a.billed.has_value());
  EXPECT_EQ(a.billed->usage.uncached_input, 20u);
  EXPECT_EQ(a.billed->usage.output, 2u);

  const TraceCall& b = t->calls[1];
  EXPECT_EQ(b.where, "line 3");  // The blank line is counted.
  EXPECT_EQ(b.user, "u2");       // The body's own OpenAI "user" field.
  EXPECT_EQ(b.time_ms, 1700000005000);
  EXPECT_EQ(b.output_request, -1);
  EXPECT_FALSE(b.billed.has_value());
}

TEST(RequestLogTest, AnthropicAndResponsesReplies) {
  const std::string log =
      R"({"request":{"model":"claude-sonnet-4-5","max_tokens":100,"system":"Be brief.",)"
      R"("messages":[{"role":"user","content":"Hi"}]},"response":{"type":"message",)"
      R"("role":"assistant","content":[{"type":"text","text":"Hello!"}],"usage":)"
      R"({"input_tokens":5,"cache_creation_input_tokens":100,"cache_read_input_tokens":200,)"
      R"("output_tokens":3}}})"
      "\n"
      R"({"request":{"model":"gpt-4.1","input":"Hi"},"response":{"output":[{"type":"message",)"
      R"("role":"assistant","content":[{"type":"output_text","text":"Hello!"}]}],"usage":)"
      R"({"input_tokens":8,"output_tokens":2,"input_tokens_details":{"cached_tokens":0},)"
      R"("output_tokens_details":{"reasoning_tokens":0}}}})";
  absl::StatusOr<Trace> t = ReadTrace(log, "mixed.jsonl");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->calls.size(), 2u);
  // Anthropic counts cache tokens beside input_tokens.
  const NormalizedUsage& u = t->calls[0].billed->usage;
  EXPECT_EQ(u.uncached_input, 5u);
  EXPECT_EQ(u.cache_write_5m, 100u);
  EXPECT_EQ(u.cache_read, 200u);
  EXPECT_EQ(t->requests[t->calls[0].output_request].format, ChatFormat::kAnthropicMessages);
  EXPECT_EQ(t->requests[t->calls[1].output_request].format, ChatFormat::kOpenAIResponses);
  EXPECT_EQ(t->calls[1].billed->usage.uncached_input, 8u);
}

TEST(RequestLogTest, LiteLlmUsageForAnthropicModels) {
  // LiteLLM's OpenAI-shaped usage of a Claude call (as OpenHands records it): prompt_tokens
  // holds every prompt-side token, the write and read included.
  const std::string log =
      R"({"request":{"model":"claude-3-5-sonnet-20241022",)"
      R"("messages":[{"role":"user","content":"Hi"}]},)"
      R"("usage":{"completion_tokens":177,"prompt_tokens":4646,"total_tokens":4823,)"
      R"("prompt_tokens_details":{"cached_tokens":3482},"cache_creation_input_tokens":1158,)"
      R"("cache_read_input_tokens":3482}})";
  absl::StatusOr<Trace> t = ReadTrace(log, "litellm.jsonl");
  ASSERT_TRUE(t.ok()) << t.status();
  const NormalizedUsage& u = t->calls[0].billed->usage;
  EXPECT_EQ(u.cache_read, 3482u);
  EXPECT_EQ(u.cache_write_5m, 1158u);
  EXPECT_EQ(u.uncached_input, 6u);
  EXPECT_EQ(u.input_total(), 4646u);
}

TEST(RequestLogTest, ErrorsNameTheLineAndPath) {
  absl::StatusOr<Trace> t = ReadTrace(
      "{\"model\":\"gpt-4o\",\"messages\":[]}\n{\"model\":\"gpt-4o\",\"messages\":[{\"role\":"
      "\"bot\",\"content\":\"x\"}]}\n",
      "bad.jsonl");
  ASSERT_FALSE(t.ok());
  EXPECT_HAS(std::string(t.status().message()),
             ("bad.jsonl: line 2: messages[0].role: unknown role 'bot'"));

  t = ReadTrace("{\"model\":\"gpt-4o\",\"messages\":[]}\n{\"model\": \"gpt-4o\", \"messages\": [\n",
                "cut.jsonl", TraceFormat::kRequestLog);
  ASSERT_FALSE(t.ok());
  EXPECT_HAS(std::string(t.status().message()), ("cut.jsonl: line 2: malformed JSON"));

  t = ReadTrace("{\"prompt\":\"hi\"}\n", "nobody.jsonl", TraceFormat::kRequestLog);
  ASSERT_FALSE(t.ok());
  EXPECT_HAS(std::string(t.status().message()), ("nobody.jsonl: line 1: no request body"));

  t = ReadTrace("\n\n", "blank.jsonl", TraceFormat::kRequestLog);
  ASSERT_FALSE(t.ok());
  EXPECT_HAS(std::string(t.status().message()), ("no requests"));

  // Impossible usage is refused, with the line.
  t = ReadTrace(R"({"request":{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]},)"
                R"("usage":{"prompt_tokens":5,"completion_tokens":1,)"
                R"("prompt_tokens_details":{"cached_tokens":9}}})",
                "usage.jsonl");
  ASSERT_FALSE(t.ok());
  EXPECT_HAS(std::string(t.status().message()), ("usage.jsonl: line 1"));
}

// ---- Conversations ----

TEST(ConversationTest, EachAssistantMessageIsACall) {
  const std::string conv =
      R"({"model":"gpt-4o","messages":[{"role":"system","content":"S"},)"
      R"({"role":"user","content":"Q1"},)"
      R"({"role":"assistant","content":"A1"},{"role":"user","content":"Q2"},)"
      R"({"role":"assistant","content":"A2"},{"role":"user","content":"Q3"}]})";
  absl::StatusOr<Trace> t = ReadTrace(conv, "chat.json");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->requests.size(), 1u);  // The history is stored once.
  ASSERT_EQ(t->calls.size(), 3u);     // Two replies, then the pending request itself.
  EXPECT_EQ(t->calls[0].prompt_messages, 2u);
  EXPECT_EQ(t->calls[0].output_message, 2u);
  EXPECT_EQ(t->calls[0].where, "$.messages[2]");
  EXPECT_EQ(t->calls[1].prompt_messages, 4u);
  EXPECT_EQ(t->calls[2].prompt_messages, 6u);
  EXPECT_EQ(t->calls[2].output_request, -1);

  // A bare array is a transcript: trailing messages after the last reply are no call.
  absl::StatusOr<Trace> a =
      ReadTrace(R"([{"role":"user","content":"Q1"},{"role":"assistant","content":"A1"},)"
                R"({"role":"user","content":"Q2"}])",
                "chat.json");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->calls.size(), 1u);
  EXPECT_EQ(a->calls[0].where, "$[1]");
}

TEST(ConversationTest, Errors) {
  absl::StatusOr<Trace> t = ReadTrace(R"([{"role":"user","content":"Q1"}])", "c.json");
  ASSERT_FALSE(t.ok());
  EXPECT_HAS(std::string(t.status().message()), ("c.json: no calls"));
  t = ReadTrace(R"([{"role":"user","content":5}])", "d.json", TraceFormat::kConversation);
  ASSERT_FALSE(t.ok());
  EXPECT_HAS(std::string(t.status().message()), ("d.json: $: messages[0].content"));
  t = ReadTrace(R"({"model": "gpt-4o", "messages": [})", "e.json", TraceFormat::kConversation);
  ASSERT_FALSE(t.ok());
  EXPECT_HAS(std::string(t.status().message()), ("e.json: malformed JSON"));
}

// ---- Agent frameworks (real traces) ----

TEST(SweAgentTest, ReadsHistoryAndModelStats) {
  absl::StatusOr<Trace> t =
      ReadTrace(Shared("traces/sweagent_gpt4_swe-agent__test-repo-i1.traj"), "i1.traj");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->calls.size(), 5u);  // api_calls in model_stats.
  ASSERT_EQ(t->billed_totals.size(), 1u);
  const BilledTotals& b = t->billed_totals[0];
  EXPECT_EQ(b.input_tokens, 52861u);
  EXPECT_EQ(b.output_tokens, 326u);
  EXPECT_EQ(b.calls, 5u);
  EXPECT_EQ(b.cost_text, "0.53839");
  EXPECT_EQ(b.cost, PicoUsd{538'390'000'000});
  EXPECT_EQ(t->calls[0].agent, "primary");
  EXPECT_EQ(t->calls[0].where, "$.history[3]");
  EXPECT_TRUE(t->calls[0].model.empty());  // SWE-agent 0.x does not record it.

  // Function-calling trajectories: tool calls and tool messages.
  t = ReadTrace(Shared("traces/sweagent_demo_function_calling_simple.traj"), "fc.traj");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->calls.size(), 5u);
  const ChatRequest& r = t->requests[0];
  EXPECT_EQ(r.messages[2].parts.back().type, PartType::kToolCall);  // After the thought.
  EXPECT_EQ(r.messages[2].parts.back().name, "find_file");
  EXPECT_EQ(r.messages[3].role, Role::kTool);
  EXPECT_TRUE(t->billed_totals.empty());
}

TEST(OpenHandsTest, OneCallPerModelResponse) {
  absl::StatusOr<Trace> t =
      ReadTrace(Shared("traces/openhands_multi_swe_bench_examples_output.jsonl"), "oh.jsonl");
  ASSERT_TRUE(t.ok()) << t.status();
  // Calls per run equal the runs' own token_usages lists (23, 33, 49), and the per-call
  // usage adds up to each run's accumulated_token_usage.
  ASSERT_EQ(t->billed_totals.size(), 3u);
  for (const BilledTotals& b : t->billed_totals) {
    uint64_t calls = 0, prompt = 0, completion = 0;
    for (const TraceCall& c : t->calls) {
      if (c.workflow != b.workflow) continue;
      ++calls;
      ASSERT_TRUE(c.billed.has_value()) << c.where;
      prompt += c.billed->usage.input_total();
      completion += c.billed->usage.output;
    }
    EXPECT_EQ(calls, b.calls.value()) << b.workflow;
    EXPECT_EQ(prompt, b.input_tokens.value()) << b.workflow;
    EXPECT_EQ(completion, b.output_tokens.value()) << b.workflow;
  }
  EXPECT_EQ(t->calls.size(), 23u + 33u + 49u);
  EXPECT_EQ(t->calls[0].agent, "CodeActAgent");
  EXPECT_EQ(t->calls[0].workflow, "ponylang__ponyc-4595");
  EXPECT_GT(t->calls[1].time_ms, t->calls[0].time_ms);
  // The rebuilt prompt starts with the system prompt and carries the tool definitions.
  const ChatRequest& r = t->requests[t->calls[0].request];
  EXPECT_EQ(r.messages[0].role, Role::kSystem);
  EXPECT_EQ(r.tools.size(), 4u);

  // The runtime trajectory: a Claude run with prompt caching in its usage.
  t = ReadTrace(Shared("traces/openhands_runtime_trajs_basic.json"), "basic.json");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->calls.size(), 2u);
  EXPECT_EQ(t->calls[0].model, "claude-3-5-sonnet-20241022");
  EXPECT_EQ(t->calls[0].billed->usage.cache_write_5m, 3482u);
  EXPECT_EQ(t->calls[0].billed->usage.uncached_input, 4u);
  EXPECT_EQ(t->calls[1].billed->usage.cache_read, 3482u);
  EXPECT_EQ(t->calls[1].billed->usage.cache_write_5m, 1158u);
}

TEST(AiderTest, SessionsRepliesAndTokenLines) {
  const std::string md = Shared("traces/aider_chat-history_head.md");
  absl::StatusOr<Trace> t = ReadTrace(md, "chat.md");
  ASSERT_TRUE(t.ok()) << t.status();
  // Every "> Tokens:" line of the transcript belongs to one reply.
  size_t token_lines = 0;
  for (size_t at = md.find("\n> Tokens: "); at != std::string::npos;
       at = md.find("\n> Tokens: ", at + 1)) {
    ++token_lines;
  }
  size_t billed = 0;
  for (const TraceCall& c : t->calls) billed += c.billed.has_value();
  EXPECT_EQ(billed, token_lines);
  EXPECT_GE(t->calls.size(), billed);
  // The first reply: "Use the Spinner instead of the inlined custom spinner" (line 113),
  // billed "5,244 sent, 604 received", in a claude-3-5-sonnet session.
  const TraceCall& c = t->calls[0];
  EXPECT_EQ(c.where, "line 113");
  EXPECT_EQ(c.model, "claude-3-5-sonnet-20240620");
  EXPECT_EQ(c.billed->usage.uncached_input, 5244u);
  EXPECT_EQ(c.billed->usage.output, 604u);
  EXPECT_EQ(c.time_ms, 1722886412000);  // 2024-08-05 19:33:32 (UTC assumed).
}

TEST(AiderTest, SmallTranscript) {
  const std::string md =
      "# aider chat started at 2025-01-02 03:04:05\n\n"
      "> Aider v0.70.0  \n> Main model: gpt-4o with diff edit format  \n\n"
      "#### add a docstring  \n\nDone: added it.\n\n"
      "> Tokens: 2.3k sent, 1.1k cache write, 94 received. Cost: $0.01 message, $0.01 session.  \n"
      "> Applied edit to a.py  \n\n"
      "#### /undo  \n\n> Removed: 1234 add a docstring  \n\n"
      "#### /clear  \n\n"
      "#### now a test  \n\nHere is the test.\n";
  absl::StatusOr<Trace> t = ReadTrace(md, "small.md");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->calls.size(), 2u);
  EXPECT_EQ(t->calls[0].model, "gpt-4o");
  ASSERT_TRUE(t->calls[0].billed.has_value());
  EXPECT_TRUE(t->calls[0].billed->approximate);
  EXPECT_EQ(t->calls[0].billed->usage.uncached_input, 2300u);
  EXPECT_EQ(t->calls[0].billed->usage.cache_write_5m, 1100u);
  EXPECT_EQ(t->calls[0].billed->usage.output, 94u);
  // After /clear the second call starts from an empty history.
  EXPECT_NE(t->calls[1].request, t->calls[0].request);
  EXPECT_EQ(t->calls[1].prompt_messages, 1u);
  EXPECT_FALSE(t->calls[1].billed.has_value());

  absl::StatusOr<Trace> none = ReadTrace(
      "# aider chat started at 2025-01-02 03:04:05\n\n"
      "#### /help\n",
      "empty.md");
  ASSERT_FALSE(none.ok());
  EXPECT_HAS(std::string(none.status().message()), ("empty.md: no model calls"));
}

// ---- OpenTelemetry ----

TEST(OtelTest, CurrentConventionsInOtlpJson) {
  const std::string otlp = R"({"resourceSpans":[{"resource":{"attributes":[
    {"key":"service.name","value":{"stringValue":"support-bot"}},
    {"key":"user.id","value":{"stringValue":"u-42"}}]},
   "scopeSpans":[{"scope":{"name":"genai"},"spans":[
    {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"aaaa000000000001","name":"invoke_agent triage",
     "startTimeUnixNano":"1718000000000000000","attributes":[
      {"key":"gen_ai.operation.name","value":{"stringValue":"invoke_agent"}},
      {"key":"gen_ai.agent.name","value":{"stringValue":"triage"}},
      {"key":"gen_ai.conversation.id","value":{"stringValue":"conv-1"}}]},
    {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"aaaa000000000002",
     "parentSpanId":"aaaa000000000001","name":"chat gpt-4o",
     "startTimeUnixNano":"1718000001500000000","attributes":[
      {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
      {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},
      {"key":"gen_ai.system_instructions","value":{"stringValue":"[{\"type\":\"text\",\"content\":\"You triage tickets.\"}]"}},
      {"key":"gen_ai.input.messages","value":{"stringValue":"[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"My order is late.\"}]},{\"role\":\"assistant\",\"parts\":[{\"type\":\"tool_call\",\"id\":\"c1\",\"name\":\"lookup_order\",\"arguments\":{\"id\":7}}]},{\"role\":\"tool\",\"parts\":[{\"type\":\"tool_call_response\",\"id\":\"c1\",\"response\":\"shipped\"}]}]"}},
      {"key":"gen_ai.output.messages","value":{"stringValue":"[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"It shipped today.\"}],\"finish_reason\":\"stop\"}]"}},
      {"key":"gen_ai.tool.definitions","value":{"stringValue":"[{\"type\":\"function\",\"name\":\"lookup_order\",\"description\":\"Find an order\",\"parameters\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}}}]"}},
      {"key":"gen_ai.usage.input_tokens","value":{"intValue":"120"}},
      {"key":"gen_ai.usage.cache_read.input_tokens","value":{"intValue":"64"}},
      {"key":"gen_ai.usage.output_tokens","value":{"intValue":"6"}}]}]}]}]})";
  absl::StatusOr<Trace> t = ReadTrace(otlp, "spans.json");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->format, TraceFormat::kOtel);
  ASSERT_EQ(t->calls.size(), 1u);  // The invoke_agent span is no call.
  const TraceCall& c = t->calls[0];
  EXPECT_EQ(c.model, "gpt-4o");
  EXPECT_EQ(c.agent, "triage");   // From the parent span.
  EXPECT_EQ(c.thread, "conv-1");  // Likewise.
  EXPECT_EQ(c.user, "u-42");      // From the resource.
  EXPECT_EQ(c.workflow, "trace 5b8efff7");
  EXPECT_EQ(c.time_ms, 1718000001500);
  const ChatRequest& r = t->requests[c.request];
  ASSERT_EQ(r.messages.size(), 4u);
  EXPECT_EQ(r.messages[0].role, Role::kSystem);
  EXPECT_EQ(r.messages[2].parts[0].type, PartType::kToolCall);
  EXPECT_EQ(r.messages[2].parts[0].text, R"({"id":7})");
  EXPECT_EQ(r.messages[3].role, Role::kTool);
  ASSERT_EQ(r.tools.size(), 1u);
  EXPECT_EQ(r.tools[0].name, "lookup_order");
  ASSERT_GE(c.output_request, 0);
  EXPECT_EQ(t->requests[c.output_request].messages[0].parts[0].text, "It shipped today.");
  EXPECT_EQ(c.billed->usage.cache_read, 64u);
  EXPECT_EQ(c.billed->usage.uncached_input, 56u);
  EXPECT_EQ(c.billed->usage.output, 6u);
}

TEST(OtelTest, EventsAndOpenLlmetryForms) {
  // Span events (conventions up to 1.36) in a flat span list with object attributes.
  const std::string events = R"([{"trace_id":"t1","span_id":"s1","name":"chat",
    "start_time":"2024-05-01T10:00:00Z",
    "attributes":{"gen_ai.operation.name":"chat","gen_ai.request.model":"gpt-4o-mini",
                  "gen_ai.usage.input_tokens":30,"gen_ai.usage.output_tokens":4},
    "events":[{"name":"gen_ai.system.message","attributes":{"content":"Be terse."}},
              {"name":"gen_ai.user.message","attributes":{"content":"2+2?"}},
              {"name":"gen_ai.choice","attributes":{"message":"{\"content\":\"4\"}"}}]}])";
  absl::StatusOr<Trace> t = ReadTrace(events, "events.json");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->calls.size(), 1u);
  EXPECT_EQ(t->calls[0].model, "gpt-4o-mini");
  EXPECT_EQ(t->requests[t->calls[0].request].messages.size(), 2u);
  EXPECT_EQ(t->requests[t->calls[0].output_request].messages[0].parts[0].text, "4");
  EXPECT_EQ(t->calls[0].time_ms, 1714557600000);

  // OpenLLMetry's indexed attributes.
  const std::string indexed = R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"t",
    "spanId":"s","name":"openai.chat","attributes":[
    {"key":"llm.request.type","value":{"stringValue":"chat"}},
    {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},
    {"key":"gen_ai.prompt.0.role","value":{"stringValue":"system"}},
    {"key":"gen_ai.prompt.0.content","value":{"stringValue":"S"}},
    {"key":"gen_ai.prompt.1.role","value":{"stringValue":"user"}},
    {"key":"gen_ai.prompt.1.content","value":{"stringValue":"Q"}},
    {"key":"gen_ai.completion.0.role","value":{"stringValue":"assistant"}},
    {"key":"gen_ai.completion.0.content","value":{"stringValue":"A"}},
    {"key":"llm.request.functions.0.name","value":{"stringValue":"f"}},
    {"key":"gen_ai.usage.prompt_tokens","value":{"intValue":"11"}},
    {"key":"gen_ai.usage.completion_tokens","value":{"intValue":"1"}}]}]}]}]})";
  t = ReadTrace(indexed, "openllmetry.json");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->calls.size(), 1u);
  EXPECT_EQ(t->requests[t->calls[0].request].messages.size(), 2u);
  EXPECT_EQ(t->requests[t->calls[0].request].tools.size(), 1u);
  EXPECT_EQ(t->calls[0].billed->usage.uncached_input, 11u);
}

TEST(OtelTest, SpansWithoutContentAreAnError) {
  const std::string spans = R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"t",
    "spanId":"s","name":"chat gpt-4o","attributes":[
    {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
    {"key":"gen_ai.usage.input_tokens","value":{"intValue":"11"}}]}]}]}]})";
  absl::StatusOr<Trace> t = ReadTrace(spans, "bare.json");
  ASSERT_FALSE(t.ok());
  EXPECT_HAS(std::string(t.status().message()), ("content capture is opt-in"));
  // A malformed message list names the span and the attribute.
  const std::string bad = R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"t",
    "spanId":"s","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
    {"key":"gen_ai.input.messages","value":{"stringValue":"[{\"parts\":[]}]"}}]}]}]}]})";
  t = ReadTrace(bad, "bad.json");
  ASSERT_FALSE(t.ok());
  EXPECT_HAS(std::string(t.status().message()),
             ("bad.json: $.resourceSpans[0].scopeSpans[0].spans[0]: "
              "gen_ai.input.messages[0]: role"));
}

// ---- Helpers ----

TEST(TraceHelpersTest, ExactMoneyAndTimes) {
  using report_internal::ParseTimeMs;
  using report_internal::ParseUsdPico;
  EXPECT_EQ(ParseUsdPico("1.26719"), PicoUsd{1'267'190'000'000});
  EXPECT_EQ(ParseUsdPico("0"), PicoUsd{0});
  EXPECT_EQ(ParseUsdPico("5e-05"), PicoUsd{50'000'000});
  EXPECT_EQ(ParseUsdPico("0.000000000001"), PicoUsd{1});
  EXPECT_FALSE(ParseUsdPico("-1").has_value());
  EXPECT_FALSE(ParseUsdPico("1.0000000000001").has_value());  // Finer than a pico-dollar.
  EXPECT_FALSE(ParseUsdPico("abc").has_value());
  EXPECT_EQ(ParseTimeMs("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseTimeMs("2025-04-30T16:32:54.707474"), 1746030774707);
  EXPECT_EQ(ParseTimeMs("2025-04-30T18:32:54+02:00"), 1746030774000);
  EXPECT_EQ(ParseTimeMs("1700000000.5"), 1700000000500);
  EXPECT_FALSE(ParseTimeMs("yesterday").has_value());
  EXPECT_FALSE(ParseTimeMs("2025-13-01").has_value());
}

}  // namespace
}  // namespace tokwise
