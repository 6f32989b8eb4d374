// Exact money helpers: decimal parsing and formatting, overflow guards.
#include <cstdint>
#include <limits>

#include "gtest/gtest.h"
#include "tokwise/catalog.h"

namespace tokwise {
namespace {

TEST(Money, FormatUsdIsExact) {
  EXPECT_EQ(FormatUsd(8'603'760'000), "0.00860376");
  EXPECT_EQ(FormatUsd(5'615'000'000), "0.005615");
  EXPECT_EQ(FormatUsd(1'063'761'250'000), "1.06376125");
  EXPECT_EQ(FormatUsd(2'000'000'000'000), "2.00");
  EXPECT_EQ(FormatUsd(2'000'000'000'000, 0), "2");
  EXPECT_EQ(FormatUsd(1), "0.000000000001");
  EXPECT_EQ(FormatUsd(0), "0.00");
  EXPECT_EQ(FormatUsd(-1'500'000'000'000), "-1.50");
  // Beyond int64: 10^20 pico-dollars = USD 100,000,000.
  PicoUsdWide big = 1;
  for (int i = 0; i < 20; ++i) big *= 10;
  EXPECT_EQ(FormatUsd(big), "100000000.00");
  EXPECT_EQ(FormatUsd(std::numeric_limits<int64_t>::min()), "-9223372.036854775808");
}

TEST(Money, FormatAndParsePrices) {
  EXPECT_EQ(FormatPricePerMTok(2'500'000), "2.50");
  EXPECT_EQ(FormatPricePerMTok(75'000), "0.075");
  EXPECT_EQ(FormatPricePerMTok(10), "0.00001");
  EXPECT_EQ(FormatPricePerMTok(kNotOffered), "-");
  EXPECT_EQ(*ParseUsdPerMTok("2.50"), 2'500'000);
  EXPECT_EQ(*ParseUsdPerMTok("0.075"), 75'000);
  EXPECT_EQ(*ParseUsdPerMTok("1e1"), 10'000'000);
  EXPECT_EQ(*ParseUsdPerMTok("1.5E-1"), 150'000);
  EXPECT_EQ(*ParseUsdPerMTok("0"), 0);
  EXPECT_EQ(*ParseUsdPerMTok("-0"), 0);
  EXPECT_EQ(*ParseUsdPerMTok("0.0000010"), 1);
  // Finer than a micro-dollar per million, negative, malformed, too large.
  EXPECT_FALSE(ParseUsdPerMTok("0.0000001").ok());
  EXPECT_FALSE(ParseUsdPerMTok("-2.5").ok());
  EXPECT_FALSE(ParseUsdPerMTok("2.").ok());
  EXPECT_FALSE(ParseUsdPerMTok(".5").ok());
  EXPECT_FALSE(ParseUsdPerMTok("1e").ok());
  EXPECT_FALSE(ParseUsdPerMTok("abc").ok());
  EXPECT_FALSE(ParseUsdPerMTok("").ok());
  EXPECT_EQ(ParseUsdPerMTok("1e30").status().code(), absl::StatusCode::kOutOfRange);
}

TEST(Money, CostOfIsExactAndGuarded) {
  // 1920 tokens at $1.25/M = $0.0024 = 2.4e9 pico-dollars.
  EXPECT_EQ(*CostOf(1920, 1'250'000), 2'400'000'000);
  EXPECT_EQ(*CostOf(0, 1'250'000), 0);
  EXPECT_FALSE(CostOf(1, kNotOffered).ok());
  // 10^13 tokens at $1000/M = USD 10 million: past int64 pico-dollars.
  EXPECT_EQ(CostOf(10'000'000'000'000, 1'000'000'000).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(Money, PicoToMicroRoundsToNearest) {
  EXPECT_EQ(PicoToMicroUsd(8'603'760'000), 8604);  // $0.00860376 -> 8604 micro-dollars.
  EXPECT_EQ(PicoToMicroUsd(1'499'999), 1);
  EXPECT_EQ(PicoToMicroUsd(1'500'000), 2);
  EXPECT_EQ(PicoToMicroUsd(-1'500'000), -2);
}

}  // namespace
}  // namespace tokwise
