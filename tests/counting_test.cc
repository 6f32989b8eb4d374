// Count-until-limit, batches and the incremental counter, each checked against plain
// Encode()/Count() of the same text (whose exactness the golden tests establish).
#include <algorithm>
#include <atomic>
#include <random>
#include <thread>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_util.h"
#include "tokwise/encoding.h"

namespace tokwise {
namespace {

// The first `max` bytes of a corpus file, shortened to a character boundary.
std::string CorpusSample(const std::string& name, size_t max) {
  std::string s = testing::ReadFile(testing::SharedData("corpus/" + name));
  size_t n = std::min(max, s.size());
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

TEST(CountUntil, AgreesWithEncodeAtEveryLimit) {
  auto enc = *Encoding::Get("o200k_base");
  std::string text = CorpusSample("udhr_hin.txt", 3000) + CorpusSample("emoji_test_head.txt", 2000);
  // Cut at a character boundary so the text stays valid UTF-8.
  while (!text.empty() && (static_cast<uint8_t>(text.back()) & 0xC0) == 0x80) text.pop_back();
  if (!text.empty() && static_cast<uint8_t>(text.back()) >= 0xC0) text.pop_back();
  auto ids = *enc->EncodeOrdinary(text);
  std::vector<size_t> ends;  // ends[k] = bytes covered by the first k tokens.
  size_t off = 0;
  ends.push_back(0);
  for (TokenId id : ids) {
    off += enc->DecodeToken(id)->size();
    ends.push_back(off);
  }
  for (size_t limit = 0; limit <= ids.size() + 2; ++limit) {
    auto r = enc->CountUntil(text, limit);
    ASSERT_TRUE(r.ok());
    if (limit >= ids.size()) {
      EXPECT_FALSE(r->exceeded);
      EXPECT_EQ(r->count, ids.size());
      EXPECT_EQ(r->byte_offset, text.size());
    } else {
      EXPECT_TRUE(r->exceeded) << limit;
      EXPECT_EQ(r->count, limit);
      EXPECT_EQ(r->byte_offset, ends[limit]) << limit;
      EXPECT_LE(r->char_offset, r->byte_offset);
      EXPECT_NE(static_cast<uint8_t>(text[r->char_offset]) & 0xC0, 0x80u);
    }
  }
}

TEST(CountUntil, StopsEarlyAndStillReportsInvalidUtf8InTheCountedPart) {
  auto enc = *Encoding::Get("cl100k_base");
  // Invalid UTF-8 after the limit is not reached (the work stops first) ...
  std::string text = "hello world " + std::string(100000, 'x') + "\xFF";
  auto r = enc->CountUntil(text, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->exceeded);
  EXPECT_EQ(r->byte_offset, 11u);  // "hello" " world"
  // ... invalid UTF-8 before it is an error naming the offset.
  auto bad = enc->CountUntil("ab\xFF" "cd", 10);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message()).find("byte offset 2"), std::string::npos);
  // With the general path (special tokens recognised) results agree.
  CountOptions co;
  co.special = SpecialPolicy::kRecognize;
  auto g = enc->CountUntil("a<|endoftext|>b", 2, co);
  ASSERT_TRUE(g.ok());
  EXPECT_TRUE(g->exceeded);
  EXPECT_EQ(g->byte_offset, 14u);
}

TEST(Batch, SameAsOneByOne) {
  auto enc = *Encoding::Get("o200k_base");
  std::vector<std::string> store;
  for (const char* f : {"en_gpl3.txt", "code_go_strings.go", "udhr_tha.txt", "zh_tang300.txt",
                        "nows_pi_digits.txt", "json_iso_3166-1.json"}) {
    store.push_back(CorpusSample(f, 1 << 20));
  }
  store.push_back("");
  std::vector<std::string_view> texts(store.begin(), store.end());
  for (int threads : {0, 1, 2, 4}) {
    auto counts = enc->CountBatch(texts, threads);
    auto ids = enc->EncodeBatch(texts, threads, EncodeOptions{SpecialPolicy::kAsText, {}, {}});
    ASSERT_TRUE(counts.ok() && ids.ok());
    for (size_t i = 0; i < texts.size(); ++i) {
      EXPECT_EQ((*counts)[i], *enc->Count(texts[i]));
      EXPECT_EQ((*ids)[i], *enc->EncodeOrdinary(texts[i]));
    }
  }
  texts.push_back("ok");
  texts.push_back("bad \xFF");
  auto err = enc->CountBatch(texts, 2);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(std::string(err.status().message()).find("text 8"), std::string::npos);
}

TEST(Batch, WorkerPoolReusedAcrossCalls) {
  auto enc = *Encoding::Get("cl100k_base");
  std::vector<std::string> store;
  for (const char* f : {"en_gpl3.txt", "udhr_tha.txt", "code_c_zlib_zran.c", "ja_wagahaiwa_nekodearu_head.txt"}) {
    for (size_t part = 0; part < 4; ++part) store.push_back(CorpusSample(f, 4096 * (part + 1)));
  }
  std::vector<std::string_view> texts(store.begin(), store.end());
  for (int threads : {1, 2, 3}) {
    WorkerPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (int call = 0; call < 3; ++call) {  // The same threads serve every call.
      auto counts = enc->CountBatch(texts, pool);
      auto ids = enc->EncodeBatch(texts, pool);
      ASSERT_TRUE(counts.ok() && ids.ok());
      for (size_t i = 0; i < texts.size(); ++i) {
        EXPECT_EQ((*counts)[i], *enc->Count(texts[i]));
        EXPECT_EQ((*ids)[i], *enc->EncodeOrdinary(texts[i]));
      }
    }
    // An empty batch, and an error that names its text.
    EXPECT_TRUE(enc->CountBatch({}, pool)->empty());
    std::vector<std::string_view> bad = {"fine", "bad \xFF", "fine"};
    auto err = enc->CountBatch(bad, pool);
    ASSERT_FALSE(err.ok());
    EXPECT_NE(std::string(err.status().message()).find("text 1"), std::string::npos);
  }
}

TEST(Batch, WorkerPoolSharedByThreads) {
  // Batches from several threads on one pool run one at a time and all come out right.
  auto enc = *Encoding::Get("o200k_base");
  const std::string text = CorpusSample("en_gpl3.txt", 8192);
  const size_t want = *enc->Count(text);
  std::vector<std::string_view> texts(16, text);
  WorkerPool pool(2);
  std::vector<std::thread> callers;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&] {
      for (int call = 0; call < 5; ++call) {
        auto counts = enc->CountBatch(texts, pool);
        if (!counts.ok()) {
          ++wrong;
          continue;
        }
        for (size_t n : *counts) wrong += n != want;
      }
    });
  }
  for (std::thread& c : callers) c.join();
  EXPECT_EQ(wrong.load(), 0);
}

