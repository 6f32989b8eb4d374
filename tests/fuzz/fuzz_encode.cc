// Fuzz target: encode / count / decode arbitrary bytes with both embedded encodings, every
// special-token policy and both UTF-8 policies. Invariants: no crash; count == encode
// length; valid UTF-8 round-trips; invalid UTF-8 is rejected under kReject.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tokwise/encoding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const char* name : {"o200k_base", "cl100k_base"}) {
    auto enc = *tokwise::Encoding::Get(name);
    for (auto special : {tokwise::SpecialPolicy::kAsText, tokwise::SpecialPolicy::kRecognize,
                         tokwise::SpecialPolicy::kReject}) {
      for (auto utf8 : {tokwise::InvalidUtf8::kReject, tokwise::InvalidUtf8::kReplace}) {
        tokwise::EncodeOptions eo;
        eo.special = special;
        eo.invalid_utf8 = utf8;
        auto ids = enc->Encode(text, eo);
        auto n = enc->Count(text, tokwise::CountOptions{special, utf8, {}});
        if (ids.ok() != n.ok()) std::abort();
        if (!ids.ok()) continue;
        if (ids->size() != *n) std::abort();
        auto back = enc->Decode(*ids);
        if (!back.ok()) std::abort();
        if (utf8 == tokwise::InvalidUtf8::kReject && *back != text) std::abort();
      }
    }
  }
  return 0;
}
