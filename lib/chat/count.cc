// Prompt-token counting as billed. See tokwise/chat.h for the rules and labels; constants
// carry their source where they are defined.
//
// Every message is tallied on its own (text tokens and constant tokens per kind, plus the
// reasons its label is not exact), so a tally can be cached by content and reused when the
// same message is sent again (MessageCountCache).
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/json.h"
#include "base/strings.h"
#include "chat/hash.h"
#include "chat/media.h"
#include "chat/model_rules.h"
#include "chat/request_storage.h"
#include "simdjson.h"
#include "tokwise/chat.h"
#include "tokwise/registry.h"
#include "tokwise/encoding.h"

namespace tokwise {

using chat_internal::AnthropicRules;
using chat_internal::Hasher128;
using chat_internal::OpenAIRules;

std::string_view CountLabelName(CountLabel label) {
  switch (label) {
    case CountLabel::kExact:
      return "exact";
    case CountLabel::kCalibrated:
      return "calibrated";
    case CountLabel::kEstimate:
      return "estimate";
  }
  return "?";
}

std::string_view CountKindName(CountKind kind) {
  switch (kind) {
    case CountKind::kSystem:
      return "system";
    case CountKind::kUser:
      return "user";
    case CountKind::kAssistant:
      return "assistant";
    case CountKind::kToolDefinitions:
      return "tool_definitions";
    case CountKind::kToolCalls:
      return "tool_calls";
    case CountKind::kToolResults:
      return "tool_results";
    case CountKind::kImages:
      return "images";
    case CountKind::kAudio:
      return "audio";
    case CountKind::kFraming:
      return "framing";
  }
  return "?";
}

namespace {

using Tally = MessageCountCache::Tally;

size_t K(CountKind k) { return static_cast<size_t>(k); }

// ---- Constants that are not OpenAI's published ones ----------------------------------------

// Assistant tool calls in the history (Chat tool_calls / function_call, Responses
// function_call items): the name and the arguments are tokenized, plus this many tokens per
// call. Fit to API prompt counts published by hmarr/openai-chat-tokens
// (tests/token-counts.test.ts, gpt-3.5-turbo, 2023): an assistant function_call of do_stuff
// with arguments {"foo": "bar", "baz": 1.5} costs 26 prompt tokens in all.
constexpr int kToolCallOverhead = 3;

// Function definitions outside the cookbook's rule, rendered as TypeScript-style declarations
// (see OpenAITools): tokens(rendering) + 9, minus 4 when a system message is present. Fit to
// the same published API counts (19 requests, all reproduced).
constexpr int kRenderedToolsOverhead = 9;
constexpr int kRenderedToolsSystemSaving = 4;

// Anthropic framing, fit to the count_tokens example of Anthropic's token counting guide:
// system "You are a scientist" and user "Hello, Claude" count 14 input tokens, of which 7 are
// o200k_base text tokens. The split (3 per message, 1 for the system prompt, 3 priming the
// reply) mirrors the "\n\nHuman: " / "\n\nAssistant:" turn markers of Claude's prompt format.
constexpr int kAnthropicPerMessage = 3;
constexpr int kAnthropicSystem = 1;
constexpr int kAnthropicPriming = 3;

// Anthropic-defined client tools have a fixed definition cost (Anthropic's tool use
// overview, per-tool input tokens).
constexpr int kAnthropicBashTool = 245;
constexpr int kAnthropicTextEditorTool = 700;
constexpr int kAnthropicComputerTool = 735;

// OpenAI Realtime bills user audio at one token per 100 ms; used as the estimate for
// input_audio parts of known duration.
// TODO: only WAV durations are read; mp3 input_audio is reported as uncounted, which makes a
// pre-flight count of audio requests a lower bound.
constexpr double kAudioTokensPerSecond = 10.0;

// Inline images hashed for the cache: length plus this much of the head and the tail.
constexpr size_t kImageHashSpan = 32 * 1024;

// ---- Reasons a count is not exact ----------------------------------------------------------

enum Reason : uint32_t {
  kModelNotVerified,
  kResponsesItems,
  kMultiTextParts,
  kToolCalls,
  kToolResults,
  kRefusal,
  kSchemaBeyondRule,
  kCustomTool,
  kImageUnknownSize,
  kImageAssumedSize,
  kImageRuleUnknown,
  kAudioEstimated,
  kAudioUncounted,
  kFileUncounted,
  kReasoningUncounted,
  kItemReference,
  kOpaque,
  kRedactedThinking,
  kThinkingStripped,
  kHostedTool,
  kComputerUse,
  kAnthropicTokenizer,
  kNumReasons,
};
static_assert(kNumReasons <= 32, "reasons are kept in a 32-bit set");

struct ReasonInfo {
  CountLabel label;
  const char* text;
};

const ReasonInfo& Info(Reason r) {
  static const ReasonInfo kInfo[] = {
      {CountLabel::kCalibrated,
       "the model is outside the families OpenAI's cookbook verified (gpt-3.5-turbo, gpt-4, "
       "gpt-4o, gpt-4o-mini); their framing and tool constants are applied"},
      {CountLabel::kCalibrated,
       "Responses API items are framed like chat messages (OpenAI publishes no rule for them)"},
      {CountLabel::kCalibrated,
       "several text parts in one message are counted separately (the joining rule is not "
       "published)"},
      {CountLabel::kCalibrated,
       "tool calls in the history: name + arguments + 3 tokens per call (fit to published API "
       "counts, not an OpenAI rule)"},
      {CountLabel::kCalibrated, "tool results are framed like other messages (no published rule)"},
      {CountLabel::kCalibrated, "refusals are counted as assistant text"},
      {CountLabel::kCalibrated,
       "tool definitions go beyond OpenAI's published per-function rule (a missing "
       "description, nested objects, arrays, anyOf, defaults...): counted by rendering them "
       "as the TypeScript-style declarations of OpenAI's chat format, fit to published API "
       "counts"},
      {CountLabel::kCalibrated,
       "custom (free-form) tool counted like a function without "
       "parameters"},
      {CountLabel::kEstimate,
       "image of unknown size (remote URL or file id, never fetched): counted at the most "
       "the model's rule allows (OpenAI high/auto detail: 768x2048 after resizing, base + 8 "
       "tiles; Anthropic: 1600 tokens)"},
      {CountLabel::kEstimate,
       "image of unknown size (remote URL or file id, never fetched): counted at the size "
       "given in ChatCountOptions::unknown_image_width / unknown_image_height"},
      {CountLabel::kEstimate,
       "no published image rule for this model in tokwise's table: the 85 + 170-per-tile "
       "rule was applied"},
      {CountLabel::kEstimate,
       "audio estimated at 10 tokens per second of WAV (OpenAI's Realtime rate)"},
      {CountLabel::kEstimate, "audio of unknown duration not counted"},
      {CountLabel::kEstimate, "file / document content not counted (pages and size unknown)"},
      {CountLabel::kEstimate,
       "reasoning item not counted (its billed content is encrypted or summarised)"},
      {CountLabel::kEstimate,
       "item_reference not counted (the referenced item is not in the request)"},
      {CountLabel::kEstimate,
       "server-side tool item not counted (its content is not in the "
       "request in readable form)"},
      {CountLabel::kEstimate, "redacted_thinking not counted (encrypted)"},
      {CountLabel::kExact,
       "thinking blocks of earlier assistant turns are dropped by the API for this model and "
       "not counted"},
      {CountLabel::kEstimate, "server tool definition not counted (its size is not published)"},
      {CountLabel::kEstimate,
       "computer use also adds a 466-499-token system prompt that is not counted"},
      {CountLabel::kEstimate,
       "Anthropic publishes no tokenizer for Claude 3 and later: text is counted with "
       "o200k_base times anthropic_text_factor"},
  };
  static_assert(sizeof(kInfo) / sizeof(kInfo[0]) == kNumReasons, "one entry per Reason");
  return kInfo[r];
}

bool IsUncountedReason(Reason r) {
  return r == kAudioUncounted || r == kFileUncounted || r == kReasoningUncounted ||
         r == kItemReference || r == kOpaque || r == kRedactedThinking || r == kHostedTool;
}

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

void AppendMinifiedJson(std::string_view json, std::string* out) {
  bool in_string = false, escaped = false;
  for (char c : json) {
    if (in_string) {
      out->push_back(c);
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out->push_back(c);
    } else if (!IsSpace(c)) {
      out->push_back(c);
    }
  }
}

std::string_view StripFinalPeriod(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

std::string SectionPath(const ChatRequest& req, const ChatMessage& m) {
  switch (m.section) {
    case Section::kSystem:
      return req.format == ChatFormat::kOpenAIResponses ? "instructions" : "system";
    case Section::kInput:
      return m.content_is_string && req.format == ChatFormat::kOpenAIResponses &&
                     m.source_index == 0 && m.role == Role::kUser && m.parts.size() == 1 &&
                     m.parts[0].type == PartType::kText
                 ? std::string("input")
                 : absl::StrCat("input[", m.source_index, "]");
    case Section::kTools:
      return absl::StrCat("tools[", m.source_index, "]");
    case Section::kMessages:
      return absl::StrCat("messages[", m.source_index, "]");
  }
  return "?";
}

// DOM parser for tool schemas, one per thread.
simdjson::dom::parser& SchemaParser() {
  static thread_local simdjson::dom::parser parser;
  return parser;
}

class Counter {
 public:
  Counter(const ChatRequest& req, const ChatCountOptions& opts, ChatCount* out)
      : req_(req), opts_(opts), out_(out) {}

  absl::Status Run();

 private:
  // ---- Notes -------------------------------------------------------------------------------

  void Raise(Reason r, Tally* t, const std::string& path) {
    if (t != nullptr) {
      t->reasons |= 1u << r;
      if (IsUncountedReason(r)) ++t->uncounted;
    }
    Record(r, path);
  }
  template <class PathFn>
  void RaiseLazy(Reason r, Tally* t, PathFn&& path) {
    if (t != nullptr) {
      t->reasons |= 1u << r;
      if (IsUncountedReason(r)) ++t->uncounted;
    }
    if (!(noted_ & (1u << r))) Record(r, path());
  }
  void Record(Reason r, const std::string& path) {
    const ReasonInfo& info = Info(r);
    if (static_cast<int>(info.label) > static_cast<int>(out_->label)) out_->label = info.label;
    if (noted_ & (1u << r)) return;
    noted_ |= 1u << r;
    out_->notes.push_back(path.empty() ? std::string(info.text)
                                       : absl::StrCat(path, ": ", info.text));
  }
  // Re-raises the reasons of a cached tally at message level.
  void Replay(const Tally& t, const std::string& path) {
    for (uint32_t r = 0; r < kNumReasons; ++r) {
      if (t.reasons & (1u << r)) Record(static_cast<Reason>(r), path);
    }
  }

  // ---- Helpers -----------------------------------------------------------------------------

  // Adds the tokens of `s` to *n. `path` (called only on error) names where `s` came from.
  template <class PathFn>
  absl::Status Text(std::string_view s, uint32_t* n, PathFn&& path) {
    if (s.empty()) return absl::OkStatus();
    absl::StatusOr<size_t> c = enc_->Count(s);
    if (!c.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path(), ": ", c.status().message()));
    }
    *n += static_cast<uint32_t>(*c);
    return absl::OkStatus();
  }

