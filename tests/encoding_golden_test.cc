// Golden test: token ids identical to the official tiktoken core on every corpus document
// and on each line of the per-line documents, for o200k_base, cl100k_base, p50k_base and
// r50k_base. The goldens in shared/data/oracle were made by npm tiktoken@1.0.22 (OpenAI's
// Rust core compiled to WebAssembly); see that folder's README.
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "test_util.h"
#include "tokwise/encoding.h"

namespace tokwise {
namespace {

using testing::ReadFile;
using testing::SharedData;

std::shared_ptr<const Encoding> Open(const std::string& name) {
  if (name == "o200k_base" || name == "cl100k_base") return *Encoding::Get(name);
  auto spec = KnownEncodingSpec(name);
  EXPECT_TRUE(spec.ok());
  auto enc = Encoding::FromTiktokenFile(SharedData("vocab/" + name + ".tiktoken"), *spec);
  EXPECT_TRUE(enc.ok()) << enc.status();
  return *enc;
}

// Compares ids and reports the first difference with its position.
void ExpectSameIds(const std::vector<TokenId>& want, const std::vector<TokenId>& got,
                   const std::string& what) {
  if (want == got) return;
  size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  ADD_FAILURE() << what << ": first difference at token " << i << " (want "
                << (i < want.size() ? std::to_string(want[i]) : "end") << ", got "
                << (i < got.size() ? std::to_string(got[i]) : "end") << "); lengths "
                << want.size() << " vs " << got.size();
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, EveryCorpusDocument) {
  const std::string name = GetParam();
  auto enc = Open(name);
  ASSERT_NE(enc, nullptr);
  simdjson::ondemand::parser parser;
  simdjson::padded_string golden =
      simdjson::padded_string::load(SharedData("oracle/" + name + ".docs.jsonl"));
  simdjson::ondemand::document_stream docs = parser.iterate_many(golden);
  size_t n_docs = 0, n_tokens = 0;
  for (auto doc_result : docs) {
    simdjson::ondemand::document_reference doc = doc_result.value();
    std::string path = std::string(std::string_view(doc["doc"]));
    bool lossy = bool(doc["lossy_utf8"]);
    std::vector<TokenId> want;
    for (uint64_t id : doc["ids"].get_array()) want.push_back(static_cast<TokenId>(id));
    std::string text = ReadFile(SharedData(path));
    auto got = enc->EncodeOrdinary(text, lossy ? InvalidUtf8::kReplace : InvalidUtf8::kReject);
    ASSERT_TRUE(got.ok()) << path << ": " << got.status();
    ExpectSameIds(want, *got, name + " " + path);
    auto count = enc->Count(
        text, CountOptions{SpecialPolicy::kAsText,
                           lossy ? InvalidUtf8::kReplace : InvalidUtf8::kReject, {}});
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, want.size()) << path;
    if (!lossy) {
      auto back = enc->Decode(*got);
      ASSERT_TRUE(back.ok());
      EXPECT_EQ(*back, text) << "decode(encode(x)) != x for " << path;
    }
    ++n_docs;
    n_tokens += want.size();
  }
  EXPECT_GT(n_docs, 50u);
  std::printf("[golden] %s: %zu documents, %zu tokens compared\n", name.c_str(), n_docs, n_tokens);
}

TEST_P(GoldenTest, EveryLineOfTheLineDocuments) {
  const std::string name = GetParam();
  auto enc = Open(name);
  ASSERT_NE(enc, nullptr);
  simdjson::ondemand::parser parser;
  simdjson::padded_string golden =
      simdjson::padded_string::load(SharedData("oracle/" + name + ".lines.jsonl"));
  size_t n_lines = 0, n_tokens = 0;
  simdjson::ondemand::document_stream docs = parser.iterate_many(golden);
  for (auto doc_result : docs) {
    simdjson::ondemand::document_reference doc = doc_result.value();
    std::string text = std::string(std::string_view(doc["text"]));
    std::vector<TokenId> want;
    for (uint64_t id : doc["ids"].get_array()) want.push_back(static_cast<TokenId>(id));
    auto got = enc->EncodeOrdinary(text);
    ASSERT_TRUE(got.ok()) << got.status();
    ExpectSameIds(want, *got, name + " line: " + text.substr(0, 60));
    ++n_lines;
    n_tokens += want.size();
  }
  EXPECT_GT(n_lines, 100u);
  std::printf("[golden] %s: %zu lines, %zu tokens compared\n", name.c_str(), n_lines, n_tokens);
}

INSTANTIATE_TEST_SUITE_P(Tiktoken, GoldenTest,
                         ::testing::Values("o200k_base", "cl100k_base", "p50k_base", "r50k_base"));

}  // namespace
}  // namespace tokwise

