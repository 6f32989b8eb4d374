// Bad tokenizer files: each is a clear error naming the problem (JSON path, byte offset,
// piece number), never a crash, a hang, an abort or an allocation out of proportion to the
// file; and the library writes nothing to stderr while rejecting them (libsentencepiece logs
// by default, so its input is checked first).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "test_util.h"
#include "tokwise/tokenizer.h"

namespace tokwise {
namespace {

using testing::ReadFile;
using testing::SharedData;

// Expects an error whose message contains every one of `parts`.
void ExpectError(const absl::StatusOr<std::shared_ptr<const Tokenizer>>& r,
                 std::initializer_list<const char*> parts, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what << ": loaded";
  std::string msg(r.status().message());
  for (const char* p : parts) {
    EXPECT_NE(msg.find(p), std::string::npos)
        << what << ": \"" << msg << "\" lacks \"" << p << "\"";
  }
}

absl::StatusOr<std::shared_ptr<const Tokenizer>> LoadJson(const std::string& json) {
  ::testing::internal::CaptureStderr();
  auto r = Tokenizer::FromHfJson(json);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err, "") << "the library wrote to stderr";
  return r;
}

// A valid small tokenizer.json with one part replaced.
std::string Toy(const std::string& model_type = "\"BPE\"",
                const std::string& vocab = R"({"a": 0, "b": 1, "ab": 2})",
                const std::string& merges = R"(["a b"])", const std::string& normalizer = "null",
                const std::string& pre = "null", const std::string& decoder = "null",
                const std::string& post = "null", const std::string& added = "[]",
                const std::string& extra = "") {
  return R"({"version": "1.0", "added_tokens": )" + added + R"(, "normalizer": )" + normalizer +
         R"(, "pre_tokenizer": )" + pre + R"(, "post_processor": )" + post + R"(, "decoder": )" +
         decoder + R"(, "model": {"type": )" + model_type + extra + R"(, "vocab": )" + vocab +
         R"(, "merges": )" + merges + "}}";
}

TEST(BadTokenizerJson, TheToyIsValid) {
  auto t = LoadJson(Toy());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*(*t)->Encode("ab"), std::vector<TokenId>{2});
}

TEST(BadTokenizerJson, TruncatedFiles) {
  const std::string full = ReadFile(SharedData("vocab/hf/llama3/tokenizer.json"));
  for (double frac : {0.0001, 0.1, 0.5, 0.9, 0.99999}) {
    size_t cut = static_cast<size_t>(full.size() * frac);
    auto r = LoadJson(full.substr(0, cut));
    ExpectError(r, {"malformed JSON"}, "cut at " + std::to_string(cut));
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(BadTokenizerJson, NotATokenizerJson) {
  ExpectError(LoadJson(""), {"malformed JSON"}, "empty");
  ExpectError(LoadJson("[1, 2, 3]"), {"expected a JSON object"}, "array");
  ExpectError(LoadJson("{}"), {"missing \"model\""}, "empty object");
  ExpectError(LoadJson("{\"model\": {\"type\": \"BPE\"}}"), {"model", "vocab"}, "no vocab");
  ExpectError(LoadJson("{\"a\": tru}"), {"malformed JSON at byte 6"}, "bad literal");
  ExpectError(LoadJson(std::string("{\"a\": \"\xFF\"}")), {"malformed JSON"}, "bad UTF-8");
  ExpectError(LoadJson(Toy() + " trailing"), {"malformed JSON"}, "trailing content");
}

TEST(BadTokenizerJson, MergesNamingMissingTokens) {
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"(["a c"])")),
              {"model.merges[0]", "\"c\"", "not in the vocabulary"}, "missing right token");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 1})", R"(["a b"])")),
              {"model.merges[0]", "\"ab\"", "not in the vocabulary"}, "missing merged token");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"(["ab"])")),
              {"model.merges[0]", "two tokens"}, "one part");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"(["a b c"])")),
              {"model.merges[0]"}, "three parts");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"([["a"]])")),
              {"model.merges[0]", "two strings"}, "array of one");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"([[1, 2]])")),
              {"model.merges[0]"}, "numbers");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"([5])")),
              {"model.merges[0]"}, "a number");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"("a b")")),
              {"model.merges", "expected an array"}, "not an array");
}

