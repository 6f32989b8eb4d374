// Image sizes from real file headers built byte by byte (tests/chat_test_util.h), and the
// providers' documented image token rules.
#include <gtest/gtest.h>

#include "chat_test_util.h"
#include "tokwise/chat.h"

namespace tokwise {
namespace {

using testing::Base64;

void ExpectSize(const std::string& file, uint32_t w, uint32_t h) {
  absl::StatusOr<ImageSize> raw = ImageSizeFromBytes(file);
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(raw->width, w);
  EXPECT_EQ(raw->height, h);
  absl::StatusOr<ImageSize> b64 = ImageSizeFromBase64(Base64(file));
  ASSERT_TRUE(b64.ok()) << b64.status();
  EXPECT_EQ(b64->width, w);
  EXPECT_EQ(b64->height, h);
}

TEST(ImageSizeTest, Png) {
  ExpectSize(testing::Png(1, 1), 1, 1);
  ExpectSize(testing::Png(4096, 4096), 4096, 4096);
  ExpectSize(testing::Png(3, 70000), 3, 70000);
}

TEST(ImageSizeTest, Gif) {
  ExpectSize(testing::Gif(1, 1), 1, 1);
  ExpectSize(testing::Gif(640, 480), 640, 480);
}

TEST(ImageSizeTest, JpegBaselineAndProgressive) {
  ExpectSize(testing::Jpeg(1024, 768, 0xc0), 1024, 768);
  ExpectSize(testing::Jpeg(1920, 1080, 0xc2), 1920, 1080);  // Progressive (SOF2).
  ExpectSize(testing::Jpeg(800, 600, 0xc1), 800, 600);      // Extended sequential.
}

TEST(ImageSizeTest, JpegSkipsLargeSegmentsWithoutDecodingThem) {
  // A 60 KB APP1 (EXIF) segment before the frame header. Corrupt every payload byte of it in
  // the base64 text: the reader only decodes segment headers, so the size is still found.
  const std::string file = testing::Jpeg(4032, 3024, 0xc2, 60000);
  std::string b64 = Base64(file);
  const size_t payload_start = (2 + 18 + 4 + 8) / 3 * 4 + 8;
  const size_t payload_end = (2 + 18 + 4 + 60000) / 3 * 4 - 8;
  for (size_t i = payload_start; i < payload_end; ++i) b64[i] = '!';
  absl::StatusOr<ImageSize> size = ImageSizeFromBase64(b64);
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_EQ(size->width, 4032u);
  EXPECT_EQ(size->height, 3024u);
}

TEST(ImageSizeTest, WebpLossyLosslessExtended) {
  ExpectSize(testing::WebpLossy(550, 368), 550, 368);
  ExpectSize(testing::WebpLossless(1, 16384), 1, 16384);
  ExpectSize(testing::WebpExtended(4000, 3000), 4000, 3000);
}

TEST(ImageSizeTest, OnlyThePrefixIsNeeded) {
  // The first 24 bytes of a PNG hold its size: 32 base64 characters are enough.
  const std::string b64 = Base64(testing::Png(300, 200));
  absl::StatusOr<ImageSize> size = ImageSizeFromBase64(b64.substr(0, 32));
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_EQ(size->width, 300u);
  EXPECT_EQ(size->height, 200u);
  // One group short is reported as a short input, not as a wrong size.
  EXPECT_EQ(ImageSizeFromBase64(b64.substr(0, 28)).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(ImageSizeTest, MimeLineBreaksInBase64) {
  std::string b64 = Base64(testing::Jpeg(333, 444, 0xc2, 500));
  std::string wrapped;
  for (size_t i = 0; i < b64.size(); i += 76) wrapped += b64.substr(i, 76) + "\r\n";
  absl::StatusOr<ImageSize> size = ImageSizeFromBase64(wrapped);
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_EQ(size->width, 333u);
  EXPECT_EQ(size->height, 444u);
}

TEST(ImageSizeTest, Errors) {
  EXPECT_EQ(
      ImageSizeFromBytes("BM\x36\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00").status().code(),
      absl::StatusCode::kInvalidArgument);  // BMP: not accepted by the providers.
  EXPECT_EQ(ImageSizeFromBytes("").status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ImageSizeFromBase64("iVBO*w0KGgo").status().code(),
            absl::StatusCode::kInvalidArgument);  // Not base64.
  // A PNG whose first chunk is not IHDR.
  std::string png = testing::Png(10, 10);
  png[12] = 'X';
  EXPECT_EQ(ImageSizeFromBytes(png).status().code(), absl::StatusCode::kInvalidArgument);
  // A JPEG that reaches its scan before any frame header.
  std::string jpeg("\xff\xd8\xff\xda\x00\x02\xff\xd9", 8);
  EXPECT_EQ(ImageSizeFromBytes(jpeg).status().code(), absl::StatusCode::kInvalidArgument);
  // A truncated JPEG.
  EXPECT_EQ(ImageSizeFromBytes(testing::Jpeg(10, 10).substr(0, 40)).status().code(),
            absl::StatusCode::kOutOfRange);
  // Zero dimensions.
  EXPECT_EQ(ImageSizeFromBytes(testing::Gif(0, 5)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// OpenAI's vision guide, "Calculating costs": its worked examples.
TEST(OpenAIImageTokensTest, DocumentedExamples) {
  EXPECT_EQ(OpenAIImageTokens(1024, 1024, ImageDetail::kHigh), 765u);
  EXPECT_EQ(OpenAIImageTokens(2048, 4096, ImageDetail::kHigh), 1105u);
  EXPECT_EQ(OpenAIImageTokens(4096, 8192, ImageDetail::kLow), 85u);
  EXPECT_EQ(OpenAIImageTokens(4096, 4096, ImageDetail::kHigh), 765u);
  EXPECT_EQ(OpenAIImageTokens(4096, 4096, ImageDetail::kAuto), 765u);
  // Within one 512-px tile, no resizing: 85 + 170.
  EXPECT_EQ(OpenAIImageTokens(512, 512, ImageDetail::kHigh), 255u);
  // gpt-4o-mini: 2833 base, 5667 per tile.
  EXPECT_EQ(OpenAIImageTokens(1024, 1024, ImageDetail::kHigh, 2833, 5667), 2833u + 4 * 5667u);
  EXPECT_EQ(OpenAIImageTokens(1024, 1024, ImageDetail::kLow, 2833, 5667), 2833u);
}

// Anthropic's vision guide: tokens = width * height / 750 (~54 for 200x200, ~1334 for
// 1000x1000, ~1590 for 1092x1092), and its table of the largest sizes not resized, which all
// cost about 1,600 tokens.
TEST(AnthropicImageTokensTest, DocumentedExamples) {
  EXPECT_EQ(AnthropicImageTokens(200, 200), 54u);
  EXPECT_EQ(AnthropicImageTokens(1000, 1000), 1334u);
  EXPECT_EQ(AnthropicImageTokens(1092, 1092), 1590u);
  const uint32_t kLargest[][2] = {{1092, 1092}, {951, 1268}, {896, 1344}, {819, 1456}, {784, 1568}};
  for (const auto& wh : kLargest) {
    const uint64_t t = AnthropicImageTokens(wh[0], wh[1]);
    EXPECT_GE(t, 1580u) << wh[0] << "x" << wh[1];
    EXPECT_LE(t, 1600u) << wh[0] << "x" << wh[1];
  }
  // Larger images are scaled down first: the bill stays at about 1,600 tokens.
  EXPECT_LE(AnthropicImageTokens(8000, 8000), 1600u);
  EXPECT_GE(AnthropicImageTokens(8000, 8000), 1580u);
  EXPECT_LE(AnthropicImageTokens(4000, 1000), 1600u);
  // A long thin image is limited by its 1568-px edge: 1568 x 98 -> 205 tokens.
  EXPECT_EQ(AnthropicImageTokens(16000, 1000), AnthropicImageTokens(1568, 98));
}

}  // namespace
}  // namespace tokwise
