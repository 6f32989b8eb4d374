// Request parsing: the three APIs, format detection, JSONL, and bad input (every error names
// the JSON path).
#include <gtest/gtest.h>

#include <string>

#include "tokwise/chat.h"

namespace tokwise {
namespace {

ChatRequest MustParse(std::string_view json, ChatFormat format = ChatFormat::kAuto) {
  absl::StatusOr<ChatRequest> r = ParseChatRequest(json, format);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? std::move(*r) : ChatRequest{};
}

// The error message, which must start with `path`.
std::string ErrorAt(std::string_view json, std::string_view path,
                    ChatFormat format = ChatFormat::kAuto) {
  absl::StatusOr<ChatRequest> r = ParseChatRequest(json, format);
  EXPECT_FALSE(r.ok()) << json;
  if (r.ok()) return "";
  const std::string message(r.status().message());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << message;
  EXPECT_EQ(message.substr(0, path.size() + 1), std::string(path) + ":") << message;
  return message;
}

TEST(ChatParseTest, OpenAIChatMessages) {
  ChatRequest r = MustParse(R"({
    "model": "gpt-4o", "max_tokens": 100, "max_completion_tokens": 200, "temperature": 0.2,
    "messages": [
      {"role": "developer", "content": "Be terse."},
      {"role": "user", "name": "ann", "content": [
        {"type": "text", "text": "Look:"},
        {"type": "image_url", "image_url": {"url": "https://x.test/a.png", "detail": "low"}},
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
        {"type": "file", "file": {"file_id": "file-1", "filename": "a.pdf"}}]},
      {"role": "assistant", "content": null, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
      {"role": "tool", "tool_call_id": "call_1", "content": "done"},
      {"role": "assistant", "content": "ok", "refusal": null}],
    "tools": [{"type": "function", "function": {"name": "f", "description": "F.",
               "parameters": {"type": "object", "properties": {}}}}],
    "tool_choice": {"type": "function", "function": {"name": "f"}}})");
  EXPECT_EQ(r.format, ChatFormat::kOpenAIChat);
  EXPECT_EQ(r.model, "gpt-4o");
  EXPECT_EQ(r.max_output_tokens, 200u);  // max_completion_tokens wins.
  ASSERT_EQ(r.messages.size(), 5u);
  EXPECT_EQ(r.messages[0].role, Role::kDeveloper);
  EXPECT_TRUE(r.messages[0].content_is_string);
  const ChatMessage& user = r.messages[1];
  EXPECT_EQ(user.name, "ann");
  ASSERT_EQ(user.parts.size(), 4u);
  EXPECT_EQ(user.parts[0].text, "Look:");
  EXPECT_EQ(user.parts[1].type, PartType::kImage);
  EXPECT_EQ(user.parts[1].source, SourceKind::kUrl);
  EXPECT_EQ(user.parts[1].detail, ImageDetail::kLow);
  EXPECT_EQ(user.parts[2].type, PartType::kAudio);
  EXPECT_EQ(user.parts[2].media_type, "wav");
  EXPECT_EQ(user.parts[3].type, PartType::kFile);
  EXPECT_EQ(user.parts[3].source, SourceKind::kFileId);
  EXPECT_EQ(user.parts[3].name, "a.pdf");
  ASSERT_EQ(r.messages[2].parts.size(), 1u);
  EXPECT_EQ(r.messages[2].parts[0].type, PartType::kToolCall);
  EXPECT_EQ(r.messages[2].parts[0].name, "f");
  EXPECT_EQ(r.messages[2].parts[0].id, "call_1");
  EXPECT_EQ(r.messages[3].tool_call_id, "call_1");
  ASSERT_EQ(r.tools.size(), 1u);
  EXPECT_EQ(r.tools[0].parameters, R"({"type": "object", "properties": {}})");
  EXPECT_EQ(r.tool_choice.mode, ToolChoiceMode::kNamed);
  EXPECT_EQ(r.tool_choice.name, "f");
}

TEST(ChatParseTest, StringsAreViewsUnlessEscaped) {
  ChatRequest r = MustParse(R"({"model":"gpt-4o","messages":[
      {"role":"user","content":"plain text"},
      {"role":"user","content":"tab\there \u00e9 \"quoted\" \ud83d\ude00"}]})");
  EXPECT_EQ(r.messages[0].parts[0].text, "plain text");
  EXPECT_EQ(r.messages[1].parts[0].text, "tab\there \xc3\xa9 \"quoted\" \xf0\x9f\x98\x80");
}