  // Text() and RaiseLazy() for part `p` of message `m`: errors and notes name its JSON path.
  absl::Status PartText(const ChatMessage& m, const ChatPart& p, std::string_view s, uint32_t* n) {
    return Text(s, n, [&] { return PartPath(m, p); });
  }
  void RaisePart(Reason r, Tally* t, const ChatMessage& m, const ChatPart& p) {
    RaiseLazy(r, t, [&] { return PartPath(m, p); });
  }

  std::string PartPath(const ChatMessage& m, const ChatPart& p) const {
    std::string base = SectionPath(req_, m);
    if (m.content_is_string && p.type != PartType::kToolCall) return base;
    if (p.type == PartType::kToolCall && req_.format == ChatFormat::kOpenAIChat) {
      return absl::StrCat(base, ".tool_calls[", p.source_index, "]");
    }
    if (req_.format == ChatFormat::kOpenAIResponses && m.section == Section::kInput &&
        (p.type == PartType::kToolCall || p.type == PartType::kToolResult ||
         p.type == PartType::kReasoning || p.type == PartType::kItemReference ||
         p.type == PartType::kOpaque)) {
      return base;
    }
    return absl::StrCat(base, ".content[", p.source_index, "]");
  }

  CountKind RoleKind(Role role) const {
    switch (role) {
      case Role::kSystem:
      case Role::kDeveloper:
        return CountKind::kSystem;
      case Role::kUser:
        return CountKind::kUser;
      case Role::kAssistant:
        return CountKind::kAssistant;
      case Role::kTool:
      case Role::kFunction:
        return CountKind::kToolResults;
    }
    return CountKind::kUser;
  }

