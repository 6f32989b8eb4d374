// Fuzz target: the tokenizer.json loader on arbitrary bytes. Invariants: no crash, no hang, no
// allocation out of proportion to the input; a refused file is an error with a message; a
// loaded tokenizer counts what it encodes and decodes what it encodes without an error.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tokwise/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto tok = tokwise::Tokenizer::FromHfJson(bytes);
  if (!tok.ok()) {
    if (tok.status().message().empty()) std::abort();
    return 0;
  }
  for (std::string_view text :
       {std::string_view("hi ab \xC3\xA9t\xC3\xA9 <|end|> a!b\\\"c 123"), std::string_view("")}) {
    tokwise::TokenizeOptions o;
    o.invalid_utf8 = tokwise::InvalidUtf8::kReplace;
    auto ids = (*tok)->Encode(text, o);
    if (!ids.ok()) continue;  // E.g. no unknown token for a character outside the vocabulary.
    auto n = (*tok)->Count(text, o);
    if (!n.ok() || n->tokens != ids->size()) std::abort();
    if (!(*tok)->Decode(*ids).ok()) std::abort();
  }
  return 0;
}
