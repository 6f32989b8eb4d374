// tokwise/chat.h: chat requests as providers bill them.
//
// Apps send chat requests, not text: messages, tool definitions, images. This header parses a
// request body (OpenAI Chat Completions, OpenAI Responses, Anthropic Messages; one JSON object
// or JSONL with one request per line) and counts its prompt tokens the way the provider bills
// them, with a breakdown by kind and a label saying how far the count can be trusted.
//
//   auto req = tokwise::ParseChatRequest(body);               // format detected from fields
//   if (!req.ok()) return req.status();                      // names the JSON path
//   auto count = tokwise::CountChatTokens(*req);             // model from the body's "model"
//   if (!count.ok()) return count.status();
//   count->total;                                            // prompt tokens as billed
//   count->by_kind[static_cast<size_t>(tokwise::CountKind::kImages)];
//   count->label;                                            // kExact / kCalibrated / kEstimate
//
// How each provider is counted (the rules live in lib/chat/count.cc and model_rules.cc):
//
// * OpenAI (any model EncodingNameForModel() knows): text is tokenized exactly with the model's
//   encoding. Chat framing is OpenAI's published rule (cookbook "How to count tokens with
//   tiktoken"): 3 tokens per message plus the tokens of the role, +1 per `name` (plus the
//   name's tokens), +3 priming the reply; gpt-3.5-turbo-0301: 4 per message and -1 per name.
//   Function tools use the cookbook's per-function constants (gpt-4o family: function 7,
//   properties 3, per property 3, enum -3, per enum item 3, end 12; gpt-3.5 / gpt-4: function
//   10) when every function and property is described and flat. Other definitions (a missing
//   description, nested objects, arrays, anyOf, defaults) are rendered as the TypeScript-style
//   declarations OpenAI's chat format shows the model and counted as their tokens + 9 (+ 5
//   with a system message); tool calls in the history as name + arguments + 3; a `function`
//   message's name replaces its role. Those constants reproduce 18 of 19 API-measured
//   gpt-3.5-turbo requests published with hmarr/openai-chat-tokens (the 19th is the published
//   rule's, 1 under) and the cookbook's 101 / 105; such counts are labelled calibrated.
//   Images use the documented tile rule (low detail 85; otherwise fit in 2048x2048, scale
//   the short side down to 768, 85 + 170 per 512-px tile; gpt-4o-mini 2833 + 5667 per tile),
//   with the size read from the data URL's header bytes. Remote images are never fetched.
//   Audio (input_audio) is estimated at 10 tokens per second of WAV; other formats, files
//   and encrypted reasoning are not counted (see ChatCount::uncounted_parts).
// * Anthropic (claude-*): there is no public tokenizer for Claude 3 and later, so every count
//   is an estimate: text is tokenized with o200k_base and multiplied by
//   ChatCountOptions::anthropic_text_factor (default 1.0: UNCALIBRATED, see there); framing
//   constants were fit to Anthropic's published count_tokens example; the hidden tool-use
//   system prompt is added per model and tool_choice from Anthropic's documented table; images
//   cost (width * height) / 750 after Anthropic's documented downscale (long edge <= 1568 px,
//   at most ~1600 tokens).
//
// Labels:
//   kExact       every part follows a rule the provider published and reproduced against its
//                API (cookbook framing and flat function tools on gpt-3.5-turbo, gpt-4 and
//                gpt-4 turbo, gpt-4o, gpt-4o-mini; images of known size under the tile rule).
//   kCalibrated  the text is tokenized exactly, but some part is counted by extending a
//                published rule beyond the cases it was published for, with constants fit to
//                published API measurements where there are any: tool schemas with nested
//                objects, arrays, anyOf or defaults; tool calls and tool results in the
//                history; several text parts in one message; Responses API items; OpenAI
//                models outside the families above. ChatCount::notes says which.
//   kEstimate    the tokenizer is not public (Anthropic), or a part's size is unknown (remote
//                image, audio, file, encrypted reasoning) and a stated default or nothing was
//                counted for it (ChatCount::uncounted_parts).
//
// Thread safety: ChatRequest and ChatCount are plain values. Parse and count functions keep
// their scratch per call (or per thread) and may run concurrently. MessageCountCache is
// thread-safe.
#ifndef TOKWISE_CHAT_H_
#define TOKWISE_CHAT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tokwise {

