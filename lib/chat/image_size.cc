// Image dimensions from file headers, and the providers' image token rules.
//
// Only the bytes that hold the size are read: 24 for PNG, 10 for GIF, 30 for WebP, and for
// JPEG the segment headers up to the first SOFn marker. From base64 those bytes are decoded
// in place (base64 maps byte k to characters 4*(k/3)...), so a 5 MB data URL costs a few
// dozen decoded bytes, not a pass over the whole payload.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "chat/media.h"
#include "tokwise/chat.h"

namespace tokwise {
namespace {

// Random access to the bytes of a file, either raw or base64-encoded.
class ByteSource {
 public:
  static ByteSource Raw(std::string_view bytes) { return ByteSource(bytes, false); }
  static ByteSource Base64(std::string_view text) { return ByteSource(text, true); }

  // Copies bytes [offset, offset + n) to `out`. OutOfRange if the source ends first;
  // InvalidArgument for a character outside the base64 alphabet.
  absl::Status Read(uint64_t offset, size_t n, uint8_t* out) {
    if (!base64_) {
      if (offset + n > text_.size()) return Short(offset + n);
      std::memcpy(out, text_.data() + offset, n);
      return absl::OkStatus();
    }
    // Characters [first_char, last_char) hold the wanted bytes.
    const uint64_t first_group = offset / 3;
    const uint64_t last_group = (offset + n + 2) / 3;
    const uint64_t end_char = last_group * 4;
    if (absl::Status s = EnsureCompact(end_char); !s.ok()) return s;
    uint8_t decoded[3];
    for (uint64_t g = first_group; g < last_group; ++g) {
      int got = 0;
      if (absl::Status s = DecodeGroup(g, decoded, &got); !s.ok()) return s;
      for (int i = 0; i < got; ++i) {
        const uint64_t pos = g * 3 + i;
        if (pos >= offset && pos < offset + n) out[pos - offset] = decoded[i];
      }
      if (got < 3 && g * 3 + got < offset + n) return Short(offset + n);
    }
    return absl::OkStatus();
  }

 private:
  ByteSource(std::string_view text, bool base64) : text_(text), base64_(base64) {}

  static absl::Status Short(uint64_t needed) {
    return absl::OutOfRangeError(
        absl::StrCat("image data ends before its size field (needs ", needed, " bytes)"));
  }

  static int Value(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;  // Standard and URL-safe alphabets.
    if (c == '/' || c == '_') return 63;
    return -1;
  }

