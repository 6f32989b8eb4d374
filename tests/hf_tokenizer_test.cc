// tokenizer.json beyond the corpus goldens:
//  * hand-picked cases (added tokens inside text, NFC, Llama 3's ignore_merges, templates)
//    with ids from Hugging Face's JavaScript tokenizers (tests/data/hf_extra_goldens.jsonl,
//    made by tests/data/gen_hf_extra_goldens.mjs);
//  * pre-tokenizer behaviours against the examples in Hugging Face's documentation;
//  * decode(encode(x)) == x, special-token policies, invalid UTF-8.
#include "encoding/hf_tokenizer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "golden_util.h"
#include "test_util.h"
#include "tokwise/tokenizer.h"

namespace tokwise {
namespace {

using encoding_internal::HfEncodeOptions;
using encoding_internal::HfTokenizer;
using testing::ReadFile;
using testing::SameIds;
using testing::SharedData;
using testing::TestData;

std::string HfPath(const std::string& model) {
  return SharedData("vocab/hf/" + model + "/tokenizer.json");
}

// Loads each model once per test binary.
const HfTokenizer* Model(const std::string& name) {
  static auto* cache = new std::map<std::string, std::unique_ptr<HfTokenizer>>();
  auto it = cache->find(name);
  if (it != cache->end()) return it->second.get();
  std::string json;
  if (name == "llama3_no_ignore_merges") {
    json = ReadFile(HfPath("llama3"));
    size_t at = json.find("\"ignore_merges\": true");
    EXPECT_NE(at, std::string::npos);
    json.replace(at, 21, "\"ignore_merges\": false");
  } else {
    json = ReadFile(HfPath(name));
  }
  auto tok = HfTokenizer::FromJson(json);
  EXPECT_TRUE(tok.ok()) << name << ": " << tok.status();
  HfTokenizer* raw = tok.ok() ? tok->get() : nullptr;
  (*cache)[name] = tok.ok() ? std::move(*tok) : nullptr;
  return raw;
}

TEST(HfTokenizer, ExtraGoldensFromTheJavaScriptReference) {
  simdjson::dom::parser parser;
  simdjson::dom::document_stream stream;
  ASSERT_FALSE(parser.load_many(TestData("hf_extra_goldens.jsonl")).get(stream));
  size_t cases = 0, tokens = 0;
  for (auto item : stream) {
    simdjson::dom::element e = item.value();
    std::string model = std::string(std::string_view(e["model"]));
    std::string text = std::string(std::string_view(e["text"]));
    bool add = bool(e["add_special_tokens"]);
    std::vector<TokenId> want;
    for (uint64_t id : e["ids"].get_array()) want.push_back(static_cast<TokenId>(id));
    const HfTokenizer* tok = Model(model);
    ASSERT_NE(tok, nullptr);
    HfEncodeOptions o;
    o.add_special_tokens = add;
    auto got = tok->Encode(text, o);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE(SameIds(want, *got)) << model << " \"" << text << "\" add_special_tokens=" << add;
    auto n = tok->Count(text, o);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, want.size());
    ++cases;
    tokens += want.size();
  }
  EXPECT_GT(cases, 60u);
  std::printf("[golden] extra cases: %zu cases, %zu tokens compared\n", cases, tokens);
}

TEST(HfTokenizer, LlamaIgnoreMergesKeepsWholeWords) {
  // " Việt" is one token of the vocabulary (id 101798, "ĠViá»ĩt" in tokenizer.json); plain
  // merging reaches three tokens (both confirmed by the JavaScript reference above).
  auto whole = Model("llama3")->Encode(" Vi\xE1\xBB\x87t", {});
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(*whole, std::vector<TokenId>{101798});
  auto merged = Model("llama3_no_ignore_merges")->Encode(" Vi\xE1\xBB\x87t", {});
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->size(), 3u);
}

