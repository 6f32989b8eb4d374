// Fuzz target: provider usage objects and catalog files (ours and LiteLLM's). Invariants: no
// crash, no hang; a normalized usage never has negative buckets.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tokwise/catalog.h"
#include "tokwise/usage.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto usage = tokwise::NormalizeUsage(bytes);
  if (usage.ok()) {
    if (usage->reasoning > usage->output) std::abort();
  }
  auto catalog = tokwise::Catalog::FromJson(bytes);
  if (catalog.ok()) {
    for (const tokwise::ModelInfo* m : catalog->All()) {
      if (!catalog->Find(m->id).ok()) std::abort();
    }
  }
  (void)tokwise::Catalog::FromLiteLlmJson(bytes);
  return 0;
}
