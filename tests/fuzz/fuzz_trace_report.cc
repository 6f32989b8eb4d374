// Fuzz target: trace reading (every format, detected) and the report built from what was
// read. Invariants: no crash, no hang; every call's input is its new plus its re-sent
// tokens; the running totals end at the total.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "tokwise/report.h"
#include "tokwise/trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<tokwise::Trace> t = tokwise::ReadTrace(bytes, "fuzz");
  if (!t.ok()) return 0;
  std::vector<tokwise::Trace> traces;
  traces.push_back(std::move(*t));
  tokwise::ReportOptions options;
  options.model = "gpt-4o";  // For traces that name no model.
  options.what_ifs = false;
  absl::StatusOr<tokwise::Report> r = tokwise::BuildReport(traces, options);
  if (!r.ok()) return 0;
  for (const tokwise::ReportCall& c : r->calls) {
    if (c.input != c.new_tokens + c.resent) std::abort();
  }
  if (!r->calls.empty() && r->calls.back().cumulative_tokens != r->total.total()) std::abort();
  (void)tokwise::FormatReport(*r);
  (void)tokwise::ReportToJson(*r);
  return 0;
}