  absl::Status ImageTokens(const ChatMessage& m, const ChatPart& p, Tally* t);
  absl::Status AudioTokens(const ChatMessage& m, const ChatPart& p, Tally* t);

  absl::Status OpenAIMessage(const ChatMessage& m, Tally* t);
  absl::Status AnthropicMessage(const ChatMessage& m, bool keep_thinking, Tally* t);
  absl::Status OpenAITools(Tally* t);
  absl::Status AnthropicTools(Tally* t);

  void Fingerprint(Hasher128* h) const;
  MessageCountCache::Key MessageKey(const ChatMessage& m, bool keep_thinking) const;
  MessageCountCache::Key ToolsKey() const;

  // Adds a tally to the totals and to the running prefix.
  void Accumulate(const Tally& t) {
    for (size_t k = 0; k < kNumCountKinds; ++k) {
      text_[k] += t.text[k];
      fixed_[k] += t.fixed[k];
      prefix_text_ += t.text[k];
      prefix_fixed_ += t.fixed[k];
    }
    out_->uncounted_parts += t.uncounted;
  }
  uint64_t Scale(uint64_t text) const {
    return static_cast<uint64_t>(std::llround(static_cast<double>(text) * factor_));
  }
  uint64_t MessageTotal(const Tally& t) const {
    uint64_t text = 0, fixed = 0;
    for (size_t k = 0; k < kNumCountKinds; ++k) {
      text += t.text[k];
      fixed += t.fixed[k];
    }
    return Scale(text) + fixed;
  }
  // Records the prefix total for the marker (section, index, part), if any.
  void MarkPrefix(Section section, uint32_t index, uint32_t part, uint64_t text, uint64_t fixed) {
    for (size_t i = 0; i < req_.cache_markers.size(); ++i) {
      const CacheMarker& mk = req_.cache_markers[i];
      if (mk.section == section && mk.index == index && mk.part_index == part) {
        out_->cache_prefix_tokens[i] = Scale(text) + fixed;
      }
    }
  }

  const ChatRequest& req_;
  const ChatCountOptions& opts_;
  ChatCount* out_;
  Provider provider_ = Provider::kOpenAI;
  OpenAIRules openai_;
  AnthropicRules anthropic_;
  std::shared_ptr<const Encoding> enc_;
  double factor_ = 1.0;
  uint32_t noted_ = 0;
  std::array<uint64_t, kNumCountKinds> text_{}, fixed_{};
  uint64_t prefix_text_ = 0, prefix_fixed_ = 0;
  std::array<uint32_t, 6> role_tokens_{};  // By Role; 0 = not counted yet.
  std::string scratch_;
};

// ---- Images and audio ------------------------------------------------------------------------

absl::Status Counter::ImageTokens(const ChatMessage& m, const ChatPart& p, Tally* t) {
  const bool openai = provider_ == Provider::kOpenAI;
  if (openai && p.detail == ImageDetail::kLow) {
    // Low detail is a flat cost whatever the size.
    t->fixed[K(CountKind::kImages)] += openai_.image_base;
    if (!openai_.image_rule_known) RaisePart(kImageRuleUnknown, t, m, p);
    return absl::OkStatus();
  }
  ImageSize size;
  bool known = false;
  if (p.source == SourceKind::kBase64) {
    absl::StatusOr<ImageSize> s = ImageSizeFromBase64(p.data);
    if (!s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(PartPath(m, p), ": ", s.status().message()));
    }
    size = *s;
    known = true;
  } else if (opts_.unknown_image_width > 0 && opts_.unknown_image_height > 0) {
    size = {opts_.unknown_image_width, opts_.unknown_image_height};
  }
  uint64_t tokens;
  if (known || size.width > 0) {
    tokens = openai ? OpenAIImageTokens(size.width, size.height, p.detail, openai_.image_base,
                                        openai_.image_tile)
                    : AnthropicImageTokens(size.width, size.height);
  } else {
    // The largest count the rule allows: OpenAI 768 x 2048 after resizing (2 x 4 tiles);
    // Anthropic ~1600 tokens.
    tokens =
        openai ? uint64_t{openai_.image_base} + 8 * uint64_t{openai_.image_tile} : uint64_t{1600};
  }
  if (!known) {
    RaisePart(size.width > 0 ? kImageAssumedSize : kImageUnknownSize, t, m, p);
  }
  if (openai && !openai_.image_rule_known) {
    RaisePart(kImageRuleUnknown, t, m, p);
  }
  t->fixed[K(CountKind::kImages)] += static_cast<uint32_t>(tokens);
  return absl::OkStatus();
}

absl::Status Counter::AudioTokens(const ChatMessage& m, const ChatPart& p, Tally* t) {
  const bool wav =
      p.source == SourceKind::kBase64 && (p.media_type == "wav" || p.media_type == "audio/wav" ||
                                          p.media_type == "audio/x-wav" || p.media_type.empty());
  if (wav) {
    absl::StatusOr<double> seconds = chat_internal::WavSecondsFromBase64(p.data);
    if (seconds.ok()) {
      t->fixed[K(CountKind::kAudio)] +=
          static_cast<uint32_t>(std::ceil(*seconds * kAudioTokensPerSecond));
      RaisePart(kAudioEstimated, t, m, p);
      return absl::OkStatus();
    }
    if (p.media_type == "wav") {
      return absl::InvalidArgumentError(
          absl::StrCat(PartPath(m, p), ": ", seconds.status().message()));
    }
  }
  RaisePart(kAudioUncounted, t, m, p);
  return absl::OkStatus();
}

// ---- OpenAI ------------------------------------------------------------------------------

