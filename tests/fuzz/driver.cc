// A small fuzz driver for builds without libFuzzer (the default with GCC): it feeds the
// target every seed file, then a fixed number of deterministic mutations of them (byte
// flips, insertions of interesting bytes, truncations, splices). CI runs it as a test; with
// clang, configure with -DTOKWISE_FUZZ=ON to link the same targets with libFuzzer instead.
//
//   fuzz_<target> [--iterations=N] [--seed=S] SEED_FILE...
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::string Mutate(std::mt19937_64& rng, const std::vector<std::string>& seeds) {
  static const char* const kInteresting[] = {
      "\xFF", "\xC0", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x80", "\0", "\"", "\\", "{",
      "}", "[", "]", ",", ":", "<|endoftext|>", "\n", "\r\n", " ", "'s", "0", "-1",
      "99999999999999999999", "null", "true", "\xF0\x9F\x98\x80", "\xCC\x81"};
  std::string s = seeds.empty() ? std::string() : seeds[rng() % seeds.size()];
  int edits = 1 + static_cast<int>(rng() % 8);
  for (int e = 0; e < edits; ++e) {
    size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 6) {
      case 0:  // Flip a byte.
        if (!s.empty()) s[rng() % s.size()] ^= static_cast<char>(1 + rng() % 255);
        break;
      case 1:  // Insert an interesting token.
        s.insert(pos, kInteresting[rng() % (sizeof kInteresting / sizeof *kInteresting)]);
        break;
      case 2:  // Truncate.
        s.resize(pos);
        break;
      case 3: {  // Delete a range.
        size_t len = rng() % 16;
        if (pos < s.size()) s.erase(pos, len);
        break;
      }
      case 4: {  // Duplicate a range.
        if (s.empty()) break;
        size_t a = rng() % s.size(), len = 1 + rng() % 64;
        s.insert(pos, s.substr(a, len));
        break;
      }
      case 5: {  // Splice another seed.
        if (seeds.empty()) break;
        const std::string& o = seeds[rng() % seeds.size()];
        if (o.empty()) break;
        size_t a = rng() % o.size();
        s.insert(pos, o.substr(a, rng() % 256));
        break;
      }
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = 20000;
  uint64_t seed = 1;
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--iterations=", 13) == 0) {
      iterations = std::atol(argv[i] + 13);
    } else if (std::strncmp(argv[i], "--seed=", 7) == 0) {
      seed = std::strtoull(argv[i] + 7, nullptr, 10);
    } else {
      std::ifstream in(argv[i], std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "fuzz driver: cannot read seed %s\n", argv[i]);
        return 1;
      }
      std::ostringstream buf;
      buf << in.rdbuf();
      // Large seeds are cut: the driver is about many small inputs.
      seeds.push_back(buf.str().substr(0, 4096));
    }
  }
  for (const std::string& s : seeds) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  std::mt19937_64 rng(seed);
  for (long i = 0; i < iterations; ++i) {
    std::string s = Mutate(rng, seeds);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  std::printf("fuzz driver: %zu seeds, %ld mutated inputs, no crash\n", seeds.size(), iterations);
  return 0;
}
