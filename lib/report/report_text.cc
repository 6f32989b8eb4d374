// The report as terminal text.
#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tokwise/cost_report.h"
#include "tokwise/report.h"

namespace tokwise {
namespace {

std::string Num(uint64_t v) {
  std::string d = std::to_string(v), out;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(d[i]);
  }
  return out;
}

std::string SignedNum(int64_t v) {
  if (v < 0) return "-" + Num(static_cast<uint64_t>(-(v + 1)) + 1);
  return (v > 0 ? "+" : "") + Num(static_cast<uint64_t>(v));
}

std::string Usd(PicoUsdWide p, bool priced = true) {
  if (!priced) return "-";
  return FormatDollars(p, 6);
}

std::string Pct(uint64_t part, uint64_t whole) {
  if (whole == 0) return "-";
  return absl::StrFormat("%.1f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

std::string Fit(std::string_view s, size_t width) {
  if (s.size() <= width) return std::string(s);
  if (width <= 1) return std::string(s.substr(0, width));
  // Keep the start and a " #N" suffix (threads numbered within a file); cut the middle.
  std::string_view suffix;
  const size_t hash = s.rfind(" #");
  if (hash != std::string_view::npos && s.size() - hash < width / 2) suffix = s.substr(hash);
  size_t keep = width - 1 - suffix.size();
  while (keep > 0 && (static_cast<unsigned char>(s[keep]) & 0xC0) == 0x80) --keep;
  return absl::StrCat(std::string(s.substr(0, keep)), "~", std::string(suffix));
}

const char* ShortKind(TokenKind k) {
  switch (k) {
    case TokenKind::kSystem:
      return "sys";
    case TokenKind::kToolDefinitions:
      return "tools";
    case TokenKind::kUser:
      return "user";
    case TokenKind::kRetrieved:
      return "retr";
    case TokenKind::kToolCall:
      return "call";
    case TokenKind::kToolResult:
      return "result";
    case TokenKind::kAssistant:
      return "asst";
    case TokenKind::kReasoning:
      return "reas";
    case TokenKind::kFraming:
      return "frm";
  }
  return "?";
}

std::string KindList(const std::array<uint64_t, kNumTokenKinds>& k, size_t width) {
  std::string out;
  for (int i = 0; i < kNumTokenKinds; ++i) {
    if (k[i] == 0) continue;
    const std::string item = absl::StrCat(ShortKind(static_cast<TokenKind>(i)), " ", Num(k[i]));
    if (out.size() + item.size() + 1 > width) {
      out += out.empty() ? "" : " ...";
      break;
    }
    absl::StrAppend(&out, out.empty() ? "" : " ", item);
  }
  return out;
}

std::string Mult(const ReportGroup& g) {
  return g.direct_answer == 0 ? "-" : absl::StrFormat("%.1fx", g.Multiplier());
}

void CallRow(const ReportCall& c, bool priced, std::string* out) {
  absl::StrAppend(
      out, absl::StrFormat("%4u %-16s %4u %9s %9s %6s %8s %7s %11s %11s %12s  %s\n", c.index + 1,
                           Fit(c.agent == c.thread ? c.thread : c.agent, 16), c.step, Num(c.input),
                           Num(c.resent), Pct(c.resent, c.input), Num(c.new_tokens),
                           c.output_known ? Num(c.output) : Num(c.output) + "?",
                           Usd(c.cost, priced && !c.priced_as.empty()),
                           Usd(c.cached_cost.total(), priced && !c.priced_as.empty()),
                           Usd(c.cumulative_cost, priced),
                           KindList(c.new_by_kind, 22) + (c.history_edited ? " [edited]" : "")));
}

void GroupTable(const char* title, const std::vector<ReportGroup>& groups, bool priced,
                std::string* out) {
  absl::StrAppend(out, "\n", title, "\n");
  absl::StrAppend(
      out, absl::StrFormat("  %-34s %5s %11s %7s %9s %11s %8s %12s %12s\n", "", "calls", "input",
                           "re-sent", "output", "total", "x", "no cache", "cached"));
  const size_t limit = 25;
  for (size_t i = 0; i < groups.size() && i < limit; ++i) {
    const ReportGroup& g = groups[i];
    absl::StrAppend(out, absl::StrFormat("  %-34s %5u %11s %7s %9s %11s %8s %12s %12s\n",
                                         Fit(g.name, 34), g.calls, Num(g.input),
                                         Pct(g.resent, g.input), Num(g.output), Num(g.total()),
                                         Mult(g), Usd(g.cost, priced), Usd(g.cached_cost, priced)));
  }
  if (groups.size() > limit) {
    absl::StrAppend(out, "  ... and ", groups.size() - limit, " more (see --json)\n");
  }
}

}  // namespace

std::string FormatReport(const Report& r, size_t max_calls) {
  std::string out;
  const ReportGroup& t = r.total;

  // Header: what was read, how it was counted and priced.
  for (const ReportTrace& tr : r.traces) {
    absl::StrAppend(&out, "trace  ", tr.name, "  (", std::string(TraceFormatName(tr.format)), ", ",
                    tr.calls, tr.calls == 1 ? " call, " : " calls, ", Num(tr.bytes), " bytes)\n");
  }
  std::string models;
  for (const ReportGroup& m : r.models)
    absl::StrAppend(&models, models.empty() ? "" : ", ", m.name);
  absl::StrAppend(&out, "model  ", models, "; counts ", std::string(CountLabelName(r.label)), "\n");
  if (r.priced) absl::StrAppend(&out, "cache  'cached' = ", r.caching, "\n");

  // Per call.
  absl::StrAppend(&out,
                  "\ncalls: input = re-sent + new; new input by kind; ? = output not in "
                  "the trace\n");
  absl::StrAppend(
      &out, absl::StrFormat("%4s %-16s %4s %9s %9s %6s %8s %7s %11s %11s %12s  %s\n", "#", "agent",
                            "step", "input", "re-sent", "%", "new", "output", "no cache", "cached",
                            "cumulative", "new by kind"));
  const size_t n = r.calls.size();
  const size_t shown = max_calls == 0 || n <= max_calls ? n : max_calls;
  const size_t head = shown == n ? n : (shown + 1) / 2;
  for (size_t i = 0; i < head; ++i) CallRow(r.calls[i], r.priced, &out);
  if (shown < n) {
    absl::StrAppend(&out, absl::StrFormat("%4s ... %s calls not shown (--calls 0 shows all)\n", "",
                                          Num(n - shown)));
    for (size_t i = n - (shown - head); i < n; ++i) CallRow(r.calls[i], r.priced, &out);
  }

  // Totals.
  absl::StrAppend(&out, "\ntotal: ", t.calls, " calls, ", Num(t.input), " input (", Num(t.resent),
                  " re-sent = ", Pct(t.resent, t.input), ", ", Num(t.new_tokens), " new), ",
                  Num(t.output), " output = ", Num(t.total()), " tokens\n");
  if (r.priced) {
    absl::StrAppend(&out, "cost:  ", Usd(t.cost), " without prompt caching, ", Usd(t.cached_cost),
                    " with it");
    if (t.cost > 0 && t.cached_cost < t.cost) {
      absl::StrAppend(
          &out, " (saves ",
          Pct(static_cast<uint64_t>(t.cost - t.cached_cost), static_cast<uint64_t>(t.cost)), ")");
    }
    absl::StrAppend(&out, "\n");
  }
  if (t.direct_answer > 0) {
    absl::StrAppend(&out, "x:     ", Mult(t), " a direct answer (", Num(t.direct_answer),
                    " tokens: system, tools and task sent once, plus the final reply)\n");
  }
  absl::StrAppend(&out, "\ninput by kind        total   re-sent       new    share\n");
  for (int k = 0; k < kNumTokenKinds; ++k) {
    const uint64_t all = t.input_by_kind[k];
    if (all == 0) continue;
    absl::StrAppend(&out, absl::StrFormat("  %-16s %9s %9s %9s %8s\n",
                                          std::string(TokenKindName(static_cast<TokenKind>(k))),
                                          Num(all), Num(t.resent_by_kind[k]),
                                          Num(all - t.resent_by_kind[k]), Pct(all, t.input)));
  }
  std::string outputs;
  for (int k = 0; k < kNumTokenKinds; ++k) {
    if (t.output_by_kind[k] == 0) continue;
    absl::StrAppend(&outputs, outputs.empty() ? "" : ", ",
                    std::string(TokenKindName(static_cast<TokenKind>(k))), " ",
                    Num(t.output_by_kind[k]));
  }
  if (!outputs.empty()) absl::StrAppend(&out, "output by kind: ", outputs, "\n");

  if (r.agents.size() > 1) GroupTable("by agent", r.agents, r.priced, &out);
  if (r.workflows.size() > 1) GroupTable("by workflow", r.workflows, r.priced, &out);
  if (!r.users.empty()) GroupTable("by user", r.users, r.priced, &out);
  if (r.models.size() > 1) GroupTable("by model", r.models, r.priced, &out);
  if (r.threads.size() > 1 && r.threads.size() != r.agents.size()) {
    GroupTable("by thread", r.threads, r.priced, &out);
  }

  // Billed versus reconstructed.
  if (!r.billed_checks.empty() || t.billed_calls > 0) {
    absl::StrAppend(&out, "\nbilled (as the trace records it) vs reconstructed\n");
  }
  for (const BilledCheck& b : r.billed_checks) {
    const BilledTotals& s = b.stated;
    absl::StrAppend(&out, "  ", s.source, " (", s.workflow, "):\n");
    if (s.input_tokens) {
      absl::StrAppend(
          &out, absl::StrFormat(
                    "    input   billed %11s  ours %11s  diff %9s (%s)\n", Num(*s.input_tokens),
                    Num(b.input), SignedNum(b.input_diff),
                    *s.input_tokens == 0
                        ? "-"
                        : absl::StrFormat("%+.3f%%", 100.0 * b.input_diff / *s.input_tokens)));
    }
    if (s.output_tokens) {
      absl::StrAppend(
          &out, absl::StrFormat("    output  billed %11s  ours %11s  diff %9s\n",
                                Num(*s.output_tokens), Num(b.output), SignedNum(b.output_diff)));
    }
    if (s.calls) {
      absl::StrAppend(&out, absl::StrFormat("    calls   billed %11s  ours %11s\n", Num(*s.calls),
                                            Num(b.calls)));
    }
    if (s.cache_read_tokens.value_or(0) + s.cache_write_tokens.value_or(0) > 0) {
      absl::StrAppend(&out, "    cache   read ", Num(s.cache_read_tokens.value_or(0)), ", write ",
                      Num(s.cache_write_tokens.value_or(0)), "\n");
    }
    if (s.cost || b.cost_of_stated_tokens) {
      absl::StrAppend(&out, "    cost    stated ", s.cost ? "$" + s.cost_text : "-");
      if (b.cost_of_stated_tokens) {
        absl::StrAppend(&out, "; billed tokens at ", b.priced_as, " prices $",
                        FormatUsd(*b.cost_of_stated_tokens, 2),
                        b.cost_matches ? ": equal" : (s.cost ? ": DIFFERENT" : ""));
      } else if (b.priced_as.empty()) {
        absl::StrAppend(&out, " (the model is not in the catalog)");
      }
      absl::StrAppend(&out, "\n");
    }
  }
  if (t.billed_calls > 0) {
    const int64_t din =
        static_cast<int64_t>(t.billed_input) - static_cast<int64_t>(t.our_input_of_billed);
    const int64_t dout =
        static_cast<int64_t>(t.billed_output) - static_cast<int64_t>(t.our_output_of_billed);
    absl::StrAppend(&out, "  per-call usage (", t.billed_calls, " of ", t.calls, " calls):\n");
    absl::StrAppend(
        &out,
        absl::StrFormat(
            "    input   billed %11s  ours %11s  diff %9s (%s)\n", Num(t.billed_input),
            Num(t.our_input_of_billed), SignedNum(din),
            t.billed_input == 0 ? "-" : absl::StrFormat("%+.2f%%", 100.0 * din / t.billed_input)));
    absl::StrAppend(
        &out, absl::StrFormat("    output  billed %11s  ours %11s  diff %9s\n",
                              Num(t.billed_output), Num(t.our_output_of_billed), SignedNum(dout)));
    // The calls that differ most, relative to their billed input.
    std::vector<const ReportCall*> billed;
    for (const ReportCall& c : r.calls) {
      if (c.billed && c.billed->usage.input_total() > 0) billed.push_back(&c);
    }
    auto rel = [](const ReportCall* c) {
      const double b = static_cast<double>(c->billed->usage.input_total());
      return (b - static_cast<double>(c->input)) / b;
    };
    if (!billed.empty()) {
      double lo = rel(billed[0]), hi = lo;
      for (const ReportCall* c : billed) {
        lo = std::min(lo, rel(c));
        hi = std::max(hi, rel(c));
      }
      absl::StrAppend(&out, absl::StrFormat("    per call, billed minus ours is %+.1f%% to "
                                            "%+.1f%% of the billed input\n",
                                            100 * lo, 100 * hi));
    }
    if (t.billed_cost > 0) {
      absl::StrAppend(&out, "    billed usage at catalog prices: ", Usd(t.billed_cost), "\n");
    }
  }

  // Wastes.
  absl::StrAppend(&out, "\nbiggest wastes\n");
  const PromptTax& tax = r.prompt_tax;
  absl::StrAppend(&out, "  system-prompt tax: ", Num(tax.system_tokens), " system tokens over ",
                  tax.calls, " calls (", Pct(tax.system_tokens, tax.input_tokens), " of input",
                  r.priced ? ", " + Usd(tax.system_cost) : std::string(), ")");
  if (tax.tool_definition_tokens > 0) {
    absl::StrAppend(&out, "; tool definitions ", Num(tax.tool_definition_tokens), " (",
                    Pct(tax.tool_definition_tokens, tax.input_tokens),
                    r.priced ? ", " + Usd(tax.tool_definition_cost) : std::string(), ")");
  }
  absl::StrAppend(&out, "\n");
  if (!r.resent_blocks.empty()) {
    absl::StrAppend(&out, "  largest re-sent blocks (tokens x sends):\n");
    for (const ResentBlock& b : r.resent_blocks) {
      absl::StrAppend(
          &out, absl::StrFormat("    %-9s %7s x %-4u re-sent %9s %11s  call %-4u \"%s\"\n", b.role,
                                Num(b.tokens), b.sends, Num(b.resent_tokens),
                                r.priced ? Usd(b.resent_cost) : std::string("-"), b.first_call + 1,
                                b.preview.substr(0, 50)));
    }
  }
  if (!r.repeated_results.empty()) {
    absl::StrAppend(&out, "  tool results returned more than once:\n");
    for (const RepeatedResult& rr : r.repeated_results) {
      std::string calls;
      for (size_t i = 0; i < rr.calls.size() && i < 6; ++i) {
        absl::StrAppend(&calls, i ? "," : "", rr.calls[i] + 1);
      }
      if (rr.calls.size() > 6) calls += ",...";
      absl::StrAppend(&out, absl::StrFormat("    %-14s %7s x %u (calls %s): %s tokens wasted%s  "
                                            "\"%s\"\n",
                                            Fit(rr.tool.empty() ? "(tool)" : rr.tool, 14),
                                            Num(rr.tokens), rr.copies, calls, Num(rr.wasted_tokens),
                                            r.priced ? ", " + Usd(rr.wasted_cost) : std::string(),
                                            rr.preview.substr(0, 36)));
    }
  }

  // What-ifs.
  if (r.what_ifs) {
    absl::StrAppend(&out, "\n", r.what_if_calls, " of ", t.calls, " calls priced with ",
                    r.what_if_model, "; baseline ", r.baseline_caching, "\n");
    absl::StrAppend(&out, FormatWhatIfs(*r.what_ifs));
  }

  // Notes.
  std::vector<std::string> notes;
  for (const ReportTrace& tr : r.traces) {
    for (const std::string& n : tr.notes) notes.push_back(absl::StrCat(tr.name, ": ", n));
  }
  for (const std::string& n : r.notes) notes.push_back(n);
  absl::StrAppend(&out, "\ncounting: ", Num(r.messages), " messages sent (", Num(r.text_bytes),
                  " bytes of text), ", Num(r.unique_messages), " distinct (",
                  Num(r.unique_text_bytes), " bytes): each distinct message tokenized once\n");
  if (!notes.empty()) {
    absl::StrAppend(&out, "notes:\n");
    for (const std::string& n : notes) absl::StrAppend(&out, "  - ", n, "\n");
  }
  return out;
}

}  // namespace tokwise
