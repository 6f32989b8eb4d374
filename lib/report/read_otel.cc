// OpenTelemetry GenAI spans exported as JSON (OTLP/JSON, or a flat list of spans).
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "report/trace_common.h"

namespace tokwise::report_internal {

namespace {

// An attribute value: scalars as text (numbers too), arrays and maps as JSON text.
struct Value {
  std::string text;
  bool is_json = false;    // `text` is JSON (an array or object), not a plain string.
  bool is_string = false;  // A string value (JSON text inside a string stays a string).
};

struct Event {
  std::string name;
  std::map<std::string, Value> attrs;
};

struct Span {
  std::string trace_id, span_id, parent_id, name;
  int64_t start_ms = -1;
  std::map<std::string, Value> attrs;
  std::vector<Event> events;
  std::string where;
};

bool HasKey(dom::element e, std::string_view key) {
  dom::element v;
  return e.is_object() && e[key].get(v) == simdjson::SUCCESS;
}

// An OTLP AnyValue object rather than a plain JSON value.
bool IsAnyValue(dom::element e) {
  return HasKey(e, "stringValue") || HasKey(e, "kvlistValue") || HasKey(e, "arrayValue") ||
         HasKey(e, "intValue") || HasKey(e, "doubleValue") || HasKey(e, "boolValue");
}

// An OTLP AnyValue ({"stringValue": ...}, {"intValue": "12"}, {"arrayValue": {"values":
// [...]}}, {"kvlistValue": {"values": [{"key", "value"}]}}) as plain JSON.
void AnyValueJson(dom::element v, std::string* out) {
  std::string_view s;
  if (v["stringValue"].get(s) == simdjson::SUCCESS) {
    AppendJsonString(s, out);
    return;
  }
  dom::element x;
  if (v["intValue"].get(x) == simdjson::SUCCESS) {
    if (x.get(s) == simdjson::SUCCESS) {
      out->append(s);
    } else {
      out->append(ToJson(x));
    }
    return;
  }
  if (v["doubleValue"].get(x) == simdjson::SUCCESS || v["boolValue"].get(x) == simdjson::SUCCESS) {
    out->append(ToJson(x));
    return;
  }
  dom::array values;
  if (v.at_pointer("/arrayValue/values").get(values) == simdjson::SUCCESS) {
    out->push_back('[');
    bool first = true;
    for (dom::element e : values) {
      if (!first) out->push_back(',');
      first = false;
      AnyValueJson(e, out);
    }
    out->push_back(']');
    return;
  }
  if (v.at_pointer("/kvlistValue/values").get(values) == simdjson::SUCCESS) {
    out->push_back('{');
    bool first = true;
    for (dom::element kv : values) {
      if (!first) out->push_back(',');
      first = false;
      AppendJsonString(StringOr(kv, "key"), out);
      out->push_back(':');
      dom::element inner;
      if (kv["value"].get(inner) == simdjson::SUCCESS) {
        AnyValueJson(inner, out);
      } else {
        out->append("null");
      }
    }
    out->push_back('}');
    return;
  }
  if (v.is_object() || v.is_array()) {  // Already plain JSON (a flat export).
    out->append(ToJson(v));
    return;
  }
  out->append("null");
}

Value FromOtlp(dom::element v) {
  Value out;
  std::string_view s;
  if (v["stringValue"].get(s) == simdjson::SUCCESS) {
    out.text = std::string(s);
    out.is_string = true;
    return out;
  }
  dom::element x;
  if (v["intValue"].get(x) == simdjson::SUCCESS) {
    out.text = x.get(s) == simdjson::SUCCESS ? std::string(s) : ToJson(x);
    return out;
  }
  AnyValueJson(v, &out.text);
  out.is_json = !out.text.empty() && (out.text[0] == '[' || out.text[0] == '{');
  return out;
}

Value FromPlain(dom::element v) {
  Value out;
  std::string_view s;
  if (v.get(s) == simdjson::SUCCESS) {
    out.text = std::string(s);
    out.is_string = true;
  } else {
    out.text = ToJson(v);
    out.is_json = v.is_array() || v.is_object();
  }
  return out;
}

void ReadAttrs(dom::element attrs, std::map<std::string, Value>* out) {
  dom::array list;
  if (attrs.get(list) == simdjson::SUCCESS) {  // OTLP: [{"key", "value"}].
    for (dom::element kv : list) {
      dom::element v;
      if (kv["value"].get(v) != simdjson::SUCCESS) continue;
      (*out)[std::string(StringOr(kv, "key"))] = FromOtlp(v);
    }
    return;
  }
  dom::object obj;
  if (attrs.get(obj) == simdjson::SUCCESS) {  // Flat: {"key": value}.
    for (auto kv : obj) (*out)[std::string(kv.key)] = FromPlain(kv.value);
  }
}

int64_t NanosToMs(dom::element span, std::string_view key) {
  dom::element v;
  if (span[key].get(v) != simdjson::SUCCESS) return -1;
  std::string_view s;
  uint64_t n = 0;
  if (v.get(s) == simdjson::SUCCESS) {
    if (!absl::SimpleAtoi(base::ToAbsl(s), &n)) return ParseTimeMs(s).value_or(-1);
  } else if (v.get(n) != simdjson::SUCCESS) {
    return -1;
  }
  return static_cast<int64_t>(n / 1'000'000);
}

Span ReadSpan(dom::element s, const std::map<std::string, Value>& resource, std::string where) {
  Span span;
  span.where = std::move(where);
  span.attrs = resource;  // Span attributes override resource attributes.
  span.trace_id = std::string(StringOr(s, "traceId", StringOr(s, "trace_id")));
  span.span_id = std::string(StringOr(s, "spanId", StringOr(s, "span_id")));
  span.parent_id = std::string(
      StringOr(s, "parentSpanId", StringOr(s, "parent_span_id", StringOr(s, "parent_id"))));
  dom::element ctx;
  if (s["context"].get(ctx) == simdjson::SUCCESS) {  // Python's console exporter.
    if (span.trace_id.empty()) span.trace_id = std::string(StringOr(ctx, "trace_id"));
    if (span.span_id.empty()) span.span_id = std::string(StringOr(ctx, "span_id"));
  }
  span.name = std::string(StringOr(s, "name"));
  span.start_ms = NanosToMs(s, "startTimeUnixNano");
  if (span.start_ms < 0) span.start_ms = NanosToMs(s, "start_time_unix_nano");
  if (span.start_ms < 0) span.start_ms = TimeMsAt(s, "start_time").value_or(-1);
  dom::element attrs;
  if (s["attributes"].get(attrs) == simdjson::SUCCESS) ReadAttrs(attrs, &span.attrs);
  if (auto events = ArrayAt(s, "events")) {
    for (dom::element ev : *events) {
      Event e;
      e.name = std::string(StringOr(ev, "name"));
      if (ev["attributes"].get(attrs) == simdjson::SUCCESS) ReadAttrs(attrs, &e.attrs);
      dom::element body;  // Log-record style events carry their content in a body.
      if (ev["body"].get(body) == simdjson::SUCCESS) {
        e.attrs["body"] = IsAnyValue(body) ? FromOtlp(body) : FromPlain(body);
      }
      span.events.push_back(std::move(e));
    }
  }
  return span;
}

absl::Status CollectOtlp(dom::element doc, const std::string& where, std::vector<Span>* out) {
  dom::array rs;
  if (doc["resourceSpans"].get(rs) != simdjson::SUCCESS &&
      doc["resource_spans"].get(rs) != simdjson::SUCCESS) {
    return Invalid(where, "resourceSpans: expected an array");
  }
  size_t ri = 0;
  for (dom::element r : rs) {
    std::map<std::string, Value> resource;
    dom::element attrs;
    if (r.at_pointer("/resource/attributes").get(attrs) == simdjson::SUCCESS) {
      ReadAttrs(attrs, &resource);
    }
    dom::array scopes;
    if (r["scopeSpans"].get(scopes) != simdjson::SUCCESS &&
        r["scope_spans"].get(scopes) != simdjson::SUCCESS &&
        r["instrumentationLibrarySpans"].get(scopes) != simdjson::SUCCESS) {
      ++ri;
      continue;
    }
    size_t si = 0;
    for (dom::element sc : scopes) {
      if (auto spans = ArrayAt(sc, "spans")) {
        size_t k = 0;
        for (dom::element s : *spans) {
          out->push_back(ReadSpan(s, resource,
                                  absl::StrCat(where, "$.resourceSpans[", ri, "].scopeSpans[", si,
                                               "].spans[", k, "]")));
          ++k;
        }
      }
      ++si;
    }
    ++ri;
  }
  return absl::OkStatus();
}

const Value* Attr(const Span& s, std::string_view key) {
  auto it = s.attrs.find(std::string(key));
  return it == s.attrs.end() ? nullptr : &it->second;
}

std::string AttrText(const Span& s, std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys) {
    if (const Value* v = Attr(s, k); v != nullptr && !v->text.empty()) return v->text;
  }
  return "";
}

std::optional<uint64_t> AttrU64(const Span& s, std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys) {
    const Value* v = Attr(s, k);
    uint64_t n = 0;
    if (v != nullptr && absl::SimpleAtoi(v->text, &n)) return n;
  }
  return std::nullopt;
}