// ------------------------------------------------------------------------------------------
// Parsed requests
// ------------------------------------------------------------------------------------------

// The API a request body is written for.
enum class ChatFormat {
  kAuto,               // Detect from the fields (see ParseChatRequest).
  kOpenAIChat,         // POST /v1/chat/completions
  kOpenAIResponses,    // POST /v1/responses
  kAnthropicMessages,  // POST /v1/messages (and /v1/messages/count_tokens)
};

// "auto", "openai_chat", "openai_responses", "anthropic_messages".
std::string_view ChatFormatName(ChatFormat format);

enum class Role { kSystem, kDeveloper, kUser, kAssistant, kTool, kFunction };

// "system", "developer", "user", "assistant", "tool", "function".
std::string_view RoleName(Role role);

enum class PartType {
  kText,              // text, input_text, output_text, Anthropic text / search_result text.
  kRefusal,           // An assistant refusal (OpenAI).
  kImage,             // image_url, input_image, Anthropic image.
  kAudio,             // input_audio.
  kFile,              // file / input_file / Anthropic document (text documents become kText).
  kToolCall,          // Assistant tool_calls[i], function_call, Responses function_call,
                      // Anthropic tool_use / server_tool_use.
  kToolResult,        // Anthropic tool_result, Responses function_call_output. Its `text` is
                      // the result when given as a string; block content follows it as parts
                      // with `in_tool_result` set.
  kThinking,          // Anthropic thinking.
  kRedactedThinking,  // Anthropic redacted_thinking (encrypted: size unknown).
  kReasoning,         // Responses reasoning item (`text` holds the summary texts, if any).
  kItemReference,     // Responses item_reference (content not in the request).
  kOpaque,            // A provider block whose content is encrypted or server-side
                      // (web_search_tool_result, ...): recorded, never counted.
};

enum class ImageDetail { kAuto, kLow, kHigh };

// Where an image (or file) comes from.
enum class SourceKind {
  kNone,
  kBase64,  // Inline bytes: `data` is base64 (a data URL's payload or Anthropic's "data").
  kUrl,     // A remote URL: never fetched, so its size is unknown.
  kFileId,  // An uploaded file id: size unknown.
};

enum class CacheTtl : uint8_t { kNone, k5Minutes, k1Hour };

// One content part of a message. Strings are views into the ChatRequest's own storage.
struct ChatPart {
  PartType type = PartType::kText;
  // Text, refusal, thinking, reasoning summary; a tool call's arguments / input as JSON text;
  // a tool result given as a string; an Anthropic text document's text.
  std::string_view text;
  std::string_view name;  // Tool call: the function / tool name. File: its file name.
  std::string_view id;    // Tool call id; tool result: the id of the call it answers.
  // Images, audio and files.
  SourceKind source = SourceKind::kNone;
  std::string_view data;        // Base64 payload, URL or file id, per `source`.
  std::string_view media_type;  // "image/png", audio "wav" / "mp3", "application/pdf", ...
  ImageDetail detail = ImageDetail::kAuto;
  bool in_tool_result = false;  // Nested in the preceding kToolResult part (Anthropic).
  bool is_json_object = false;  // `text` is a JSON object taken from the body (tool input).
  CacheTtl cache_control = CacheTtl::kNone;
  uint32_t source_index = 0;  // Index in the JSON array it came from (content[i]).
};

// Which part of the body a message or cache marker comes from.
enum class Section : uint8_t {
  kTools,     // tools[i] / functions[i]
  kSystem,    // Anthropic "system", Responses "instructions"
  kMessages,  // messages[i]
  kInput,     // Responses "input" (a string, or input[i])
};

struct ChatMessage {
  Role role = Role::kUser;
  std::string_view name;          // OpenAI "name".
  std::string_view tool_call_id;  // OpenAI tool message.
  std::vector<ChatPart> parts;
  // True when the content was one JSON string (or Responses "input" as a string), not an
  // array of parts.
  bool content_is_string = false;
  Section section = Section::kMessages;
  uint32_t source_index = 0;  // Index in its section's array.
};

