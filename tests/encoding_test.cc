// Unit tests of the Encoding API: special-token policies, UTF-8 rules, model lookup, decode,
// rank-file loading and its errors, and properties (round trip, count == encode length).
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "encoding/bpe.h"
#include "encoding/long_piece.h"
#include "encoding/vocab.h"
#include "test_util.h"
#include "tokwise/encoding.h"

namespace tokwise {
namespace {

std::shared_ptr<const Encoding> O200k() { return *Encoding::Get("o200k_base"); }
std::shared_ptr<const Encoding> Cl100k() { return *Encoding::Get("cl100k_base"); }

// Values from tiktoken's public documentation and README.
TEST(Encoding, DocumentedValues) {
  EXPECT_EQ(*Cl100k()->EncodeOrdinary("hello world"), (std::vector<TokenId>{15339, 1917}));
  EXPECT_EQ(*O200k()->EncodeOrdinary("hello world"), (std::vector<TokenId>{24912, 2375}));
  EXPECT_EQ(*Cl100k()->Decode(std::vector<TokenId>{15339, 1917}), "hello world");
  EXPECT_EQ(Cl100k()->n_vocab(), 100277u);
  EXPECT_EQ(O200k()->n_vocab(), 200019u);
  EXPECT_EQ(Cl100k()->eot_token(), 100257);
  EXPECT_EQ(O200k()->eot_token(), 199999);
}

TEST(Encoding, SpecialTokenPolicies) {
  auto enc = Cl100k();
  const std::string text = "a<|endoftext|>b";
  // Default Encode() rejects, naming the byte offset.
  auto rejected = enc->Encode(text);
  ASSERT_FALSE(rejected.ok());
  EXPECT_NE(std::string(rejected.status().message()).find("byte offset 1"), std::string::npos)
      << rejected.status();
  // Recognised: the special id sits between the ordinary tokens.
  EncodeOptions recognize;
  recognize.special = SpecialPolicy::kRecognize;
  auto ids = enc->Encode(text, recognize);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<TokenId>{64, 100257, 65}));
  // As text (the counting default): several ordinary tokens.
  auto as_text = enc->Count(text);
  ASSERT_TRUE(as_text.ok());
  EXPECT_GT(*as_text, 3u);
  EXPECT_EQ(*as_text, enc->EncodeOrdinary(text)->size());
  // Per-token override: allow one special, reject the rest (tiktoken's allowed_special={..}).
  EncodeOptions some;
  some.special = SpecialPolicy::kReject;
  some.special_overrides["<|endoftext|>"] = SpecialPolicy::kRecognize;
  EXPECT_TRUE(enc->Encode(text, some).ok());
  EXPECT_FALSE(enc->Encode("x<|fim_prefix|>", some).ok());
  // A typo in an override is an error, not a silent change of count.
  EncodeOptions typo;
  typo.special_overrides["<|endoftxt|>"] = SpecialPolicy::kRecognize;
  EXPECT_FALSE(enc->Encode(text, typo).ok());
}

TEST(Encoding, InvalidUtf8) {
  auto enc = O200k();
  const std::string bad = std::string("ab\xC3(cd", 6);
  auto st = enc->Count(bad);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(std::string(st.status().message()).find("byte offset 2"), std::string::npos);
  // Replacement follows the maximal-subpart rule: "\xF0\x9F\x98" (a truncated 4-byte
  // sequence) is one U+FFFD, "\xC0\xAF" (overlong) is two, a lone surrogate "\xED\xA0\x80"
  // is three.
  CountOptions replace;
  replace.invalid_utf8 = InvalidUtf8::kReplace;
  auto ids = enc->EncodeOrdinary("x\xF0\x9F\x98y", InvalidUtf8::kReplace);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*enc->Decode(*ids), "x\xEF\xBF\xBDy");
  EXPECT_EQ(*enc->Decode(*enc->EncodeOrdinary("\xC0\xAF", InvalidUtf8::kReplace)),
            "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(*enc->Decode(*enc->EncodeOrdinary("\xED\xA0\x80", InvalidUtf8::kReplace)),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_TRUE(enc->Count(bad, replace).ok());
}

