// Trace formats: names, detection, the reader entry points, request logs and conversations.
#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/file.h"
#include "report/trace_common.h"
#include "tokwise/trace.h"

namespace tokwise {

namespace ri = report_internal;
namespace dom = simdjson::dom;

std::string_view TraceFormatName(TraceFormat format) {
  switch (format) {
    case TraceFormat::kAuto:
      return "auto";
    case TraceFormat::kRequestLog:
      return "request-log";
    case TraceFormat::kConversation:
      return "conversation";
    case TraceFormat::kSweAgent:
      return "swe-agent";
    case TraceFormat::kMiniSweAgent:
      return "mini-swe-agent";
    case TraceFormat::kOpenHands:
      return "openhands";
    case TraceFormat::kOtel:
      return "otel";
    case TraceFormat::kAider:
      return "aider";
  }
  return "?";
}

std::optional<TraceFormat> TraceFormatFromName(std::string_view name) {
  for (TraceFormat f : {TraceFormat::kAuto, TraceFormat::kRequestLog, TraceFormat::kConversation,
                        TraceFormat::kSweAgent, TraceFormat::kMiniSweAgent, TraceFormat::kOpenHands,
                        TraceFormat::kOtel, TraceFormat::kAider}) {
    if (TraceFormatName(f) == name) return f;
  }
  return std::nullopt;
}

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view TrimLeft(std::string_view s) {
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);  // A byte-order mark.
  while (!s.empty() && (s[0] == ' ' || s[0] == '\n' || s[0] == '\r' || s[0] == '\t')) {
    s.remove_prefix(1);
  }
  return s;
}

bool LooksLikeAider(std::string_view s) {
  return s.find("# aider chat started at") != std::string_view::npos || s.substr(0, 5) == "#### " ||
         s.find("\n#### ") != std::string_view::npos;
}

bool Has(dom::element e, std::string_view key) {
  dom::element v;
  return e.is_object() && e[key].get(v) == simdjson::SUCCESS;
}

// The format of one parsed JSON document (the whole file or a JSONL line).
std::optional<TraceFormat> DocumentFormat(dom::element e, bool one_line_of_many) {
  if (e.is_object()) {
    if (Has(e, "resourceSpans") || Has(e, "resource_spans")) return TraceFormat::kOtel;
    if (Has(e, "instance_id") && Has(e, "history")) return TraceFormat::kOpenHands;
    if (Has(e, "history")) {
      // SWE-agent writes info / trajectory / environment beside the history; its
      // demonstrations may hold only the history, whose messages carry "agent".
      dom::element h0;
      const bool agent_messages = e.at_pointer("/history/0/role").get(h0) == simdjson::SUCCESS &&
                                  e.at_pointer("/history/0/agent").get(h0) == simdjson::SUCCESS;
      if (Has(e, "info") || Has(e, "trajectory") || Has(e, "environment") || agent_messages) {
        return TraceFormat::kSweAgent;
      }
    }
    if (Has(e, "messages") && (Has(e, "trajectory_format") || Has(e, "info"))) {
      return TraceFormat::kMiniSweAgent;
    }
    if (Has(e, "spans")) return TraceFormat::kOtel;
    for (std::string_view k : {"request", "body", "request_body", "requestBody"}) {
      if (Has(e, k)) return TraceFormat::kRequestLog;
    }
    if (Has(e, "messages") || Has(e, "input")) {
      return one_line_of_many ? TraceFormat::kRequestLog : TraceFormat::kConversation;
    }
    return std::nullopt;
  }
  dom::array a;
  if (e.get(a) != simdjson::SUCCESS || a.size() == 0) return std::nullopt;
  dom::element first = a.at(0);
  if (Has(first, "role")) return TraceFormat::kConversation;
  if (Has(first, "resourceSpans")) return TraceFormat::kOtel;
  if (Has(first, "traceId") || Has(first, "spanId") || Has(first, "trace_id") ||
      Has(first, "span_id") || Has(first, "context")) {
    return TraceFormat::kOtel;
  }
  if (Has(first, "source") && (Has(first, "action") || Has(first, "observation"))) {
    return TraceFormat::kOpenHands;
  }
  return std::nullopt;
}

std::string_view FirstLine(std::string_view s) {
  while (!s.empty()) {
    const size_t nl = s.find('\n');
    std::string_view line = s.substr(0, nl);
    if (!TrimLeft(line).empty()) return line;
    if (nl == std::string_view::npos) break;
    s.remove_prefix(nl + 1);
  }
  return {};
}

