// A fast 128-bit content hash for cache keys. Not cryptographic.
//
// Two independent 64-bit lanes (different seeds and multipliers) read 16 bytes per step and
// mix with a 64x64->128-bit multiply, in the manner of wyhash. Keys are chat messages, so
// inputs are non-adversarial; a forced collision only lets a caller corrupt its own counts.
#ifndef TOKWISE_LIB_CHAT_HASH_H_
#define TOKWISE_LIB_CHAT_HASH_H_

#include <cstdint>
#include <cstring>
#include <string_view>

namespace tokwise::chat_internal {

class Hasher128 {
 public:
  Hasher128() = default;

  void Add(std::string_view s) {
    AddU64(s.size());
    const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
    size_t n = s.size();
    while (n >= 16) {
      Step(Read64(p), Read64(p + 8));
      p += 16;
      n -= 16;
    }
    if (n > 0) {
      unsigned char tail[16] = {0};
      std::memcpy(tail, p, n);
      Step(Read64(tail), Read64(tail + 8));
    }
  }

  void AddU64(uint64_t v) { Step(v, 0x9E3779B97F4A7C15ull); }

  uint64_t lo() const { return Mix(a_ ^ 0xA0761D6478BD642Full, b_ ^ 0xE7037ED1A0B428DBull); }
  uint64_t hi() const { return Mix(b_ ^ 0x8EBC6AF09C88C6E3ull, a_ ^ 0x589965CC75374CC3ull); }

 private:
  static uint64_t Read64(const unsigned char* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
  static uint64_t Mix(uint64_t a, uint64_t b) {
    const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
  }
  void Step(uint64_t x, uint64_t y) {
    a_ = Mix(x ^ a_ ^ 0xA0761D6478BD642Full, y ^ 0xE7037ED1A0B428DBull);
    b_ = Mix(y ^ b_ ^ 0x8EBC6AF09C88C6E3ull, x ^ 0x1D8E4E27C47D124Full) + a_;
  }

  uint64_t a_ = 0x243F6A8885A308D3ull;
  uint64_t b_ = 0x13198A2E03707344ull;
};

}  // namespace tokwise::chat_internal

#endif  // TOKWISE_LIB_CHAT_HASH_H_
