// UTC calendar arithmetic for the ledger's windows (proleptic Gregorian, Unix time).
#ifndef TOKWISE_LIB_BUDGET_CALENDAR_H_
#define TOKWISE_LIB_BUDGET_CALENDAR_H_

#include <cstdint>

namespace tokwise::budget_internal {

// Floor division (rounds toward minus infinity), for times before 1970.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Days since 1970-01-01 of a civil date; month 1..12, day 1..31.
int64_t DaysFromCivil(int64_t year, int month, int day);

// The civil date of a day number.
void CivilFromDays(int64_t days, int64_t* year, int* month, int* day);

}  // namespace tokwise::budget_internal

#endif  // TOKWISE_LIB_BUDGET_CALENDAR_H_
