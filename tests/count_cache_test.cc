// TokenCountCache: counts through the cache equal the reference counts of real agent-trace
// messages (oracle/traces_message_counts.jsonl, made with OpenAI's tiktoken), hits are hits,
// the cache stays bounded, errors are not cached, and the hash separates near-identical texts.
#include "tokwise/count_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "simdjson.h"
#include "test_util.h"
#include "tokwise/encoding.h"

namespace tokwise {
namespace {

struct OracleMessage {
  std::string text;
  size_t o200k = 0;
  size_t cl100k = 0;
};

// Loads every message of the oracle file with its text from the trace it names.
std::vector<OracleMessage> LoadOracleMessages() {
  std::vector<OracleMessage> out;
  simdjson::dom::parser line_parser;
  std::map<std::string, std::string> traces;
  std::istringstream lines(
      testing::ReadFile(testing::SharedData("oracle/traces_message_counts.jsonl")));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    simdjson::dom::element e = line_parser.parse(line);
    const std::string trace{std::string_view(e["trace"])};
    const std::string path{std::string_view(e["path"])};
    if (!traces.count(trace)) traces[trace] = testing::ReadFile(testing::SharedData(trace));
    // Paths are "$[i]" or "$.history[i]".
    simdjson::dom::parser p;
    simdjson::dom::element doc = p.parse(traces[trace]);
    const size_t open = path.find('[');
    const size_t index = std::stoul(path.substr(open + 1));
    simdjson::dom::array arr = open == 1 ? doc.get_array() : doc["history"].get_array();
    OracleMessage m;
    m.text = std::string(std::string_view(arr.at(index)["content"]));
    m.o200k = uint64_t(e["n_tokens_o200k_base"]);
    m.cl100k = uint64_t(e["n_tokens_cl100k_base"]);
    out.push_back(std::move(m));
  }
  return out;
}

const std::vector<OracleMessage>& Messages() {
  static const std::vector<OracleMessage>* m = new std::vector<OracleMessage>(LoadOracleMessages());
  return *m;
}

TEST(TokenCountCache, CountsEqualTheReferenceCountsOfRealTraceMessages) {
  const auto& msgs = Messages();
  ASSERT_EQ(msgs.size(), 101u);
  auto o200k = *Encoding::Get("o200k_base");
  auto cl100k = *Encoding::Get("cl100k_base");
  TokenCountCache cache(1 << 12);
  // Twice: first through misses, then through hits; both encodings in one cache.
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = 0; i < msgs.size(); ++i) {
      ASSERT_EQ(*cache.Count(*o200k, msgs[i].text), msgs[i].o200k) << "message " << i;
      ASSERT_EQ(*cache.Count(*cl100k, msgs[i].text), msgs[i].cl100k) << "message " << i;
    }
  }
  const auto s = cache.stats();
  // Some trace messages repeat word for word (agents re-send the same observation), so the
  // first pass already has a few hits: distinct (text, encoding) pairs are the misses.
  std::set<std::string> distinct;
  for (const auto& m : msgs) distinct.insert(m.text);
  EXPECT_EQ(s.misses, 2 * distinct.size());
  EXPECT_EQ(s.hits + s.misses, 4 * msgs.size());
  EXPECT_EQ(s.entries, 2 * distinct.size());
}

TEST(TokenCountCache, CountAllSumsAndNamesTheFailingText) {
  const auto& msgs = Messages();
  auto enc = *Encoding::Get("o200k_base");
  TokenCountCache cache;
  std::vector<std::string_view> texts;
  size_t want = 0;
  for (size_t i = 0; i < 50; ++i) {
    texts.push_back(msgs[i].text);
    want += msgs[i].o200k;
  }
  EXPECT_EQ(*cache.CountAll(*enc, texts), want);
  EXPECT_EQ(*cache.CountAll(*enc, texts), want);
  const std::string bad = "ok \xFF no";
  texts.push_back(bad);
  auto r = cache.CountAll(*enc, texts);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("text 50"), std::string::npos) << r.status();
  // Errors are not remembered: the same bad text fails again (and misses again).
  const uint64_t misses = cache.stats().misses;
  EXPECT_FALSE(cache.Count(*enc, bad).ok());
  EXPECT_EQ(cache.stats().misses, misses + 1);
}