TEST(BadTokenizerJson, BadVocabularies) {
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 0, "ab": 2})")),
              {"model.vocab", "id 0", "\"a\"", "\"b\""}, "duplicate id");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 1, "a": 2})", "[]")),
              {"model.vocab", "same token bytes"}, "duplicate token");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": -1, "b": 1, "ab": 2})")),
              {"model.vocab[\"a\"]", "integer id"}, "negative id");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0.5, "b": 1, "ab": 2})")), {"model.vocab[\"a\"]"},
              "fractional id");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": "0", "b": 1, "ab": 2})")), {"model.vocab[\"a\"]"},
              "string id");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 4000000000, "b": 1, "ab": 2})")),
              {"model.vocab[\"a\"]", "limit"}, "huge id");
  // A three-token file must not make us allocate tables for millions of ids.
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 16000000})")),
              {"model.vocab", "dense"}, "sparse id");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({})", "[]")), {"empty"}, "empty vocab");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"": 0, "b": 1})", "[]")), {"empty token"}, "empty token");
  ExpectError(LoadJson(Toy("\"BPE\"", R"(["a", "b"])", "[]")),
              {"model.vocab", "expected an object"}, "vocab list");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"(["a b"])", "null", "null",
                           "null", "null", "[]", R"(, "unk_token": "<unk>")")),
              {"unk_token", "<unk>"}, "unk not in vocab");
}

// The vocabulary and merges are read straight from the text after the rest of the document;
// their errors still name what is wrong, and malformed JSON anywhere is named as such first.
TEST(BadTokenizerJson, VocabAndMergesReadFromTheText) {
  // Byte offsets counted by hand in the Toy() text.
  const std::string bad_vocab = Toy("\"BPE\"", R"({"a": 0 "b": 1, "ab": 2})");
  const size_t vocab_at = bad_vocab.find(R"("b": 1)");
  ExpectError(LoadJson(bad_vocab),
              {"malformed JSON", ("at byte " + std::to_string(vocab_at)).c_str(),
               "expected ',' or a closing bracket"},
              "missing comma in the vocab");
  const std::string bad_merges = Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"(["a b" "b a"])");
  const size_t merges_at = bad_merges.find(R"("b a")");
  ExpectError(LoadJson(bad_merges), {("at byte " + std::to_string(merges_at)).c_str()},
              "missing comma in the merges");
  // A merge naming a missing token, and malformed JSON after the model: the syntax error wins.
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"(["a c"])") + "]"),
              {"malformed JSON", "content after the end"}, "syntax error after a bad merge");
  // Escaped keys are named as they read.
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "\u0062": 0, "ab": 2})")),
              {"model.vocab", "id 0", "\"a\"", "\"b\""}, "duplicate id, escaped key");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"(["a \u0063"])")),
              {"model.merges[0]", "\"c\"", "not in the vocabulary"}, "escaped missing token");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"(["a\u0020b\u0020c"])")),
              {"model.merges[0]", "two tokens"}, "escaped spaces");
  ExpectError(LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"([["a", "b", "ab"]])")),
              {"model.merges[0]", "two strings"}, "array of three");
  ExpectError(
      LoadJson(R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "model": 5})"),
      {"model", "expected an object"}, "second model not an object");
}

// Field order and escapes do not matter: the vocabulary and merges are read after the rest.
TEST(BadTokenizerJson, AnyFieldOrderLoads) {
  const std::string reordered =
      R"({"model": {"merges": [["\u0061", "b"]], "vocab": {"ab": 2, "b": 1, "\u0061": 0},)"
      R"( "type": "BPE"}, "pre_tokenizer": {"type": "WhitespaceSplit"}, "added_tokens": []})";
  auto t = LoadJson(reordered);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*(*t)->Encode("ab"), std::vector<TokenId>{2});
  EXPECT_EQ(*(*t)->Encode("ba b"), (std::vector<TokenId>{1, 0, 1}));
}

