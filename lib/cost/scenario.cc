// Scenario builders and the presets that reproduce the reference examples.
#include "tokwise/scenario.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tokwise {
namespace {

constexpr ItemFlags kPinned{/*pinned=*/true};

void AddIf(Scenario* s, TokenKind kind, uint32_t tokens, ItemFlags flags = {}) {
  if (tokens > 0) s->AddInput(kind, tokens, flags);
}

void AddOutputIf(Scenario* s, TokenKind kind, uint32_t tokens) {
  if (tokens > 0) s->AddOutput(kind, tokens);
}

// An agent loop as a new sequence, with `task` as its (pinned) user input.
void AppendLoop(const AgentLoopSpec& a, uint32_t task, Scenario* s) {
  s->BeginSequence(a.name);
  auto results = [s](const AgentStep& st) {
    AddIf(s, TokenKind::kToolResult, st.tool_result);
    AddIf(s, TokenKind::kRetrieved, st.retrieved);
  };
  auto outputs = [s](const AgentStep& st) {
    AddOutputIf(s, TokenKind::kToolCall, st.tool_call);
    AddOutputIf(s, TokenKind::kAssistant, st.output);
  };
  const bool same_step = a.timing == ResultTiming::kSameStep;

  s->BeginCall(0);
  AddIf(s, TokenKind::kSystem, a.system, kPinned);
  AddIf(s, TokenKind::kToolDefinitions, a.tool_definitions, kPinned);
  AddIf(s, TokenKind::kUser, task, kPinned);
  for (size_t k = 0; k < a.steps.size(); ++k) {
    if (k > 0) s->BeginCall(a.gap_ms);
    if (same_step) {
      results(a.steps[k]);
    } else if (k > 0) {
      results(a.steps[k - 1]);
    }
    outputs(a.steps[k]);
  }
  // Billed layout: a result left after the last step is read by one more call.
  if (!same_step && !a.steps.empty()) {
    const AgentStep& last = a.steps.back();
    if (last.tool_result > 0 || last.retrieved > 0) {
      s->BeginCall(a.gap_ms);
      results(last);
    }
  }
}

}  // namespace

std::vector<AgentStep> AgentLoopSpec::Uniform(uint32_t n, AgentStep step, uint32_t final_output) {
  std::vector<AgentStep> steps;
  if (n == 0) return steps;
  steps.assign(n - 1, step);
  AgentStep last;
  last.output = final_output;
  steps.push_back(last);
  return steps;
}

Scenario BuildSingleCall(const SingleCallSpec& spec, std::string name) {
  Scenario s(std::move(name));
  s.BeginSequence("call");
  s.BeginCall(0);
  AddIf(&s, TokenKind::kSystem, spec.system, kPinned);
  AddIf(&s, TokenKind::kToolDefinitions, spec.tool_definitions, kPinned);
  AddIf(&s, TokenKind::kUser, spec.user, kPinned);
  AddOutputIf(&s, TokenKind::kAssistant, spec.output);
  return s;
}

Scenario BuildRag(const RagSpec& spec, std::string name) {
  Scenario s(std::move(name));
  s.BeginSequence("call");
  s.BeginCall(0);
  AddIf(&s, TokenKind::kSystem, spec.system, kPinned);
  AddIf(&s, TokenKind::kToolDefinitions, spec.tool_definitions, kPinned);
  AddIf(&s, TokenKind::kUser, spec.user, kPinned);
  // The chunks travel inside the user message: no message framing of their own.
  ItemFlags in_message;
  in_message.same_message = spec.user > 0;
  for (uint32_t c : spec.chunks) AddIf(&s, TokenKind::kRetrieved, c, in_message);
  AddOutputIf(&s, TokenKind::kAssistant, spec.output);
  return s;
}

Scenario BuildAgentLoop(const AgentLoopSpec& spec) {
  Scenario s(spec.name);
  AppendLoop(spec, spec.user, &s);
  return s;
}

void AppendAgentLoop(const AgentLoopSpec& spec, Scenario* scenario) {
  AppendLoop(spec, spec.user, scenario);
}

