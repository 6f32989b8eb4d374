#include "tokwise/encoding.h"


#include <algorithm>
#include <cstring>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "base/file.h"
#include "base/strings.h"
#include "encoding/bpe.h"
#include "encoding/embedded.h"
#include "encoding/pretokenizer.h"
#include "encoding/unicode.h"
#include "encoding/vocab.h"
#include "tokwise/error_details.h"

namespace tokwise {

using encoding_internal::MergeScratch;
using encoding_internal::Pretokenizer;
using encoding_internal::Vocab;

namespace {

constexpr char kGpt2Pattern[] =
    R"('(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s)";
constexpr char kCl100kPattern[] =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr char kO200kPattern[] =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

EncodingSpec O200kHarmonySpec() {
  EncodingSpec s{"o200k_harmony", kO200kPattern, {}, 0};
  s.special_tokens = {
      {"<|startoftext|>", 199998}, {"<|endoftext|>", 199999}, {"<|return|>", 200002},
      {"<|constrain|>", 200003},   {"<|channel|>", 200005},   {"<|start|>", 200006},
      {"<|end|>", 200007},         {"<|message|>", 200008},   {"<|call|>", 200012},
      {"<|endofprompt|>", 200018},
  };
  for (uint32_t id : {200000u, 200001u, 200004u, 200009u, 200010u, 200011u}) {
    s.special_tokens.emplace(absl::StrCat("<|reserved_", id, "|>"), id);
  }
  for (uint32_t id = 200013; id <= 201087; ++id) {
    s.special_tokens.emplace(absl::StrCat("<|reserved_", id, "|>"), id);
  }
  return s;
}

}  // namespace

absl::StatusOr<EncodingSpec> KnownEncodingSpec(std::string_view name) {
  if (name == "o200k_base") {
    return EncodingSpec{"o200k_base", kO200kPattern,
                        {{"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018}}, 0};
  }
  if (name == "o200k_harmony") return O200kHarmonySpec();
  if (name == "cl100k_base") {
    return EncodingSpec{"cl100k_base",
                        kCl100kPattern,
                        {{"<|endoftext|>", 100257},
                         {"<|fim_prefix|>", 100258},
                         {"<|fim_middle|>", 100259},
                         {"<|fim_suffix|>", 100260},
                         {"<|endofprompt|>", 100276}},
                        0};
  }
  if (name == "p50k_base") {
    return EncodingSpec{"p50k_base", kGpt2Pattern, {{"<|endoftext|>", 50256}}, 50281};
  }
  if (name == "p50k_edit") {
    return EncodingSpec{"p50k_edit",
                        kGpt2Pattern,
                        {{"<|endoftext|>", 50256},
                         {"<|fim_prefix|>", 50281},
                         {"<|fim_middle|>", 50282},
                         {"<|fim_suffix|>", 50283}},
                        0};
  }
  if (name == "r50k_base" || name == "gpt2") {
    return EncodingSpec{std::string(name), kGpt2Pattern, {{"<|endoftext|>", 50256}}, 50257};
  }
  return absl::NotFoundError(absl::StrCat("unknown encoding \"", std::string(name), "\""));
}

absl::StatusOr<std::string> EncodingNameForModel(std::string_view model) {
  std::string_view m = model;
  // "openai/gpt-4o", "azure/gpt-4o", "openrouter/openai/gpt-4o": the model is the last part.
  if (size_t slash = m.rfind('/'); slash != std::string_view::npos) m.remove_prefix(slash + 1);
  // Fine-tunes: "ft:gpt-4o-mini-2024-07-18:org::id" -> the base model.
  if (base::StartsWith(m, "ft:")) {
    m.remove_prefix(3);
    m = m.substr(0, m.find(':'));
  }
  struct Entry {
    const char* name;
    const char* encoding;
  };
  static const Entry kExact[] = {
      {"gpt-5", "o200k_base"},
      {"gpt-4.1", "o200k_base"},
      {"gpt-4.5", "o200k_base"},
      {"gpt-4o", "o200k_base"},
      {"chatgpt-4o-latest", "o200k_base"},
      {"o1", "o200k_base"},
      {"o3", "o200k_base"},
      {"o4-mini", "o200k_base"},
      {"gpt-oss", "o200k_harmony"},
      {"gpt-4", "cl100k_base"},
      {"gpt-3.5-turbo", "cl100k_base"},
      {"gpt-3.5", "cl100k_base"},
      {"gpt-35-turbo", "cl100k_base"},
      {"davinci-002", "cl100k_base"},
      {"babbage-002", "cl100k_base"},
      {"text-embedding-ada-002", "cl100k_base"},
      {"text-embedding-3-small", "cl100k_base"},
      {"text-embedding-3-large", "cl100k_base"},
      {"text-davinci-003", "p50k_base"},
      {"text-davinci-002", "p50k_base"},
      {"code-davinci-002", "p50k_base"},
      {"code-davinci-001", "p50k_base"},
      {"code-cushman-002", "p50k_base"},
      {"code-cushman-001", "p50k_base"},
      {"davinci-codex", "p50k_base"},
      {"cushman-codex", "p50k_base"},
      {"text-davinci-edit-001", "p50k_edit"},
      {"code-davinci-edit-001", "p50k_edit"},
      {"text-davinci-001", "r50k_base"},
      {"text-curie-001", "r50k_base"},
      {"text-babbage-001", "r50k_base"},
      {"text-ada-001", "r50k_base"},
      {"davinci", "r50k_base"},
      {"curie", "r50k_base"},
      {"babbage", "r50k_base"},
      {"ada", "r50k_base"},
      {"text-similarity-davinci-001", "r50k_base"},
      {"text-similarity-curie-001", "r50k_base"},
      {"text-similarity-babbage-001", "r50k_base"},
      {"text-similarity-ada-001", "r50k_base"},
      {"text-search-davinci-doc-001", "r50k_base"},
      {"text-search-curie-doc-001", "r50k_base"},
      {"text-search-babbage-doc-001", "r50k_base"},
      {"text-search-ada-doc-001", "r50k_base"},
      {"code-search-babbage-code-001", "r50k_base"},
      {"code-search-ada-code-001", "r50k_base"},
      {"gpt2", "gpt2"},
      {"gpt-2", "gpt2"},
  };
  // Families by prefix, so dated snapshots and variants resolve (gpt-4o-2024-08-06,
  // gpt-4.1-mini, o3-pro). Checked in order; no prefix here is a prefix of an earlier one's
  // match that should differ.
  static const Entry kPrefix[] = {
      {"gpt-5-", "o200k_base"},      {"gpt-5.", "o200k_base"},     {"gpt-4.1-", "o200k_base"},
      {"gpt-4.5-", "o200k_base"},    {"gpt-4o-", "o200k_base"},    {"chatgpt-4o-", "o200k_base"},
      {"o1-", "o200k_base"},         {"o3-", "o200k_base"},        {"o4-mini-", "o200k_base"},
      {"codex-mini", "o200k_base"},  {"gpt-oss-", "o200k_harmony"}, {"gpt-4-", "cl100k_base"},
      {"gpt-3.5-turbo-", "cl100k_base"}, {"gpt-35-turbo-", "cl100k_base"},
  };
  for (const Entry& e : kExact) {
    if (m == e.name) return std::string(e.encoding);
  }
  for (const Entry& e : kPrefix) {
    if (base::StartsWith(m, e.name)) return std::string(e.encoding);
  }
  return absl::NotFoundError(absl::StrCat("unknown model \"", std::string(model),
                                          "\": no known encoding; name an encoding instead"));
}

std::vector<std::string> BuiltinEncodingNames() {
  return {"o200k_base", "o200k_harmony", "cl100k_base"};
}

Encoding::Encoding() = default;
Encoding::~Encoding() = default;

int64_t Encoding::eot_token() const {
  auto it = spec_.special_tokens.find("<|endoftext|>");
  return it == spec_.special_tokens.end() ? -1 : static_cast<int64_t>(it->second);
}

size_t Encoding::n_ranks() const { return vocab_->n_present(); }

absl::StatusOr<std::shared_ptr<const Encoding>> Encoding::Make(std::unique_ptr<Vocab> vocab,
                                                               const EncodingSpec& spec) {
  // An empty pattern would compile, match nothing and silently count every text as 0 tokens.
  if (spec.name.empty()) return absl::InvalidArgumentError("an encoding needs a name");
  if (spec.pattern.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("encoding ", spec.name, " has no split pattern"));
  }
  auto enc = std::shared_ptr<Encoding>(new Encoding());
  enc->spec_ = spec;
  enc->pattern_kind_ = encoding_internal::ClassifyPattern(spec.pattern);
  auto pt = Pretokenizer::Make(enc->pattern_kind_, spec.pattern);
  if (!pt.ok()) return pt.status();
  enc->pretokenizer_ = std::move(*pt);
  uint32_t n_vocab = vocab->size();
  for (const auto& [text, id] : spec.special_tokens) {
    if (text.empty()) return absl::InvalidArgumentError("a special token has empty text");
    // A special id that is also an ordinary token would decode to the ordinary token's bytes,
    // so encode/decode would no longer round-trip.
    if (vocab->Has(id)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "special token ", text, " has id ", id, ", which is already an ordinary token of ",
          spec.name, "; special ids must lie outside the ranks"));
    }
    if (id == 0xFFFFFFFFu) {
      return absl::InvalidArgumentError(
          absl::StrCat("special token ", text, " has id ", id, ", above the largest allowed"));
    }
    n_vocab = std::max(n_vocab, id + 1);
    enc->special_by_id_.emplace(id, text);
    if (enc->special_first_bytes_.find(text[0]) == std::string::npos) {
      enc->special_first_bytes_.push_back(text[0]);
    }
  }
  if (spec.explicit_n_vocab != 0 && spec.explicit_n_vocab != n_vocab) {
    return absl::InvalidArgumentError(
        absl::StrCat("encoding ", spec.name, " declares ", spec.explicit_n_vocab,
                     " tokens but its ranks and special tokens make ", n_vocab));
  }
  enc->n_vocab_ = n_vocab;
  enc->vocab_ = std::move(vocab);
  return std::shared_ptr<const Encoding>(std::move(enc));
}

absl::StatusOr<std::shared_ptr<const Encoding>> Encoding::Get(std::string_view name) {
  struct Slot {
    std::once_flag once;
    absl::StatusOr<std::shared_ptr<const Encoding>> value = absl::UnknownError("unset");
  };
  static Slot o200k, o200k_harmony, cl100k;
  Slot* slot = nullptr;
  std::string_view data;
  if (name == "o200k_base") {
    slot = &o200k;
    data = encoding_internal::EmbeddedO200kBase();
  } else if (name == "o200k_harmony") {
    slot = &o200k_harmony;
    data = encoding_internal::EmbeddedO200kBase();
  } else if (name == "cl100k_base") {
    slot = &cl100k;
    data = encoding_internal::EmbeddedCl100kBase();
  } else {
    if (KnownEncodingSpec(name).ok()) {
      return absl::NotFoundError(absl::StrCat(
          "encoding \"", std::string(name),
          "\" is not built in; load its .tiktoken rank file (Encoding::FromTiktokenFile, "
          "tokwise_encoding_from_file, tokwise.Encoding.from_tiktoken_file or "
          "tokwise count --tiktoken FILE)"));
    }
    return absl::NotFoundError(absl::StrCat("unknown encoding \"", std::string(name), "\""));
  }
  std::call_once(slot->once, [&] {
    auto vocab = Vocab::FromSerialized(data);
    if (!vocab.ok()) {
      slot->value = vocab.status();
      return;
    }
    slot->value = Make(std::move(*vocab), *KnownEncodingSpec(name));
  });
  return slot->value;
}

absl::StatusOr<std::shared_ptr<const Encoding>> Encoding::ForModel(std::string_view model) {
  auto name = EncodingNameForModel(model);
  if (!name.ok()) return name.status();
  return Get(*name);
}

absl::StatusOr<std::shared_ptr<const Encoding>> Encoding::FromTiktokenBytes(
    std::string_view data, const EncodingSpec& spec) {
  auto vocab = Vocab::FromTiktoken(data);
  if (!vocab.ok()) {
    ErrorDetails d;
    d.reason = ErrorReason::kInvalidData;
    return WithErrorDetails(vocab.status(), d);
  }
  return Make(std::move(*vocab), spec);
}

absl::StatusOr<std::shared_ptr<const Encoding>> Encoding::FromTiktokenFile(
    const std::string& path, const EncodingSpec& spec) {
  absl::StatusOr<std::string> bytes = base::ReadFile(path);
  if (!bytes.ok()) {
    ErrorDetails io;
    io.reason = ErrorReason::kIo;
    return WithErrorDetails(PrefixErrorMessage(bytes.status(), "rank file "), io);
  }
  auto enc = FromTiktokenBytes(*bytes, spec);
  if (!enc.ok()) return PrefixErrorMessage(enc.status(), absl::StrCat(path, ": "));
  return enc;
}

namespace {

// Finds the leftmost occurrence, at or after `from`, of any special token whose policy is
// `want`; longest on ties. Returns false if none.
bool FindSpecial(std::string_view text, size_t from, const EncodingSpec& spec,
                 const std::string& first_bytes,
                 const std::map<std::string, SpecialPolicy, std::less<>>& overrides,
                 SpecialPolicy default_policy, SpecialPolicy want, size_t* at,
                 const std::string** token) {
  auto policy_of = [&](const std::string& t) {
    auto it = overrides.find(t);
    return it == overrides.end() ? default_policy : it->second;
  };
  for (size_t i = from; i < text.size(); ++i) {
    if (first_bytes.find(text[i]) == std::string::npos) continue;
    const std::string* best = nullptr;
    std::string_view rest = text.substr(i);
    for (const auto& [t, id] : spec.special_tokens) {
      if (t[0] != text[i] || !base::StartsWith(rest, t)) continue;
      if (policy_of(t) != want) continue;
      if (best == nullptr || t.size() > best->size()) best = &t;
    }
    if (best != nullptr) {
      *at = i;
      *token = best;
      return true;
    }
  }
  return false;
}

}  // namespace

template <class Options, class Sink>
absl::Status Encoding::Run(std::string_view text, const Options& options, Sink& sink) const {
  // UTF-8 first: every later step may assume well-formed input.
  std::string repaired;
  size_t bad = encoding_internal::FindInvalidUtf8(text);
  if (bad != text.size()) {
    if (options.invalid_utf8 == InvalidUtf8::kReject) {
      ErrorDetails d;
      d.reason = ErrorReason::kInvalidUtf8;
      d.byte_offset = static_cast<int64_t>(bad);
      return WithErrorDetails(
          absl::InvalidArgumentError(
              absl::StrCat("invalid UTF-8 at byte offset ", bad, " (byte 0x",
                           absl::Hex(static_cast<uint8_t>(text[bad]), absl::kZeroPad2), ")")),
          d);
    }
    repaired = encoding_internal::ReplaceInvalidUtf8(text);
    text = repaired;
  }

  bool any_reject = options.special == SpecialPolicy::kReject;
  bool any_recognize = options.special == SpecialPolicy::kRecognize;
  for (const auto& [t, p] : options.special_overrides) {
    if (spec_.special_tokens.find(t) == spec_.special_tokens.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", t, "\" is not a special token of ", spec_.name));
    }
    any_reject |= p == SpecialPolicy::kReject;
    any_recognize |= p == SpecialPolicy::kRecognize;
  }
  if (spec_.special_tokens.empty()) any_reject = any_recognize = false;

  if (any_reject) {
    size_t at;
    const std::string* tok;
    if (FindSpecial(text, 0, spec_, special_first_bytes_, options.special_overrides,
                    options.special, SpecialPolicy::kReject, &at, &tok)) {
      ErrorDetails d;
      d.reason = ErrorReason::kSpecialToken;
      d.byte_offset = static_cast<int64_t>(at);
      d.token = *tok;
      return WithErrorDetails(
          absl::InvalidArgumentError(absl::StrCat(
              "special token ", *tok, " at byte offset ", at,
              " is not allowed; encode it as text or allow it as a special token")),
          d);
    }
  }

  MergeScratch scratch;
  auto ordinary = [&](std::string_view part) {
    const uint8_t* s = reinterpret_cast<const uint8_t*>(part.data());
    return pretokenizer_->Split(s, part.size(), [&](size_t b, size_t e) {
      encoding_internal::EncodePiece(*vocab_, s + b, e - b, scratch, sink, s + part.size());
    });
  };
  if (!any_recognize) return ordinary(text);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t at;
    const std::string* tok;
    if (!FindSpecial(text, pos, spec_, special_first_bytes_, options.special_overrides,
                     options.special, SpecialPolicy::kRecognize, &at, &tok)) {
      break;
    }
    absl::Status st = ordinary(text.substr(pos, at - pos));
    if (!st.ok()) return st;
    sink(spec_.special_tokens.find(*tok)->second);
    pos = at + tok->size();
  }
  return ordinary(text.substr(pos));
}

