// The hand-written pre-tokenizer scanners of hf_scan.h against the regex path they replace:
// the same tokenizer.json pre-tokenizer run once on the scanner and once on PCRE2 (the same
// patterns in a form the scanner selection does not recognise) must cut every text into the
// same words. The texts: every code point in several neighbourhoods, and random strings over
// the characters each branch of the scanner distinguishes.
#include "encoding/hf_scan.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "encoding/hf_tokenizer.h"
#include "encoding/normalizer.h"
#include "encoding/unicode.h"

namespace tokwise::encoding_internal {
namespace {

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Bytes outside printable ASCII as \xNN.
std::string Escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    char buf[8];
    std::snprintf(buf, sizeof buf, c < 0x20 || c >= 0x7F ? "\\x%02X" : "%c", c);
    out += buf;
  }
  return out;
}

// A tokenizer.json whose pre-tokenizer is DeepSeek V3's three splits, with `patterns` as the
// Regex patterns.
std::unique_ptr<HfTokenizer> Tokenizer(const std::vector<std::string>& patterns) {
  std::string steps;
  for (const std::string& p : patterns) {
    if (!steps.empty()) steps += ", ";
    steps += R"({"type": "Split", "pattern": {"Regex": )" + JsonString(p) +
             R"(}, "behavior": "Isolated", "invert": false})";
  }
  const std::string json =
      R"({"version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer":
          {"type": "Sequence", "pretokenizers": [)" +
      steps + R"(]}, "post_processor": null, "decoder": null,
          "model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": []}})";
  auto tok = HfTokenizer::FromJson(json);
  EXPECT_TRUE(tok.ok()) << tok.status();
  return tok.ok() ? std::move(*tok) : nullptr;
}

class DeepSeekScanner : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::vector<std::string> patterns(kDeepSeekPatterns, kDeepSeekPatterns + kDeepSeekSteps);
    scanner_ = Tokenizer(patterns).release();
    // The same first pattern in a group: the same matches, but not the scanner's text.
    patterns[0] = "(?:" + patterns[0] + ")";
    regex_ = Tokenizer(patterns).release();
  }

  // Expects the same words from both paths; returns false (after reporting) if they differ.
  static bool Same(const std::string& text) {
    auto a = scanner_->PreTokenizeForTesting(text);
    auto b = regex_->PreTokenizeForTesting(text);
    EXPECT_TRUE(a.ok() && b.ok());
    if (!a.ok() || !b.ok()) return false;
    if (*a == *b) return true;
    size_t i = 0, at = 0;
    while (i < a->size() && i < b->size() && (*a)[i] == (*b)[i]) at += (*a)[i++].size();
    ADD_FAILURE() << "first difference at byte " << at << ": scanner \""
                  << Escape(i < a->size() ? (*a)[i] : "(end)") << "\", regex \""
                  << Escape(i < b->size() ? (*b)[i] : "(end)") << "\" in \""
                  << Escape(text.substr(at > 8 ? at - 8 : 0, 40)) << "\"";
    return false;
  }

  static HfTokenizer* scanner_;
  static HfTokenizer* regex_;
};
HfTokenizer* DeepSeekScanner::scanner_ = nullptr;
HfTokenizer* DeepSeekScanner::regex_ = nullptr;

TEST_F(DeepSeekScanner, IsChosenOnlyForTheExactPatterns) {
  ASSERT_NE(scanner_, nullptr);
  ASSERT_NE(regex_, nullptr);
  EXPECT_EQ(scanner_->SplitPathForTesting(), "scanner:deepseek");
  EXPECT_EQ(regex_->SplitPathForTesting(), "steps:3,regex:3");
}

TEST_F(DeepSeekScanner, HandCheckedShapes) {
  ASSERT_NE(scanner_, nullptr);
  using V = std::vector<std::string>;
  // Worked out from the patterns by hand: numbers in threes; a space before punctuation joins
  // it (" ?[\p{P}\p{S}]+"), punctuation before ASCII letters starts a word; of a run of
  // spaces before a word, the last joins the word; newlines end a run of punctuation.
  const std::string text = "1234567 (foo) bar!!\n  baz";
  EXPECT_EQ(*scanner_->PreTokenizeForTesting(text),
            (V{"123", "456", "7", " (", "foo", ")", " bar", "!!\n", " ", " baz"}));
  EXPECT_TRUE(Same(text));
  // A CJK run is a part of its own, cut again where it holds no letter (U+30FB, Po).
  const std::string cjk = "\xE6\xBC\xA2\xE5\xAD\x97kana\xE3\x82\xAB\xE3\x83\xBB\xE3\x82\xAB";
  EXPECT_EQ(
      *scanner_->PreTokenizeForTesting(cjk),  // 漢字kanaカ・カ
      (V{"\xE6\xBC\xA2\xE5\xAD\x97", "kana", "\xE3\x82\xAB", "\xE3\x83\xBB", "\xE3\x82\xAB"}));
  EXPECT_TRUE(Same(cjk));
}

