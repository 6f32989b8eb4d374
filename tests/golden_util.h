// Reading the golden id files of shared/data/oracle (format in that folder's README).
#ifndef TOKWISE_TESTS_GOLDEN_UTIL_H_
#define TOKWISE_TESTS_GOLDEN_UTIL_H_

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <vector>

#include "test_util.h"
#include "tokwise/encoding.h"

namespace tokwise::testing {

struct GoldenCase {
  std::string doc;   // "corpus/<file>".
  int line = 0;      // 1-based for .lines.jsonl, 0 for whole documents.
  std::string text;  // The line's text (lines only; documents are read from the corpus).
  bool lossy = false;
  std::vector<TokenId> ids;
};

// Reads oracle/<name>.docs.jsonl (lines = false) or .lines.jsonl (lines = true).
inline std::vector<GoldenCase> ReadGolden(const std::string& name, bool lines) {
  std::vector<GoldenCase> out;
  simdjson::dom::parser parser;
  simdjson::dom::document_stream stream;
  const std::string path = SharedData("oracle/" + name + (lines ? ".lines.jsonl" : ".docs.jsonl"));
  auto error = parser.load_many(path).get(stream);
  if (error) {
    ADD_FAILURE() << "cannot read " << path << ": " << simdjson::error_message(error);
    return out;
  }
  for (auto item : stream) {
    simdjson::dom::element e;
    if (item.get(e)) {
      ADD_FAILURE() << path << ": malformed line";
      break;
    }
    GoldenCase c;
    c.doc = std::string(std::string_view(e["doc"]));
    if (lines) {
      c.line = static_cast<int>(int64_t(e["line"]));
      c.text = std::string(std::string_view(e["text"]));
    } else {
      bool lossy = false;
      if (!e["lossy_utf8"].get(lossy)) c.lossy = lossy;
    }
    for (uint64_t id : e["ids"].get_array()) c.ids.push_back(static_cast<TokenId>(id));
    out.push_back(std::move(c));
  }
  return out;
}

// Compares ids; on a difference reports the first position with a little context.
inline ::testing::AssertionResult SameIds(const std::vector<TokenId>& want,
                                          const std::vector<TokenId>& got) {
  if (want == got) return ::testing::AssertionSuccess();
  size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  auto around = [i](const std::vector<TokenId>& v) {
    std::string s;
    for (size_t k = i >= 3 ? i - 3 : 0; k < v.size() && k < i + 4; ++k) {
      s += (k == i ? "[" : "") + std::to_string(v[k]) + (k == i ? "] " : " ");
    }
    return s;
  };
  return ::testing::AssertionFailure()
         << "first difference at token " << i << ": want ..." << around(want) << "... got ..."
         << around(got) << "...; lengths " << want.size() << " vs " << got.size();
}

}  // namespace tokwise::testing

#endif  // TOKWISE_TESTS_GOLDEN_UTIL_H_