TEST(BadTokenizerJson, UnknownComponentsAreNamed) {
  struct Case {
    std::string json;
    const char* path;
    const char* type;
  };
  const Case cases[] = {
      {Toy("\"WordPiece\""), "model", "WordPiece"},
      {Toy("\"Unigram\""), "model", "Unigram"},
      {Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"(["a b"])",
           R"({"type": "BertNormalizer", "lowercase": true})"),
       "normalizer", "BertNormalizer"},
      {Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"(["a b"])",
           R"({"type": "Sequence", "normalizers": [{"type": "NFC"},
              {"type": "Precompiled", "precompiled_charsmap": "AAAA"}]})"),
       "normalizer.normalizers[1]", "Precompiled"},
      {Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"(["a b"])", "null",
           R"({"type": "Punctuation"})"),
       "pre_tokenizer", "Punctuation"},
      {Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"(["a b"])", "null", "null",
           R"({"type": "CTC"})"),
       "decoder", "CTC"},
      {Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"(["a b"])", "null", "null", "null",
           R"({"type": "Frobnicate"})"),
       "post_processor", "Frobnicate"},
  };
  for (const Case& c : cases) {
    auto r = LoadJson(c.json);
    ExpectError(r, {c.path, c.type, "not supported"}, c.type);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnimplemented) << c.type;
  }
  auto dropout = LoadJson(Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"(["a b"])", "null",
                              "null", "null", "null", "[]", R"(, "dropout": 0.1)"));
  ExpectError(dropout, {"dropout"}, "dropout");
  auto byte_level_first = LoadJson(
      Toy("\"BPE\"", R"({"a": 0, "b": 1, "ab": 2})", R"(["a b"])", "null",
          R"({"type": "Sequence", "pretokenizers": [{"type": "ByteLevel"}, {"type": "Digits"}]})"));
  ExpectError(byte_level_first, {"ByteLevel"}, "ByteLevel not last");
}

TEST(BadTokenizerJson, BadComponentsAndPatterns) {
  const std::string v = R"({"a": 0, "b": 1, "ab": 2})", m = R"(["a b"])";
  auto split = [&](const std::string& pattern) {
    return LoadJson(Toy("\"BPE\"", v, m, "null",
                        R"({"type": "Split", "pattern": )" + pattern +
                            R"(, "behavior": "Isolated", "invert": false})"));
  };
  ExpectError(split(R"({"Regex": "(unclosed"})"), {"pre_tokenizer.pattern.Regex", "(unclosed"},
              "bad regex");
  ExpectError(split(R"({"Regex": "[a[b]]"})"), {"nested character class"}, "nested class");
  ExpectError(split(R"({"Regex": "[a-z&&[^aeiou]]"})"), {"intersection"}, "intersection");
  ExpectError(split(R"({"Glob": "*"})"), {"pattern"}, "unknown pattern kind");
  ExpectError(split(R"({"String": ""})"), {"empty pattern"}, "empty pattern");
  ExpectError(LoadJson(Toy("\"BPE\"", v, m, "null",
                           R"({"type": "Split", "pattern": {"String": "-"},
                               "behavior": "Sideways"})")),
              {"behavior", "Sideways"}, "unknown behavior");
  ExpectError(LoadJson(Toy("\"BPE\"", v, m,
                           R"({"type": "NFC", "x": )" + std::string(200, '[') +
                               std::string(200, ']') + "}")),
              {"nested deeper"}, "deep nesting");
  ExpectError(LoadJson(Toy("\"BPE\"", v, m, "null", "null", "null", "null",
                           R"([{"id": 3, "content": "", "special": true}])")),
              {"added_tokens[0].content", "empty"}, "empty added token");
  ExpectError(LoadJson(Toy("\"BPE\"", v, m, "null", "null", "null", "null",
                           R"([{"id": 99999999999, "content": "<x>"}])")),
              {"added_tokens[0].id"}, "huge added id");
  ExpectError(LoadJson(Toy("\"BPE\"", v, m, "null", "null", "null", "null",
                           R"([{"id": 5, "content": "<x>"}, {"id": 5, "content": "<y>"}])")),
              {"added_tokens[1]", "id 5"}, "added ids clash");
  ExpectError(LoadJson(Toy("\"BPE\"", v, m, "null", "null", "null",
                           R"({"type": "TemplateProcessing", "single": [
                                {"SpecialToken": {"id": "<bos>", "type_id": 0}},
                                {"Sequence": {"id": "A", "type_id": 0}}],
                               "special_tokens": {}})")),
              {"<bos>", "special_tokens"}, "template names an undefined token");
}

