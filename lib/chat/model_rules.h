// Per-model counting rules: which constants apply to which model, and where they come from.
#ifndef TOKWISE_LIB_CHAT_MODEL_RULES_H_
#define TOKWISE_LIB_CHAT_MODEL_RULES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace tokwise::chat_internal {

struct OpenAIRules {
  std::string model;     // As given.
  std::string encoding;  // o200k_base, cl100k_base, o200k_harmony.
  // Chat framing (cookbook "How to count tokens with tiktoken").
  int per_message = 3;  // Plus the tokens of the role.
  int per_name = 1;     // Plus the tokens of the name.
  int reply_priming = 3;
  // Function tools (same notebook, "Counting tokens for chat completions with tool calls").
  int func_init = 7;
  int prop_init = 3;
  int prop_key = 3;
  int enum_init = -3;
  int enum_item = 3;
  int func_end = 12;
  // Images (tile rule).
  uint32_t image_base = 85;
  uint32_t image_tile = 170;
  // The model belongs to a family the cookbook verified against the API (gpt-3.5-turbo,
  // gpt-4, gpt-4o, gpt-4o-mini); other models reuse the rule and are labelled calibrated.
  bool verified = false;
  // The image constants above are documented for this model.
  bool image_rule_known = false;
};

// NotFound for a model EncodingNameForModel() does not know; InvalidArgument for a model
// whose encoding is not a chat encoding tokwise has built in (p50k_base, r50k_base).
absl::StatusOr<OpenAIRules> OpenAIRulesFor(std::string_view model);

struct AnthropicRules {
  std::string model;   // As given.
  std::string family;  // The row of the table that matched, e.g. "claude-opus-4-1".
  // Hidden tool-use system prompt, added once when at least one tool is given.
  uint32_t tool_prompt_auto = 0;  // tool_choice auto or none.
  uint32_t tool_prompt_any = 0;   // tool_choice any or tool.
  // Whether thinking blocks of earlier assistant turns stay in the prompt (Opus 4.5+,
  // Sonnet 4.6+); otherwise only the last assistant turn's thinking is kept.
  bool keeps_all_thinking = false;
};

// True for names that denote a Claude model ("claude-...", "anthropic/claude-...",
// "anthropic.claude-...", "us.anthropic.claude-...").
bool IsClaudeModel(std::string_view model);

// NotFound for a Claude model outside the table (Claude 2 and earlier, or newer than it).
absl::StatusOr<AnthropicRules> AnthropicRulesFor(std::string_view model);

}  // namespace tokwise::chat_internal

#endif  // TOKWISE_LIB_CHAT_MODEL_RULES_H_
