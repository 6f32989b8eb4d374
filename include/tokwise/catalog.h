// tokwise/catalog.h: models, their context windows and prices.
//
// Money is exact integer arithmetic. A price is an integer number of micro-dollars per
// million tokens (USD 2.50 / M = 2'500'000), which is the same number as pico-dollars per
// token; so the cost of any whole number of tokens is an exact integer number of pico-dollars
// (1e-12 USD), with no floating-point drift. Micro-dollar figures are derived from it.
//
//   const tokwise::Catalog& catalog = tokwise::Catalog::Default();
//   absl::StatusOr<const tokwise::ModelInfo*> m = catalog.Find("openai/gpt-4o-2024-08-06");
//   if (!m.ok()) return m.status();               // NotFound: never priced at 0
//   tokwise::FormatPricePerMTok((*m)->prices.input);  // "2.50"
//
// The embedded catalog is compiled into the library from lib/cost/data/catalog.json (no file
// is read at run time). Every entry names the page its prices come from (`source`) and the
// date they took effect (`prices_effective`, empty where the provider does not say).
// Users keep their own prices in tokwise's JSON form (Catalog::FromJson) or in LiteLLM's
// model_prices_and_context_window.json form (Catalog::FromLiteLlmJson); Merge() lays such a
// file over the embedded catalog.
//
// Thread safety: a Catalog is immutable once made (Merge() excepted, which needs exclusive
// access). Catalog::Default() is built on first use, once, thread-safely; the reference stays
// valid for the life of the process.
#ifndef TOKWISE_CATALOG_H_
#define TOKWISE_CATALOG_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tokwise {

// Exact money: pico-dollars (1e-12 USD). An int64 holds up to about USD 9.2 million; sums that
// may go beyond (forecasts over many requests) use PicoUsdWide.
using PicoUsd = int64_t;
// 128-bit pico-dollars for sums and forecasts (about USD 1.7e26). GCC/Clang extension.
__extension__ typedef __int128 PicoUsdWide;

// Micro-dollars per million tokens (= pico-dollars per token). kNotOffered where the provider
// does not offer the bucket (no caching, no batch).
using PricePerMTok = int64_t;
inline constexpr PricePerMTok kNotOffered = -1;

struct Prices {
  PricePerMTok input = kNotOffered;           // Uncached input.
  PricePerMTok output = kNotOffered;          // Output, reasoning included.
  PricePerMTok cache_read = kNotOffered;      // Input read from the prompt cache.
  PricePerMTok cache_write_5m = kNotOffered;  // Input written to a 5-minute cache.
  PricePerMTok cache_write_1h = kNotOffered;  // Input written to a 1-hour cache.
  PricePerMTok batch_input = kNotOffered;     // Batch API.
  PricePerMTok batch_output = kNotOffered;
};

// Above `threshold_tokens` of input, the whole request is priced with `prices`.
// "Input" is every prompt-side token: uncached + cache read + cache writes (how Anthropic and
// Google count the 200k threshold). A bucket left kNotOffered in a tier takes the base price.
struct LongContextTier {
  uint32_t threshold_tokens = 0;
  Prices prices;
};

struct ModelInfo {
  std::string id;               // Canonical name, e.g. "gpt-4o-2024-08-06".
  std::string provider;         // "openai", "anthropic", "google", ...
  std::string tokenizer;        // Tokenizer / encoding name from the model registry: "o200k_base",
                                // "cl100k_base", "o200k_harmony", or for closed tokenizers the
                                // label "claude" / "gemini" (counted by estimate).
  uint32_t context_window = 0;  // Input + output tokens.
  uint32_t max_output = 0;
  Prices prices;
  std::vector<LongContextTier> long_context_tiers;  // Ascending thresholds.
  uint32_t min_cacheable_prefix = 0;                // Tokens; 0 = no minimum / no caching.
  std::string prices_effective;  // ISO date the prices took effect ("" = not documented).
  std::string source;            // Where the prices come from.