// Long texts are validated a block at a time before any byte is walked (unicode.cc): each
// kind of ill-formed sequence of Table 3-7, put at offsets in and around the first 64-byte
// blocks of ASCII and of Chinese text, is reported at the offset where it was put.
TEST(Encoding, InvalidUtf8OffsetInLongText) {
  auto enc = O200k();
  const char* const kBad[] = {"\x80", "\xBF", "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80",
                              "\xED\xA0\x80", "\xF0\x80\x80\x80", "\xF4\x90\x80\x80",
                              "\xF5\x80\x80\x80", "\xFF", "\xE4\xB8", "\xF0\x9F\x98"};
  std::string cjk;
  while (cjk.size() < 300) cjk += "\xE4\xB8\xAD";  // U+4E2D
  for (const std::string& text : {std::string(300, 'a'), cjk}) {
    EXPECT_TRUE(enc->Count(text).ok());
    for (const char* bad : kBad) {
      for (size_t at : {size_t{0}, size_t{63}, size_t{64}, size_t{129}, size_t{297}}) {
        size_t cut = at;
        while (cut > 0 && (static_cast<uint8_t>(text[cut]) & 0xC0) == 0x80) --cut;
        // A truncated sequence is only ill-formed when something follows it: put it before
        // the last character, never at the very end.
        const std::string t = text.substr(0, cut) + bad + text.substr(cut);
        auto st = enc->Count(t);
        ASSERT_FALSE(st.ok()) << "at " << cut;
        EXPECT_NE(std::string(st.status().message()).find("byte offset " + std::to_string(cut) + " "),
                  std::string::npos)
            << st.status().message();
      }
    }
  }
}