// Writes OpenAI-form messages for a list of GenAI "parts" messages (gen_ai.input.messages):
// [{"role", "parts": [{"type": "text", "content"}, {"type": "tool_call", "id", "name",
// "arguments"}, {"type": "tool_call_response", "id", "response" | "result"}]}].
absl::Status WritePartsMessages(std::string_view json, const std::string& where,
                                dom::parser& parser, BodyWriter* w) {
  dom::element root;
  if (simdjson::error_code err = parser.parse(std::string(json)).get(root); err) {
    return JsonError(where, json, err);
  }
  dom::array msgs;
  if (root.get(msgs) != simdjson::SUCCESS) return Invalid(where, "expected an array of messages");
  size_t i = 0;
  for (dom::element m : msgs) {
    const std::string mw = absl::StrCat(where, "[", i++, "]");
    std::string_view role;
    if (m["role"].get(role) != simdjson::SUCCESS) return Invalid(mw, "role: expected a string");
    std::string text, tool_calls;
    std::string_view call_id;
    dom::array parts;
    if (m["parts"].get(parts) != simdjson::SUCCESS) {
      // Some instrumentations keep OpenAI's "content" form.
      std::string_view content;
      if (m["content"].get(content) == simdjson::SUCCESS) text = std::string(content);
    } else {
      for (dom::element p : parts) {
        const std::string_view type = StringOr(p, "type");
        if (type == "text" || type == "reasoning") {
          text += StringOr(p, "content");
        } else if (type == "tool_call") {
          std::string args;
          dom::element a;
          if (p["arguments"].get(a) == simdjson::SUCCESS) {
            std::string_view as;
            args = a.get(as) == simdjson::SUCCESS ? std::string(as) : ToJson(a);
          }
          tool_calls += tool_calls.empty() ? "[" : ",";
          tool_calls += "{\"id\":";
          AppendJsonString(StringOr(p, "id"), &tool_calls);
          tool_calls += ",\"type\":\"function\",\"function\":{\"name\":";
          AppendJsonString(StringOr(p, "name"), &tool_calls);
          tool_calls += ",\"arguments\":";
          AppendJsonString(args, &tool_calls);
          tool_calls += "}}";
        } else if (type == "tool_call_response") {
          call_id = StringOr(p, "id");
          dom::element r;
          if (p["response"].get(r) == simdjson::SUCCESS ||
              p["result"].get(r) == simdjson::SUCCESS) {
            std::string_view rs;
            text += r.get(rs) == simdjson::SUCCESS ? std::string(rs) : ToJson(r);
          }
        }
      }
    }
    if (!tool_calls.empty()) tool_calls += "]";
    std::string r(role);
    if (r == "tool" && call_id.empty()) call_id = "call";
    w->TextMessage(r, text, "", r == "tool" ? call_id : "", tool_calls);
  }
  return absl::OkStatus();
}