absl::Status Counter::OpenAIMessage(const ChatMessage& m, Tally* t) {
  const CountKind kind = RoleKind(m.role);
  const std::string_view role = RoleName(m.role);
  // "<|start|>{role}\n{content}<|end|>\n": the per-message constant plus the role's tokens.
  // Role names are tokenized once per request.
  uint32_t& role_tokens = role_tokens_[static_cast<size_t>(m.role)];
  if (role_tokens == 0) {
    if (absl::Status s = Text(role, &role_tokens, [] { return std::string("role"); }); !s.ok()) {
      return s;
    }
  }
  if (m.role == Role::kFunction) {
    // A function result is headed by the function's name instead of the role (2 tokens less
    // than role + name + 1; fit to the published API counts of function messages, see
    // kToolCallOverhead).
    t->fixed[K(CountKind::kFraming)] += openai_.per_message;
    if (absl::Status s = Text(m.name, &t->text[K(CountKind::kToolResults)],
                              [&] { return SectionPath(req_, m); });
        !s.ok()) {
      return s;
    }
  } else {
    t->fixed[K(CountKind::kFraming)] += openai_.per_message + role_tokens;
  }
  if (!m.name.empty() && m.role != Role::kFunction) {
    if (absl::Status s = Text(m.name, &t->text[K(kind)], [&] { return SectionPath(req_, m); });
        !s.ok())
      return s;
    // +1 per name; gpt-3.5-turbo-0301: -1 (the name replaces the role).
    if (openai_.per_name >= 0) {
      t->fixed[K(CountKind::kFraming)] += openai_.per_name;
    } else {
      t->fixed[K(CountKind::kFraming)] -= static_cast<uint32_t>(-openai_.per_name);
    }
  }
  if (m.role == Role::kTool || m.role == Role::kFunction) {
    RaiseLazy(kToolResults, t, [&] { return SectionPath(req_, m); });
  }
  int text_parts = 0;
  for (const ChatPart& p : m.parts) {
    const CountKind part_kind = p.in_tool_result ? CountKind::kToolResults : kind;
    switch (p.type) {
      case PartType::kText:
        ++text_parts;
        if (absl::Status s = PartText(m, p, p.text, &t->text[K(part_kind)]); !s.ok()) return s;
        break;
      case PartType::kRefusal:
        RaisePart(kRefusal, t, m, p);
        if (absl::Status s = PartText(m, p, p.text, &t->text[K(CountKind::kAssistant)]); !s.ok()) {
          return s;
        }
        break;
      case PartType::kImage:
        if (absl::Status s = ImageTokens(m, p, t); !s.ok()) return s;
        break;
      case PartType::kAudio:
        if (p.source == SourceKind::kBase64) {
          if (absl::Status s = AudioTokens(m, p, t); !s.ok()) return s;
        } else {
          RaisePart(kAudioUncounted, t, m, p);
        }
        break;
      case PartType::kFile:
        RaisePart(kFileUncounted, t, m, p);
        break;
      case PartType::kToolCall: {
        RaisePart(kToolCalls, t, m, p);
        uint32_t* n = &t->text[K(CountKind::kToolCalls)];
        if (absl::Status s = PartText(m, p, p.name, n); !s.ok()) return s;
        if (absl::Status s = PartText(m, p, p.text, n); !s.ok()) return s;
        t->fixed[K(CountKind::kFraming)] += kToolCallOverhead;
        break;
      }
      case PartType::kToolResult:
        RaisePart(kToolResults, t, m, p);
        if (absl::Status s = PartText(m, p, p.text, &t->text[K(CountKind::kToolResults)]);
            !s.ok()) {
          return s;
        }
        break;
      case PartType::kReasoning:
        RaisePart(kReasoningUncounted, t, m, p);
        break;
      case PartType::kItemReference:
        RaisePart(kItemReference, t, m, p);
        break;
      case PartType::kOpaque:
      case PartType::kThinking:
      case PartType::kRedactedThinking:
        RaisePart(kOpaque, t, m, p);
        break;
    }
  }
  if (text_parts > 1) RaiseLazy(kMultiTextParts, t, [&] { return SectionPath(req_, m); });
  return absl::OkStatus();
}

// ---- OpenAI function tools ---------------------------------------------------------------
//
// Two rules. The cookbook's published one covers functions whose every property is a flat,
// described scalar (optionally with a string enum):
//   per function  func_init + tokens("name:description")      (a final '.' dropped)
//   if properties prop_init, then per property prop_key + tokens("key:type:description")
//                 and for an enum enum_init + per item (enum_item + tokens(item))
//   once          func_end
// Anything else (a missing description, nested objects, arrays, anyOf, defaults, $ref...) is
// rendered the way OpenAI's chat format shows functions to the model, as TypeScript-style
// declarations:
//   namespace functions {
//
//   // Get the current weather
//   type get_weather = (_: {
//   // The city
//   location: string,
//   unit: "celsius" | "fahrenheit",
//   }) => any;
//
//   } // namespace functions
// and counted as tokens(rendering) + 9, or + 5 when a system (or developer) message is
// present, whose first one then ends with a newline. Those constants were fit to the API
// prompt counts published in hmarr/openai-chat-tokens (tests/token-counts.test.ts: 19
// gpt-3.5-turbo requests with functions, nested objects, arrays and function messages, all
// reproduced exactly) and also reproduce the cookbook's weather example (101 with
// o200k_base, 105 with cl100k_base); the result is labelled calibrated.

namespace dom = simdjson::dom;

bool IsValidationKeyword(std::string_view k) {
  return k == "required" || k == "additionalProperties" || k == "title" || k == "$schema" ||
         k == "strict";
}

// True if the cookbook's rule covers these parameters.
bool CookbookCovers(dom::element params) {
  dom::object obj;
  if (params.get_object().get(obj) != simdjson::SUCCESS) return false;
  for (dom::key_value_pair kv : obj) {
    const std::string_view k = kv.key;
    if (k == "type") continue;
    if (IsValidationKeyword(k)) continue;
    if (k != "properties") return false;
    dom::object props;
    if (kv.value.get_object().get(props) != simdjson::SUCCESS) return false;
    for (dom::key_value_pair prop : props) {
      dom::object p;
      if (prop.value.get_object().get(p) != simdjson::SUCCESS) return false;
      bool has_type = false, has_desc = false;
      for (dom::key_value_pair f : p) {
        const std::string_view fk = f.key;
        if (fk == "type") {
          std::string_view t;
          if (f.value.get_string().get(t) != simdjson::SUCCESS || t == "object" || t == "array") {
            return false;
          }
          has_type = true;
        } else if (fk == "description") {
          has_desc = f.value.is_string();
        } else if (fk == "enum") {
          dom::array items;
          if (f.value.get_array().get(items) != simdjson::SUCCESS) return false;
          for (dom::element item : items) {
            if (!item.is_string()) return false;
          }
        } else if (!IsValidationKeyword(fk)) {
          return false;
        }
      }
      if (!has_type || !has_desc) return false;
    }
  }
  return true;
}

