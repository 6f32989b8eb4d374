// The catalog JSON compiled into the library (generated from data/catalog.json).
#ifndef TOKWISE_LIB_COST_EMBEDDED_CATALOG_H_
#define TOKWISE_LIB_COST_EMBEDDED_CATALOG_H_

#include <string_view>

namespace tokwise::cost_internal {

// The text of lib/cost/data/catalog.json, in read-only data.
std::string_view EmbeddedCatalogJson();

}  // namespace tokwise::cost_internal

#endif  // TOKWISE_LIB_COST_EMBEDDED_CATALOG_H_
