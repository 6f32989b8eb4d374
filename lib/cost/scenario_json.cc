// Scenario specs in JSON (simdjson DOM). Every error names the JSON path of the value at fault.
#include <cmath>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/json_depth.h"
#include "simdjson.h"
#include "tokwise/scenario.h"

namespace tokwise {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Bounds that keep a hostile spec from exhausting memory or time: evaluation is quadratic in
// the calls of a sequence, so 10,000 calls is already ~10^8 item visits.
constexpr uint64_t kMaxTokens = (uint64_t{1} << 31) - 1;
constexpr uint64_t kMaxCount = 10'000;
constexpr uint64_t kMaxTotalCalls = 100'000;
constexpr uint64_t kMaxTotalItems = 1'000'000;
constexpr double kMaxSeconds = 1e9;

absl::Status Err(const std::string& path, std::string_view msg) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", std::string(msg)));
}

std::string Child(const std::string& path, std::string_view key) {
  bool plain = !key.empty();
  for (char c : key) {
    plain &= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  if (plain) return absl::StrCat(path, ".", std::string(key));
  std::string quoted;
  for (char c : key) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) {
      quoted += "?";
    } else {
      quoted.push_back(c);
    }
  }
  return absl::StrCat(path, "[\"", quoted, "\"]");
}

std::string Index(const std::string& path, size_t i) { return absl::StrCat(path, "[", i, "]"); }

// Rejects unknown and duplicate keys. `what` qualifies the message ("for type \"rag\"").
absl::Status CheckKeys(const object& o, const std::string& path,
                       const std::vector<std::string_view>& allowed, std::string_view what = "") {
  std::vector<std::string_view> seen;
  for (auto field : o) {
    const std::string_view key = field.key;
    bool known = false;
    for (std::string_view a : allowed) known |= a == key;
    if (!known) {
      std::string list;
      for (std::string_view a : allowed) {
        absl::StrAppend(&list, list.empty() ? "" : ", ", std::string(a));
      }
      return Err(Child(path, key), absl::StrCat("unknown key", what.empty() ? "" : " ",
                                                std::string(what), "; expected one of: ", list));
    }
    for (std::string_view s : seen) {
      if (s == key) return Err(Child(path, key), "duplicate key");
    }
    seen.push_back(key);
  }
  return absl::OkStatus();
}

bool Has(const object& o, std::string_view key) {
  element e;
  return o.at_key(key).get(e) == simdjson::SUCCESS;
}

absl::Status ObjectOf(const element& e, const std::string& path, object* out) {
  if (e.get_object().get(*out) != simdjson::SUCCESS) return Err(path, "expected an object");
  return absl::OkStatus();
}

absl::Status ArrayOf(const element& e, const std::string& path, array* out) {
  if (e.get_array().get(*out) != simdjson::SUCCESS) return Err(path, "expected an array");
  if (out->size() > kMaxCount) {
    return Err(path, absl::StrCat("too many entries (at most ", kMaxCount, ")"));
  }
  return absl::OkStatus();
}

absl::Status IntegerOf(const element& e, const std::string& path, uint64_t max, uint64_t* out) {
  const std::string want = absl::StrCat("expected a non-negative integer no greater than ", max);
  if (e.type() == element_type::INT64) {
    int64_t v = 0;
    if (e.get_int64().get(v) != simdjson::SUCCESS || v < 0 || static_cast<uint64_t>(v) > max)
      return Err(path, want);
    *out = static_cast<uint64_t>(v);
    return absl::OkStatus();
  }
  if (e.type() == element_type::UINT64) {
    uint64_t v = 0;
    if (e.get_uint64().get(v) != simdjson::SUCCESS || v > max) return Err(path, want);
    *out = v;
    return absl::OkStatus();
  }
  return Err(path, want);
}

