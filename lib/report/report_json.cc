// The report as JSON.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "report/trace_common.h"
#include "tokwise/report.h"

namespace tokwise {
namespace {

using report_internal::AppendJsonString;

class Json {
 public:
  void Raw(std::string_view s) { out_.append(s); }
  void Key(std::string_view k) {
    Comma();
    AppendJsonString(k, &out_);
    out_.push_back(':');
    pending_value_ = true;
  }
  void Str(std::string_view k, std::string_view v) {
    Key(k);
    Value(v);
  }
  void Value(std::string_view v) {
    Comma();
    AppendJsonString(v, &out_);
  }
  void Int(std::string_view k, int64_t v) {
    Key(k);
    Comma();
    absl::StrAppend(&out_, v);
  }
  void NumValue(uint64_t v) {
    Comma();
    absl::StrAppend(&out_, v);
  }
  void UInt(std::string_view k, uint64_t v) {
    Key(k);
    Comma();
    absl::StrAppend(&out_, v);
  }
  void Bool(std::string_view k, bool v) {
    Key(k);
    Comma();
    out_ += v ? "true" : "false";
  }
  void Double(std::string_view k, double v) {
    Key(k);
    Comma();
    absl::StrAppend(&out_, absl::StrFormat("%.6g", v));
  }
  void Null(std::string_view k) {
    Key(k);
    Comma();
    out_ += "null";
  }
  void Open(char c) {
    Comma();
    out_.push_back(c);
    first_ = true;
  }
  void Close(char c) {
    out_.push_back(c);
    first_ = false;
  }
  void Kinds(std::string_view k, const std::array<uint64_t, kNumTokenKinds>& v) {
    Key(k);
    Open('{');
    for (int i = 0; i < kNumTokenKinds; ++i) UInt(TokenKindName(static_cast<TokenKind>(i)), v[i]);
    Close('}');
  }
  std::string Take() { return std::move(out_); }

 private:
  // Writes the comma before a value or key unless it is the first in its container or the
  // value of a key just written.
  void Comma() {
    if (pending_value_) {
      pending_value_ = false;
      return;
    }
    if (!first_) out_.push_back(',');
    first_ = false;
  }

