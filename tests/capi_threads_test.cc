// The C ABI from many threads at once, through the shared library: one encoding handle shared
// by every thread (counts and ids checked against tiktoken's golden files), thread-local error
// state that never leaks between threads, chat counting through shared options and a shared
// message cache, and one ledger whose limit concurrent pre-flights never exceed. Also compiles
// tokwise.h as C++.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tokwise/tokwise.h"

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

struct Doc {
  std::string text;
  size_t golden_count = 0;
  std::vector<uint32_t> golden_ids;
};

// Reads the golden ids of one corpus document from an oracle .docs.jsonl file.
Doc LoadDoc(const std::string& encoding, const std::string& name) {
  const std::string data = TOKWISE_SHARED_DATA;
  Doc d;
  d.text = ReadFile(data + "/corpus/" + name);
  std::ifstream oracle(data + "/oracle/" + encoding + ".docs.jsonl");
  const std::string key = "\"doc\":\"corpus/" + name + "\"";
  for (std::string line; std::getline(oracle, line);) {
    if (line.find(key) == std::string::npos) continue;
    std::smatch m;
    if (std::regex_search(line, m, std::regex("\"n_tokens\":([0-9]+)"))) {
      d.golden_count = std::stoul(m[1]);
    }
    const size_t ids = line.find("\"ids\":[");
    std::istringstream in(line.substr(ids + 7));
    for (uint32_t id; in >> id;) {
      d.golden_ids.push_back(id);
      if (in.peek() == ',') in.get();
    }
  }
  return d;
}

