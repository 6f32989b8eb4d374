// The C ABI's handle types that more than one of its source files reads, and the conversions
// they share. Internal to lib/capi.
#ifndef TOKWISE_LIB_CAPI_CAPI_TYPES_H_
#define TOKWISE_LIB_CAPI_CAPI_TYPES_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "tokwise/catalog.h"
#include "tokwise/chat.h"
#include "tokwise/tokenizer.h"
#include "tokwise/tokwise.h"

struct tokwise_chat_options {
  tokwise::ChatCountOptions options;  // Its `cache` is set per call from `cache`.
  tokwise::ChatFormat format = tokwise::ChatFormat::kAuto;
  std::shared_ptr<tokwise::MessageCountCache> cache;
};

struct tokwise_chat_count {
  tokwise::ChatCount count;
  int64_t max_output_tokens = -1;  // The body's own limit; -1 if it sets none.
};

// The default catalog is shared through a non-owning pointer; catalogs read from JSON are
// owned. Models keep their catalog alive.
struct tokwise_catalog {
  std::shared_ptr<const tokwise::Catalog> catalog;
  // Catalog::All(), built on first use by tokwise_catalog_model_at().
  mutable std::once_flag all_once;
  mutable std::vector<const tokwise::ModelInfo*> all;
};

struct tokwise_model {
  std::shared_ptr<const tokwise::Catalog> catalog;
  const tokwise::ModelInfo* info = nullptr;
};

namespace tokwise::capi {

// A chat count as tokwise_chat_count holds it.
using CountedChat = tokwise_chat_count;

tokwise_exactness ToExactness(Exactness e);
tokwise_exactness ToExactness(CountLabel label);

// The default catalog, shared without a copy.
std::shared_ptr<const Catalog> DefaultCatalog();

// Parses and counts a chat body with `options` (NULL: defaults); a non-empty
// `model_override` replaces the model of both the options and the body.
tokwise_status CountChat(std::string_view body, const tokwise_chat_options* options,
                         std::string_view model_override, CountedChat* out);

}  // namespace tokwise::capi

#endif  // TOKWISE_LIB_CAPI_CAPI_TYPES_H_