TEST_F(DeepSeekScanner, EveryCodePointInSeveralNeighbourhoods) {
  ASSERT_NE(scanner_, nullptr);
  // Each code point after and before a letter, a space, punctuation, a digit, a newline, a CJK
  // ideograph and itself; a few thousand code points per text.
  const char* kNeighbours[] = {"a", " ", "!", "1", "\n", "\xE6\xBC\xA2", "\xCC\x81"};
  std::string text;
  size_t texts = 0;
  for (uint32_t cp = 1; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp < 0xE000) continue;
    // Beyond plane 1, the planes hold CJK ideographs, tags and private use, or nothing: one
    // code point in 64 of them.
    if (cp >= 0x20000 && cp % 64 != 0) continue;
    std::string c;
    AppendUtf8(cp, &c);
    for (const char* n : kNeighbours) text += c + n + c + c;
    if (text.size() > (1u << 16)) {
      ++texts;
      if (!Same(text)) return;
      text.clear();
    }
  }
  EXPECT_TRUE(Same(text));
  EXPECT_GT(texts, 50u);
}

TEST_F(DeepSeekScanner, RandomStrings) {
  ASSERT_NE(scanner_, nullptr);
  // The characters the scanner tells apart: ASCII of each kind, numbers beyond ASCII, the
  // edges of the CJK class and what inside it is not a letter, marks, spaces beyond ASCII,
  // format and private-use characters, an emoji.
  const std::vector<std::string> pool = {
      "a",
      "Z",
      "q",
      "0",
      "7",
      " ",
      " ",
      "  ",
      "\t",
      "\n",
      "\r",
      "\r\n",
      "\x0B",
      "\x0C",
      "\x1F",
      "\x01",
      "!",
      "'",
      "(",
      ")",
      "-",
      ".",
      "/",
      "[",
      "\\",
      "_",
      "`",
      "~",
      "$",
      "+",
      "\xD9\xA3",          // ٣ ARABIC-INDIC DIGIT THREE (Nd)
      "\xC2\xB2",          // ² (No)
      "\xE2\x85\xAB",      // Ⅻ (Nl)
      "\xE4\xB8\x80",      // U+4E00, first of the class
      "\xE9\xBE\xA5",      // U+9FA5, last of the first range
      "\xE9\xBE\xA6",      // U+9FA6, just outside
      "\xE3\x81\x80",      // U+3040, unassigned, in the class
      "\xE3\x81\x82",      // あ
      "\xE3\x82\x99",      // U+3099 combining voiced mark (Mn), in the class
      "\xE3\x82\x9B",      // ゛ U+309B (Sk), in the class
      "\xE3\x82\xA0",      // ゠ U+30A0 (Pd), in the class
      "\xE3\x83\xBB",      // ・ U+30FB (Po), in the class
      "\xE3\x83\xBC",      // ー U+30FC (Lm), in the class
      "\xE3\x80\x82",      // 。 U+3002 (Po), outside the class
      "\xE3\x80\x80",      // U+3000 ideographic space
      "\xC2\xA0",          // no-break space
      "\xC2\x85",          // U+0085 next line (a space, not a newline)
      "\xE2\x80\xA8",      // U+2028 line separator
      "\xCC\x81",          // combining acute (Mn)
      "\xE0\xA4\x95",      // क
      "\xE0\xA4\xBF",      // ि (Mc)
      "\xD0\xB6",          // ж
      "\xC3\xA9",          // é
      "\xE2\x80\x8B",      // U+200B zero width space (Cf)
      "\xEE\x80\x80",      // U+E000 private use
      "\xEF\xBC\x8C",      // ， fullwidth comma
      "\xF0\x9F\x98\x80",  // 😀 (So)
      "\xF0\x9D\x9F\x8E",  // 𝟎 mathematical bold digit zero (Nd)
  };
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<size_t> pick(0, pool.size() - 1), length(1, 24);
  for (int i = 0; i < 30000; ++i) {
    std::string text;
    for (size_t k = length(rng); k > 0; --k) text += pool[pick(rng)];
    if (!Same(text)) return;
  }
}

}  // namespace
}  // namespace tokwise::encoding_internal
