// The common Tokenizer interface over every family, the legacy Claude tokenizer against its
// golden ids (npm @anthropic-ai/tokenizer: NFKC, then tiktoken with all special tokens), and
// the estimate arithmetic and labels.
#include "tokwise/tokenizer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "golden_util.h"
#include "test_util.h"

namespace tokwise {
namespace {

using testing::GoldenCase;
using testing::ReadFile;
using testing::ReadGolden;
using testing::SameIds;
using testing::SharedData;

std::shared_ptr<const Tokenizer> ClaudeLegacy() {
  static auto tok = [] {
    auto t = Tokenizer::ClaudeLegacyFromTiktokenFile(SharedData("vocab/claude_legacy.tiktoken"));
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *t : nullptr;
  }();
  return tok;
}

TEST(ClaudeLegacy, EveryCorpusDocument) {
  auto tok = ClaudeLegacy();
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->kind(), TokenizerKind::kClaudeLegacy);
  std::vector<GoldenCase> golden = ReadGolden("claude_legacy", /*lines=*/false);
  size_t docs = 0, tokens = 0;
  for (const GoldenCase& g : golden) {
    TokenizeOptions o;
    o.invalid_utf8 = InvalidUtf8::kReplace;
    std::string text = ReadFile(SharedData(g.doc));
    auto ids = tok->Encode(text, o);
    ASSERT_TRUE(ids.ok()) << ids.status();
    EXPECT_TRUE(SameIds(g.ids, *ids)) << g.doc;
    auto n = tok->Count(text, o);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(n->tokens, g.ids.size());
    EXPECT_EQ(n->exactness, Exactness::kExact);
    ++docs;
    tokens += g.ids.size();
  }
  EXPECT_GT(docs, 50u);
  std::printf("[golden] claude_legacy (tiktoken + NFKC): %zu documents, %zu tokens compared\n",
              docs, tokens);
}

TEST(ClaudeLegacy, EveryLine) {
  auto tok = ClaudeLegacy();
  ASSERT_NE(tok, nullptr);
  std::vector<GoldenCase> golden = ReadGolden("claude_legacy", /*lines=*/true);
  size_t lines = 0, tokens = 0;
  for (const GoldenCase& g : golden) {
    auto ids = tok->Encode(g.text);
    ASSERT_TRUE(ids.ok());
    EXPECT_TRUE(SameIds(g.ids, *ids)) << g.doc << ":" << g.line;
    ++lines;
    tokens += g.ids.size();
  }
  std::printf("[golden] claude_legacy (tiktoken + NFKC): %zu lines, %zu tokens compared\n", lines,
              tokens);
}

TEST(ClaudeLegacy, SpecialTokensAreRecognisedByDefault) {
  auto tok = ClaudeLegacy();
  ASSERT_NE(tok, nullptr);
  auto ids = tok->Encode("<EOT>");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, std::vector<TokenId>{0});
  TokenizeOptions o;
  o.special = SpecialPolicy::kAsText;
  auto text = tok->Encode("<EOT>", o);
  ASSERT_TRUE(text.ok());
  EXPECT_GT(text->size(), 1u);
}

TEST(Tokenizer, EncodingFamilyMatchesTheEncoding) {
  auto enc = Encoding::Get("o200k_base");
  ASSERT_TRUE(enc.ok());
  auto tok = Tokenizer::FromEncoding(*enc);
  EXPECT_EQ(tok->name(), "o200k_base");
  EXPECT_EQ(tok->kind(), TokenizerKind::kTiktoken);
  const std::string text = "Counting <|endoftext|> as text, like providers do.";
  auto n = tok->Count(text);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->tokens, *(*enc)->Count(text));
  EXPECT_EQ(n->low, n->tokens);
  EXPECT_EQ(n->high, n->tokens);
  auto ids = tok->Encode(text);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, *(*enc)->EncodeOrdinary(text));
  EXPECT_EQ(*tok->Decode(*ids), text);
  EXPECT_EQ(tok->vocab_size(), (*enc)->n_vocab());
}