namespace tokwise {
namespace {

uint64_t Fnv1a64OfIds(const std::vector<TokenId>& ids) {
  std::string joined;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) joined.push_back(',');
    joined += std::to_string(ids[i]);
  }
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : joined) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

// Adversarial cases (tests/data/tiktoken_adversarial_cases.json), goldens made by the
// official tiktoken core with tests/data/gen_tiktoken_goldens.js.
TEST(AdversarialGolden, MatchesOfficialTiktoken) {
  simdjson::ondemand::parser case_parser;
  simdjson::padded_string cases_json =
      simdjson::padded_string::load(testing::TestData("tiktoken_adversarial_cases.json"));
  simdjson::ondemand::document cases_doc = case_parser.iterate(cases_json);
  std::map<std::string, std::string> text_of;
  std::map<std::string, bool> special_of;
  for (auto c : cases_doc["cases"].get_array()) {
    std::string name = std::string(std::string_view(c["name"]));
    std::string text;
    auto t = c["text"];
    if (t.error() == simdjson::SUCCESS) {
      text = std::string(std::string_view(t));
    } else {
      std::string unit = std::string(std::string_view(c["repeat"]));
      uint64_t times = c["times"];
      for (uint64_t i = 0; i < times; ++i) text += unit;
    }
    text_of[name] = text;
  }

  simdjson::ondemand::parser parser;
  simdjson::padded_string golden =
      simdjson::padded_string::load(testing::TestData("tiktoken_adversarial.jsonl"));
  simdjson::ondemand::document_stream docs = parser.iterate_many(golden);
  std::map<std::string, std::shared_ptr<const Encoding>> encs;
  size_t n = 0;
  for (auto doc_result : docs) {
    simdjson::ondemand::document_reference doc = doc_result.value();
    std::string name = std::string(std::string_view(doc["name"]));
    std::string encoding = std::string(std::string_view(doc["encoding"]));
    std::string mode = std::string(std::string_view(doc["mode"]));
    uint64_t n_tokens = doc["n_tokens"];
    if (!encs.count(encoding)) encs[encoding] = Open(encoding);
    const std::string& text = text_of.at(name);
    EncodeOptions options;
    options.special = mode == "all" ? SpecialPolicy::kRecognize : SpecialPolicy::kAsText;
    auto got = encs[encoding]->Encode(text, options);
    ASSERT_TRUE(got.ok()) << name << ": " << got.status();
    EXPECT_EQ(got->size(), n_tokens) << encoding << " " << name << " " << mode;
    auto ids = doc["ids"];
    if (ids.error() == simdjson::SUCCESS) {
      std::vector<TokenId> want;
      for (uint64_t id : ids.get_array()) want.push_back(static_cast<TokenId>(id));
      ExpectSameIds(want, *got, encoding + " " + name + " " + mode);
    } else {
      std::string want_fnv = std::string(std::string_view(doc["ids_fnv"]));
      char buf[17];
      std::snprintf(buf, sizeof buf, "%016llx",
                    static_cast<unsigned long long>(Fnv1a64OfIds(*got)));
      EXPECT_EQ(want_fnv, buf) << encoding << " " << name;
    }
    ++n;
  }
  EXPECT_EQ(n, 204u);
  std::printf("[golden] adversarial: %zu cases compared\n", n);
}

}  // namespace
}  // namespace tokwise
