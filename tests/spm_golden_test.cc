// Golden test for SentencePiece models: token ids identical to libsentencepiece (the goldens in
// shared/data/oracle/spm_*.jsonl were made by Debian's python3-sentencepiece 0.1.97 with
// encode(text), no BOS/EOS) on every document and line each golden file covers: Llama 2,
// Mistral v1, Mistral v3 instruct (BPE, byte fallback) and SentencePiece's own Unigram test
// models (English and Japanese, nmt_nfkc normalization).
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "golden_util.h"
#include "test_util.h"
#include "tokwise/tokenizer.h"

namespace tokwise {
namespace {

using testing::GoldenCase;
using testing::ReadFile;
using testing::ReadGolden;
using testing::SameIds;
using testing::SharedData;

struct Case {
  std::string model;  // File under vocab/spm, without .model.
  std::string golden;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.model; }

class SpmGolden : public ::testing::TestWithParam<Case> {
 protected:
  std::shared_ptr<const Tokenizer> Load() {
    auto tok =
        Tokenizer::FromSentencePieceFile(SharedData("vocab/spm/" + GetParam().model + ".model"));
    EXPECT_TRUE(tok.ok()) << tok.status();
    return tok.ok() ? *tok : nullptr;
  }
};

TEST_P(SpmGolden, EveryDocument) {
  auto tok = Load();
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->kind(), TokenizerKind::kSentencePiece);
  std::vector<GoldenCase> golden = ReadGolden(GetParam().golden, /*lines=*/false);
  ASSERT_GT(golden.size(), 0u);
  size_t docs = 0, tokens = 0, equal = 0;
  for (const GoldenCase& g : golden) {
    std::string text = ReadFile(SharedData(g.doc));
    TokenizeOptions o;
    o.invalid_utf8 = InvalidUtf8::kReplace;
    auto ids = tok->Encode(text, o);
    ASSERT_TRUE(ids.ok()) << g.doc << ": " << ids.status();
    bool same = SameIds(g.ids, *ids);
    EXPECT_TRUE(SameIds(g.ids, *ids)) << GetParam().model << " " << g.doc;
    if (docs % 4 == 0) {  // Count() is Encode() again for SentencePiece: sample it.
      auto n = tok->Count(text, o);
      ASSERT_TRUE(n.ok());
      EXPECT_EQ(n->tokens, g.ids.size());
    }
    ++docs;
    tokens += g.ids.size();
    equal += same;
  }
  std::printf("[golden] %s vs %s: %zu documents, %zu tokens compared, %zu documents equal\n",
              GetParam().model.c_str(), GetParam().golden.c_str(), docs, tokens, equal);
}

class SpmGoldenLines : public SpmGolden {};

TEST_P(SpmGoldenLines, EveryLine) {
  auto tok = Load();
  ASSERT_NE(tok, nullptr);
  std::vector<GoldenCase> golden = ReadGolden(GetParam().golden, /*lines=*/true);
  ASSERT_GT(golden.size(), 0u);
  size_t lines = 0, tokens = 0, equal = 0;
  for (const GoldenCase& g : golden) {
    auto ids = tok->Encode(g.text);
    ASSERT_TRUE(ids.ok()) << ids.status();
    bool same = SameIds(g.ids, *ids);
    EXPECT_TRUE(SameIds(g.ids, *ids)) << g.doc << ":" << g.line;
    ++lines;
    tokens += g.ids.size();
    equal += same;
  }
  std::printf("[golden] %s vs %s: %zu lines, %zu tokens compared, %zu lines equal\n",
              GetParam().model.c_str(), GetParam().golden.c_str(), lines, tokens, equal);
}

TEST_P(SpmGolden, BosEosAndDecode) {
  auto tok = Load();
  ASSERT_NE(tok, nullptr);
  const std::string text = "Hello world, this is a test.";
  auto plain = tok->Encode(text);
  ASSERT_TRUE(plain.ok());
  TokenizeOptions with;
  with.add_special_tokens = true;
  auto bos = tok->Encode(text, with);
  ASSERT_TRUE(bos.ok());
  // Every model here defines <s> as id 1 (SentencePiece's default), which add_bos prepends.
  ASSERT_EQ(bos->size(), plain->size() + 1);
  EXPECT_EQ((*bos)[0], 1u);
  auto n = tok->Count(text, with);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->tokens, bos->size());
  auto back = tok->Decode(*plain);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, text);
}

// The SentencePiece test models have no per-line goldens.
INSTANTIATE_TEST_SUITE_P(
    Spm, SpmGoldenLines,
    ::testing::Values(Case{"llama2_tokenizer", "spm_llama2_tokenizer"},
                      Case{"mistral_v1_tokenizer", "spm_mistral_v1_tokenizer"},
                      Case{"mistral_v3_instruct_240323", "spm_mistral_v3_instruct_240323"}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.model; });

INSTANTIATE_TEST_SUITE_P(
    Spm, SpmGolden,
    ::testing::Values(Case{"llama2_tokenizer", "spm_llama2_tokenizer"},
                      Case{"mistral_v1_tokenizer", "spm_mistral_v1_tokenizer"},
                      Case{"mistral_v3_instruct_240323", "spm_mistral_v3_instruct_240323"},
                      Case{"sentencepiece_test_model", "spm_sentencepiece_test_model"},
                      Case{"sentencepiece_test_ja_model", "spm_sentencepiece_test_ja_model"}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.model; });

}  // namespace
}  // namespace tokwise
