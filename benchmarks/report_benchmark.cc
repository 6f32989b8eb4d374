// The trace report's cost against the size of its input: an agent run of N steps, each adding
// a tool call and a ~3 KB tool result, read as a request log (every line re-sends the whole
// history, so the file grows with N^2) and as one conversation (the history once). Each
// distinct message is tokenized once, so the report should cost about its unique text plus a
// fast pass over the re-sent bytes.
//
// Counters: file_bytes (the trace), text_bytes (message text sent, re-sends included),
// unique_bytes (distinct message text), and their rates per second of report time.
//
// The text is public and fixed (Python's difflib.py and the GNU GPL v3 from the shared
// corpus), so figures are comparable between runs.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tokwise/report.h"
#include "tokwise/trace.h"

namespace {

std::string ReadCorpus(const std::string& name) {
  std::ifstream in(std::string(TOKWISE_SHARED_DATA) + "/corpus/" + name, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string Json(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char b[8];
          std::snprintf(b, sizeof(b), "\\u%04x", c);
          out += b;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// The messages of an N-step run (OpenAI Chat form).
std::vector<std::string> RunMessages(int steps) {
  static const std::string text = ReadCorpus("code_python_difflib.py") + ReadCorpus("en_gpl3.txt") +
                                  ReadCorpus("code_python_difflib.py");
  std::vector<std::string> m;
  m.push_back("{\"role\":\"system\",\"content\":" + Json(text.substr(0, 2000)) + "}");
  m.push_back("{\"role\":\"user\",\"content\":" +
              Json("Find why SequenceMatcher is slow on long inputs and propose a fix.") + "}");
  size_t at = 2000;
  constexpr size_t kChunk = 3000;
  for (int i = 0; i < steps; ++i) {
    const std::string id = "call_" + std::to_string(i);
    m.push_back("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"" + id +
                "\",\"type\":\"function\",\"function\":{\"name\":\"read_file\",\"arguments\":" +
                Json("{\"path\":\"difflib.py\",\"offset\":" + std::to_string(at) + "}") + "}}]}");
    if (at + kChunk > text.size()) at = 2000 + static_cast<size_t>(i) % 97;  // Wrap, shifted.
    m.push_back("{\"role\":\"tool\",\"tool_call_id\":\"" + id +
                "\",\"content\":" + Json(text.substr(at, kChunk)) + "}");
    at += kChunk;
  }
  return m;
}

std::string Joined(const std::vector<std::string>& m, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += (i ? "," : "") + m[i];
  return s;
}

// One line per call: call k sends the first 2 + 2k messages.
std::string RequestLog(int steps) {
  const std::vector<std::string> m = RunMessages(steps);
  std::string out;
  for (int k = 0; k <= steps; ++k) {
    out +=
        "{\"model\":\"gpt-4o\",\"messages\":[" + Joined(m, 2 + 2 * static_cast<size_t>(k)) + "]}\n";
  }
  return out;
}

std::string Conversation(int steps) {
  const std::vector<std::string> m = RunMessages(steps);
  return "{\"model\":\"gpt-4o\",\"messages\":[" + Joined(m, m.size()) + "]}";
}

void RunReport(benchmark::State& state, const std::string& trace, const char* name) {
  tokwise::ReportOptions options;
  options.what_ifs = false;  // The what-ifs cost the same whatever the input size.
  uint64_t text = 0, unique = 0;
  for (auto _ : state) {
    absl::StatusOr<tokwise::Trace> t = tokwise::ReadTrace(trace, name);
    if (!t.ok()) {
      state.SkipWithError(std::string(t.status().message()).c_str());
      return;
    }
    std::vector<tokwise::Trace> traces;
    traces.push_back(std::move(*t));
    absl::StatusOr<tokwise::Report> r = tokwise::BuildReport(traces, options);
    if (!r.ok()) {
      state.SkipWithError(std::string(r.status().message()).c_str());
      return;
    }
    text = r->text_bytes;
    unique = r->unique_text_bytes;
    benchmark::DoNotOptimize(r->total.cost);
  }
  const double n = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(trace.size() * state.iterations()));
  state.counters["file_bytes"] = static_cast<double>(trace.size());
  state.counters["text_bytes"] = static_cast<double>(text);
  state.counters["unique_bytes"] = static_cast<double>(unique);
  state.counters["unique_bytes_per_second"] =
      benchmark::Counter(static_cast<double>(unique) * n, benchmark::Counter::kIsRate);
  state.counters["text_bytes_per_second"] =
      benchmark::Counter(static_cast<double>(text) * n, benchmark::Counter::kIsRate);
}

void BM_Report_RequestLog(benchmark::State& state) {
  const std::string trace = RequestLog(static_cast<int>(state.range(0)));
  RunReport(state, trace, "run.jsonl");
}
BENCHMARK(BM_Report_RequestLog)->Arg(10)->Arg(40)->Arg(160)->Unit(benchmark::kMillisecond);

void BM_Report_Conversation(benchmark::State& state) {
  const std::string trace = Conversation(static_cast<int>(state.range(0)));
  RunReport(state, trace, "run.json");
}
BENCHMARK(BM_Report_Conversation)->Arg(10)->Arg(40)->Arg(160)->Unit(benchmark::kMillisecond);

// Reading alone (JSON parsing and the chat parser's copy of each body): the part of a request
// log's report that grows with the re-sent bytes rather than the unique text.
void BM_ReadTrace_RequestLog(benchmark::State& state) {
  const std::string trace = RequestLog(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    absl::StatusOr<tokwise::Trace> t = tokwise::ReadTrace(trace, "run.jsonl");
    benchmark::DoNotOptimize(t.ok());
  }
  state.SetBytesProcessed(static_cast<int64_t>(trace.size() * state.iterations()));
}
BENCHMARK(BM_ReadTrace_RequestLog)->Arg(40)->Arg(160)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
