// Windows, periods and UTC dates. Months are real calendar months: the period of a month
// runs from the 1st at 00:00 UTC to the 1st of the next month, 28 to 31 days later.
#include "budget/calendar.h"

#include <chrono>
#include <climits>
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tokwise/budget.h"

namespace tokwise {
namespace budget_internal {

// Shifts the year to start in March so the leap day is the last day of the shifted year;
// an era is 400 years = 146097 days, after which the Gregorian calendar repeats.
int64_t DaysFromCivil(int64_t year, int month, int day) {
  const int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;                          // [0, 399]
  const int64_t mp = (month + 9) % 12;                        // March = 0
  const int64_t doy = (153 * mp + 2) / 5 + day - 1;           // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return era * 146097 + doe - 719468;  // 719468: days from 0000-03-01 to 1970-01-01.
}

void CivilFromDays(int64_t days, int64_t* year, int* month, int* day) {
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2 ? 1 : 0);
}

}  // namespace budget_internal

using budget_internal::CivilFromDays;
using budget_internal::DaysFromCivil;
using budget_internal::FloorDiv;

namespace {
constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

class RealClock final : public Clock {
 public:
  UnixMicros Now() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};
}  // namespace

const Clock* Clock::Real() {
  static const RealClock* clock = new RealClock();
  return clock;
}

UnixMicros UnixMicrosFromUtc(int year, int month, int day, int hour, int minute, int second) {
  return DaysFromCivil(year, month, day) * kMicrosPerDay + hour * kMicrosPerHour +
         minute * kMicrosPerMinute + static_cast<int64_t>(second) * kMicrosPerSecond;
}

std::string FormatUtc(UnixMicros t) {
  const int64_t days = FloorDiv(t, kMicrosPerDay);
  const int64_t secs = FloorDiv(t - days * kMicrosPerDay, kMicrosPerSecond);
  int64_t y;
  int m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02dT%02d:%02d:%02dZ", static_cast<long long>(y), m,
                d, static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

absl::StatusOr<UnixMicros> ParseUtc(std::string_view text) {
  // YYYY-MM-DD[THH:MM[:SS]][Z]
  auto bad = [&](const char* why) {
    return absl::InvalidArgumentError(absl::StrCat("time \"", std::string(text), "\": ", why,
                                                   " (expected e.g. 2025-01-31T23:59:59Z, UTC)"));
  };
  std::string_view s = text;
  if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) s.remove_suffix(1);
  auto num = [&](size_t pos, size_t len, int* out) {
    if (pos + len > s.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!num(0, 4, &y) || s.size() < 10 || s[4] != '-' || !num(5, 2, &mo) || s[7] != '-' ||
      !num(8, 2, &d)) {
    return bad("not a date");
  }
  if (s.size() > 10) {
    if ((s[10] != 'T' && s[10] != ' ') || !num(11, 2, &h) || s.size() < 16 || s[13] != ':' ||
        !num(14, 2, &mi)) {
      return bad("not a time of day");
    }
    if (s.size() > 16 && (s[16] != ':' || !num(17, 2, &sec) || s.size() != 19)) {
      return bad("bad seconds");
    }
    if (s.size() != 16 && s.size() != 19) return bad("trailing characters");
  }
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return bad("field out of range");
  const int days_in_month = static_cast<int>(
      DaysFromCivil(mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1, 1) - DaysFromCivil(y, mo, 1));
  if (d > days_in_month) return bad("no such day in that month");
  return UnixMicrosFromUtc(y, mo, d, h, mi, sec);
}

Period PeriodOf(Window window, UnixMicros t) {
  Period p;
  auto fixed = [&](int64_t len) {
    p.id = FloorDiv(t, len);
    p.start = p.id * len;
    p.end = p.start + len;
  };
  switch (window) {
    case Window::kMinute:
      fixed(kMicrosPerMinute);
      break;
    case Window::kHour:
      fixed(kMicrosPerHour);
      break;
    case Window::kDay:
      fixed(kMicrosPerDay);
      break;
    case Window::kMonth: {
      int64_t y;
      int m, d;
      CivilFromDays(FloorDiv(t, kMicrosPerDay), &y, &m, &d);
      p.id = y * 12 + (m - 1);
      p.start = DaysFromCivil(y, m, 1) * kMicrosPerDay;
      p.end = (m == 12 ? DaysFromCivil(y + 1, 1, 1) : DaysFromCivil(y, m + 1, 1)) * kMicrosPerDay;
      break;
    }
    case Window::kTotal:
      p.id = 0;
      p.start = INT64_MIN;
      p.end = INT64_MAX;
      break;
  }
  return p;
}

const char* MetricName(Metric m) {
  switch (m) {
    case Metric::kRequests:
      return "requests";
    case Metric::kInputTokens:
      return "input_tokens";
    case Metric::kOutputTokens:
      return "output_tokens";
    case Metric::kTokens:
      return "tokens";
    case Metric::kCostPicoUsd:
      return "usd";
  }
  return "?";
}

const char* WindowName(Window w) {
  switch (w) {
    case Window::kMinute:
      return "minute";
    case Window::kHour:
      return "hour";
    case Window::kDay:
      return "day";
    case Window::kMonth:
      return "month";
    case Window::kTotal:
      return "total";
  }
  return "?";
}

}  // namespace tokwise
