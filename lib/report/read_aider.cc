// aider chat transcripts (.aider.chat.history.md).
//
// The transcript is markdown: "# aider chat started at <time>" opens a session; lines of
// aider's own output start with "> " (its first line only, when the output spans lines);
// the user's input lines start with "#### "; the model's reply is the plain text that
// follows the input, up to aider's next output line. After a reply aider prints
// "> Tokens: 5,244 sent, 604 received. Cost: ..." (newer versions add "N cache write" and
// "N cache hit" and abbreviate large counts as "12k").
#include <cctype>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "report/trace_common.h"

namespace tokwise::report_internal {

namespace {

std::string_view StripLineEnd(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Markdown hard breaks: aider ends its own lines with two spaces.
  while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
  return line;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "5,244" -> 5244; "12.3k" -> 12300 (approximate); "1.2M".
std::optional<uint64_t> ParseCount(std::string_view s, bool* approximate) {
  double v = 0, scale = 1;
  bool any = false, frac = false;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      if (frac) {
        scale /= 10;
        v += (c - '0') * scale;
      } else {
        v = v * 10 + (c - '0');
      }
      any = true;
    } else if (c == ',') {
      continue;
    } else if (c == '.') {
      frac = true;
    } else if (c == 'k' || c == 'K') {
      v *= 1000;
      *approximate = true;
    } else if (c == 'M') {
      v *= 1'000'000;
      *approximate = true;
    } else {
      return std::nullopt;
    }
  }
  if (!any) return std::nullopt;
  if (frac) *approximate = true;
  return static_cast<uint64_t>(v + 0.5);
}

// "> Tokens: 5,244 sent, 604 received. Cost: ..." -> usage.
std::optional<BilledCall> ParseTokensLine(std::string_view line) {
  constexpr std::string_view kHead = "> Tokens: ";
  if (!StartsWith(line, kHead)) return std::nullopt;
  line.remove_prefix(kHead.size());
  const size_t end = line.find(". ");
  if (end != std::string_view::npos) line = line.substr(0, end);
  if (!line.empty() && line.back() == '.') line.remove_suffix(1);
  BilledCall b;
  b.source = "aider '> Tokens:' line";
  uint64_t sent = 0, write = 0, hit = 0, received = 0;
  bool have_sent = false, have_received = false;
  while (!line.empty()) {
    const size_t comma = line.find(", ");
    std::string_view item = line.substr(0, comma);
    line.remove_prefix(comma == std::string_view::npos ? line.size() : comma + 2);
    const size_t sp = item.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    auto n = ParseCount(item.substr(0, sp), &b.approximate);
    if (!n) return std::nullopt;
    const std::string_view what = item.substr(sp + 1);
    if (what == "sent") {
      sent = *n;
      have_sent = true;
    } else if (what == "received") {
      received = *n;
      have_received = true;
    } else if (what == "cache write") {
      write = *n;
    } else if (what == "cache hit") {
      hit = *n;
    }
  }
  if (!have_sent || !have_received) return std::nullopt;
  // aider adds the cache figures beside "sent" (Anthropic's convention).
  b.usage.uncached_input = sent;
  b.usage.cache_write_5m = write;
  b.usage.cache_read = hit;
  b.usage.output = received;
  return b;
}

// "> Model: gpt-4o-mini with whole edit format" / "> Models: X with diff edit format, weak
// model Y" / "> Main model: X with ..." -> X.
std::string ModelFromLine(std::string_view line) {
  for (std::string_view head : {"> Model: ", "> Models: ", "> Main model: "}) {
    if (!StartsWith(line, head)) continue;
    std::string_view rest = line.substr(head.size());
    const size_t end = rest.find_first_of(" ,");
    return std::string(rest.substr(0, end));
  }
  return "";
}

struct Turn {
  std::string role;  // "user" / "assistant"
  std::string text;
};

struct Session {
  std::string name;
  std::string model;
  int64_t time_ms = -1;
  std::vector<Turn> history;  // What later calls re-send.
  // Calls of the open request: index of the reply in `history` (or of the last user
  // message, for a call whose reply is not in the transcript), and their billed usage.
  struct Call {
    uint32_t prompt;
    bool has_reply;
    std::optional<BilledCall> billed;
    std::string where;
  };
  std::vector<Call> calls;
  int part = 0;  // Requests flushed so far in this session.
};

void Flush(Session* s, Trace* out, std::vector<std::string>* errors) {
  if (s->calls.empty()) return;
  BodyWriter w(s->model);
  for (const Turn& t : s->history) w.TextMessage(t.role, t.text);
  absl::StatusOr<ChatRequest> req =
      ParseBody(w.Finish(), absl::StrCat(s->name, " (rebuilt)"), ChatFormat::kOpenAIChat);
  if (!req.ok()) {
    errors->push_back(std::string(req.status().message()));
    s->calls.clear();
    return;
  }
  const uint32_t ri = static_cast<uint32_t>(out->requests.size());
  out->requests.push_back(std::move(*req));
  for (Session::Call& c : s->calls) {
    TraceCall t;
    t.request = ri;
    t.prompt_messages = c.prompt;
    if (c.has_reply) {
      t.output_request = static_cast<int32_t>(ri);
      t.output_message = c.prompt;
      t.output_count = 1;
    }
    // Parts of a session (split by a model switch or /clear) stay one thread: the report
    // sees from the messages whether the history was carried over.
    t.thread = s->name;
    t.agent = "aider";
    t.workflow = s->name;
    t.model = s->model;
    t.time_ms = s->time_ms;
    t.billed = std::move(c.billed);
    t.where = std::move(c.where);
    out->calls.push_back(std::move(t));
  }
  s->calls.clear();
  ++s->part;
}

}  // namespace