std::string BaseName(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

absl::StatusOr<TraceFormat> DetectTraceFormat(std::string_view bytes, std::string_view name) {
  const std::string_view s = TrimLeft(bytes);
  if (s.empty()) return ri::Invalid(name, "empty file");
  if (s[0] != '{' && s[0] != '[') {
    if (LooksLikeAider(s)) return TraceFormat::kAider;
    return ri::Invalid(name,
                       "not a trace tokwise knows: not JSON or JSONL, and not an aider chat "
                       "history (no '# aider chat started at' heading, no '#### ' user lines)");
  }
  dom::parser parser;
  dom::element root;
  const bool jsonl_name = EndsWith(name, ".jsonl") || EndsWith(name, ".ndjson");
  if (parser.parse(s.data(), s.size()).get(root) == simdjson::SUCCESS) {
    if (auto f = DocumentFormat(root, jsonl_name)) return *f;
    return ri::Invalid(name,
                       "JSON, but not a trace tokwise knows (expected request bodies, a "
                       "conversation's \"messages\", a SWE-agent \"history\", OpenHands events, "
                       "or OpenTelemetry spans; --format names one)");
  }
  // Not one document: JSONL, told by its first line.
  const std::string_view line = FirstLine(s);
  const simdjson::error_code err = parser.parse(line.data(), line.size()).get(root);
  if (err != simdjson::SUCCESS) return ri::JsonError(name, line, err, "line 1");
  if (auto f = DocumentFormat(root, /*one_line_of_many=*/true)) return *f;
  return ri::Invalid(name,
                     "line 1: JSON, but not a trace tokwise knows (expected a request body "
                     "with \"messages\" or \"input\", a \"request\" wrapper, an OpenHands run, "
                     "or OpenTelemetry \"resourceSpans\")");
}

absl::StatusOr<Trace> ReadTrace(std::string_view bytes, std::string_view name, TraceFormat format) {
  if (format == TraceFormat::kAuto) {
    absl::StatusOr<TraceFormat> f = DetectTraceFormat(bytes, name);
    if (!f.ok()) return f.status();
    format = *f;
  }
  Trace t;
  t.name = std::string(name);
  t.format = format;
  t.bytes = bytes.size();
  absl::Status st;
  switch (format) {
    case TraceFormat::kRequestLog:
      st = ri::ReadRequestLog(bytes, &t);
      break;
    case TraceFormat::kOpenHands:
      st = ri::ReadOpenHands(bytes, &t);
      break;
    case TraceFormat::kOtel:
      st = ri::ReadOtel(bytes, &t);
      break;
    case TraceFormat::kAider:
      st = ri::ReadAider(bytes, &t);
      break;
    case TraceFormat::kConversation:
    case TraceFormat::kSweAgent:
    case TraceFormat::kMiniSweAgent: {
      dom::parser parser;
      dom::element root;
      const std::string_view s = TrimLeft(bytes);
      const simdjson::error_code err = parser.parse(s.data(), s.size()).get(root);
      if (err != simdjson::SUCCESS) return ri::JsonError(name, s, err);
      if (format == TraceFormat::kConversation) {
        st = ri::ReadConversation(root, s, &t);
      } else if (format == TraceFormat::kSweAgent) {
        st = ri::ReadSweAgent(root, &t);
      } else {
        st = ri::ReadMiniSweAgent(root, &t);
      }
      break;
    }
    case TraceFormat::kAuto:
      break;
  }
  if (!st.ok()) return ri::Prefix(name, st);
  return t;
}

absl::StatusOr<Trace> ReadTraceFile(const std::string& path, TraceFormat format) {
  absl::StatusOr<std::string> bytes = base::ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  return ReadTrace(*bytes, BaseName(path), format);
}

namespace report_internal {

absl::StatusOr<BilledCall> ReadUsage(dom::element usage, std::string_view where,
                                     std::string source) {
  const std::string json = ToJson(usage);
  BilledCall b;
  b.source = std::move(source);
  const bool litellm_anthropic =
      Has(usage, "prompt_tokens") &&
      (Has(usage, "cache_creation_input_tokens") || Has(usage, "cache_read_input_tokens"));
  if (litellm_anthropic) {
    absl::StatusOr<NormalizedUsage> u = NormalizeUsage(json, UsageFormat::kOpenAiChat);
    if (!u.ok()) return Prefix(where, u.status());
    const uint64_t write = U64At(usage, "cache_creation_input_tokens").value_or(0);
    const uint64_t read_extra =
        u->cache_read == 0 ? U64At(usage, "cache_read_input_tokens").value_or(0) : 0;
    if (write + read_extra > u->uncached_input) {
      return Invalid(where, "usage: cache tokens exceed prompt_tokens");
    }
    u->uncached_input -= write + read_extra;
    u->cache_write_5m = write;
    u->cache_read += read_extra;
    b.usage = *u;
    return b;
  }
  absl::StatusOr<NormalizedUsage> u = NormalizeUsage(json);
  if (!u.ok()) return Prefix(where, u.status());
  b.usage = *u;
  return b;
}

namespace {

// Call metadata from an object of a request-log line.
void ReadMeta(dom::element m, TraceCall* c) {
  if (!m.is_object()) return;
  auto first = [&](std::initializer_list<std::string_view> keys) -> std::string {
    for (std::string_view k : keys) {
      dom::element v;
      if (m[k].get(v) != simdjson::SUCCESS) continue;
      std::string_view s;
      if (v.get(s) == simdjson::SUCCESS && !s.empty()) return std::string(s);
      int64_t i = 0;
      if (v.get(i) == simdjson::SUCCESS) return std::to_string(i);
    }
    return "";
  };
  if (c->agent.empty()) c->agent = first({"agent", "agent_name", "agent_id"});
  if (c->workflow.empty()) {
    c->workflow = first({"workflow", "workflow_name", "workflow_id", "trace_id", "run_id"});
  }
  if (c->user.empty()) c->user = first({"user", "user_id", "end_user", "enduser_id"});
  if (c->thread.empty()) {
    c->thread = first({"thread", "thread_id", "session_id", "session", "conversation_id"});
  }
  if (c->time_ms < 0) {
    for (std::string_view k : {"timestamp", "time", "start_time", "startTime", "created_at"}) {
      if (auto t = TimeMsAt(m, k)) {
        c->time_ms = *t;
        break;
      }
    }
  }
}

// The reply of a response object as a request body holding just the reply's messages, and
// the chat format to parse it with; empty when the response holds no reply.
std::string ReplyBody(dom::element resp, std::string_view model, ChatFormat* format) {
  std::string body = "{";
  if (!model.empty()) {
    body += "\"model\":";
    AppendJsonString(model, &body);
    body += ",";
  }
  dom::array choices;
  if (resp["choices"].get(choices) == simdjson::SUCCESS && choices.size() > 0) {
    dom::element msg;
    if (choices.at(0)["message"].get(msg) != simdjson::SUCCESS) return "";
    *format = ChatFormat::kOpenAIChat;
    return body + "\"messages\":[" + ToJson(msg) + "]}";
  }
  dom::array output;
  if (resp["output"].get(output) == simdjson::SUCCESS) {
    if (output.size() == 0) return "";
    *format = ChatFormat::kOpenAIResponses;
    return body + "\"input\":" + ToJson(output) + "}";
  }
  dom::array content;
  if (resp["content"].get(content) == simdjson::SUCCESS) {
    *format = ChatFormat::kAnthropicMessages;
    return body + "\"messages\":[{\"role\":\"assistant\",\"content\":" + ToJson(content) + "}]}";
  }
  return "";
}

}  // namespace

absl::Status ReadRequestLog(std::string_view bytes, Trace* out) {
  dom::parser parser, inner_parser;
  size_t line_no = 0;
  uint32_t with_reply = 0, with_usage = 0, stored_context = 0;
  while (!bytes.empty()) {
    ++line_no;
    const size_t nl = bytes.find('\n');
    std::string_view line = bytes.substr(0, nl);
    bytes.remove_prefix(nl == std::string_view::npos ? bytes.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (TrimLeft(line).empty()) continue;
    const std::string where = absl::StrCat("line ", line_no);

    dom::element e;
    if (simdjson::error_code err = parser.parse(line.data(), line.size()).get(e); err) {
      return JsonError(where, line, err);
    }
    if (!e.is_object()) return Invalid(where, "expected a JSON object");

    // The request body: a wrapper's field, or the line itself.
    std::string body_json;
    std::string_view body_text;
    dom::element body_elem = e;
    bool found = false;
    for (std::string_view k : {"request", "body", "request_body", "requestBody"}) {
      dom::element v;
      if (e[k].get(v) != simdjson::SUCCESS) continue;
      std::string_view s;
      if (v.get(s) == simdjson::SUCCESS) {
        body_json = std::string(s);  // A logger that stored the body as JSON text.
      } else if (v.is_object()) {
        body_json = ToJson(v);
        body_elem = v;
      } else {
        return Invalid(where, absl::StrCat(std::string(k), ": expected an object"));
      }
      body_text = body_json;
      found = true;
      break;
    }
    if (!found) {
      if (!Has(e, "messages") && !Has(e, "input")) {
        return Invalid(where,
                       "no request body: expected \"messages\" (Chat, Anthropic), \"input\" "
                       "(Responses) or a \"request\" object");
      }
      body_text = line;
    }
    absl::StatusOr<ChatRequest> req = ParseBody(body_text, where);
    if (!req.ok()) return req.status();

    TraceCall c;
    c.where = where;
    // The response, possibly a batch-output envelope or JSON text.
    dom::element resp;
    bool have_resp = false;
    std::string resp_text;
    dom::element rv;
    if (e["response"].get(rv) == simdjson::SUCCESS) {
      std::string_view s;
      if (rv.get(s) == simdjson::SUCCESS) {
        resp_text = std::string(s);
        if (inner_parser.parse(resp_text).get(resp) == simdjson::SUCCESS && resp.is_object()) {
          have_resp = true;
        }
      } else if (rv.is_object()) {
        resp = rv;
        have_resp = true;
        dom::element inner;
        if (Has(rv, "status_code") && rv["body"].get(inner) == simdjson::SUCCESS) resp = inner;
      }
    }

    c.model = std::string(req->model);
    if (c.model.empty() && have_resp) c.model = std::string(StringOr(resp, "model"));
    dom::element meta;
    if (e["metadata"].get(meta) == simdjson::SUCCESS) ReadMeta(meta, &c);
    ReadMeta(e, &c);
    if (body_elem.is_object()) {
      if (body_elem["metadata"].get(meta) == simdjson::SUCCESS) ReadMeta(meta, &c);
      // TODO: a Responses request that continues a stored response (previous_response_id)
      // or conversation is billed for context the server adds, which the log does not hold;
      // such calls are undercounted by that context. The reader notes how many there are.
      if (Has(body_elem, "previous_response_id") || Has(body_elem, "conversation")) {
        ++stored_context;
      }
      if (c.user.empty()) c.user = std::string(StringOr(body_elem, "user"));
    }
    if (c.time_ms < 0 && have_resp) {
      c.time_ms = TimeMsAt(resp, "created").value_or(TimeMsAt(resp, "created_at").value_or(-1));
    }

    const uint32_t index = static_cast<uint32_t>(out->requests.size());
    c.request = index;
    c.prompt_messages = static_cast<uint32_t>(req->messages.size());
    out->requests.push_back(std::move(*req));

    if (have_resp) {
      ChatFormat f = ChatFormat::kAuto;
      const std::string reply = ReplyBody(resp, c.model, &f);
      if (!reply.empty()) {
        absl::StatusOr<ChatRequest> r = ParseBody(reply, where + ": response", f);
        if (!r.ok()) return r.status();
        if (!r->messages.empty()) {
          c.output_request = static_cast<int32_t>(out->requests.size());
          c.output_message = 0;
          c.output_count = static_cast<uint32_t>(r->messages.size());
          out->requests.push_back(std::move(*r));
          ++with_reply;
        }
      }
    }
    dom::element usage;
    if (e["usage"].get(usage) == simdjson::SUCCESS ||
        (have_resp && (resp["usage"].get(usage) == simdjson::SUCCESS ||
                       resp["usageMetadata"].get(usage) == simdjson::SUCCESS))) {
      if (!usage.is_null()) {
        absl::StatusOr<BilledCall> b = ReadUsage(usage, where, "usage");
        if (!b.ok()) return b.status();
        c.billed = std::move(*b);
        ++with_usage;
      }
    }
    out->calls.push_back(std::move(c));
  }
  if (out->calls.empty()) return absl::InvalidArgumentError("no requests in the file");
  const size_t n = out->calls.size();
  if (with_reply < n) {
    out->notes.push_back(absl::StrCat(n - with_reply, " of ", n,
                                      " calls have no recorded reply: their output is taken "
                                      "from the next call's history where it appears there"));
  }
  if (stored_context > 0) {
    out->notes.push_back(absl::StrCat(
        stored_context,
        " calls continue a stored response or conversation (previous_response_id): the context "
        "the provider adds to them is not in the log, so their input is undercounted"));
  }
  if (with_usage > 0 && with_usage < n) {
    out->notes.push_back(
        absl::StrCat("billed usage recorded for ", with_usage, " of ", n, " calls"));
  }
  return absl::OkStatus();
}

absl::Status ReadConversation(dom::element root, std::string_view text, Trace* out) {
  std::string body;
  std::string_view body_text = text;
  const bool is_request = root.is_object();
  if (!is_request) {
    dom::array a;
    if (root.get(a) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("expected a request body or an array of messages");
    }
    body = "{\"messages\":" + ToJson(root) + "}";
    body_text = body;
  }
  absl::StatusOr<ChatRequest> req = ParseBody(body_text, "$");
  if (!req.ok()) return req.status();
  TraceCall base;
  base.model = std::string(req->model);
  base.thread = out->name;
  out->requests.push_back(std::move(*req));
  const ChatRequest& r = out->requests.back();
  AddConversationCalls(
      0, is_request, base,
      [&](uint32_t i) -> std::string {
        if (i >= r.messages.size()) return "the request";
        const ChatMessage& m = r.messages[i];
        return absl::StrCat(is_request ? "$.messages[" : "$[", m.source_index, "]");
      },
      out);
  if (out->calls.empty()) {
    return absl::InvalidArgumentError(
        "no calls: the conversation has no assistant reply after a prompt");
  }
  return absl::OkStatus();
}

}  // namespace report_internal
}  // namespace tokwise