  std::string out_;
  bool first_ = true;
  bool pending_value_ = false;
};

void Group(Json& j, const ReportGroup& g) {
  j.Open('{');
  j.Str("name", g.name);
  j.UInt("calls", g.calls);
  j.UInt("input", g.input);
  j.UInt("new", g.new_tokens);
  j.UInt("resent", g.resent);
  j.UInt("output", g.output);
  j.UInt("total", g.total());
  j.Kinds("input_by_kind", g.input_by_kind);
  j.Kinds("resent_by_kind", g.resent_by_kind);
  j.Kinds("output_by_kind", g.output_by_kind);
  j.Int("cost_pico", g.cost);
  j.Int("cached_cost_pico", g.cached_cost);
  j.UInt("direct_answer", g.direct_answer);
  j.Double("multiplier", g.Multiplier());
  j.UInt("billed_calls", g.billed_calls);
  j.UInt("billed_input", g.billed_input);
  j.UInt("billed_output", g.billed_output);
  j.UInt("our_input_of_billed", g.our_input_of_billed);
  j.UInt("our_output_of_billed", g.our_output_of_billed);
  j.Int("billed_cost_pico", g.billed_cost);
  j.Close('}');
}

void Groups(Json& j, std::string_view key, const std::vector<ReportGroup>& v) {
  j.Key(key);
  j.Open('[');
  for (const ReportGroup& g : v) Group(j, g);
  j.Close(']');
}

void Usage(Json& j, const NormalizedUsage& u) {
  j.Open('{');
  j.UInt("uncached_input", u.uncached_input);
  j.UInt("cache_read", u.cache_read);
  j.UInt("cache_write_5m", u.cache_write_5m);
  j.UInt("cache_write_1h", u.cache_write_1h);
  j.UInt("input", u.input_total());
  j.UInt("output", u.output);
  j.UInt("reasoning", u.reasoning);
  j.Close('}');
}

}  // namespace

std::string ReportToJson(const Report& r) {
  Json j;
  j.Open('{');
  j.Key("traces");
  j.Open('[');
  for (const ReportTrace& t : r.traces) {
    j.Open('{');
    j.Str("name", t.name);
    j.Str("format", TraceFormatName(t.format));
    j.UInt("calls", t.calls);
    j.UInt("bytes", t.bytes);
    j.Key("notes");
    j.Open('[');
    for (const std::string& n : t.notes) j.Value(n);
    j.Close(']');
    j.Close('}');
  }
  j.Close(']');
  j.Str("label", CountLabelName(r.label));
  j.Bool("priced", r.priced);
  j.Str("caching", r.caching);
  j.Str("baseline_caching", r.baseline_caching);
  j.Key("kinds");
  j.Open('[');
  for (int i = 0; i < kNumTokenKinds; ++i) j.Value(TokenKindName(static_cast<TokenKind>(i)));
  j.Close(']');

  j.Key("calls");
  j.Open('[');
  for (const ReportCall& c : r.calls) {
    j.Open('{');
    j.UInt("index", c.index + 1);
    j.UInt("trace", c.trace);
    j.Str("where", c.where);
    j.Str("thread", c.thread);
    j.Str("agent", c.agent);
    j.Str("workflow", c.workflow);
    j.Str("user", c.user);
    j.Str("model", c.model);
    j.Str("priced_as", c.priced_as);
    j.UInt("step", c.step);
    j.Int("time_ms", c.time_ms);
    j.Str("label", CountLabelName(c.label));
    j.UInt("input", c.input);
    j.UInt("new", c.new_tokens);
    j.UInt("resent", c.resent);
    j.UInt("output", c.output);
    j.Bool("output_known", c.output_known);
    j.Bool("history_edited", c.history_edited);
    j.Kinds("new_by_kind", c.new_by_kind);
    j.Kinds("resent_by_kind", c.resent_by_kind);
    j.Kinds("output_by_kind", c.output_by_kind);
    j.Key("cached");
    j.Open('{');
    j.UInt("uncached", c.cached.uncached);
    j.UInt("cache_read", c.cached.cache_read);
    j.UInt("cache_write", c.cached.cache_write_5m + c.cached.cache_write_1h);
    j.Int("cost_pico", c.cached_cost.total());
    j.Close('}');
    j.Int("cost_pico", c.cost);
    j.UInt("cumulative_tokens", c.cumulative_tokens);
    j.Int("cumulative_cost_pico", c.cumulative_cost);
    j.Int("cumulative_cached_cost_pico", c.cumulative_cached_cost);
    if (c.billed) {
      j.Key("billed");
      Usage(j, c.billed->usage);
      j.Str("billed_source", c.billed->source);
      j.Bool("billed_approximate", c.billed->approximate);
      if (c.billed_cost) j.Int("billed_cost_pico", *c.billed_cost);
    }
    j.Close('}');
  }
  j.Close(']');

  j.Key("total");
  Group(j, r.total);
  Groups(j, "threads", r.threads);
  Groups(j, "agents", r.agents);
  Groups(j, "workflows", r.workflows);
  Groups(j, "users", r.users);
  Groups(j, "models", r.models);

  j.Key("resent_blocks");
  j.Open('[');
  for (const ResentBlock& b : r.resent_blocks) {
    j.Open('{');
    j.Str("role", b.role);
    j.Str("kind", TokenKindName(b.kind));
    j.Str("preview", b.preview);
    j.UInt("first_call", b.first_call + 1);
    j.UInt("copies", b.copies);
    j.UInt("sends", b.sends);
    j.UInt("tokens", b.tokens);
    j.UInt("resent_tokens", b.resent_tokens);
    j.Int("resent_cost_pico", b.resent_cost);
    j.Close('}');
  }
  j.Close(']');
  j.Key("repeated_results");
  j.Open('[');
  for (const RepeatedResult& rr : r.repeated_results) {
    j.Open('{');
    j.Str("tool", rr.tool);
    j.Str("preview", rr.preview);
    j.UInt("copies", rr.copies);
    j.UInt("tokens", rr.tokens);
    j.UInt("wasted_tokens", rr.wasted_tokens);
    j.Int("wasted_cost_pico", rr.wasted_cost);
    j.Key("calls");
    j.Open('[');
    for (uint32_t c : rr.calls) j.NumValue(c + 1);
    j.Close(']');
    j.Close('}');
  }
  j.Close(']');
  j.Key("prompt_tax");
  j.Open('{');
  j.UInt("system_tokens", r.prompt_tax.system_tokens);
  j.UInt("tool_definition_tokens", r.prompt_tax.tool_definition_tokens);
  j.Int("system_cost_pico", r.prompt_tax.system_cost);
  j.Int("tool_definition_cost_pico", r.prompt_tax.tool_definition_cost);
  j.UInt("input_tokens", r.prompt_tax.input_tokens);
  j.UInt("calls", r.prompt_tax.calls);
  j.Close('}');

  j.Key("billed_checks");
  j.Open('[');
  for (const BilledCheck& b : r.billed_checks) {
    const BilledTotals& s = b.stated;
    j.Open('{');
    j.Str("trace", r.traces[b.trace].name);
    j.Str("source", s.source);
    j.Str("workflow", s.workflow);
    auto opt = [&](std::string_view k, const std::optional<uint64_t>& v) {
      if (v) {
        j.UInt(k, *v);
      } else {
        j.Null(k);
      }
    };
    opt("stated_input", s.input_tokens);
    opt("stated_output", s.output_tokens);
    opt("stated_cache_read", s.cache_read_tokens);
    opt("stated_cache_write", s.cache_write_tokens);
    opt("stated_calls", s.calls);
    j.Str("stated_cost", s.cost_text);
    if (s.cost) j.Int("stated_cost_pico", *s.cost);
    j.UInt("calls", b.calls);
    j.UInt("input", b.input);
    j.UInt("output", b.output);
    j.Int("input_diff", b.input_diff);
    j.Int("output_diff", b.output_diff);
    j.Str("priced_as", b.priced_as);
    if (b.cost_of_stated_tokens) j.Int("cost_of_stated_tokens_pico", *b.cost_of_stated_tokens);
    j.Bool("cost_matches", b.cost_matches);
    j.Close('}');
  }
  j.Close(']');

  if (r.what_ifs) {
    j.Key("what_ifs");
    j.Open('{');
    j.Str("model", r.what_if_model);
    j.UInt("calls", r.what_if_calls);
    j.UInt("baseline_tokens", r.what_ifs->baseline.total_tokens());
    j.Int("baseline_cost_pico", r.what_ifs->baseline.total_cost());
    j.Key("variants");
    j.Open('[');
    for (const WhatIfDelta& d : r.what_ifs->deltas) {
      j.Open('{');
      j.Str("label", d.label);
      j.Str("model", d.model);
      j.UInt("tokens", d.result.total_tokens());
      j.Int("token_delta", d.token_delta);
      j.Int("cost_pico", d.result.total_cost());
      j.Int("cost_delta_pico", d.cost_delta);
      j.Close('}');
    }
    j.Close(']');
    j.Close('}');
  }
  j.Key("counting");
  j.Open('{');
  j.UInt("messages", r.messages);
  j.UInt("text_bytes", r.text_bytes);
  j.UInt("unique_messages", r.unique_messages);
  j.UInt("unique_text_bytes", r.unique_text_bytes);
  j.Close('}');
  j.Key("notes");
  j.Open('[');
  for (const std::string& n : r.notes) j.Value(n);
  j.Close(']');
  j.Close('}');
  return j.Take();
}

}  // namespace tokwise