// At every split point of the stream, count() equals Count() of everything so far.
void CheckIncremental(const std::shared_ptr<const Encoding>& enc, const std::string& text,
                      std::mt19937& rng, bool every_byte) {
  IncrementalCounter counter(enc);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t step = every_byte ? 1 : 1 + rng() % 7;
    step = std::min(step, text.size() - pos);
    ASSERT_TRUE(counter.Append(std::string_view(text).substr(pos, step)).ok());
    pos += step;
    // Count the complete characters so far.
    size_t complete = pos - counter.pending_bytes();
    ASSERT_EQ(counter.count(), *enc->Count(std::string_view(text).substr(0, complete)))
        << enc->name() << " after " << pos << " bytes of: " << text;
  }
  EXPECT_EQ(counter.pending_bytes(), 0u);
  EXPECT_EQ(counter.count(), *enc->Count(text));
}

TEST(IncrementalCounter, EqualsWholeCountAtEverySplitPoint) {
  const std::vector<std::string> alphabet = {
      " ", "  ", "\n", "\r\n", "\t", "a", "b", "Z", "'", "s", "ll", "re", "T", "1", "42",
      "\xC3\xA9", "\xCC\x81", "\xE4\xB8\x80", "\xF0\x9F\x98\x80", "!", "/", ".", "\xC2\xA0",
      "\xC5\xBF", "HTTP", "Server", "don", "'t", "\xE0\xA4\x95\xE0\xA5\x8D"};
  std::mt19937 rng(5);
  for (const char* name : {"o200k_base", "cl100k_base"}) {
    auto enc = *Encoding::Get(name);
    for (int iter = 0; iter < 300; ++iter) {
      std::string s;
      int len = 1 + static_cast<int>(rng() % 30);
      for (int i = 0; i < len; ++i) s += alphabet[rng() % alphabet.size()];
      CheckIncremental(enc, s, rng, iter % 2 == 0);
    }
    CheckIncremental(enc, CorpusSample("code_python_difflib.py", 4000), rng, false);
    CheckIncremental(enc, CorpusSample("udhr_hin.txt", 3000), rng, false);
  }
}

