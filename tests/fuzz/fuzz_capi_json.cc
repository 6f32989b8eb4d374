// Fuzz target: the C ABI's JSON entry points on arbitrary bytes: chat bodies (counted, and
// pre-flighted against a ledger), usage objects (normalized and priced), scenario specs,
// budgets and catalogs. Invariants: no crash; a known status, never an exception; a failure
// leaves its out-parameter NULL and says why; a chat count's kinds add up to its total; a
// normalized usage keeps reasoning within output and prices to a non-negative cost or a
// FAILED_PRECONDITION naming the bucket.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tokwise/tokwise.h"

#define REQUIRE(cond)                                                                      \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      std::fprintf(stderr, "fuzz_capi_json.cc:%d: %s (last error: %s)\n", __LINE__, #cond, \
                   tokwise_last_error());                                                  \
      std::abort();                                                                        \
    }                                                                                      \
  } while (0)

namespace {

// A failed call returned a documented status, said why, and left its output NULL.
void RequireFailure(tokwise_status st, const void* out) {
  REQUIRE(st != TOKWISE_STATUS_INTERNAL);
  REQUIRE(st == TOKWISE_STATUS_INVALID_ARGUMENT || st == TOKWISE_STATUS_NOT_FOUND ||
          st == TOKWISE_STATUS_INVALID_DATA || st == TOKWISE_STATUS_FAILED_PRECONDITION ||
          st == TOKWISE_STATUS_INVALID_UTF8);
  REQUIRE(tokwise_last_error()[0] != '\0');
  REQUIRE(out == nullptr);
}

void Chat(const char* text, size_t len, tokwise_ledger* ledger, tokwise_chat_options* options) {
  tokwise_chat_count* count = nullptr;
  tokwise_status st = tokwise_chat_count_request(text, len, options, &count);
  if (st != TOKWISE_STATUS_OK) {
    RequireFailure(st, count);
  } else {
    uint64_t sum = 0;
    for (int k = 0; tokwise_count_kind_name(static_cast<tokwise_count_kind>(k)) != nullptr; ++k) {
      sum += tokwise_chat_count_of_kind(count, static_cast<tokwise_count_kind>(k));
    }
    REQUIRE(sum == tokwise_chat_count_total(count));
    tokwise_chat_count_free(count);
  }

  tokwise_preflight_request* req = nullptr;
  REQUIRE(tokwise_preflight_request_create(&req) == TOKWISE_STATUS_OK);
  REQUIRE(tokwise_preflight_request_add_scope(req, "user:fuzz") == TOKWISE_STATUS_OK);
  REQUIRE(tokwise_preflight_request_set_dry_run(req, 1) == TOKWISE_STATUS_OK);
  tokwise_decision* d = nullptr;
  st = tokwise_ledger_preflight_chat(ledger, text, len, options, req, &d);
  if (st != TOKWISE_STATUS_OK) {
    RequireFailure(st, d);
  } else {
    REQUIRE(tokwise_decision_reservation(d) == 0);  // A dry run.
    REQUIRE(tokwise_decision_allowed(d) ==
            (tokwise_decision_get_code(d) == TOKWISE_DECISION_ALLOWED ? 1 : 0));
    tokwise_decision_free(d);
  }
  tokwise_preflight_request_free(req);
}

void Usage(const char* text, size_t len, const tokwise_model* model) {
  tokwise_usage* usage = nullptr;
  tokwise_status st = tokwise_usage_normalize(text, len, TOKWISE_USAGE_FORMAT_AUTO, &usage);
  if (st != TOKWISE_STATUS_OK) {
    RequireFailure(st, usage);
    return;
  }
  REQUIRE(tokwise_usage_get(usage, TOKWISE_BUCKET_REASONING) <=
          tokwise_usage_get(usage, TOKWISE_BUCKET_OUTPUT));
  int64_t total = -1;
  st = tokwise_price_usage(model, usage, 0, &total, nullptr, 0);
  if (st == TOKWISE_STATUS_OK) {
    REQUIRE(total >= 0);
  } else {
    REQUIRE(st == TOKWISE_STATUS_FAILED_PRECONDITION || st == TOKWISE_STATUS_INVALID_ARGUMENT);
    REQUIRE(total == -1);
  }
  tokwise_usage_free(usage);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* text = reinterpret_cast<const char*>(data);

  static tokwise_ledger* ledger = nullptr;
  static tokwise_model* model = nullptr;
  static tokwise_chat_options* options = nullptr;
  if (ledger == nullptr) {
    static const char kBudgets[] =
        "{\"budgets\": [{\"scope\": \"user:*\", \"usd_per_day\": \"1\"}]}";
    REQUIRE(tokwise_ledger_open(kBudgets, sizeof kBudgets - 1, nullptr, &ledger) ==
            TOKWISE_STATUS_OK);
    REQUIRE(tokwise_catalog_find(nullptr, "gpt-4o", &model) == TOKWISE_STATUS_OK);
    // Bodies without a "model" are counted as gpt-4o's, so most mutations reach the counter.
    REQUIRE(tokwise_chat_options_create(&options) == TOKWISE_STATUS_OK);
  }
  const bool with_model = size > 0 && (data[0] & 1) != 0;
  REQUIRE(tokwise_chat_options_set_model(options, with_model ? "gpt-4o" : nullptr) ==
          TOKWISE_STATUS_OK);

  Chat(text, size, ledger, options);
  Usage(text, size, model);

  tokwise_scenario* scenario = nullptr;
  tokwise_status st = tokwise_scenario_from_json(text, size, &scenario);
  if (st != TOKWISE_STATUS_OK) RequireFailure(st, scenario);
  tokwise_scenario_free(scenario);

  tokwise_ledger* other = nullptr;
  st = tokwise_ledger_open(text, size, nullptr, &other);
  if (st != TOKWISE_STATUS_OK) RequireFailure(st, other);
  tokwise_ledger_free(other);

  for (int format = 0; format < 2; ++format) {
    tokwise_catalog* catalog = nullptr;
    st = tokwise_catalog_from_json(text, size, static_cast<tokwise_catalog_format>(format), 0,
                                   &catalog);
    if (st != TOKWISE_STATUS_OK) RequireFailure(st, catalog);
    tokwise_catalog_free(catalog);
  }
  return 0;
}