// gen_ai.tool.definitions ([{"type": "function", "name", "description", "parameters"}]) as
// OpenAI tools.
std::string ToolsFromDefinitions(std::string_view json, dom::parser& parser) {
  dom::element root;
  if (parser.parse(std::string(json)).get(root) != simdjson::SUCCESS) return "";
  dom::array defs;
  if (root.get(defs) != simdjson::SUCCESS || defs.size() == 0) return "";
  std::string out = "[";
  bool first = true;
  for (dom::element d : defs) {
    dom::element fn = d;
    dom::element inner;
    if (d["function"].get(inner) == simdjson::SUCCESS) fn = inner;  // Already OpenAI form.
    if (!first) out += ",";
    first = false;
    out += "{\"type\":\"function\",\"function\":{\"name\":";
    AppendJsonString(StringOr(fn, "name"), &out);
    if (std::string_view desc = StringOr(fn, "description"); !desc.empty()) {
      out += ",\"description\":";
      AppendJsonString(desc, &out);
    }
    dom::element params;
    if (fn["parameters"].get(params) == simdjson::SUCCESS && params.is_object()) {
      out += ",\"parameters\":" + ToJson(params);
    }
    out += "}}";
  }
  return out + "]";
}

// The prompt of a chat span, in one of the three conventions, as a request body; the
// reply, if recorded, as another. Returns false when the span records no prompt.
absl::StatusOr<bool> SpanBodies(const Span& s, const std::string& model, dom::parser& parser,
                                std::string* prompt, std::string* reply) {
  BodyWriter w(model);
  bool any = false;
  // 1. Current conventions: structured attributes.
  if (const Value* sys = Attr(s, "gen_ai.system_instructions")) {
    dom::element root;
    std::string text;
    if (parser.parse(sys->text).get(root) == simdjson::SUCCESS && root.is_array()) {
      for (dom::element p : dom::array(root)) text += StringOr(p, "content");
    } else {
      text = sys->text;
    }
    w.TextMessage("system", text);
    any = true;
  }
  if (const Value* in = Attr(s, "gen_ai.input.messages")) {
    absl::Status st = WritePartsMessages(in->text, s.where + ": gen_ai.input.messages", parser, &w);
    if (!st.ok()) return st;
    any = true;
  }
  if (any) {
    if (const Value* defs = Attr(s, "gen_ai.tool.definitions")) {
      const std::string tools = ToolsFromDefinitions(defs->text, parser);
      if (!tools.empty()) w.Tools(tools);
    }
    *prompt = w.Finish();
    if (const Value* outm = Attr(s, "gen_ai.output.messages")) {
      BodyWriter r(model);
      absl::Status st =
          WritePartsMessages(outm->text, s.where + ": gen_ai.output.messages", parser, &r);
      if (!st.ok()) return st;
      if (r.messages() > 0) *reply = r.Finish();
    }
    return true;
  }

  // 2. Span events (conventions up to 1.36).
  BodyWriter r(model);
  for (const Event& e : s.events) {
    auto get = [&](std::string_view k) -> std::string {
      auto it = e.attrs.find(std::string(k));
      return it == e.attrs.end() ? "" : it->second.text;
    };
    std::string role;
    if (e.name == "gen_ai.system.message") role = "system";
    if (e.name == "gen_ai.user.message") role = "user";
    if (e.name == "gen_ai.assistant.message") role = "assistant";
    if (e.name == "gen_ai.tool.message") role = "tool";
    if (e.name == "gen_ai.content.prompt" || e.name == "gen_ai.content.completion") {
      // Semantic conventions 1.26: the messages as JSON text.
      const std::string json =
          get(e.name == "gen_ai.content.prompt" ? "gen_ai.prompt" : "gen_ai.completion");
      dom::element root;
      if (!json.empty() && parser.parse(json).get(root) == simdjson::SUCCESS && root.is_array()) {
        BodyWriter& target = e.name == "gen_ai.content.prompt" ? w : r;
        for (dom::element m : dom::array(root)) {
          std::string_view content;
          if (m["content"].get(content) != simdjson::SUCCESS) content = "";
          target.TextMessage(StringOr(m, "role", "user"), content);
        }
        any = true;
      }
      continue;
    }
    if (role.empty() && e.name != "gen_ai.choice") continue;
    std::string content = get("content");
    std::string tool_calls = get("tool_calls");
    std::string id = get("id");
    const std::string body = get("body");
    if (!body.empty() && content.empty()) {
      dom::element b;
      if (parser.parse(body).get(b) == simdjson::SUCCESS && b.is_object()) {
        dom::element msg = b;
        dom::element inner;
        if (b["message"].get(inner) == simdjson::SUCCESS) msg = inner;
        content = std::string(StringOr(msg, "content"));
        if (auto tc = ArrayAt(msg, "tool_calls")) tool_calls = ToJson(*tc);
        if (id.empty()) id = std::string(StringOr(b, "id"));
      } else {
        content = body;
      }
    }
    if (e.name == "gen_ai.choice") {
      const std::string msg = get("message");
      dom::element m;
      if (!msg.empty() && parser.parse(msg).get(m) == simdjson::SUCCESS && m.is_object()) {
        content = std::string(StringOr(m, "content"));
        if (auto tc = ArrayAt(m, "tool_calls")) tool_calls = ToJson(*tc);
      }
      r.TextMessage("assistant", content, "", "", tool_calls);
      continue;
    }
    w.TextMessage(role, content, "", role == "tool" ? (id.empty() ? "call" : id) : "",
                  role == "assistant" ? tool_calls : "");
    any = true;
  }
  if (any) {
    *prompt = w.Finish();
    if (r.messages() > 0) *reply = r.Finish();
    return true;
  }

  // 3. OpenLLMetry: gen_ai.prompt.N.role / .content, gen_ai.completion.N.*.
  auto indexed = [&](std::string_view prefix, BodyWriter* bw) {
    bool found = false;
    for (int i = 0;; ++i) {
      const std::string p = absl::StrCat(std::string(prefix), ".", i, ".");
      const Value* role = Attr(s, p + "role");
      const Value* content = Attr(s, p + "content");
      if (role == nullptr && content == nullptr) break;
      found = true;
      std::string tool_calls;
      for (int j = 0;; ++j) {
        const std::string tp = absl::StrCat(p, "tool_calls.", j, ".");
        const Value* name = Attr(s, tp + "name");
        if (name == nullptr) break;
        const Value* args = Attr(s, tp + "arguments");
        const Value* id = Attr(s, tp + "id");
        tool_calls += tool_calls.empty() ? "[" : ",";
        tool_calls += "{\"id\":";
        AppendJsonString(id ? id->text : "call", &tool_calls);
        tool_calls += ",\"type\":\"function\",\"function\":{\"name\":";
        AppendJsonString(name->text, &tool_calls);
        tool_calls += ",\"arguments\":";
        AppendJsonString(args ? args->text : "{}", &tool_calls);
        tool_calls += "}}";
      }
      if (!tool_calls.empty()) tool_calls += "]";
      const std::string r = role ? role->text : "user";
      const Value* call_id = Attr(s, p + "tool_call_id");
      bw->TextMessage(r, content ? content->text : "", "",
                      r == "tool" ? (call_id ? call_id->text : "call") : "", tool_calls);
    }
    return found;
  };
  if (indexed("gen_ai.prompt", &w)) {
    std::string tools;
    for (int i = 0;; ++i) {
      const std::string p = absl::StrCat("llm.request.functions.", i, ".");
      const Value* name = Attr(s, p + "name");
      if (name == nullptr) break;
      tools += tools.empty() ? "[" : ",";
      tools += "{\"type\":\"function\",\"function\":{\"name\":";
      AppendJsonString(name->text, &tools);
      if (const Value* d = Attr(s, p + "description")) {
        tools += ",\"description\":";
        AppendJsonString(d->text, &tools);
      }
      if (const Value* params = Attr(s, p + "parameters")) {
        dom::element pe;
        if (parser.parse(params->text).get(pe) == simdjson::SUCCESS && pe.is_object()) {
          tools += ",\"parameters\":" + ToJson(pe);
        }
      }
      tools += "}}";
    }
    if (!tools.empty()) w.Tools(tools + "]");
    *prompt = w.Finish();
    BodyWriter rr(model);
    if (indexed("gen_ai.completion", &rr)) *reply = rr.Finish();
    return true;
  }
  return false;
}