TEST(Tokenizer, EstimatesCarryTheirLabelAndBand) {
  auto enc = Encoding::Get("o200k_base");
  ASSERT_TRUE(enc.ok());
  auto est = Tokenizer::Estimate("estimate:test", *enc, 1.2, 1.1, 1.35);
  ASSERT_TRUE(est.ok()) << est.status();
  const std::string text = ReadFile(SharedData("corpus/en_gpl3.txt"));
  const uint64_t base = *(*enc)->Count(text);
  auto n = (*est)->Count(text);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->exactness, Exactness::kEstimate);
  EXPECT_EQ(n->tokens, static_cast<uint64_t>(std::llround(base * 1.2)));
  EXPECT_EQ(n->low, static_cast<uint64_t>(std::floor(base * 1.1)));
  EXPECT_EQ(n->high, static_cast<uint64_t>(std::ceil(base * 1.35)));
  EXPECT_LE(n->low, n->tokens);
  EXPECT_GE(n->high, n->tokens);
  // Ids are not available for a tokenizer that is not public.
  auto ids = (*est)->Encode(text);
  ASSERT_FALSE(ids.ok());
  EXPECT_EQ(ids.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE((*est)->Decode(std::vector<TokenId>{1}).ok());

  EXPECT_FALSE(Tokenizer::Estimate("bad", *enc, 1.0, 1.1, 1.2).ok());  // factor < low
  EXPECT_FALSE(Tokenizer::Estimate("bad", *enc, 1.0, 0.9, 1.2, Exactness::kExact).ok());
  EXPECT_FALSE(Tokenizer::Estimate("bad", nullptr, 1.0, 1.0, 1.0).ok());
}

TEST(Tokenizer, FromFileRecognisesTheFormat) {
  auto hf = Tokenizer::FromFile(SharedData("vocab/hf/llama3/tokenizer.json"));
  ASSERT_TRUE(hf.ok()) << hf.status();
  EXPECT_EQ((*hf)->kind(), TokenizerKind::kHuggingFace);
  auto spm = Tokenizer::FromFile(SharedData("vocab/spm/llama2_tokenizer.model"));
  ASSERT_TRUE(spm.ok()) << spm.status();
  EXPECT_EQ((*spm)->kind(), TokenizerKind::kSentencePiece);
  EXPECT_EQ((*spm)->vocab_size(), 32000u);
  auto missing = Tokenizer::FromFile("/nonexistent/tokenizer.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST(Tokenizer, ExactnessNames) {
  EXPECT_STREQ(ExactnessName(Exactness::kExact), "exact");
  EXPECT_STREQ(ExactnessName(Exactness::kCalibrated), "calibrated");
  EXPECT_STREQ(ExactnessName(Exactness::kEstimate), "estimate");
  EXPECT_EQ(*ParseExactness("calibrated"), Exactness::kCalibrated);
  EXPECT_FALSE(ParseExactness("approximately").ok());
}

}  // namespace
}  // namespace tokwise

namespace tokwise {
namespace {

// One loaded tokenizer shared by several threads gives each thread the ids it gives alone
// (tokenizers are immutable; scratch is per call, caches per thread). Covers the hand-written
// scanners (DeepSeek's three splits, Qwen's, Llama 3's) with the byte-level fast path and its
// per-thread caches, tokwise's SentencePiece BPE and libsentencepiece.
TEST(Tokenizer, SharedAcrossThreads) {
  std::vector<std::shared_ptr<const Tokenizer>> toks;
  for (const char* m : {"deepseek_v3", "qwen3", "llama3"}) {
    auto t =
        Tokenizer::FromHfJsonFile(SharedData(std::string("vocab/hf/") + m + "/tokenizer.json"));
    ASSERT_TRUE(t.ok()) << t.status();
    toks.push_back(*t);
  }
  for (bool own : {true, false}) {
    SentencePieceOptions o;
    o.own_bpe = own;
    auto t =
        Tokenizer::FromSentencePieceFile(SharedData("vocab/spm/mistral_v1_tokenizer.model"), o);
    ASSERT_TRUE(t.ok()) << t.status();
    toks.push_back(*t);
  }
  std::vector<std::string> texts;
  for (const char* doc : {"corpus/udhr_vie.txt", "corpus/code_go_strings.go",
                          "corpus/zh_tang300.txt", "corpus/emoji_test_head.txt"}) {
    texts.push_back(ReadFile(SharedData(doc)).substr(0, 20000));
  }
  for (const auto& tok : toks) {
    std::vector<std::vector<TokenId>> want;
    for (const std::string& t : texts) want.push_back(*tok->Encode(t));
    std::vector<std::thread> threads;
    std::atomic<int> mismatches{0};
    for (int k = 0; k < 4; ++k) {
      threads.emplace_back([&, k] {
        for (int round = 0; round < 3; ++round) {
          for (size_t i = 0; i < texts.size(); ++i) {
            size_t j = (i + k) % texts.size();
            auto got = tok->Encode(texts[j]);
            if (!got.ok() || *got != want[j]) ++mismatches;
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(mismatches.load(), 0) << tok->name();
  }
}

}  // namespace
}  // namespace tokwise