absl::StatusOr<std::vector<TokenId>> Encoding::EncodeOrdinary(std::string_view text,
                                                              InvalidUtf8 invalid_utf8) const {
  EncodeOptions options;
  options.special = SpecialPolicy::kAsText;
  options.invalid_utf8 = invalid_utf8;
  return Encode(text, options);
}

absl::StatusOr<std::vector<TokenId>> Encoding::Encode(std::string_view text,
                                                      const EncodeOptions& options) const {
  std::vector<TokenId> ids;
  // Most text runs 3-5 bytes a token: reserving a quarter avoids most regrowth.
  ids.reserve(text.size() / 4 + 8);
  auto sink = [&ids](TokenId id) { ids.push_back(id); };
  absl::Status st = Run(text, options, sink);
  if (!st.ok()) return st;
  return ids;
}

absl::StatusOr<size_t> Encoding::Count(std::string_view text, const CountOptions& options) const {
  size_t n = 0;
  auto sink = [&n](TokenId) { ++n; };
  absl::Status st = Run(text, options, sink);
  if (!st.ok()) return st;
  return n;
}

absl::StatusOr<std::string> Encoding::Decode(absl::Span<const TokenId> ids) const {
  std::string out;
  out.reserve(ids.size() * 4);
  for (size_t i = 0; i < ids.size(); ++i) {
    TokenId id = ids[i];
    if (vocab_->Has(id)) {
      out.append(vocab_->TokenBytes(id));
      continue;
    }
    auto it = special_by_id_.find(id);
    if (it == special_by_id_.end()) {
      ErrorDetails d;
      d.reason = ErrorReason::kUnknownToken;
      d.index = static_cast<int64_t>(i);
      return WithErrorDetails(absl::InvalidArgumentError(absl::StrCat(
                                  "token id ", id, " at index ", i, " is not in ", spec_.name)),
                              d);
    }
    out.append(it->second);
  }
  return out;
}

absl::StatusOr<std::string> Encoding::DecodeToken(TokenId id) const {
  TokenId one[1] = {id};
  return Decode(one);
}

absl::StatusOr<TokenId> Encoding::EncodeSingleToken(std::string_view bytes) const {
  uint32_t r = vocab_->Lookup(bytes);
  if (r != encoding_internal::kNoRank) return r;
  auto it = spec_.special_tokens.find(bytes);
  if (it != spec_.special_tokens.end()) return it->second;
  ErrorDetails d;
  d.reason = ErrorReason::kUnknownToken;
  return WithErrorDetails(
      absl::NotFoundError(absl::StrCat("the ", bytes.size(), " bytes are not a single token of ",
                                       spec_.name)),
      d);
}

}  // namespace tokwise
