// Helpers for the chat tests: image files built byte by byte from their format specifications,
// base64, and JSON string escaping.
#ifndef TOKWISE_TESTS_CHAT_TEST_UTIL_H_
#define TOKWISE_TESTS_CHAT_TEST_UTIL_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "base/json.h"

namespace tokwise::testing {

inline void Put8(std::string* s, uint32_t v) { s->push_back(static_cast<char>(v & 0xff)); }
inline void PutBe16(std::string* s, uint32_t v) { Put8(s, v >> 8), Put8(s, v); }
inline void PutBe32(std::string* s, uint32_t v) { PutBe16(s, v >> 16), PutBe16(s, v); }
inline void PutLe16(std::string* s, uint32_t v) { Put8(s, v), Put8(s, v >> 8); }
inline void PutLe24(std::string* s, uint32_t v) { PutLe16(s, v), Put8(s, v >> 16); }
inline void PutLe32(std::string* s, uint32_t v) { PutLe16(s, v), PutLe16(s, v >> 16); }

// CRC-32 as PNG (ISO 3309 / ITU-T V.42) defines it.
inline uint32_t Crc32(std::string_view data) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xffffffffu;
}

inline void PngChunk(std::string* s, std::string_view type, std::string_view data) {
  PutBe32(s, static_cast<uint32_t>(data.size()));
  std::string body(type);
  body.append(data.data(), data.size());
  s->append(body);
  PutBe32(s, Crc32(body));
}

