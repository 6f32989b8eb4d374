// Fuzz target: the .tiktoken rank-file loader on arbitrary bytes. Invariants: no crash, no
// unbounded allocation; a loaded encoding can count and round-trip ASCII.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tokwise/encoding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  static const tokwise::EncodingSpec spec = [] {
    tokwise::EncodingSpec s = *tokwise::KnownEncodingSpec("r50k_base");
    s.explicit_n_vocab = 0;
    return s;
  }();
  auto enc = tokwise::Encoding::FromTiktokenBytes(bytes, spec);
  if (!enc.ok()) return 0;
  auto ids = (*enc)->EncodeOrdinary("hello world 123");
  if (!ids.ok()) std::abort();
  auto back = (*enc)->Decode(*ids);
  if (!back.ok() || *back != "hello world 123") std::abort();
  return 0;
}