bool IsChatSpan(const Span& s) {
  const std::string op = AttrText(s, {"gen_ai.operation.name", "llm.request.type"});
  if (op == "chat" || op == "text_completion" || op == "generate_content" || op == "completion") {
    return true;
  }
  if (!op.empty()) return false;  // execute_tool, invoke_agent, embeddings, ...
  return Attr(s, "gen_ai.request.model") != nullptr || Attr(s, "gen_ai.system") != nullptr;
}

}  // namespace

absl::Status ReadOtel(std::string_view bytes, Trace* out) {
  dom::parser parser;
  std::vector<Span> spans;
  dom::element root;
  size_t start = 0;
  while (start < bytes.size() && (bytes[start] == ' ' || bytes[start] == '\n' ||
                                  bytes[start] == '\r' || bytes[start] == '\t')) {
    ++start;
  }
  const std::string_view s = bytes.substr(start);
  if (parser.parse(s.data(), s.size()).get(root) == simdjson::SUCCESS) {
    dom::array list;
    if (root.get(list) == simdjson::SUCCESS) {
      size_t i = 0;
      for (dom::element e : list) {
        if (HasKey(e, "resourceSpans") || HasKey(e, "resource_spans")) {
          absl::Status st = CollectOtlp(e, absl::StrCat("[", i, "]"), &spans);
          if (!st.ok()) return st;
        } else {
          spans.push_back(ReadSpan(e, {}, absl::StrCat("$[", i, "]")));
        }
        ++i;
      }
    } else if (auto sp = ArrayAt(root, "spans")) {
      size_t i = 0;
      for (dom::element e : *sp)
        spans.push_back(ReadSpan(e, {}, absl::StrCat("$.spans[", i++, "]")));
    } else {
      absl::Status st = CollectOtlp(root, "", &spans);
      if (!st.ok()) return st;
    }
  } else {
    // OTLP/JSON lines (the collector's file exporter writes one export request per line).
    size_t line_no = 0;
    std::string_view rest = s;
    while (!rest.empty()) {
      ++line_no;
      const size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
      bool blank = true;
      for (char c : line) blank = blank && (c == ' ' || c == '\r' || c == '\t');
      if (blank) continue;
      const std::string where = absl::StrCat("line ", line_no, ": ");
      if (simdjson::error_code err = parser.parse(line.data(), line.size()).get(root); err) {
        return JsonError(absl::StrCat("line ", line_no), line, err);
      }
      absl::Status st = CollectOtlp(root, where, &spans);
      if (!st.ok()) return st;
    }
  }

  std::map<std::string, const Span*> by_id;
  for (const Span& sp : spans) by_id[sp.trace_id + "/" + sp.span_id] = &sp;
  // An attribute of the span or its nearest ancestor that has it (agents and sessions are
  // usually set on the invoke_agent span around the chat spans).
  auto inherited = [&](const Span& sp, std::initializer_list<std::string_view> keys) {
    const Span* cur = &sp;
    for (int depth = 0; cur != nullptr && depth < 64; ++depth) {
      std::string v = AttrText(*cur, keys);
      if (!v.empty()) return v;
      if (cur->parent_id.empty()) break;
      auto it = by_id.find(cur->trace_id + "/" + cur->parent_id);
      cur = it == by_id.end() ? nullptr : it->second;
    }
    return std::string();
  };

  std::vector<const Span*> chats;
  for (const Span& sp : spans) {
    if (IsChatSpan(sp)) chats.push_back(&sp);
  }
  std::stable_sort(chats.begin(), chats.end(),
                   [](const Span* a, const Span* b) { return a->start_ms < b->start_ms; });
  size_t without_prompt = 0;
  for (const Span* sp : chats) {
    const std::string model = AttrText(*sp, {"gen_ai.request.model", "gen_ai.response.model"});
    std::string prompt, reply;
    absl::StatusOr<bool> got = SpanBodies(*sp, model, parser, &prompt, &reply);
    if (!got.ok()) return got.status();
    if (!*got) {
      ++without_prompt;
      continue;
    }
    absl::StatusOr<ChatRequest> req = ParseBody(prompt, sp->where, ChatFormat::kOpenAIChat);
    if (!req.ok()) return req.status();
    TraceCall c;
    c.where = sp->where;
    c.model = model;
    c.time_ms = sp->start_ms;
    c.agent = inherited(*sp, {"gen_ai.agent.name", "agent.name"});
    c.thread = inherited(*sp, {"gen_ai.conversation.id", "session.id", "gen_ai.session.id"});
    c.workflow = inherited(*sp, {"traceloop.workflow.name", "gen_ai.workflow.name"});
    if (c.workflow.empty() && !sp->trace_id.empty()) {
      c.workflow = "trace " + sp->trace_id.substr(0, 8);
    }
    c.user = inherited(*sp, {"user.id", "enduser.id", "gen_ai.user.id"});
    c.request = static_cast<uint32_t>(out->requests.size());
    c.prompt_messages = static_cast<uint32_t>(req->messages.size());
    out->requests.push_back(std::move(*req));
    if (!reply.empty()) {
      absl::StatusOr<ChatRequest> r =
          ParseBody(reply, sp->where + ": reply", ChatFormat::kOpenAIChat);
      if (!r.ok()) return r.status();
      if (!r->messages.empty()) {
        c.output_request = static_cast<int32_t>(out->requests.size());
        c.output_count = static_cast<uint32_t>(r->messages.size());
        out->requests.push_back(std::move(*r));
      }
    }
    const auto in = AttrU64(*sp, {"gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens",
                                  "llm.usage.prompt_tokens"});
    const auto outt = AttrU64(*sp, {"gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens",
                                    "llm.usage.completion_tokens"});
    if (in || outt) {
      // The conventions count cached tokens inside input_tokens.
      BilledCall b;
      b.source = "span gen_ai.usage";
      const uint64_t read = AttrU64(*sp, {"gen_ai.usage.cache_read.input_tokens",
                                          "gen_ai.usage.cache_read_input_tokens"})
                                .value_or(0);
      const uint64_t write = AttrU64(*sp, {"gen_ai.usage.cache_creation.input_tokens",
                                           "gen_ai.usage.cache_creation_input_tokens"})
                                 .value_or(0);
      const uint64_t total_in = in.value_or(0);
      if (read + write > total_in) {
        return Invalid(sp->where, "gen_ai.usage: cached tokens exceed input_tokens");
      }
      b.usage.uncached_input = total_in - read - write;
      b.usage.cache_read = read;
      b.usage.cache_write_5m = write;
      b.usage.output = outt.value_or(0);
      c.billed = std::move(b);
    }
    out->calls.push_back(std::move(c));
  }
  if (out->calls.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(spans.size(),
                     " spans, none a GenAI chat span with its prompt recorded (content capture "
                     "is opt-in: OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true)"));
  }
  if (without_prompt > 0) {
    out->notes.push_back(
        absl::StrCat(without_prompt, " chat spans record no prompt content and were skipped"));
  }
  return absl::OkStatus();
}

}  // namespace tokwise::report_internal