Scenario BuildMultiAgent(const MultiAgentSpec& spec, std::string name) {
  Scenario s(std::move(name));
  // The orchestrator: one step per agent (delegate, then read the agent's answer), then its
  // own answer.
  AgentLoopSpec orch;
  orch.name = "orchestrator";
  orch.system = spec.system;
  orch.tool_definitions = spec.tool_definitions;
  orch.user = spec.user;
  orch.timing = spec.timing;
  orch.gap_ms = spec.gap_ms;
  for (const SubAgentSpec& a : spec.agents) {
    AgentStep st;
    st.tool_call = a.delegation;
    st.tool_result = a.loop.steps.empty() ? 0 : a.loop.steps.back().output;
    orch.steps.push_back(st);
  }
  AgentStep last;
  last.output = spec.final_output;
  orch.steps.push_back(last);
  AppendLoop(orch, orch.user, &s);
  for (const SubAgentSpec& a : spec.agents) AppendLoop(a.loop, a.delegation, &s);
  return s;
}

Scenario BuildConversation(const ConversationSpec& spec, std::string name) {
  Scenario s(std::move(name));
  s.BeginSequence("conversation");
  for (size_t k = 0; k < spec.turns.size(); ++k) {
    s.BeginCall(k == 0 ? 0 : spec.gap_ms);
    if (k == 0) {
      AddIf(&s, TokenKind::kSystem, spec.system, kPinned);
      AddIf(&s, TokenKind::kToolDefinitions, spec.tool_definitions, kPinned);
    }
    AddIf(&s, TokenKind::kUser, spec.turns[k].user);
    AddOutputIf(&s, TokenKind::kAssistant, spec.turns[k].output);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Presets
// ---------------------------------------------------------------------------------------------

SingleCallSpec ReferenceSingleCall() {
  SingleCallSpec s;
  s.system = 200;
  s.user = 50;
  s.output = 300;
  return s;
}

RagSpec ReferenceRag() {
  RagSpec r;
  r.system = 200;
  r.user = 50;
  r.chunks = {800, 1100, 900};
  r.output = 400;
  return r;
}

AgentLoopSpec ReferenceResearchAgent() {
  // The article's step list: three tool exchanges (call + result), a 1,200-token draft and a
  // 1,500-token final answer. Its step sizes 550, 1,200, 2,100, 3,300, 4,800 are contexts
  // after each step, hence the kSameStep layout.
  AgentLoopSpec a;
  a.name = "research-agent";
  a.system = 200;
  a.user = 21;
  a.steps = {{18, 311, 0, 0}, {23, 627, 0, 0}, {30, 870, 0, 0}, {0, 0, 0, 1200}, {0, 0, 0, 1500}};
  a.timing = ResultTiming::kSameStep;
  return a;
}

MultiAgentSpec ReferenceMultiAgent() {
  // The article gives only per-agent totals (orchestrator about 4,500, research 9,000,
  // analysis 12,500, writing 9,500). These step sizes are ours, chosen so that the model
  // produces exactly those totals in the article's layout (kSameStep), with sizes like the
  // research-agent example:
  // - every sub-agent: a 200-token system prompt; its task is the orchestrator's 100-token
  //   delegation; tool calls of 50 tokens;
  // - research: results of 600, 900, 1,000, then a 250-token answer
  //   (contexts 950 + 1,900 + 2,950 + 3,200 = 9,000);
  // - analysis: results of 600, 700, 900, 800, then a 200-token answer
  //   (950 + 1,700 + 2,650 + 3,500 + 3,700 = 12,500);
  // - writing: an 850-token result (the notes), a 1,200-token draft, a 300-token review
  //   result, then a 400-token answer (1,200 + 2,400 + 2,750 + 3,150 = 9,500);
  // - orchestrator: system 200 + user 50; per agent a 100-token delegation and the agent's
  //   answer read back (250, 200, 400); a 200-token final answer
  //   (600 + 900 + 1,400 + 1,600 = 4,500).
  auto agent = [](std::string name, std::vector<AgentStep> steps) {
    SubAgentSpec s;
    s.delegation = 100;
    s.loop.name = std::move(name);
    s.loop.system = 200;
    s.loop.steps = std::move(steps);
    s.loop.timing = ResultTiming::kSameStep;
    return s;
  };
  MultiAgentSpec m;
  m.system = 200;
  m.user = 50;
  m.final_output = 200;
  m.timing = ResultTiming::kSameStep;
  m.agents.push_back(
      agent("research", {{50, 600, 0, 0}, {50, 900, 0, 0}, {50, 1000, 0, 0}, {0, 0, 0, 250}}));
  m.agents.push_back(
      agent("analysis",
            {{50, 600, 0, 0}, {50, 700, 0, 0}, {50, 900, 0, 0}, {50, 800, 0, 0}, {0, 0, 0, 200}}));
  m.agents.push_back(
      agent("writing", {{50, 850, 0, 0}, {0, 0, 0, 1200}, {50, 300, 0, 0}, {0, 0, 0, 400}}));
  return m;
}

ConversationSpec ReferenceConversation() {
  // 20 turns, each the single call's exchange (user 50, reply 300) under a 200-token system
  // prompt.
  ConversationSpec c;
  c.system = 200;
  c.turns = ConversationSpec::Uniform(20, 50, 300);
  return c;
}

namespace {

constexpr uint64_t kReferenceDirectAnswer = 550;  // The single call: 200 + 50 + 300.

Scenario Finish(Scenario s, std::string_view name, std::string_view description) {
  s.set_name(std::string(name));
  s.set_description(std::string(description));
  s.set_direct_answer_tokens(kReferenceDirectAnswer);
  return s;
}

// Made on first use (no static-initialization order to worry about).
const std::vector<PresetInfo>& PresetList() {
  static const std::vector<PresetInfo>* kList = new std::vector<PresetInfo>{
      {"single-call", "one call: system 200 + user 50 + output 300 = 550 tokens"},
      {"rag", "single call plus retrieved chunks of 800, 1,100 and 900 tokens, output 400"},
      {"research-agent",
       "the article's 5-step research agent, steps as the article counts them (11,950 tokens)"},
      {"research-agent-billed",
       "the same agent as a provider bills it: each tool result is read by the next call"},
      {"agent-loop-10", "10 steps, each adding as much as the whole first call (550 tokens)"},
      {"multi-agent", "orchestrator + research, analysis and writing agents (35,500 tokens)"},
      {"conversation-20", "20 turns of the single call's exchange under one system prompt"},
      {"system-prompt-tax", "a 500-token system prompt re-sent with each of 50 messages"},
  };
  return *kList;
}

Scenario MakePreset(size_t index) {
  const std::string_view name = PresetList()[index].name;
  const std::string_view summary = PresetList()[index].summary;
  switch (index) {
    case 0:
      return Finish(BuildSingleCall(ReferenceSingleCall()), name, summary);
    case 1:
      return Finish(BuildRag(ReferenceRag()), name, summary);
    case 2:
      return Finish(BuildAgentLoop(ReferenceResearchAgent()), name, summary);
    case 3: {
      AgentLoopSpec a = ReferenceResearchAgent();
      a.timing = ResultTiming::kNextCall;
      return Finish(BuildAgentLoop(a), name, summary);
    }
    case 4: {
      // Step 1 is the single call itself (system 200 + user 50 -> 300); every later step adds
      // a 250-token tool result and a 300-token reply: 550 tokens, so step k holds k * 550.
      AgentLoopSpec a;
      a.system = 200;
      a.user = 50;
      a.timing = ResultTiming::kSameStep;
      a.steps.push_back(AgentStep{0, 0, 0, 300});
      for (int k = 1; k < 10; ++k) a.steps.push_back(AgentStep{0, 250, 0, 300});
      return Finish(BuildAgentLoop(a), name, summary);
    }
    case 5:
      return Finish(BuildMultiAgent(ReferenceMultiAgent()), name, summary);
    case 6:
      return Finish(BuildConversation(ReferenceConversation()), name, summary);
    case 7: {
      ConversationSpec c;
      c.system = 500;
      c.turns = ConversationSpec::Uniform(50, 50, 300);
      return Finish(BuildConversation(c), name, summary);
    }
  }
  return Scenario();
}

}  // namespace

const std::vector<PresetInfo>& Presets() { return PresetList(); }

absl::StatusOr<Scenario> BuildPreset(std::string_view name) {
  for (size_t i = 0; i < PresetList().size(); ++i) {
    if (PresetList()[i].name == name) return MakePreset(i);
  }
  std::string known;
  for (const PresetInfo& p : PresetList())
    absl::StrAppend(&known, known.empty() ? "" : ", ", std::string(p.name));
  return absl::NotFoundError(
      absl::StrCat("unknown preset \"", std::string(name), "\"; known presets: ", known));
}

const std::vector<std::string_view>& LevelPresets() {
  static const std::vector<std::string_view> kLevels = {"single-call", "rag", "research-agent",
                                                        "multi-agent", "conversation-20"};
  return kLevels;
}

}  // namespace tokwise
