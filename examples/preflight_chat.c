/* preflight_chat.c: pre-flights a chat request against budgets through tokwise's C ABI.
 *
 *   preflight_chat_c [--budgets FILE] [--scope KIND:NAME]... [--calls N] BODY.json
 *
 * Sends the request N times (default 1) the way an app would: before each call, ask the
 * ledger whether it fits (context window, budgets of every scope, rate limits); if it does,
 * "make the call" and commit what it cost; if not, say why. The provider is not called: each
 * admitted call is committed as if the provider billed the prompt as counted and the whole
 * reserved output. Prints one line per step and what the first scope spent today. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tokwise/tokwise.h>

/* Reads a whole file into a malloc'ed buffer; returns NULL on error. */
static char* read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  size_t cap = 1 << 16, len = 0;
  char* data = malloc(cap);
  size_t got;
  while (data != NULL && (got = fread(data + len, 1, cap - len, f)) > 0) {
    len += got;
    if (len == cap) {
      char* bigger = realloc(data, cap *= 2);
      if (bigger == NULL) free(data);
      data = bigger;
    }
  }
  if (ferror(f)) {
    free(data);
    data = NULL;
  }
  fclose(f);
  *size = len;
  return data;
}

/* "$0.00032": exact dollars from pico-dollars. */
static const char* usd(int64_t pico, char* buffer, size_t capacity) {
  size_t len = 0;
  buffer[0] = '$';
  if (tokwise_format_usd(pico, 2, buffer + 1, capacity - 1, &len) != TOKWISE_STATUS_OK) {
    snprintf(buffer, capacity, "(%lld pico-dollars)", (long long)pico);
  }
  return buffer;
}

static int fail(const char* what, tokwise_status st) {
  fprintf(stderr, "%s: %s: %s\n", what, tokwise_status_string(st), tokwise_last_error());
  return 2;
}

int main(int argc, char** argv) {
  const char* budgets_path = NULL;
  const char* body_path = NULL;
  const char* scopes[16];
  int n_scopes = 0, calls = 1;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--budgets") == 0 && i + 1 < argc) {
      budgets_path = argv[++i];
    } else if (strcmp(argv[i], "--scope") == 0 && i + 1 < argc && n_scopes < 16) {
      scopes[n_scopes++] = argv[++i];
    } else if (strcmp(argv[i], "--calls") == 0 && i + 1 < argc) {
      calls = atoi(argv[++i]);
    } else {
      body_path = argv[i];
    }
  }
  if (body_path == NULL || calls < 1) {
    fprintf(stderr, "usage: %s [--budgets FILE] [--scope KIND:NAME]... [--calls N] BODY.json\n",
            argv[0]);
    return 1;
  }

  size_t body_len = 0, budgets_len = 0;
  char* body = read_file(body_path, &body_len);
  char* budgets = budgets_path == NULL ? NULL : read_file(budgets_path, &budgets_len);
  if (body == NULL || (budgets_path != NULL && budgets == NULL)) {
    fprintf(stderr, "cannot read %s\n", body == NULL ? body_path : budgets_path);
    free(body);
    free(budgets);
    return 2;
  }

  /* An in-memory ledger (tokwise_ledger_options_set_dir() would make it durable). */
  tokwise_ledger* ledger = NULL;
  tokwise_status st = tokwise_ledger_open(budgets, budgets_len, NULL, &ledger);
  free(budgets);
  if (st != TOKWISE_STATUS_OK) {
    free(body);
    return fail(budgets_path, st);
  }
  tokwise_preflight_request* request = NULL;
  tokwise_usage* usage = NULL;
  if ((st = tokwise_preflight_request_create(&request)) != TOKWISE_STATUS_OK ||
      (st = tokwise_usage_create(&usage)) != TOKWISE_STATUS_OK) {
    return fail("setup", st);
  }
  for (int i = 0; i < n_scopes; ++i) tokwise_preflight_request_add_scope(request, scopes[i]);

  int status = 0;
  char money[40];
  for (int call = 1; call <= calls; ++call) {
    /* The body's prompt is counted as the provider bills it; its model and max_tokens apply. */
    tokwise_decision* d = NULL;
    st = tokwise_ledger_preflight_chat(ledger, body, body_len, NULL, request, &d);
    if (st != TOKWISE_STATUS_OK) {
      status = fail(body_path, st);
      break;
    }
    if (!tokwise_decision_allowed(d)) {
      printf("call %d: denied (%s): %s\n", call,
             tokwise_decision_code_name(tokwise_decision_get_code(d)), tokwise_decision_message(d));
      tokwise_decision_free(d);
      continue;
    }
    printf("call %d: allowed: %lld input tokens (%s), %lld output reserved, %s projected\n", call,
           (long long)tokwise_decision_input_tokens(d),
           tokwise_exactness_name(tokwise_decision_input_exactness(d)),
           (long long)tokwise_decision_reserved_output_tokens(d),
           usd(tokwise_decision_projected_cost(d), money, sizeof money));

    /* ... call the provider with max_tokens = the reserved output ... then commit its usage
     * (tokwise_usage_normalize() reads the response's "usage"). Here: what was reserved. */
    tokwise_usage_set(usage, TOKWISE_BUCKET_UNCACHED_INPUT,
                      (uint64_t)tokwise_decision_input_tokens(d));
    tokwise_usage_set(usage, TOKWISE_BUCKET_OUTPUT,
                      (uint64_t)tokwise_decision_reserved_output_tokens(d));
    tokwise_usage_record* record = NULL;
    st = tokwise_ledger_commit(ledger, tokwise_decision_reservation(d), usage, NULL, &record);
    tokwise_decision_free(d);
    if (st != TOKWISE_STATUS_OK) {
      status = fail("commit", st);
      break;
    }
    printf("call %d: committed %s\n", call, usd(tokwise_usage_record_cost(record), money,
                                                 sizeof money));
    tokwise_usage_record_free(record);
  }

  if (status == 0 && n_scopes > 0) {
    int64_t used = 0;
    if (tokwise_ledger_scope_usage(ledger, scopes[0], TOKWISE_WINDOW_DAY, TOKWISE_METRIC_COST,
                                   &used, NULL) == TOKWISE_STATUS_OK) {
      printf("spent today by %s: %s\n", scopes[0], usd(used, money, sizeof money));
    }
  }
  tokwise_usage_free(usage);
  tokwise_preflight_request_free(request);
  tokwise_ledger_free(ledger);
  free(body);
  return status;
}