absl::Status ReadAider(std::string_view bytes, Trace* out) {
  std::vector<std::string_view> lines;
  {
    size_t start = 0;
    while (start < bytes.size()) {
      const size_t nl = bytes.find('\n', start);
      const size_t end = nl == std::string_view::npos ? bytes.size() : nl;
      std::string_view l = bytes.substr(start, end - start);
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      lines.push_back(l);
      start = end + 1;
    }
  }
  auto is_header = [&](size_t k) { return StartsWith(lines[k], "# aider chat started at"); };
  auto is_output = [&](size_t k) { return lines[k] == ">" || StartsWith(lines[k], "> "); };
  auto is_user = [&](size_t k) { return StartsWith(lines[k], "####"); };
  auto blank = [&](size_t k) { return StripLineEnd(lines[k]).empty(); };

  std::vector<std::string> errors;
  Session s;
  s.name = "before the first session";
  int sessions = 0;
  size_t commands = 0, reflections = 0;
  // The user's last turn, not yet answered, and aider's output since the last reply (what a
  // reflection, e.g. "fix the lint errors", sends back to the model).
  std::string pending_user;
  size_t pending_line = 0;
  std::string aider_output;
  bool after_user = false;  // Only blank lines since the user's turn.

  size_t i = 0;
  while (i < lines.size()) {
    if (is_header(i)) {
      Flush(&s, out, &errors);
      s = Session();
      ++sessions;
      std::string_view when = StripLineEnd(lines[i].substr(23));
      while (!when.empty() && when[0] == ' ') when.remove_prefix(1);
      s.name = absl::StrCat("session ", sessions, " (", std::string(when), ")");
      s.time_ms = ParseTimeMs(when).value_or(-1);
      pending_user.clear();
      aider_output.clear();
      after_user = false;
      ++i;
      continue;
    }
    if (is_output(i)) {
      const std::string_view l = StripLineEnd(lines[i]);
      if (std::string m = ModelFromLine(l); !m.empty()) {
        if (!s.model.empty() && m != s.model) Flush(&s, out, &errors);
        s.model = m;
      }
      if (!StartsWith(l, "> Tokens: ")) {
        std::string_view text = l.size() > 2 ? l.substr(2) : std::string_view();
        if (!aider_output.empty()) aider_output += "\n";
        aider_output.append(text.data(), text.size());
      }
      after_user = false;
      ++i;
      continue;
    }
    if (is_user(i)) {
      pending_line = i + 1;
      pending_user.clear();
      while (i < lines.size() && is_user(i)) {
        std::string_view l = StripLineEnd(lines[i]);
        l.remove_prefix(4);
        if (!l.empty() && l[0] == ' ') l.remove_prefix(1);
        if (!pending_user.empty()) pending_user += "\n";
        pending_user.append(l.data(), l.size());
        ++i;
      }
      aider_output.clear();
      after_user = true;
      const std::string_view cmd(pending_user);
      if (StartsWith(cmd, "/clear") || StartsWith(cmd, "/reset")) {
        Flush(&s, out, &errors);
        s.history.clear();
        pending_user.clear();
        ++commands;
      } else if (StartsWith(cmd, "/model ")) {
        Flush(&s, out, &errors);
        std::string_view m = cmd.substr(7);
        while (!m.empty() && m[0] == ' ') m.remove_prefix(1);
        s.model = std::string(m.substr(0, m.find_first_of(" \n")));
        pending_user.clear();
        ++commands;
      }
      continue;
    }
    if (blank(i)) {
      ++i;
      continue;
    }
    // A block of plain text. It is a reply when it follows the user's turn directly or when
    // aider's "> Tokens:" line follows it; otherwise it continues aider's own output (a
    // repo map, a diff) printed without the "> " prefix.
    const size_t begin = i;
    while (i < lines.size() && !is_header(i) && !is_output(i) && !is_user(i)) ++i;
    size_t end = i;
    while (end > begin && blank(end - 1)) --end;
    std::optional<BilledCall> billed;
    if (i < lines.size() && is_output(i)) billed = ParseTokensLine(StripLineEnd(lines[i]));
    if (!after_user && !billed) {
      for (size_t k = begin; k < end; ++k) {
        if (!aider_output.empty()) aider_output += "\n";
        aider_output.append(lines[k].data(), lines[k].size());
      }
      continue;
    }
    std::string reply;
    for (size_t k = begin; k < end; ++k) {
      if (k > begin) reply += "\n";
      reply.append(lines[k].data(), lines[k].size());
    }
    // The message this reply answers: the user's turn, or (a reflection) aider's output.
    std::string prompt;
    size_t where_line = begin + 1;
    const bool command = !pending_user.empty() && pending_user[0] == '/';
    if (after_user && !command) {
      prompt = std::move(pending_user);
      where_line = pending_line;
    } else if (command) {
      // /ask, /code, /architect, /help send their argument; other commands (/test, /run)
      // send the output they added to the chat.
      const size_t sp = pending_user.find(' ');
      const std::string_view name = std::string_view(pending_user).substr(0, sp);
      if (name == "/ask" || name == "/code" || name == "/architect" || name == "/help") {
        prompt = sp == std::string::npos ? "" : pending_user.substr(sp + 1);
      } else {
        prompt = aider_output.empty() ? pending_user : aider_output;
      }
      where_line = pending_line;
    } else {
      prompt = aider_output;
      ++reflections;
    }
    pending_user.clear();
    aider_output.clear();
    after_user = false;
    if (!prompt.empty()) s.history.push_back({"user", prompt});
    Session::Call c;
    c.prompt = static_cast<uint32_t>(s.history.size());
    c.has_reply = true;
    c.billed = std::move(billed);
    c.where = absl::StrCat("line ", where_line);
    s.calls.push_back(std::move(c));
    s.history.push_back({"assistant", reply});
  }
  Flush(&s, out, &errors);
  if (!errors.empty()) return absl::InvalidArgumentError(errors.front());
  if (out->calls.empty()) {
    return absl::InvalidArgumentError("no model calls: no '#### ' user turn with a reply");
  }
  // TODO: aider sends, with every request, its system prompt (edit-format instructions and
  // examples), the repository map and the full text of the files added to the chat, none of
  // which the transcript records; it also summarizes old history in the background. The
  // rebuilt prompts hold only the conversation, so they fall far short of aider's own
  // "Tokens: N sent" figures, which the report shows beside them.
  out->notes.push_back(absl::StrCat(
      "aider transcript: ", sessions, " sessions, ", out->calls.size(), " replies (", reflections,
      " of them answering aider's own follow-ups such as lint errors); prompts hold only the "
      "conversation (aider's system prompt, repo map and added files are not in the "
      "transcript)"));
  (void)commands;
  return absl::OkStatus();
}

}  // namespace tokwise::report_internal
