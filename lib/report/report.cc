// The trace report: counting, new versus re-sent, costs through the cost model, groups,
// wastes, billed comparisons and what-ifs. Formatting lives in report_text.cc,
// report_json.cc and report_html.cc.
#include "tokwise/report.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "chat/hash.h"
#include "chat/model_rules.h"
#include "tokwise/pricing.h"

namespace tokwise {

double ReportGroup::Multiplier() const {
  if (direct_answer == 0) return 0.0;
  return static_cast<double>(total()) / static_cast<double>(direct_answer);
}

namespace {

using chat_internal::Hasher128;
using Kinds = std::array<uint64_t, kNumTokenKinds>;
constexpr uint32_t kNone = UINT32_MAX;

size_t K(TokenKind k) { return static_cast<size_t>(k); }

uint64_t Sum(const Kinds& k) {
  uint64_t s = 0;
  for (uint64_t v : k) s += v;
  return s;
}

TokenKind RoleTokenKind(Role r) {
  switch (r) {
    case Role::kSystem:
    case Role::kDeveloper:
      return TokenKind::kSystem;
    case Role::kUser:
      return TokenKind::kUser;
    case Role::kAssistant:
      return TokenKind::kAssistant;
    case Role::kTool:
    case Role::kFunction:
      return TokenKind::kToolResult;
  }
  return TokenKind::kUser;
}

TokenKind FromCountKind(CountKind k, Role role) {
  switch (k) {
    case CountKind::kSystem:
      return TokenKind::kSystem;
    case CountKind::kUser:
      return TokenKind::kUser;
    case CountKind::kAssistant:
      return TokenKind::kAssistant;
    case CountKind::kToolDefinitions:
      return TokenKind::kToolDefinitions;
    case CountKind::kToolCalls:
      return TokenKind::kToolCall;
    case CountKind::kToolResults:
      return TokenKind::kToolResult;
    case CountKind::kImages:
    case CountKind::kAudio:
      return RoleTokenKind(role);
    case CountKind::kFraming:
      return TokenKind::kFraming;
  }
  return TokenKind::kUser;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The first `max` characters of a text, whitespace collapsed, cut at a UTF-8 boundary.
std::string Preview(std::string_view text, size_t max = 72) {
  std::string out;
  bool space = false;
  for (size_t i = 0; i < text.size() && out.size() < max; ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  // Do not end inside a multi-byte character.
  size_t end = out.size();
  while (end > 0 && (static_cast<unsigned char>(out[end - 1]) & 0xC0) == 0x80) --end;
  if (end > 0 && (static_cast<unsigned char>(out[end - 1]) & 0x80) != 0) {
    const unsigned char lead = static_cast<unsigned char>(out[end - 1]);
    const size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (out.size() - (end - 1) < need) out.resize(end - 1);
  }
  if (out.size() >= max) out += "...";
  return out;
}

// One message (or a request's tool list) as the report sees it.
struct Block {
  uint64_t id0 = 0, id1 = 0;  // Identity: role and content, ids included.
  uint64_t content = 0;       // Content only (finds a tool output returned twice).
  Kinds kinds{};              // As input, framing included.
  uint64_t tokens = 0;
  uint32_t request = 0;
  int32_t message = -1;  // -1: the tool list.
  Role role = Role::kUser;
  bool tool_result = false;
  std::string_view tool;  // The tool whose result this is, when known.
  uint64_t text_bytes = 0;

  bool Same(const Block& o) const { return id0 == o.id0 && id1 == o.id1; }
};

struct RequestInfo {
  std::vector<uint32_t> blocks;  // Per message.
  uint32_t tools = kNone;        // The tool list's block.
  uint64_t priming = 0;
  CountLabel label = CountLabel::kExact;
  bool counted = false;
  std::optional<CacheTtl> marker_ttl;  // Longest cache_control TTL in the request.
};

// How a model name is counted and priced.
struct ModelChoice {
  const ModelInfo* price = nullptr;
  std::string count_model;
  bool estimate = false;  // Counted with a stand-in tokenizer.
};

bool Countable(std::string_view name) {
  if (name.empty()) return false;
  if (chat_internal::IsClaudeModel(name)) return chat_internal::AnthropicRulesFor(name).ok();
  return chat_internal::OpenAIRulesFor(name).ok();
}

// Per call, from the matching pass.
struct CallWork {
  std::vector<uint32_t> prompt;  // Blocks.
  std::vector<uint32_t> occ;     // Occurrence of each prompt block.
  std::vector<uint32_t> reply;   // Blocks of the reply (recorded or inferred).
  std::vector<uint32_t> reply_occ;
  bool reply_inferred = false;
  // Per prompt block: where it matched in the previous context (kNone = new), and whether
  // that was the previous reply.
  std::vector<uint32_t> matched;
  std::vector<bool> matched_reply;
  bool append = false;  // The prompt extends the previous context exactly.
  uint32_t segment = 0;
  Kinds out_kinds{};
};

struct Occurrence {
  uint32_t block = 0;
  uint32_t first_call = 0;
  uint32_t sends = 0;
  uint64_t resent_tokens = 0;
  PicoUsd resent_cost = 0;
};

struct ThreadInfo {
  std::string name;
  uint32_t trace = 0;
  std::vector<uint32_t> calls;  // Report call indices, in order.
  // For auto-threading: the first user block of the first call.
  uint64_t task0 = 0, task1 = 0;
  bool auto_threaded = false;
};

PicoUsd Price(uint64_t tokens, PricePerMTok p) {
  if (p == kNotOffered || p < 0) return 0;
  absl::StatusOr<PicoUsd> c = CostOf(tokens, p);
  return c.ok() ? *c : 0;
}

void AddGroup(const ReportCall& c, ReportGroup* g) {
  g->calls++;
  g->input += c.input;
  g->new_tokens += c.new_tokens;
  g->resent += c.resent;
  g->output += c.output;
  for (size_t k = 0; k < kNumTokenKinds; ++k) {
    g->input_by_kind[k] += c.new_by_kind[k] + c.resent_by_kind[k];
    g->resent_by_kind[k] += c.resent_by_kind[k];
    g->output_by_kind[k] += c.output_by_kind[k];
  }
  g->cost += c.cost;
  g->cached_cost += c.cached_cost.total();
  if (c.billed) {
    g->billed_calls++;
    g->billed_input += c.billed->usage.input_total();
    g->billed_output += c.billed->usage.output;
    g->our_input_of_billed += c.input;
    g->our_output_of_billed += c.output;
    g->billed_cost += c.billed_cost.value_or(0);
  }
}

class Builder {
 public:
  Builder(const std::vector<Trace>& traces, const ReportOptions& o)
      : traces_(traces),
        o_(o),
        catalog_(o.catalog != nullptr ? *o.catalog : Catalog::Default()),
        cache_(CacheSize(traces)) {}

  absl::StatusOr<Report> Run();

 private:
  static size_t CacheSize(const std::vector<Trace>& traces) {
    size_t n = 0;
    for (const Trace& t : traces) {
      for (const ChatRequest& r : t.requests) n += r.messages.size() + 1;
    }
    return std::clamp<size_t>(2 * n, 16384, size_t{1} << 20);
  }

  absl::StatusOr<const ModelChoice*> Choose(const std::string& name, const std::string& where);
  absl::Status CountRequest(uint32_t trace, uint32_t request, const ModelChoice& m,
                            const std::string& where);
  void Thread();
  void Match(ThreadInfo& t);
  absl::Status Cost();
  void Finish();
  void Wastes();
  absl::Status Billed();
  absl::Status WhatIfs();

  const std::vector<Trace>& traces_;
  const ReportOptions& o_;
  const Catalog& catalog_;
  MessageCountCache cache_;
  Report r_;

  std::map<std::string, ModelChoice> models_;
  std::vector<std::string> model_notes_;
  std::vector<uint32_t> request_base_;  // First global request index of each trace.
  std::vector<RequestInfo> requests_;
  std::vector<Block> blocks_;
  std::vector<CallWork> work_;
  std::vector<const ModelChoice*> call_model_;
  std::vector<ThreadInfo> threads_;
  std::vector<Occurrence> occ_;
  uint64_t total_bytes_ = 0, done_bytes_ = 0;
  // Per pricing model id: the scenario of its calls and which call each step is.
  struct ModelScenario {
    const ModelInfo* model = nullptr;
    Scenario scenario;
    std::vector<std::vector<uint32_t>> sequence_calls;
    uint64_t input = 0;
  };
  std::map<std::string, ModelScenario> scenarios_;
  std::vector<std::string> caching_by_model_;
  std::vector<std::string> baseline_by_model_;
  std::map<std::string, CacheMode> baseline_mode_;
};

absl::StatusOr<const ModelChoice*> Builder::Choose(const std::string& name_in,
                                                   const std::string& where) {
  std::string name = name_in;
  if (name.empty()) {
    if (o_.model.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(where,
                       ": the trace does not name its model; name one (ReportOptions::model, "
                       "--model on the command line)"));
    }
    name = o_.model;
  }
  auto it = models_.find(name);
  if (it != models_.end()) return &it->second;
  ModelChoice m;
  absl::StatusOr<const ModelInfo*> found = catalog_.Find(name);
  if (found.ok()) {
    m.price = *found;
  } else if (!o_.model.empty() && name != o_.model) {
    absl::StatusOr<const ModelInfo*> fallback = catalog_.Find(o_.model);
    if (!fallback.ok()) return fallback.status();
    m.price = *fallback;
    model_notes_.push_back(absl::StrCat("'", name, "' is not in the price catalog: priced as ",
                                        m.price->id, " (--model)"));
  } else {
    model_notes_.push_back(
        absl::StrCat("'", name,
                     "' is not in the price catalog: its calls are shown without costs (--model "
                     "names a catalog model to price them)"));
  }
  // Count with the model's own rules where tokwise has them, else with a stand-in.
  std::vector<std::string> candidates = {name};
  if (m.price != nullptr) {
    candidates.push_back(m.price->id);
    for (const std::string& a : m.price->aliases) candidates.push_back(a);
  }
  if (!o_.model.empty()) candidates.push_back(o_.model);
  for (const std::string& c : candidates) {
    if (Countable(c)) {
      m.count_model = c;
      break;
    }
  }
  if (m.count_model.empty()) {
    m.count_model = "gpt-4o";
    m.estimate = true;
    model_notes_.push_back(
        absl::StrCat("'", name,
                     "': its tokenizer is not built into tokwise; counted with o200k_base and "
                     "OpenAI's chat framing as an estimate"));
  }
  return &models_.emplace(name, std::move(m)).first->second;
}

absl::Status Builder::CountRequest(uint32_t trace, uint32_t request, const ModelChoice& m,
                                   const std::string& where) {
  const uint32_t gi = request_base_[trace] + request;
  RequestInfo& info = requests_[gi];
  if (info.counted) return absl::OkStatus();
  const ChatRequest& req = traces_[trace].requests[request];
  ChatCountOptions co;
  co.model = m.count_model;
  co.anthropic_text_factor = o_.anthropic_text_factor;
  co.cache = &cache_;
  absl::StatusOr<ChatCount> count = CountChatTokens(req, co);
  if (!count.ok()) {
    return absl::Status(count.status().code(), absl::StrCat(traces_[trace].name, ": ", where, ": ",
                                                            std::string(count.status().message())));
  }
  info.counted = true;
  info.label = m.estimate ? CountLabel::kEstimate : count->label;
  info.priming = count->reply_priming;
  for (const CacheMarker& mk : req.cache_markers) {
    if (!info.marker_ttl || mk.ttl == CacheTtl::k1Hour) info.marker_ttl = mk.ttl;
  }

  // The tool call names by id, so a tool result knows its tool.
  absl::flat_hash_map<std::string_view, std::string_view> tool_names;
  for (const ChatMessage& msg : req.messages) {
    for (const ChatPart& p : msg.parts) {
      if (p.type == PartType::kToolCall && !p.id.empty()) tool_names[p.id] = p.name;
    }
  }
  auto is_retrieval = [&](std::string_view tool) {
    if (tool.empty()) return false;
    const std::string t = Lower(tool);
    for (const std::string& frag : o_.retrieval_tools) {
      if (!frag.empty() && t.find(Lower(frag)) != std::string::npos) return true;
    }
    return false;
  };

  Kinds in_messages{};
  info.blocks.reserve(req.messages.size());
  for (size_t i = 0; i < req.messages.size(); ++i) {
    const ChatMessage& msg = req.messages[i];
    Block b;
    b.request = gi;
    b.message = static_cast<int32_t>(i);
    b.role = msg.role;
    for (size_t k = 0; k < kNumCountKinds; ++k) {
      b.kinds[K(FromCountKind(static_cast<CountKind>(k), msg.role))] +=
          count->message_by_kind[i][k];
    }
    Hasher128 id, content;
    id.AddU64(static_cast<uint64_t>(msg.role) | (static_cast<uint64_t>(msg.section) << 8));
    id.Add(msg.name);
    id.Add(msg.tool_call_id);
    std::string_view call_id = msg.tool_call_id;
    for (const ChatPart& p : msg.parts) {
      id.AddU64(static_cast<uint64_t>(p.type) | (p.in_tool_result ? 256u : 0u));
      id.Add(p.text);
      id.Add(p.name);
      id.Add(p.id);
      id.Add(p.data.size() <= 4096 ? p.data : p.data.substr(0, 4096));
      id.AddU64(p.data.size());
      content.Add(p.text);
      content.Add(p.data.size() <= 4096 ? p.data : p.data.substr(0, 4096));
      b.text_bytes += p.text.size() + p.data.size();
      if (p.type == PartType::kToolResult) {
        b.tool_result = true;
        if (call_id.empty()) call_id = p.id;
      }
    }
    if (msg.role == Role::kTool || msg.role == Role::kFunction) b.tool_result = true;
    if (b.tool_result) {
      if (msg.role == Role::kFunction) {
        b.tool = msg.name;
      } else if (auto t = tool_names.find(call_id); t != tool_names.end()) {
        b.tool = t->second;
      }
      if (is_retrieval(b.tool)) {
        b.kinds[K(TokenKind::kRetrieved)] += b.kinds[K(TokenKind::kToolResult)];
        b.kinds[K(TokenKind::kToolResult)] = 0;
      }
    }
    b.id0 = id.lo();
    b.id1 = id.hi();
    b.content = content.lo() ^ (static_cast<uint64_t>(b.tool_result) << 63);
    b.tokens = Sum(b.kinds);
    for (size_t k = 0; k < kNumTokenKinds; ++k) in_messages[k] += b.kinds[k];
    info.blocks.push_back(static_cast<uint32_t>(blocks_.size()));
    blocks_.push_back(b);
  }
  // The tool list: whatever the request total holds beyond its messages and the priming.
  if (!req.tools.empty()) {
    Block b;
    b.request = gi;
    b.message = -1;
    b.role = Role::kSystem;
    Kinds all{};
    for (size_t k = 0; k < kNumCountKinds; ++k) {
      all[K(FromCountKind(static_cast<CountKind>(k), Role::kSystem))] += count->by_kind[k];
    }
    all[K(TokenKind::kFraming)] -= std::min(all[K(TokenKind::kFraming)], info.priming);
    for (size_t k = 0; k < kNumTokenKinds; ++k) {
      b.kinds[k] = all[k] - std::min(all[k], in_messages[k]);
    }
    Hasher128 id;
    id.AddU64(0x700L);
    for (const ToolDefinition& t : req.tools) {
      id.Add(t.type);
      id.Add(t.name);
      id.Add(t.description);
      id.Add(t.parameters);
      b.text_bytes += t.name.size() + t.description.size() + t.parameters.size();
    }
    b.id0 = id.lo();
    b.id1 = id.hi();
    b.content = b.id0;
    b.tokens = Sum(b.kinds);
    info.tools = static_cast<uint32_t>(blocks_.size());
    blocks_.push_back(b);
  }
  return absl::OkStatus();
}

// Assigns each call to a thread.
void Builder::Thread() {
  std::map<std::pair<uint32_t, std::string>, uint32_t> named;
  std::vector<uint32_t> auto_threads;  // Indices into threads_, most recent last.
  uint32_t auto_count = 0;
  for (uint32_t i = 0; i < r_.calls.size(); ++i) {
    ReportCall& c = r_.calls[i];
    const CallWork& w = work_[i];
    if (!c.thread.empty()) {
      auto key = std::make_pair(c.trace, c.thread);
      auto it = named.find(key);
      uint32_t t;
      if (it == named.end()) {
        t = static_cast<uint32_t>(threads_.size());
        threads_.push_back(ThreadInfo{c.thread, c.trace, {}, 0, 0, false});
        named.emplace(key, t);
      } else {
        t = it->second;
      }
      threads_[t].calls.push_back(i);
      continue;
    }
    // Auto-threading: continue the thread whose last context (prompt + reply) is a prefix of
    // this prompt; else the thread that began with the same task; else a new thread.
    auto task = [&](const std::vector<uint32_t>& prompt) -> std::pair<uint64_t, uint64_t> {
      for (uint32_t b : prompt) {
        if (blocks_[b].message >= 0 && blocks_[b].role == Role::kUser) {
          return {blocks_[b].id0, blocks_[b].id1};
        }
      }
      return {0, 0};
    };
    uint32_t chosen = kNone;
    for (size_t k = auto_threads.size(); k-- > 0 && chosen == kNone;) {
      const ThreadInfo& t = threads_[auto_threads[k]];
      if (t.trace != c.trace) continue;
      const CallWork& last = work_[t.calls.back()];
      const size_t n = last.prompt.size() + last.reply.size();
      if (n > w.prompt.size()) continue;
      bool prefix = true;
      for (size_t j = 0; j < n && prefix; ++j) {
        const uint32_t b =
            j < last.prompt.size() ? last.prompt[j] : last.reply[j - last.prompt.size()];
        prefix = blocks_[b].Same(blocks_[w.prompt[j]]);
      }
      // The previous reply may be unrecorded: the prompt then extends the last prompt.
      if (!prefix && last.reply.empty()) {
        prefix = last.prompt.size() <= w.prompt.size();
        for (size_t j = 0; j < last.prompt.size() && prefix; ++j) {
          prefix = blocks_[last.prompt[j]].Same(blocks_[w.prompt[j]]);
        }
      }
      if (prefix) chosen = auto_threads[k];
    }
    const auto my_task = task(w.prompt);
    if (chosen == kNone && my_task.first != 0) {
      for (size_t k = auto_threads.size(); k-- > 0;) {
        const ThreadInfo& t = threads_[auto_threads[k]];
        if (t.trace == c.trace && t.task0 == my_task.first && t.task1 == my_task.second) {
          chosen = auto_threads[k];
          break;
        }
      }
    }
    if (chosen == kNone) {
      chosen = static_cast<uint32_t>(threads_.size());
      ThreadInfo t;
      ++auto_count;
      t.name = traces_[c.trace].calls.size() > 1 || auto_count > 1
                   ? absl::StrCat(traces_[c.trace].name, " #", auto_count)
                   : traces_[c.trace].name;
      t.trace = c.trace;
      t.task0 = my_task.first;
      t.task1 = my_task.second;
      t.auto_threaded = true;
      threads_.push_back(std::move(t));
    } else {
      // Keep the most recently used thread last.
      auto_threads.erase(std::find(auto_threads.begin(), auto_threads.end(), chosen));
    }
    auto_threads.push_back(chosen);
    threads_[chosen].calls.push_back(i);
  }
  // Single auto thread of a trace: name it after the file.
  std::map<uint32_t, uint32_t> per_trace;
  for (const ThreadInfo& t : threads_) per_trace[t.trace] += t.auto_threaded;
  for (ThreadInfo& t : threads_) {
    if (t.auto_threaded && per_trace[t.trace] == 1) t.name = traces_[t.trace].name;
  }
  for (const ThreadInfo& t : threads_) {
    for (size_t s = 0; s < t.calls.size(); ++s) {
      ReportCall& c = r_.calls[t.calls[s]];
      c.thread = t.name;
      c.step = static_cast<uint32_t>(s + 1);
      if (c.agent.empty()) c.agent = t.name;
      if (c.workflow.empty()) c.workflow = traces_[c.trace].name;
    }
  }
}

// New versus re-sent for the calls of one thread.
void Builder::Match(ThreadInfo& t) {
  uint32_t segment = 0;
  for (size_t s = 0; s < t.calls.size(); ++s) {
    const uint32_t ci = t.calls[s];
    CallWork& w = work_[ci];
    w.matched.assign(w.prompt.size(), kNone);
    w.matched_reply.assign(w.prompt.size(), false);
    w.occ.assign(w.prompt.size(), kNone);
    bool same_model = true;
    if (s > 0) {
      CallWork& p = work_[t.calls[s - 1]];
      same_model = call_model_[t.calls[s - 1]] == call_model_[ci];
      // An unrecorded reply is the assistant message that follows the previous prompt.
      if (p.reply.empty() && w.prompt.size() > p.prompt.size()) {
        bool prefix = true;
        for (size_t j = 0; j < p.prompt.size() && prefix; ++j) {
          prefix = blocks_[p.prompt[j]].Same(blocks_[w.prompt[j]]);
        }
        for (size_t j = p.prompt.size();
             prefix && j < w.prompt.size() && blocks_[w.prompt[j]].role == Role::kAssistant &&
             blocks_[w.prompt[j]].message >= 0;
             ++j) {
          p.reply.push_back(w.prompt[j]);
          p.reply_occ.push_back(static_cast<uint32_t>(occ_.size()));
          occ_.push_back(Occurrence{w.prompt[j], t.calls[s - 1], 0, 0, 0});
          p.reply_inferred = true;
        }
      }
      // Match the prompt in order against the previous context.
      const size_t n_ctx = p.prompt.size() + p.reply.size();
      auto ctx_block = [&](size_t j) {
        return j < p.prompt.size() ? p.prompt[j] : p.reply[j - p.prompt.size()];
      };
      auto ctx_occ = [&](size_t j) {
        return j < p.prompt.size() ? p.occ[j] : p.reply_occ[j - p.prompt.size()];
      };
      absl::flat_hash_map<std::pair<uint64_t, uint64_t>, std::vector<uint32_t>> where;
      for (size_t j = 0; j < n_ctx; ++j) {
        const Block& b = blocks_[ctx_block(j)];
        where[{b.id0, b.id1}].push_back(static_cast<uint32_t>(j));
      }
      size_t next = 0;
      bool append = w.prompt.size() >= n_ctx;
      for (size_t i = 0; i < w.prompt.size(); ++i) {
        const Block& b = blocks_[w.prompt[i]];
        auto it = where.find({b.id0, b.id1});
        if (it != where.end()) {
          auto pos =
              std::lower_bound(it->second.begin(), it->second.end(), static_cast<uint32_t>(next));
          if (pos != it->second.end()) {
            w.matched[i] = *pos;
            w.matched_reply[i] = *pos >= p.prompt.size();
            w.occ[i] = ctx_occ(*pos);
            next = *pos + 1;
          }
        }
        if (i < n_ctx && w.matched[i] != i) append = false;
      }
      w.append = append && same_model;
    }
    if (!w.append) segment += s > 0 ? 1 : 0;
    w.segment = segment;
    for (size_t i = 0; i < w.prompt.size(); ++i) {
      if (w.occ[i] == kNone) {
        w.occ[i] = static_cast<uint32_t>(occ_.size());
        occ_.push_back(Occurrence{w.prompt[i], ci, 0, 0, 0});
      }
    }
    for (size_t i = w.reply_occ.size(); i < w.reply.size(); ++i) {
      w.reply_occ.push_back(static_cast<uint32_t>(occ_.size()));
      occ_.push_back(Occurrence{w.reply[i], ci, 0, 0, 0});
    }
  }
}

}  // namespace

absl::StatusOr<Report> Builder::Run() {
  if (!o_.model.empty()) {
    absl::StatusOr<const ModelInfo*> m = catalog_.Find(o_.model);
    if (!m.ok()) return m.status();
  }
  // Calls, their models, and the requests they need counted.
  request_base_.resize(traces_.size());
  uint32_t n_requests = 0;
  for (uint32_t t = 0; t < traces_.size(); ++t) {
    request_base_[t] = n_requests;
    n_requests += static_cast<uint32_t>(traces_[t].requests.size());
    ReportTrace rt;
    rt.name = traces_[t].name;
    rt.format = traces_[t].format;
    rt.calls = static_cast<uint32_t>(traces_[t].calls.size());
    rt.bytes = traces_[t].bytes;
    rt.notes = traces_[t].notes;
    r_.traces.push_back(std::move(rt));
  }
  requests_.resize(n_requests);
  total_bytes_ = 0;
  for (const Trace& t : traces_) total_bytes_ += t.bytes;

  for (uint32_t t = 0; t < traces_.size(); ++t) {
    const Trace& tr = traces_[t];
    for (const TraceCall& tc : tr.calls) {
      ReportCall c;
      c.index = static_cast<uint32_t>(r_.calls.size());
      c.trace = t;
      c.where = tc.where;
      c.thread = tc.thread;
      c.agent = tc.agent;
      c.workflow = tc.workflow;
      c.user = tc.user;
      c.time_ms = tc.time_ms;
      c.billed = tc.billed;
      absl::StatusOr<const ModelChoice*> m =
          Choose(tc.model, absl::StrCat(tr.name, ": ", tc.where));
      if (!m.ok()) return m.status();
      c.model = tc.model.empty() ? o_.model : tc.model;
      c.priced_as = (*m)->price != nullptr ? (*m)->price->id : "";
      call_model_.push_back(*m);
      r_.calls.push_back(std::move(c));
    }
  }
  // Count every request once (requests shared by a conversation's calls included).
  work_.resize(r_.calls.size());
  const uint64_t total = total_bytes_ > 0 ? total_bytes_ : 1;
  uint64_t reported = 0;
  {
    uint32_t i = 0;
    for (uint32_t t = 0; t < traces_.size(); ++t) {
      const Trace& tr = traces_[t];
      // Share of the file per request, for progress.
      const uint64_t per_request =
          tr.requests.empty() ? 0 : tr.bytes / static_cast<uint64_t>(tr.requests.size());
      for (const TraceCall& tc : tr.calls) {
        const ModelChoice& m = *call_model_[i];
        const std::string where = tc.where;
        for (int32_t req : {static_cast<int32_t>(tc.request), tc.output_request}) {
          if (req < 0) continue;
          const bool fresh = !requests_[request_base_[t] + req].counted;
          absl::Status st = CountRequest(t, static_cast<uint32_t>(req), m, where);
          if (!st.ok()) return st;
          if (fresh) done_bytes_ += per_request;
        }
        const RequestInfo& info = requests_[request_base_[t] + tc.request];
        CallWork& w = work_[i];
        if (info.tools != kNone) w.prompt.push_back(info.tools);
        for (uint32_t k = 0; k < tc.prompt_messages && k < info.blocks.size(); ++k) {
          w.prompt.push_back(info.blocks[k]);
        }
        if (tc.output_request >= 0) {
          const RequestInfo& out = requests_[request_base_[t] + tc.output_request];
          for (uint32_t k = 0; k < tc.output_count; ++k) {
            if (tc.output_message + k < out.blocks.size()) {
              w.reply.push_back(out.blocks[tc.output_message + k]);
            }
          }
        }
        r_.calls[i].label = info.label;
        if (o_.progress && (done_bytes_ - reported) * 200 >= total) {
          o_.progress(ReportProgress{"counting", std::min(done_bytes_, total), total});
          reported = done_bytes_;
        }
        ++i;
      }
    }
  }
  if (o_.progress) o_.progress(ReportProgress{"counting", total, total});

  Thread();
  for (ThreadInfo& t : threads_) Match(t);
  absl::Status st = Cost();
  if (!st.ok()) return st;
  Finish();
  Wastes();
  st = Billed();
  if (!st.ok()) return st;
  if (o_.what_ifs) {
    st = WhatIfs();
    if (!st.ok()) return st;
  }
  for (std::string& n : model_notes_) r_.notes.push_back(std::move(n));
  return std::move(r_);
}

absl::Status Builder::Cost() {
  // Per call: output by kind (the reply's kinds without framing; else billed output).
  for (uint32_t i = 0; i < r_.calls.size(); ++i) {
    CallWork& w = work_[i];
    ReportCall& c = r_.calls[i];
    for (uint32_t b : w.reply) {
      const Block& blk = blocks_[b];
      for (size_t k = 0; k < kNumTokenKinds; ++k) {
        if (k != K(TokenKind::kFraming)) w.out_kinds[k] += blk.kinds[k];
      }
    }
    if (w.reply.empty()) {
      c.output_known = false;
      if (c.billed) w.out_kinds[K(TokenKind::kAssistant)] = c.billed->usage.output;
    }
    c.output_by_kind = w.out_kinds;
    c.output = Sum(w.out_kinds);
  }

  // New versus re-sent, and the scenario items, thread by thread.
  for (const ThreadInfo& t : threads_) {
    const ModelChoice* mc = nullptr;
    int64_t last_time = -1;
    Scenario* sc = nullptr;
    ModelScenario* ms = nullptr;
    for (size_t s = 0; s < t.calls.size(); ++s) {
      const uint32_t ci = t.calls[s];
      CallWork& w = work_[ci];
      ReportCall& c = r_.calls[ci];
      mc = call_model_[ci];
      const uint64_t priming =
          w.prompt.empty() ? 0 : requests_[blocks_[w.prompt[0]].request].priming;
      const CallWork* prev = s > 0 ? &work_[t.calls[s - 1]] : nullptr;

      // Scenario bookkeeping: one scenario per pricing model; a new sequence per segment.
      const std::string key = mc->price != nullptr ? mc->price->id : std::string();
      ModelScenario& m = scenarios_[key];
      m.model = mc->price;
      if (m.scenario.name().empty()) m.scenario.set_name("this trace");
      const bool new_sequence = s == 0 || !w.append || ms != &m;
      if (new_sequence) {
        ms = &m;
        sc = &m.scenario;
        sc->BeginSequence(w.segment == 0 ? t.name : absl::StrCat(t.name, " (", w.segment + 1, ")"),
                          0, static_cast<uint32_t>(priming));
        m.sequence_calls.emplace_back();
        c.history_edited = s > 0;
      }
      m.sequence_calls.back().push_back(ci);
      int64_t gap = o_.default_gap_ms;
      if (c.time_ms >= 0 && last_time >= 0 && c.time_ms >= last_time) gap = c.time_ms - last_time;
      if (new_sequence) gap = 0;
      if (c.time_ms >= 0) last_time = c.time_ms;
      sc->BeginCall(gap);

      // Input: each prompt block new, re-sent, or a carried reply (its framing is new).
      bool pin = new_sequence;
      bool task_seen = false;
      for (size_t i = 0; i < w.prompt.size(); ++i) {
        const Block& b = blocks_[w.prompt[i]];
        Occurrence& oc = occ_[w.occ[i]];
        oc.sends++;
        Kinds fresh = b.kinds, again{};
        if (w.matched[i] != kNone) {
          if (w.matched_reply[i]) {
            // The part of the reply the model wrote, up to what it wrote.
            const Block& rb = blocks_[prev->reply[w.matched[i] - prev->prompt.size()]];
            for (size_t k = 0; k < kNumTokenKinds; ++k) {
              if (k == K(TokenKind::kFraming)) continue;
              again[k] = std::min(b.kinds[k], rb.kinds[k]);
              fresh[k] = b.kinds[k] - again[k];
            }
          } else {
            again = b.kinds;
            fresh = Kinds{};
          }
        }
        for (size_t k = 0; k < kNumTokenKinds; ++k) {
          c.new_by_kind[k] += fresh[k];
          c.resent_by_kind[k] += again[k];
        }
        const uint64_t again_sum = Sum(again);
        oc.resent_tokens += again_sum;
        if (mc->price != nullptr) oc.resent_cost += Price(again_sum, mc->price->prices.input);

        // Scenario items: in an appended call only what was not carried.
        const bool carried = !new_sequence && i < prev->prompt.size() + prev->reply.size();
        Kinds items = b.kinds;
        if (carried) {
          if (w.matched_reply[i]) {
            items = fresh;  // Framing and anything beyond what the reply carried.
          } else {
            continue;
          }
        }
        // Pinned: leading system prompt and tool list, and the first user message (the task).
        bool pinned = false;
        if (pin) {
          if (b.message < 0 || b.role == Role::kSystem || b.role == Role::kDeveloper) {
            pinned = true;
          } else if (b.role == Role::kUser && !task_seen) {
            pinned = true;
            task_seen = true;
          } else {
            pin = false;
          }
        }
        bool first_item = true;
        for (size_t k = 0; k < kNumTokenKinds; ++k) {
          if (items[k] == 0) continue;
          ItemFlags f;
          f.pinned = pinned;
          f.same_message = !first_item;
          sc->AddInput(static_cast<TokenKind>(k), static_cast<uint32_t>(items[k]), f);
          first_item = false;
        }
      }
      c.new_by_kind[K(TokenKind::kFraming)] += priming;
      c.new_tokens = Sum(c.new_by_kind);
      c.resent = Sum(c.resent_by_kind);
      c.input = c.new_tokens + c.resent;
      m.input += c.input;

      // Output: what the next call carries is re-sent; the rest (stripped thinking, billed
      // reasoning) is transient.
      const CallWork* next = s + 1 < t.calls.size() ? &work_[t.calls[s + 1]] : nullptr;
      Kinds carried{};
      if (next != nullptr && next->append && call_model_[t.calls[s + 1]] == mc) {
        for (size_t i = 0; i < next->prompt.size(); ++i) {
          if (!next->matched_reply[i]) continue;
          const Block& nb = blocks_[next->prompt[i]];
          const Block& rb = blocks_[w.reply[next->matched[i] - w.prompt.size()]];
          for (size_t k = 0; k < kNumTokenKinds; ++k) {
            if (k != K(TokenKind::kFraming)) carried[k] += std::min(nb.kinds[k], rb.kinds[k]);
          }
        }
      }
      for (size_t k = 0; k < kNumTokenKinds; ++k) {
        const uint64_t out = w.out_kinds[k];
        if (out == 0) continue;
        const uint64_t keep = std::min(out, carried[k]);
        if (keep > 0) sc->AddOutput(static_cast<TokenKind>(k), static_cast<uint32_t>(keep));
        if (out > keep) {
          ItemFlags f;
          f.transient = true;
          sc->AddOutput(static_cast<TokenKind>(k), static_cast<uint32_t>(out - keep), f);
        }
      }
    }
  }

  // Evaluate each model's scenario without and with caching.
  for (auto& [id, m] : scenarios_) {
    ModelInfo model;
    if (m.model != nullptr) {
      model = *m.model;
    } else {
      // Unpriced calls: the evaluation only splits tokens; every cost is left at 0.
      model.id = "unpriced";
      model.prices.input = 0;
      model.prices.output = 0;
    }
    EvalOptions off;
    off.cache.mode = CacheMode::kOff;
    absl::StatusOr<ScenarioResult> plain = Evaluate(m.scenario, model, off);
    if (!plain.ok()) return plain.status();

    // The caching the report shows: what the trace did if it used explicit caching, else
    // what the provider does when asked.
    CacheMode with = CacheMode::kOff;
    const Prices& p = model.prices;
    const bool writes = p.cache_write_5m != kNotOffered || p.cache_write_1h != kNotOffered;
    std::optional<CacheTtl> ttl;
    for (const auto& calls : m.sequence_calls) {
      for (uint32_t ci : calls) {
        const CallWork& w = work_[ci];
        if (w.prompt.empty()) continue;
        const RequestInfo& info = requests_[blocks_[w.prompt[0]].request];
        if (info.marker_ttl && (!ttl || *info.marker_ttl == CacheTtl::k1Hour)) {
          ttl = info.marker_ttl;
        }
      }
    }
    CacheMode baseline = CacheMode::kProviderDefault;
    if (p.cache_read != kNotOffered) {
      if (writes) {
        with = ttl == CacheTtl::k1Hour && p.cache_write_1h != kNotOffered ? CacheMode::kExplicit1h
                                                                          : CacheMode::kExplicit5m;
        if (ttl) baseline = with;
      } else {
        with = CacheMode::kAutomatic;
      }
    }
    baseline_mode_[id] = baseline;
    ScenarioResult cached;
    if (with != CacheMode::kOff) {
      EvalOptions on;
      on.cache.mode = with;
      absl::StatusOr<ScenarioResult> rc = Evaluate(m.scenario, model, on);
      if (!rc.ok()) return rc.status();
      cached = std::move(*rc);
    } else {
      cached = *plain;
    }
    if (m.model != nullptr) {
      r_.priced = true;
      const char* what = with == CacheMode::kAutomatic    ? "automatic prompt caching"
                         : with == CacheMode::kExplicit5m ? "5-minute prompt caching"
                         : with == CacheMode::kExplicit1h ? "1-hour prompt caching"
                                                          : "no prompt caching offered";
      caching_by_model_.push_back(absl::StrCat(what, " (", model.id, ")"));
      const CacheMode b = ResolveCacheMode(baseline, model);
      baseline_by_model_.push_back(absl::StrCat(
          b == CacheMode::kOff ? "no caching" : std::string(CacheModeName(b)), " (", model.id,
          ttl ? ", from the trace's cache_control markers)" : ", the provider's default)"));
    }

    // Steps come sequence by sequence, call by call.
    size_t step = 0;
    for (const auto& calls : m.sequence_calls) {
      for (uint32_t ci : calls) {
        ReportCall& c = r_.calls[ci];
        const StepResult& sp = plain->steps[step];
        const StepResult& scd = cached.steps[step];
        ++step;
        if (sp.input != c.input || sp.output != c.output) {
          return absl::InternalError(absl::StrCat(
              "report: the cost model's call ", c.index + 1, " (", sp.input, " in, ", sp.output,
              " out) disagrees with the count (", c.input, " in, ", c.output, " out)"));
        }
        if (m.model != nullptr) {
          c.cost = sp.cost.total();
          c.cached_cost = scd.cost;
        }
        c.cached = scd.tokens;
      }
    }
  }
  return absl::OkStatus();
}

void Builder::Finish() {
  // Cumulative totals, groups, label.
  uint64_t tokens = 0;
  PicoUsd cost = 0, cached = 0;
  std::map<std::string, size_t> agents, workflows, users, models, threads;
  auto group = [](std::vector<ReportGroup>* v, std::map<std::string, size_t>* index,
                  const std::string& name) -> ReportGroup& {
    auto it = index->find(name);
    if (it == index->end()) {
      it = index->emplace(name, v->size()).first;
      v->push_back(ReportGroup{});
      v->back().name = name;
    }
    return (*v)[it->second];
  };
  for (ReportCall& c : r_.calls) {
    tokens += c.input + c.output;
    cost += c.cost;
    cached += c.cached_cost.total();
    c.cumulative_tokens = tokens;
    c.cumulative_cost = cost;
    c.cumulative_cached_cost = cached;
    if (c.billed && !c.priced_as.empty()) {
      const ModelInfo* m = *catalog_.Find(c.priced_as);
      absl::StatusOr<CostBreakdown> b = PriceUsage(*m, c.billed->usage);
      if (b.ok()) c.billed_cost = b->total;
    }
    if (static_cast<int>(c.label) > static_cast<int>(r_.label)) r_.label = c.label;
    AddGroup(c, &r_.total);
    AddGroup(c, &group(&r_.threads, &threads, c.thread));
    AddGroup(c, &group(&r_.agents, &agents, c.agent));
    AddGroup(c, &group(&r_.workflows, &workflows, c.workflow));
    if (!c.user.empty()) AddGroup(c, &group(&r_.users, &users, c.user));
    AddGroup(c, &group(&r_.models, &models,
                       c.priced_as.empty() ? c.model + " (unpriced)" : c.priced_as));
  }
  r_.total.name = "total";

  // Direct answers: per thread, its first call's pinned input (system, tools, task) plus its
  // last reply; a workflow answers with its first thread's; the total sums the workflows'.
  std::map<std::string, uint64_t> thread_direct;
  for (const ThreadInfo& t : threads_) {
    const CallWork& w = work_[t.calls.front()];
    uint64_t d = 0;
    bool task = false;
    for (uint32_t b : w.prompt) {
      const Block& blk = blocks_[b];
      if (blk.message < 0 || blk.role == Role::kSystem || blk.role == Role::kDeveloper) {
        d += blk.tokens;
      } else if (blk.role == Role::kUser && !task) {
        d += blk.tokens;
        task = true;
      } else {
        break;
      }
    }
    d += r_.calls[t.calls.back()].output;
    thread_direct[t.name] = d;
  }
  for (ReportGroup& g : r_.threads) g.direct_answer = thread_direct[g.name];
  std::map<std::string, std::string> first_thread_of;
  for (const ReportCall& c : r_.calls) first_thread_of.emplace(c.workflow, c.thread);
  std::map<std::string, std::string> first_thread_of_agent;
  for (const ReportCall& c : r_.calls) first_thread_of_agent.emplace(c.agent, c.thread);
  for (ReportGroup& g : r_.workflows) {
    g.direct_answer = thread_direct[first_thread_of[g.name]];
    r_.total.direct_answer += g.direct_answer;
  }
  for (ReportGroup& g : r_.agents) g.direct_answer = thread_direct[first_thread_of_agent[g.name]];
  // A user's calls answer each of the user's workflows once.
  std::map<std::string, std::set<std::string>> user_workflows;
  for (const ReportCall& c : r_.calls) {
    if (!c.user.empty()) user_workflows[c.user].insert(c.workflow);
  }
  for (ReportGroup& g : r_.users) {
    for (const std::string& w : user_workflows[g.name]) {
      g.direct_answer += thread_direct[first_thread_of[w]];
    }
  }
  for (ReportGroup& g : r_.models) g.direct_answer = 0;

  // Caching descriptions and counting work.
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) absl::StrAppend(&s, s.empty() ? "" : "; ", x);
    return s;
  };
  r_.caching = join(caching_by_model_);
  r_.baseline_caching = join(baseline_by_model_);
  absl::flat_hash_map<std::pair<uint64_t, uint64_t>, bool> seen;
  for (const CallWork& w : work_) {
    for (uint32_t b : w.prompt) {
      const Block& blk = blocks_[b];
      r_.text_bytes += blk.text_bytes;
      r_.messages++;
      if (seen.emplace(std::make_pair(blk.id0, blk.id1), true).second) {
        r_.unique_text_bytes += blk.text_bytes;
        r_.unique_messages++;
      }
    }
  }
  size_t edited = 0, unknown_output = 0;
  for (size_t i = 0; i < r_.calls.size(); ++i) {
    edited += r_.calls[i].history_edited;
    unknown_output += !r_.calls[i].output_known;
  }
  if (edited > 0) {
    r_.notes.push_back(
        absl::StrCat(edited,
                     " call(s) sent a history that was edited, not appended (windowed, summarized, "
                     "rewritten): the caching figures assume no cache hit for them"));
  }
  if (unknown_output > 0) {
    r_.notes.push_back(absl::StrCat(unknown_output,
                                    " call(s) have no reply in the trace: their output is the "
                                    "billed count where there is one, else 0"));
  }
  bool timed = false;
  for (const ReportCall& c : r_.calls) timed |= c.time_ms >= 0;
  if (!timed) {
    r_.notes.push_back(absl::StrCat("the trace records no times: calls are taken ",
                                    o_.default_gap_ms / 1000.0, " s apart for cache lifetimes"));
  }
}

