// Exact money: decimal parsing and formatting without floating point.
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "cost/decimal.h"
#include "tokwise/catalog.h"

namespace tokwise {
namespace cost_internal {
namespace {

using U128 = unsigned __int128;

// More significant digits than any price needs; it keeps the mantissa well inside 128 bits.
constexpr int kMaxDigits = 36;

U128 Pow10(int n) {
  U128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

absl::StatusOr<int64_t> ScaleDecimal(std::string_view text, int shift, Inexact inexact) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' ||
                           text.back() == '\t')) {
    text.remove_suffix(1);
  }
  const std::string shown(text.substr(0, 40));
  auto malformed = [&] {
    return absl::InvalidArgumentError(absl::StrCat("\"", shown, "\" is not a decimal number"));
  };
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && text[i] == '-') {
    negative = true;
    ++i;
  }
  U128 mantissa = 0;
  int digits = 0;       // Significant digits kept in `mantissa`.
  int frac_digits = 0;  // Digits after the point.
  bool any_int = false;
  for (; i < text.size() && IsDigit(text[i]); ++i) {
    any_int = true;
    if (mantissa == 0 && text[i] == '0') continue;
    if (++digits > kMaxDigits)
      return absl::InvalidArgumentError(
          absl::StrCat("\"", shown, "\" has more than ", kMaxDigits, " significant digits"));
    mantissa = mantissa * 10 + static_cast<unsigned>(text[i] - '0');
  }
  if (!any_int) return malformed();
  if (i < text.size() && text[i] == '.') {
    ++i;
    bool any_frac = false;
    for (; i < text.size() && IsDigit(text[i]); ++i) {
      any_frac = true;
      ++frac_digits;
      if (mantissa == 0 && text[i] == '0') continue;
      if (++digits > kMaxDigits)
        return absl::InvalidArgumentError(
            absl::StrCat("\"", shown, "\" has more than ", kMaxDigits, " significant digits"));
      mantissa = mantissa * 10 + static_cast<unsigned>(text[i] - '0');
    }
    if (!any_frac) return malformed();
  }
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    bool any_exp = false;
    for (; i < text.size() && IsDigit(text[i]); ++i) {
      any_exp = true;
      if (exponent < 100000) exponent = exponent * 10 + (text[i] - '0');
    }
    if (!any_exp) return malformed();
    if (exp_negative) exponent = -exponent;
  }
  if (i != text.size()) return malformed();
  if (mantissa == 0) return 0;
  if (negative) {
    return absl::InvalidArgumentError(absl::StrCat("\"", shown, "\" is negative"));
  }

  const int64_t power = exponent - frac_digits + shift;
  constexpr U128 kMax = static_cast<U128>(std::numeric_limits<int64_t>::max());
  auto too_large = [&] {
    return absl::OutOfRangeError(absl::StrCat("\"", shown, "\" is too large"));
  };
  if (power >= 0) {
    if (power > 38) return too_large();
    U128 v = mantissa;
    for (int64_t k = 0; k < power; ++k) {
      if (v > kMax) return too_large();
      v *= 10;
    }
    if (v > kMax) return too_large();
    return static_cast<int64_t>(v);
  }
  // Scale down: value * 10^power with power < 0.
  const int64_t down = -power;
  U128 quotient = 0;
  U128 remainder = mantissa;
  U128 divisor = 0;
  if (down <= 38) {
    divisor = Pow10(static_cast<int>(down));
    quotient = mantissa / divisor;
    remainder = mantissa % divisor;
  }
  if (remainder != 0) {
    if (inexact == Inexact::kError) {
      return absl::InvalidArgumentError(absl::StrCat(
          "\"", shown, "\" has more decimals than the scale allows (", shift, " digits)"));
    }
    // mantissa < 10^36 <= 10^down / 100 when down > 38: the value rounds to 0.
    if (divisor != 0 && remainder >= divisor - remainder) ++quotient;
  }
  if (quotient > kMax) return too_large();
  return static_cast<int64_t>(quotient);
}

}  // namespace cost_internal

absl::StatusOr<PicoUsd> CostOf(uint64_t tokens, PricePerMTok price) {
  if (price < 0) {
    return absl::InvalidArgumentError(price == kNotOffered ? "price not offered"
                                                           : "negative price");
  }
  const unsigned __int128 product =
      static_cast<unsigned __int128>(tokens) * static_cast<unsigned __int128>(price);
  if (product > static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max())) {
    return absl::OutOfRangeError(
        absl::StrCat(tokens, " tokens at ", FormatPricePerMTok(price),
                     " USD/M passes the int64 pico-dollar range (about USD 9.2 million)"));
  }
  return static_cast<PicoUsd>(product);
}

int64_t PicoToMicroUsd(PicoUsd pico) {
  constexpr int64_t kPerMicro = 1'000'000;
  const int64_t q = pico / kPerMicro;
  const int64_t r = pico % kPerMicro;
  if (r >= kPerMicro / 2) return q + 1;
  if (r <= -kPerMicro / 2) return q - 1;
  return q;
}

namespace {

// `value` / 10^scale as exact decimal text with at least `min_decimals` decimals.
std::string FormatScaled(PicoUsdWide value, int scale, int min_decimals) {
  if (min_decimals < 0) min_decimals = 0;
  if (min_decimals > scale) min_decimals = scale;
  const bool negative = value < 0;
  unsigned __int128 v = negative ? static_cast<unsigned __int128>(-(value + 1)) + 1
                                 : static_cast<unsigned __int128>(value);
  unsigned __int128 unit = 1;
  for (int i = 0; i < scale; ++i) unit *= 10;
  unsigned __int128 whole = v / unit;
  unsigned __int128 frac = v % unit;

  std::string int_part;
  do {
    int_part.insert(int_part.begin(), static_cast<char>('0' + static_cast<int>(whole % 10)));
    whole /= 10;
  } while (whole != 0);

  std::string frac_part(static_cast<size_t>(scale), '0');
  for (int i = scale - 1; i >= 0; --i) {
    frac_part[static_cast<size_t>(i)] = static_cast<char>('0' + static_cast<int>(frac % 10));
    frac /= 10;
  }
  while (static_cast<int>(frac_part.size()) > min_decimals && frac_part.back() == '0') {
    frac_part.pop_back();
  }
  std::string out = negative ? "-" : "";
  out += int_part;
  if (!frac_part.empty()) {
    out += '.';
    out += frac_part;
  }
  return out;
}

}  // namespace

std::string FormatUsd(PicoUsdWide pico, int min_decimals) {
  return FormatScaled(pico, 12, min_decimals);
}

std::string FormatPricePerMTok(PricePerMTok price) {
  if (price < 0) return "-";
  return FormatScaled(price, 6, 2);
}

absl::StatusOr<PricePerMTok> ParseUsdPerMTok(std::string_view text) {
  return cost_internal::ScaleDecimal(text, 6, cost_internal::Inexact::kError);
}

}  // namespace tokwise
