// Helpers shared by the trace readers.
#include "report/trace_common.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <functional>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/json.h"

namespace tokwise::report_internal {

std::string ToJson(dom::element e) { return simdjson::minify(e); }
std::string ToJson(dom::array a) { return simdjson::minify(a); }
std::string ToJson(dom::object o) { return simdjson::minify(o); }

BodyWriter::BodyWriter(std::string_view model) {
  body_ = "{";
  if (!model.empty()) {
    body_ += "\"model\":";
    AppendJsonString(model, &body_);
    body_ += ",";
  }
  body_ += "\"messages\":[";
}

void BodyWriter::Message(std::string_view role, std::string_view content_json,
                         std::string_view name, std::string_view tool_call_id,
                         std::string_view tool_calls_json) {
  if (messages_++ > 0) body_ += ",";
  body_ += "{\"role\":";
  AppendJsonString(role, &body_);
  body_ += ",\"content\":";
  body_.append(content_json.empty() ? std::string_view("null") : content_json);
  if (!name.empty()) {
    body_ += ",\"name\":";
    AppendJsonString(name, &body_);
  }
  if (!tool_call_id.empty()) {
    body_ += ",\"tool_call_id\":";
    AppendJsonString(tool_call_id, &body_);
  }
  if (!tool_calls_json.empty()) {
    body_ += ",\"tool_calls\":";
    body_.append(tool_calls_json);
  }
  body_ += "}";
}

void BodyWriter::TextMessage(std::string_view role, std::string_view text, std::string_view name,
                             std::string_view tool_call_id, std::string_view tool_calls_json) {
  // An assistant message that only calls tools has no content (null), as OpenAI sends it.
  if (text.empty() && !tool_calls_json.empty()) {
    Message(role, "null", name, tool_call_id, tool_calls_json);
    return;
  }
  std::string content;
  content.reserve(text.size() + 2);
  AppendJsonString(text, &content);
  Message(role, content, name, tool_call_id, tool_calls_json);
}

void BodyWriter::Tools(std::string_view tools_json) { tools_ = std::string(tools_json); }

std::string BodyWriter::Finish() {
  body_ += "]";
  if (!tools_.empty()) {
    body_ += ",\"tools\":";
    body_ += tools_;
  }
  body_ += "}";
  return std::move(body_);
}

std::string_view StringOr(dom::element e, std::string_view key, std::string_view fallback) {
  std::string_view v;
  if (e.is_object() && e[key].get(v) == simdjson::SUCCESS) return v;
  return fallback;
}

std::optional<uint64_t> U64At(dom::element e, std::string_view key) {
  if (!e.is_object()) return std::nullopt;
  dom::element v;
  if (e[key].get(v) != simdjson::SUCCESS) return std::nullopt;
  uint64_t u = 0;
  if (v.get(u) == simdjson::SUCCESS) return u;
  double d = 0;
  // Some loggers write counts as floats (1.0e3); accept exact non-negative integers only.
  if (v.get(d) == simdjson::SUCCESS && d >= 0 && d < 9.007199254740992e15 &&
      d == static_cast<double>(static_cast<uint64_t>(d))) {
    return static_cast<uint64_t>(d);
  }
  return std::nullopt;
}

std::optional<dom::object> ObjectAt(dom::element e, std::string_view key) {
  dom::object o;
  if (e.is_object() && e[key].get(o) == simdjson::SUCCESS) return o;
  return std::nullopt;
}

std::optional<dom::array> ArrayAt(dom::element e, std::string_view key) {
  dom::array a;
  if (e.is_object() && e[key].get(a) == simdjson::SUCCESS) return a;
  return std::nullopt;
}

namespace {

bool Digits(std::string_view s, size_t at, size_t n, int* out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::optional<int64_t> ParseTimeMs(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (!Digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d)) {
    // Unix seconds, possibly fractional.
    char* end = nullptr;
    const std::string t(s);
    const double v = std::strtod(t.c_str(), &end);
    if (end == t.c_str() || *end != '\0' || !(v >= 0) || v > 1e13) return std::nullopt;
    return static_cast<int64_t>(v * 1000.0 + 0.5);
  }
  size_t at = 10;
  int64_t ms = 0;
  if (at < s.size() && (s[at] == 'T' || s[at] == ' ')) {
    if (!Digits(s, at + 1, 2, &h) || s.size() < at + 6 || s[at + 3] != ':' ||
        !Digits(s, at + 4, 2, &mi)) {
      return std::nullopt;
    }
    at += 6;
    if (at < s.size() && s[at] == ':') {
      if (!Digits(s, at + 1, 2, &se)) return std::nullopt;
      at += 3;
    }
    if (at < s.size() && (s[at] == '.' || s[at] == ',')) {
      ++at;
      int64_t scale = 100;
      while (at < s.size() && std::isdigit(static_cast<unsigned char>(s[at]))) {
        ms += (s[at] - '0') * scale;
        scale /= 10;
        ++at;
      }
    }
  }
  int64_t offset_min = 0;
  if (at < s.size()) {
    if (s[at] == 'Z' || s[at] == 'z') {
      ++at;
    } else if (s[at] == '+' || s[at] == '-') {
      int oh = 0, om = 0;
      if (!Digits(s, at + 1, 2, &oh)) return std::nullopt;
      size_t next = at + 3;
      if (next < s.size() && s[next] == ':') ++next;
      if (next < s.size() && !Digits(s, next, 2, &om)) return std::nullopt;
      offset_min = (s[at] == '-' ? -1 : 1) * (oh * 60 + om);
      at = s.size();
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi - offset_min) * 60'000 + se * 1000 + ms;
}

std::optional<int64_t> TimeMsAt(dom::element e, std::string_view key) {
  if (!e.is_object()) return std::nullopt;
  dom::element v;
  if (e[key].get(v) != simdjson::SUCCESS) return std::nullopt;
  std::string_view s;
  if (v.get(s) == simdjson::SUCCESS) return ParseTimeMs(s);
  double d = 0;
  if (v.get(d) == simdjson::SUCCESS && d >= 0 && d < 1e13) {
    return static_cast<int64_t>(d * 1000.0 + 0.5);
  }
  return std::nullopt;
}

std::optional<PicoUsd> ParseUsdPico(std::string_view text) {
  if (text.empty()) return std::nullopt;
  size_t i = 0;
  int64_t whole = 0;
  bool any = false;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    if (whole > 9'000'000) return std::nullopt;
    whole = whole * 10 + (text[i] - '0');
    any = true;
  }
  int64_t frac = 0;
  int digits = 0;
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      if (digits == 12) {
        if (text[i] != '0') return std::nullopt;  // Finer than a pico-dollar.
        continue;
      }
      frac = frac * 10 + (text[i] - '0');
      ++digits;
      any = true;
    }
  }
  // Exponents ("5e-05") are how Python writes small floats.
  int exp = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) neg = text[i++] == '-';
    int e = 0;
    bool ed = false;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      e = e * 10 + (text[i] - '0');
      ed = true;
      if (e > 30) return std::nullopt;
    }
    if (!ed) return std::nullopt;
    exp = neg ? -e : e;
  }
  if (!any || i != text.size()) return std::nullopt;
  // value = (whole . frac) * 10^exp, in pico-dollars: an integer when exactly representable.
  __int128 v = static_cast<__int128>(whole);
  for (int k = 0; k < digits; ++k) v *= 10;
  v += frac;
  int scale = 12 - digits + exp;  // Multiply v by 10^scale.
  for (; scale > 0; --scale) {
    v *= 10;
    if (v > static_cast<__int128>(INT64_MAX)) return std::nullopt;
  }
  for (; scale < 0; ++scale) {
    if (v % 10 != 0) return std::nullopt;
    v /= 10;
  }
  if (v > static_cast<__int128>(INT64_MAX)) return std::nullopt;
  return static_cast<PicoUsd>(v);
}