// Found by fuzz_capi: a contraction cut short at the end of what was appended ("o'v") was
// settled before the "e" that completes it arrived.
TEST(IncrementalCounter, ContractionsCutShort) {
  std::mt19937 rng(11);
  for (const char* name : {"o200k_base", "cl100k_base"}) {
    auto enc = *Encoding::Get(name);
    for (const char* text : {"o'versmmeee\xC3\xB2", "we'll see", "they're", "I'VE SEEN",
                             "you'd", "it'LL", "o'Re x"}) {
      CheckIncremental(enc, text, rng, true);
    }
  }
}

// Appends text cut at `cuts` (ascending, the last one text.size()), checking count() against
// Count() of the complete characters so far after every call.
void CheckCuts(const std::shared_ptr<const Encoding>& enc, const std::string& text,
               const std::vector<size_t>& cuts, const std::string& what) {
  IncrementalCounter counter(enc);
  size_t pos = 0;
  for (size_t cut : cuts) {
    ASSERT_TRUE(counter.Append(std::string_view(text).substr(pos, cut - pos)).ok());
    pos = cut;
    const size_t complete = pos - counter.pending_bytes();
    ASSERT_EQ(counter.count(), *enc->Count(std::string_view(text).substr(0, complete)))
        << enc->name() << " after " << pos << " of " << text.size() << " bytes of " << what;
  }
  EXPECT_EQ(counter.count(), *enc->Count(text)) << enc->name() << ": " << what;
}

// Cut points for a text with a long run [begin, end): random steps, and every byte around the
// run's start, its end, and the tail length from which the counter follows a long piece.
std::vector<size_t> CutsAroundRun(size_t size, size_t begin, size_t end, std::mt19937& rng) {
  std::vector<size_t> cuts;
  for (size_t at = 0; at < size;) {
    at = std::min(size, at + 1 + rng() % 64);
    cuts.push_back(at);
  }
  for (size_t centre : {begin, begin + 256, end}) {
    for (size_t at = centre > 12 ? centre - 12 : 1; at <= centre + 12 && at <= size; ++at) {
      cuts.push_back(at);
    }
  }
  for (size_t at = end; at <= size; ++at) cuts.push_back(at);  // Through what follows.
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  return cuts;
}

std::vector<std::shared_ptr<const Encoding>> RunEncodings() {
  std::vector<std::shared_ptr<const Encoding>> encodings = {
      *Encoding::Get("o200k_base"), *Encoding::Get("o200k_harmony"),
      *Encoding::Get("cl100k_base")};
  auto r50k = Encoding::FromTiktokenBytes(
      testing::ReadFile(testing::SharedData("vocab/r50k_base.tiktoken")),
      *KnownEncodingSpec("r50k_base"));
  if (r50k.ok()) encodings.push_back(*r50k);  // The gpt2 split pattern.
  return encodings;
}

// Long unbroken runs (above the length from which the counter follows a growing piece instead
// of re-splitting it) of every kind the split patterns have, each followed by what ends it in
// every way (a contraction, in any case and with U+017F; a space and a letter; newlines; a
// slash after punctuation; another script; digits), cut at random points and at every byte
// near the run's ends: count() equals Count() of the whole prefix at every cut.
TEST(IncrementalCounter, LongRunsEqualWholeCountAtEveryCut) {
  const std::vector<std::string> units = {
      "a", "Z", "aB", "AAb", "\xC3\xA9", "e\xCC\x81", " ", "\t", "\n", "\t\n", " \n", "\r\n",
      "^", "^/", ".", "'", "\xE4\xB8\x80", "\xE4\xB8\x80" "A",
      "\xE0\xA4\x95\xE0\xA5\x8D\xE0\xA4\xB7\xE0\xA4\xBF", "\xCC\x81", "\xCA\xB0", "\xC7\x85",
      "\xC2\xA0", "\xC2\x85", "1", "12"};
  const std::vector<std::string> ends = {
      "", "'s", "'S", "'ll", "'LL", "'re", "'RE", "'\xC5\xBF", "'ve!", "'l", "'", "' s",
      " x", "x", "A", "b", "\n", " \n", "  \nz", "\t\n\ta", "^/", "/", "\n/x", "\r\n",
      "\xE4\xB8\x80", "\xE0\xA4\x95\xE0\xA5\x8D", "123", "\xCC\x81", "\xC2\xA0", " 1", "Ab c"};
  const std::vector<std::string> starts = {"", "x", " ", "'", "\n", "^", "\xE4\xB8\x80",
                                           "\xCC\x81", "A", " ^", "a"};
  std::mt19937 rng(2024);
  for (const auto& enc : RunEncodings()) {
    for (const std::string& unit : units) {
      for (const std::string& end : ends) {
        if (rng() % 3 != 0) continue;  // A third of the pairs per encoding, a different third each.
        const std::string start = starts[rng() % starts.size()];
        std::string text = start;
        while (text.size() < start.size() + 2048) text += unit;
        const size_t run_end = text.size();
        text += end;
        CheckCuts(enc, text, CutsAroundRun(text.size(), start.size(), run_end, rng),
                  "'" + start + "' + run of '" + unit + "' + '" + end + "'");
        if (HasFatalFailure()) return;
      }
    }
  }
}