void Builder::Wastes() {
  // A block's first characters, from its request's text.
  auto preview_of = [&](uint32_t block) -> std::string {
    const Block& b = blocks_[block];
    // Find the trace and request of the block.
    uint32_t t = 0;
    while (t + 1 < request_base_.size() && request_base_[t + 1] <= b.request) ++t;
    const ChatRequest& req = traces_[t].requests[b.request - request_base_[t]];
    if (b.message < 0) {
      std::string names;
      for (const ToolDefinition& d : req.tools) {
        absl::StrAppend(&names, names.empty() ? "" : ", ", std::string(d.name));
      }
      return Preview(absl::StrCat(req.tools.size(), " tool definitions: ", names));
    }
    const ChatMessage& m = req.messages[b.message];
    std::string text;
    for (const ChatPart& p : m.parts) {
      if (p.type == PartType::kToolCall) {
        absl::StrAppend(&text, text.empty() ? "" : " ", std::string(p.name), "(",
                        std::string(p.text.substr(0, 200)), ")");
      } else if (!p.text.empty()) {
        absl::StrAppend(&text, text.empty() ? "" : " ", std::string(p.text.substr(0, 200)));
      }
      if (text.size() > 200) break;
    }
    return Preview(text);
  };
  // Largest re-sent blocks, grouped by content identity across threads.
  struct Agg {
    ResentBlock rb;
    uint32_t block = 0;  // One of its blocks, for the preview.
    bool set = false;
  };
  absl::flat_hash_map<std::pair<uint64_t, uint64_t>, Agg> by_id;
  for (const Occurrence& oc : occ_) {
    if (oc.resent_tokens == 0) continue;
    const Block& b = blocks_[oc.block];
    Agg& a = by_id[{b.id0, b.id1}];
    if (!a.set) {
      a.set = true;
      a.block = oc.block;
      a.rb.first_call = oc.first_call;
      a.rb.tokens = b.tokens;
      a.rb.copies = 0;
      size_t best = 0;
      for (size_t k = 0; k < kNumTokenKinds; ++k) {
        if (k != K(TokenKind::kFraming) && b.kinds[k] > b.kinds[best]) best = k;
      }
      a.rb.kind = static_cast<TokenKind>(best);
      a.rb.role = b.message < 0 ? "tools" : std::string(RoleName(b.role));
    }
    a.rb.copies++;
    a.rb.sends += oc.sends;
    a.rb.resent_tokens += oc.resent_tokens;
    a.rb.resent_cost += oc.resent_cost;
  }
  std::vector<Agg> blocks;
  for (auto& [k, a] : by_id) blocks.push_back(std::move(a));
  std::sort(blocks.begin(), blocks.end(), [](const Agg& a, const Agg& b) {
    return a.rb.resent_tokens != b.rb.resent_tokens ? a.rb.resent_tokens > b.rb.resent_tokens
                                                    : a.rb.first_call < b.rb.first_call;
  });
  if (blocks.size() > o_.top) blocks.resize(o_.top);
  for (Agg& a : blocks) {
    a.rb.preview = preview_of(a.block);
    r_.resent_blocks.push_back(std::move(a.rb));
  }

  // Repeated tool results: the same output returned again (new, not re-sent).
  struct Rep {
    RepeatedResult rr;
    std::vector<uint32_t> occs;
  };
  absl::flat_hash_map<uint64_t, Rep> by_content;
  for (uint32_t i = 0; i < occ_.size(); ++i) {
    const Block& b = blocks_[occ_[i].block];
    if (!b.tool_result || b.tokens == 0) continue;
    Rep& rep = by_content[b.content];
    rep.occs.push_back(i);
  }
  std::vector<RepeatedResult> reps;
  for (auto& [content, rep] : by_content) {
    if (rep.occs.size() < 2) continue;
    std::sort(rep.occs.begin(), rep.occs.end(), [&](uint32_t a, uint32_t b) {
      return occ_[a].first_call != occ_[b].first_call ? occ_[a].first_call < occ_[b].first_call
                                                      : a < b;
    });
    RepeatedResult rr;
    const Block& b0 = blocks_[occ_[rep.occs[0]].block];
    rr.tool = std::string(b0.tool);
    rr.tokens = b0.tokens;
    rr.copies = static_cast<uint32_t>(rep.occs.size());
    for (size_t k = 0; k < rep.occs.size(); ++k) {
      const Occurrence& oc = occ_[rep.occs[k]];
      rr.calls.push_back(oc.first_call);
      if (k == 0) continue;
      const Block& b = blocks_[oc.block];
      rr.wasted_tokens += b.tokens + oc.resent_tokens;
      const ModelChoice* m = call_model_[oc.first_call];
      if (m->price != nullptr) rr.wasted_cost += Price(b.tokens, m->price->prices.input);
      rr.wasted_cost += oc.resent_cost;
    }
    rr.preview = preview_of(occ_[rep.occs[0]].block);
    reps.push_back(std::move(rr));
  }
  std::sort(reps.begin(), reps.end(), [](const RepeatedResult& a, const RepeatedResult& b) {
    return a.wasted_tokens != b.wasted_tokens ? a.wasted_tokens > b.wasted_tokens
                                              : a.calls < b.calls;
  });
  if (reps.size() > o_.top) reps.resize(o_.top);
  r_.repeated_results = std::move(reps);

  // The system-prompt tax.
  PromptTax& tax = r_.prompt_tax;
  for (const ReportCall& c : r_.calls) {
    const uint64_t sys =
        c.new_by_kind[K(TokenKind::kSystem)] + c.resent_by_kind[K(TokenKind::kSystem)];
    const uint64_t tools = c.new_by_kind[K(TokenKind::kToolDefinitions)] +
                           c.resent_by_kind[K(TokenKind::kToolDefinitions)];
    tax.system_tokens += sys;
    tax.tool_definition_tokens += tools;
    tax.input_tokens += c.input;
    tax.calls++;
    if (!c.priced_as.empty()) {
      const ModelInfo* m = *catalog_.Find(c.priced_as);
      tax.system_cost += Price(sys, m->prices.input);
      tax.tool_definition_cost += Price(tools, m->prices.input);
    }
  }
}

