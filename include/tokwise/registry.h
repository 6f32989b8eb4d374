// tokwise/registry.h: which tokenizer counts for which model, and how exactly.
//
// The model registry is data: a JSON document compiled into the library (see
// lib/encoding/registry_data.inc for the text and the sources of every figure) that maps model
// names to tokenizers, and names the estimate profiles used for models whose tokenizer is not
// public. One lookup serves the whole product: chat counting, pricing and pre-flight checks
// all resolve a model name here. Callers can override or extend it at run time with JSON of
// the same form (WithOverrides).
//
//   const auto& reg = tokwise::ModelRegistry::Default();
//   auto tok = reg.TokenizerFor("anthropic.claude-3-5-sonnet-20240620-v1:0");  // estimate
//   auto llama = reg.TokenizerFor("meta-llama/Llama-3.1-8B-Instruct",
//                                 tokwise::TokenizerSearch{{"/models/tokenizers"}, {}});
//
// Name forms accepted (case-insensitive): plain names and dated snapshots
// (gpt-4o-2024-08-06, claude-3-5-sonnet-20241022), provider prefixes (openai/gpt-4o,
// azure/gpt-4o, meta-llama/Llama-3.1-8B, openrouter/anthropic/claude-3.5-sonnet), Bedrock ids
// (anthropic.claude-3-5-sonnet-20240620-v1:0, us.anthropic.claude-sonnet-4-20250514-v1:0,
// meta.llama3-1-8b-instruct-v1:0), Vertex ids (claude-3-5-sonnet-v2@20241022), fine-tunes
// (ft:gpt-4o-mini-2024-07-18:org::id). An unknown model is NotFound: never a silent fallback.
//
// Tokenizer files. Only o200k_base, o200k_harmony and cl100k_base are built in. Every other
// tokenizer (tokenizer.json, SentencePiece .model, .tiktoken rank files) is read from a file
// the caller provides: either named directly in TokenizerSearch::files, or found under one of
// TokenizerSearch::dirs at one of the relative paths the registry lists for it (for example
// hf:llama3 is looked for at <dir>/llama3/tokenizer.json and <dir>/hf/llama3/tokenizer.json).
// The library never reads the environment on its own; TokenizerSearchFromEnvironment() does,
// when called.
//
// Thread safety: a ModelRegistry is immutable; Default() is made once. Loaded tokenizer files
// are cached process-wide by path (a second lookup does not reload a 30 MB file).
#ifndef TOKWISE_REGISTRY_H_
#define TOKWISE_REGISTRY_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tokwise/tokenizer.h"

namespace tokwise {

// Where tokenizer files are looked for.
struct TokenizerSearch {
  // Folders searched in order.
  std::vector<std::string> dirs;
  // Files named directly, by tokenizer name ("hf:llama3" -> "/path/to/tokenizer.json").
  // Checked before `dirs`.
  std::map<std::string, std::string, std::less<>> files;
};

// The folders in the TOKWISE_TOKENIZER_PATH environment variable (separated by ':'), or none.
TokenizerSearch TokenizerSearchFromEnvironment();

// A tokenizer the registry knows by name.
struct TokenizerInfo {
  enum class Kind { kEmbedded, kTiktoken, kHuggingFace, kSentencePiece, kClaudeLegacy, kEstimate };
  std::string name;  // "o200k_base", "hf:llama3", "spm:llama2", "estimate:claude".
  Kind kind = Kind::kEmbedded;
  std::vector<std::string> files;  // Relative paths tried under each search folder.
  std::string encoding;            // kTiktoken: the encoding spec's name (p50k_base, ...).
  bool add_bos = true;             // kSentencePiece: what add_special_tokens adds.
  bool add_eos = false;
};

// How an estimate is made: count with `base`, multiply by `factor`; the true count is
// expected within [count * low, count * high].
struct EstimateProfile {
  std::string name;  // "claude" (used as "estimate:claude").
  std::string base;  // A built-in encoding name.
  double factor = 1.0;
  double low = 1.0;
  double high = 1.0;
  Exactness exactness = Exactness::kEstimate;
  std::string source;  // Where the figures come from, in words.
};

// The result of a lookup.
struct ModelEntry {
  std::string model;      // The name looked up.
  std::string canonical;  // The name after prefix/suffix removal that matched.
  std::string pattern;    // The registry pattern that matched ("gpt-4o-*").
  std::string tokenizer;  // A TokenizerInfo name.
  Exactness exactness = Exactness::kExact;
  std::string note;
};

class ModelRegistry {
 public:
  // The registry compiled into the library.
  static const ModelRegistry& Default();

  // A registry from JSON of the embedded form:
  //   {"tokenizers": {NAME: {"kind": ..., "files": [...], ...}},
  //    "estimates": {NAME: {"base", "factor", "low", "high", "exactness", "source"}},
  //    "models": [{"match": [PATTERN, ...], "tokenizer": NAME, "exactness": ..., "note": ...}]}
  // A PATTERN is a lower-case name, or a prefix ending in '*'. InvalidArgument names the JSON
  // path of any problem (unknown tokenizer, estimate labelled exact, bad factor, ...).
  static absl::StatusOr<ModelRegistry> FromJson(std::string_view json);

  // This registry with `json` (same form, every section optional) layered on top: tokenizers
  // and estimates of the same name replace ours, model entries are tried before ours.
  absl::StatusOr<ModelRegistry> WithOverrides(std::string_view json) const;

  // Looks a model up (see the name forms above). NotFound for an unknown model.
  absl::StatusOr<ModelEntry> Find(std::string_view model) const;

  // Find() and OpenTokenizer().
  absl::StatusOr<std::shared_ptr<const Tokenizer>> TokenizerFor(
      std::string_view model, const TokenizerSearch& search = {}) const;

  // Makes the tokenizer named `name` (a TokenizerInfo name). NotFound, naming every path
  // tried, when its file is in none of the search folders.
  absl::StatusOr<std::shared_ptr<const Tokenizer>> OpenTokenizer(
      std::string_view name, const TokenizerSearch& search = {}) const;

  const TokenizerInfo* FindTokenizer(std::string_view name) const;
  const EstimateProfile* FindEstimate(std::string_view name) const;
  std::vector<std::string> TokenizerNames() const;

  // The canonical form Find() matches on: lower case, provider/Bedrock/Vertex parts removed.
  static std::string CanonicalModelName(std::string_view model);

 private:
  struct Entry {
    std::vector<std::string> patterns;
    std::string tokenizer;
    Exactness exactness = Exactness::kExact;
    std::string note;
  };
  absl::Status Merge(std::string_view json, bool entries_first);

  std::map<std::string, TokenizerInfo, std::less<>> tokenizers_;
  std::map<std::string, EstimateProfile, std::less<>> estimates_;
  std::vector<Entry> entries_;
};

}  // namespace tokwise

#endif  // TOKWISE_REGISTRY_H_