// Random mixes that make long pieces now and then: letters of both cases and scripts with
// marks, spaces and newlines, punctuation, each run of one class long, broken by another.
TEST(IncrementalCounter, LongRandomMixesEqualWholeCount) {
  const std::vector<std::vector<std::string>> classes = {
      {"a", "b", "\xC3\xA9", "\xC5\xBF"},
      {"A", "B", "\xC7\x85"},
      {"\xE4\xB8\x80", "\xE0\xA4\x95", "\xE0\xA5\x8D", "\xCC\x81", "\xCA\xB0"},
      {" ", "\t", "\n", "\r", "\xC2\xA0"},
      {"^", "/", ".", "'", "-"},
      {"1", "2"}};
  std::mt19937 rng(99);
  for (const auto& enc : RunEncodings()) {
    for (int iter = 0; iter < 6; ++iter) {
      std::string text;
      while (text.size() < 3000) {
        const auto& cls = classes[rng() % classes.size()];
        const size_t len = rng() % 4 == 0 ? 300 + rng() % 700 : 1 + rng() % 6;
        const size_t stop = text.size() + len;
        while (text.size() < stop) text += cls[rng() % cls.size()];
      }
      std::vector<size_t> cuts;
      for (size_t at = 0; at < text.size();) {
        at = std::min(text.size(), at + 1 + rng() % 24);
        cuts.push_back(at);
      }
      CheckCuts(enc, text, cuts, "a random mix");
      if (HasFatalFailure()) return;
    }
  }
}

TEST(IncrementalCounter, RejectsInvalidUtf8WithStreamOffset) {
  IncrementalCounter counter(*Encoding::Get("o200k_base"));
  ASSERT_TRUE(counter.Append("hello ").ok());
  auto st = counter.Append("w\xC3(");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(std::string(st.message()).find("byte offset 7"), std::string::npos) << st;
  EXPECT_EQ(counter.count(), 2u);  // "hello" " " unchanged by the failed call.
}

TEST(IncrementalCounter, HoldsBackOnlyWhatCanStillBecomeACharacter) {
  // Bytes at the end that can never complete a character are invalid now, not "pending".
  for (std::string bad : {"\xFF", "\xC0", "\xC1", "\xF5", "\xE0\x80", "\xED\xA0", "\xF0\x80",
                          "\xF4\x90"}) {
    IncrementalCounter counter(*Encoding::Get("o200k_base"));
    ASSERT_TRUE(counter.Append("ab").ok());
    auto st = counter.Append(bad);
    EXPECT_FALSE(st.ok()) << "lead byte " << (static_cast<int>(bad[0]) & 0xFF);
    EXPECT_EQ(counter.pending_bytes(), 0u);
  }
  // Valid beginnings wait for the rest.
  for (std::string start : {"\xC3", "\xE0\xA0", "\xED\x9F", "\xF0\x90\x80", "\xF4\x8F"}) {
    IncrementalCounter counter(*Encoding::Get("o200k_base"));
    ASSERT_TRUE(counter.Append(start).ok());
    EXPECT_EQ(counter.pending_bytes(), start.size());
  }
}

}  // namespace
}  // namespace tokwise