TEST(ChatParseTest, DataUrlImages) {
  ChatRequest r = MustParse(R"({"model":"gpt-4o","messages":[{"role":"user","content":[
      {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]})");
  const ChatPart& p = r.messages[0].parts[0];
  EXPECT_EQ(p.source, SourceKind::kBase64);
  EXPECT_EQ(p.media_type, "image/png");
  EXPECT_EQ(p.data, "iVBORw0KGgo=");
  EXPECT_EQ(p.detail, ImageDetail::kAuto);
}

TEST(ChatParseTest, Responses) {
  ChatRequest r = MustParse(R"({"model":"o3","instructions":"Be brief.","max_output_tokens":50,
    "input":[
      {"role":"user","content":[{"type":"input_text","text":"hi"},
                                {"type":"input_image","image_url":"https://x.test/i.png","detail":"high"}]},
      {"type":"message","role":"assistant","content":[{"type":"output_text","text":"hello","annotations":[]}]},
      {"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
      {"type":"function_call_output","call_id":"c1","output":"42"},
      {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"thought"}]},
      {"type":"item_reference","id":"msg_9"}],
    "tools":[{"type":"function","name":"f","parameters":{"type":"object"}},{"type":"web_search_preview"}],
    "tool_choice":"required"})");
  EXPECT_EQ(r.format, ChatFormat::kOpenAIResponses);
  EXPECT_EQ(r.max_output_tokens, 50u);
  ASSERT_EQ(r.messages.size(), 7u);
  EXPECT_EQ(r.messages[0].section, Section::kSystem);
  EXPECT_EQ(r.messages[0].parts[0].text, "Be brief.");
  EXPECT_EQ(r.messages[1].parts[1].type, PartType::kImage);
  EXPECT_EQ(r.messages[1].parts[1].detail, ImageDetail::kHigh);
  EXPECT_EQ(r.messages[2].role, Role::kAssistant);
  EXPECT_EQ(r.messages[3].parts[0].type, PartType::kToolCall);
  EXPECT_EQ(r.messages[4].role, Role::kTool);
  EXPECT_EQ(r.messages[4].parts[0].type, PartType::kToolResult);
  EXPECT_EQ(r.messages[4].parts[0].text, "42");
  EXPECT_EQ(r.messages[5].parts[0].type, PartType::kReasoning);
  EXPECT_EQ(r.messages[5].parts[0].text, "thought");
  EXPECT_EQ(r.messages[6].parts[0].type, PartType::kItemReference);
  ASSERT_EQ(r.tools.size(), 2u);
  EXPECT_EQ(r.tools[1].type, "web_search_preview");
  EXPECT_EQ(r.tool_choice.mode, ToolChoiceMode::kRequired);
  // A plain string input.
  ChatRequest s = MustParse(R"({"model":"gpt-4.1","input":"Hello"})");
  ASSERT_EQ(s.messages.size(), 1u);
  EXPECT_EQ(s.messages[0].role, Role::kUser);
}