void Indent(int level, std::string* out) { out->append(2 * static_cast<size_t>(level), ' '); }

// "// line" for each line of a description.
void RenderComment(std::string_view text, int level, std::string* out) {
  while (true) {
    const size_t nl = text.find('\n');
    Indent(level, out);
    *out += "// ";
    out->append(text.data(), nl == std::string_view::npos ? text.size() : nl);
    *out += "\n";
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

void RenderProperties(dom::object props, int level, std::string* out);

void RenderType(dom::element schema, int level, std::string* out) {
  dom::object obj;
  if (schema.get_object().get(obj) != simdjson::SUCCESS) {
    *out += "any";
    return;
  }
  dom::array list;
  if (obj["enum"].get_array().get(list) == simdjson::SUCCESS) {
    bool first = true;
    for (dom::element item : list) {
      if (!first) *out += " | ";
      first = false;
      *out += simdjson::minify(item);
    }
    return;
  }
  for (const char* combinator : {"anyOf", "oneOf", "allOf"}) {
    if (obj[combinator].get_array().get(list) != simdjson::SUCCESS) continue;
    const char* sep = std::strcmp(combinator, "allOf") == 0 ? " & " : " | ";
    bool first = true;
    for (dom::element alt : list) {
      if (!first) *out += sep;
      first = false;
      RenderType(alt, level, out);
    }
    return;
  }
  std::string_view type;
  dom::array types;
  if (obj["type"].get_string().get(type) == simdjson::SUCCESS) {
    if (type == "object") {
      dom::object props;
      if (obj["properties"].get_object().get(props) == simdjson::SUCCESS && props.size() > 0) {
        *out += "{\n";
        RenderProperties(props, level + 1, out);
        Indent(level, out);
        *out += "}";
      } else {
        *out += "object";
      }
    } else if (type == "array") {
      dom::element items;
      if (obj["items"].get(items) == simdjson::SUCCESS) {
        RenderType(items, level, out);
        *out += "[]";
      } else {
        *out += "any[]";
      }
    } else if (type == "integer") {
      *out += "number";
    } else {
      out->append(type.data(), type.size());
    }
  } else if (obj["type"].get_array().get(types) == simdjson::SUCCESS) {
    bool first = true;
    for (dom::element t : types) {
      std::string_view ts;
      if (t.get_string().get(ts) != simdjson::SUCCESS) continue;
      if (!first) *out += " | ";
      first = false;
      out->append(ts == "integer" ? std::string_view("number") : ts);
    }
  } else {
    *out += "any";
  }
}

void RenderProperties(dom::object props, int level, std::string* out) {
  for (dom::key_value_pair kv : props) {
    dom::object p;
    std::string_view desc;
    const bool is_obj = kv.value.get_object().get(p) == simdjson::SUCCESS;
    if (is_obj && p["description"].get_string().get(desc) == simdjson::SUCCESS) {
      RenderComment(desc, level, out);
    }
    Indent(level, out);
    out->append(kv.key.data(), kv.key.size());
    *out += ": ";
    RenderType(kv.value, level, out);
    *out += ",";
    dom::element dflt;
    if (is_obj && p["default"].get(dflt) == simdjson::SUCCESS) {
      *out += " // default: ";
      *out += simdjson::minify(dflt);
    }
    *out += "\n";
  }
}

// Function tools: the cookbook's rule when it covers every tool, else the rendering.
absl::Status Counter::OpenAITools(Tally* t) {
  if (req_.tools.empty()) return absl::OkStatus();
  const OpenAIRules& r = openai_;
  struct Parsed {
    const ToolDefinition* tool;
    std::string path;
    std::string params_json;  // Minified; parsed again below (the DOM parser is reused).
  };
  std::vector<Parsed> functions;
  bool covered = true;
  for (const ToolDefinition& tool : req_.tools) {
    std::string path =
        absl::StrCat(req_.legacy_functions ? "functions[" : "tools[", tool.source_index, "]");
    if (tool.type != "function" && tool.type != "custom") {
      RaiseLazy(kHostedTool, t, [&] { return path; });
      continue;
    }
    if (tool.type == "custom") {
      RaiseLazy(kCustomTool, t, [&] { return path; });
      covered = false;
    }
    if (tool.description.empty()) covered = false;
    Parsed parsed{&tool, std::move(path), {}};
    if (!tool.parameters.empty()) {
      dom::element root;
      const size_t capacity = req_.storage->CapacityFrom(tool.parameters.data());
      if (auto e = SchemaParser()
                       .parse(reinterpret_cast<const uint8_t*>(tool.parameters.data()),
                              tool.parameters.size(), capacity == 0)
                       .get(root)) {
        return absl::InvalidArgumentError(
            absl::StrCat(parsed.path, ".parameters: ", simdjson::error_message(e)));
      }
      if (covered && !CookbookCovers(root)) covered = false;
      parsed.params_json = simdjson::minify(root);
    }
    functions.push_back(std::move(parsed));
  }
  if (functions.empty()) return absl::OkStatus();

  int64_t fixed = 0;
  uint32_t text = 0;
  std::string line;
  if (covered) {
    for (const Parsed& f : functions) {
      fixed += r.func_init;
      line.assign(f.tool->name.data(), f.tool->name.size());
      line += ":";
      const std::string_view desc = StripFinalPeriod(f.tool->description);
      line.append(desc.data(), desc.size());
      if (absl::Status s = Text(line, &text, [&] { return f.path; }); !s.ok()) return s;
      if (f.params_json.empty()) continue;
      dom::element root;
      if (auto e = SchemaParser().parse(f.params_json).get(root)) {
        return absl::InternalError(simdjson::error_message(e));
      }
      dom::object props;
      if (root["properties"].get_object().get(props) != simdjson::SUCCESS || props.size() == 0) {
        continue;
      }
      fixed += r.prop_init;
      for (dom::key_value_pair prop : props) {
        fixed += r.prop_key;
        dom::object p = prop.value.get_object().value_unsafe();
        std::string_view type, pdesc;
        // CookbookCovers() checked both are strings.
        if (p["type"].get_string().get(type) != simdjson::SUCCESS) type = {};
        if (p["description"].get_string().get(pdesc) != simdjson::SUCCESS) pdesc = {};
        dom::array items;
        if (p["enum"].get_array().get(items) == simdjson::SUCCESS) {
          fixed += r.enum_init;
          for (dom::element item : items) {
            fixed += r.enum_item;
            std::string_view v = item.get_string().value_unsafe();
            if (absl::Status s = Text(v, &text, [&] { return f.path; }); !s.ok()) return s;
          }
        }
        pdesc = StripFinalPeriod(pdesc);
        line.assign(prop.key.data(), prop.key.size());
        line += ":";
        line.append(type.data(), type.size());
        line += ":";
        line.append(pdesc.data(), pdesc.size());
        if (absl::Status s = Text(line, &text, [&] { return f.path; }); !s.ok()) return s;
      }
    }
    fixed += r.func_end;
  } else {
    RaiseLazy(kSchemaBeyondRule, t, [&] { return functions.front().path; });
    std::string& out = scratch_;
    out = "namespace functions {\n\n";
    for (const Parsed& f : functions) {
      if (!f.tool->description.empty()) RenderComment(f.tool->description, 0, &out);
      dom::object props;
      bool has_props = false;
      if (!f.params_json.empty()) {
        dom::element root;
        if (auto e = SchemaParser().parse(f.params_json).get(root)) {
          return absl::InternalError(simdjson::error_message(e));
        }
        has_props =
            root["properties"].get_object().get(props) == simdjson::SUCCESS && props.size() > 0;
        if (has_props) {
          out += "type ";
          out.append(f.tool->name.data(), f.tool->name.size());
          out += " = (_: {\n";
          RenderProperties(props, 0, &out);
          out += "}) => any;\n\n";
        }
      }
      if (!has_props) {
        out += "type ";
        out.append(f.tool->name.data(), f.tool->name.size());
        out += f.tool->type == "custom" ? " = (_: string) => any;\n\n" : " = () => any;\n\n";
      }
    }
    out += "} // namespace functions";
    if (absl::Status s = Text(out, &text, [&] { return functions.front().path; }); !s.ok()) {
      return s;
    }
    // The definitions join the first system message (which then ends with a newline) and
    // share its framing.
    const ChatMessage* system = nullptr;
    for (const ChatMessage& m : req_.messages) {
      if (m.role == Role::kSystem || m.role == Role::kDeveloper) {
        system = &m;
        break;
      }
    }
    fixed += kRenderedToolsOverhead;
    if (system != nullptr) {
      fixed -= kRenderedToolsSystemSaving;
      if (system->content_is_string && !system->parts.empty()) {
        const std::string_view content = system->parts[0].text;
        if (!content.empty() && content.back() != '\n') {
          uint32_t before = 0, after = 0;
          line.assign(content.data(), content.size());
          if (absl::Status s = Text(line, &before, [] { return std::string("system"); }); !s.ok()) {
            return s;
          }
          line += "\n";
          if (absl::Status s = Text(line, &after, [] { return std::string("system"); }); !s.ok()) {
            return s;
          }
          fixed += static_cast<int64_t>(after) - before;
        }
      }
    }
  }
  t->text[K(CountKind::kToolDefinitions)] += text;
  t->fixed[K(CountKind::kToolDefinitions)] += static_cast<uint32_t>(fixed < 0 ? 0 : fixed);
  return absl::OkStatus();
}

// ---- Anthropic ---------------------------------------------------------------------------

absl::Status Counter::AnthropicMessage(const ChatMessage& m, bool keep_thinking, Tally* t) {
  const CountKind kind = RoleKind(m.role);
  t->fixed[K(CountKind::kFraming)] +=
      m.section == Section::kSystem ? kAnthropicSystem : kAnthropicPerMessage;
  const bool track = !req_.cache_markers.empty();
  bool block_marked = false;
  for (size_t i = 0; i < m.parts.size(); ++i) {
    const ChatPart& p = m.parts[i];
    const CountKind part_kind = p.in_tool_result ? CountKind::kToolResults : kind;
    switch (p.type) {
      case PartType::kText:
        if (absl::Status s = PartText(m, p, p.text, &t->text[K(part_kind)]); !s.ok()) return s;
        break;
      case PartType::kImage:
        if (absl::Status s = ImageTokens(m, p, t); !s.ok()) return s;
        break;
      case PartType::kToolCall: {
        uint32_t* n = &t->text[K(CountKind::kToolCalls)];
        if (absl::Status s = PartText(m, p, p.name, n); !s.ok()) return s;
        scratch_.clear();
        AppendMinifiedJson(p.text, &scratch_);
        if (absl::Status s = PartText(m, p, scratch_, n); !s.ok()) return s;
        break;
      }
      case PartType::kToolResult:
        if (absl::Status s = PartText(m, p, p.text, &t->text[K(CountKind::kToolResults)]);
            !s.ok()) {
          return s;
        }
        break;
      case PartType::kThinking:
        if (keep_thinking) {
          if (absl::Status s = PartText(m, p, p.text, &t->text[K(CountKind::kAssistant)]);
              !s.ok()) {
            return s;
          }
        } else {
          RaisePart(kThinkingStripped, t, m, p);
        }
        break;
      case PartType::kRedactedThinking:
        if (keep_thinking) {
          RaisePart(kRedactedThinking, t, m, p);
        } else {
          RaisePart(kThinkingStripped, t, m, p);
        }
        break;
      case PartType::kFile:
        RaisePart(kFileUncounted, t, m, p);
        break;
      case PartType::kAudio:
        RaisePart(kAudioUncounted, t, m, p);
        break;
      case PartType::kRefusal:
      case PartType::kReasoning:
      case PartType::kItemReference:
      case PartType::kOpaque:
        RaisePart(kOpaque, t, m, p);
        break;
    }
    // A marker covers its whole block: a tool_result with the content nested in it.
    block_marked |= p.cache_control != CacheTtl::kNone;
    const bool block_ends =
        i + 1 == m.parts.size() || m.parts[i + 1].source_index != p.source_index;
    if (track && block_marked && block_ends) {
      uint64_t text = prefix_text_, fixed = prefix_fixed_;
      for (size_t k = 0; k < kNumCountKinds; ++k) {
        text += t->text[k];
        fixed += t->fixed[k];
      }
      MarkPrefix(m.section, m.section == Section::kSystem ? p.source_index : m.source_index,
                 m.section == Section::kSystem ? 0 : p.source_index, text, fixed);
    }
    if (block_ends) block_marked = false;
  }
  return absl::OkStatus();
}

// Custom tools as their JSON definition; Anthropic-defined client tools at their published
// fixed cost; server tools are not counted.
// TODO: the form in which Anthropic renders tool definitions into its prompt is not
// published; minified JSON of name, description and input_schema is a stand-in whose error
// is unmeasured (the one published example, 403 tokens, is reproduced within 6%).
absl::Status Counter::AnthropicTools(Tally* t) {
  const bool track = !req_.cache_markers.empty();
  if (!req_.tools.empty()) {
    // The hidden tool-use system prompt: once per request with at least one tool. It opens
    // the prompt, ahead of the definitions, so cache prefixes include it.
    const bool forced = req_.tool_choice.mode == ToolChoiceMode::kRequired ||
                        req_.tool_choice.mode == ToolChoiceMode::kNamed;
    t->fixed[K(CountKind::kFraming)] +=
        forced ? anthropic_.tool_prompt_any : anthropic_.tool_prompt_auto;
  }
  for (const ToolDefinition& tool : req_.tools) {
    const std::string path = absl::StrCat("tools[", tool.source_index, "]");
    const std::string_view type = tool.type;
    if (type == "function") {
      scratch_.clear();
      scratch_ += "{\"name\":";
      base::AppendJsonString(tool.name, &scratch_);
      if (!tool.description.empty()) {
        scratch_ += ",\"description\":";
        base::AppendJsonString(tool.description, &scratch_);
      }
      scratch_ += ",\"input_schema\":";
      AppendMinifiedJson(tool.parameters, &scratch_);
      scratch_ += "}";
      if (absl::Status s =
              Text(scratch_, &t->text[K(CountKind::kToolDefinitions)], [&] { return path; });
          !s.ok()) {
        return s;
      }
    } else if (type.substr(0, 5) == "bash_") {
      t->fixed[K(CountKind::kToolDefinitions)] += kAnthropicBashTool;
    } else if (type.substr(0, 12) == "text_editor_") {
      t->fixed[K(CountKind::kToolDefinitions)] += kAnthropicTextEditorTool;
    } else if (type.substr(0, 9) == "computer_") {
      t->fixed[K(CountKind::kToolDefinitions)] += kAnthropicComputerTool;
      RaiseLazy(kComputerUse, t, [&] { return path; });
    } else {
      RaiseLazy(kHostedTool, t, [&] { return path; });
    }
    if (track && tool.cache_control != CacheTtl::kNone) {
      uint64_t text = prefix_text_, fixed = prefix_fixed_;
      for (size_t k = 0; k < kNumCountKinds; ++k) {
        text += t->text[k];
        fixed += t->fixed[k];
      }
      MarkPrefix(Section::kTools, tool.source_index, 0, text, fixed);
    }
  }
  return absl::OkStatus();
}

// ---- Cache keys --------------------------------------------------------------------------

void Counter::Fingerprint(Hasher128* h) const {
  h->AddU64(static_cast<uint64_t>(provider_));
  h->AddU64(static_cast<uint64_t>(req_.format));
  h->Add(enc_->name());
  if (provider_ == Provider::kOpenAI) {
    const OpenAIRules& r = openai_;
    for (int v : {r.per_message, r.per_name, r.reply_priming, r.func_init, r.prop_init, r.prop_key,
                  r.enum_init, r.enum_item, r.func_end}) {
      h->AddU64(static_cast<uint64_t>(static_cast<int64_t>(v)));
    }
    h->AddU64(r.image_base);
    h->AddU64(r.image_tile);
    h->AddU64((r.verified ? 1 : 0) | (r.image_rule_known ? 2 : 0));
  } else {
    h->Add(anthropic_.family);
  }
  h->AddU64(opts_.unknown_image_width);
  h->AddU64(opts_.unknown_image_height);
}

MessageCountCache::Key Counter::MessageKey(const ChatMessage& m, bool keep_thinking) const {
  Hasher128 h;
  Fingerprint(&h);
  h.AddU64(1);  // A message.
  h.AddU64(static_cast<uint64_t>(m.role) | (static_cast<uint64_t>(m.section) << 8) |
           (m.content_is_string ? 1u << 16 : 0) | (keep_thinking ? 1u << 17 : 0));
  h.Add(m.name);
  for (const ChatPart& p : m.parts) {
    h.AddU64(static_cast<uint64_t>(p.type) | (static_cast<uint64_t>(p.source) << 8) |
             (static_cast<uint64_t>(p.detail) << 16) | (p.in_tool_result ? 1u << 24 : 0));
    h.Add(p.text);
    h.Add(p.name);
    h.Add(p.media_type);
    if (p.data.size() <= 2 * kImageHashSpan) {
      h.Add(p.data);
    } else {
      h.AddU64(p.data.size());
      h.Add(p.data.substr(0, kImageHashSpan));
      h.Add(p.data.substr(p.data.size() - kImageHashSpan));
    }
  }
  return {h.lo(), h.hi()};
}

MessageCountCache::Key Counter::ToolsKey() const {
  Hasher128 h;
  Fingerprint(&h);
  h.AddU64(2);  // The tool list.
  h.AddU64(static_cast<uint64_t>(req_.tool_choice.mode) | (req_.legacy_functions ? 256 : 0));
  for (const ToolDefinition& tool : req_.tools) {
    h.Add(tool.type);
    h.Add(tool.name);
    h.Add(tool.description);
    h.Add(tool.parameters);
  }
  // Rendered OpenAI definitions join the first system message (see OpenAITools).
  for (const ChatMessage& m : req_.messages) {
    if (m.role == Role::kSystem || m.role == Role::kDeveloper) {
      h.AddU64(m.content_is_string ? 2 : 1);
      if (m.content_is_string && !m.parts.empty()) h.Add(m.parts[0].text);
      break;
    }
  }
  return {h.lo(), h.hi()};
}

// ---- The whole request -------------------------------------------------------------------

absl::Status Counter::Run() {
  std::string_view model = opts_.model.empty() ? req_.model : std::string_view(opts_.model);
  if (model.empty()) {
    return absl::InvalidArgumentError(
        "no model: the request has no \"model\" field and none was given");
  }
  if (chat_internal::IsClaudeModel(model)) {
    absl::StatusOr<AnthropicRules> rules = chat_internal::AnthropicRulesFor(model);
    if (!rules.ok()) return rules.status();
    anthropic_ = *rules;
    provider_ = Provider::kAnthropic;
    out_->encoding = "o200k_base";
    double factor = opts_.anthropic_text_factor;
    if (factor == 0) {
      // Unset: the registry's estimate for this model, as every other count of it uses.
      factor = 1.0;
      const ModelRegistry& registry = ModelRegistry::Default();
      absl::StatusOr<ModelEntry> entry = registry.Find(model);
      constexpr std::string_view kEstimate = "estimate:";
      if (entry.ok() && base::StartsWith(entry->tokenizer, kEstimate)) {
        const EstimateProfile* profile =
            registry.FindEstimate(std::string_view(entry->tokenizer).substr(kEstimate.size()));
        if (profile != nullptr) factor = profile->factor;
      }
    }
    // Bounded so that no count can overflow, whatever the caller passes.
    if (!(factor > 0) || !std::isfinite(factor) || factor > 100) {
      return absl::InvalidArgumentError("anthropic_text_factor must be a number in (0, 100]");
    }
    factor_ = factor;
  } else {
    absl::StatusOr<OpenAIRules> rules = chat_internal::OpenAIRulesFor(model);
    if (!rules.ok()) return rules.status();
    openai_ = *rules;
    provider_ = Provider::kOpenAI;
    out_->encoding = openai_.encoding;
  }
  absl::StatusOr<std::shared_ptr<const Encoding>> enc = Encoding::Get(out_->encoding);
  if (!enc.ok()) return enc.status();
  enc_ = *enc;
  out_->model = std::string(model);
  out_->provider = provider_;
  out_->label = CountLabel::kExact;
  out_->cache_prefix_tokens.assign(req_.cache_markers.size(), 0);
  out_->message_tokens.reserve(req_.messages.size());
  out_->message_by_kind.reserve(req_.messages.size());

  const bool openai = provider_ == Provider::kOpenAI;
  if (!openai) Record(kAnthropicTokenizer, "");
  if (openai && !openai_.verified) Record(kModelNotVerified, "");
  if (req_.format == ChatFormat::kOpenAIResponses) Record(kResponsesItems, "");
  MessageCountCache* cache = opts_.cache;

  // Tools come first in the prompt prefix (Anthropic caches tools, then system, then
  // messages).
  if (!req_.tools.empty()) {
    Tally tools;
    const bool tools_markers = !openai && !req_.cache_markers.empty();
    MessageCountCache::Key key;
    if (cache != nullptr && !tools_markers) key = ToolsKey();
    if (cache != nullptr && !tools_markers && cache->Lookup(key, &tools)) {
      Replay(tools, "tools");
    } else {
      absl::Status s = openai ? OpenAITools(&tools) : AnthropicTools(&tools);
      if (!s.ok()) return s;
      if (cache != nullptr && !tools_markers) cache->Insert(key, tools);
    }
    Accumulate(tools);
  }

  // For models that keep only the last assistant turn's thinking.
  size_t last_assistant = req_.messages.size();
  for (size_t i = req_.messages.size(); i-- > 0;) {
    if (req_.messages[i].role == Role::kAssistant) {
      last_assistant = i;
      break;
    }
  }
  for (size_t i = 0; i < req_.messages.size(); ++i) {
    const ChatMessage& m = req_.messages[i];
    const bool keep_thinking = !openai && (anthropic_.keeps_all_thinking || i == last_assistant);
    bool has_marker = false;
    if (!openai && !req_.cache_markers.empty()) {
      for (const ChatPart& p : m.parts) has_marker |= p.cache_control != CacheTtl::kNone;
    }
    Tally tally;
    MessageCountCache::Key key;
    const bool use_cache = cache != nullptr && !has_marker;
    if (use_cache) key = MessageKey(m, keep_thinking);
    if (use_cache && cache->Lookup(key, &tally)) {
      Replay(tally, SectionPath(req_, m));
    } else {
      absl::Status s =
          openai ? OpenAIMessage(m, &tally) : AnthropicMessage(m, keep_thinking, &tally);
      if (!s.ok()) return s;
      if (use_cache) cache->Insert(key, tally);
    }
    Accumulate(tally);
    out_->message_tokens.push_back(MessageTotal(tally));
    std::array<uint64_t, kNumCountKinds>& by_kind = out_->message_by_kind.emplace_back();
    for (size_t k = 0; k < kNumCountKinds; ++k) by_kind[k] = Scale(tally.text[k]) + tally.fixed[k];
  }

  // Every reply is primed with "<|start|>assistant<|message|>".
  const uint32_t priming = openai ? openai_.reply_priming : kAnthropicPriming;
  fixed_[K(CountKind::kFraming)] += priming;
  out_->reply_priming = priming;

  out_->total = 0;
  for (size_t k = 0; k < kNumCountKinds; ++k) {
    out_->by_kind[k] = Scale(text_[k]) + fixed_[k];
    out_->total += out_->by_kind[k];
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ChatCount> CountChatTokens(const ChatRequest& request,
                                          const ChatCountOptions& options) {
  if (request.storage == nullptr) {
    return absl::InvalidArgumentError("the ChatRequest was not made by ParseChatRequest");
  }
  ChatCount out;
  Counter counter(request, options, &out);
  if (absl::Status s = counter.Run(); !s.ok()) return s;
  return out;
}

absl::StatusOr<ChatCount> CountChatTokens(std::string_view json, const ChatCountOptions& options,
                                          ChatFormat format) {
  absl::StatusOr<ChatRequest> req = ParseChatRequest(json, format);
  if (!req.ok()) return req.status();
  return CountChatTokens(*req, options);
}

}  // namespace tokwise
