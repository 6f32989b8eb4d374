// Real agent traces: the prompt tokens the OpenAI API reported for every call of two SWE-agent
// runs on gpt-4-1106-preview ("gpt4" in SWE-agent 0.x, which summed response.usage
// .prompt_tokens into tokens_sent). Each call sent the history up to that assistant turn, so
// counting those requests must give tokens_sent exactly.
#include <gtest/gtest.h>

#include <string>

#include "chat_test_util.h"
#include "simdjson.h"
#include "test_util.h"
#include "tokwise/chat.h"

namespace tokwise {
namespace {

struct Trace {
  const char* file;
  uint64_t tokens_sent;
  uint64_t api_calls;
};

TEST(ChatTraceTest, SweAgentGpt4PromptTotals) {
  const Trace kTraces[] = {
      {"traces/sweagent_gpt4_swe-agent__test-repo-i1.traj", 52861, 5},
      {"traces/sweagent_gpt4_pydicom__pydicom-1458.traj", 122612, 12},
  };
  for (const Trace& trace : kTraces) {
    const std::string text = testing::ReadFile(testing::SharedData(trace.file));
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    ASSERT_EQ(parser.parse(text).get(root), simdjson::SUCCESS) << trace.file;
    // The recorded totals are the ones the test expects.
    uint64_t recorded = 0;
    ASSERT_EQ(root["info"]["model_stats"]["tokens_sent"].get(recorded), simdjson::SUCCESS);
    ASSERT_EQ(recorded, trace.tokens_sent);

    simdjson::dom::array history;
    ASSERT_EQ(root["history"].get(history), simdjson::SUCCESS);
    MessageCountCache cache;
    ChatCountOptions options;
    options.model = "gpt-4-1106-preview";
    options.cache = &cache;
    std::string messages;  // The JSON of the history so far.
    uint64_t total = 0, calls = 0, messages_seen = 0;
    for (simdjson::dom::element entry : history) {
      std::string_view role, content;
      ASSERT_EQ(entry["role"].get(role), simdjson::SUCCESS);
      ASSERT_EQ(entry["content"].get(content), simdjson::SUCCESS);
      if (role == "assistant") {
        // A call: the request is everything before this reply.
        absl::StatusOr<ChatCount> c = CountChatTokens("{\"messages\":[" + messages + "]}", options);
        ASSERT_TRUE(c.ok()) << c.status();
        EXPECT_EQ(c->label, CountLabel::kExact);
        total += c->total;
        ++calls;
      }
      if (!messages.empty()) messages += ",";
      messages +=
          "{\"role\":" + testing::Json(role) + ",\"content\":" + testing::Json(content) + "}";
      ++messages_seen;
    }
    EXPECT_EQ(calls, trace.api_calls) << trace.file;
    EXPECT_EQ(total, trace.tokens_sent) << trace.file;
    // Each message was tokenized once; every later call reused its tally.
    EXPECT_LE(cache.misses(), messages_seen);
  }
}

}  // namespace
}  // namespace tokwise
