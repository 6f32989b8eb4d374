#include "tokwise/tokenizer.h"


#include <cctype>
#include <cmath>
#include <cstdio>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/file.h"
#include "encoding/hf_tokenizer.h"
#include "encoding/normalizer.h"
#include "encoding/spm_backend.h"
#include "encoding/spm_check.h"
#include "encoding/unicode.h"
#include "encoding/vocab.h"

namespace tokwise {

using encoding_internal::HfEncodeOptions;
using encoding_internal::HfTokenizer;
using encoding_internal::SpmBackend;

namespace {

absl::Status WithPath(const absl::Status& st, const std::string& path) {
  return absl::Status(st.code(), absl::StrCat(path, ": ", st.message()));
}

// Validates (or repairs) UTF-8 for families whose engines need valid input first.
absl::StatusOr<std::string_view> CheckUtf8(std::string_view text, InvalidUtf8 policy,
                                           std::string* repaired) {
  size_t bad = encoding_internal::FindInvalidUtf8(text);
  if (bad == text.size()) return text;
  if (policy == InvalidUtf8::kReject) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid UTF-8 at byte offset ", bad, " (byte 0x",
                     absl::Hex(static_cast<uint8_t>(text[bad]), absl::kZeroPad2), ")"));
  }
  *repaired = encoding_internal::ReplaceInvalidUtf8(text);
  return std::string_view(*repaired);
}

TokenCount ExactCount(uint64_t n) { return TokenCount{n, Exactness::kExact, n, n}; }

// An engine's count (or its error) as an exact TokenCount.
template <class N>
absl::StatusOr<TokenCount> ExactCount(const absl::StatusOr<N>& n) {
  if (!n.ok()) return n.status();
  return ExactCount(*n);
}

// The options every engine takes from TokenizeOptions (EncodeOptions, CountOptions,
// HfEncodeOptions): the special-token policy, `unset` when the caller gave none, and the
// invalid-UTF-8 policy.
template <class EngineOptions>
EngineOptions EngineOptionsFor(const TokenizeOptions& options, SpecialPolicy unset) {
  EngineOptions o;
  o.special = options.special.value_or(unset);
  o.invalid_utf8 = options.invalid_utf8;
  return o;
}

// ---- tiktoken encodings ----

class EncodingTokenizer : public Tokenizer {
 public:
  explicit EncodingTokenizer(std::shared_ptr<const Encoding> enc)
      : Tokenizer(enc->name(), TokenizerKind::kTiktoken, Exactness::kExact), enc_(std::move(enc)) {}

  absl::StatusOr<std::vector<TokenId>> Encode(std::string_view text,
                                              const TokenizeOptions& options) const override {
    return enc_->Encode(text, EngineOptionsFor<EncodeOptions>(options, SpecialPolicy::kAsText));
  }
  absl::StatusOr<TokenCount> Count(std::string_view text,
                                   const TokenizeOptions& options) const override {
    return ExactCount(
        enc_->Count(text, EngineOptionsFor<CountOptions>(options, SpecialPolicy::kAsText)));
  }
  absl::StatusOr<std::string> Decode(absl::Span<const TokenId> ids) const override {
    return enc_->Decode(ids);
  }
  uint32_t vocab_size() const override { return enc_->n_vocab(); }

 private:
  std::shared_ptr<const Encoding> enc_;
};

// ---- tokenizer.json ----

class HfJsonTokenizer : public Tokenizer {
 public:
  HfJsonTokenizer(std::string name, std::unique_ptr<HfTokenizer> hf)
      : Tokenizer(std::move(name), TokenizerKind::kHuggingFace, Exactness::kExact),
        hf_(std::move(hf)) {}

  absl::StatusOr<std::vector<TokenId>> Encode(std::string_view text,
                                              const TokenizeOptions& options) const override {
    return hf_->Encode(text, Convert(options));
  }
  absl::StatusOr<TokenCount> Count(std::string_view text,
                                   const TokenizeOptions& options) const override {
    return ExactCount(hf_->Count(text, Convert(options)));
  }
  absl::StatusOr<std::string> Decode(absl::Span<const TokenId> ids) const override {
    return hf_->Decode(ids);
  }
  uint32_t vocab_size() const override { return hf_->vocab_size(); }

 private:
  static HfEncodeOptions Convert(const TokenizeOptions& options) {
    HfEncodeOptions o = EngineOptionsFor<HfEncodeOptions>(options, SpecialPolicy::kRecognize);
    o.add_special_tokens = options.add_special_tokens;
    return o;
  }
  std::unique_ptr<HfTokenizer> hf_;
};

// ---- SentencePiece ----

