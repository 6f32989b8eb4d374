// lib/base/json: JSON string literals as RFC 8259 section 7 defines them.
#include "base/json.h"

#include <string>

#include "gtest/gtest.h"

namespace tokwise::base {
namespace {

TEST(JsonStringTest, QuotesAndShortEscapes) {
  // RFC 8259 section 7: '"' and '\' must be escaped; \n, \r, \t have two-character forms.
  EXPECT_EQ(JsonString("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(JsonString("x\ny\rz\t"), R"("x\ny\rz\t")");
  EXPECT_EQ(JsonString(""), R"("")");
}

TEST(JsonStringTest, OtherControlCharactersUseUnicodeEscapes) {
  // RFC 8259 section 7: U+0000 through U+001F must be escaped; "\u" plus four hex digits.
  EXPECT_EQ(JsonString(std::string("\0\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(JsonString("\b\f"), R"("\u0008\u000c")");
}

TEST(JsonStringTest, Utf8AndDeleteAreCopied) {
  // Only characters below U+0020 must be escaped; DEL (0x7f) and UTF-8 bytes pass through.
  EXPECT_EQ(JsonString("\x7f caf\xc3\xa9 \xe2\x82\xac"), "\"\x7f caf\xc3\xa9 \xe2\x82\xac\"");
}

TEST(JsonStringTest, AppendKeepsWhatIsThere) {
  std::string out = "{\"k\":";
  AppendJsonString("v\n", &out);
  EXPECT_EQ(out, "{\"k\":\"v\\n\"");
}

}  // namespace
}  // namespace tokwise::base