// PNG (RFC 2083): signature, IHDR (8-bit RGB), one IDAT holding a zlib stream of stored
// (uncompressed) scanlines when the image is small, and IEND. Large images get an empty
// IDAT: their header is what the tests read.
inline std::string Png(uint32_t w, uint32_t h) {
  std::string s("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr;
  PutBe32(&ihdr, w);
  PutBe32(&ihdr, h);
  Put8(&ihdr, 8);  // Bit depth.
  Put8(&ihdr, 2);  // Colour type: truecolour.
  Put8(&ihdr, 0);  // Compression: deflate.
  Put8(&ihdr, 0);  // Filter method.
  Put8(&ihdr, 0);  // No interlace.
  PngChunk(&s, "IHDR", ihdr);
  std::string idat;
  if (w * h <= 64) {
    std::string raw;
    for (uint32_t y = 0; y < h; ++y) {
      raw.push_back(0);  // Filter type none.
      raw.append(3 * w, '\x7f');
    }
    Put8(&idat, 0x78);  // zlib: deflate, 32K window.
    Put8(&idat, 0x01);
    Put8(&idat, 0x01);  // Final stored block.
    PutLe16(&idat, static_cast<uint32_t>(raw.size()));
    PutLe16(&idat, ~static_cast<uint32_t>(raw.size()) & 0xffff);
    idat += raw;
    uint32_t a = 1, b = 0;  // Adler-32.
    for (unsigned char c : raw) a = (a + c) % 65521, b = (b + a) % 65521;
    PutBe32(&idat, (b << 16) | a);
  }
  PngChunk(&s, "IDAT", idat);
  PngChunk(&s, "IEND", "");
  return s;
}

// GIF89a: header, logical screen descriptor with a 2-colour global table, one image
// descriptor, LZW data for a 1x1 image, trailer.
inline std::string Gif(uint32_t w, uint32_t h) {
  std::string s = "GIF89a";
  PutLe16(&s, w);
  PutLe16(&s, h);
  Put8(&s, 0x80);  // Global colour table, 2 entries.
  Put8(&s, 0);     // Background colour.
  Put8(&s, 0);     // Aspect ratio.
  s.append("\x00\x00\x00\xff\xff\xff", 6);
  Put8(&s, 0x2c);  // Image descriptor.
  PutLe16(&s, 0);
  PutLe16(&s, 0);
  PutLe16(&s, w);
  PutLe16(&s, h);
  Put8(&s, 0);
  s.append("\x02\x02\x44\x01\x00", 5);  // LZW minimum code size 2, one sub-block.
  Put8(&s, 0x3b);
  return s;
}

// JPEG (ITU T.81 / JFIF): SOI, APP0 JFIF, an APP1 segment of `app1_size` payload bytes (as an
// EXIF block with a thumbnail would be), DQT, a fill byte, the frame header `sof` (0xC0
// baseline, 0xC2 progressive), DHT, SOS with a token scan, EOI.
inline std::string Jpeg(uint32_t w, uint32_t h, uint8_t sof = 0xc0, size_t app1_size = 0) {
  std::string s("\xff\xd8", 2);
  s.append("\xff\xe0", 2);
  PutBe16(&s, 16);
  s.append("JFIF\0", 5);
  s.append("\x01\x01\x00\x00\x01\x00\x01\x00\x00", 9);
  if (app1_size > 0) {
    s.append("\xff\xe1", 2);
    PutBe16(&s, static_cast<uint32_t>(app1_size + 2));
    std::string payload("Exif\0\0", 6);
    payload.resize(app1_size, '\x11');
    s += payload;
  }
  s.append("\xff\xdb", 2);  // DQT: one 8-bit table of 64 ones.
  PutBe16(&s, 67);
  Put8(&s, 0);
  s.append(64, '\x01');
  Put8(&s, 0xff);  // A fill byte before the next marker.
  s.append("\xff", 1);
  Put8(&s, sof);
  PutBe16(&s, 17);
  Put8(&s, 8);  // Precision.
  PutBe16(&s, h);
  PutBe16(&s, w);
  Put8(&s, 3);  // Components: Y, Cb, Cr.
  s.append("\x01\x22\x00\x02\x11\x00\x03\x11\x00", 9);
  s.append("\xff\xc4", 2);  // DHT: a DC table with one 1-bit code.
  PutBe16(&s, 20);
  Put8(&s, 0x00);
  s.append("\x01", 1);
  s.append(15, '\x00');
  Put8(&s, 0x00);
  s.append("\xff\xda", 2);  // SOS.
  PutBe16(&s, 12);
  s.append("\x03\x01\x00\x02\x00\x03\x00\x00\x3f\x00", 10);
  s.append("\x00\x00", 2);  // Entropy-coded data.
  s.append("\xff\xd9", 2);
  return s;
}

inline std::string Riff(std::string_view fourcc, std::string_view chunk) {
  std::string body = "WEBP";
  body.append(fourcc.data(), fourcc.size());
  PutLe32(&body, static_cast<uint32_t>(chunk.size()));
  body.append(chunk.data(), chunk.size());
  if (chunk.size() & 1) body.push_back(0);
  std::string s = "RIFF";
  PutLe32(&s, static_cast<uint32_t>(body.size()));
  return s + body;
}

// WebP lossy (RFC 9649 / VP8, RFC 6386): frame tag of a key frame, start code, 14-bit
// dimensions with no upscaling.
inline std::string WebpLossy(uint32_t w, uint32_t h) {
  std::string vp8;
  const uint32_t first_partition = 10;
  PutLe24(&vp8, (first_partition << 5) | (1 << 4));  // Key frame, version 0, shown.
  vp8.append("\x9d\x01\x2a", 3);
  PutLe16(&vp8, w & 0x3fff);
  PutLe16(&vp8, h & 0x3fff);
  vp8.append(first_partition, '\0');
  return Riff("VP8 ", vp8);
}

// WebP lossless: signature 0x2F, then width-1 and height-1 in 14 bits each, alpha hint,
// version 0.
inline std::string WebpLossless(uint32_t w, uint32_t h) {
  std::string vp8l;
  Put8(&vp8l, 0x2f);
  PutLe32(&vp8l, (w - 1) | ((h - 1) << 14));
  vp8l.append(4, '\0');
  return Riff("VP8L", vp8l);
}

// WebP extended: VP8X with the canvas size, then the image chunk.
inline std::string WebpExtended(uint32_t w, uint32_t h) {
  std::string vp8x;
  Put8(&vp8x, 0x10);  // Alpha flag.
  vp8x.append(3, '\0');
  PutLe24(&vp8x, w - 1);
  PutLe24(&vp8x, h - 1);
  std::string s = Riff("VP8X", vp8x);
  return s;
}

inline std::string Base64(std::string_view in) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (uint32_t{static_cast<unsigned char>(in[i])} << 16) |
                       (uint32_t{static_cast<unsigned char>(in[i + 1])} << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = uint32_t{static_cast<unsigned char>(in[i])} << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t v = (uint32_t{static_cast<unsigned char>(in[i])} << 16) |
                       (uint32_t{static_cast<unsigned char>(in[i + 1])} << 8);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += "=";
  }
  return out;
}

inline std::string DataUrl(std::string_view media_type, std::string_view bytes) {
  return "data:" + std::string(media_type) + ";base64," + Base64(bytes);
}

// A JSON string literal (quotes included).
inline std::string Json(std::string_view s) { return base::JsonString(s); }

}  // namespace tokwise::testing

#endif  // TOKWISE_TESTS_CHAT_TEST_UTIL_H_