class SpmTokenizer : public Tokenizer {
 public:
  SpmTokenizer(std::string name, std::unique_ptr<SpmBackend> sp, std::unique_ptr<HfTokenizer> fast,
               const SentencePieceOptions& o)
      : Tokenizer(std::move(name), TokenizerKind::kSentencePiece, Exactness::kExact),
        sp_(std::move(sp)),
        fast_(std::move(fast)),
        options_(o) {}

  absl::StatusOr<std::vector<TokenId>> Encode(std::string_view text,
                                              const TokenizeOptions& options) const override {
    if (options.special.value_or(SpecialPolicy::kAsText) != SpecialPolicy::kAsText) {
      // SentencePiece has no notion of special-token strings in text: control pieces such as
      // <s> are never produced by encoding.
      return absl::InvalidArgumentError(
          "SentencePiece models encode special-token strings as text only");
    }
    const bool bos = options.add_special_tokens && options_.add_bos && sp_->bos_id() >= 0;
    const bool eos = options.add_special_tokens && options_.add_eos && sp_->eos_id() >= 0;
    std::vector<TokenId> out;
    if (bos) out.push_back(static_cast<TokenId>(sp_->bos_id()));
    if (fast_ != nullptr) {
      auto ids = fast_->Encode(text, FastOptions(options));
      if (!ids.ok()) return ids.status();
      out.insert(out.end(), ids->begin(), ids->end());
    } else {
      std::string repaired;
      auto valid = CheckUtf8(text, options.invalid_utf8, &repaired);
      if (!valid.ok()) return valid.status();
      std::vector<int> ids;
      std::string error;
      if (!sp_->Encode(*valid, &ids, &error)) return absl::InternalError(error);
      out.reserve(ids.size() + 2);
      for (int id : ids) out.push_back(static_cast<TokenId>(id));
    }
    if (eos) out.push_back(static_cast<TokenId>(sp_->eos_id()));
    return out;
  }
  absl::StatusOr<TokenCount> Count(std::string_view text,
                                   const TokenizeOptions& options) const override {
    if (fast_ != nullptr) {
      if (options.special.value_or(SpecialPolicy::kAsText) != SpecialPolicy::kAsText) {
        return absl::InvalidArgumentError(
            "SentencePiece models encode special-token strings as text only");
      }
      auto n = fast_->Count(text, FastOptions(options));
      if (!n.ok()) return n.status();
      uint64_t extra = 0;
      if (options.add_special_tokens && options_.add_bos && sp_->bos_id() >= 0) ++extra;
      if (options.add_special_tokens && options_.add_eos && sp_->eos_id() >= 0) ++extra;
      return ExactCount(*n + extra);
    }
    auto ids = Encode(text, options);
    if (!ids.ok()) return ids.status();
    return ExactCount(ids->size());
  }

  // Whether this model runs on tokwise's own BPE path (else on libsentencepiece).
  bool fast() const { return fast_ != nullptr; }
  absl::StatusOr<std::string> Decode(absl::Span<const TokenId> ids) const override {
    std::vector<int> in;
    in.reserve(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] >= static_cast<TokenId>(sp_->piece_size())) {
        return absl::InvalidArgumentError(
            absl::StrCat("token id ", ids[i], " at index ", i, " is not in ", name()));
      }
      in.push_back(static_cast<int>(ids[i]));
    }
    std::string text, error;
    if (!sp_->Decode(in, &text, &error)) return absl::InternalError(error);
    return text;
  }
  uint32_t vocab_size() const override { return static_cast<uint32_t>(sp_->piece_size()); }

 private:
  static HfEncodeOptions FastOptions(const TokenizeOptions& options) {
    HfEncodeOptions o;
    o.special = SpecialPolicy::kAsText;  // User-defined pieces are not special: still matched.
    o.invalid_utf8 = options.invalid_utf8;
    return o;
  }
  std::unique_ptr<SpmBackend> sp_;
  std::unique_ptr<HfTokenizer> fast_;  // tokwise's own path, when the model allows it.
  SentencePieceOptions options_;
};

// ---- The legacy Claude tokenizer ----

class ClaudeLegacyTokenizer : public Tokenizer {
 public:
  explicit ClaudeLegacyTokenizer(std::shared_ptr<const Encoding> enc)
      : Tokenizer("claude_legacy", TokenizerKind::kClaudeLegacy, Exactness::kExact),
        enc_(std::move(enc)) {}

