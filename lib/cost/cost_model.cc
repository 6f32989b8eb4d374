// The context-accumulation evaluator: rebuilds each call's context, applies the prompt cache
// and prices every bucket in exact pico-dollars.
//
// Performance notes: an evaluation walks each call's context once (to split the input between
// billing buckets by kind), so a sequence of n calls costs O(n * context items). Everything
// lives in flat vectors owned by the evaluator's scratch and reused between evaluations; the
// prompt cache is a short list of live prefixes (see PruneCache) rather than a map.
#include "tokwise/cost_model.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tokwise {
namespace {

using Wide = __int128;

constexpr int64_t kFiveMinutesMs = 5 * 60 * 1000;
constexpr int64_t kOneHourMs = 60 * 60 * 1000;

constexpr std::string_view kKindNames[kNumTokenKinds] = {
    "system",      "tool_definitions", "user",      "retrieved", "tool_call",
    "tool_result", "assistant",        "reasoning", "framing"};

// Rates of one price tier, pico-dollars per token; kNotOffered where absent.
struct Rates {
  int64_t input = kNotOffered;
  int64_t output = kNotOffered;
  int64_t cache_read = kNotOffered;
  int64_t write_5m = kNotOffered;
  int64_t write_1h = kNotOffered;
};

struct TierRates {
  uint64_t threshold = 0;  // The tier applies when a call's input exceeds this.
  Rates rates;
};

// An item of the carried context. `framing` tokens (message framing) come before `tokens`.
struct CtxItem {
  uint32_t tokens = 0;
  uint32_t framing = 0;
  TokenKind kind = TokenKind::kUser;
  bool pinned = false;
};

// A cached prefix of the current context: its length and when it expires.
struct CacheEntry {
  uint64_t len = 0;
  int64_t expires_ms = 0;
};

// An output item after caps and re-tokenization.
struct OutItem {
  uint32_t tokens;
  TokenKind kind;
  bool transient;
  bool same_message;
};

// a * num / den rounded half up; a when den is 0.
int64_t ScaleRate(int64_t a, int64_t num, int64_t den) {
  if (den <= 0) return a;
  return static_cast<int64_t>((static_cast<Wide>(a) * num + den / 2) / den);
}

std::string ModelLabel(const ModelInfo& m) { return m.id.empty() ? "<unnamed model>" : m.id; }

absl::Status Missing(const ModelInfo& m, std::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat("model ", ModelLabel(m), " has no ", std::string(what), " price"));
}