// Reads optional integer fields; absent keys leave *out unchanged.
absl::Status Tokens(const object& o, std::string_view key, const std::string& path, uint32_t* out) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return absl::OkStatus();
  uint64_t v = 0;
  if (absl::Status st = IntegerOf(e, Child(path, key), kMaxTokens, &v); !st.ok()) return st;
  *out = static_cast<uint32_t>(v);
  return absl::OkStatus();
}

absl::Status Count(const object& o, std::string_view key, const std::string& path, uint64_t max,
                   uint64_t* out) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return absl::OkStatus();
  return IntegerOf(e, Child(path, key), max, out);
}

absl::Status Seconds(const object& o, std::string_view key, const std::string& path, int64_t* ms) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return absl::OkStatus();
  double v = -1;
  if (e.get_double().get(v) != simdjson::SUCCESS || !std::isfinite(v) || v < 0 || v > kMaxSeconds) {
    return Err(Child(path, key), "expected a non-negative number of seconds (at most 1e9)");
  }
  *ms = static_cast<int64_t>(std::llround(v * 1000.0));
  return absl::OkStatus();
}

absl::Status String(const object& o, std::string_view key, const std::string& path,
                    std::string* out) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return absl::OkStatus();
  std::string_view v;
  if (e.get_string().get(v) != simdjson::SUCCESS) return Err(Child(path, key), "expected a string");
  *out = std::string(v);
  return absl::OkStatus();
}

absl::Status Bool(const object& o, std::string_view key, const std::string& path, bool* out) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return absl::OkStatus();
  if (e.get_bool().get(*out) != simdjson::SUCCESS)
    return Err(Child(path, key), "expected true or false");
  return absl::OkStatus();
}

#define TW_RETURN_IF_ERROR(expr)                \
  do {                                          \
    if (absl::Status _st = (expr); !_st.ok()) { \
      return _st;                               \
    }                                           \
  } while (0)

absl::Status Timing(const object& o, const std::string& path, ResultTiming* out) {
  std::string t;
  TW_RETURN_IF_ERROR(String(o, "result_timing", path, &t));
  if (t.empty()) return absl::OkStatus();
  if (t == "next_call") {
    *out = ResultTiming::kNextCall;
  } else if (t == "same_step") {
    *out = ResultTiming::kSameStep;
  } else {
    return Err(Child(path, "result_timing"), "expected \"next_call\" or \"same_step\"");
  }
  return absl::OkStatus();
}

absl::Status Step(const element& e, const std::string& path, AgentStep* st) {
  object o;
  TW_RETURN_IF_ERROR(ObjectOf(e, path, &o));
  TW_RETURN_IF_ERROR(CheckKeys(o, path, {"tool_call", "tool_result", "retrieved", "output"}));
  TW_RETURN_IF_ERROR(Tokens(o, "tool_call", path, &st->tool_call));
  TW_RETURN_IF_ERROR(Tokens(o, "tool_result", path, &st->tool_result));
  TW_RETURN_IF_ERROR(Tokens(o, "retrieved", path, &st->retrieved));
  TW_RETURN_IF_ERROR(Tokens(o, "output", path, &st->output));
  return absl::OkStatus();
}

// "steps": [...] or "n_steps" + "step" + "final_output".
absl::Status Steps(const object& o, const std::string& path, std::vector<AgentStep>* steps) {
  const bool list = Has(o, "steps");
  const bool uniform = Has(o, "n_steps") || Has(o, "step") || Has(o, "final_output");
  if (list && uniform) {
    return Err(Child(path, "steps"),
               "give either \"steps\" or \"n_steps\"/\"step\"/\"final_output\"");
  }
  if (list) {
    element e;
    if (o.at_key("steps").get(e) != simdjson::SUCCESS) return Err(path, "missing key \"steps\"");
    array a;
    TW_RETURN_IF_ERROR(ArrayOf(e, Child(path, "steps"), &a));
    size_t i = 0;
    for (element s : a) {
      AgentStep st;
      TW_RETURN_IF_ERROR(Step(s, Index(Child(path, "steps"), i++), &st));
      steps->push_back(st);
    }
    return absl::OkStatus();
  }
  if (!Has(o, "n_steps")) return Err(path, "missing key \"steps\" (or \"n_steps\")");
  uint64_t n = 0;
  TW_RETURN_IF_ERROR(Count(o, "n_steps", path, kMaxCount, &n));
  AgentStep step;
  element e;
  if (o.at_key("step").get(e) == simdjson::SUCCESS) {
    TW_RETURN_IF_ERROR(Step(e, Child(path, "step"), &step));
  }
  uint32_t final_output = 0;
  TW_RETURN_IF_ERROR(Tokens(o, "final_output", path, &final_output));
  *steps = AgentLoopSpec::Uniform(static_cast<uint32_t>(n), step, final_output);
  return absl::OkStatus();
}

