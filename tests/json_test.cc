// lib/base/json: JSON string literals as RFC 8259 section 7 defines them.
#include "base/json.h"

#include <random>
#include <string>

#include "base/json_depth.h"

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

// The byte-at-a-time definition of CheckJsonDepth's rule, for the differential test: the depth
// at which the first [ or { outside strings passes the limit, or -1.
long ReferenceDepthError(const std::string& s, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '[' || c == '{') {
      if (++depth > max_depth) return static_cast<long>(i);
    }
    if ((c == ']' || c == '}') && depth > 0) --depth;
  }
  return -1;
}

TEST(JsonDepthTest, LimitIsExactAndNamesTheOffset) {
  EXPECT_TRUE(CheckJsonDepth(std::string(256, '[') + std::string(256, ']')).ok());
  absl::Status deep = CheckJsonDepth(std::string(257, '[') + std::string(257, ']'));
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.message().find("more than 256 levels deep at byte offset 256"),
            std::string::npos)
      << deep.message();
}

TEST(JsonDepthTest, BracketsInsideStringsDoNotCount) {
  // Long strings cross the scanner's 16-byte blocks; escaped quotes and backslashes too.
  const std::string inside = "\"[[[[ {{{{ \\\" [[[[[[[[[[[[[[[[[[[[ \\\\ ]]]] }}}}\"";
  EXPECT_TRUE(CheckJsonDepth("[" + inside + "]", 1).ok());
  EXPECT_FALSE(CheckJsonDepth("[" + inside + "[]]", 1).ok());
}

TEST(JsonDepthTest, AgreesWithTheByteAtATimeRule) {
  std::mt19937 rng(20261204);
  static const char kAlphabet[] = "[]{}\"\\a ";
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s;
    const size_t len = rng() % 80;
    for (size_t i = 0; i < len; ++i) s += kAlphabet[rng() % (sizeof kAlphabet - 1)];
    const int max_depth = 1 + static_cast<int>(rng() % 4);
    const long want = ReferenceDepthError(s, max_depth);
    absl::Status got = CheckJsonDepth(s, max_depth);
    ASSERT_EQ(got.ok(), want < 0) << s;
    if (want >= 0) {
      EXPECT_NE(got.message().find("at byte offset " + std::to_string(want)), std::string::npos)
          << s << ": " << got.message();
    }
  }
}

}  // namespace
}  // namespace tokwise::base