TEST(CapiThreads, SharedEncodingGivesGoldenResults) {
  tokwise_encoding* enc = nullptr;
  ASSERT_EQ(tokwise_encoding_get("o200k_base", &enc), TOKWISE_STATUS_OK);
  const std::vector<Doc> docs = {
      LoadDoc("o200k_base", "en_gpl3.txt"), LoadDoc("o200k_base", "udhr_hin.txt"),
      LoadDoc("o200k_base", "code_go_strings.go"), LoadDoc("o200k_base", "zh_tang300.txt")};
  for (const Doc& d : docs) {
    ASSERT_GT(d.golden_count, 0u);
    ASSERT_EQ(d.golden_ids.size(), d.golden_count);
  }

  constexpr int kThreads = 8;
  constexpr int kRounds = 6;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<uint32_t> ids;
      for (int r = 0; r < kRounds; ++r) {
        const Doc& d = docs[(t + r) % docs.size()];
        size_t n = 0;
        if (tokwise_encoding_count(enc, d.text.data(), d.text.size(), nullptr, &n) !=
                TOKWISE_STATUS_OK ||
            n != d.golden_count) {
          ++mismatches;
        }
        ids.resize(tokwise_encode_bound(d.text.size(), nullptr));
        size_t n_ids = 0;
        tokwise_options* opts = nullptr;
        tokwise_options_create(&opts);
        tokwise_options_set_special(opts, TOKWISE_SPECIAL_AS_TEXT);  // as the goldens
        if (tokwise_encoding_encode(enc, d.text.data(), d.text.size(), opts, ids.data(), ids.size(),
                                    &n_ids) != TOKWISE_STATUS_OK ||
            !std::equal(ids.begin(), ids.begin() + n_ids, d.golden_ids.begin(),
                        d.golden_ids.end())) {
          ++mismatches;
        }
        tokwise_options_free(opts);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
  tokwise_encoding_free(enc);
}

TEST(CapiThreads, LastErrorIsPerThread) {
  tokwise_encoding* enc = nullptr;
  ASSERT_EQ(tokwise_encoding_get("cl100k_base", &enc), TOKWISE_STATUS_OK);
  constexpr int kThreads = 8;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread's bad byte sits at its own offset: t + 1.
      std::string text(static_cast<size_t>(t) + 1, 'a');
      text += '\xff';
      const std::string want = "byte offset " + std::to_string(t + 1);
      for (int i = 0; i < 2000; ++i) {
        size_t n = 0;
        if (tokwise_encoding_count(enc, text.data(), text.size(), nullptr, &n) !=
            TOKWISE_STATUS_INVALID_UTF8) {
          ++wrong;
        }
        // Other threads fail meanwhile; this thread's error state must stay its own.
        std::this_thread::yield();
        if (tokwise_last_error_byte_offset() != t + 1 ||
            std::strstr(tokwise_last_error(), want.c_str()) == nullptr) {
          ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  tokwise_encoding_free(enc);
}

TEST(CapiThreads, BatchOnManyThreadsMatchesSequential) {
  tokwise_encoding* enc = nullptr;
  ASSERT_EQ(tokwise_encoding_get("cl100k_base", &enc), TOKWISE_STATUS_OK);
  const Doc d = LoadDoc("cl100k_base", "code_go_strings.go");
  // The document split into lines: many texts of uneven size.
  std::vector<std::string> lines;
  std::istringstream in(d.text);
  for (std::string line; std::getline(in, line);) lines.push_back(line + "\n");
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& l : lines) {
    ptrs.push_back(l.data());
    lens.push_back(l.size());
  }
  std::vector<size_t> one(lines.size()), four(lines.size());
  ASSERT_EQ(tokwise_encoding_count_batch(enc, ptrs.data(), lens.data(), lines.size(), 1, nullptr,
                                         one.data()),
            TOKWISE_STATUS_OK);
  ASSERT_EQ(tokwise_encoding_count_batch(enc, ptrs.data(), lens.data(), lines.size(), 4, nullptr,
                                         four.data()),
            TOKWISE_STATUS_OK);
  EXPECT_EQ(one, four);
  for (size_t i = 0; i < lines.size(); ++i) {
    size_t n = 0;
    ASSERT_EQ(tokwise_encoding_count(enc, ptrs[i], lens[i], nullptr, &n), TOKWISE_STATUS_OK);
    EXPECT_EQ(n, one[i]) << "line " << i;
  }
  tokwise_encoding_free(enc);
}

// The cookbook's six messages: 124 prompt tokens on gpt-4o (verified against the API in
// OpenAI's "How to count tokens with tiktoken"), from every thread, through one cache.
TEST(CapiThreads, ChatCountsThroughASharedCache) {
  const std::string body =
      ReadFile(std::string(TOKWISE_TEST_DATA) + "/chat/cookbook_six_messages.json");
  tokwise_chat_options* options = nullptr;
  tokwise_chat_cache* cache = nullptr;
  ASSERT_EQ(tokwise_chat_options_create(&options), TOKWISE_STATUS_OK);
  ASSERT_EQ(tokwise_chat_cache_create(64, &cache), TOKWISE_STATUS_OK);
  ASSERT_EQ(tokwise_chat_options_set_cache(options, cache), TOKWISE_STATUS_OK);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        tokwise_chat_count* c = nullptr;
        if (tokwise_chat_count_request(body.data(), body.size(), options, &c) !=
                TOKWISE_STATUS_OK ||
            tokwise_chat_count_total(c) != 124) {
          ++wrong;
        }
        tokwise_chat_count_free(c);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  // 400 requests of 6 messages: after the first few, every message is a hit.
  EXPECT_GT(tokwise_chat_cache_hits(cache), 2000u);
  tokwise_chat_cache_free(cache);
  tokwise_chat_options_free(options);
}

// Check and reserve is one atomic step: 8 threads racing for a limit of 25 requests a day get
// exactly 25 admissions, and committing them charges exactly 25 calls.
TEST(CapiThreads, ConcurrentPreflightsNeverExceedALimit) {
  static const char kBudgets[] = R"({"budgets": [{"scope": "team:*", "requests_per_day": 25}]})";
  tokwise_ledger* ledger = nullptr;
  ASSERT_EQ(tokwise_ledger_open(kBudgets, sizeof kBudgets - 1, nullptr, &ledger),
            TOKWISE_STATUS_OK);
  std::atomic<int> admitted{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      tokwise_preflight_request* req = nullptr;
      tokwise_usage* usage = nullptr;
      if (tokwise_preflight_request_create(&req) != TOKWISE_STATUS_OK ||
          tokwise_usage_create(&usage) != TOKWISE_STATUS_OK) {
        ++errors;
        return;
      }
      tokwise_preflight_request_set_model(req, "gpt-4o");
      tokwise_preflight_request_set_input_tokens(req, 100);
      tokwise_preflight_request_set_max_output_tokens(req, 10);
      tokwise_preflight_request_add_scope(req, "team:search");
      tokwise_usage_set(usage, TOKWISE_BUCKET_UNCACHED_INPUT, 100);
      tokwise_usage_set(usage, TOKWISE_BUCKET_OUTPUT, 10);
      for (int i = 0; i < 20; ++i) {
        tokwise_decision* d = nullptr;
        if (tokwise_ledger_preflight(ledger, req, &d) != TOKWISE_STATUS_OK) {
          ++errors;
          continue;
        }
        if (tokwise_decision_allowed(d)) {
          ++admitted;
          if (tokwise_ledger_commit(ledger, tokwise_decision_reservation(d), usage, nullptr,
                                    nullptr) != TOKWISE_STATUS_OK) {
            ++errors;
          }
        }
        tokwise_decision_free(d);
      }
      tokwise_usage_free(usage);
      tokwise_preflight_request_free(req);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(admitted.load(), 25);
  int64_t used = -1, reserved = -1;
  ASSERT_EQ(tokwise_ledger_scope_usage(ledger, "team:search", TOKWISE_WINDOW_DAY,
                                       TOKWISE_METRIC_REQUESTS, &used, &reserved),
            TOKWISE_STATUS_OK);
  EXPECT_EQ(used, 25);
  EXPECT_EQ(reserved, 0);
  tokwise_ledger_free(ledger);
}

}  // namespace
