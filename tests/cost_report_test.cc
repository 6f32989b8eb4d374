// Tables and JSON of cost-model results: the JSON is valid and carries the exact figures; the
// tables show what the CLI promises.
#include "tokwise/cost_report.h"

#include <string>

#include "gtest/gtest.h"
#include "simdjson.h"
#include "test_models.h"

namespace tokwise {
namespace {

using testing::Gpt4o;
using testing::Sonnet45;

ScenarioResult EvalPreset(std::string_view preset, const ModelInfo& m, CacheMode mode) {
  EvalOptions o;
  o.cache.mode = mode;
  auto r = Evaluate(*BuildPreset(preset), m, o);
  EXPECT_TRUE(r.ok()) << r.status();
  return *r;
}

TEST(ReportTest, JsonIsValidAndExact) {
  const ScenarioResult r = EvalPreset("multi-agent", Sonnet45(), CacheMode::kExplicit5m);
  const std::string json = ResultToJson(r);
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  ASSERT_EQ(parser.parse(json).get(e), simdjson::SUCCESS) << json;
  uint64_t total = 0, steps = 0;
  int64_t cost = 0;
  std::string_view cache;
  ASSERT_EQ(e["totals"]["total"].get(total), simdjson::SUCCESS);
  ASSERT_EQ(e["totals"]["cost_pico"]["total"].get(cost), simdjson::SUCCESS);
  ASSERT_EQ(e["cache"].get(cache), simdjson::SUCCESS);
  simdjson::dom::array arr;
  ASSERT_EQ(e["steps"].get(arr), simdjson::SUCCESS);
  steps = arr.size();
  EXPECT_EQ(total, 35500u);
  EXPECT_EQ(cost, r.total_cost());
  EXPECT_EQ(cache, "5m");
  EXPECT_EQ(steps, r.steps.size());
  // Per-step pico-dollars add up to the total.
  int64_t sum = 0;
  for (simdjson::dom::element s : arr) {
    int64_t c = 0;
    ASSERT_EQ(s["buckets"]["cost_pico"]["total"].get(c), simdjson::SUCCESS);
    sum += c;
  }
  EXPECT_EQ(sum, cost);
}

TEST(ReportTest, StepTableShowsTheAccumulation) {
  const std::string t = FormatStepTable(EvalPreset("research-agent", Gpt4o(), CacheMode::kOff));
  for (const char* s : {"11,950", "21.7x", "4,800", "3,300", "tool_result 311", "re-sent"}) {
    EXPECT_NE(t.find(s), std::string::npos) << s << "\n" << t;
  }
}

TEST(ReportTest, LevelsSideBySide) {
  std::vector<ScenarioResult> rows;
  for (std::string_view name : LevelPresets())
    rows.push_back(EvalPreset(name, Gpt4o(), CacheMode::kOff));
  const std::string t = FormatLevels(rows);
  for (const char* s : {"single-call", "rag", "research-agent", "multi-agent", "conversation-20",
                        "550", "35,500", "64.5x"}) {
    EXPECT_NE(t.find(s), std::string::npos) << s << "\n" << t;
  }
}

TEST(ReportTest, CachePayoffFromTheModelsRates) {
  const std::string t = FormatCachePayoff(Sonnet45());
  EXPECT_NE(t.find("5-minute cache write (1.25x input) pays off from the 1st read (reads 0.10x"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("1-hour cache write (2.00x input) pays off from the 2nd read"),
            std::string::npos)
      << t;
  EXPECT_NE(FormatCachePayoff(Gpt4o()).find("automatic caching"), std::string::npos);
}

TEST(ReportTest, RangesTableNamesDisagreements) {
  const std::string t = FormatTaskRanges(TypicalTaskRanges());
  EXPECT_NE(t.find("DISAGREES"), std::string::npos);
  EXPECT_NE(t.find("20-turn conversation"), std::string::npos);
  EXPECT_NE(t.find("parameters:"), std::string::npos);
}

}  // namespace
}  // namespace tokwise
