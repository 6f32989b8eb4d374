// Machine-readable error details (tokwise/error_details.h): the payload itself, and the
// details every failing encoding call attaches (the C ABI and Python map them to codes and
// exception classes).
#include "tokwise/error_details.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"
#include "tokwise/encoding.h"

namespace tokwise {
namespace {

std::shared_ptr<const Encoding> Cl100k() { return *Encoding::Get("cl100k_base"); }

TEST(ErrorDetails, RoundTrip) {
  ErrorDetails d;
  d.reason = ErrorReason::kSpecialToken;
  d.byte_offset = 1234567890123;
  d.index = 7;
  d.token = "<|a\nb|>";  // The token is stored last, so it may hold newlines.
  absl::Status st = WithErrorDetails(absl::InvalidArgumentError("x"), d);
  ErrorDetails back = GetErrorDetails(st);
  EXPECT_EQ(back.reason, ErrorReason::kSpecialToken);
  EXPECT_EQ(back.byte_offset, 1234567890123);
  EXPECT_EQ(back.index, 7);
  EXPECT_EQ(back.token, "<|a\nb|>");
  EXPECT_EQ(st.message(), "x");
}

TEST(ErrorDetails, AbsentAndOk) {
  ErrorDetails none = GetErrorDetails(absl::InvalidArgumentError("plain"));
  EXPECT_EQ(none.reason, ErrorReason::kUnspecified);
  EXPECT_EQ(none.byte_offset, -1);
  EXPECT_EQ(none.index, -1);
  EXPECT_TRUE(none.token.empty());
  ErrorDetails d;
  d.reason = ErrorReason::kIo;
  EXPECT_TRUE(WithErrorDetails(absl::OkStatus(), d).ok());
  EXPECT_EQ(GetErrorDetails(absl::OkStatus()).reason, ErrorReason::kUnspecified);
}

TEST(ErrorDetails, PrefixKeepsCodeAndDetails) {
  ErrorDetails d;
  d.reason = ErrorReason::kInvalidUtf8;
  d.byte_offset = 3;
  absl::Status st = PrefixErrorMessage(WithErrorDetails(absl::NotFoundError("inner"), d), "a: ");
  EXPECT_EQ(st.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "a: inner");
  EXPECT_EQ(GetErrorDetails(st).byte_offset, 3);
}

TEST(ErrorDetails, InvalidUtf8EverywhereNamesTheOffset) {
  auto enc = Cl100k();
  const std::string text = "abc\xC3(";  // \xC3 needs a continuation byte.
  auto check = [](const absl::Status& st, int64_t offset) {
    ASSERT_FALSE(st.ok());
    ErrorDetails d = GetErrorDetails(st);
    EXPECT_EQ(d.reason, ErrorReason::kInvalidUtf8) << st;
    EXPECT_EQ(d.byte_offset, offset) << st;
  };
  check(enc->Encode(text).status(), 3);
  check(enc->Count(text).status(), 3);
  check(enc->CountUntil(text, 100).status(), 3);  // The lazy path.
  CountOptions recognize;
  recognize.special = SpecialPolicy::kRecognize;
  check(enc->CountUntil(text, 100, recognize).status(), 3);  // The whole-text path.

  IncrementalCounter counter(enc);
  ASSERT_TRUE(counter.Append("hello ").ok());
  check(counter.Append("\xFF"), 6);  // Offset in the whole stream.
}

TEST(ErrorDetails, SpecialTokenNamesTokenAndOffset) {
  auto enc = Cl100k();
  auto st = enc->Encode("ab <|fim_prefix|>").status();
  ErrorDetails d = GetErrorDetails(st);
  EXPECT_EQ(d.reason, ErrorReason::kSpecialToken);
  EXPECT_EQ(d.byte_offset, 3);
  EXPECT_EQ(d.token, "<|fim_prefix|>");
}

TEST(ErrorDetails, UnknownTokens) {
  auto enc = Cl100k();
  auto dec = enc->Decode(std::vector<TokenId>{1, 2, 100261});
  ErrorDetails d = GetErrorDetails(dec.status());
  EXPECT_EQ(d.reason, ErrorReason::kUnknownToken);
  EXPECT_EQ(d.index, 2);
  auto single = enc->EncodeSingleToken("hello world");
  EXPECT_EQ(single.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(GetErrorDetails(single.status()).reason, ErrorReason::kUnknownToken);
}

TEST(ErrorDetails, BatchNamesTheFirstFailingIndex) {
  auto enc = Cl100k();
  std::vector<std::string_view> texts = {"fine", "also fine", "bad \xFF", "bad \xFF too"};
  auto counts = enc->CountBatch(texts, 3);
  ASSERT_FALSE(counts.ok());
  ErrorDetails d = GetErrorDetails(counts.status());
  EXPECT_EQ(d.reason, ErrorReason::kInvalidUtf8);
  EXPECT_EQ(d.index, 2);
  EXPECT_EQ(d.byte_offset, 4);
  EXPECT_EQ(counts.status().message().substr(0, 8), "text 2: ");
  auto ids = enc->EncodeBatch(texts, 2);
  EXPECT_EQ(GetErrorDetails(ids.status()).index, 2);
}

TEST(ErrorDetails, RankFiles) {
  const EncodingSpec spec = *KnownEncodingSpec("r50k_base");
  auto missing = Encoding::FromTiktokenFile("/nonexistent/x.tiktoken", spec);
  EXPECT_EQ(GetErrorDetails(missing.status()).reason, ErrorReason::kIo);
  auto malformed = Encoding::FromTiktokenBytes("aGVsbG8= 0\n!!! 1\n", spec);
  EXPECT_EQ(GetErrorDetails(malformed.status()).reason, ErrorReason::kInvalidData);
  // A spec error is not a data error.
  EncodingSpec no_pattern = spec;
  no_pattern.pattern.clear();
  no_pattern.explicit_n_vocab = 0;
  const std::string tiny =
      testing::ReadFile(std::string(TOKWISE_TEST_DATA) + "/../fuzz/seeds/tiny.tiktoken");
  auto st = Encoding::FromTiktokenBytes(tiny, no_pattern).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetErrorDetails(st).reason, ErrorReason::kUnspecified);
}

TEST(CountOptions, PerTokenPolicies) {
  auto enc = Cl100k();
  const std::string text = "a<|endoftext|>b<|fim_prefix|>";
  CountOptions opts;  // As text, except:
  opts.special_overrides["<|endoftext|>"] = SpecialPolicy::kRecognize;
  EncodeOptions eo;
  eo.special = SpecialPolicy::kAsText;
  eo.special_overrides = opts.special_overrides;
  auto ids = enc->Encode(text, eo);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*enc->Count(text, opts), ids->size());
  EXPECT_EQ(enc->CountUntil(text, 1000, opts)->count, ids->size());
  opts.special_overrides["<|fim_prefix|>"] = SpecialPolicy::kReject;
  EXPECT_EQ(GetErrorDetails(enc->Count(text, opts).status()).byte_offset, 15);
}

}  // namespace
}  // namespace tokwise