// A tool the model may call.
struct ToolDefinition {
  // "function" for function tools (Chat "tools" / legacy "functions", Responses function
  // tools, Anthropic custom tools); otherwise the provider's tool type, such as
  // "bash_20250124", "text_editor_20250429", "web_search_preview".
  std::string_view type;
  std::string_view name;
  std::string_view description;
  // The parameter JSON Schema as JSON text ("parameters" / "input_schema"); empty if absent.
  std::string_view parameters;
  CacheTtl cache_control = CacheTtl::kNone;
  uint32_t source_index = 0;
};

enum class ToolChoiceMode {
  kUnset,     // Not given: the provider's default (auto when tools are present).
  kNone,      // "none"
  kAuto,      // "auto"
  kRequired,  // OpenAI "required", Anthropic "any".
  kNamed,     // A specific tool (OpenAI {"type":"function",...}, Anthropic {"type":"tool"}).
};

struct ToolChoice {
  ToolChoiceMode mode = ToolChoiceMode::kUnset;
  std::string_view name;  // kNamed only.
};

// An Anthropic cache_control marker: the prompt prefix up to and including the marked block
// is cached. Anthropic's prefix order is tools, then system, then messages.
struct CacheMarker {
  Section section = Section::kMessages;
  uint32_t index = 0;       // tools[index], system[index] (0 for a string), messages[index].
  uint32_t part_index = 0;  // content[part_index] within messages[index]; 0 otherwise.
  CacheTtl ttl = CacheTtl::k5Minutes;
  std::string path;  // JSON path of the marker, e.g. "messages[3].content[1]".
};

// A parsed request. It owns a copy of the body; every string_view in it points into that copy
// or into its own unescape buffer, so it stays valid as long as the ChatRequest (moves keep
// them valid; copying is disabled).
struct ChatRequest {
  ChatRequest();
  ~ChatRequest();
  ChatRequest(ChatRequest&&) noexcept;
  ChatRequest& operator=(ChatRequest&&) noexcept;
  ChatRequest(const ChatRequest&) = delete;
  ChatRequest& operator=(const ChatRequest&) = delete;

  ChatFormat format = ChatFormat::kAuto;  // Never kAuto after parsing.
  std::string_view model;                 // Empty if the body has none.
  // In prompt order: Anthropic "system" and Responses "instructions" come first as one
  // kSystem / kDeveloper message (section kSystem).
  std::vector<ChatMessage> messages;
  std::vector<ToolDefinition> tools;
  bool legacy_functions = false;  // Tools came from Chat "functions".
  ToolChoice tool_choice;
  // max_completion_tokens, else max_tokens (Chat); max_output_tokens (Responses); max_tokens
  // (Anthropic).
  std::optional<uint64_t> max_output_tokens;
  std::vector<CacheMarker> cache_markers;

  struct Storage;
  std::unique_ptr<Storage> storage;  // The body copy and unescaped strings.
};

// Parses one request body.
//
// `json` is one JSON object (not retained; it is copied once into the result). `format`
// kAuto detects the API from the fields: "input"/"instructions" -> Responses; "system",
// Anthropic block types (image with "source", tool_use, tool_result, thinking, document) or
// tools with "input_schema" -> Anthropic; "tool_calls", roles system/developer/tool/function,
// OpenAI part types (image_url, input_audio) or tools with "function" -> Chat; otherwise a
// "claude" model -> Anthropic, else Chat.
//
// Errors (InvalidArgument; the message names the JSON path, e.g. `messages[3].content[1].type`,
// and for malformed JSON the byte offset, line and column): malformed JSON, a top level that
// is not an object, wrong types, unknown roles, unknown part or item types, missing required
// fields, negative or non-integer max tokens. Fields tokwise does not use are skipped; like
// any On-Demand parser, simdjson checks skipped values for structure (brackets, strings) but
// not every literal inside them.
absl::StatusOr<ChatRequest> ParseChatRequest(std::string_view json,
                                             ChatFormat format = ChatFormat::kAuto);

// Parses JSONL: one request per non-blank line (CRLF accepted). Errors are prefixed with
// "line N: ". Each request is detected on its own when `format` is kAuto.
absl::StatusOr<std::vector<ChatRequest>> ParseChatRequestsJsonl(
    std::string_view jsonl, ChatFormat format = ChatFormat::kAuto);

// ------------------------------------------------------------------------------------------
// Counting
// ------------------------------------------------------------------------------------------

enum class CountLabel { kExact = 0, kCalibrated = 1, kEstimate = 2 };  // Worse is larger.