TEST(HfTokenizer, SplitPathsUseTheHandWrittenScannersWhenThePatternIsKnown) {
  // Llama 3's Split regex is cl100k's (older form) exactly; Qwen's differs only in \p{N}.
  EXPECT_EQ(Model("llama3")->SplitPathForTesting(), "scanner:cl100k");
  EXPECT_EQ(Model("qwen3")->SplitPathForTesting(), "scanner:qwen");
  EXPECT_EQ(Model("claude_legacy")->SplitPathForTesting(), "scanner:gpt2");
  // DeepSeek V3's three splits run as one scanner (hf_scan.h).
  EXPECT_EQ(Model("deepseek_v3")->SplitPathForTesting(), "scanner:deepseek");
  EXPECT_EQ(Model("mistral_7b_v0.1")->SplitPathForTesting(), "none");
}

TEST(HfTokenizer, DecodeGivesBackTheText) {
  const char* docs[] = {"corpus/udhr_vie.txt", "corpus/code_go_strings.go",
                        "corpus/emoji_test_head.txt", "corpus/i_can_eat_glass.txt",
                        "corpus/ja_wagahaiwa_nekodearu_head.txt"};
  for (const char* model :
       {"llama3", "qwen3", "deepseek_v3", "gemma3", "mistral_7b_v0.1", "claude_legacy"}) {
    const HfTokenizer* tok = Model(model);
    ASSERT_NE(tok, nullptr);
    for (const char* doc : docs) {
      std::string text = ReadFile(SharedData(doc));
      if (std::string(model) == "claude_legacy" || std::string(model) == "qwen3") {
        // These normalize (NFKC, NFC): compare with text that is already in the form.
        text = "plain text: ASCII only, no normalization at stake\n  indented\ttab";
      }
      HfEncodeOptions o;
      o.special = SpecialPolicy::kAsText;  // Sections split at added tokens get a ▁ prefix.
      auto ids = tok->Encode(text, o);
      ASSERT_TRUE(ids.ok()) << ids.status();
      auto back = tok->Decode(*ids);
      ASSERT_TRUE(back.ok()) << back.status();
      EXPECT_EQ(*back, text) << model << " " << doc;
    }
  }
}

TEST(HfTokenizer, SpecialPolicies) {
  const HfTokenizer* tok = Model("llama3");
  const std::string text = "x<|begin_of_text|>y";
  HfEncodeOptions o;
  auto recognized = tok->Encode(text, o);
  ASSERT_TRUE(recognized.ok());
  EXPECT_EQ(recognized->size(), 3u);
  EXPECT_EQ((*recognized)[1], 128000u);
  o.special = SpecialPolicy::kAsText;
  auto as_text = tok->Encode(text, o);
  ASSERT_TRUE(as_text.ok());
  for (TokenId id : *as_text) EXPECT_LT(id, 128000u);
  o.special = SpecialPolicy::kReject;
  auto rejected = tok->Encode(text, o);
  ASSERT_FALSE(rejected.ok());
  EXPECT_NE(rejected.status().message().find("byte offset 1"), absl::string_view::npos)
      << rejected.status();
}

TEST(HfTokenizer, InvalidUtf8) {
  const HfTokenizer* tok = Model("llama3");
  auto bad = tok->Encode("ok\xFFno", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("byte offset 2"), absl::string_view::npos);
  HfEncodeOptions o;
  o.invalid_utf8 = InvalidUtf8::kReplace;
  auto repaired = tok->Encode("ok\xFFno", o);
  ASSERT_TRUE(repaired.ok());
  auto same = tok->Encode("ok\xEF\xBF\xBDno", {});
  EXPECT_EQ(*repaired, *same);
}

// ---- Small tokenizer.json files for the documented pre-tokenizer behaviours ----

std::string Toy(const std::string& pre_tokenizer, const std::string& normalizer = "null") {
  return R"({"version": "1.0", "added_tokens": [], "normalizer": )" + normalizer +
         R"(, "pre_tokenizer": )" + pre_tokenizer +
         R"(, "post_processor": null, "decoder": null,
  "model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": []}})";
}

