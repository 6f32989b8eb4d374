// tokwise's own BPE path for SentencePiece BPE models against libsentencepiece itself (the
// reference), on strings chosen to reach the corners: dummy prefix and space runs, byte
// fallback for characters outside the vocabulary, user-defined pieces (Mistral v3), literal
// control-piece text, the U+2581 character itself, and long runs (the heap path). The corpus
// goldens (spm_golden_test) cover ordinary text.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "encoding/hf_tokenizer.h"
#include "encoding/spm_check.h"
#include "test_util.h"
#include "tokwise/tokenizer.h"

namespace tokwise {
namespace {

using testing::ReadFile;
using testing::SharedData;

std::string Model(const std::string& name) {
  return ReadFile(SharedData("vocab/spm/" + name + ".model"));
}

TEST(SpmOwnBpe, UsedExactlyForIdentityNormalizedBpeModels) {
  for (const char* m : {"llama2_tokenizer", "mistral_v1_tokenizer", "mistral_v3_instruct_240323"}) {
    std::string data = Model(m);
    auto info = encoding_internal::ParseSentencePieceModel(data);
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(info->model_type, 2) << m;  // BPE
    auto own = encoding_internal::HfTokenizer::FromSentencePieceBpe(*info);
    EXPECT_TRUE(own.ok()) << m << ": " << own.status();
  }
  // The Unigram test models (nmt_nfkc) stay on libsentencepiece.
  for (const char* m : {"sentencepiece_test_model", "sentencepiece_test_ja_model"}) {
    std::string data = Model(m);
    auto info = encoding_internal::ParseSentencePieceModel(data);
    ASSERT_TRUE(info.ok());
    auto own = encoding_internal::HfTokenizer::FromSentencePieceBpe(*info);
    ASSERT_FALSE(own.ok()) << m;
    EXPECT_EQ(own.status().code(), absl::StatusCode::kUnimplemented);
  }
}

TEST(SpmOwnBpe, SameIdsAsLibSentencePiece) {
  std::vector<std::string> texts = {
      "",
      " ",
      "  ",
      "a",
      " leading",
      "trailing ",
      "two  spaces",
      "\t\ttabs\n\nnewlines\r\n",
      "Hello, world! 1234567890",
      "\xE2\x96\x81 literal U+2581 \xE2\x96\x81\xE2\x96\x81",
      "<s> </s> [INST] text [/INST] <unk>",
      "[REFERENCE_DOC_3]x [REFERENCE_DOC_10] y",
      "emoji \xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD zwj \xF0\x9F\x91\xA9\xE2\x80\x8D"
      "\xF0\x9F\x92\xBB",
      "CJK ext B \xF0\xAA\x9B\x96\xF0\xA0\x80\x80 and private use \xEE\x80\x80\xEF\xA3\xBF",
      "Ti\xE1\xBA\xBFng Vi\xE1\xBB\x87t, \xE0\xA4\xB9\xE0\xA4\xBF\xE0\xA4\xA8\xE0\xA5\x8D\xE0\xA4"
      "\xA6\xE0\xA5\x80, \xD0\xA0\xD1\x83\xD1\x81\xD1\x81\xD0\xBA\xD0\xB8\xD0\xB9",
      std::string(5000, 'a'),
      std::string(3000, ' ') + "x",
      "a" + std::string(2000, '\xE2'),
  };
  // The last one is invalid UTF-8 on purpose: both paths see the same repaired text.
  for (const char* m : {"llama2_tokenizer", "mistral_v1_tokenizer", "mistral_v3_instruct_240323"}) {
    SentencePieceOptions own, lib;
    lib.own_bpe = false;
    auto a =
        Tokenizer::FromSentencePieceFile(SharedData(std::string("vocab/spm/") + m + ".model"), own);
    auto b =
        Tokenizer::FromSentencePieceFile(SharedData(std::string("vocab/spm/") + m + ".model"), lib);
    ASSERT_TRUE(a.ok() && b.ok());
    TokenizeOptions o;
    o.invalid_utf8 = InvalidUtf8::kReplace;
    for (const std::string& t : texts) {
      auto x = (*a)->Encode(t, o);
      auto y = (*b)->Encode(t, o);
      ASSERT_TRUE(x.ok() && y.ok());
      EXPECT_EQ(*x, *y) << m << ": \"" << t.substr(0, 60) << "\"";
      EXPECT_EQ((*a)->Count(t, o)->tokens, y->size());
    }
    // And over every corpus document.
    for (const char* doc :
         {"corpus/udhr_vie.txt", "corpus/emoji_test_head.txt", "corpus/nows_base64_gzip_blob.txt",
          "corpus/zh_tang300.txt", "corpus/code_python_difflib.py", "corpus/udhr_khm.txt"}) {
      std::string text = ReadFile(SharedData(doc));
      auto x = (*a)->Encode(text, o);
      auto y = (*b)->Encode(text, o);
      ASSERT_TRUE(x.ok() && y.ok());
      EXPECT_EQ(*x, *y) << m << " " << doc;
    }
  }
}

}  // namespace
}  // namespace tokwise