absl::Status Builder::Billed() {
  for (uint32_t t = 0; t < traces_.size(); ++t) {
    for (const BilledTotals& bt : traces_[t].billed_totals) {
      BilledCheck chk;
      chk.trace = t;
      chk.stated = bt;
      for (const ReportCall& c : r_.calls) {
        if (c.trace != t || (!bt.workflow.empty() && c.workflow != bt.workflow)) continue;
        chk.calls++;
        chk.input += c.input;
        chk.output += c.output;
        if (chk.priced_as.empty()) chk.priced_as = c.priced_as;
      }
      if (bt.input_tokens) {
        chk.input_diff = static_cast<int64_t>(*bt.input_tokens) - static_cast<int64_t>(chk.input);
      }
      if (bt.output_tokens) {
        chk.output_diff =
            static_cast<int64_t>(*bt.output_tokens) - static_cast<int64_t>(chk.output);
      }
      if (!chk.priced_as.empty() && bt.input_tokens && bt.output_tokens) {
        const ModelInfo* m = *catalog_.Find(chk.priced_as);
        NormalizedUsage u;
        const uint64_t read = bt.cache_read_tokens.value_or(0);
        const uint64_t write = bt.cache_write_tokens.value_or(0);
        u.uncached_input = *bt.input_tokens - std::min(*bt.input_tokens, read + write);
        u.cache_read = read;
        u.cache_write_5m = write;
        u.output = *bt.output_tokens;
        absl::StatusOr<CostBreakdown> cb = PriceUsage(*m, u);
        if (cb.ok()) {
          chk.cost_of_stated_tokens = cb->total;
          chk.cost_matches = bt.cost && *bt.cost == cb->total;
        }
      }
      r_.billed_checks.push_back(std::move(chk));
    }
  }
  return absl::OkStatus();
}

