// tokwise report: the layer-by-layer account of agent traces.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "tokwise/report.h"
#include "tokwise/trace.h"

namespace tokwise::cli {
namespace {

const char kReportHelp[] =
    "usage: tokwise report TRACE... [--model M] [--format F] [--json] [--html FILE] [options]\n"
    "       (TRACE '-' reads standard input)\n"
    "\n"
    "Where every token of an agent run went and what it cost. For every call: input by kind\n"
    "(system, user, retrieved context, tool definitions, tool calls, tool results, assistant,\n"
    "framing), re-sent from earlier calls versus new, output, cost without and with prompt\n"
    "caching, running totals. Then totals per agent, workflow, user and model; the multiple of\n"
    "a direct answer; the biggest wastes (largest re-sent blocks, tool results fetched again,\n"
    "the system-prompt tax); the cost model's what-ifs applied to the trace; and, where the\n"
    "trace records what the provider billed, tokwise's reconstruction beside it.\n"
    "\n"
    "Traces (the format is detected from the content; --format forces one):\n"
    "  request-log     JSONL, one call per line: an OpenAI Chat Completions / Responses or\n"
    "                  Anthropic Messages request body, or {\"request\", \"response\", \"usage\",\n"
    "                  \"metadata\": {\"agent\", \"workflow\", \"user\", \"thread\"}}\n"
    "  conversation    one request body or array of messages; each assistant message is the\n"
    "                  reply of a call that re-sent everything before it\n"
    "  swe-agent       SWE-agent trajectory (.traj), with its model_stats\n"
    "  mini-swe-agent  mini-swe-agent trajectory\n"
    "  openhands       OpenHands event list or evaluation output.jsonl, with its metrics\n"
    "  otel            OpenTelemetry GenAI spans exported as JSON (OTLP/JSON or a span list)\n"
    "  aider           aider chat history (.aider.chat.history.md)\n"
    "\n"
    "Options:\n"
    "  --model M             the model of calls whose trace names none, or one the price\n"
    "                        catalog does not know ('tokwise models' lists the catalog)\n"
    "  --format F            auto (default) or one of the formats above\n"
    "  --json                print the report as JSON (money in integer pico-dollars)\n"
    "  --html FILE           also write one self-contained HTML page with charts to FILE\n"
    "  --calls N             rows of the per-call table (default 40; 0 = every call)\n"
    "  --top N               entries per waste list (default 5)\n"
    "  --cheaper M           add catalog model M to the what-ifs\n"
    "  --token-ratio R       tokens under M's tokenizer per token under the trace model's\n"
    "                        (default 1)\n"
    "  --no-what-ifs         leave out the what-ifs\n"
    "  --gap SECONDS         time between calls whose trace records none, for cache\n"
    "                        lifetimes (default 10)\n"
    "  --retrieval-tools L   comma-separated tool-name fragments whose results count as\n"
    "                        retrieved context (default retriev,rag,knowledge,vector,\n"
    "                        file_search,search_docs)\n"
    "  --anthropic-factor F  Claude tokens per o200k_base token (default 1.0, uncalibrated)\n"
    "  --quiet               no progress bar (it shows only on a terminal, for long inputs)\n"
    "\n"
    "Examples:\n"
    "  tokwise report examples/research_agent.jsonl\n"
    "  tokwise report run.traj --model gpt-4-1106-preview --html run.html\n"
    "  tokwise report spans.json --json > report.json\n"
    "\n"
    "Exit codes: 0 ok; 1 usage error (bad option, unknown --model, a trace that names no\n"
    "model and no --model given); 2 input error (unreadable or malformed trace: the message\n"
    "names the file and the line or JSON path).\n";

struct Args {
  std::vector<std::string> files;
  std::string html;
  TraceFormat format = TraceFormat::kAuto;
  bool json = false, help = false, quiet = false;
  size_t calls = 40;
  ReportOptions options;
};

bool ParseSize(const std::string& s, size_t* out) {
  if (s.empty() || s[0] == '-' || s[0] == '+') return false;
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (*end != '\0' || errno != 0) return false;
  *out = static_cast<size_t>(v);
  return true;
}

bool ParseArgs(int argc, char** argv, Args* a, std::string* err) {
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) {
        *err = "option " + arg + " needs a value";
        return false;
      }
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (arg == "--help" || arg == "-h") {
      a->help = true;
    } else if (arg == "--model" || arg == "-m") {
      if (!value(&a->options.model)) return false;
    } else if (arg == "--format") {
      if (!value(&v)) return false;
      std::optional<TraceFormat> f = TraceFormatFromName(v);
      if (!f) {
        *err = "unknown format '" + v +
               "' (auto, request-log, conversation, swe-agent, mini-swe-agent, openhands, otel, "
               "aider)";
        return false;
      }
      a->format = *f;
    } else if (arg == "--json") {
      a->json = true;
    } else if (arg == "--html") {
      if (!value(&a->html)) return false;
    } else if (arg == "--calls") {
      if (!value(&v)) return false;
      if (!ParseSize(v, &a->calls)) {
        *err = "--calls takes a non-negative integer, not '" + v + "'";
        return false;
      }
    } else if (arg == "--top") {
      if (!value(&v)) return false;
      if (!ParseSize(v, &a->options.top)) {
        *err = "--top takes a non-negative integer, not '" + v + "'";
        return false;
      }
    } else if (arg == "--cheaper") {
      if (!value(&a->options.cheaper_model)) return false;
    } else if (arg == "--token-ratio") {
      if (!value(&v)) return false;
      char* end = nullptr;
      const double r = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(r > 0) || r > 100) {
        *err = "--token-ratio takes a number between 0 and 100, not '" + v + "'";
        return false;
      }
      a->options.cheaper_token_ratio = r;
    } else if (arg == "--no-what-ifs") {
      a->options.what_ifs = false;
    } else if (arg == "--gap") {
      if (!value(&v)) return false;
      char* end = nullptr;
      const double s = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(s >= 0) || s > 1e7) {
        *err = "--gap takes a number of seconds, not '" + v + "'";
        return false;
      }
      a->options.default_gap_ms = static_cast<int64_t>(std::llround(s * 1000));
    } else if (arg == "--retrieval-tools") {
      if (!value(&v)) return false;
      a->options.retrieval_tools.clear();
      size_t start = 0;
      while (start <= v.size()) {
        const size_t comma = v.find(',', start);
        const std::string part =
            v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!part.empty()) a->options.retrieval_tools.push_back(part);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (arg == "--anthropic-factor") {
      if (!value(&v)) return false;
      char* end = nullptr;
      a->options.anthropic_text_factor = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(a->options.anthropic_text_factor > 0)) {
        *err = "--anthropic-factor takes a positive number, not '" + v + "'";
        return false;
      }
    } else if (arg == "--quiet" || arg == "-q") {
      a->quiet = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      *err = "unknown option " + arg;
      return false;
    } else {
      a->files.push_back(arg);
    }
  }
  return true;
}

