// bench_files: counts the concatenation of the given files with a tokwise encoding, repeating
// for at least a second, and prints one JSON line (bytes, tokens, best MB/s). Used by
// peer_compare.sh so tokwise and the peers measure the same text in the same run.
//
//   bench_files --encoding o200k_base --group english [--first-pass] FILE...
//
// --first-pass times one count, the first of the process: every per-thread cache is cold, as
// when an application meets new text.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "tokwise/encoding.h"

int main(int argc, char** argv) {
  std::string encoding = "o200k_base", group = "files", text;
  int fixed_reps = 0;  // --reps N: exactly N counts (for instruction counts under callgrind).
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--encoding") == 0 && i + 1 < argc) {
      encoding = argv[++i];
    } else if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
      fixed_reps = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--first-pass") == 0) {
      fixed_reps = 1;
    } else if (std::strcmp(argv[i], "--group") == 0 && i + 1 < argc) {
      group = argv[++i];
    } else {
      std::ifstream in(argv[i], std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "bench_files: cannot read %s\n", argv[i]);
        return 2;
      }
      std::ostringstream buf;
      buf << in.rdbuf();
      text += buf.str();
    }
  }
  auto enc = tokwise::Encoding::Get(encoding);
  if (!enc.ok()) {
    std::fprintf(stderr, "bench_files: %s\n", std::string(enc.status().message()).c_str());
    return 1;
  }
  tokwise::CountOptions options;
  options.invalid_utf8 = tokwise::InvalidUtf8::kReplace;
  size_t tokens = 0;
  double best = 1e300, total = 0;
  int reps = 0;
  while (fixed_reps > 0 ? reps < fixed_reps : (reps < 3 || total < 1.0)) {
    auto t0 = std::chrono::steady_clock::now();
    tokens = *(*enc)->Count(text, options);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, s);
    total += s;
    ++reps;
  }
  std::printf("{\"impl\":\"tokwise\",\"group\":\"%s\",\"bytes\":%zu,\"tokens\":%zu,\"mbps\":%.2f}\n",
              group.c_str(), text.size(), tokens, text.size() / best / 1e6);
  return 0;
}
