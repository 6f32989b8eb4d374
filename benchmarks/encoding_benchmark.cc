// Encoding benchmarks: count and encode throughput on the shared corpus, by kind of text,
// for o200k_base and cl100k_base; the time to make an embedded encoding ready; short strings;
// the worst-case inputs of the speed issue; the incremental counter on long runs and streams.
//
//   build/benchmarks/encoding_benchmark --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "encoding/vocab.h"
#include "encoding/embedded.h"
#include "tokwise/encoding.h"

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// Corpus files by kind: prefix of the file name in shared/data/corpus.
const std::string& Corpus(const std::string& kind) {
  static std::map<std::string, std::string>* cache = new std::map<std::string, std::string>();
  auto it = cache->find(kind);
  if (it != cache->end()) return it->second;
  std::string dir = std::string(TOKWISE_SHARED_DATA) + "/corpus";
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) names.push_back(e->d_name);
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  std::string text;
  for (const std::string& n : names) {
    bool match = false;
    if (kind == "english") match = n.rfind("en_", 0) == 0;
    if (kind == "code") match = n.rfind("code_", 0) == 0;
    if (kind == "multilingual") {
      match = n.rfind("udhr_", 0) == 0 || n.rfind("ja_", 0) == 0 || n.rfind("zh_", 0) == 0 ||
              n.rfind("ru_", 0) == 0;
    }
    if (kind == "all") match = n != "utf8_stress_test_kuhn.txt" && n[0] != '.';
    if (match) text += ReadFile(dir + "/" + n);
  }
  return cache->emplace(kind, text).first->second;
}

void Run(benchmark::State& state, const char* encoding, const std::string& text, bool encode) {
  auto enc = *tokwise::Encoding::Get(encoding);
  size_t tokens = 0;
  for (auto _ : state) {
    if (encode) {
      auto ids = enc->EncodeOrdinary(text);
      tokens = ids->size();
      benchmark::DoNotOptimize(ids->data());
    } else {
      auto n = enc->Count(text);
      tokens = *n;
      benchmark::DoNotOptimize(tokens);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens * state.iterations()),
                                                  benchmark::Counter::kIsRate);
  state.counters["bytes"] = static_cast<double>(text.size());
}

void BM_Count(benchmark::State& state, const char* encoding, const char* kind) {
  Run(state, encoding, Corpus(kind), false);
}
void BM_Encode(benchmark::State& state, const char* encoding, const char* kind) {
  Run(state, encoding, Corpus(kind), true);
}

