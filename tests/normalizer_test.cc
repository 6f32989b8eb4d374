// Unicode normalization and lowercase against the Unicode Consortium's own conformance data:
// every case of NormalizationTest.txt (Unicode 15.0, Debian unicode-data; a compact copy made
// by lib/encoding/gen_text_tables.py is in tests/data) for NFC and NFKC, plus the documented
// special cases of the lowercase mapping (SpecialCasing.txt: U+0130, Final_Sigma).
#include "encoding/normalizer.h"
#include "encoding/unicode.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace tokwise::encoding_internal {
namespace {

std::string FromHex(const std::string& field) {
  std::istringstream in(field);
  std::string out, hex;
  while (in >> hex) AppendUtf8(static_cast<uint32_t>(std::stoul(hex, nullptr, 16)), &out);
  return out;
}

TEST(Normalizer, ConformanceNfcAndNfkc) {
  std::istringstream in(testing::ReadFile(testing::TestData("normalization_test.txt")));
  std::string line;
  size_t cases = 0, nfc_ok = 0, nfkc_ok = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t a = line.find(';'), b = line.find(';', a + 1);
    ASSERT_NE(b, std::string::npos) << line;
    std::string source = FromHex(line.substr(0, a));
    std::string nfc = FromHex(line.substr(a + 1, b - a - 1));
    std::string nfkc = FromHex(line.substr(b + 1));
    ++cases;
    std::string got_nfc = Normalize(source, NormalForm::kNfc);
    std::string got_nfkc = Normalize(source, NormalForm::kNfkc);
    nfc_ok += got_nfc == nfc;
    nfkc_ok += got_nfkc == nfkc;
    EXPECT_EQ(got_nfc, nfc) << "NFC of " << line.substr(0, a);
    EXPECT_EQ(got_nfkc, nfkc) << "NFKC of " << line.substr(0, a);
    // Normalizing twice changes nothing.
    EXPECT_EQ(Normalize(nfc, NormalForm::kNfc), nfc);
    if (::testing::Test::HasFailure() && cases > 20) break;
  }
  EXPECT_GT(cases, 18000u);
  std::printf(
      "[conformance] NormalizationTest (Unicode %s): %zu cases, NFC %zu equal, NFKC %zu "
      "equal\n",
      TextTablesUnicodeVersion(), cases, nfc_ok, nfkc_ok);
}

// Normalize() cuts long text before inert characters and normalizes only the stretches that
// may change: all conformance cases in one text, each after an inert separator (ASCII, or a
// CJK ideograph, which is also inert), must come out as their expected forms joined the same
// way.
TEST(Normalizer, ConformanceCasesJoinedInOneText) {
  std::istringstream in(testing::ReadFile(testing::TestData("normalization_test.txt")));
  std::string line;
  for (const char* sep : {"|", "\xE6\xBC\xA2"}) {
    std::string source, nfc, nfkc;
    in.clear();
    in.seekg(0);
    size_t cases = 0;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      size_t a = line.find(';'), b = line.find(';', a + 1);
      ASSERT_NE(b, std::string::npos) << line;
      source += sep + FromHex(line.substr(0, a));
      nfc += sep + FromHex(line.substr(a + 1, b - a - 1));
      nfkc += sep + FromHex(line.substr(b + 1));
      ++cases;
    }
    EXPECT_GT(cases, 18000u);
    EXPECT_TRUE(Normalize(source, NormalForm::kNfc) == nfc) << "separator " << sep;
    EXPECT_TRUE(Normalize(source, NormalForm::kNfkc) == nfkc) << "separator " << sep;
  }
}

TEST(Normalizer, AsciiAndInertTextIsUntouched) {
  EXPECT_TRUE(IsTriviallyNormalized("plain ASCII text\n", NormalForm::kNfc));
  EXPECT_TRUE(IsTriviallyNormalized("\xE6\xBC\xA2\xE5\xAD\x97", NormalForm::kNfkc));  // 漢字
  // U+0301 COMBINING ACUTE may compose with what precedes it.
  EXPECT_FALSE(IsTriviallyNormalized("e\xCC\x81", NormalForm::kNfc));
  // U+FB01 LATIN SMALL LIGATURE FI: NFC keeps it, NFKC does not.
  EXPECT_TRUE(IsTriviallyNormalized("\xEF\xAC\x81", NormalForm::kNfc));
  EXPECT_FALSE(IsTriviallyNormalized("\xEF\xAC\x81", NormalForm::kNfkc));
  EXPECT_EQ(Normalize("\xEF\xAC\x81", NormalForm::kNfkc), "fi");
}

TEST(Normalizer, LowercaseSpecialCases) {
  // SpecialCasing.txt: U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE -> 0069 0307.
  EXPECT_EQ(ToLower("\xC4\xB0"), "i\xCC\x87");
  // Final_Sigma: word-final capital sigma becomes U+03C2, elsewhere U+03C3.
  EXPECT_EQ(ToLower("\xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3"), "\xCE\xBF\xCE\xB4\xCE\xBF\xCF\x82");
  EXPECT_EQ(ToLower("\xCE\xA3\xCE\x91"), "\xCF\x83\xCE\xB1");
  EXPECT_EQ(ToLower("\xCE\xA3"), "\xCF\x83");  // Not preceded by a cased letter.
  EXPECT_EQ(ToLower("ABC xyz \xC3\x84\xC3\x96"), "abc xyz \xC3\xA4\xC3\xB6");
}

TEST(Normalizer, PropertyRangesFollowTheTables) {
  const auto* ws = PropertyRanges("White_Space");
  ASSERT_NE(ws, nullptr);
  // PropList.txt 15.0 lists 25 White_Space code points.
  size_t n = 0;
  for (const auto& [a, b] : *ws) n += b - a + 1;
  EXPECT_EQ(n, 25u);
  EXPECT_TRUE(IsWhiteSpace(0x85));
  EXPECT_FALSE(IsWhiteSpace(0x180E));  // Not White_Space since Unicode 6.3 (PCRE2's \s has it).
  EXPECT_FALSE(IsWhiteSpace(0xFEFF));
  EXPECT_EQ(CategoryOf(0x1FAE8), GeneralCategory::kSo);  // SHAKING FACE, new in Unicode 15.
  EXPECT_EQ(PropertyRanges("NoSuchProperty"), nullptr);
}

}  // namespace
}  // namespace tokwise::encoding_internal
