// count_file_timing: the C++ reference time for counting one file, for the Python benchmark
// (benchmarks/python_count_benchmark.py) to compare against: the same text, the same call
// (Encoding::Count with default options), best of N runs.
//
//   count_file_timing ENCODING FILE [RUNS]   prints "<tokens> <best seconds>"
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tokwise/encoding.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s ENCODING FILE [RUNS]\n", argv[0]);
    return 1;
  }
  const int runs = argc > 3 ? std::atoi(argv[3]) : 5;
  auto enc = tokwise::Encoding::Get(argv[1]);
  if (!enc.ok()) {
    std::fprintf(stderr, "%s\n", std::string(enc.status().message()).c_str());
    return 1;
  }
  std::ifstream in(argv[2], std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();

  double best = 1e30;
  size_t tokens = 0;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto n = (*enc)->Count(text);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    if (!n.ok()) {
      std::fprintf(stderr, "%s\n", std::string(n.status().message()).c_str());
      return 2;
    }
    tokens = *n;
    if (took.count() < best) best = took.count();
  }
  std::printf("%zu %.6f\n", tokens, best);
  return 0;
}