absl::Status Loop(const object& o, const std::string& path, AgentLoopSpec* a) {
  TW_RETURN_IF_ERROR(Tokens(o, "system", path, &a->system));
  TW_RETURN_IF_ERROR(Tokens(o, "tool_definitions", path, &a->tool_definitions));
  TW_RETURN_IF_ERROR(Timing(o, path, &a->timing));
  TW_RETURN_IF_ERROR(Seconds(o, "seconds_between_calls", path, &a->gap_ms));
  return Steps(o, path, &a->steps);
}

absl::Status ParseItem(const element& e, const std::string& path, bool output, Scenario* s) {
  object o;
  TW_RETURN_IF_ERROR(ObjectOf(e, path, &o));
  if (output) {
    TW_RETURN_IF_ERROR(CheckKeys(o, path, {"kind", "tokens", "transient", "same_message"}));
  } else {
    TW_RETURN_IF_ERROR(
        CheckKeys(o, path, {"kind", "tokens", "pinned", "transient", "same_message"}));
  }
  std::string kind_name;
  TW_RETURN_IF_ERROR(String(o, "kind", path, &kind_name));
  if (!Has(o, "kind")) return Err(path, "missing key \"kind\"");
  const std::optional<TokenKind> kind = TokenKindFromName(kind_name);
  if (!kind) {
    std::string list;
    for (int k = 0; k < kNumTokenKinds; ++k) {
      absl::StrAppend(&list, k ? ", " : "", std::string(TokenKindName(static_cast<TokenKind>(k))));
    }
    return Err(Child(path, "kind"),
               absl::StrCat("unknown kind \"", kind_name, "\"; expected one of: ", list));
  }
  if (!Has(o, "tokens")) return Err(path, "missing key \"tokens\"");
  uint32_t tokens = 0;
  TW_RETURN_IF_ERROR(Tokens(o, "tokens", path, &tokens));
  ItemFlags flags;
  // Pinned by default: the system prompt and tool definitions.
  flags.pinned = !output && (*kind == TokenKind::kSystem || *kind == TokenKind::kToolDefinitions);
  TW_RETURN_IF_ERROR(Bool(o, "pinned", path, &flags.pinned));
  TW_RETURN_IF_ERROR(Bool(o, "transient", path, &flags.transient));
  TW_RETURN_IF_ERROR(Bool(o, "same_message", path, &flags.same_message));
  if (output) {
    s->AddOutput(*kind, tokens, flags);
  } else {
    s->AddInput(*kind, tokens, flags);
  }
  return absl::OkStatus();
}

