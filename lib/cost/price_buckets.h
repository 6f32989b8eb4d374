// The price buckets of Prices with their names in tokwise's catalog JSON and in LiteLLM's
// model_prices_and_context_window.json, so that both readers share one list.
#ifndef TOKWISE_LIB_COST_PRICE_BUCKETS_H_
#define TOKWISE_LIB_COST_PRICE_BUCKETS_H_

#include <string_view>

#include "tokwise/catalog.h"

namespace tokwise::cost_internal {

struct PriceBucket {
  std::string_view catalog_key;  // tokwise's catalog: "prices": {"<catalog_key>": "2.50"}.
  std::string_view litellm_key;  // LiteLLM: USD per token.
  PricePerMTok Prices::*member;
};

// LiteLLM has one cache-creation price; it fills the 5-minute bucket, its "_above_1hr" key the
// 1-hour one.
inline constexpr PriceBucket kPriceBuckets[] = {
    {"input", "input_cost_per_token", &Prices::input},
    {"output", "output_cost_per_token", &Prices::output},
    {"cache_read", "cache_read_input_token_cost", &Prices::cache_read},
    {"cache_write_5m", "cache_creation_input_token_cost", &Prices::cache_write_5m},
    {"cache_write_1h", "cache_creation_input_token_cost_above_1hr", &Prices::cache_write_1h},
    {"batch_input", "input_cost_per_token_batches", &Prices::batch_input},
    {"batch_output", "output_cost_per_token_batches", &Prices::batch_output},
};

}  // namespace tokwise::cost_internal

#endif  // TOKWISE_LIB_COST_PRICE_BUCKETS_H_