  // Added by the catalog owner (append-only):
  // Input-token limit when the provider sets one below the window (gpt-5: 272,000 of a
  // 400,000 window); 0 = limited only by the window.
  uint32_t max_input = 0;
  // Other names this entry answers to (dated snapshots, "-latest", provider spellings).
  std::vector<std::string> aliases;
  // Free-text remarks shown by `tokwise models` (approximations, conditions of a tier).
  std::string notes;
};

// How Catalog::Resolve() matched a name.
enum class MatchKind {
  kExact,           // The canonical id.
  kAlias,           // One of the entry's aliases.
  kSnapshot,        // A dated snapshot without its own entry ("gpt-4o-2099-01-01" -> gpt-4o).
  kProviderPrefix,  // "openai/gpt-4o", "openrouter/openai/gpt-4o", "azure/gpt-4o".
  kBedrock,         // "anthropic.claude-...-v1:0", "us.anthropic.claude-...".
  kVertex,          // "claude-3-5-sonnet@20240620".
};

struct Resolution {
  const ModelInfo* model = nullptr;
  MatchKind kind = MatchKind::kExact;
  // What the name was reduced to before it matched (the id or alias that matched).
  std::string matched_name;
};

class Catalog {
 public:
  // The catalog compiled into the library. Made on first use; thread-safe.
  static const Catalog& Default();

  // Parses a catalog in tokwise's own JSON form (the form of the embedded catalog):
  //   {"models": [{"id": "gpt-4o", "provider": "openai", "tokenizer": "o200k_base",
  //     "aliases": ["gpt-4o-2024-08-06"], "context_window": 128000, "max_output": 16384,
  //     "max_input": 0, "prices": {"input": "2.50", "output": "10.00", "cache_read": "1.25",
  //     "cache_write_5m": ..., "cache_write_1h": ..., "batch_input": ..., "batch_output": ...},
  //     "long_context": [{"above": 200000, "prices": {...}}], "min_cacheable_prefix": 1024,
  //     "prices_effective": "2024-10-01", "source": "https://...", "notes": "..."}]}
  // Prices are USD per million tokens, as decimal strings or JSON numbers, read exactly (no
  // float); more than 6 decimals (finer than a micro-dollar per million) is an error.
  // Required per model: id, provider, tokenizer, context_window, max_output, prices.input,
  // prices.output, source. Unknown keys are errors (a typo must not drop a price).
  // Errors: InvalidArgument naming the JSON path ("$.models[3].prices.cache_read") for
  // malformed JSON, wrong types, negative or inexact prices, duplicate ids or aliases,
  // descending tier thresholds, a window smaller than max_output.
  static absl::StatusOr<Catalog> FromJson(std::string_view json);

  // Reads FromJson() input from a file; errors are prefixed with the path.
  static absl::StatusOr<Catalog> FromJsonFile(const std::string& path);

  // Imports LiteLLM's model_prices_and_context_window.json form: an object keyed by model
  // name whose entries carry USD-per-token floats (input_cost_per_token, output_cost_per_token,
  // cache_read_input_token_cost, cache_creation_input_token_cost (5-minute writes),
  // cache_creation_input_token_cost_above_1hr, *_batches, and *_above_<N>k_tokens tiers),
  // litellm_provider, max_input_tokens, max_output_tokens (or max_tokens),
  // prompt_cache_min_tokens and source. Each float is converted from its decimal text,
  // exactly: round(1e12 * value) micro-dollars per million (half away from zero).
  // Imported: entries whose mode is chat, completion or responses (or absent) and that have
  // both input_cost_per_token and output_cost_per_token; others (images, audio, embeddings,
  // "sample_spec") are skipped and counted in `skipped` if given, as are names that collide
  // with an earlier entry once case is folded (names match case-insensitively; the first
  // entry keeps the name). A null max_*_tokens is read as absent.
  // Approximations, stated: context_window = max_input_tokens (LiteLLM keeps no separate
  // window; for gpt-5, whose input limit is below its window, the imported window is
  // conservative); tokenizer from the encoding registry for OpenAI-family names, "claude" /
  // "gemini" for those families, "" (unknown) otherwise.
  // Errors: InvalidArgument naming the JSON path for malformed JSON or a price field that is
  // not a non-negative number.
  static absl::StatusOr<Catalog> FromLiteLlmJson(std::string_view json, size_t* skipped = nullptr);
  static absl::StatusOr<Catalog> FromLiteLlmJsonFile(const std::string& path,
                                                     size_t* skipped = nullptr);

