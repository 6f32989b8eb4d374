// Agent framework trajectories: SWE-agent, mini-swe-agent and OpenHands.
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "report/trace_common.h"

namespace tokwise::report_internal {

namespace {

// A message's content as JSON: a string or an array of parts; null when absent.
absl::StatusOr<std::string> ContentJson(dom::element m, std::string_view where) {
  dom::element c;
  if (m["content"].get(c) != simdjson::SUCCESS || c.is_null()) return std::string("null");
  if (c.is_string() || c.is_array()) return ToJson(c);
  return Invalid(where, "content: expected a string or an array of parts");
}

// The billed totals of a SWE-agent / mini-swe-agent model_stats object; nullopt when it
// records nothing (replayed demonstrations carry zeros).
std::optional<BilledTotals> ModelStats(dom::element stats, std::string source,
                                       std::string workflow) {
  BilledTotals b;
  b.source = std::move(source);
  b.workflow = std::move(workflow);
  b.input_tokens = U64At(stats, "tokens_sent");
  b.output_tokens = U64At(stats, "tokens_received");
  b.calls = U64At(stats, "api_calls");
  dom::element cost;
  if (stats["instance_cost"].get(cost) == simdjson::SUCCESS && cost.is_number()) {
    b.cost_text = ToJson(cost);
    b.cost = ParseUsdPico(b.cost_text);
  }
  const bool any = b.input_tokens.value_or(0) > 0 || b.output_tokens.value_or(0) > 0 ||
                   b.calls.value_or(0) > 0 || b.cost.value_or(0) > 0;
  if (!any) return std::nullopt;
  return b;
}

// SWE-agent 1.x stores its run configuration (model included) as JSON text in replay_config.
std::string SweAgentModel(dom::element root) {
  dom::element rc;
  if (root["replay_config"].get(rc) != simdjson::SUCCESS) return "";
  static thread_local dom::parser parser;
  dom::element cfg = rc;
  std::string_view text;
  if (rc.get(text) == simdjson::SUCCESS) {
    if (parser.parse(std::string(text)).get(cfg) != simdjson::SUCCESS) return "";
  }
  dom::element name;
  if (cfg.at_pointer("/agent/model/name").get(name) == simdjson::SUCCESS && name.is_string()) {
    return std::string(name.get_string().value());
  }
  return "";
}

}  // namespace

absl::Status ReadSweAgent(dom::element root, Trace* out) {
  dom::array history;
  if (root["history"].get(history) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("$.history: expected an array of messages");
  }
  const std::string model = SweAgentModel(root);

  // Each agent ("primary", "main", a reviewer...) keeps its own history: one thread each.
  std::vector<std::string> agents;
  std::map<std::string, std::vector<size_t>> by_agent;
  std::vector<dom::element> entries;
  for (dom::element e : history) entries.push_back(e);
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string where = absl::StrCat("$.history[", i, "]");
    if (!entries[i].is_object()) return Invalid(where, "expected an object");
    std::string_view role;
    if (entries[i]["role"].get(role) != simdjson::SUCCESS) {
      return Invalid(where, "role: expected a string");
    }
    const std::string agent(StringOr(entries[i], "agent", "main"));
    if (by_agent.find(agent) == by_agent.end()) agents.push_back(agent);
    by_agent[agent].push_back(i);
  }

  for (const std::string& agent : agents) {
    const std::vector<size_t>& idx = by_agent[agent];
    BodyWriter w(model);
    for (size_t i : idx) {
      dom::element e = entries[i];
      const std::string where = absl::StrCat("$.history[", i, "]");
      absl::StatusOr<std::string> content = ContentJson(e, where);
      if (!content.ok()) return content.status();
      std::string tool_calls;
      if (auto tc = ArrayAt(e, "tool_calls"); tc && tc->size() > 0) {
        tool_calls = ToJson(*tc);
      }
      std::string_view call_id = StringOr(e, "tool_call_id");
      if (auto ids = ArrayAt(e, "tool_call_ids"); call_id.empty() && ids && ids->size() > 0) {
        std::string_view first;
        if (ids->at(0).get(first) == simdjson::SUCCESS) call_id = first;
      }
      w.Message(StringOr(e, "role"), *content, "", call_id, tool_calls);
    }
    absl::StatusOr<ChatRequest> req = ParseBody(
        w.Finish(), absl::StrCat("$.history (agent ", agent, ")"), ChatFormat::kOpenAIChat);
    if (!req.ok()) return req.status();
    const uint32_t ri = static_cast<uint32_t>(out->requests.size());
    out->requests.push_back(std::move(*req));
    TraceCall base;
    base.model = model;
    base.agent = agent;
    base.workflow = out->name;
    base.thread = agents.size() == 1 ? out->name : absl::StrCat(out->name, ":", agent);
    AddConversationCalls(
        ri, false, base,
        [&](uint32_t m) {
          return m < idx.size() ? absl::StrCat("$.history[", idx[m], "]") : std::string("end");
        },
        out);
  }
  if (out->calls.empty()) {
    return absl::InvalidArgumentError("$.history: no assistant messages, so no calls");
  }