// "exact", "calibrated", "estimate".
std::string_view CountLabelName(CountLabel label);

// What the tokens of a request are spent on. Text of a message goes to its role's kind;
// tool calls, tool results, images and audio to their own kinds; role markers, per-message
// constants, reply priming and hidden provider prompts to kFraming.
enum class CountKind {
  kSystem,  // system / developer messages, Anthropic system, Responses instructions.
  kUser,
  kAssistant,        // Assistant text, refusals, thinking.
  kToolDefinitions,  // tools / functions, with their per-tool constants.
  kToolCalls,        // Names and arguments of calls in the history.
  kToolResults,      // tool / function messages, tool_result blocks, call outputs.
  kImages,
  kAudio,
  kFraming,
};
inline constexpr size_t kNumCountKinds = 9;

// "system", "user", "assistant", "tool_definitions", "tool_calls", "tool_results", "images",
// "audio", "framing".
std::string_view CountKindName(CountKind kind);

enum class Provider { kOpenAI, kAnthropic };

class MessageCountCache;

struct ChatCountOptions {
  // Overrides the request's "model". One of the two must name a known model: an OpenAI model
  // that EncodingNameForModel() maps to a built-in encoding, or a Claude model.
  std::string model;

  // Anthropic only: Claude text tokens per o200k_base token. 0 (the default) takes the factor
  // of the model's estimate profile in the model registry (registry.h), the same one
  // `tokwise count --model claude-...` applies, so one text gets one estimate everywhere.
  // Anthropic publishes no tokenizer for Claude 3 and later; the registry's factors and their
  // sources are listed there. Measure your own ratio with Anthropic's count_tokens endpoint on
  // your traffic and set it here. Must be 0 or in (0, 100].
  double anthropic_text_factor = 0;

  // Images whose size cannot be known (remote URLs, file ids). 0 x 0 (default) counts the
  // largest number of tokens the model's rule allows, so a pre-flight budget is never
  // exceeded: OpenAI high/auto detail 1445 (768 x 2048 after resizing: 8 tiles), low 85;
  // Anthropic 1600. Otherwise the image is counted as if it had this size. Either way the
  // count is labelled kEstimate and a note says so.
  uint32_t unknown_image_width = 0;
  uint32_t unknown_image_height = 0;

  // Optional per-message cache (not owned; may be shared by threads). Messages already seen
  // with the same content, model rules and options are not tokenized again, so counting step
  // 50 of an agent loop costs about its new message.
  MessageCountCache* cache = nullptr;
};

struct ChatCount {
  std::string model;  // The model whose rules were applied.
  Provider provider = Provider::kOpenAI;
  std::string encoding;  // Tokenizer used for text ("o200k_base", "cl100k_base").

  uint64_t total = 0;  // Prompt tokens as billed (the sum of by_kind).
  std::array<uint64_t, kNumCountKinds> by_kind{};
  CountLabel label = CountLabel::kExact;

  // Why the label is not kExact, and any default used: one line per distinct reason, each
  // naming the first JSON path where it applied.
  std::vector<std::string> notes;

  // Parts that could not be counted at all (audio of unknown length, PDF files, encrypted
  // reasoning, item references, ...). Each is also named in `notes`; when non-zero the label
  // is kEstimate and `total` is a lower bound.
  uint32_t uncounted_parts = 0;

  // Tokens of each message (content and its own framing), in ChatRequest::messages order.
  std::vector<uint64_t> message_tokens;
  // The same by kind. With an anthropic_text_factor other than 1 each kind's text is scaled
  // and rounded on its own, so these can differ from message_tokens[i] (and their sum over
  // messages from `total`) by the rounding; with the factor 1 they add up exactly.
  std::vector<std::array<uint64_t, kNumCountKinds>> message_by_kind;
  // Tokens priming the reply (in by_kind[kFraming]); the rest of `total` beyond the messages
  // is the tool definitions (with their framing and any hidden tool prompt).
  uint64_t reply_priming = 0;

  // For each ChatRequest::cache_markers entry: the tokens of the prompt prefix up to and
  // including the marked block, in Anthropic's prefix order (tools, system, messages).
  std::vector<uint64_t> cache_prefix_tokens;

  uint64_t of(CountKind kind) const { return by_kind[static_cast<size_t>(kind)]; }
};