TEST(Encoding, ModelLookup) {
  EXPECT_EQ(*EncodingNameForModel("gpt-4o"), "o200k_base");
  EXPECT_EQ(*EncodingNameForModel("gpt-4o-2024-08-06"), "o200k_base");
  EXPECT_EQ(*EncodingNameForModel("openai/gpt-4o-2024-08-06"), "o200k_base");
  EXPECT_EQ(*EncodingNameForModel("gpt-4.1-mini"), "o200k_base");
  EXPECT_EQ(*EncodingNameForModel("gpt-5"), "o200k_base");
  EXPECT_EQ(*EncodingNameForModel("gpt-5-mini-2025-08-07"), "o200k_base");
  EXPECT_EQ(*EncodingNameForModel("o1"), "o200k_base");
  EXPECT_EQ(*EncodingNameForModel("o3-mini"), "o200k_base");
  EXPECT_EQ(*EncodingNameForModel("o4-mini-2025-04-16"), "o200k_base");
  EXPECT_EQ(*EncodingNameForModel("gpt-4"), "cl100k_base");
  EXPECT_EQ(*EncodingNameForModel("gpt-4-0613"), "cl100k_base");
  EXPECT_EQ(*EncodingNameForModel("gpt-3.5-turbo-0125"), "cl100k_base");
  EXPECT_EQ(*EncodingNameForModel("azure/gpt-35-turbo"), "cl100k_base");
  EXPECT_EQ(*EncodingNameForModel("text-embedding-3-small"), "cl100k_base");
  EXPECT_EQ(*EncodingNameForModel("text-davinci-003"), "p50k_base");
  EXPECT_EQ(*EncodingNameForModel("text-davinci-002"), "p50k_base");
  EXPECT_EQ(*EncodingNameForModel("davinci"), "r50k_base");
  EXPECT_EQ(*EncodingNameForModel("gpt2"), "gpt2");
  EXPECT_EQ(*EncodingNameForModel("ft:gpt-4o-mini-2024-07-18:acme::abc123"), "o200k_base");
  EXPECT_EQ(EncodingNameForModel("gpt-4x").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(EncodingNameForModel("claude-3-opus").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(EncodingNameForModel("").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ((*Encoding::ForModel("gpt-4o"))->name(), "o200k_base");
  EXPECT_EQ(Encoding::Get("p50k_base").status().code(), absl::StatusCode::kNotFound);
}

TEST(Encoding, DecodeErrors) {
  auto enc = O200k();
  auto st = enc->Decode(std::vector<TokenId>{24912, 999999});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(std::string(st.status().message()).find("index 1"), std::string::npos);
  EXPECT_EQ(*enc->DecodeToken(199999), "<|endoftext|>");
  EXPECT_EQ(*enc->EncodeSingleToken("hello"), 24912u);
  EXPECT_FALSE(enc->EncodeSingleToken("hello world").ok());
}

TEST(Encoding, HarmonySpecials) {
  auto enc = *Encoding::Get("o200k_harmony");
  EncodeOptions all;
  all.special = SpecialPolicy::kRecognize;
  auto ids = enc->Encode("<|start|>user<|message|>hi<|end|>", all);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ((*ids)[0], 200006u);
  EXPECT_EQ(ids->back(), 200007u);
  EXPECT_EQ(enc->n_vocab(), 201088u);
}

// Round trip and count == encode length on random strings built from an alphabet of tricky
// pieces (whitespace kinds, marks, apostrophes, digits, CJK, emoji, case changes).
TEST(Encoding, RandomRoundTrip) {
  const std::vector<std::string> alphabet = {
      " ", "  ", "\n", "\r\n", "\t", "a", "Z", "'s", "'T", "1", "42", "\xC3\xA9", "\xCC\x81",
      "\xE4\xB8\x80", "\xF0\x9F\x98\x80", "\xE2\x80\x8D", "!", "/", "<|endoftext|>", "\xEF\xBB\xBF",
      "\xC2\xA0", "\xE0\xA4\x95\xE0\xA5\x8D", "\xC7\x85", "\xCA\xB0", "HTTP", "Server"};
  std::mt19937 rng(1234);
  for (const char* name : {"o200k_base", "cl100k_base"}) {
    auto enc = *Encoding::Get(name);
    for (int iter = 0; iter < 2000; ++iter) {
      std::string s;
      int len = static_cast<int>(rng() % 40);
      for (int i = 0; i < len; ++i) s += alphabet[rng() % alphabet.size()];
      auto ids = enc->EncodeOrdinary(s);
      ASSERT_TRUE(ids.ok());
      ASSERT_EQ(*enc->Decode(*ids), s) << name;
      ASSERT_EQ(*enc->Count(s), ids->size());
    }
  }
}

// The two merge strategies (quadratic over stack arrays, heap) must agree exactly.
TEST(Bpe, SmallAndLargeMergesAgree) {
  auto enc = O200k();
  const auto& vocab = enc->vocab();
  std::mt19937 rng(99);
  encoding_internal::MergeScratch scratch;
  const std::string letters = "aaaabbcdeeeilnorst     ";
  for (int iter = 0; iter < 3000; ++iter) {
    size_t n = 2 + rng() % (encoding_internal::kSmallPiece - 1);
    std::string s;
    for (size_t i = 0; i < n; ++i) s.push_back(letters[rng() % letters.size()]);
    const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
    std::vector<uint32_t> small, large;
    encoding_internal::MergeSmall(vocab, p, n, [&](uint32_t r) { small.push_back(r); });
    encoding_internal::MergeLarge(vocab, p, n, scratch, [&](uint32_t r) { large.push_back(r); });
    ASSERT_EQ(small, large) << s;
  }
}

TEST(Vocab, RankFileErrors) {
  auto spec = *KnownEncodingSpec("r50k_base");
  auto err = [&](const std::string& data) {
    auto e = Encoding::FromTiktokenBytes(data, spec);
    EXPECT_FALSE(e.ok());
    return std::string(e.status().message());
  };
  EXPECT_NE(err("").find("no tokens"), std::string::npos);
  EXPECT_NE(err("YQ== 0\nYg== x\n").find("line 2"), std::string::npos);
  EXPECT_NE(err("YQ== 0\n!!!! 1\n").find("base64"), std::string::npos);
  EXPECT_NE(err("YQ== 0\nYg== 0\n").find("twice"), std::string::npos);
  EXPECT_NE(err("YQ== 0\nYQ== 1\n").find("ranks 0 and 1 have the same token bytes"),
            std::string::npos);
  EXPECT_NE(err("YQ== 99999999999\n").find("rank"), std::string::npos);
  EXPECT_NE(err("YQ==\n").find("line 1"), std::string::npos);
  // Missing single bytes: BPE could not encode them.
  EXPECT_NE(err("YQ== 0\n").find("byte 0x00"), std::string::npos);
  // Truncated real file: still a clean error or a valid (smaller) vocabulary, never a crash.
  std::string real = testing::ReadFile(testing::SharedData("vocab/r50k_base.tiktoken"));
  for (size_t cut : {size_t{1}, size_t{100}, real.size() / 2, real.size() - 3}) {
    auto e = Encoding::FromTiktokenBytes(real.substr(0, cut), spec);
    if (e.ok()) {
      EXPECT_TRUE((*e)->Count("hello").ok());
    }
  }
  // A spec whose declared size does not match.
  EXPECT_FALSE(Encoding::FromTiktokenBytes(real, *KnownEncodingSpec("p50k_base")).ok());
  EXPECT_TRUE(Encoding::FromTiktokenBytes(real, spec).ok());
  // A special token whose id is an ordinary rank would break decode(encode(x)) == x.
  EncodingSpec clash = spec;
  clash.explicit_n_vocab = 0;
  clash.special_tokens["<|x|>"] = 100;
  auto clashed = Encoding::FromTiktokenBytes(real, clash);
  ASSERT_FALSE(clashed.ok());
  EXPECT_NE(std::string(clashed.status().message()).find("already an ordinary token"),
            std::string::npos);
  // A directory is not a rank file.
  auto dir = Encoding::FromTiktokenFile(testing::SharedData("vocab"), spec);
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(std::string(dir.status().message()).find("is a directory"), std::string::npos);
}

TEST(Encoding, CustomPatternUsesRegexEngine) {
  std::string real = testing::ReadFile(testing::SharedData("vocab/r50k_base.tiktoken"));
  EncodingSpec spec{"words", R"(\S+|\s+)", {}, 0};
  auto enc = Encoding::FromTiktokenBytes(real, spec);
  ASSERT_TRUE(enc.ok()) << enc.status();
  EXPECT_EQ((*enc)->pattern_kind(), PatternKind::kCustom);
  auto ids = (*enc)->EncodeOrdinary("hello  world");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*(*enc)->Decode(*ids), "hello  world");
  EncodingSpec bad{"bad", "(unclosed", {}, 0};
  EXPECT_FALSE(Encoding::FromTiktokenBytes(real, bad).ok());

  // A pattern that backtracks catastrophically hits PCRE2's match limit: that is an error,
  // never a silently short count (it used to count 0 tokens).
  EncodingSpec nested{"nested", R"((a*)*b|\s+|\S)", {}, 0};
  auto slow = Encoding::FromTiktokenBytes(real, nested);
  ASSERT_TRUE(slow.ok()) << slow.status();
  EXPECT_EQ(*(*slow)->Count(std::string(10, 'a')), 10u);
  auto failed = (*slow)->Count(std::string(1000, 'a'));
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(std::string(failed.status().message()).find("split pattern failed"),
            std::string::npos)
      << failed.status();
  IncrementalCounter counter(*slow);
  EXPECT_FALSE(counter.Append(std::string(1000, 'a')).ok());
}

}  // namespace
}  // namespace tokwise

