// Usage records out of the ledger: OpenTelemetry attributes, the journal reader, and the
// decision's JSON form.
#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/json.h"
#include "base/strings.h"
#include "budget/journal.h"
#include "budget/pricing.h"
#include "tokwise/budget.h"

namespace tokwise {
namespace {

// The name of the first scope of `kind` ("agent" -> the name in "agent:coder"), or "".
std::string ScopeName(const std::vector<std::string>& scopes, std::string_view kind) {
  for (const std::string& s : scopes) {
    if (s.size() > kind.size() && s.compare(0, kind.size(), kind) == 0 && s[kind.size()] == ':') {
      return s.substr(kind.size() + 1);
    }
  }
  return "";
}

// "journal-<first>-<last>" -> first; -1 for any other name.
int64_t ArchivedFirstSeq(const std::string& name) {
  static constexpr std::string_view kPrefix = "journal-";
  if (!base::StartsWith(name, kPrefix)) return -1;
  int64_t v = 0;
  size_t i = kPrefix.size();
  if (i >= name.size()) return -1;
  for (; i < name.size() && name[i] != '-'; ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    v = v * 10 + (name[i] - '0');
  }
  return i < name.size() ? v : -1;
}

}  // namespace

const char* DecisionCodeName(DecisionCode code) {
  switch (code) {
    case DecisionCode::kAllowed:
      return "allowed";
    case DecisionCode::kContextWindow:
      return "context_window";
    case DecisionCode::kMaxOutput:
      return "max_output";
    case DecisionCode::kBudgetExceeded:
      return "budget_exceeded";
    case DecisionCode::kRateLimited:
      return "rate_limited";
    case DecisionCode::kUnpriced:
      return "unpriced";
  }
  return "?";
}

std::vector<std::pair<std::string, OtelValue>> OtelAttributes(const UsageRecord& r) {
  std::vector<std::pair<std::string, OtelValue>> a;
  auto str = [&](const char* key, const std::string& v) {
    if (!v.empty()) a.emplace_back(key, v);
  };
  str("gen_ai.request.model", r.model);
  str("gen_ai.provider.name", r.provider);
  a.emplace_back("gen_ai.usage.input_tokens", r.usage.input_total());
  a.emplace_back("gen_ai.usage.output_tokens", r.usage.output);
  a.emplace_back("gen_ai.usage.cache_read.input_tokens", r.usage.cache_read);
  a.emplace_back("gen_ai.usage.cache_creation.input_tokens",
                 r.usage.cache_write_5m + r.usage.cache_write_1h);
  a.emplace_back("gen_ai.usage.reasoning.output_tokens", r.usage.reasoning);
  str("gen_ai.conversation.id", r.conversation_id);
  str("gen_ai.agent.name", ScopeName(r.scopes, "agent"));
  str("gen_ai.workflow.name", ScopeName(r.scopes, "workflow"));
  if (r.cost_known) {
    // A double for dashboards; the exact figure is the pico-dollar integer beside it.
    a.emplace_back("tokwise.cost_usd", static_cast<double>(r.cost) / 1e12);
    a.emplace_back("tokwise.cost_pico_usd", static_cast<int64_t>(r.cost));
  }
  a.emplace_back("tokwise.scopes", r.scopes);
  if (r.step >= 0) a.emplace_back("tokwise.step", r.step);
  return a;
}

absl::StatusOr<JournalScan> ReadUsageRecords(const std::string& dir,
                                             const std::function<bool(const UsageRecord&)>& fn) {
  std::vector<std::pair<int64_t, std::string>> files;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return budget_internal::ErrnoError("cannot list", dir, errno);
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    int64_t first = ArchivedFirstSeq(name);
    if (first >= 0) files.emplace_back(first, name);
  }
  ::closedir(d);
  std::sort(files.begin(), files.end());
  files.emplace_back(INT64_MAX, budget_internal::kJournalName);

  JournalScan out;
  bool stop = false;
  for (const auto& [first, name] : files) {
    if (stop) break;
    const std::string path = dir + "/" + name;
    absl::StatusOr<budget_internal::JournalScanResult> r = budget_internal::ScanJournal(
        path, [&](std::string_view payload, uint64_t offset) -> absl::Status {
          if (stop) return absl::OkStatus();
          absl::StatusOr<UsageRecord> rec = budget_internal::DecodeUsageRecord(payload);
          if (!rec.ok()) {
            return absl::DataLossError(
                absl::StrCat(path, ": byte offset ", offset, ": ", rec.status().message()));
          }
          ++out.records;
          if (!fn(*rec)) stop = true;
          return absl::OkStatus();
        });
    if (!r.ok()) return r.status();
    if (r->file_bytes > 0) ++out.files;
    if (!r->problem.empty()) ++out.bad_tails;
    if (!r->problem.empty() && r->intact_after != UINT64_MAX) ++out.damaged_files;
  }
  return out;
}

std::string DecisionToJson(const Decision& d) {
  std::string o = "{";
  absl::StrAppend(&o, "\"allowed\":", d.allowed() ? "true" : "false", ",\"code\":\"",
                  DecisionCodeName(d.code), "\",\"message\":");
  base::AppendJsonString(d.message, &o);
  absl::StrAppend(&o, ",\"reservation\":", d.reservation);
  if (d.reservation != 0) {
    absl::StrAppend(&o, ",\"expires_at\":\"", FormatUtc(d.expires_at), "\"");
  }
  absl::StrAppend(&o, ",\"input_tokens\":", d.input_tokens,
                  ",\"reserved_output_tokens\":", d.reserved_output_tokens,
                  ",\"max_output_that_fits\":", d.max_output_that_fits,
                  ",\"cost_known\":", d.cost_known ? "true" : "false");
  if (d.cost_known) {
    absl::StrAppend(&o, ",\"projected_cost_pico_usd\":", d.projected_cost,
                    ",\"projected_cost_usd\":\"",
                    budget_internal::FormatUsd(d.projected_cost).substr(1), "\"");
  }
  if (!d.allowed()) {
    if (d.retry_at >= 0) {
      absl::StrAppend(&o, ",\"retry_at\":\"", FormatUtc(d.retry_at), "\"");
    } else {
      absl::StrAppend(&o, ",\"retry_at\":null");
    }
  }
  o += ",\"limits\":[";
  for (size_t i = 0; i < d.limits.size(); ++i) {
    const LimitStatus& l = d.limits[i];
    if (i) o.push_back(',');
    o += "{\"scope\":";
    base::AppendJsonString(l.scope, &o);
    const char* unit = l.limit.metric == Metric::kCostPicoUsd ? "pico_usd"
                       : l.limit.metric == Metric::kRequests  ? "requests"
                                                              : "tokens";
    absl::StrAppend(&o, ",\"metric\":\"", MetricName(l.limit.metric), "\",\"window\":\"",
                    WindowName(l.limit.window), "\",\"unit\":\"", unit, "\"");
    if (l.limit.window != Window::kTotal) {
      absl::StrAppend(&o, ",\"period_start\":\"", FormatUtc(l.period.start), "\",\"period_end\":\"",
                      FormatUtc(l.period.end), "\"");
    }
    absl::StrAppend(&o, ",\"limit\":", l.limit.max, ",\"used\":", l.used,
                    ",\"reserved\":", l.reserved, ",\"remaining\":", l.remaining,
                    ",\"request\":", l.request, ",\"blocking\":", l.blocking ? "true" : "false",
                    "}");
  }
  o += "]}";
  return o;
}

}  // namespace tokwise
