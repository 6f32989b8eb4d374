// Benchmarks of the tokenizer families of issue 4 (run from the build tree; the data comes
// from TOKWISE_SHARED_DATA):
//   BM_HfLoad_<model>        tokenizer.json load time (from text in memory); counters: file
//                            MB, loaded MB (the tokenizer's tables) and their ratio to the file
//                            size, and from one load of the file (Tokenizer::FromHfJsonFile)
//                            the peak and the after-load growth of the resident set as ratios
//                            to the file size (peak_per_file, rss_per_file; Linux only).
//                            benchmarks/hf_load_memory measures the same in fresh processes.
//   BM_Count_<tokenizer>     count over the whole corpus (2.2 MB, 57 documents), MB/s and
//                            tokens/s, o200k_base alongside as the reference speed (issue 4:
//                            Llama 3 at least as fast as o200k_base in the same run;
//                            --benchmark_filter='Count_O200k|Count_Hf' --benchmark_min_time=0.5).
//   BM_SpmCount_*            tokwise's SentencePiece tokenizer (own BPE path), the same with
//                            the own path off, and libsentencepiece called directly, in the
//                            same run.
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "encoding/hf_tokenizer.h"
#include "spm_peer.h"
#include "tokwise/encoding.h"
#include "tokwise/tokenizer.h"

namespace tokwise {
namespace {

std::string Shared(const std::string& rel) { return std::string(TOKWISE_SHARED_DATA) + "/" + rel; }

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// The corpus documents, each as one text (the stress test with invalid UTF-8 left out).
const std::vector<std::string>& Corpus() {
  static auto* docs = [] {
    auto* v = new std::vector<std::string>();
    DIR* d = opendir(Shared("corpus").c_str());
    if (d == nullptr) return v;
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n[0] != '.' && n != "utf8_stress_test_kuhn.txt") names.push_back(n);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) v->push_back(Read(Shared("corpus/" + n)));
    return v;
  }();
  return *docs;
}

size_t CorpusBytes() {
  size_t n = 0;
  for (const std::string& d : Corpus()) n += d.size();
  return n;
}

// A field of /proc/self/status in bytes ("VmRSS", "VmHWM"), or 0.
size_t StatusBytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, field.size() + 1, field + ":") == 0) {
      return std::stoull(line.substr(field.size() + 1)) * 1024;
    }
  }
  return 0;
}

// Resident-set growth of one Tokenizer::FromHfJsonFile(path): the peak during the load (the
// file's text included) and what stays after it. Freed heap goes back to the system first
// (malloc_trim) and the peak is reset (/proc/self/clear_refs), so the load's pages are new
// ones. False where /proc does not allow it.
bool MeasureLoadMemory(const std::string& path, size_t* peak, size_t* kept) {
  malloc_trim(0);
  const size_t before = StatusBytes("VmRSS");
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.close();
  if (!clear || before == 0 || StatusBytes("VmHWM") > before + (size_t{1} << 20)) return false;
  auto tok = Tokenizer::FromHfJsonFile(path);
  if (!tok.ok()) return false;
  *peak = StatusBytes("VmHWM") - before;
  *kept = StatusBytes("VmRSS") - before;
  return true;
}

void BM_HfLoad(benchmark::State& state, const std::string& model) {
  const std::string path = Shared("vocab/hf/" + model + "/tokenizer.json");
  size_t peak = 0, kept = 0;
  const bool measured = MeasureLoadMemory(path, &peak, &kept);
  const std::string json = Read(path);
  size_t loaded = 0;
  for (auto _ : state) {
    auto tok = encoding_internal::HfTokenizer::FromJson(json);
    if (!tok.ok()) {
      state.SkipWithError(std::string(tok.status().message()).c_str());
      return;
    }
    loaded = (*tok)->MemoryBytes();
    benchmark::DoNotOptimize(tok);
  }
  state.counters["file_MB"] = json.size() / 1e6;
  state.counters["loaded_MB"] = loaded / 1e6;
  state.counters["loaded_per_file"] = static_cast<double>(loaded) / json.size();
  if (measured) {
    state.counters["peak_per_file"] = static_cast<double>(peak) / json.size();
    state.counters["rss_per_file"] = static_cast<double>(kept) / json.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * json.size()));
}

