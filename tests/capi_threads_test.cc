// The C ABI from many threads at once, through the shared library: one encoding handle shared
// by every thread (counts and ids checked against tiktoken's golden files), and thread-local
// error state that never leaks between threads. Also compiles tokwise.h as C++.
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

}  // namespace