// Resolves the rate table for `mode` and `batch`: the base tier first, then one per long-context
// tier. Fails when a price the evaluation needs is not offered.
absl::Status ResolveRates(const ModelInfo& m, CacheMode mode, bool batch,
                          std::vector<TierRates>* tiers) {
  tiers->clear();
  const Prices& p = m.prices;
  Rates base;
  base.input = batch ? p.batch_input : p.input;
  base.output = batch ? p.batch_output : p.output;
  if (base.input == kNotOffered) return Missing(m, batch ? "batch input" : "input");
  if (base.output == kNotOffered) return Missing(m, batch ? "batch output" : "output");
  base.cache_read = p.cache_read;
  base.write_5m = p.cache_write_5m;
  base.write_1h = p.cache_write_1h;
  if (mode != CacheMode::kOff && base.cache_read == kNotOffered) return Missing(m, "cache-read");
  if (mode == CacheMode::kExplicit5m && base.write_5m == kNotOffered) {
    return Missing(m, "5-minute cache-write");
  }
  if (mode == CacheMode::kExplicit1h && base.write_1h == kNotOffered) {
    return Missing(m, "1-hour cache-write");
  }
  tiers->push_back({0, base});

  for (const LongContextTier& t : m.long_context_tiers) {
    const Prices& tp = t.prices;
    const int64_t base_in = batch ? p.batch_input : p.input;
    const int64_t base_out = batch ? p.batch_output : p.output;
    int64_t tier_in = batch ? tp.batch_input : tp.input;
    int64_t tier_out = batch ? tp.batch_output : tp.output;
    // A batch tier without its own batch prices: the base batch price scaled like the tier's
    // ordinary price.
    if (tier_in == kNotOffered)
      tier_in = ScaleRate(base_in, tp.input == kNotOffered ? p.input : tp.input, p.input);
    if (tier_out == kNotOffered) {
      tier_out = ScaleRate(base_out, tp.output == kNotOffered ? p.output : tp.output, p.output);
    }
    Rates r;
    r.input = tier_in;
    r.output = tier_out;
    // Cache prices the tier leaves out scale with the tier's input price (Anthropic's
    // long-context cache prices are its base cache prices times the input ratio).
    auto scaled = [&](int64_t tier_value, int64_t base_value) {
      if (tier_value != kNotOffered) return tier_value;
      if (base_value == kNotOffered) return kNotOffered;
      return ScaleRate(base_value, tier_in, base_in);
    };
    r.cache_read = scaled(tp.cache_read, p.cache_read);
    r.write_5m = scaled(tp.cache_write_5m, p.cache_write_5m);
    r.write_1h = scaled(tp.cache_write_1h, p.cache_write_1h);
    tiers->push_back({t.threshold_tokens, r});
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view TokenKindName(TokenKind kind) {
  const auto i = static_cast<size_t>(kind);
  return i < kNumTokenKinds ? kKindNames[i] : std::string_view("unknown");
}

std::optional<TokenKind> TokenKindFromName(std::string_view name) {
  for (int i = 0; i < kNumTokenKinds; ++i) {
    if (kKindNames[i] == name) return static_cast<TokenKind>(i);
  }
  return std::nullopt;
}

std::string_view CacheModeName(CacheMode mode) {
  switch (mode) {
    case CacheMode::kProviderDefault:
      return "provider";
    case CacheMode::kOff:
      return "off";
    case CacheMode::kAutomatic:
      return "auto";
    case CacheMode::kExplicit5m:
      return "5m";
    case CacheMode::kExplicit1h:
      return "1h";
  }
  return "unknown";
}

std::optional<CacheMode> CacheModeFromName(std::string_view name) {
  for (CacheMode m : {CacheMode::kProviderDefault, CacheMode::kOff, CacheMode::kAutomatic,
                      CacheMode::kExplicit5m, CacheMode::kExplicit1h}) {
    if (CacheModeName(m) == name) return m;
  }
  return std::nullopt;
}

CacheMode ResolveCacheMode(CacheMode mode, const ModelInfo& model) {
  if (mode != CacheMode::kProviderDefault) return mode;
  const Prices& p = model.prices;
  const bool explicit_writes = p.cache_write_5m != kNotOffered || p.cache_write_1h != kNotOffered;
  if (p.cache_read != kNotOffered && !explicit_writes) return CacheMode::kAutomatic;
  return CacheMode::kOff;
}

double ScenarioResult::Multiplier() const {
  if (direct_answer_tokens == 0) return 0.0;
  return static_cast<double>(total_tokens()) / static_cast<double>(direct_answer_tokens);
}

// ---------------------------------------------------------------------------------------------
// Scenario
// ---------------------------------------------------------------------------------------------

void Scenario::BeginSequence(std::string name, uint32_t message_overhead, uint32_t call_overhead) {
  SequenceSpec s;
  s.name = std::move(name);
  s.first_call = static_cast<uint32_t>(calls_.size());
  s.message_overhead = message_overhead;
  s.call_overhead = call_overhead;
  sequences_.push_back(std::move(s));
}

void Scenario::BeginCall(int64_t gap_ms) {
  if (sequences_.empty()) BeginSequence("main");
  CallSpec c;
  c.first_item = static_cast<uint32_t>(items_.size());
  c.gap_ms = std::max<int64_t>(gap_ms, 0);
  calls_.push_back(c);
  sequences_.back().num_calls++;
}

void Scenario::EnsureCall(bool for_input) {
  if (sequences_.empty()) BeginSequence("main");
  if (sequences_.back().num_calls == 0 || (for_input && calls_.back().num_output > 0)) {
    BeginCall(0);
  }
}

void Scenario::AddInput(TokenKind kind, uint32_t tokens, ItemFlags flags) {
  EnsureCall(/*for_input=*/true);
  items_.push_back(Item{tokens, kind, flags});
  calls_.back().num_input++;
}

void Scenario::AddOutput(TokenKind kind, uint32_t tokens, ItemFlags flags) {
  EnsureCall(/*for_input=*/false);
  flags.pinned = false;
  items_.push_back(Item{tokens, kind, flags});
  calls_.back().num_output++;
}

// ---------------------------------------------------------------------------------------------
// Evaluator
// ---------------------------------------------------------------------------------------------

// Tokens by kind (framing included as its own kind).
struct KindSums {
  uint64_t v[kNumTokenKinds] = {};
};

// Per price tier and kind: tokens read, written, uncached, and output. Priced once at the end
// of an evaluation instead of per call.
enum Bucket { kRead = 0, kWrite = 1, kUncached = 2, kOutput = 3, kNumBuckets = 4 };

struct ScenarioEvaluator::Scratch {
  std::vector<CtxItem> ctx;       // Carried context of the current sequence.
  std::vector<CtxItem> rebuild;   // Scratch for RebuildIndex().
  std::vector<uint64_t> offsets;  // offsets[i] = token offset of ctx[i]; one more at the end.
  std::vector<KindSums> prefix;   // prefix[i] = tokens by kind of ctx[0, i).
  std::vector<CtxItem> tail;      // Transient input of the current call.
  std::vector<OutItem> out;       // Output of the current call.
  std::vector<CacheEntry> cache;  // Live cached prefixes of the current sequence.
  std::vector<TierRates> tiers;
  std::vector<uint64_t> by_kind;  // [tier][kind][bucket] token sums for the whole scenario.
};

ScenarioEvaluator::ScenarioEvaluator() : scratch_(new Scratch) {}
ScenarioEvaluator::~ScenarioEvaluator() { delete scratch_; }

namespace {

// Everything fixed for one evaluation.
struct Setup {
  CacheMode mode = CacheMode::kOff;
  int64_t ttl_ms = 0;
  uint64_t min_prefix = 1;
  uint64_t granularity = 1;
  bool breakpoint_after_pinned = true;
  bool breakpoint_at_end = true;
  uint64_t context_window = 0;
  uint64_t max_output = 0;
};

// One evaluation in progress: the scratch, the result being filled and the running sums.
//
// The carried context is indexed by token offset and by running per-kind sums, so that
// splitting a call's input at the cache boundaries costs two binary searches instead of a walk
// over the context: evaluating n calls is O(n log n) plus the cuts a ContextPolicy makes.
class Run {
 public:
  Run(const Setup& setup, const EvalOptions& options, ScenarioEvaluator::Scratch* s,
      ScenarioResult* out)
      : setup_(setup), opt_(options), s_(*s), out_(*out) {}

  // Re-tokenizes one item's count for the evaluated model.
  uint32_t Retok(TokenKind kind, uint32_t tokens) const {
    if (opt_.retokenize) return opt_.retokenize(kind, tokens);
    if (opt_.token_ratio_ppm == 1'000'000) return tokens;
    const uint64_t v = (static_cast<uint64_t>(tokens) * opt_.token_ratio_ppm + 500'000) / 1'000'000;
    return static_cast<uint32_t>(std::min<uint64_t>(v, std::numeric_limits<uint32_t>::max()));
  }

  uint64_t CtxTokens() const { return s_.offsets.back(); }

  // Tokens of non-pinned items in the carried context.
  uint64_t HistoryTokens() const { return CtxTokens() - pinned_tokens_; }

  void BeginSequence() {
    s_.ctx.clear();
    s_.cache.clear();
    RebuildIndex();
  }

  // Appends an item to the carried context. Written field by field into the vectors: building
  // the item on the stack and copying it stalls on store forwarding in this hot path.
  void PushCtx(uint32_t tokens, uint32_t framing, TokenKind kind, bool pinned) {
    const uint64_t n = uint64_t{tokens} + framing;
    CtxItem& c = s_.ctx.emplace_back();
    c.tokens = tokens;
    c.framing = framing;
    c.kind = kind;
    c.pinned = pinned;
    s_.offsets.push_back(s_.offsets.back() + n);
    s_.prefix.push_back(s_.prefix.back());
    KindSums& k = s_.prefix.back();
    k.v[static_cast<size_t>(TokenKind::kFraming)] += framing;
    k.v[static_cast<size_t>(kind)] += tokens;
    if (pinned) {
      pinned_tokens_ += n;
      if (!free_seen_) leading_pinned_ += n;
    } else {
      free_seen_ = true;
    }
  }

  // Drops every non-pinned item (restart, summary). The cache can be read up to the cut.
  void DropHistory() {
    uint64_t off = 0, cut = UINT64_MAX;
    size_t w = 0;
    for (size_t i = 0; i < s_.ctx.size(); ++i) {
      const CtxItem c = s_.ctx[i];
      if (c.pinned) {
        s_.ctx[w++] = c;
      } else if (cut == UINT64_MAX) {
        cut = off;
      }
      off += uint64_t{c.tokens} + c.framing;
    }
    s_.ctx.resize(w);
    RebuildIndex();
    if (cut != UINT64_MAX) CutCache(cut);
  }

  // Drops the oldest non-pinned items until non-pinned history is at most `limit` tokens.
  void WindowHistory(uint64_t limit) {
    uint64_t history = HistoryTokens();
    if (history <= limit) return;
    uint64_t off = 0, cut = UINT64_MAX;
    size_t w = 0;
    for (size_t i = 0; i < s_.ctx.size(); ++i) {
      const CtxItem c = s_.ctx[i];
      const uint64_t n = uint64_t{c.tokens} + c.framing;
      if (!c.pinned && history > limit) {
        history -= n;
        if (cut == UINT64_MAX) cut = off;
      } else {
        s_.ctx[w++] = c;
      }
      off += n;
    }
    s_.ctx.resize(w);
    RebuildIndex();
    if (cut != UINT64_MAX) CutCache(cut);
  }

  // Evaluates one call whose carried context is s_.ctx (new carried input already appended;
  // `resent` tokens of it came from earlier calls), whose transient input is s_.tail and whose
  // output is s_.out. Appends the carried output to the context afterwards.
  absl::Status Call(uint32_t seq, uint32_t call, bool summarization, int64_t now, uint64_t resent,
                    uint32_t message_overhead,
                    const std::array<uint64_t, kNumTokenKinds>& new_input_by_kind) {
    out_.steps.emplace_back();
    StepResult& st = out_.steps.back();
    st.sequence = seq;
    st.call = call;
    st.summarization = summarization;
    st.time_ms = now;
    st.new_tokens = new_input_by_kind;

    const uint64_t carried = CtxTokens();
    uint64_t tail = 0;
    for (const CtxItem& c : s_.tail) tail += uint64_t{c.tokens} + c.framing;
    const uint64_t input = carried + tail;
    uint64_t output = 0;
    for (const OutItem& o : s_.out) output += o.tokens;

    // Prompt cache: the read is the longest live prefix; explicit modes then write up to the
    // last breakpoint. Reading an entry restarts the lifetime of it and of every shorter one.
    uint64_t read = 0, write = 0;
    if (setup_.mode != CacheMode::kOff) {
      uint64_t hit = 0;
      for (const CacheEntry& e : s_.cache) {
        if (e.expires_ms >= now && e.len <= carried) hit = std::max(hit, e.len);
      }
      for (CacheEntry& e : s_.cache) {
        if (e.expires_ms >= now && e.len <= hit) e.expires_ms = now + setup_.ttl_ms;
      }
      read = hit;
      if (setup_.mode == CacheMode::kAutomatic && hit >= setup_.min_prefix) {
        read =
            setup_.min_prefix + (hit - setup_.min_prefix) / setup_.granularity * setup_.granularity;
      }
      uint64_t write_end = hit;
      auto breakpoint = [&](uint64_t b) {
        if (b == 0 || b < setup_.min_prefix || b <= hit) return;
        write_end = std::max(write_end, b);
        for (CacheEntry& e : s_.cache) {
          if (e.len == b) {
            e.expires_ms = now + setup_.ttl_ms;
            return;
          }
        }
        s_.cache.push_back({b, now + setup_.ttl_ms});
      };
      if (setup_.mode == CacheMode::kAutomatic) {
        breakpoint(carried);
      } else {
        if (setup_.breakpoint_after_pinned) breakpoint(leading_pinned_);
        if (setup_.breakpoint_at_end) breakpoint(carried);
        write = write_end - hit;
      }
    }
    const uint64_t uncached = input - read - write;

    // Buckets and prices (the whole call at the tier its input falls in).
    size_t tier = 0;
    for (size_t i = 1; i < tiers_->size(); ++i) {
      if (input > (*tiers_)[i].threshold) tier = i;
    }
    const Rates& r = (*tiers_)[tier].rates;
    const bool one_hour = setup_.mode == CacheMode::kExplicit1h;
    const int64_t write_rate = one_hour ? r.write_1h : r.write_5m;
    st.tokens.uncached = uncached;
    st.tokens.cache_read = read;
    (one_hour ? st.tokens.cache_write_1h : st.tokens.cache_write_5m) = write;
    st.tokens.output = output;
    const Wide c_unc = static_cast<Wide>(uncached) * r.input;
    const Wide c_read = read ? static_cast<Wide>(read) * r.cache_read : 0;
    const Wide c_write = write ? static_cast<Wide>(write) * write_rate : 0;
    const Wide c_out = static_cast<Wide>(output) * r.output;
    constexpr Wide kMax = std::numeric_limits<int64_t>::max();
    if (c_unc + c_read + c_write + c_out > kMax) return Overflow();
    st.cost.uncached = static_cast<PicoUsd>(c_unc);
    st.cost.cache_read = static_cast<PicoUsd>(c_read);
    (one_hour ? st.cost.cache_write_1h : st.cost.cache_write_5m) = static_cast<PicoUsd>(c_write);
    st.cost.output = static_cast<PicoUsd>(c_out);

    // Input by kind and bucket: [0, read) was read, [read, read + write) written, the rest of
    // the carried context and the transient tail uncached.
    {
      uint64_t* acc = &s_.by_kind[tier * kNumTokenKinds * kNumBuckets];
      KindSums at_read, at_write;
      SumsAt(read, &at_read);
      SumsAt(read + write, &at_write);
      const KindSums& all = s_.prefix.back();
      for (size_t k = 0; k < kNumTokenKinds; ++k) {
        uint64_t* a = acc + k * kNumBuckets;
        a[kRead] += at_read.v[k];
        a[kWrite] += at_write.v[k] - at_read.v[k];
        a[kUncached] += all.v[k] - at_write.v[k];
        out_.input_by_kind[k] += all.v[k];
      }
      for (const CtxItem& c : s_.tail) {
        const size_t fk = static_cast<size_t>(TokenKind::kFraming), k = static_cast<size_t>(c.kind);
        acc[fk * kNumBuckets + kUncached] += c.framing;
        acc[k * kNumBuckets + kUncached] += c.tokens;
        out_.input_by_kind[fk] += c.framing;
        out_.input_by_kind[k] += c.tokens;
      }
      for (const OutItem& o : s_.out) {
        const size_t k = static_cast<size_t>(o.kind);
        acc[k * kNumBuckets + kOutput] += o.tokens;
        out_.output_by_kind[k] += o.tokens;
        st.new_tokens[k] += o.tokens;
      }
    }

    st.resent = resent;
    st.input = input;
    st.new_input = input - resent;
    st.output = output;
    st.over_context_window = setup_.context_window > 0 && input + output > setup_.context_window;
    st.over_max_output = setup_.max_output > 0 && output > setup_.max_output;

    // Running totals.
    cumulative_tokens_ += input + output;
    cumulative_cost_ += static_cast<Wide>(st.cost.total());
    if (cumulative_cost_ > kMax) return Overflow();
    st.cumulative_tokens = cumulative_tokens_;
    st.cumulative_cost = static_cast<PicoUsd>(cumulative_cost_);
    AddBuckets(st.tokens, st.cost, &out_.tokens, &out_.cost);
    SequenceTotals& seq_totals = out_.sequences[seq];
    seq_totals.calls++;
    AddBuckets(st.tokens, st.cost, &seq_totals.tokens, &seq_totals.cost);
    out_.calls++;
    out_.calls_over_context_window += st.over_context_window;
    out_.calls_over_max_output += st.over_max_output;

    // The output joins the context of later calls.
    for (const OutItem& o : s_.out) {
      if (o.transient) continue;
      PushCtx(o.tokens, o.same_message ? 0u : message_overhead, o.kind, false);
    }
    PruneCache(now);
    return absl::OkStatus();
  }

  void set_tiers(const std::vector<TierRates>* tiers) { tiers_ = tiers; }

 private:
  static absl::Status Overflow() {
    return absl::OutOfRangeError(
        "scenario cost exceeds 9.2 million USD (int64 pico-dollars); evaluate one unit of work "
        "and scale it with Forecast()");
  }

  // Recomputes offsets, per-kind sums and pinned totals after the context changed in place.
  void RebuildIndex() {
    s_.rebuild.swap(s_.ctx);
    s_.ctx.clear();
    s_.offsets.assign(1, 0);
    s_.prefix.assign(1, KindSums{});
    pinned_tokens_ = 0;
    leading_pinned_ = 0;
    free_seen_ = false;
    for (const CtxItem& c : s_.rebuild) PushCtx(c.tokens, c.framing, c.kind, c.pinned);
  }

  // Tokens by kind of the context's first `pos` tokens.
  void SumsAt(uint64_t pos, KindSums* out) const {
    if (pos == 0) {
      *out = KindSums{};
      return;
    }
    if (pos >= CtxTokens()) {
      *out = s_.prefix.back();
      return;
    }
    // The item holding token `pos`: offsets[j] <= pos < offsets[j + 1].
    const size_t j =
        static_cast<size_t>(std::upper_bound(s_.offsets.begin(), s_.offsets.end(), pos) -
                            s_.offsets.begin()) -
        1;
    *out = s_.prefix[j];
    const CtxItem& c = s_.ctx[j];
    const uint64_t part = pos - s_.offsets[j];
    const uint64_t framing = std::min<uint64_t>(part, c.framing);
    out->v[static_cast<size_t>(TokenKind::kFraming)] += framing;
    out->v[static_cast<size_t>(c.kind)] += part - framing;
  }

  // The context now differs from every earlier one from token `cut` on. Explicit breakpoints
  // match exact prefixes, so longer entries die; automatic caching matches any prefix of a
  // cached prompt, so longer entries shrink to the cut.
  void CutCache(uint64_t cut) {
    size_t w = 0;
    for (CacheEntry e : s_.cache) {
      if (e.len > cut) {
        if (setup_.mode != CacheMode::kAutomatic) continue;
        e.len = cut;
        if (e.len < setup_.min_prefix) continue;
      }
      s_.cache[w++] = e;
    }
    s_.cache.resize(w);
  }

  // Keeps the cache list short: expired entries go; above the leading pinned items (any later
  // cut happens at or after them) only the longest entry can ever be read again.
  void PruneCache(int64_t now) {
    const uint64_t first_free = leading_pinned_;
    uint64_t longest = 0;
    for (const CacheEntry& e : s_.cache) {
      if (e.expires_ms >= now && e.len > first_free) longest = std::max(longest, e.len);
    }
    size_t w = 0;
    for (const CacheEntry& e : s_.cache) {
      if (e.expires_ms < now) continue;
      if (e.len > first_free && e.len != longest) continue;
      bool dup = false;
      for (size_t j = 0; j < w; ++j) dup |= s_.cache[j].len == e.len;
      if (dup) continue;
      s_.cache[w++] = e;
    }
    s_.cache.resize(w);
  }

  static void AddBuckets(const TokenBuckets& t, const BucketCosts& c, TokenBuckets* tt,
                         BucketCosts* tc) {
    tt->uncached += t.uncached;
    tt->cache_read += t.cache_read;
    tt->cache_write_5m += t.cache_write_5m;
    tt->cache_write_1h += t.cache_write_1h;
    tt->output += t.output;
    tc->uncached += c.uncached;
    tc->cache_read += c.cache_read;
    tc->cache_write_5m += c.cache_write_5m;
    tc->cache_write_1h += c.cache_write_1h;
    tc->output += c.output;
  }

  const Setup& setup_;
  const EvalOptions& opt_;
  ScenarioEvaluator::Scratch& s_;
  ScenarioResult& out_;
  const std::vector<TierRates>* tiers_ = nullptr;
  uint64_t pinned_tokens_ = 0;   // Pinned items anywhere in the context.
  uint64_t leading_pinned_ = 0;  // The run of pinned items the context starts with.
  bool free_seen_ = false;       // A non-pinned item has been pushed.
  uint64_t cumulative_tokens_ = 0;
  Wide cumulative_cost_ = 0;
};

// The default direct answer: the first sequence's first-call pinned input plus its last
// call's output.
uint64_t DefaultDirectAnswer(const Scenario& sc) {
  if (sc.sequences().empty() || sc.sequences()[0].num_calls == 0) return 0;
  const SequenceSpec& seq = sc.sequences()[0];
  const CallSpec& first = sc.calls()[seq.first_call];
  const CallSpec& last = sc.calls()[seq.first_call + seq.num_calls - 1];
  uint64_t n = 0;
  for (uint32_t i = 0; i < first.num_input; ++i) {
    const Item& it = sc.items()[first.first_item + i];
    if (it.flags.pinned) n += it.tokens;
  }
  for (uint32_t i = 0; i < last.num_output; ++i) {
    n += sc.items()[last.first_item + last.num_input + i].tokens;
  }
  return n;
}

}  // namespace

absl::Status ScenarioEvaluator::Evaluate(const Scenario& sc, const ModelInfo& model,
                                         const EvalOptions& opt, ScenarioResult* out) {
  Scratch& s = *scratch_;

  // Caching mode and the prices it needs.
  Setup setup;
  const bool explicit_writes =
      model.prices.cache_write_5m != kNotOffered || model.prices.cache_write_1h != kNotOffered;
  setup.mode = opt.batch ? CacheMode::kOff : ResolveCacheMode(opt.cache.mode, model);
  if (setup.mode == CacheMode::kAutomatic && explicit_writes) {
    return absl::FailedPreconditionError(absl::StrCat(
        "model ", ModelLabel(model),
        " caches only on request (it has cache-write prices): use the 5m or 1h cache mode"));
  }
  if ((setup.mode == CacheMode::kExplicit5m || setup.mode == CacheMode::kExplicit1h) &&
      !explicit_writes) {
    return absl::FailedPreconditionError(absl::StrCat(
        "model ", ModelLabel(model),
        " has no cache-write prices (its provider caches automatically): use the auto mode"));
  }
  if (absl::Status st = ResolveRates(model, setup.mode, opt.batch, &s.tiers); !st.ok()) return st;
  switch (setup.mode) {
    case CacheMode::kExplicit5m:
      setup.ttl_ms = kFiveMinutesMs;
      break;
    case CacheMode::kExplicit1h:
      setup.ttl_ms = kOneHourMs;
      break;
    case CacheMode::kAutomatic:
      setup.ttl_ms = std::max<int64_t>(opt.cache.automatic_ttl_ms, 0);
      break;
    default:
      break;
  }
  setup.min_prefix = std::max<uint64_t>(model.min_cacheable_prefix, 1);
  setup.granularity = opt.cache.automatic_granularity;
  if (setup.granularity == 0) setup.granularity = model.provider == "openai" ? 128 : 1;
  setup.breakpoint_after_pinned = opt.cache.breakpoint_after_pinned;
  setup.breakpoint_at_end = opt.cache.breakpoint_at_end;
  setup.context_window = model.context_window;
  setup.max_output = model.max_output;

  // Reset the result, keeping capacity.
  out->scenario = sc.name();
  out->model = model.id;
  out->cache_mode = setup.mode;
  out->batch = opt.batch;
  out->steps.clear();
  // Assigned in place (not cleared) so that names reuse their buffers.
  out->sequences.resize(sc.sequences().size());
  out->calls = 0;
  out->tokens = {};
  out->cost = {};
  out->input_by_kind.fill(0);
  out->input_cost_by_kind.fill(0);
  out->output_by_kind.fill(0);
  out->output_cost_by_kind.fill(0);
  out->calls_over_context_window = 0;
  out->calls_over_max_output = 0;
  out->direct_answer_tokens =
      sc.direct_answer_tokens() ? sc.direct_answer_tokens() : DefaultDirectAnswer(sc);
  s.by_kind.assign(s.tiers.size() * kNumTokenKinds * kNumBuckets, 0);

  Run run(setup, opt, &s, out);
  run.set_tiers(&s.tiers);
  const ContextPolicy& cp = opt.context;
  const std::vector<Item>& items = sc.items();

  for (uint32_t q = 0; q < sc.sequences().size(); ++q) {
    const SequenceSpec& seq = sc.sequences()[q];
    SequenceTotals& totals = out->sequences[q];
    totals.name = seq.name;
    totals.calls = 0;
    totals.tokens = {};
    totals.cost = {};
    run.BeginSequence();
    int64_t now = 0;

    for (uint32_t ci = 0; ci < seq.num_calls; ++ci) {
      const CallSpec& call = sc.calls()[seq.first_call + ci];
      now += call.gap_ms;
      std::array<uint64_t, kNumTokenKinds> new_by_kind{};
      bool carry_note = false;

      // Context policy: restart, window, then summarize.
      if (cp.restart_every_calls > 0 && ci > 0 && ci % cp.restart_every_calls == 0) {
        run.DropHistory();
        carry_note = cp.restart_carry_tokens > 0;
      }
      if (cp.window_tokens > 0) run.WindowHistory(cp.window_tokens);
      if (cp.summarize_above_tokens > 0 && run.HistoryTokens() > cp.summarize_above_tokens) {
        std::array<uint64_t, kNumTokenKinds> sum_new{};
        s.tail.clear();
        s.out.clear();
        if (cp.summary_prompt_tokens > 0) {
          s.tail.push_back(
              CtxItem{cp.summary_prompt_tokens, seq.message_overhead, TokenKind::kUser, false});
          sum_new[static_cast<size_t>(TokenKind::kUser)] += cp.summary_prompt_tokens;
          sum_new[static_cast<size_t>(TokenKind::kFraming)] += seq.message_overhead;
        }
        if (seq.call_overhead > 0) {
          s.tail.push_back(CtxItem{0, seq.call_overhead, TokenKind::kFraming, false});
          sum_new[static_cast<size_t>(TokenKind::kFraming)] += seq.call_overhead;
        }
        s.out.push_back(OutItem{cp.summary_tokens, TokenKind::kAssistant, true, false});
        if (absl::Status st =
                run.Call(q, ci, true, now, run.CtxTokens(), seq.message_overhead, sum_new);
            !st.ok()) {
          return st;
        }
        run.DropHistory();
        run.PushCtx(cp.summary_tokens, seq.message_overhead, TokenKind::kAssistant, false);
      }
      const uint64_t resent = run.CtxTokens();

      // New input: carried items join the context, transient ones wait in the tail.
      s.tail.clear();
      if (carry_note) {
        run.PushCtx(cp.restart_carry_tokens, seq.message_overhead, TokenKind::kUser, false);
        new_by_kind[static_cast<size_t>(TokenKind::kUser)] += cp.restart_carry_tokens;
        new_by_kind[static_cast<size_t>(TokenKind::kFraming)] += seq.message_overhead;
      }
      uint32_t chunks = 0;
      for (uint32_t i = 0; i < call.num_input; ++i) {
        const Item& it = items[call.first_item + i];
        uint32_t n = run.Retok(it.kind, it.tokens);
        if (it.kind == TokenKind::kRetrieved) {
          if (opt.rag_max_chunks && chunks >= *opt.rag_max_chunks) continue;
          ++chunks;
          if (opt.rag_max_chunk_tokens) n = std::min(n, *opt.rag_max_chunk_tokens);
        }
        const uint32_t framing = it.flags.same_message ? 0 : seq.message_overhead;
        if (it.flags.transient) {
          s.tail.push_back(CtxItem{n, framing, it.kind, false});
        } else {
          run.PushCtx(n, framing, it.kind, it.flags.pinned);
        }
        new_by_kind[static_cast<size_t>(it.kind)] += n;
        new_by_kind[static_cast<size_t>(TokenKind::kFraming)] += framing;
      }
      if (seq.call_overhead > 0) {
        s.tail.push_back(CtxItem{0, seq.call_overhead, TokenKind::kFraming, false});
        new_by_kind[static_cast<size_t>(TokenKind::kFraming)] += seq.call_overhead;
      }

      // Output, capped.
      s.out.clear();
      uint64_t budget = opt.max_output_tokens ? *opt.max_output_tokens : UINT64_MAX;
      for (uint32_t i = 0; i < call.num_output; ++i) {
        const Item& it = items[call.first_item + call.num_input + i];
        uint32_t n = run.Retok(it.kind, it.tokens);
        n = static_cast<uint32_t>(std::min<uint64_t>(n, budget));
        budget -= n;
        OutItem& o = s.out.emplace_back();
        o.tokens = n;
        o.kind = it.kind;
        o.transient = it.flags.transient;
        o.same_message = it.flags.same_message;
      }

      if (absl::Status st = run.Call(q, ci, false, now, resent, seq.message_overhead, new_by_kind);
          !st.ok()) {
        return st;
      }
    }
  }

  // Per-kind costs: every tier's token sums at that tier's rates, checked into int64.
  constexpr Wide kMax = std::numeric_limits<int64_t>::max();
  for (int k = 0; k < kNumTokenKinds; ++k) {
    Wide in = 0, outc = 0;
    for (size_t t = 0; t < s.tiers.size(); ++t) {
      const Rates& r = s.tiers[t].rates;
      const uint64_t* a = &s.by_kind[(t * kNumTokenKinds + k) * kNumBuckets];
      const int64_t write_rate = setup.mode == CacheMode::kExplicit1h ? r.write_1h : r.write_5m;
      if (a[kRead]) in += static_cast<Wide>(a[kRead]) * r.cache_read;
      if (a[kWrite]) in += static_cast<Wide>(a[kWrite]) * write_rate;
      in += static_cast<Wide>(a[kUncached]) * r.input;
      outc += static_cast<Wide>(a[kOutput]) * r.output;
    }
    if (in > kMax || outc > kMax) {
      return absl::OutOfRangeError("scenario cost exceeds 9.2 million USD (int64 pico-dollars)");
    }
    out->input_cost_by_kind[k] = static_cast<PicoUsd>(in);
    out->output_cost_by_kind[k] = static_cast<PicoUsd>(outc);
  }
  return absl::OkStatus();
}

absl::StatusOr<ScenarioResult> Evaluate(const Scenario& scenario, const ModelInfo& model,
                                        const EvalOptions& options) {
  ScenarioEvaluator ev;
  ScenarioResult r;
  if (absl::Status st = ev.Evaluate(scenario, model, options, &r); !st.ok()) return st;
  return r;
}

// ---------------------------------------------------------------------------------------------
// Payoff and money
// ---------------------------------------------------------------------------------------------

absl::StatusOr<uint32_t> CacheWritePayoffReads(const Prices& p, CacheMode mode) {
  int64_t write = 0;
  switch (mode) {
    case CacheMode::kAutomatic:
      write = p.input;
      break;
    case CacheMode::kExplicit5m:
      write = p.cache_write_5m;
      break;
    case CacheMode::kExplicit1h:
      write = p.cache_write_1h;
      break;
    default:
      return absl::InvalidArgumentError("cache payoff needs the auto, 5m or 1h mode");
  }
  if (p.input == kNotOffered || p.cache_read == kNotOffered || write == kNotOffered) {
    return absl::FailedPreconditionError(
        absl::StrCat("no ", std::string(CacheModeName(mode)), " cache prices"));
  }
  const int64_t saved_per_read = p.input - p.cache_read;
  if (saved_per_read <= 0) {
    return absl::FailedPreconditionError("a cache read costs no less than input: never pays off");
  }
  // Least r with write + r * read < (1 + r) * input, i.e. r * (input - read) > write - input.
  const int64_t surcharge = write - p.input;
  if (surcharge < 0) return 1u;
  return static_cast<uint32_t>(surcharge / saved_per_read + 1);
}

std::string FormatDollars(PicoUsdWide pico, int decimals) {
  decimals = std::clamp(decimals, 0, 12);
  const bool neg = pico < 0;
  unsigned __int128 v =
      neg ? static_cast<unsigned __int128>(-pico) : static_cast<unsigned __int128>(pico);
  unsigned __int128 unit = 1;
  for (int i = 0; i < 12 - decimals; ++i) unit *= 10;
  v = (v + unit / 2) / unit;  // Units of 10^-decimals dollars, rounded half away from zero.
  unsigned __int128 scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  unsigned __int128 whole = v / scale, frac = v % scale;

  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(whole % 10)));
    whole /= 10;
  } while (whole > 0);
  std::string out = neg && v != 0 ? "-$" : "$";
  for (size_t i = digits.size(); i > 0; --i) {
    out.push_back(digits[i - 1]);
    if (i > 1 && (i - 1) % 3 == 0) out.push_back(',');
  }
  if (decimals > 0) {
    std::string f(decimals, '0');
    for (int i = decimals - 1; i >= 0; --i) {
      f[i] = static_cast<char>('0' + static_cast<int>(frac % 10));
      frac /= 10;
    }
    out += "." + f;
  }
  return out;
}

}  // namespace tokwise