  static bool IsSpace(unsigned char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

  // Random access needs a payload without whitespace. Check the characters we are about to
  // use; if MIME-style line breaks appear, strip all whitespace once and use that copy.
  absl::Status EnsureCompact(uint64_t end_char) {
    if (compact_ != nullptr) return absl::OkStatus();
    const uint64_t limit = std::min<uint64_t>(end_char, text_.size());
    for (; checked_ < limit; ++checked_) {
      if (IsSpace(static_cast<unsigned char>(text_[checked_]))) {
        owned_.reserve(text_.size());
        for (char c : text_) {
          if (!IsSpace(static_cast<unsigned char>(c))) owned_.push_back(c);
        }
        compact_ = &owned_;
        text_ = owned_;
        return absl::OkStatus();
      }
    }
    return absl::OkStatus();
  }

  // Decodes 4-character group `g` into up to 3 bytes (fewer at the end or before padding).
  absl::Status DecodeGroup(uint64_t g, uint8_t out[3], int* got) {
    uint32_t acc = 0;
    int chars = 0;
    for (int i = 0; i < 4; ++i) {
      const uint64_t pos = g * 4 + i;
      if (pos >= text_.size() || text_[pos] == '=') break;
      const int v = Value(static_cast<unsigned char>(text_[pos]));
      if (v < 0) {
        return absl::InvalidArgumentError(absl::StrCat("invalid base64 character at offset ", pos));
      }
      acc |= static_cast<uint32_t>(v) << (18 - 6 * i);
      ++chars;
    }
    *got = chars <= 1 ? 0 : chars - 1;
    out[0] = static_cast<uint8_t>(acc >> 16);
    out[1] = static_cast<uint8_t>(acc >> 8);
    out[2] = static_cast<uint8_t>(acc);
    return absl::OkStatus();
  }

  std::string_view text_;
  bool base64_;
  uint64_t checked_ = 0;
  std::string owned_;
  const std::string* compact_ = nullptr;
};

uint32_t Be16(const uint8_t* p) { return (uint32_t{p[0]} << 8) | p[1]; }
uint32_t Be32(const uint8_t* p) { return (Be16(p) << 16) | Be16(p + 2); }
uint32_t Le16(const uint8_t* p) { return uint32_t{p[0]} | (uint32_t{p[1]} << 8); }
uint32_t Le24(const uint8_t* p) { return Le16(p) | (uint32_t{p[2]} << 16); }
uint32_t Le32(const uint8_t* p) { return Le24(p) | (uint32_t{p[3]} << 24); }

absl::StatusOr<ImageSize> Checked(uint32_t w, uint32_t h, const char* format) {
  if (w == 0 || h == 0) {
    return absl::InvalidArgumentError(absl::StrCat(format, " header gives a zero size"));
  }
  return ImageSize{w, h};
}

// PNG: signature, then the IHDR chunk: length, "IHDR", width and height big-endian.
absl::StatusOr<ImageSize> PngSize(ByteSource& src) {
  uint8_t b[24];
  if (absl::Status s = src.Read(0, 24, b); !s.ok()) return s;
  if (std::memcmp(b + 12, "IHDR", 4) != 0) {
    return absl::InvalidArgumentError("PNG without an IHDR chunk first");
  }
  return Checked(Be32(b + 16), Be32(b + 20), "PNG");
}

// GIF: "GIF87a" / "GIF89a", then the logical screen width and height, little-endian.
absl::StatusOr<ImageSize> GifSize(ByteSource& src) {
  uint8_t b[10];
  if (absl::Status s = src.Read(0, 10, b); !s.ok()) return s;
  return Checked(Le16(b + 6), Le16(b + 8), "GIF");
}

// WebP: RIFF container; the first chunk says which bitstream follows.
absl::StatusOr<ImageSize> WebpSize(ByteSource& src) {
  uint8_t b[30];
  if (absl::Status s = src.Read(0, 30, b); !s.ok()) return s;
  if (std::memcmp(b + 12, "VP8 ", 4) == 0) {
    // Lossy: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height.
    if (b[23] != 0x9d || b[24] != 0x01 || b[25] != 0x2a) {
      return absl::InvalidArgumentError("WebP VP8 frame without its start code");
    }
    return Checked(Le16(b + 26) & 0x3fff, Le16(b + 28) & 0x3fff, "WebP");
  }
  if (std::memcmp(b + 12, "VP8L", 4) == 0) {
    // Lossless: signature 0x2F, then width-1 and height-1 in 14 bits each.
    if (b[20] != 0x2f) return absl::InvalidArgumentError("WebP VP8L without its signature");
    const uint32_t bits = Le32(b + 21);
    return Checked((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1, "WebP");
  }
  if (std::memcmp(b + 12, "VP8X", 4) == 0) {
    // Extended: flags, 3 reserved bytes, canvas width-1 and height-1 in 24 bits each.
    return Checked(Le24(b + 24) + 1, Le24(b + 27) + 1, "WebP");
  }
  return absl::InvalidArgumentError("WebP with an unknown first chunk");
}

// JPEG: walk the marker segments from SOI to the first start-of-frame (baseline, extended,
// progressive, lossless, arithmetic: C0-C3, C5-C7, C9-CB, CD-CF). Only the 2-4 header bytes
// of each segment are read. EXIF orientation is ignored: both providers' rules give the same
// count for w x h and h x w.
absl::StatusOr<ImageSize> JpegSize(ByteSource& src) {
  uint64_t pos = 2;
  for (int segments = 0; segments < 100000; ++segments) {
    uint8_t m[2];
    if (absl::Status s = src.Read(pos, 2, m); !s.ok()) return s;
    if (m[0] != 0xff) {
      return absl::InvalidArgumentError(absl::StrCat("JPEG: no marker at byte ", pos));
    }
    if (m[1] == 0xff) {  // Fill byte before a marker.
      pos += 1;
      continue;
    }
    const uint8_t marker = m[1];
    pos += 2;
    if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;  // No length.
    if (marker == 0xd9 || marker == 0xda) {
      return absl::InvalidArgumentError("JPEG: image data starts before any frame header");
    }
    const bool sof =
        marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
    uint8_t h[7];
    if (absl::Status s = src.Read(pos, sof ? 7 : 2, h); !s.ok()) return s;
    const uint32_t length = Be16(h);
    if (length < 2) return absl::InvalidArgumentError("JPEG: segment length below 2");
    if (sof) {
      if (Be16(h + 3) == 0) {
        return absl::InvalidArgumentError("JPEG: height given later by a DNL marker");
      }
      return Checked(Be16(h + 5), Be16(h + 3), "JPEG");
    }
    pos += length;
  }
  return absl::InvalidArgumentError("JPEG: too many segments before the frame header");
}

absl::StatusOr<ImageSize> SizeOf(ByteSource& src) {
  uint8_t head[12];
  // Short files still deserve a format diagnosis: read what is there, at least 2 bytes.
  if (absl::Status s = src.Read(0, 2, head); !s.ok()) return s;
  if (head[0] == 0xff && head[1] == 0xd8) return JpegSize(src);
  if (absl::Status s = src.Read(0, 12, head); !s.ok()) {
    if (s.code() != absl::StatusCode::kOutOfRange) return s;
    return absl::InvalidArgumentError("image data too short to be PNG, GIF or WebP");
  }
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
  if (std::memcmp(head, kPng, 8) == 0) return PngSize(src);
  if (std::memcmp(head, "GIF87a", 6) == 0 || std::memcmp(head, "GIF89a", 6) == 0) {
    return GifSize(src);
  }
  if (std::memcmp(head, "RIFF", 4) == 0 && std::memcmp(head + 8, "WEBP", 4) == 0) {
    return WebpSize(src);
  }
  return absl::InvalidArgumentError("image data is not PNG, JPEG, GIF or WebP");
}

}  // namespace

namespace chat_internal {

absl::StatusOr<double> WavSecondsFromBase64(std::string_view base64) {
  ByteSource src = ByteSource::Base64(base64);
  uint8_t head[12];
  if (absl::Status s = src.Read(0, 12, head); !s.ok()) return s;
  if (std::memcmp(head, "RIFF", 4) != 0 || std::memcmp(head + 8, "WAVE", 4) != 0) {
    return absl::InvalidArgumentError("audio data is not a WAV (RIFF/WAVE) file");
  }
  uint64_t pos = 12;
  uint32_t byte_rate = 0;
  for (int chunks = 0; chunks < 1000; ++chunks) {
    uint8_t h[8];
    if (absl::Status s = src.Read(pos, 8, h); !s.ok()) return s;
    const uint32_t size = Le32(h + 4);
    if (std::memcmp(h, "fmt ", 4) == 0) {
      uint8_t fmt[12];
      if (absl::Status s = src.Read(pos + 8, 12, fmt); !s.ok()) return s;
      byte_rate = Le32(fmt + 8);
    } else if (std::memcmp(h, "data", 4) == 0) {
      if (byte_rate == 0) return absl::InvalidArgumentError("WAV data before a valid fmt chunk");
      uint64_t data_size = size;
      // Streamed WAVs leave the size at 0 or 0xFFFFFFFF: use what the payload holds.
      const uint64_t payload = base64.size() / 4 * 3;
      if (size == 0 || size == 0xffffffffu) data_size = payload > pos + 8 ? payload - pos - 8 : 0;
      return static_cast<double>(data_size) / byte_rate;
    }
    pos += 8 + size + (size & 1);  // Chunks are padded to an even size.
  }
  return absl::InvalidArgumentError("WAV without a data chunk");
}

}  // namespace chat_internal

absl::StatusOr<ImageSize> ImageSizeFromBytes(std::string_view bytes) {
  ByteSource src = ByteSource::Raw(bytes);
  return SizeOf(src);
}

absl::StatusOr<ImageSize> ImageSizeFromBase64(std::string_view base64) {
  ByteSource src = ByteSource::Base64(base64);
  return SizeOf(src);
}

uint64_t OpenAIImageTokens(uint32_t width, uint32_t height, ImageDetail detail, uint32_t base,
                           uint32_t tile) {
  if (detail == ImageDetail::kLow) return base;
  // Scaled sizes are truncated to whole pixels, as an image resize produces them; the
  // documented examples (1024x1024 -> 765, 2048x4096 -> 1105, 4096x4096 -> 765) are exact
  // either way.
  double w = width, h = height;
  if (std::max(w, h) > 2048) {
    const double s = 2048.0 / std::max(w, h);
    w = std::floor(w * s);
    h = std::floor(h * s);
  }
  if (std::min(w, h) > 768) {
    const double s = 768.0 / std::min(w, h);
    w = std::floor(w * s);
    h = std::floor(h * s);
  }
  const uint64_t tiles_w = static_cast<uint64_t>(std::ceil(std::max(w, 1.0) / 512.0));
  const uint64_t tiles_h = static_cast<uint64_t>(std::ceil(std::max(h, 1.0) / 512.0));
  return base + uint64_t{tile} * tiles_w * tiles_h;
}

// TODO: Anthropic's current vision guide describes images as 28x28-px patches
// (ceil(w / 28) * ceil(h / 28) visual tokens, after padding) with a per-model native
// resolution (Claude Opus 4.7: 2576 px on the long edge, about 3.75 MP). tokwise applies the
// earlier w * h / 750 rule with the 1568-px / ~1600-token limit to every Claude model, which
// under-counts large images on Opus 4.7 by up to about 3x.
uint64_t AnthropicImageTokens(uint32_t width, uint32_t height) {
  // Anthropic's vision guide: an image whose long edge exceeds 1568 px, or that would exceed
  // about 1600 tokens, is first scaled down keeping its aspect ratio; then
  // tokens = width * height / 750 (its examples round up: 200x200 -> ~54).
  constexpr double kMaxEdge = 1568;
  constexpr double kMaxPixels = 1600.0 * 750.0;
  double w = std::max<uint32_t>(width, 1), h = std::max<uint32_t>(height, 1);
  double s = 1;
  if (std::max(w, h) > kMaxEdge) s = kMaxEdge / std::max(w, h);
  if (w * h * s * s > kMaxPixels) s = std::sqrt(kMaxPixels / (w * h));
  if (s < 1) {
    w = std::max(1.0, std::floor(w * s));
    h = std::max(1.0, std::floor(h * s));
  }
  return static_cast<uint64_t>(std::ceil(w * h / 750.0));
}

}  // namespace tokwise