TEST(TokenCountCache, CountingOptionsAreKeptApart) {
  auto enc = *Encoding::Get("o200k_base");
  TokenCountCache cache;
  const std::string text = "a<|endoftext|>b";
  CountOptions as_text;
  CountOptions recognize;
  recognize.special = SpecialPolicy::kRecognize;
  const size_t a = *cache.Count(*enc, text, as_text);
  const size_t b = *cache.Count(*enc, text, recognize);
  EXPECT_EQ(a, *enc->Count(text, as_text));
  EXPECT_EQ(b, *enc->Count(text, recognize));
  EXPECT_NE(a, b);
  EXPECT_EQ(*cache.Count(*enc, text, as_text), a);
  EXPECT_EQ(*cache.Count(*enc, text, recognize), b);
}

TEST(TokenCountCache, StaysBoundedAndStillCorrect) {
  auto enc = *Encoding::Get("cl100k_base");
  TokenCountCache cache(256);
  for (int i = 0; i < 5000; ++i) {
    const std::string t = "message number " + std::to_string(i) + " says hello";
    ASSERT_EQ(*cache.Count(*enc, t), *enc->Count(t));
    ASSERT_LE(cache.stats().entries, 256u);
  }
  // A text in constant use survives the churn (it keeps moving to the young generation).
  const std::string hot = "the system prompt, sent on every step";
  ASSERT_TRUE(cache.Count(*enc, hot).ok());
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(cache.Count(*enc, "churn " + std::to_string(i)).ok());
    const uint64_t hits = cache.stats().hits;
    ASSERT_TRUE(cache.Count(*enc, hot).ok());
    ASSERT_EQ(cache.stats().hits, hits + 1) << i;
  }
  cache.Clear();
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST(TokenCountCache, GenericTokenizersAreKeyedByTheirName) {
  TokenCountCache cache;
  int calls = 0;
  auto words = [&](std::string_view t) -> absl::StatusOr<size_t> {
    ++calls;
    return static_cast<size_t>(std::count(t.begin(), t.end(), ' ') + 1);
  };
  auto chars = [&](std::string_view t) -> absl::StatusOr<size_t> {
    ++calls;
    return t.size();
  };
  EXPECT_EQ(*cache.GetOrCount("words", "a b c", words), 3u);
  EXPECT_EQ(*cache.GetOrCount("chars", "a b c", chars), 5u);
  EXPECT_EQ(*cache.GetOrCount("words", "a b c", words), 3u);
  EXPECT_EQ(*cache.GetOrCount("chars", "a b c", chars), 5u);
  EXPECT_EQ(calls, 2);
}

TEST(TokenCountCache, SharedAcrossThreads) {
  const auto& msgs = Messages();
  auto enc = *Encoding::Get("o200k_base");
  TokenCountCache cache(1 << 10);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (size_t i = 0; i < msgs.size(); ++i) {
          const size_t k = (i * 7 + t) % msgs.size();
          if (*cache.Count(*enc, msgs[k].text) != msgs[k].o200k) wrong.fetch_add(1);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(ContentHash128, SeparatesNearIdenticalTexts) {
  std::mt19937_64 rng(12345);
  std::set<std::pair<uint64_t, uint64_t>> seen;
  const uint64_t seed = rng();
  // Texts that naive hashes confuse: zero padding, prefixes, single-bit flips, swaps of
  // 8-byte words, at every length around the 16-byte block size.
  std::vector<std::string> texts = {"", std::string(1, '\0'), std::string(2, '\0'),
                                    std::string(16, '\0'), std::string(17, '\0')};
  for (int len = 0; len < 70; ++len) {
    std::string base(len, 'a');
    for (int i = 0; i < len; ++i) base[i] = static_cast<char>(rng());
    texts.push_back(base);
    for (int bit = 0; bit < 8 * len; bit += 5) {
      std::string t = base;
      t[bit / 8] ^= static_cast<char>(1 << (bit % 8));
      texts.push_back(t);
    }
    if (len >= 16) {
      std::string t = base;
      std::swap_ranges(t.begin(), t.begin() + 8, t.begin() + 8);
      texts.push_back(t);
    }
  }
  std::set<std::string> unique(texts.begin(), texts.end());
  for (const std::string& t : unique) {
    auto h = ContentHash128(t, seed);
    EXPECT_TRUE(seen.insert(h).second) << "collision at length " << t.size();
    // Both halves move: the low halves alone are distinct too.
  }
  std::set<uint64_t> lows, highs;
  for (const auto& h : seen) {
    lows.insert(h.first);
    highs.insert(h.second);
  }
  EXPECT_EQ(lows.size(), seen.size());
  EXPECT_EQ(highs.size(), seen.size());
  // A different seed gives different hashes for the same text.
  EXPECT_NE(ContentHash128("hello", 1), ContentHash128("hello", 2));
  EXPECT_EQ(ContentHash128("hello", 1), ContentHash128("hello", 1));
}

}  // namespace
}  // namespace tokwise