  // Lays `overrides` over this catalog: an entry with the same id replaces ours whole; new
  // entries are added; an id of `overrides` that is an alias here takes that name over (the
  // alias is dropped from our entry). Errors: InvalidArgument if an alias of `overrides`
  // collides with a different entry's id. Not thread-safe: needs exclusive access.
  absl::Status Merge(const Catalog& overrides);

  // Finds a model by name: exact ids and aliases, dated snapshots, `provider/model` and
  // Azure / Bedrock forms. NotFound for an unknown model: never priced at 0.
  // Names are matched case-insensitively. Order: exact id or alias; then the provider prefix
  // stripped one segment at a time ("openrouter/openai/gpt-4o" -> "openai/gpt-4o" ->
  // "gpt-4o"; a prefix naming a provider (openai/, anthropic/, google/, gemini/) must agree
  // with the entry's provider); then Bedrock ids ("us.anthropic.claude-3-5-sonnet-20240620-
  // v1:0" -> "claude-3-5-sonnet-20240620") and Vertex "model@date"; then a trailing date
  // ("-2024-08-06" or "-20250929") is dropped if the rest names an entry.
  // Approximations, stated: a dated snapshot without its own entry is priced as its base
  // model; a Bedrock or Vertex id is priced at Anthropic's first-party prices (Bedrock's
  // regional endpoints and us-gov regions cost more); an Azure deployment name must equal a
  // model name or alias (Azure deployment names are chosen by the user). Fine-tuned models
  // ("ft:...") are NotFound: their prices differ from the base model's.
  absl::StatusOr<const ModelInfo*> Find(std::string_view model) const;

  // As Find(), and says how the name matched.
  absl::StatusOr<Resolution> Resolve(std::string_view model) const;

  // Every model, sorted by id.
  std::vector<const ModelInfo*> All() const;

  size_t size() const { return by_id_.size(); }

 private:
  absl::StatusOr<Resolution> ResolveOnce(std::string_view lowered) const;
  absl::Status Add(std::shared_ptr<const ModelInfo> model);

  std::map<std::string, std::shared_ptr<const ModelInfo>, std::less<>> by_id_;
  // Lower-cased id or alias -> id.
  std::map<std::string, std::string, std::less<>> names_;
};

// ---- Exact money helpers ----

// Cost of `tokens` at `price`: tokens * price pico-dollars, exactly. InvalidArgument if the
// price is kNotOffered or negative; OutOfRange if the product does not fit in int64
// (above about USD 9.2 million).
absl::StatusOr<PicoUsd> CostOf(uint64_t tokens, PricePerMTok price);

// Pico-dollars to micro-dollars, rounded to nearest (half away from zero).
int64_t PicoToMicroUsd(PicoUsd pico);

// Exact decimal USD text without float: the shortest form with at least `min_decimals`
// decimals (0 to 12). 8603760000 -> "0.00860376"; 2'000'000'000'000 -> "2.00"; negative
// values get a leading '-'.
std::string FormatUsd(PicoUsdWide pico, int min_decimals = 2);

// A price in USD per million tokens, exactly: 2'500'000 -> "2.50", 75'000 -> "0.075";
// kNotOffered -> "-".
std::string FormatPricePerMTok(PricePerMTok price);

// Parses USD per million tokens from decimal text ("2.50", "0.075", "1e1") exactly into
// micro-dollars per million. InvalidArgument for malformed text, a negative value, or more
// precision than a micro-dollar; OutOfRange if too large.
absl::StatusOr<PricePerMTok> ParseUsdPerMTok(std::string_view text);

}  // namespace tokwise

#endif  // TOKWISE_CATALOG_H_
