// Counting beyond Count(): count-until-limit, batches on caller-chosen threads, and the
// incremental counter.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <limits>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "encoding/bpe.h"
#include "encoding/long_piece.h"
#include "encoding/pretokenizer.h"
#include "encoding/unicode.h"
#include "encoding/vocab.h"
#include "tokwise/encoding.h"
#include "tokwise/error_details.h"

namespace tokwise {

using encoding_internal::FindInvalidUtf8;
using encoding_internal::MergeScratch;

namespace {

// Whether `tail`, a lead byte followed by fewer continuation bytes than it needs, can still
// become a valid character. Bytes that never can (0xC0, 0xC1, 0xF5..0xFF, E0 80, ...) must not
// be held back as "incomplete": validation then reports them at once instead of never.
bool CanCompleteUtf8(std::string_view tail) {
  const uint8_t lead = static_cast<uint8_t>(tail[0]);
  if (lead < 0xC2 || lead > 0xF4) return false;
  if (tail.size() < 2) return true;
  const uint8_t second = static_cast<uint8_t>(tail[1]);
  uint8_t lo = 0x80, hi = 0xBF;
  if (lead == 0xE0) lo = 0xA0;  // Overlong.
  if (lead == 0xED) hi = 0x9F;  // Surrogates.
  if (lead == 0xF0) lo = 0x90;  // Overlong.
  if (lead == 0xF4) hi = 0x8F;  // Above U+10FFFF.
  return second >= lo && second <= hi;
}

size_t CharBoundaryAtOrBefore(std::string_view text, size_t off) {
  while (off > 0 && off < text.size() && (static_cast<uint8_t>(text[off]) & 0xC0) == 0x80) --off;
  return off;
}

}  // namespace

absl::StatusOr<CountUntilResult> Encoding::CountUntil(std::string_view text, size_t limit,
                                                      const CountOptions& options) const {
  CountUntilResult r;
  const bool lazy = options.special == SpecialPolicy::kAsText &&
                    options.special_overrides.empty() &&
                    options.invalid_utf8 == InvalidUtf8::kReject &&
                    pattern_kind_ != PatternKind::kCustom;
  if (!lazy) {
    // General path: encode the whole text, then walk the ids. Offsets refer to the text as
    // encoded (after U+FFFD replacement, if any).
    EncodeOptions eo;
    eo.special = options.special;
    eo.special_overrides = options.special_overrides;
    eo.invalid_utf8 = options.invalid_utf8;
    auto ids = Encode(text, eo);
    if (!ids.ok()) return ids.status();
    size_t off = 0;
    for (TokenId id : *ids) {
      if (r.count == limit) {
        r.exceeded = true;
        break;
      }
      ++r.count;
      off += vocab_->Has(id) ? vocab_->TokenBytes(id).size() : special_by_id_.at(id).size();
    }
    r.byte_offset = r.exceeded ? off : std::max(off, text.size());
    r.char_offset = CharBoundaryAtOrBefore(text, std::min(r.byte_offset, text.size()));
    return r;
  }

  // Lazy path: validate each piece as it is reached, so the work stops with the limit.
  const uint8_t* s = reinterpret_cast<const uint8_t*>(text.data());
  MergeScratch scratch;
  absl::Status error;
  size_t off = 0;
  // (Built-in patterns only: their splitting cannot fail.)
  absl::Status split = pretokenizer_->SplitUntil(s, text.size(), [&](size_t b, size_t e) {
    size_t bad = FindInvalidUtf8(text.substr(b, e - b));
    if (bad != e - b) {
      ErrorDetails d;
      d.reason = ErrorReason::kInvalidUtf8;
      d.byte_offset = static_cast<int64_t>(b + bad);
      error = WithErrorDetails(
          absl::InvalidArgumentError(absl::StrCat(
              "invalid UTF-8 at byte offset ", b + bad, " (byte 0x",
              absl::Hex(static_cast<uint8_t>(text[b + bad]), absl::kZeroPad2), ")")),
          d);
      return false;
    }
    encoding_internal::EncodePiece(*vocab_, s + b, e - b, scratch, [&](uint32_t rank) {
      if (r.exceeded) return;
      if (r.count == limit) {
        r.exceeded = true;
        return;
      }
      ++r.count;
      off += vocab_->TokenBytes(rank).size();
    });
    return !r.exceeded;
  });
  if (!error.ok()) return error;
  if (!split.ok()) return split;
  r.byte_offset = off;
  r.char_offset = CharBoundaryAtOrBefore(text, off);
  return r;
}

namespace {

absl::Status FirstError(const std::vector<absl::Status>& errors) {
  for (size_t i = 0; i < errors.size(); ++i) {
    if (!errors[i].ok()) {
      ErrorDetails d = GetErrorDetails(errors[i]);
      d.index = static_cast<int64_t>(i);
      return WithErrorDetails(PrefixErrorMessage(errors[i], absl::StrCat("text ", i, ": ")), d);
    }
  }
  return absl::OkStatus();
}

}  // namespace

struct WorkerPool::Impl {
  std::mutex batch;  // One batch at a time.
  std::mutex mu;
  std::condition_variable wake, finished;
  std::vector<std::thread> workers;
  // The current job, published under mu.
  const std::function<void(size_t)>* work = nullptr;
  size_t n = 0;
  std::atomic<size_t> next{0};
  uint64_t generation = 0;  // Bumped per job: a worker runs each job once.
  int busy = 0;             // Workers still in the current job.
  bool stop = false;

