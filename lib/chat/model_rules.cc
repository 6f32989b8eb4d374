#include "chat/model_rules.h"

#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "tokwise/encoding.h"

namespace tokwise::chat_internal {
namespace {

using base::StartsWith;

// "openai/gpt-4o" -> "gpt-4o"; "ft:gpt-4o-mini-2024-07-18:org::id" -> "gpt-4o-mini-2024-07-18".
std::string_view OpenAIBaseName(std::string_view m) {
  if (size_t slash = m.rfind('/'); slash != std::string_view::npos) m.remove_prefix(slash + 1);
  if (StartsWith(m, "ft:")) {
    m.remove_prefix(3);
    m = m.substr(0, m.find(':'));
  }
  return m;
}

// "us.anthropic.claude-3-5-sonnet-20241022-v2:0" -> "claude-3-5-sonnet-20241022-v2:0".
std::string_view ClaudeBaseName(std::string_view m) {
  if (size_t slash = m.rfind('/'); slash != std::string_view::npos) m.remove_prefix(slash + 1);
  if (size_t at = m.find("claude"); at != std::string_view::npos) m.remove_prefix(at);
  return m;
}

bool PrefixAtBoundary(std::string_view name, std::string_view prefix) {
  if (!StartsWith(name, prefix)) return false;
  if (name.size() == prefix.size()) return true;
  const char next = name[prefix.size()];
  return next == '-' || next == '@' || next == ':' || next == '.';
}

struct AnthropicRow {
  const char* prefix;
  uint32_t tool_auto;
  uint32_t tool_any;
  bool keeps_all_thinking;
};

// The hidden tool-use system prompt, from Anthropic's tool use overview ("Tool use system
// prompt token count"), platform.claude.com/docs/en/agents-and-tools/tool-use/overview, as
// published on 2026-07-13. Rows the current page no longer lists (retired models) keep the
// values of the page's earlier versions (docs.anthropic.com .../tool-use, 2024-2025).
// Earlier versions of the page gave 346 / 313 for every Claude 4.x model; the current one
// gives the per-model values below.
//
// Thinking retention, from Anthropic's extended thinking guide: Claude Opus 4.5 and later
// Opus models and Claude Sonnet 4.6 and later Sonnet models keep all prior thinking blocks;
// Opus 4.1 and earlier, Sonnet 4.5 and earlier and all Haiku models through Haiku 4.5 keep
// only the last assistant turn's thinking.
//
// Longer prefixes first: "claude-opus-4-1" must win over "claude-opus-4".
constexpr AnthropicRow kAnthropicRows[] = {
    {"claude-opus-4-8", 290, 410, true},    {"claude-opus-4-7", 675, 804, true},
    {"claude-opus-4-6", 497, 589, true},    {"claude-opus-4-5", 496, 588, true},
    {"claude-opus-4-1", 313, 315, false},   {"claude-opus-4", 313, 315, false},
    {"claude-sonnet-5", 354, 474, true},    {"claude-sonnet-4-6", 497, 589, true},
    {"claude-sonnet-4-5", 496, 588, false}, {"claude-sonnet-4", 313, 315, false},
    {"claude-haiku-4-5", 496, 588, false},  {"claude-3-7-sonnet", 346, 313, false},
    {"claude-3-5-haiku", 264, 355, false},  {"claude-3-opus", 530, 281, false},
    {"claude-3-sonnet", 159, 235, false},   {"claude-3-haiku", 264, 340, false},
};

}  // namespace

absl::StatusOr<OpenAIRules> OpenAIRulesFor(std::string_view model) {
  absl::StatusOr<std::string> encoding = EncodingNameForModel(model);
  if (!encoding.ok()) {
    return absl::NotFoundError(absl::StrCat("unknown model '", std::string(model), "'"));
  }
  if (*encoding != "o200k_base" && *encoding != "cl100k_base" && *encoding != "o200k_harmony") {
    return absl::InvalidArgumentError(
        absl::StrCat("model '", std::string(model), "' uses ", *encoding,
                     ", which is not a chat model encoding built into tokwise"));
  }
  OpenAIRules r;
  r.model = std::string(model);
  r.encoding = *encoding;
  const std::string_view m = OpenAIBaseName(model);

  if (StartsWith(m, "gpt-3.5-turbo-0301") || StartsWith(m, "gpt-35-turbo-0301")) {
    // "every message follows <|start|>{role/name}\n{content}<|end|>\n"; a name replaces the
    // role (the notebook's earlier version, verified on that snapshot).
    r.per_message = 4;
    r.per_name = -1;
  }
  // The cookbook sets function start 10 for gpt-3.5-turbo and gpt-4 (cl100k_base), 7 for the
  // gpt-4o family (o200k_base).
  r.func_init = r.encoding == "cl100k_base" ? 10 : 7;

  // The cookbook maps every gpt-3.5-turbo / gpt-4 / gpt-4o(-mini) name to one verified
  // snapshot. Its gpt-4 rule also reproduces, to the token, the API-reported prompt totals of
  // two SWE-agent runs on gpt-4-1106-preview (tests/chat_trace_test.cc), so gpt-4 turbo
  // snapshots count as verified too.
  r.verified = StartsWith(m, "gpt-3.5-turbo") || StartsWith(m, "gpt-35-turbo") || m == "gpt-4" ||
               StartsWith(m, "gpt-4-") || StartsWith(m, "gpt-4o") || StartsWith(m, "chatgpt-4o");

  // Image tile constants from OpenAI's vision guide ("Calculating costs").
  if (StartsWith(m, "gpt-4o-mini")) {
    r.image_base = 2833;
    r.image_tile = 5667;
    r.image_rule_known = true;
  } else if (StartsWith(m, "gpt-4o") || StartsWith(m, "chatgpt-4o") ||
             StartsWith(m, "gpt-4-turbo") || StartsWith(m, "gpt-4-vision") ||
             StartsWith(m, "gpt-4.5") ||
             (StartsWith(m, "gpt-4.1") && !StartsWith(m, "gpt-4.1-mini") &&
              !StartsWith(m, "gpt-4.1-nano"))) {
    r.image_rule_known = true;
  }
  // TODO: gpt-4.1-mini / nano, o4-mini and later models bill images by 32-px patches with a
  // per-model multiplier, and o-series / gpt-5 models use other tile constants; tokwise
  // applies the 85 + 170 tile rule to them and labels the count an estimate, which can be off
  // by a factor of two for those models' images.
  return r;
}

bool IsClaudeModel(std::string_view model) { return StartsWith(ClaudeBaseName(model), "claude"); }

absl::StatusOr<AnthropicRules> AnthropicRulesFor(std::string_view model) {
  const std::string_view m = ClaudeBaseName(model);
  AnthropicRules r;
  r.model = std::string(model);
  if (PrefixAtBoundary(m, "claude-3-5-sonnet")) {
    // June 2024 (claude-3-5-sonnet-20240620) and October 2024 ("v2", 20241022) differ.
    const bool october = m.find("20241022") != std::string_view::npos ||
                         m.find("v2") != std::string_view::npos ||
                         m.find("latest") != std::string_view::npos;
    r.family = october ? "claude-3-5-sonnet-20241022" : "claude-3-5-sonnet-20240620";
    r.tool_prompt_auto = october ? 346 : 294;
    r.tool_prompt_any = october ? 313 : 261;
    return r;
  }
  for (const AnthropicRow& row : kAnthropicRows) {
    if (PrefixAtBoundary(m, row.prefix)) {
      r.family = row.prefix;
      r.tool_prompt_auto = row.tool_auto;
      r.tool_prompt_any = row.tool_any;
      r.keeps_all_thinking = row.keeps_all_thinking;
      return r;
    }
  }
  return absl::NotFoundError(
      absl::StrCat("unknown Anthropic model '", std::string(model),
                   "' (tokwise knows Claude 3, 3.5, 3.7, 4, 4.1, 4.5-4.8 and Sonnet 5)"));
}

}  // namespace tokwise::chat_internal