#define TOKWISE_CORPUS_BENCH(fn, enc, kind) \
  BENCHMARK_CAPTURE(fn, enc##_##kind, #enc, #kind)->Unit(benchmark::kMillisecond)
TOKWISE_CORPUS_BENCH(BM_Count, o200k_base, english);
TOKWISE_CORPUS_BENCH(BM_Count, o200k_base, code);
TOKWISE_CORPUS_BENCH(BM_Count, o200k_base, multilingual);
TOKWISE_CORPUS_BENCH(BM_Count, o200k_base, all);
TOKWISE_CORPUS_BENCH(BM_Count, cl100k_base, english);
TOKWISE_CORPUS_BENCH(BM_Count, cl100k_base, code);
TOKWISE_CORPUS_BENCH(BM_Count, cl100k_base, multilingual);
TOKWISE_CORPUS_BENCH(BM_Count, cl100k_base, all);
TOKWISE_CORPUS_BENCH(BM_Encode, o200k_base, english);
TOKWISE_CORPUS_BENCH(BM_Encode, o200k_base, code);
TOKWISE_CORPUS_BENCH(BM_Encode, o200k_base, multilingual);
TOKWISE_CORPUS_BENCH(BM_Encode, cl100k_base, english);
TOKWISE_CORPUS_BENCH(BM_Encode, cl100k_base, code);

// Worst cases: 1 MB of one repeated unit, and 1 MB of random base64 without whitespace.
std::string Repeat(const std::string& unit, size_t bytes) {
  std::string s;
  while (s.size() + unit.size() <= bytes) s += unit;
  return s;
}
std::string RandomBase64(size_t bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::mt19937_64 rng(42);
  std::string s(bytes, 'A');
  for (char& c : s) c = kAlphabet[rng() % 64];
  return s;
}
void BM_CountWorst(benchmark::State& state, const char* encoding, const char* which) {
  static std::map<std::string, std::string>* inputs = new std::map<std::string, std::string>{
      {"a", Repeat("a", 1 << 20)},
      {"base64", RandomBase64(1 << 20)},
      {"cjk", Repeat("\xE4\xB8\x80", 1 << 20)},  // U+4E00
      {"spaces", Repeat(" ", 1 << 20)},
      {"caret", Repeat("^", 1 << 20)},
      // Runs whose BPE does not start with the longest token: the long-piece search gives way
      // to the run encoder (EncodePeriodicRun).
      {"star", Repeat("*", 1 << 20)},
      {"comment", Repeat("/*", 1 << 20)},
  };
  Run(state, encoding, inputs->at(which), false);
}
#define TOKWISE_WORST(enc, which) \
  BENCHMARK_CAPTURE(BM_CountWorst, enc##_##which, #enc, #which)->Unit(benchmark::kMillisecond)
TOKWISE_WORST(o200k_base, a);
TOKWISE_WORST(o200k_base, base64);
TOKWISE_WORST(o200k_base, cjk);
TOKWISE_WORST(o200k_base, spaces);
TOKWISE_WORST(o200k_base, caret);
TOKWISE_WORST(o200k_base, star);
TOKWISE_WORST(o200k_base, comment);
TOKWISE_WORST(cl100k_base, a);
TOKWISE_WORST(cl100k_base, base64);
TOKWISE_WORST(cl100k_base, comment);

// The corpus in pieces of 16 kB, cut at character boundaries (every piece valid UTF-8).
const std::vector<std::string>& CorpusChunks() {
  static const std::vector<std::string>* chunks = [] {
    auto* v = new std::vector<std::string>();
    const std::string& all = Corpus("all");
    for (size_t off = 0; off < all.size(); off += 16384) {
      size_t end = std::min(all.size(), off + 16384);
      while (end < all.size() && (static_cast<uint8_t>(all[end]) & 0xC0) == 0x80) ++end;
      size_t begin = off;
      while (begin < all.size() && (static_cast<uint8_t>(all[begin]) & 0xC0) == 0x80) ++begin;
      if (begin < end) v->push_back(all.substr(begin, end - begin));
    }
    return v;
  }();
  return *chunks;
}

// Batch counting of the corpus chunks on 1 and 2 threads (target: >= 1.8x on 2 cores).
// Threads made for the call (Arg: thread count) or a caller-owned WorkerPool kept across
// calls (pool: 1), whose threads' caches stay warm as the calling thread's do.
void BM_CountBatch(benchmark::State& state) {
  const std::vector<std::string>& texts = CorpusChunks();
  std::vector<std::string_view> views(texts.begin(), texts.end());
  auto enc = *tokwise::Encoding::Get("o200k_base");
  const int threads = static_cast<int>(state.range(0));
  std::unique_ptr<tokwise::WorkerPool> pool;
  if (state.range(1) != 0) pool = std::make_unique<tokwise::WorkerPool>(threads);
  size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();
  for (auto _ : state) {
    auto counts = pool ? enc->CountBatch(views, *pool) : enc->CountBatch(views, threads);
    benchmark::DoNotOptimize(counts->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_CountBatch)
    ->ArgNames({"threads", "pool"})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A short string through the C++ API (target: <= 100 ns for 13 bytes).
void BM_CountShort(benchmark::State& state) {
  auto enc = *tokwise::Encoding::Get("o200k_base");
  const std::string text = "Hello, world!";
  for (auto _ : state) benchmark::DoNotOptimize(*enc->Count(text));
}
BENCHMARK(BM_CountShort);

// IncrementalCounter on one long unbroken run (Arg 0: bytes, 100 kB or 400 kB; Arg 1: bytes per
// Append) and on English text streamed in 1..64-byte appends. Appending costs O(bytes
// appended): time per byte is the same at both lengths (it used to grow with the run).
void BM_IncrementalRun(benchmark::State& state, const std::string& unit) {
  auto enc = *tokwise::Encoding::Get("o200k_base");
  std::string text;
  while (text.size() < static_cast<size_t>(state.range(0))) text += unit;
  const size_t chunk = static_cast<size_t>(state.range(1));
  for (auto _ : state) {
    tokwise::IncrementalCounter counter(enc);
    for (size_t at = 0; at < text.size(); at += chunk) {
      (void)counter.Append(std::string_view(text).substr(at, chunk));
    }
    benchmark::DoNotOptimize(counter.count());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK_CAPTURE(BM_IncrementalRun, letter, std::string("a"))
    ->ArgNames({"bytes", "append"})
    ->Args({100000, 16})
    ->Args({400000, 16})
    ->Args({400000, 1000})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_IncrementalRun, spaces, std::string(" "))
    ->ArgNames({"bytes", "append"})
    ->Args({100000, 16})
    ->Args({400000, 16})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_IncrementalRun, cjk, std::string("\xE4\xB8\x80"))
    ->ArgNames({"bytes", "append"})
    ->Args({100000, 16})
    ->Args({400000, 16})
    ->Unit(benchmark::kMillisecond);

void BM_IncrementalEnglish(benchmark::State& state) {
  auto enc = *tokwise::Encoding::Get("o200k_base");
  const std::string& text = Corpus("english");
  for (auto _ : state) {
    std::mt19937 rng(7);
    tokwise::IncrementalCounter counter(enc);
    for (size_t at = 0; at < text.size();) {
      const size_t step = std::min<size_t>(1 + rng() % 64, text.size() - at);
      (void)counter.Append(std::string_view(text).substr(at, step));
      at += step;
    }
    benchmark::DoNotOptimize(counter.count());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_IncrementalEnglish)->Unit(benchmark::kMillisecond);

// Making an embedded encoding ready from its serialized form (what Encoding::Get does once
// per process).
void BM_EmbeddedReady(benchmark::State& state) {
  for (auto _ : state) {
    auto v = tokwise::encoding_internal::Vocab::FromSerialized(
        tokwise::encoding_internal::EmbeddedO200kBase());
    benchmark::DoNotOptimize(v->get());
  }
}
BENCHMARK(BM_EmbeddedReady)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