// ---- SentencePiece ----

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
std::string LenField(int field, const std::string& payload) {
  return Varint(static_cast<uint64_t>(field) << 3 | 2) + Varint(payload.size()) + payload;
}
std::string Piece(const std::string& text, float score = 0, int type = 1) {
  std::string score_bytes(4, '\0');
  std::memcpy(&score_bytes[0], &score, 4);
  return LenField(1, text) + Varint(2 << 3 | 5) + score_bytes + Varint(3 << 3 | 0) +
         Varint(static_cast<uint64_t>(type));
}
std::string Model(const std::vector<std::string>& pieces) {
  std::string out;
  for (const std::string& p : pieces) out += LenField(1, p);
  return out;
}

absl::StatusOr<std::shared_ptr<const Tokenizer>> LoadSpm(const std::string& data) {
  ::testing::internal::CaptureStderr();
  auto r = Tokenizer::FromSentencePiece(data);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err, "") << "the library (or libsentencepiece) wrote to stderr";
  return r;
}

TEST(BadSentencePiece, NotAModel) {
  ExpectError(LoadSpm(""), {"empty"}, "empty");
  ExpectError(LoadSpm("hello, I am a text file\n"), {"not a SentencePiece model"}, "text");
  ExpectError(LoadSpm(ReadFile(SharedData("vocab/hf/claude_legacy/tokenizer.json"))),
              {"not a SentencePiece model"}, "a tokenizer.json");
  // Deterministic pseudo-random bytes.
  std::string noise;
  uint32_t x = 12345;
  for (int i = 0; i < 4096; ++i) {
    x = x * 1103515245u + 12345u;
    noise.push_back(static_cast<char>(x >> 24));
  }
  auto r = LoadSpm(noise);
  EXPECT_FALSE(r.ok());
}

TEST(BadSentencePiece, TruncatedModel) {
  const std::string full = ReadFile(SharedData("vocab/spm/llama2_tokenizer.model"));
  for (double frac : {0.001, 0.3, 0.7, 0.9999}) {
    auto r = LoadSpm(full.substr(0, static_cast<size_t>(full.size() * frac)));
    ExpectError(r, {"SentencePiece model", "byte offset"}, "truncated");
  }
}

TEST(BadSentencePiece, AbsurdPieces) {
  ExpectError(LoadSpm(Model({Piece(std::string(5000, 'x'))})), {"piece #0", "exceeds"},
              "a 5000-byte piece");
  ExpectError(LoadSpm(Model({Piece("a"), Piece("b", std::nanf(""))})), {"piece #1", "finite"},
              "NaN score");
  ExpectError(LoadSpm(Model({Piece("a", std::numeric_limits<float>::infinity())})),
              {"piece #0", "finite"}, "infinite score");
  ExpectError(LoadSpm(Model({Piece("a", 0, 9)})), {"piece #0", "unknown type 9"}, "bad type");
  ExpectError(LoadSpm(Model({Piece("")})), {"piece #0", "empty"}, "empty piece");
  ExpectError(LoadSpm(Model({Piece("\xFF\xFE")})), {"piece #0", "UTF-8"}, "invalid UTF-8");
  ExpectError(LoadSpm(Model({Piece("<0xZZ>", 0, 6)})), {"piece #0", "<0xNN>"}, "bad byte piece");
  // A piece claiming a gigabyte inside a tiny file.
  ExpectError(LoadSpm(Varint(1 << 3 | 2) + Varint(uint64_t{1} << 30) + "abc"), {"past the end"},
              "huge length");
  // Well-formed but inconsistent: libsentencepiece's own checks reject it, as an error.
  ExpectError(LoadSpm(Model({Piece("<unk>", 0, 2), Piece("a"), Piece("a")})),
              {"SentencePiece model rejected"}, "duplicate pieces");
  ExpectError(LoadSpm(Model({Piece("a"), Piece("b")})), {"SentencePiece model rejected"},
              "no unknown piece");
}

TEST(BadSentencePiece, EncodingWritesNothingToStderr) {
  auto tok =
      Tokenizer::FromSentencePieceFile(SharedData("vocab/spm/sentencepiece_test_model.model"));
  ASSERT_TRUE(tok.ok()) << tok.status();
  ::testing::internal::CaptureStderr();
  TokenizeOptions o;
  o.invalid_utf8 = InvalidUtf8::kReplace;
  auto ids = (*tok)->Encode("text with \xFF invalid bytes and \xE2\x80 cut characters", o);
  auto bad_decode = (*tok)->Decode(std::vector<TokenId>{999999});
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(ids.ok());
  EXPECT_FALSE(bad_decode.ok());
  EXPECT_EQ(err, "");
}

}  // namespace
}  // namespace tokwise