void CountCorpus(benchmark::State& state, const Tokenizer& tok) {
  uint64_t tokens = 0;
  for (auto _ : state) {
    tokens = 0;
    for (const std::string& doc : Corpus()) {
      auto n = tok.Count(doc);
      if (!n.ok()) {
        state.SkipWithError(std::string(n.status().message()).c_str());
        return;
      }
      tokens += n->tokens;
    }
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * CorpusBytes()));
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens * state.iterations()),
                                                  benchmark::Counter::kIsRate);
}

std::shared_ptr<const Tokenizer> Hf(const std::string& model) {
  static auto* cache = new std::map<std::string, std::shared_ptr<const Tokenizer>>();
  auto& t = (*cache)[model];
  if (t == nullptr) {
    auto tok = Tokenizer::FromHfJsonFile(Shared("vocab/hf/" + model + "/tokenizer.json"));
    if (tok.ok()) t = *tok;
  }
  return t;
}

void BM_Count_Hf(benchmark::State& state, const std::string& model) {
  auto tok = Hf(model);
  if (tok == nullptr) {
    state.SkipWithError("cannot load");
    return;
  }
  CountCorpus(state, *tok);
}

void BM_Count_O200k(benchmark::State& state) {
  CountCorpus(state, *Tokenizer::FromEncoding(*Encoding::Get("o200k_base")));
}

void BM_Count_ClaudeLegacy(benchmark::State& state) {
  static auto tok = Tokenizer::ClaudeLegacyFromTiktokenFile(Shared("vocab/claude_legacy.tiktoken"));
  if (!tok.ok()) {
    state.SkipWithError("cannot load");
    return;
  }
  CountCorpus(state, **tok);
}

void BM_SpmCount_Tokwise(benchmark::State& state, const std::string& model) {
  auto tok = Tokenizer::FromSentencePieceFile(Shared("vocab/spm/" + model + ".model"));
  if (!tok.ok()) {
    state.SkipWithError("cannot load");
    return;
  }
  CountCorpus(state, **tok);
}

// tokwise's SentencePiece tokenizer with its own BPE path switched off (libsentencepiece
// behind tokwise's interface: UTF-8 check and the call).
void BM_SpmCount_TokwiseOnLib(benchmark::State& state, const std::string& model) {
  SentencePieceOptions o;
  o.own_bpe = false;
  auto tok = Tokenizer::FromSentencePieceFile(Shared("vocab/spm/" + model + ".model"), o);
  if (!tok.ok()) {
    state.SkipWithError("cannot load");
    return;
  }
  CountCorpus(state, **tok);
}

void BM_SpmCount_LibSentencePiece(benchmark::State& state, const std::string& model) {
  void* peer = bench::SpmPeerLoad(Shared("vocab/spm/" + model + ".model"));
  if (peer == nullptr) {
    state.SkipWithError("cannot load");
    return;
  }
  uint64_t tokens = 0;
  for (auto _ : state) {
    tokens = 0;
    for (const std::string& doc : Corpus()) tokens += bench::SpmPeerCount(peer, doc);
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * CorpusBytes()));
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens * state.iterations()),
                                                  benchmark::Counter::kIsRate);
  bench::SpmPeerFree(peer);
}

BENCHMARK_CAPTURE(BM_HfLoad, Llama3, std::string("llama3"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_HfLoad, Qwen3, std::string("qwen3"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_HfLoad, DeepSeekV3, std::string("deepseek_v3"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_HfLoad, Gemma3, std::string("gemma3"))->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Count_O200k)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Count_Hf, Llama3, std::string("llama3"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Count_Hf, Qwen3, std::string("qwen3"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Count_Hf, DeepSeekV3, std::string("deepseek_v3"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Count_Hf, Gemma3, std::string("gemma3"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Count_Hf, Mistral7B, std::string("mistral_7b_v0.1"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Count_ClaudeLegacy)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SpmCount_Tokwise, Llama2, std::string("llama2_tokenizer"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SpmCount_TokwiseOnLib, Llama2, std::string("llama2_tokenizer"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SpmCount_LibSentencePiece, Llama2, std::string("llama2_tokenizer"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SpmCount_Tokwise, TestModelUnigram, std::string("sentencepiece_test_model"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SpmCount_LibSentencePiece, TestModelUnigram,
                  std::string("sentencepiece_test_model"))
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tokwise

BENCHMARK_MAIN();