TEST(ChatParseTest, Anthropic) {
  ChatRequest r = MustParse(R"({"model":"claude-sonnet-4-5","max_tokens":1024,
    "messages":[
      {"role":"user","content":[
        {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQ"}},
        {"type":"document","source":{"type":"text","media_type":"text/plain","data":"A memo."}},
        {"type":"text","text":"Summarise.","cache_control":{"type":"ephemeral","ttl":"1h"}}]},
      {"role":"assistant","content":[
        {"type":"thinking","thinking":"hmm","signature":"sig"},
        {"type":"redacted_thinking","data":"enc"},
        {"type":"tool_use","id":"tu_1","name":"search","input":{"q": "x"}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"tu_1","is_error":false,
        "content":[{"type":"text","text":"result"},
                   {"type":"image","source":{"type":"url","url":"https://x.test/r.png"}}]}]}],
    "system":[{"type":"text","text":"You summarise."}],
    "tools":[{"name":"search","description":"Search.","input_schema":{"type":"object"}},
             {"type":"text_editor_20250429","name":"str_replace_based_edit_tool"}],
    "tool_choice":{"type":"any"}})");
  EXPECT_EQ(r.format, ChatFormat::kAnthropicMessages);
  EXPECT_EQ(r.max_output_tokens, 1024u);
  ASSERT_EQ(r.messages.size(), 4u);
  EXPECT_EQ(r.messages[0].role, Role::kSystem);  // Moved first, though it came last.
  EXPECT_EQ(r.messages[0].section, Section::kSystem);
  const ChatMessage& user = r.messages[1];
  ASSERT_EQ(user.parts.size(), 3u);
  EXPECT_EQ(user.parts[0].type, PartType::kImage);
  EXPECT_EQ(user.parts[0].media_type, "image/jpeg");
  EXPECT_EQ(user.parts[1].type, PartType::kText);
  EXPECT_EQ(user.parts[1].text, "A memo.");
  EXPECT_EQ(user.parts[2].cache_control, CacheTtl::k1Hour);
  const ChatMessage& assistant = r.messages[2];
  EXPECT_EQ(assistant.parts[0].type, PartType::kThinking);
  EXPECT_EQ(assistant.parts[1].type, PartType::kRedactedThinking);
  EXPECT_EQ(assistant.parts[2].type, PartType::kToolCall);
  EXPECT_EQ(assistant.parts[2].text, R"({"q": "x"})");
  EXPECT_TRUE(assistant.parts[2].is_json_object);
  const ChatMessage& result = r.messages[3];
  ASSERT_EQ(result.parts.size(), 3u);
  EXPECT_EQ(result.parts[0].type, PartType::kToolResult);
  EXPECT_EQ(result.parts[0].id, "tu_1");
  EXPECT_TRUE(result.parts[1].in_tool_result);
  EXPECT_EQ(result.parts[2].type, PartType::kImage);
  ASSERT_EQ(r.tools.size(), 2u);
  EXPECT_EQ(r.tools[0].type, "function");
  EXPECT_EQ(r.tools[1].type, "text_editor_20250429");
  EXPECT_EQ(r.tool_choice.mode, ToolChoiceMode::kRequired);
  ASSERT_EQ(r.cache_markers.size(), 1u);
  EXPECT_EQ(r.cache_markers[0].path, "messages[0].content[2]");
  EXPECT_EQ(r.cache_markers[0].index, 0u);
  EXPECT_EQ(r.cache_markers[0].part_index, 2u);
}

TEST(ChatParseTest, FormatDetection) {
  EXPECT_EQ(
      MustParse(R"({"model":"x","messages":[{"role":"user","content":"a"}],"system":"s"})").format,
      ChatFormat::kAnthropicMessages);
  EXPECT_EQ(MustParse(R"({"model":"x","input":"a"})").format, ChatFormat::kOpenAIResponses);
  EXPECT_EQ(MustParse(R"({"model":"x","messages":[{"role":"system","content":"a"}]})").format,
            ChatFormat::kOpenAIChat);
  EXPECT_EQ(
      MustParse(
          R"({"model":"x","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"r"}]}]})")
          .format,
      ChatFormat::kAnthropicMessages);
  EXPECT_EQ(MustParse(R"({"model":"x","messages":[{"role":"user","content":"a"}],
                          "tools":[{"name":"t","input_schema":{"type":"object"}}]})")
                .format,
            ChatFormat::kAnthropicMessages);
  // Only user/assistant text: the model decides.
  EXPECT_EQ(
      MustParse(R"({"model":"claude-3-haiku-20240307","messages":[{"role":"user","content":"a"}]})")
          .format,
      ChatFormat::kAnthropicMessages);
  EXPECT_EQ(MustParse(R"({"model":"gpt-4o","messages":[{"role":"user","content":"a"}]})").format,
            ChatFormat::kOpenAIChat);
  // An explicit format is not second-guessed.
  EXPECT_EQ(MustParse(R"({"model":"gpt-4o","messages":[{"role":"user","content":"a"}]})",
                      ChatFormat::kAnthropicMessages)
                .format,
            ChatFormat::kAnthropicMessages);
}

