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
  return absl::InvalidArgumentError(absl::StrCat("SentencePiece model: byte offset ", offset, ": ",
                                                 std::string(what)));
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

absl::Status CheckPiece(std::string_view msg, size_t base, size_t index) {
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
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckSentencePieceModel(std::string_view data) {
  if (data.empty()) return Bad(0, "the file is empty");
  if (data.size() > kMaxSpmFileBytes) {
    return Bad(0, absl::StrCat("the file has ", data.size(), " bytes; the limit is ",
                               kMaxSpmFileBytes));
  }
  Reader r(data, 0);
  size_t pieces = 0;
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
        if (++pieces > kMaxSpmPieces) {
          return Bad(at, absl::StrCat("more than ", kMaxSpmPieces, " pieces"));
        }
        absl::Status st = CheckPiece(msg, body, pieces - 1);
        if (!st.ok()) return st;
      }
      continue;
    }
    if (!SkipValue(r, wire)) {
      return Bad(at, absl::StrCat("malformed field ", field, ": not a SentencePiece model"));
    }
  }
  if (pieces == 0) return Bad(0, "no pieces: not a SentencePiece model");
  return absl::OkStatus();
}

}  // namespace tokwise::encoding_internal