  absl::StatusOr<std::vector<TokenId>> Encode(std::string_view text,
                                              const TokenizeOptions& options) const override {
    std::string repaired;
    auto valid = CheckUtf8(text, options.invalid_utf8, &repaired);
    if (!valid.ok()) return valid.status();
    // @anthropic-ai/tokenizer: encode(text.normalize("NFKC"), allowed_special="all").
    std::string nfkc = encoding_internal::Normalize(*valid, encoding_internal::NormalForm::kNfkc);
    EncodeOptions eo;
    eo.special = options.special.value_or(SpecialPolicy::kRecognize);
    return enc_->Encode(nfkc, eo);
  }
  absl::StatusOr<TokenCount> Count(std::string_view text,
                                   const TokenizeOptions& options) const override {
    std::string repaired;
    auto valid = CheckUtf8(text, options.invalid_utf8, &repaired);
    if (!valid.ok()) return valid.status();
    std::string nfkc = encoding_internal::Normalize(*valid, encoding_internal::NormalForm::kNfkc);
    CountOptions co;
    co.special = options.special.value_or(SpecialPolicy::kRecognize);
    return ExactCount(enc_->Count(nfkc, co));
  }
  absl::StatusOr<std::string> Decode(absl::Span<const TokenId> ids) const override {
    return enc_->Decode(ids);
  }
  uint32_t vocab_size() const override { return enc_->n_vocab(); }

 private:
  std::shared_ptr<const Encoding> enc_;
};

// ---- Estimates ----

class EstimateTokenizer : public Tokenizer {
 public:
  EstimateTokenizer(std::string name, std::shared_ptr<const Encoding> base, double factor,
                    double low, double high, Exactness exactness)
      : Tokenizer(std::move(name), TokenizerKind::kEstimate, exactness),
        base_(std::move(base)),
        factor_(factor),
        low_(low),
        high_(high) {}

  absl::StatusOr<std::vector<TokenId>> Encode(std::string_view,
                                              const TokenizeOptions&) const override {
    return Unavailable();
  }
  absl::StatusOr<TokenCount> Count(std::string_view text,
                                   const TokenizeOptions& options) const override {
    auto n = base_->Count(text, EngineOptionsFor<CountOptions>(options, SpecialPolicy::kAsText));
    if (!n.ok()) return n.status();
    const double base = static_cast<double>(*n);
    TokenCount c;
    c.exactness = exactness();
    c.tokens = static_cast<uint64_t>(std::llround(base * factor_));
    c.low = static_cast<uint64_t>(std::floor(base * low_));
    c.high = static_cast<uint64_t>(std::ceil(base * high_));
    return c;
  }
  absl::StatusOr<std::string> Decode(absl::Span<const TokenId>) const override {
    return Unavailable();
  }
  uint32_t vocab_size() const override { return 0; }

 private:
  absl::Status Unavailable() const {
    return absl::FailedPreconditionError(
        absl::StrCat(name(),
                     " is an estimate: the model's tokenizer is not public, so token ids are not "
                     "available, only counts"));
  }
  std::shared_ptr<const Encoding> base_;
  double factor_, low_, high_;
};

}  // namespace

const char* ExactnessName(Exactness e) {
  switch (e) {
    case Exactness::kExact:
      return "exact";
    case Exactness::kCalibrated:
      return "calibrated";
    case Exactness::kEstimate:
      return "estimate";
  }
  return "?";
}

absl::StatusOr<Exactness> ParseExactness(std::string_view name) {
  if (name == "exact") return Exactness::kExact;
  if (name == "calibrated") return Exactness::kCalibrated;
  if (name == "estimate") return Exactness::kEstimate;
  return absl::InvalidArgumentError(absl::StrCat("unknown exactness \"", std::string(name),
                                                 "\": use exact, calibrated or estimate"));
}

Tokenizer::Tokenizer(std::string name, TokenizerKind kind, Exactness exactness)
    : name_(std::move(name)), kind_(kind), exactness_(exactness) {}
Tokenizer::~Tokenizer() = default;

std::shared_ptr<const Tokenizer> Tokenizer::FromEncoding(std::shared_ptr<const Encoding> enc) {
  return std::make_shared<EncodingTokenizer>(std::move(enc));
}

absl::StatusOr<std::shared_ptr<const Tokenizer>> Tokenizer::FromHfJson(std::string_view data,
                                                                       std::string name) {
  auto hf = HfTokenizer::FromJson(data);
  if (!hf.ok()) return hf.status();
  return std::shared_ptr<const Tokenizer>(
      std::make_shared<HfJsonTokenizer>(std::move(name), std::move(*hf)));
}