// Counts the prompt tokens of a parsed request as the provider bills them.
//
// Errors: InvalidArgument when neither `options.model` nor the request names a model;
// NotFound for an unknown model (never a silent fallback); InvalidArgument for bad content
// met while counting (invalid UTF-8 in text, an inline image that is not PNG, JPEG, GIF or
// WebP, a non-positive anthropic_text_factor), naming the JSON path.
absl::StatusOr<ChatCount> CountChatTokens(const ChatRequest& request,
                                          const ChatCountOptions& options = {});

// ParseChatRequest() then CountChatTokens().
absl::StatusOr<ChatCount> CountChatTokens(std::string_view json,
                                          const ChatCountOptions& options = {},
                                          ChatFormat format = ChatFormat::kAuto);

// ------------------------------------------------------------------------------------------
// Per-message cache
// ------------------------------------------------------------------------------------------

// A bounded, thread-safe cache of per-message token tallies, keyed by a 128-bit hash of the
// message's parsed content (role, name, every part's type and text; for inline images their
// length and first and last 32 KiB) together with the model rules and options that affect
// the count. The hash is not cryptographic: a deliberately crafted collision could make one
// message reuse another's tally. A cached tally keeps the reasons for its label, so notes
// are reported on hits too (naming the message rather than the part).
//
// Memory is bounded by `max_entries` (about 100 bytes each). The cache keeps two generations:
// when the current one holds half the entries, the older one is dropped, so entries used in
// the last max_entries / 2 insertions survive.
class MessageCountCache {
 public:
  explicit MessageCountCache(size_t max_entries = 16384);
  ~MessageCountCache();
  MessageCountCache(const MessageCountCache&) = delete;
  MessageCountCache& operator=(const MessageCountCache&) = delete;

  size_t size() const;
  uint64_t hits() const;
  uint64_t misses() const;
  void Clear();

  // Internal to tokwise (used by CountChatTokens).
  struct Key {
    uint64_t lo = 0, hi = 0;
    bool operator==(const Key& o) const { return lo == o.lo && hi == o.hi; }
  };
  struct Tally {
    std::array<uint32_t, kNumCountKinds> text{};   // Tokenized text, before any factor.
    std::array<uint32_t, kNumCountKinds> fixed{};  // Constants, images, audio.
    uint32_t reasons = 0;                          // Bit set of the notes this message raised.
    uint32_t uncounted = 0;
  };
  bool Lookup(const Key& key, Tally* out) const;
  void Insert(const Key& key, const Tally& tally);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ------------------------------------------------------------------------------------------
// Images
// ------------------------------------------------------------------------------------------

struct ImageSize {
  uint32_t width = 0;
  uint32_t height = 0;
};

// Reads width and height from the first bytes of a PNG, JPEG (baseline or progressive: the
// first SOFn segment), GIF or WebP (VP8, VP8L, VP8X) file, without decoding pixels.
// `bytes` may be a prefix of the file. InvalidArgument for another or a corrupt format;
// OutOfRange when the prefix ends before the size.
absl::StatusOr<ImageSize> ImageSizeFromBytes(std::string_view bytes);

// As ImageSizeFromBytes() on base64 text, decoding only the bytes needed (for JPEG, only the
// segment headers on the way to the SOF marker). Whitespace inside the base64 is allowed.
absl::StatusOr<ImageSize> ImageSizeFromBase64(std::string_view base64);

// OpenAI's tile rule. kLow: `base`. kHigh / kAuto: scale down to fit 2048 x 2048, then so
// the short side is at most 768, then base + tile * (number of 512-px tiles).
// gpt-4o / gpt-4.1 / gpt-4-turbo: base 85, tile 170; gpt-4o-mini: 2833, 5667.
uint64_t OpenAIImageTokens(uint32_t width, uint32_t height, ImageDetail detail, uint32_t base = 85,
                           uint32_t tile = 170);

// Anthropic's documented estimate: (width * height) / 750, rounded up, after scaling down
// (aspect ratio kept) so the long edge is at most 1568 px and the image at most ~1600 tokens
// (width * height <= 1,200,000).
uint64_t AnthropicImageTokens(uint32_t width, uint32_t height);

}  // namespace tokwise

#endif  // TOKWISE_CHAT_H_