absl::Status Builder::WhatIfs() {
  // The model with the most input carries the what-ifs.
  ModelScenario* best = nullptr;
  std::string best_id;
  for (auto& [id, m] : scenarios_) {
    if (m.model == nullptr) continue;
    if (best == nullptr || m.input > best->input) {
      best = &m;
      best_id = id;
    }
  }
  if (best == nullptr) return absl::OkStatus();
  const ModelInfo* cheaper = nullptr;
  if (!o_.cheaper_model.empty()) {
    absl::StatusOr<const ModelInfo*> c = catalog_.Find(o_.cheaper_model);
    if (!c.ok()) return c.status();
    cheaper = *c;
  }
  EvalOptions base;
  base.cache.mode = baseline_mode_[best_id];
  const auto ppm = static_cast<uint32_t>(std::llround(o_.cheaper_token_ratio * 1e6));
  std::vector<WhatIf> variants = StandardWhatIfs(best->scenario, *best->model, base, cheaper, ppm);
  absl::StatusOr<WhatIfComparison> cmp =
      CompareWhatIfs(best->scenario, *best->model, base, variants);
  if (!cmp.ok()) return cmp.status();
  r_.what_if_model = best->model->id;
  for (const auto& calls : best->sequence_calls) {
    r_.what_if_calls += static_cast<uint32_t>(calls.size());
  }
  r_.what_ifs = std::move(*cmp);
  return absl::OkStatus();
}

absl::StatusOr<Report> BuildReport(const std::vector<Trace>& traces, const ReportOptions& options) {
  if (traces.empty()) return absl::InvalidArgumentError("no traces");
  Builder b(traces, options);
  return b.Run();
}

}  // namespace tokwise