absl::Status Prefix(std::string_view name, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat(std::string(name), ": ", std::string(s.message())));
}

absl::Status Invalid(std::string_view name, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(name), ": ", std::string(what)));
}

absl::Status JsonError(std::string_view name, std::string_view text, simdjson::error_code code,
                       std::string_view where) {
  std::string msg = absl::StrCat(std::string(name), ": ");
  if (!where.empty()) absl::StrAppend(&msg, std::string(where), ": ");
  absl::StrAppend(&msg, "malformed JSON (", simdjson::error_message(code), ")");
  // simdjson's DOM parser does not say where; find the first structural problem by a cheap
  // scan for an unbalanced bracket or an unterminated string, and name its line.
  size_t line = 1, col = 1, depth = 0;
  bool in_string = false, escaped = false;
  size_t err_line = 0, err_col = 0;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      } else if (c == '\n') {
        err_line = line;
        err_col = col;
        break;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) {
        err_line = line;
        err_col = col;
        break;
      }
      --depth;
    }
    if (c == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  if (err_line == 0 && (in_string || depth > 0)) {
    err_line = line;
    err_col = col;
    absl::StrAppend(&msg, " at line ", err_line, ", column ", err_col,
                    in_string ? ": unterminated string" : ": unexpected end of input");
  } else if (err_line > 0) {
    absl::StrAppend(&msg, " near line ", err_line, ", column ", err_col);
  }
  return absl::InvalidArgumentError(msg);
}

absl::StatusOr<ChatRequest> ParseBody(std::string_view body, std::string_view where,
                                      ChatFormat format) {
  absl::StatusOr<ChatRequest> r = ParseChatRequest(body, format);
  if (!r.ok()) return Prefix(where, r.status());
  return r;
}

void AddConversationCalls(uint32_t request_index, bool trailing_call, const TraceCall& base,
                          const std::function<std::string(uint32_t)>& where, Trace* out) {
  const ChatRequest& req = out->requests[request_index];
  const uint32_t n = static_cast<uint32_t>(req.messages.size());
  uint32_t last_reply_end = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const ChatMessage& m = req.messages[i];
    // A reply needs a prompt: an assistant message opening the history (a canned greeting)
    // was not written by a call.
    if (m.role != Role::kAssistant || m.section == Section::kSystem || i == 0) continue;
    TraceCall c = base;
    c.request = request_index;
    c.prompt_messages = i;
    c.output_request = static_cast<int32_t>(request_index);
    c.output_message = i;
    c.output_count = 1;
    c.where = where(i);
    out->calls.push_back(std::move(c));
    last_reply_end = i + 1;
  }
  if (trailing_call && last_reply_end < n) {
    TraceCall c = base;
    c.request = request_index;
    c.prompt_messages = n;
    c.where = where(n);
    out->calls.push_back(std::move(c));
  }
}

}  // namespace tokwise::report_internal