// A progress bar on standard error, drawn only when it is a terminal and the work has taken
// long enough to be worth watching.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled)
      : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  ~ProgressBar() { Clear(); }

  void Update(const std::string& stage, uint64_t done, uint64_t total) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - start_ < std::chrono::milliseconds(300)) return;
    if (drawn_ && now - last_ < std::chrono::milliseconds(50) && done < total) return;
    last_ = now;
    drawn_ = true;
    const double f = total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
    constexpr int kWidth = 30;
    const int fill = static_cast<int>(f * kWidth + 0.5);
    std::string bar(static_cast<size_t>(fill), '#');
    bar.append(static_cast<size_t>(kWidth - fill), '.');
    std::fprintf(stderr, "\r\033[Ktokwise: %-10s [%s] %3.0f%% %7.1f MB", stage.c_str(), bar.c_str(),
                 100 * f, static_cast<double>(total) / 1e6);
    std::fflush(stderr);
  }
  void Clear() {
    if (!drawn_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

int Fail(ProgressBar& bar, const std::string& msg, int code) {
  bar.Clear();
  std::fprintf(stderr, "tokwise: %s\n", msg.c_str());
  return code;
}

}  // namespace

int RunReport(int argc, char** argv) {
  Args a;
  std::string err;
  if (!ParseArgs(argc, argv, &a, &err)) {
    std::fprintf(stderr, "tokwise: %s\n\n%s", err.c_str(), kReportHelp);
    return kUsage;
  }
  if (a.help) {
    std::fputs(kReportHelp, stdout);
    return kOk;
  }
  if (a.files.empty()) {
    std::fprintf(stderr, "tokwise: give one or more trace files\n\n%s", kReportHelp);
    return kUsage;
  }
  ProgressBar bar(!a.quiet && isatty(STDERR_FILENO) == 1);

  std::vector<Trace> traces;
  for (size_t i = 0; i < a.files.size(); ++i) {
    bar.Update("reading", i, a.files.size());
    absl::StatusOr<Trace> t;
    if (a.files[i] == "-") {
      std::ostringstream buf;
      buf << std::cin.rdbuf();
      t = ReadTrace(buf.str(), "<stdin>", a.format);
    } else {
      t = ReadTraceFile(a.files[i], a.format);
    }
    if (!t.ok()) return Fail(bar, std::string(t.status().message()), kInput);
    traces.push_back(std::move(*t));
  }
  a.options.progress = [&bar](const ReportProgress& p) {
    bar.Update(std::string(p.stage), p.done, p.total);
  };
  absl::StatusOr<Report> report = BuildReport(traces, a.options);
  if (!report.ok()) {
    const absl::StatusCode code = report.status().code();
    const bool usage =
        code == absl::StatusCode::kFailedPrecondition || code == absl::StatusCode::kNotFound;
    return Fail(bar, std::string(report.status().message()), usage ? kUsage : kInput);
  }
  bar.Clear();

  if (!a.html.empty()) {
    std::ofstream out(a.html, std::ios::binary | std::ios::trunc);
    const std::string page = ReportToHtml(*report);
    out << page;
    out.close();
    if (!out) {
      return Fail(bar, a.html + ": cannot write: " + std::strerror(errno), kInput);
    }
    std::fprintf(stderr, "tokwise: wrote %s (%zu bytes)\n", a.html.c_str(), page.size());
  }
  if (a.json) {
    std::printf("%s\n", ReportToJson(*report).c_str());
  } else {
    std::fputs(FormatReport(*report, a.calls).c_str(), stdout);
  }
  return kOk;
}

}  // namespace tokwise::cli