TEST(ChatParseTest, Jsonl) {
  absl::StatusOr<std::vector<ChatRequest>> r = ParseChatRequestsJsonl(
      "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}\r\n"
      "\n"
      "{\"model\":\"claude-3-haiku-20240307\",\"system\":\"s\",\"messages\":[{\"role\":\"user\","
      "\"content\":\"b\"}]}\n");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].format, ChatFormat::kOpenAIChat);
  EXPECT_EQ((*r)[1].format, ChatFormat::kAnthropicMessages);
  absl::StatusOr<std::vector<ChatRequest>> bad = ParseChatRequestsJsonl(
      "{\"model\":\"gpt-4o\",\"messages\":[]}\n\n{\"model\":\"gpt-4o\",\"messages\":[{\"role\":"
      "\"x\",\"content\":\"a\"}]}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(std::string(bad.status().message()).substr(0, 28), "line 3: messages[0].role: un");
}

// ---- Bad input -------------------------------------------------------------------------------

TEST(ChatParseErrorTest, MalformedJson) {
  // Truncated, a missing comma, a bad literal in a field tokwise does not use, a bad number,
  // an invalid escape, content after the object, a malformed tool schema.
  absl::StatusOr<ChatRequest> truncated =
      ParseChatRequest(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"})");
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("malformed JSON"), std::string::npos);
  absl::StatusOr<ChatRequest> truncated_inside =
      ParseChatRequest(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}})");
  ASSERT_FALSE(truncated_inside.ok());
  EXPECT_NE(truncated_inside.status().message().find("malformed JSON"), std::string::npos)
      << truncated_inside.status();
  std::string m =
      ErrorAt(R"({"model":"gpt-4o","messages":[{"role":"user" "content":"hi"}]})", "messages[0]");
  EXPECT_NE(m.find("malformed JSON"), std::string::npos) << m;
  EXPECT_NE(m.find("byte offset"), std::string::npos) << m;
  m = ErrorAt(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"temperature":tru})",
              "temperature");
  EXPECT_NE(m.find("invalid literal 'tru'"), std::string::npos) << m;
  ErrorAt(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"n":1.5e})", "n");
  ErrorAt(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"metadata":{"k":"\q"}})",
          "metadata.k");
  ErrorAt(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stop":[1,2,nul]})",
          "stop[2]");
  ErrorAt(R"({"model":"gpt-4o","messages":[],"tools":[{"type":"function","function":{"name":"f",
          "parameters":{"type":"object","properties":{"a":{"type":"string","x":fals}}}}}]})",
          "tools[0].function.parameters.properties.a.x");
  absl::StatusOr<ChatRequest> trailing =
      ParseChatRequest(R"({"model":"gpt-4o","messages":[]} {"x":1})");
  EXPECT_FALSE(trailing.ok());
  absl::StatusOr<ChatRequest> empty = ParseChatRequest("");
  EXPECT_FALSE(empty.ok());
  EXPECT_NE(std::string(empty.status().message()).find("malformed JSON"), std::string::npos);
  ErrorAt("[1,2]", "(top level)");
  ErrorAt("\"just a string\"", "(top level)");
}

TEST(ChatParseErrorTest, WrongTypes) {
  std::string m = ErrorAt(R"({"model":"gpt-4o","messages":[{"role":"user","content":5}]})",
                          "messages[0].content");
  EXPECT_NE(m.find("got a number"), std::string::npos) << m;
  ErrorAt(R"({"model":7,"messages":[]})", "model");
  ErrorAt(R"({"model":"gpt-4o","messages":{}})", "messages");
  ErrorAt(R"({"model":"gpt-4o","messages":["hi"]})", "messages[0]");
  ErrorAt(
      R"({"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":["a"]}]}]})",
      "messages[0].content[0].text");
  ErrorAt(R"({"model":"gpt-4o","messages":[],"max_tokens":"100"})", "max_tokens");
  m = ErrorAt(R"({"model":"gpt-4o","messages":[],"max_tokens":-1})", "max_tokens");
  EXPECT_NE(m.find("non-negative integer"), std::string::npos) << m;
  ErrorAt(R"({"model":"gpt-4o","messages":[],"max_completion_tokens":1.5})",
          "max_completion_tokens");
  ErrorAt(R"({"model":"claude-3-haiku-20240307","system":5,"messages":[]})", "system");
  ErrorAt(
      R"({"model":"claude-3-haiku-20240307","messages":[{"role":"user","content":[{"type":"tool_use","name":"f","input":"x"}]}]})",
      "messages[0].content[0].input");
}

