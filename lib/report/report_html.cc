// The report as one self-contained HTML page: lib/report/data/report.html (compiled in) with
// the report's JSON and a title filled in.
//
// TODO: the page draws one bar group per call and embeds every call's JSON; past a few
// thousand calls the bars get thinner than a pixel and the page grows to megabytes. Grouping
// calls into buckets beyond a limit would keep it light; until then, very long traces are
// better read with --json.
#include <string>

#include "tokwise/report.h"

namespace tokwise {
namespace report_internal {
std::string_view ReportHtmlTemplate();  // Generated from data/report.html.
}  // namespace report_internal

namespace {

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// JSON placed inside <script>: "</" would end the element early, and U+2028 / U+2029 are
// line terminators in older JavaScript; JSON allows all of them escaped.
std::string ScriptSafe(std::string_view json) {
  std::string out;
  out.reserve(json.size() + 16);
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '<' && i + 1 < json.size() && json[i + 1] == '/') {
      out += "<\\/";
      ++i;
    } else if (c == '\xE2' && i + 2 < json.size() && json[i + 1] == '\x80' &&
               (json[i + 2] == '\xA8' || json[i + 2] == '\xA9')) {
      out += json[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void ReplaceOnce(std::string* s, std::string_view what, std::string_view with) {
  const size_t at = s->find(what);
  if (at != std::string::npos) s->replace(at, what.size(), with);
}

}  // namespace

std::string ReportToHtml(const Report& report, std::string_view title) {
  std::string page(report_internal::ReportHtmlTemplate());
  std::string t(title);
  if (t.empty()) {
    t = "tokwise report";
    if (report.traces.size() == 1) t += ": " + report.traces[0].name;
  }
  ReplaceOnce(&page, "@@TITLE@@", HtmlEscape(t));
  ReplaceOnce(&page, "@@DATA@@", ScriptSafe(ReportToJson(report)));
  return page;
}

}  // namespace tokwise