absl::StatusOr<std::shared_ptr<const Tokenizer>> Tokenizer::FromHfJsonFile(const std::string& path,
                                                                           std::string name) {
  auto data = base::ReadFile(path);
  if (!data.ok()) return data.status();
  auto hf = HfTokenizer::FromOwnedJson(std::move(*data));
  if (!hf.ok()) return WithPath(hf.status(), path);
  return std::shared_ptr<const Tokenizer>(std::make_shared<HfJsonTokenizer>(
      name.empty() ? "hf:" + path : std::move(name), std::move(*hf)));
}

absl::StatusOr<std::shared_ptr<const Tokenizer>> Tokenizer::FromSentencePiece(
    std::string_view data, std::string name, const SentencePieceOptions& options) {
  auto info = encoding_internal::ParseSentencePieceModel(data);
  if (!info.ok()) return info.status();
  std::string error;
  auto sp = SpmBackend::Load(data, &error);
  if (sp == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("SentencePiece model rejected: ", error));
  }
  // tokwise's own BPE path when the model allows it (BPE, identity normalization); otherwise
  // libsentencepiece encodes. Both give the same ids (tested against libsentencepiece).
  std::unique_ptr<HfTokenizer> fast;
  if (options.own_bpe) {
    auto f = HfTokenizer::FromSentencePieceBpe(*info);
    if (f.ok()) fast = std::move(*f);
  }
  return std::shared_ptr<const Tokenizer>(
      std::make_shared<SpmTokenizer>(std::move(name), std::move(sp), std::move(fast), options));
}

absl::StatusOr<std::shared_ptr<const Tokenizer>> Tokenizer::FromSentencePieceFile(
    const std::string& path, const SentencePieceOptions& options, std::string name) {
  auto data = base::ReadFile(path);
  if (!data.ok()) return data.status();
  auto tok = FromSentencePiece(*data, name.empty() ? "spm:" + path : std::move(name), options);
  if (!tok.ok()) return WithPath(tok.status(), path);
  return tok;
}

absl::StatusOr<std::shared_ptr<const Tokenizer>> Tokenizer::ClaudeLegacyFromTiktoken(
    std::string_view rank_file_data) {
  EncodingSpec spec;
  spec.name = "claude_legacy";
  // The pattern of @anthropic-ai/tokenizer's claude.json (GPT-2's, older form).
  spec.pattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
  spec.special_tokens = {
      {"<EOT>", 0}, {"<META>", 1}, {"<META_START>", 2}, {"<META_END>", 3}, {"<SOS>", 4}};
  auto enc = Encoding::FromTiktokenBytes(rank_file_data, spec);
  if (!enc.ok()) return enc.status();
  return std::shared_ptr<const Tokenizer>(std::make_shared<ClaudeLegacyTokenizer>(*enc));
}

absl::StatusOr<std::shared_ptr<const Tokenizer>> Tokenizer::ClaudeLegacyFromTiktokenFile(
    const std::string& path) {
  auto data = base::ReadFile(path);
  if (!data.ok()) return data.status();
  auto tok = ClaudeLegacyFromTiktoken(*data);
  if (!tok.ok()) return WithPath(tok.status(), path);
  return tok;
}

absl::StatusOr<std::shared_ptr<const Tokenizer>> Tokenizer::FromFile(const std::string& path) {
  auto data = base::ReadFile(path);
  if (!data.ok()) return data.status();
  size_t i = 0;
  while (i < data->size() && std::isspace(static_cast<unsigned char>((*data)[i]))) ++i;
  absl::StatusOr<std::shared_ptr<const Tokenizer>> tok;
  if (i < data->size() && (*data)[i] == '{') {
    tok = FromHfJson(*data, "hf:" + path);
  } else {
    tok = FromSentencePiece(*data, "spm:" + path);
  }
  if (!tok.ok()) return WithPath(tok.status(), path);
  return tok;
}

absl::StatusOr<std::shared_ptr<const Tokenizer>> Tokenizer::Estimate(
    std::string name, std::shared_ptr<const Encoding> base, double factor, double low_factor,
    double high_factor, Exactness exactness) {
  if (base == nullptr) return absl::InvalidArgumentError("an estimate needs a base encoding");
  if (!(low_factor > 0 && low_factor <= factor && factor <= high_factor) ||
      !std::isfinite(high_factor)) {
    return absl::InvalidArgumentError(
        absl::StrCat("estimate ", name, ": need 0 < low <= factor <= high, got ", low_factor,
                     " <= ", factor, " <= ", high_factor));
  }
  if (exactness == Exactness::kExact) {
    return absl::InvalidArgumentError(
        absl::StrCat("estimate ", name, ": an estimate cannot be labelled exact"));
  }
  return std::shared_ptr<const Tokenizer>(std::make_shared<EstimateTokenizer>(
      std::move(name), std::move(base), factor, low_factor, high_factor, exactness));
}

}  // namespace tokwise
