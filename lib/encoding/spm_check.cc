#include "encoding/spm_check.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "encoding/unicode.h"

namespace tokwise::encoding_internal {
namespace {

// Protobuf wire types.
constexpr int kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5;

class Reader {
 public:
  Reader(std::string_view data, size_t base) : data_(data), base_(base) {}
  bool done() const { return pos_ >= data_.size(); }
  size_t offset() const { return base_ + pos_; }

  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return false;
      uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      *v |= uint64_t{b & 0x7Fu} << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool Bytes(size_t n, std::string_view* out) {
    if (n > data_.size() - pos_) return false;
    *out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool Skip(size_t n) {
    std::string_view ignored;
    return Bytes(n, &ignored);
  }

 private:
  std::string_view data_;
  size_t base_;
  size_t pos_ = 0;
};

absl::Status Bad(size_t offset, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("SentencePiece model: byte offset ", offset, ": ", std::string(what)));
}

// Skips a field's value of the given wire type; false if it runs past the end.
bool SkipValue(Reader& r, int wire) {
  uint64_t v;
  switch (wire) {
    case kVarint:
      return r.Varint(&v);
    case kFixed64:
      return r.Skip(8);
    case kLen:
      return r.Varint(&v) && r.Skip(v);
    case kFixed32:
      return r.Skip(4);
    default:
      return false;  // Groups (3, 4) and unknown wire types do not occur in a ModelProto.
  }
}

absl::Status CheckPiece(std::string_view msg, size_t base, size_t index, SpmPiece* out) {
  Reader r(msg, base);
  bool has_piece = false;
  std::string_view piece;
  uint64_t type = 1;  // NORMAL.
  const std::string who = absl::StrCat("piece #", index);
  while (!r.done()) {
    size_t at = r.offset();
    uint64_t tag;
    if (!r.Varint(&tag)) return Bad(at, who + ": truncated field tag");
    int wire = static_cast<int>(tag & 7);
    uint64_t field = tag >> 3;
    if (field == 1 && wire == kLen) {
      uint64_t n;
      if (!r.Varint(&n)) return Bad(at, who + ": truncated length");
      if (n > kMaxSpmPieceBytes) {
        return Bad(at, absl::StrCat(who, ": text of ", n, " bytes exceeds the limit of ",
                                    kMaxSpmPieceBytes));
      }
      if (!r.Bytes(n, &piece)) return Bad(at, who + ": text runs past the end of the file");
      has_piece = true;
    } else if (field == 2 && wire == kFixed32) {
      std::string_view raw;
      if (!r.Bytes(4, &raw)) return Bad(at, who + ": truncated score");
      float score;
      std::memcpy(&score, raw.data(), 4);
      if (!std::isfinite(score)) return Bad(at, who + ": score is not a finite number");
      out->score = score;
    } else if (field == 3 && wire == kVarint) {
      if (!r.Varint(&type)) return Bad(at, who + ": truncated type");
      if (type < 1 || type > 6) return Bad(at, absl::StrCat(who, ": unknown type ", type));
    } else if (!SkipValue(r, wire)) {
      return Bad(at, absl::StrCat(who, ": malformed field ", field));
    }
  }
  if (!has_piece || piece.empty()) return Bad(base, who + ": empty piece text");
  if (FindInvalidUtf8(piece) != piece.size()) return Bad(base, who + ": text is not valid UTF-8");
  if (type == 6) {  // BYTE: "<0xNN>".
    auto hex = [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
    };
    if (piece.size() != 6 || piece.substr(0, 3) != "<0x" || piece[5] != '>' || !hex(piece[3]) ||
        !hex(piece[4])) {
      return Bad(base, absl::StrCat(who, ": byte piece is not spelled <0xNN>"));
    }
  }
  out->text = piece;
  out->type = static_cast<int>(type);
  return absl::OkStatus();
}

// Reads the varint and length-delimited fields of a sub-message we need; others are skipped.
// Malformed sub-messages are left to libsentencepiece's parser, which rejects them.
template <class OnVarint, class OnBytes>
void ScanMessage(std::string_view msg, OnVarint on_varint, OnBytes on_bytes) {
  Reader r(msg, 0);
  while (!r.done()) {
    uint64_t tag;
    if (!r.Varint(&tag)) return;
    int wire = static_cast<int>(tag & 7);
    uint64_t field = tag >> 3;
    if (wire == kVarint) {
      uint64_t v;
      if (!r.Varint(&v)) return;
      on_varint(field, v);
    } else if (wire == kLen) {
      uint64_t n;
      std::string_view b;
      if (!r.Varint(&n) || !r.Bytes(n, &b)) return;
      on_bytes(field, b);
    } else if (!SkipValue(r, wire)) {
      return;
    }
  }
}

}  // namespace

absl::Status CheckSentencePieceModel(std::string_view data) {
  return ParseSentencePieceModel(data).status();
}

absl::StatusOr<SpmModelInfo> ParseSentencePieceModel(std::string_view data) {
  if (data.empty()) return Bad(0, "the file is empty");
  if (data.size() > kMaxSpmFileBytes) {
    return Bad(
        0, absl::StrCat("the file has ", data.size(), " bytes; the limit is ", kMaxSpmFileBytes));
  }
  SpmModelInfo info;
  Reader r(data, 0);
  while (!r.done()) {
    size_t at = r.offset();
    uint64_t tag;
    if (!r.Varint(&tag)) return Bad(at, "truncated field tag: not a SentencePiece model");
    int wire = static_cast<int>(tag & 7);
    uint64_t field = tag >> 3;
    if (field == 0) return Bad(at, "field number 0: not a SentencePiece model");
    if (field >= 1 && field <= 5 && wire != kLen) {
      return Bad(at, absl::StrCat("field ", field, " has wire type ", wire,
                                  ": not a SentencePiece model"));
    }
    if (wire == kLen) {
      uint64_t n;
      if (!r.Varint(&n)) return Bad(at, "truncated length: not a SentencePiece model");
      size_t body = r.offset();
      std::string_view msg;
      if (!r.Bytes(n, &msg)) {
        return Bad(at, absl::StrCat("field ", field, " claims ", n,
                                    " bytes, past the end of the file (truncated?)"));
      }
      if (field == 1) {
        if (info.pieces.size() >= kMaxSpmPieces) {
          return Bad(at, absl::StrCat("more than ", kMaxSpmPieces, " pieces"));
        }
        SpmPiece piece;
        absl::Status st = CheckPiece(msg, body, info.pieces.size(), &piece);
        if (!st.ok()) return st;
        info.pieces.push_back(piece);
      } else if (field == 2) {  // TrainerSpec.
        ScanMessage(
            msg,
            [&](uint64_t f, uint64_t v) {
              if (f == 3) info.model_type = static_cast<int>(v);
              if (f == 24) info.treat_whitespace_as_suffix = v != 0;
              if (f == 35) info.byte_fallback = v != 0;
              if (f == 40) info.unk_id = static_cast<int>(v);
            },
            [](uint64_t, std::string_view) {});
      } else if (field == 3) {  // NormalizerSpec.
        ScanMessage(
            msg,
            [&](uint64_t f, uint64_t v) {
              if (f == 3) info.add_dummy_prefix = v != 0;
              if (f == 4) info.remove_extra_whitespaces = v != 0;
              if (f == 5) info.escape_whitespaces = v != 0;
            },
            [&](uint64_t f, std::string_view b) {
              if (f == 1) info.normalizer_name = std::string(b);
              if (f == 2) info.precompiled_charsmap_bytes = b.size();
            });
      }
      continue;
    }
    if (!SkipValue(r, wire)) {
      return Bad(at, absl::StrCat("malformed field ", field, ": not a SentencePiece model"));
    }
  }
  if (info.pieces.empty()) return Bad(0, "no pieces: not a SentencePiece model");
  return info;
}

}  // namespace tokwise::encoding_internal