std::vector<std::string> Words(const std::string& json, const std::string& text) {
  auto tok = HfTokenizer::FromJson(json);
  EXPECT_TRUE(tok.ok()) << tok.status();
  if (!tok.ok()) return {};
  auto words = (*tok)->PreTokenizeForTesting(text);
  EXPECT_TRUE(words.ok()) << words.status();
  return words.ok() ? *words : std::vector<std::string>{};
}

using V = std::vector<std::string>;

TEST(HfPreTokenizer, SplitBehavioursAsDocumented) {
  // The SplitDelimiterBehavior documentation of Hugging Face's tokenizers: splitting
  // "the-final--countdown" on '-'.
  auto split = [](const char* behavior, bool regex) {
    std::string pattern = regex ? R"({"Regex": "-"})" : R"({"String": "-"})";
    return Toy(std::string(R"({"type": "Split", "pattern": )") + pattern + R"(, "behavior": ")" +
               behavior + R"(", "invert": false})");
  };
  for (bool regex : {false, true}) {
    EXPECT_EQ(Words(split("Removed", regex), "the-final--countdown"),
              (V{"the", "final", "countdown"}));
    EXPECT_EQ(Words(split("Isolated", regex), "the-final--countdown"),
              (V{"the", "-", "final", "-", "-", "countdown"}));
    EXPECT_EQ(Words(split("MergedWithPrevious", regex), "the-final--countdown"),
              (V{"the-", "final-", "-", "countdown"}));
    EXPECT_EQ(Words(split("MergedWithNext", regex), "the-final--countdown"),
              (V{"the", "-final", "-", "-countdown"}));
    EXPECT_EQ(Words(split("Contiguous", regex), "the-final--countdown"),
              (V{"the", "-", "final", "--", "countdown"}));
  }
}

TEST(HfPreTokenizer, DigitsAsDocumented) {
  // Hugging Face's Digits documentation: "Call 123 please".
  EXPECT_EQ(Words(Toy(R"({"type": "Digits", "individual_digits": false})"), "Call 123 please"),
            (V{"Call ", "123", " please"}));
  EXPECT_EQ(Words(Toy(R"({"type": "Digits", "individual_digits": true})"), "Call 123 please"),
            (V{"Call ", "1", "2", "3", " please"}));
}

TEST(HfPreTokenizer, MetaspaceAndByteLevelAsDocumented) {
  // Metaspace documentation example: "Hey friend!" -> "▁Hey", "▁friend!".
  EXPECT_EQ(Words(Toy(R"({"type": "Metaspace", "replacement": "\u2581",
                          "prepend_scheme": "always", "split": true})"),
                  "Hey friend!"),
            (V{"\xE2\x96\x81Hey",
               "\xE2\x96\x81"
               "friend!"}));
  // ByteLevel documentation example (shown there in the byte alphabet, where Ġ is a space).
  EXPECT_EQ(Words(Toy(R"({"type": "ByteLevel", "add_prefix_space": true, "use_regex": true})"),
                  "Hello my friend, how are you?"),
            (V{" Hello", " my", " friend", ",", " how", " are", " you", "?"}));
  // WhitespaceSplit drops whitespace.
  EXPECT_EQ(Words(Toy(R"({"type": "WhitespaceSplit"})"), " a  b\tc\n"), (V{"a", "b", "c"}));
}

TEST(HfPreTokenizer, NormalizersCompose) {
  std::string seq = R"({"type": "Sequence", "normalizers": [
      {"type": "NFKC"}, {"type": "Lowercase"},
      {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "},
      {"type": "Prepend", "prepend": ">"}, {"type": "Strip", "strip_left": false,
       "strip_right": true}]})";
  // NFKC turns U+FB01 into "fi" and U+2460 into "1"; Lowercase folds; whitespace runs become
  // one space; Prepend adds '>'; Strip removes the trailing space.
  EXPECT_EQ(Words(Toy("null", seq), "\xEF\xAC\x81NE\t\t\xE2\x91\xA0  "), (V{">fine 1"}));
}