  dom::element stats;
  if (root.at_pointer("/info/model_stats").get(stats) == simdjson::SUCCESS) {
    if (auto b = ModelStats(stats, "SWE-agent info.model_stats", out->name)) {
      out->billed_totals.push_back(std::move(*b));
    } else {
      out->notes.push_back(
          "info.model_stats records nothing (a replayed demonstration): no billed figures to "
          "compare");
    }
  }
  if (model.empty()) {
    out->notes.push_back("the trajectory does not name its model (SWE-agent 0.x): --model does");
  }
  return absl::OkStatus();
}

absl::Status ReadMiniSweAgent(dom::element root, Trace* out) {
  dom::array messages;
  if (root["messages"].get(messages) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("$.messages: expected an array of messages");
  }
  std::string model;
  dom::element name;
  if (root.at_pointer("/info/config/model/model_name").get(name) == simdjson::SUCCESS &&
      name.is_string()) {
    model = std::string(name.get_string().value());
  }
  BodyWriter w(model);
  std::vector<dom::element> entries;
  for (dom::element m : messages) entries.push_back(m);
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string where = absl::StrCat("$.messages[", i, "]");
    std::string_view role;
    if (!entries[i].is_object() || entries[i]["role"].get(role) != simdjson::SUCCESS) {
      return Invalid(where, "role: expected a string");
    }
    absl::StatusOr<std::string> content = ContentJson(entries[i], where);
    if (!content.ok()) return content.status();
    w.Message(role, *content);
  }
  absl::StatusOr<ChatRequest> req = ParseBody(w.Finish(), "$.messages", ChatFormat::kOpenAIChat);
  if (!req.ok()) return req.status();
  out->requests.push_back(std::move(*req));
  TraceCall base;
  base.model = model;
  base.thread = out->name;
  base.workflow = out->name;
  const size_t first_call = out->calls.size();
  AddConversationCalls(
      0, false, base, [](uint32_t m) { return absl::StrCat("$.messages[", m, "]"); }, out);
  // Newer mini-swe-agent versions keep each reply's raw response (usage included) in "extra".
  for (size_t k = first_call; k < out->calls.size(); ++k) {
    TraceCall& c = out->calls[k];
    dom::element usage;
    if (entries[c.output_message].at_pointer("/extra/response/usage").get(usage) ==
        simdjson::SUCCESS) {
      absl::StatusOr<BilledCall> b = ReadUsage(usage, c.where, "extra.response.usage");
      if (!b.ok()) return b.status();
      c.billed = std::move(*b);
    }
  }
  dom::element stats;
  if (root.at_pointer("/info/model_stats").get(stats) == simdjson::SUCCESS) {
    if (auto b = ModelStats(stats, "mini-swe-agent info.model_stats", out->name)) {
      out->billed_totals.push_back(std::move(*b));
    }
  }
  return absl::OkStatus();
}