namespace tokwise {
namespace {

// The linear-time long-piece encoder against the exact heap merge, on long strings from
// small alphabets (where merges interact most), on corpus text glued into one piece, and on
// the worst-case runs.
TEST(Bpe, LongPieceEncoderAgreesWithHeapMerge) {
  std::mt19937 rng(4242);
  std::vector<std::string> inputs = {std::string(5000, 'a'), std::string(5000, ' '),
                                     std::string(3001, '^'), std::string(4000, '7')};
  std::string cjk;
  for (int i = 0; i < 1500; ++i) cjk += "\xE4\xB8\x80";
  inputs.push_back(cjk);
  for (const char* alphabet : {"ab", "aab ", "abc", " \n", "ab1=", "\xE4\xB8\x80\xE4\xBA\x8C"}) {
    std::string a = alphabet;
    for (int k = 0; k < 40; ++k) {
      std::string s;
      size_t len = 129 + rng() % 3000;
      for (size_t i = 0; i < len; ++i) s.push_back(a[rng() % a.size()]);
      inputs.push_back(s);
    }
  }
  std::string text = testing::ReadFile(testing::SharedData("corpus/nows_base64_gzip_blob.txt"));
  for (size_t off = 0; off + 2000 < text.size(); off += 7919) inputs.push_back(text.substr(off, 2000));
  text = testing::ReadFile(testing::SharedData("corpus/en_gpl3.txt"));
  for (size_t off = 0; off + 1500 < text.size(); off += 4999) inputs.push_back(text.substr(off, 1500));

  // Runs of punctuation whose BPE does not start with the longest token (o200k has '*' runs of
  // 21 lengths up to 96, and a long run is 64s): the search used to run out of steps on them.
  // It must now finish on every one.
  std::vector<std::string> runs;
  for (char c : std::string("*-=#/_~.")) {
    for (size_t len : {17, 100, 129, 1000, 2999}) runs.push_back(std::string(len, c));
  }
  inputs.insert(inputs.end(), runs.begin(), runs.end());

  size_t used_fast = 0;
  for (const char* name : {"o200k_base", "cl100k_base"}) {
    auto enc = *Encoding::Get(name);
    const auto& vocab = enc->vocab();
    encoding_internal::MergeScratch scratch;
    for (const std::string& r : runs) {
      std::vector<uint32_t> fast;
      EXPECT_TRUE(encoding_internal::EncodeLongPiece(
          vocab, reinterpret_cast<const uint8_t*>(r.data()), r.size(), &fast, ~size_t{0}))
          << name << ": " << r.size() << " x '" << r[0] << "'";
    }
    for (const std::string& s : inputs) {
      const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
      std::vector<uint32_t> heap, fast;
      encoding_internal::MergeLarge(vocab, p, s.size(), scratch,
                                    [&](uint32_t r) { heap.push_back(r); });
      if (vocab.Lookup(p, s.size()) != encoding_internal::kNoRank) continue;
      if (encoding_internal::EncodeLongPiece(vocab, p, s.size(), &fast, ~size_t{0})) {
        ++used_fast;
        ASSERT_EQ(fast, heap) << name << " on " << s.substr(0, 80);
      }
    }
  }
  std::printf("[long-piece] %zu of %zu inputs encoded by the linear path, all equal to the heap\n",
              used_fast, 2 * inputs.size());
  EXPECT_GT(used_fast, inputs.size());
}

// Runs of a short unit, from EncodePeriodicRun (the period of the last token of each prefix,
// found and followed), against the exact heap merge of the run: every printable ASCII byte and
// a few others, and units of two to four bytes (punctuation, letters, CJK, Cyrillic), at
// lengths around the points where the period is looked for (1024, 2048, 4096), both embedded
// vocabularies; and the same runs through Count(), which picks the run encoder when the
// long-piece search steps back too often.
TEST(Bpe, PeriodicRunEncoderAgreesWithHeapMerge) {
  std::vector<std::string> units;
  for (int c = 0x20; c < 0x7F; ++c) units.push_back(std::string(1, static_cast<char>(c)));
  for (const char* u : {"\t", "\n", "\x01", "/*", "*/", "-=", "=>", "ab", "aB", "-*-", "=-=",
                        "\xE4\xB8\x80", "\xD0\xB0\xD0\xB1", "\xE0\xA4\x95"}) {
    units.push_back(u);
  }
  size_t used_run = 0;
  for (const char* name : {"o200k_base", "cl100k_base"}) {
    auto enc = *Encoding::Get(name);
    const auto& vocab = enc->vocab();
    encoding_internal::MergeScratch scratch;
    for (const std::string& unit : units) {
      for (size_t reps : {1, 2, 17, 65, 300, 1023, 1024, 1025, 2049, 4500}) {
        std::string run;
        for (size_t k = 0; k < reps; ++k) run += unit;
        if (run.size() > 9000) run.resize(9000 - 9000 % unit.size());
        const uint8_t* p = reinterpret_cast<const uint8_t*>(run.data());
        std::vector<uint32_t> heap, fast;
        encoding_internal::MergeLarge(vocab, p, run.size(), scratch,
                                      [&](uint32_t r) { heap.push_back(r); });
        const std::string what = std::string(name) + ": " + std::to_string(reps) + " x \"" +
                                 unit + "\"";
        if (run.size() > vocab.max_token_len() + unit.size()) {
          ASSERT_EQ(encoding_internal::RepeatUnit(p, run.size()), unit.size()) << what;
          ASSERT_TRUE(encoding_internal::EncodePeriodicRun(vocab, p, run.size(), unit.size(),
                                                           &fast))
              << what;
          ASSERT_EQ(fast, heap) << what;
          ++used_run;
        }
        // Count() splits digits into groups of three and o200k words at a case change; every
        // other run here is one piece.
        if (unit.find_first_of("0123456789") == std::string::npos && unit != "aB") {
          ASSERT_EQ(*enc->Count(run), heap.size()) << what;
        }
      }
    }
  }
  std::printf("[periodic-run] %zu runs equal to the heap merge\n", used_run);
}

// The token count of every prefix of a piece, from PrefixCounter (the last token of each
// prefix found as the one candidate that fits after the last token before it), against the
// exact heap merge of that prefix on its own: runs, strings from small alphabets (where merges
// interact most), random bytes and corpus text glued into one piece, extended a few bytes at a
// time, for the two embedded vocabularies and r50k (the gpt2 family).
TEST(Bpe, PrefixCountsAgreeWithHeapMergeOfEveryPrefix) {
  std::mt19937 rng(77);
  std::vector<std::string> inputs;
  for (const char* unit : {"a", " ", "\xE4\xB8\x80", "^", "\n", "\t", "ab", "Ab", "1", "=",
                           "\r\n", " \n", "\xE0\xA4\x95\xE0\xA5\x8D\xE0\xA4\xB7\xE0\xA4\xBF"}) {
    std::string s;
    while (s.size() < 700) s += unit;
    inputs.push_back(s);
  }
  const std::vector<std::string> alphabet = {
      "a", "b", "A", " ", "  ", "\n", "\t", "^", "/", "\xE4\xB8\x80", "\xE0\xA4\x95",
      "\xE0\xA5\x8D", "1", "'", "s", "ll", "e", "\xC3\xA9", "\xF0\x9F\x98\x80", "=", "_"};
  const std::string corpus = testing::ReadFile(testing::SharedData("corpus/udhr_hin.txt")) +
                             testing::ReadFile(testing::SharedData("corpus/en_gpl3.txt"));
  for (int k = 0; k < 24; ++k) {
    std::string s;
    const size_t len = 200 + rng() % 500;
    std::vector<std::string> few;
    for (int j = 0; j < 3; ++j) few.push_back(alphabet[rng() % alphabet.size()]);
    while (s.size() < len) {
      switch (k % 4) {
        case 0: s += few[rng() % few.size()]; break;
        case 1: s += alphabet[rng() % alphabet.size()]; break;
        case 2: s.push_back(static_cast<char>(rng() % 256)); break;
        default: s += corpus.substr(rng() % (corpus.size() - 64), 1 + rng() % 40);
      }
    }
    inputs.push_back(s);
  }
  std::vector<std::shared_ptr<const Encoding>> encodings = {*Encoding::Get("o200k_base"),
                                                            *Encoding::Get("cl100k_base")};
  auto r50k = Encoding::FromTiktokenBytes(
      testing::ReadFile(testing::SharedData("vocab/r50k_base.tiktoken")),
      *KnownEncodingSpec("r50k_base"));
  ASSERT_TRUE(r50k.ok()) << r50k.status();
  encodings.push_back(*r50k);
  size_t checked = 0;
  for (const auto& enc : encodings) {
    const auto& vocab = enc->vocab();
    encoding_internal::MergeScratch scratch;
    for (const std::string& s : inputs) {
      const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
      encoding_internal::PrefixCounter counter(vocab);
      for (size_t at = 0; at < s.size();) {
        at = std::min(s.size(), at + 1 + rng() % 40);
        ASSERT_TRUE(counter.Extend(p, at)) << enc->name() << " at " << at;
      }
      ASSERT_EQ(counter.size(), s.size());
      for (size_t len = 1; len <= s.size(); ++len) {
        size_t want = 0;
        if (len == 1) {
          want = 1;
        } else {
          encoding_internal::MergeLarge(vocab, p, len, scratch, [&](uint32_t) { ++want; });
        }
        ASSERT_EQ(counter.CountAt(len), want) << enc->name() << ", prefix " << len << " of "
                                              << s.substr(0, 60);
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 50000u);  // Every prefix of ~40 pieces of 200-700 bytes, three vocabularies.
}

}  // namespace
}  // namespace tokwise