  void Drain() {
    for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) (*work)(i);
  }

  void Loop() {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> l(mu);
    for (;;) {
      wake.wait(l, [&] { return stop || generation != seen; });
      if (stop) return;
      seen = generation;
      l.unlock();
      Drain();
      l.lock();
      if (--busy == 0) finished.notify_one();
    }
  }
};

WorkerPool::WorkerPool(int threads) : impl_(std::make_unique<Impl>()) {
  for (int t = 1; t < threads; ++t) impl_->workers.emplace_back([this] { impl_->Loop(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    impl_->stop = true;
  }
  impl_->wake.notify_all();
  for (std::thread& t : impl_->workers) t.join();
}

int WorkerPool::threads() const { return static_cast<int>(impl_->workers.size()) + 1; }

void WorkerPool::ParallelFor(size_t n, const std::function<void(size_t)>& work) {
  std::lock_guard<std::mutex> batch(impl_->batch);
  Impl& p = *impl_;
  {
    std::lock_guard<std::mutex> l(p.mu);
    p.work = &work;
    p.n = n;
    p.next.store(0, std::memory_order_relaxed);
    p.busy = static_cast<int>(p.workers.size());
    ++p.generation;
  }
  p.wake.notify_all();
  p.Drain();
  std::unique_lock<std::mutex> l(p.mu);
  p.finished.wait(l, [&] { return p.busy == 0; });
  p.work = nullptr;
}

namespace {

// Runs one(i) for every text on the pool, collecting results in input order; the first error
// (lowest index) wins and names its text.
template <class Result, class One>
absl::StatusOr<std::vector<Result>> RunBatch(size_t n, One one, WorkerPool& pool) {
  std::vector<Result> out(n);
  std::vector<absl::Status> errors(n);
  pool.ParallelFor(n, [&](size_t i) {
    auto r = one(i);
    if (r.ok()) {
      out[i] = std::move(*r);
    } else {
      errors[i] = r.status();
    }
  });
  absl::Status st = FirstError(errors);
  if (!st.ok()) return st;
  return out;
}

// Threads for one call only: `threads`, but no more than there are texts.
int CallThreads(int threads, size_t texts) {
  return static_cast<int>(std::min<size_t>(static_cast<size_t>(std::max(threads, 1)),
                                           std::max<size_t>(texts, 1)));
}

}  // namespace

absl::StatusOr<std::vector<size_t>> Encoding::CountBatch(
    const std::vector<std::string_view>& texts, int threads, const CountOptions& options) const {
  WorkerPool pool(CallThreads(threads, texts.size()));
  return CountBatch(texts, pool, options);
}

absl::StatusOr<std::vector<std::vector<TokenId>>> Encoding::EncodeBatch(
    const std::vector<std::string_view>& texts, int threads, const EncodeOptions& options) const {
  WorkerPool pool(CallThreads(threads, texts.size()));
  return EncodeBatch(texts, pool, options);
}

absl::StatusOr<std::vector<size_t>> Encoding::CountBatch(
    const std::vector<std::string_view>& texts, WorkerPool& pool,
    const CountOptions& options) const {
  return RunBatch<size_t>(
      texts.size(), [&](size_t i) { return Count(texts[i], options); }, pool);
}

absl::StatusOr<std::vector<std::vector<TokenId>>> Encoding::EncodeBatch(
    const std::vector<std::string_view>& texts, WorkerPool& pool,
    const EncodeOptions& options) const {
  return RunBatch<std::vector<TokenId>>(
      texts.size(), [&](size_t i) { return Encode(texts[i], options); }, pool);
}

// A long piece at the start of tail_ that may still grow: its run (what the scanner is doing
// at the end of the text) and the token counts of the prefixes of its pieces. The run gives at
// most two pieces (see SplitOpenRun): the first starts at tail_[0], the second, if any, at
// `second_at`. Prefix counts are extended only as far as a piece end asks for.
struct IncrementalCounter::OpenPiece {
  explicit OpenPiece(const encoding_internal::Vocab& vocab) : first(vocab), second(vocab) {}
  encoding_internal::OpenRun run;
  encoding_internal::PrefixCounter first, second;
  size_t second_at = 0;
};

namespace {

// Open pieces are followed from this length on; shorter tails are split and encoded again on
// each call. Measured on 1..64-byte appends: from 64 bytes, a stream of 150 to 600-byte runs
// went 2-3x faster (and Thai 1.5x), but Japanese (cl100k) and English went 3-8% slower; from
// 256 bytes every corpus file streams as fast as before.
constexpr size_t kOpenPieceBytes = 256;

}  // namespace

IncrementalCounter::IncrementalCounter(std::shared_ptr<const Encoding> encoding)
    : encoding_(std::move(encoding)) {}

IncrementalCounter::~IncrementalCounter() = default;
IncrementalCounter::IncrementalCounter(IncrementalCounter&&) noexcept = default;
IncrementalCounter& IncrementalCounter::operator=(IncrementalCounter&&) noexcept = default;

void IncrementalCounter::Reset() {
  tail_.clear();
  pending_.clear();
  committed_tokens_ = tail_tokens_ = 0;
  bytes_ = 0;
  open_.reset();
  retry_open_at_ = 0;
}

absl::Status IncrementalCounter::Append(std::string_view bytes) {
  std::string data = pending_;
  data.append(bytes.data(), bytes.size());
  // Hold back an incomplete character at the end: find the last lead byte and see whether
  // its sequence is complete.
  size_t complete = data.size();
  for (size_t back = 1; back <= 4 && back <= data.size(); ++back) {
    uint8_t c = static_cast<uint8_t>(data[data.size() - back]);
    if ((c & 0xC0) == 0x80) continue;
    size_t need = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (need > back && CanCompleteUtf8(std::string_view(data).substr(data.size() - back))) {
      complete = data.size() - back;
    }
    break;
  }
  const uint64_t start = bytes_ - pending_.size();  // Stream offset of data[0].
  size_t bad = FindInvalidUtf8(std::string_view(data).substr(0, complete));
  if (bad != complete) {
    ErrorDetails d;
    d.reason = ErrorReason::kInvalidUtf8;
    d.byte_offset = static_cast<int64_t>(start + bad);
    return WithErrorDetails(absl::InvalidArgumentError(absl::StrCat(
                                "invalid UTF-8 at byte offset ", start + bad, " of the stream")),
                            d);
  }
  tail_.append(data, 0, complete);
  pending_.assign(data, complete, std::string::npos);
  bytes_ += bytes.size();
  // A custom split pattern can fail (PCRE2's match limit); the counter then needs Reset().
  return Settle();
}

namespace {

// Text appended after a piece that could change where the piece ends: one character of each
// class the split patterns look at, and the contraction suffixes (the longest look-ahead).
// "e" and "l" (either case) complete a contraction cut short at the end ("'v" + "e", "'r" +
// "e", "'l" + "l"), which no other probe does.
const char* const kProbes[] = {
    " ", "\t", "\n", "\r", "a", "s", "A", "S", "e", "E", "l", "L", "1", "'", "'s", "'S", "'ll",
    "'re", "'t", "/",
    ".", "\xC5\xBF", "\xE4\xB8\xAD", "\xCC\x81", "\xC7\x85", "\xCA\xB0", "\xC2\xA0", "\xC2\xB2",
    "\xF0\x9F\x98\x80"};

}  // namespace

bool IncrementalCounter::SettleOpen() {
  const PatternKind kind = encoding_->pretokenizer().kind();
  const uint8_t* s = reinterpret_cast<const uint8_t*>(tail_.data());
  const size_t n = tail_.size();
  OpenPiece& open = *open_;
  encoding_internal::ExtendOpenRun(kind, s, n, &open.run);
  const encoding_internal::OpenRunSplit split = encoding_internal::SplitOpenRun(kind, s, n,
                                                                                open.run);
  // Tokens of the run's pieces, from the prefix counts.
  size_t run_tokens = 0;
  bool ok = true;
  if (split.count >= 1) {
    ok = open.first.Extend(s, split.ends[0]);
    run_tokens += ok ? open.first.CountAt(split.ends[0]) : 0;
  }
  if (ok && split.count == 2) {
    const size_t at = split.ends[0];
    if (open.second_at != at) {
      open.second.Clear();
      open.second_at = at;
    }
    ok = open.second.Extend(s + at, split.ends[1] - at);
    run_tokens += ok ? open.second.CountAt(split.ends[1] - at) : 0;
  }
  if (!ok) {
    // The prefix counts do not hold for this vocabulary: count the usual way from now on.
    open_.reset();
    retry_open_at_ = std::numeric_limits<size_t>::max();
    return false;
  }
  const size_t restart = split.restart();
  if (split.final) {
    committed_tokens_ += run_tokens;
    tail_.erase(0, restart);
    open_.reset();
    return false;
  }
  // What follows the run's pieces is at most a few bytes (a contraction still incomplete).
  size_t rest_tokens = 0;
  if (restart < n) {
    encoding_internal::MergeScratch scratch;
    const auto& vocab = encoding_->vocab();
    (void)encoding_->pretokenizer().Split(s + restart, n - restart, [&](size_t b, size_t e) {
      encoding_internal::EncodePiece(vocab, s + restart + b, e - b, scratch,
                                     [&rest_tokens](uint32_t) { ++rest_tokens; });
    });
  }
  tail_tokens_ = run_tokens + rest_tokens;
  return true;
}

void IncrementalCounter::TryOpen(const std::vector<std::pair<size_t, size_t>>& pieces) {
  if (tail_.size() < kOpenPieceBytes) {
    retry_open_at_ = 0;
    return;
  }
  if (tail_.size() < retry_open_at_ || pieces.empty()) return;
  const PatternKind kind = encoding_->pretokenizer().kind();
  const uint8_t* s = reinterpret_cast<const uint8_t*>(tail_.data());
  const size_t n = tail_.size();
  encoding_internal::OpenRun run;
  bool same = false;
  if (encoding_internal::StartOpenRun(kind, s, n, &run)) {
    // Follow the run only where it gives the pieces the scanner gave (`pieces`: the tail's
    // pieces, their offsets from the tail's first one): all of them while it is open; the
    // first ones once it has ended (a contraction after it may still be incomplete).
    const auto split = encoding_internal::SplitOpenRun(kind, s, n, run);
    const size_t count = static_cast<size_t>(split.count);
    same = count >= 1 && (run.closed ? count <= pieces.size() : count == pieces.size());
    for (size_t i = 0; same && i < count; ++i) {
      same = pieces[i].second - pieces[0].first == split.ends[i];
    }
  }
  if (!same) {
    // Not a run (or a tail of several pieces): try again when the tail has doubled.
    retry_open_at_ = 2 * n;
    return;
  }
  open_ = std::make_unique<OpenPiece>(encoding_->vocab());
  open_->run = run;
}

absl::Status IncrementalCounter::Settle() {
  if (open_ != nullptr && SettleOpen()) return absl::OkStatus();
  const auto& pt = encoding_->pretokenizer();
  const auto& vocab = encoding_->vocab();
  const uint8_t* s = reinterpret_cast<const uint8_t*>(tail_.data());
  std::vector<std::pair<size_t, size_t>> pieces;
  absl::Status split =
      pt.Split(s, tail_.size(), [&](size_t b, size_t e) { pieces.emplace_back(b, e); });
  if (!split.ok()) return split;

  // A piece is settled when text appended later cannot move its end. The split patterns look
  // at most a few characters past a piece, plus the rest of a run that the next piece or two
  // take; so a piece followed by three more is settled, and the last few are probed.
  auto settled = [&](size_t i) {
    if (i + 3 < pieces.size()) return true;
    const size_t b = pieces[i].first, len = pieces[i].second - b;
    for (const char* probe : kProbes) {
      std::string t = tail_.substr(b);
      t += probe;
      size_t end = 0;
      absl::Status probed = pt.SplitUntil(reinterpret_cast<const uint8_t*>(t.data()), t.size(),
                                          [&](size_t, size_t e) {
                                            end = e;
                                            return false;
                                          });
      if (!probed.ok() || end != len) return false;
    }
    return true;
  };
  size_t j = 0;
  while (j < pieces.size() && settled(j)) ++j;

  MergeScratch scratch;
  size_t settled_tokens = 0, tail_tokens = 0;
  for (size_t i = 0; i < pieces.size(); ++i) {
    size_t& into = i < j ? settled_tokens : tail_tokens;
    encoding_internal::EncodePiece(vocab, s + pieces[i].first,
                                   pieces[i].second - pieces[i].first, scratch,
                                   [&into](uint32_t) { ++into; });
  }
  committed_tokens_ += settled_tokens;
  tail_tokens_ = tail_tokens;
  if (j > 0) tail_.erase(0, j < pieces.size() ? pieces[j].first : tail_.size());
  if (pt.kind() != PatternKind::kCustom) {
    pieces.erase(pieces.begin(), pieces.begin() + static_cast<std::ptrdiff_t>(j));
    TryOpen(pieces);
  }
  return absl::OkStatus();
}

}  // namespace tokwise