namespace {

// What OpenHands puts in the prompt for a workspace-context recall: its template is not in
// the event log, so the fields' texts stand in for it.
std::string RecallText(dom::element e) {
  dom::element x;
  if (e["extras"].get(x) != simdjson::SUCCESS || !x.is_object()) return "";
  std::string text;
  auto add = [&](std::string_view s) {
    if (s.empty()) return;
    if (!text.empty()) text += "\n\n";
    text += s;
  };
  add(StringOr(x, "repo_instructions"));
  add(StringOr(x, "additional_agent_instructions"));
  if (auto hosts = ObjectAt(x, "runtime_hosts")) {
    std::string h = "The following ports are available for web servers:";
    for (auto kv : *hosts) absl::StrAppend(&h, "\n* ", std::string(kv.key));
    if (hosts->size() > 0) add(h);
  }
  if (std::string_view d = StringOr(x, "date"); !d.empty()) {
    add(absl::StrCat("Today's date is ", std::string(d)));
  }
  if (auto k = ArrayAt(x, "microagent_knowledge")) {
    for (dom::element m : *k) add(StringOr(m, "content"));
  }
  return text;
}

struct OpenHandsRun {
  std::string workflow;
  std::string agent;
  std::string model;
  std::string where;  // Prefix of event paths: "line 2: $.history" or "$".
};

absl::Status ReadEvents(dom::array events, const OpenHandsRun& run, Trace* out) {
  BodyWriter w(run.model);
  struct PendingCall {
    uint32_t message;
    std::string where;
    std::string model;
    int64_t time_ms;
    std::optional<BilledCall> billed;
  };
  std::vector<PendingCall> calls;
  std::unordered_set<std::string> responses;
  bool have_system = false;
  size_t i = 0;
  for (dom::element e : events) {
    const std::string where = absl::StrCat(run.where, "[", i++, "]");
    if (!e.is_object()) return Invalid(where, "expected an event object");
    const std::string_view source = StringOr(e, "source");
    const std::string_view action = StringOr(e, "action");
    const std::string_view observation = StringOr(e, "observation");
    dom::element tcm;
    const bool has_tcm = e["tool_call_metadata"].get(tcm) == simdjson::SUCCESS && tcm.is_object();

    if (action == "system") {
      if (have_system) continue;
      have_system = true;
      dom::element args;
      if (e["args"].get(args) == simdjson::SUCCESS) {
        w.TextMessage("system", StringOr(args, "content"));
        if (auto tools = ArrayAt(args, "tools"); tools && tools->size() > 0) {
          w.Tools(ToJson(*tools));
        }
      }
      continue;
    }
    if (!action.empty() && has_tcm) {
      // An agent action the model asked for: one call per distinct model response (a reply
      // with several tool calls becomes several actions).
      dom::element resp;
      if (tcm["model_response"].get(resp) != simdjson::SUCCESS) continue;
      const std::string id(StringOr(resp, "id"));
      if (!id.empty() && !responses.insert(id).second) continue;
      dom::element msg;
      if (resp.at_pointer("/choices/0/message").get(msg) != simdjson::SUCCESS) {
        return Invalid(where, "tool_call_metadata.model_response: no choices[0].message");
      }
      absl::StatusOr<std::string> content = ContentJson(msg, where);
      if (!content.ok()) return content.status();
      std::string tool_calls;
      if (auto tc = ArrayAt(msg, "tool_calls"); tc && tc->size() > 0) {
        tool_calls = ToJson(*tc);
      }
      PendingCall pc;
      pc.message = static_cast<uint32_t>(w.messages());
      pc.where = where;
      pc.model = std::string(StringOr(resp, "model", run.model));
      pc.time_ms = TimeMsAt(e, "timestamp").value_or(-1);
      dom::element usage;
      if (resp["usage"].get(usage) == simdjson::SUCCESS && usage.is_object()) {
        absl::StatusOr<BilledCall> b = ReadUsage(usage, where, "OpenHands model_response.usage");
        if (!b.ok()) return b.status();
        pc.billed = std::move(*b);
      }
      w.Message("assistant", *content, "", "", tool_calls);
      calls.push_back(std::move(pc));
      continue;
    }
    if (action == "message") {
      dom::element args;
      std::string_view text;
      if (e["args"].get(args) == simdjson::SUCCESS) text = StringOr(args, "content");
      if (text.empty()) text = StringOr(e, "message");
      if (source == "agent") {
        // A reply without a tool call: the output of a call with no recorded response.
        PendingCall pc;
        pc.message = static_cast<uint32_t>(w.messages());
        pc.where = where;
        pc.model = run.model;
        pc.time_ms = TimeMsAt(e, "timestamp").value_or(-1);
        w.TextMessage("assistant", text);
        calls.push_back(std::move(pc));
      } else {
        w.TextMessage("user", text);
      }
      continue;
    }
    if (!observation.empty()) {
      if (has_tcm) {
        w.TextMessage("tool", StringOr(e, "content"), "", StringOr(tcm, "tool_call_id"));
      } else if (observation == "recall") {
        const std::string text = RecallText(e);
        if (!text.empty()) w.TextMessage("user", text);
      } else if (observation == "error") {
        w.TextMessage("user", StringOr(e, "content"));
      }
    }
  }
  absl::StatusOr<ChatRequest> req =
      ParseBody(w.Finish(), absl::StrCat(run.where, " (rebuilt prompt)"), ChatFormat::kOpenAIChat);
  if (!req.ok()) return req.status();
  const uint32_t ri = static_cast<uint32_t>(out->requests.size());
  out->requests.push_back(std::move(*req));
  for (PendingCall& pc : calls) {
    TraceCall c;
    c.request = ri;
    c.prompt_messages = pc.message;
    c.output_request = static_cast<int32_t>(ri);
    c.output_message = pc.message;
    c.output_count = 1;
    c.thread = run.workflow;
    c.agent = run.agent;
    c.workflow = run.workflow;
    c.model = pc.model;
    c.time_ms = pc.time_ms;
    c.billed = std::move(pc.billed);
    c.where = std::move(pc.where);
    out->calls.push_back(std::move(c));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadOpenHands(std::string_view bytes, Trace* out) {
  dom::parser parser;
  dom::element root;
  // A bare event list (one document), or evaluation output (one run per line).
  size_t start = 0;
  while (start < bytes.size() && (bytes[start] == ' ' || bytes[start] == '\n' ||
                                  bytes[start] == '\r' || bytes[start] == '\t')) {
    ++start;
  }
  if (start < bytes.size() && bytes[start] == '[') {
    const std::string_view s = bytes.substr(start);
    if (simdjson::error_code err = parser.parse(s.data(), s.size()).get(root); err) {
      return JsonError("$", s, err);
    }
    dom::array events;
    if (root.get(events) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("$: expected an array of events");
    }
    OpenHandsRun run;
    run.workflow = out->name;
    run.agent = "agent";
    run.where = "$";
    for (dom::element e : events) {
      dom::element m;
      if (e.at_pointer("/tool_call_metadata/model_response/model").get(m) == simdjson::SUCCESS &&
          m.is_string()) {
        run.model = std::string(m.get_string().value());
        break;
      }
    }
    absl::Status st = ReadEvents(events, run, out);
    if (!st.ok()) return st;
  } else {
    size_t line_no = 0;
    while (!bytes.empty()) {
      ++line_no;
      const size_t nl = bytes.find('\n');
      std::string_view line = bytes.substr(0, nl);
      bytes.remove_prefix(nl == std::string_view::npos ? bytes.size() : nl + 1);
      bool blank = true;
      for (char c : line) blank = blank && (c == ' ' || c == '\r' || c == '\t');
      if (blank) continue;
      const std::string where = absl::StrCat("line ", line_no);
      if (simdjson::error_code err = parser.parse(line.data(), line.size()).get(root); err) {
        return JsonError(where, line, err);
      }
      dom::array events;
      if (root["history"].get(events) != simdjson::SUCCESS) {
        return Invalid(where, "history: expected an array of events");
      }
      OpenHandsRun run;
      run.workflow = std::string(StringOr(root, "instance_id"));
      if (run.workflow.empty()) run.workflow = absl::StrCat(out->name, ":", line_no);
      run.where = absl::StrCat(where, ": $.history");
      dom::element v;
      if (root.at_pointer("/metadata/agent_class").get(v) == simdjson::SUCCESS && v.is_string()) {
        run.agent = std::string(v.get_string().value());
      } else {
        run.agent = "agent";
      }
      if (root.at_pointer("/metadata/llm_config/model").get(v) == simdjson::SUCCESS &&
          v.is_string()) {
        run.model = std::string(v.get_string().value());
      }
      absl::Status st = ReadEvents(events, run, out);
      if (!st.ok()) return st;

      dom::element metrics;
      if (root["metrics"].get(metrics) == simdjson::SUCCESS && metrics.is_object()) {
        BilledTotals b;
        b.source = "OpenHands metrics";
        b.workflow = run.workflow;
        dom::element acc;
        if (metrics["accumulated_token_usage"].get(acc) == simdjson::SUCCESS) {
          b.input_tokens = U64At(acc, "prompt_tokens");
          b.output_tokens = U64At(acc, "completion_tokens");
          b.cache_read_tokens = U64At(acc, "cache_read_tokens");
          b.cache_write_tokens = U64At(acc, "cache_write_tokens");
        }
        if (auto tu = ArrayAt(metrics, "token_usages")) b.calls = tu->size();
        dom::element cost;
        if (metrics["accumulated_cost"].get(cost) == simdjson::SUCCESS && cost.is_number()) {
          b.cost_text = ToJson(cost);
          b.cost = ParseUsdPico(b.cost_text);
        }
        out->billed_totals.push_back(std::move(b));
      }
    }
  }
  if (out->calls.empty()) return absl::InvalidArgumentError("no model calls in the events");
  // TODO: OpenHands renders each observation through its own templates (command results
  // get the exit code and working directory appended, long outputs are truncated to
  // max_message_chars, the workspace context goes through a Jinja template) and may add
  // prompt-caching and in-context-learning examples. The event log keeps only the raw
  // contents, so the rebuilt prompts are short of what was sent by those additions; the
  // report shows the billed prompt tokens beside ours so the gap is visible per call.
  out->notes.push_back(
      "prompts rebuilt from OpenHands events: observation templates (exit codes, working "
      "directory) and the workspace-context template are not in the log, so the rebuilt "
      "prompts are a lower bound");
  return absl::OkStatus();
}

}  // namespace tokwise::report_internal