absl::Status Calls(const object& root, Scenario* s) {
  element e;
  if (root.at_key("sequences").get(e) != simdjson::SUCCESS)
    return Err("$", "missing key \"sequences\"");
  array seqs;
  TW_RETURN_IF_ERROR(ArrayOf(e, "$.sequences", &seqs));
  size_t qi = 0;
  for (element qe : seqs) {
    const std::string qpath = Index("$.sequences", qi++);
    object q;
    TW_RETURN_IF_ERROR(ObjectOf(qe, qpath, &q));
    TW_RETURN_IF_ERROR(CheckKeys(q, qpath, {"name", "message_overhead", "call_overhead", "calls"}));
    std::string name = absl::StrCat("sequence ", qi);
    TW_RETURN_IF_ERROR(String(q, "name", qpath, &name));
    uint32_t mo = 0, co = 0;
    TW_RETURN_IF_ERROR(Tokens(q, "message_overhead", qpath, &mo));
    TW_RETURN_IF_ERROR(Tokens(q, "call_overhead", qpath, &co));
    s->BeginSequence(name, mo, co);
    element ce;
    if (q.at_key("calls").get(ce) != simdjson::SUCCESS) return Err(qpath, "missing key \"calls\"");
    array calls;
    const std::string cpath = Child(qpath, "calls");
    TW_RETURN_IF_ERROR(ArrayOf(ce, cpath, &calls));
    size_t ci = 0;
    for (element callv : calls) {
      const std::string path = Index(cpath, ci++);
      object c;
      TW_RETURN_IF_ERROR(ObjectOf(callv, path, &c));
      TW_RETURN_IF_ERROR(CheckKeys(c, path, {"after_seconds", "input", "output"}));
      int64_t gap = 0;
      TW_RETURN_IF_ERROR(Seconds(c, "after_seconds", path, &gap));
      s->BeginCall(gap);
      if (s->calls().size() > kMaxTotalCalls) {
        return Err(path, absl::StrCat("too many calls in all (at most ", kMaxTotalCalls, ")"));
      }
      for (const char* part : {"input", "output"}) {
        element pe;
        if (c.at_key(part).get(pe) != simdjson::SUCCESS) continue;
        array items;
        const std::string ipath = Child(path, part);
        TW_RETURN_IF_ERROR(ArrayOf(pe, ipath, &items));
        size_t ii = 0;
        for (element it : items) {
          TW_RETURN_IF_ERROR(
              ParseItem(it, Index(ipath, ii++), std::string_view(part) == "output", s));
        }
        if (s->items().size() > kMaxTotalItems) {
          return Err(ipath, absl::StrCat("too many items in all (at most ", kMaxTotalItems, ")"));
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ScenarioSpec> ScenarioFromJson(std::string_view json) {
  if (absl::Status deep = base::CheckJsonDepth(json); !deep.ok()) return deep;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json.data(), json.size());
  element root_el;
  if (auto err = parser.parse(padded).get(root_el); err != simdjson::SUCCESS) {
    return Err("$", absl::StrCat("invalid JSON: ", simdjson::error_message(err)));
  }
  object root;
  TW_RETURN_IF_ERROR(ObjectOf(root_el, "$", &root));
  const std::string p = "$";

  std::string type;
  TW_RETURN_IF_ERROR(String(root, "type", p, &type));
  if (!Has(root, "type")) return Err(p, "missing key \"type\"");

  // Keys every type takes, then each type's own.
  const std::string for_type = absl::StrCat("for type \"", type, "\"");
  auto check = [&](std::initializer_list<std::string_view> own) -> absl::Status {
    std::vector<std::string_view> all = {"type",  "name", "description", "direct_answer_tokens",
                                         "model", "cache"};
    all.insert(all.end(), own.begin(), own.end());
    return CheckKeys(root, p, all, for_type);
  };

  ScenarioSpec spec;
  Scenario& s = spec.scenario;
  if (type == "single") {
    TW_RETURN_IF_ERROR(check({"system", "tool_definitions", "user", "output"}));
    SingleCallSpec c;
    TW_RETURN_IF_ERROR(Tokens(root, "system", p, &c.system));
    TW_RETURN_IF_ERROR(Tokens(root, "tool_definitions", p, &c.tool_definitions));
    TW_RETURN_IF_ERROR(Tokens(root, "user", p, &c.user));
    TW_RETURN_IF_ERROR(Tokens(root, "output", p, &c.output));
    s = BuildSingleCall(c);
  } else if (type == "rag") {
    TW_RETURN_IF_ERROR(
        check({"system", "tool_definitions", "user", "output", "chunks", "k", "chunk_tokens"}));
    RagSpec r;
    TW_RETURN_IF_ERROR(Tokens(root, "system", p, &r.system));
    TW_RETURN_IF_ERROR(Tokens(root, "tool_definitions", p, &r.tool_definitions));
    TW_RETURN_IF_ERROR(Tokens(root, "user", p, &r.user));
    TW_RETURN_IF_ERROR(Tokens(root, "output", p, &r.output));
    const bool list = Has(root, "chunks");
    if (list && (Has(root, "k") || Has(root, "chunk_tokens"))) {
      return Err("$.chunks", "give either \"chunks\" or \"k\" and \"chunk_tokens\"");
    }
    if (list) {
      element e;
      if (root.at_key("chunks").get(e) != simdjson::SUCCESS) return Err(p, "missing \"chunks\"");
      array a;
      TW_RETURN_IF_ERROR(ArrayOf(e, "$.chunks", &a));
      size_t i = 0;
      for (element c : a) {
        uint64_t v = 0;
        TW_RETURN_IF_ERROR(IntegerOf(c, Index("$.chunks", i++), kMaxTokens, &v));
        r.chunks.push_back(static_cast<uint32_t>(v));
      }
    } else {
      if (!Has(root, "k") || !Has(root, "chunk_tokens")) {
        return Err(p, "missing key \"chunks\" (or \"k\" and \"chunk_tokens\")");
      }
      uint64_t k = 0;
      uint32_t size = 0;
      TW_RETURN_IF_ERROR(Count(root, "k", p, kMaxCount, &k));
      TW_RETURN_IF_ERROR(Tokens(root, "chunk_tokens", p, &size));
      r.chunks = RagSpec::Chunks(static_cast<uint32_t>(k), size);
    }
    s = BuildRag(r);
  } else if (type == "agent") {
    TW_RETURN_IF_ERROR(
        check({"system", "tool_definitions", "user", "result_timing", "seconds_between_calls",
               "steps", "n_steps", "step", "final_output"}));
    AgentLoopSpec a;
    TW_RETURN_IF_ERROR(Tokens(root, "user", p, &a.user));
    TW_RETURN_IF_ERROR(Loop(root, p, &a));
    s = BuildAgentLoop(a);
  } else if (type == "multi_agent") {
    TW_RETURN_IF_ERROR(check({"system", "tool_definitions", "user", "final_output", "result_timing",
                              "seconds_between_calls", "agents"}));
    MultiAgentSpec m;
    TW_RETURN_IF_ERROR(Tokens(root, "system", p, &m.system));
    TW_RETURN_IF_ERROR(Tokens(root, "tool_definitions", p, &m.tool_definitions));
    TW_RETURN_IF_ERROR(Tokens(root, "user", p, &m.user));
    TW_RETURN_IF_ERROR(Tokens(root, "final_output", p, &m.final_output));
    TW_RETURN_IF_ERROR(Timing(root, p, &m.timing));
    TW_RETURN_IF_ERROR(Seconds(root, "seconds_between_calls", p, &m.gap_ms));
    element e;
    if (root.at_key("agents").get(e) != simdjson::SUCCESS) return Err(p, "missing key \"agents\"");
    array agents;
    TW_RETURN_IF_ERROR(ArrayOf(e, "$.agents", &agents));
    size_t i = 0;
    uint64_t total_steps = 0;
    for (element ae : agents) {
      const std::string path = Index("$.agents", i++);
      object o;
      TW_RETURN_IF_ERROR(ObjectOf(ae, path, &o));
      TW_RETURN_IF_ERROR(
          CheckKeys(o, path,
                    {"name", "delegation", "system", "tool_definitions", "result_timing",
                     "seconds_between_calls", "steps", "n_steps", "step", "final_output"}));
      SubAgentSpec sub;
      sub.loop.name = absl::StrCat("agent ", i);
      sub.loop.timing = m.timing;
      sub.loop.gap_ms = m.gap_ms;
      TW_RETURN_IF_ERROR(String(o, "name", path, &sub.loop.name));
      TW_RETURN_IF_ERROR(Tokens(o, "delegation", path, &sub.delegation));
      TW_RETURN_IF_ERROR(Loop(o, path, &sub.loop));
      total_steps += sub.loop.steps.size();
      if (total_steps > kMaxTotalCalls) {
        return Err(path, absl::StrCat("too many steps in all (at most ", kMaxTotalCalls, ")"));
      }
      m.agents.push_back(std::move(sub));
    }
    s = BuildMultiAgent(m);
  } else if (type == "conversation") {
    TW_RETURN_IF_ERROR(
        check({"system", "tool_definitions", "seconds_between_calls", "turns", "user", "output"}));
    ConversationSpec c;
    TW_RETURN_IF_ERROR(Tokens(root, "system", p, &c.system));
    TW_RETURN_IF_ERROR(Tokens(root, "tool_definitions", p, &c.tool_definitions));
    TW_RETURN_IF_ERROR(Seconds(root, "seconds_between_calls", p, &c.gap_ms));
    element e;
    if (root.at_key("turns").get(e) != simdjson::SUCCESS) return Err(p, "missing key \"turns\"");
    if (e.type() == element_type::ARRAY) {
      if (Has(root, "user") || Has(root, "output")) {
        return Err("$.turns", "with a list of turns, \"user\" and \"output\" go inside each turn");
      }
      array a;
      TW_RETURN_IF_ERROR(ArrayOf(e, "$.turns", &a));
      size_t i = 0;
      for (element t : a) {
        const std::string path = Index("$.turns", i++);
        object o;
        TW_RETURN_IF_ERROR(ObjectOf(t, path, &o));
        TW_RETURN_IF_ERROR(CheckKeys(o, path, {"user", "output"}));
        ConversationTurn turn;
        TW_RETURN_IF_ERROR(Tokens(o, "user", path, &turn.user));
        TW_RETURN_IF_ERROR(Tokens(o, "output", path, &turn.output));
        c.turns.push_back(turn);
      }
    } else {
      uint64_t n = 0;
      TW_RETURN_IF_ERROR(IntegerOf(e, "$.turns", kMaxCount, &n));
      uint32_t user = 0, output = 0;
      TW_RETURN_IF_ERROR(Tokens(root, "user", p, &user));
      TW_RETURN_IF_ERROR(Tokens(root, "output", p, &output));
      c.turns = ConversationSpec::Uniform(static_cast<uint32_t>(n), user, output);
    }
    s = BuildConversation(c);
  } else if (type == "calls") {
    TW_RETURN_IF_ERROR(check({"sequences"}));
    s = Scenario("calls");
    TW_RETURN_IF_ERROR(Calls(root, &s));
  } else {
    return Err("$.type", absl::StrCat("unknown type \"", type,
                                      "\"; expected single, rag, agent, multi_agent, "
                                      "conversation or calls"));
  }

  // Settings every type takes.
  std::string name = s.name();
  TW_RETURN_IF_ERROR(String(root, "name", p, &name));
  s.set_name(name);
  std::string description;
  TW_RETURN_IF_ERROR(String(root, "description", p, &description));
  s.set_description(description);
  uint64_t direct = 0;
  TW_RETURN_IF_ERROR(Count(root, "direct_answer_tokens", p, kMaxTokens, &direct));
  s.set_direct_answer_tokens(direct);
  TW_RETURN_IF_ERROR(String(root, "model", p, &spec.model));
  std::string cache;
  TW_RETURN_IF_ERROR(String(root, "cache", p, &cache));
  if (!cache.empty()) {
    spec.cache = CacheModeFromName(cache);
    if (!spec.cache) {
      return Err("$.cache", "expected \"provider\", \"off\", \"auto\", \"5m\" or \"1h\"");
    }
  }
  return spec;
}

}  // namespace tokwise