TEST(ChatParseErrorTest, UnknownRolesAndTypes) {
  ErrorAt(
      R"({"model":"gpt-4o","messages":[{"role":"user","content":"a"},{"role":"robot","content":"b"}]})",
      "messages[1].role");
  ErrorAt(
      R"({"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"imag"}]}]})",
      "messages[0].content[1].type");
  ErrorAt(
      R"({"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"input_text","text":"a"}]}]})",
      "messages[0].content[0].type", ChatFormat::kOpenAIChat);
  ErrorAt(R"({"model":"gpt-4o","input":[{"type":"telepathy"}]})", "input[0].type");
  ErrorAt(
      R"({"model":"claude-3-haiku-20240307","system":"s","messages":[{"role":"system","content":"a"}]})",
      "messages[0].role");
  ErrorAt(
      R"({"model":"claude-3-haiku-20240307","system":"s","messages":[{"role":"user","content":[{"type":"video","source":{}}]}]})",
      "messages[0].content[0].type");
  ErrorAt(
      R"({"model":"claude-3-haiku-20240307","system":"s","messages":[{"role":"user","content":[{"type":"image","source":{"type":"ftp"}}]}]})",
      "messages[0].content[0].source");
  ErrorAt(R"({"model":"gpt-4o","messages":[],"tools":[{"type":"plugin","function":{"name":"f"}}]})",
          "tools[0].type");
  ErrorAt(
      R"({"model":"claude-3-haiku-20240307","system":"s","messages":[],"tool_choice":{"type":"maybe"}})",
      "tool_choice.type");
  ErrorAt(
      R"({"model":"claude-3-haiku-20240307","system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral","ttl":"2h"}}],"messages":[]})",
      "system[0].cache_control");
  ErrorAt(
      R"({"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x","detail":"ultra"}}]}]})",
      "messages[0].content[0]");
}

TEST(ChatParseErrorTest, MissingFields) {
  ErrorAt(R"({"model":"gpt-4o"})", "(top level)", ChatFormat::kOpenAIChat);
  ErrorAt(R"({"model":"gpt-4o","messages":[{"content":"a"}]})", "messages[0]");
  ErrorAt(R"({"model":"gpt-4o","messages":[{"role":"user"}]})", "messages[0]");
  ErrorAt(R"({"model":"gpt-4o","messages":[{"role":"assistant"}]})", "messages[0]");
  ErrorAt(R"({"model":"gpt-4o","messages":[{"role":"tool","content":"a"}]})", "messages[0]");
  ErrorAt(R"({"model":"gpt-4o","messages":[{"role":"function","content":"a"}]})", "messages[0]");
  ErrorAt(R"({"model":"gpt-4o","messages":[{"role":"user","content":[{"text":"a"}]}]})",
          "messages[0].content[0]");
  ErrorAt(R"({"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url"}]}]})",
          "messages[0].content[0]");
  ErrorAt(
      R"({"model":"gpt-4o","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function"}]}]})",
      "messages[0].tool_calls[0]");
  ErrorAt(
      R"({"model":"gpt-4o","messages":[],"tools":[{"type":"function","function":{"description":"no name"}}]})",
      "tools[0]");
  ErrorAt(R"({"model":"gpt-4o","input":[{"type":"function_call","name":"f"}]})", "input[0]");
  ErrorAt(R"({"model":"claude-3-haiku-20240307","system":"s"})", "(top level)");
  ErrorAt(
      R"({"model":"claude-3-haiku-20240307","system":"s","messages":[{"role":"user","content":[{"type":"tool_result"}]}]})",
      "messages[0].content[0]");
  ErrorAt(
      R"({"model":"claude-3-haiku-20240307","system":"s","messages":[],"tools":[{"name":"t"}]})",
      "tools[0]");
}

}  // namespace
}  // namespace tokwise