// ---- Added token options (Hugging Face's documented semantics) ----

std::string AddedToy(const std::string& options) {
  // No pre-tokenizer, so spaces reach the model; a space is not in the vocabulary and becomes
  // the unknown token (id 4).
  return R"({"version": "1.0", "added_tokens": [{"id": 3, "content": "<m>", "special": true, )" +
         options + R"(}], "normalizer": null, "pre_tokenizer": null,
  "post_processor": null, "decoder": null,
  "model": {"type": "BPE", "unk_token": "<unk>",
            "vocab": {"a": 0, "b": 1, "ab": 2, "<unk>": 4}, "merges": ["a b"]}})";
}

std::vector<TokenId> Ids(const std::string& json, const std::string& text) {
  auto tok = HfTokenizer::FromJson(json);
  EXPECT_TRUE(tok.ok()) << tok.status();
  if (!tok.ok()) return {};
  auto ids = (*tok)->Encode(text, {});
  EXPECT_TRUE(ids.ok()) << ids.status();
  return ids.ok() ? *ids : std::vector<TokenId>{};
}

using Idv = std::vector<TokenId>;

TEST(HfAddedTokens, StripAndSingleWord) {
  const std::string plain = R"("lstrip": false, "rstrip": false, "single_word": false)";
  EXPECT_EQ(Ids(AddedToy(plain), "ab<m>ab"), (Idv{2, 3, 2}));
  EXPECT_EQ(Ids(AddedToy(plain), "a <m> b"), (Idv{0, 4, 3, 4, 1}));
  // single_word: the token matches only where no word character touches it.
  const std::string single = R"("lstrip": false, "rstrip": false, "single_word": true)";
  EXPECT_EQ(Ids(AddedToy(single), "ab <m> ab"), (Idv{2, 4, 3, 4, 2}));
  Idv glued = Ids(AddedToy(single), "ab<m>ab");
  EXPECT_EQ(std::count(glued.begin(), glued.end(), 3u), 0) << "matched inside a word";
  // lstrip / rstrip: the whitespace on that side becomes part of the added token.
  const std::string strip = R"("lstrip": true, "rstrip": true, "single_word": false)";
  EXPECT_EQ(Ids(AddedToy(strip), "a   <m>   b"), (Idv{0, 3, 1}));
  const std::string left = R"("lstrip": true, "rstrip": false, "single_word": false)";
  EXPECT_EQ(Ids(AddedToy(left), "a <m> b"), (Idv{0, 3, 4, 1}));
}

TEST(HfModel, MergesInBothFormsAndByteFallback) {
  // Merge priority is the index in `merges`, not the token id: here "bc" (id 3) is merged
  // before "ab" (id 4) because it comes first in the list, so "abc" -> "a" "bc".
  auto json = [](const std::string& merges) {
    return R"({"added_tokens": [], "normalizer": null, "pre_tokenizer": null,
      "post_processor": null, "decoder": null, "model": {"type": "BPE", "byte_fallback": true,
      "vocab": {"a": 0, "b": 1, "c": 2, "bc": 3, "ab": 4, "<0xC3>": 5, "<0xA9>": 6},
      "merges": )" +
           merges + "}}";
  };
  EXPECT_EQ(Ids(json(R"(["b c", "a b"])"), "abc"), (std::vector<TokenId>{0, 3}));
  EXPECT_EQ(Ids(json(R"([["b", "c"], ["a", "b"]])"), "abc"), (std::vector<TokenId>{0, 3}));
  EXPECT_EQ(Ids(json(R"(["a b", "b c"])"), "abc"), (std::vector<TokenId>{4, 2}));
  // "é" (C3 A9) is not in the vocabulary: its bytes' <0xNN> tokens stand in.
  EXPECT_EQ(Ids(json(R"(["a b"])"), "a\xC3\xA9"), (std::vector<TokenId>{0, 5, 6}));
}

}  // namespace
}  // namespace tokwise
