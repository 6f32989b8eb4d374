// tokwise preflight: try a call against budgets, from scripts or by hand.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.h"
#include "commands.h"
#include "tokwise/budget.h"
#include "tokwise/catalog.h"
#include "tokwise/chat.h"
#include "tokwise/encoding.h"

namespace tokwise::cli {
namespace {

const char kPreflightHelp[] =
    "usage: tokwise preflight [--model MODEL] (--request FILE | --input-tokens N | --text FILE)\n"
    "                         [--budgets FILE] [--scope KIND:NAME]... [--max-output N]\n"
    "                         [--ledger DIR] [--commit-output N] [--at TIME] [--dry-run]\n"
    "                         [--shrink] [--json] [--lock-timeout SECONDS] [--repair-ledger]\n"
    "\n"
    "Decides whether a model call fits the model's context window, its max output and the\n"
    "budgets, and prints the decision: what is reserved, the projected cost, what remains in\n"
    "every limit, the largest max output that fits.\n"
    "\n"
    "  --catalog FILE       lay a catalog override (tokwise's JSON) over the embedded one;\n"
    "  --litellm FILE       or LiteLLM's model_prices_and_context_window.json (repeatable)\n"
    "  --model MODEL        a model of the catalog (e.g. gpt-4o); 'model:MODEL' is a scope;\n"
    "                       with --request, the request's \"model\" unless given\n"
    "  --request FILE       a chat request body (OpenAI Chat Completions or Responses,\n"
    "                       Anthropic Messages; '-': standard input), counted as billed;\n"
    "                       its max_tokens / max_completion_tokens is the max output\n"
    "  --input-tokens N     the exact input tokens of the request\n"
    "  --text FILE          count FILE ('-': standard input) with the model's tokenizer;\n"
    "                       plain text only (no chat framing), so a lower bound for a chat\n"
    "  --encoding NAME      tokenizer for --text when the model's is not built in\n"
    "  --budgets FILE       budgets as JSON, e.g.\n"
    "                         {\"budgets\": [{\"scope\": \"user:*\", \"usd_per_day\": \"5\"},\n"
    "                           {\"scope\": \"model:gpt-4o\", \"requests_per_minute\": 500}]}\n"
    "                       limits: <requests|input_tokens|output_tokens|tokens|usd>_per_\n"
    "                       <minute|hour|day|month>, or <metric>_total; months are UTC\n"
    "                       calendar months\n"
    "  --scope KIND:NAME    a scope the call is charged to (repeatable): user:alice,\n"
    "                       workflow:triage, agent:coder, team:search, ...\n"
    "  --max-output N       the request's max output tokens (default: the model's maximum)\n"
    "  --ledger DIR         keep the committed spend in DIR (journal + snapshots) across\n"
    "                       runs; without it every run starts from zero\n"
    "  --commit-output N    if allowed, record the call as done with N output tokens (and the\n"
    "                       input uncached), so later runs see the spend; a warning goes to\n"
    "                       standard error if N is above the reserved output\n"
    "  --lock-timeout SECONDS  how long to wait for other runs using the same --ledger\n"
    "                       (default 10; 0: do not wait); then exit 4\n"
    "  --repair-ledger      if the ledger's journal is damaged inside (not just a torn last\n"
    "                       record), keep the records before the damage and move the rest\n"
    "                       aside (their spend is forgotten); without it such a ledger is\n"
    "                       refused (exit 2)\n"
    "  --at TIME            decide as of TIME (UTC, e.g. 2025-01-31T23:59:00Z), not now\n"
    "  --dry-run            reserve nothing and change no ledger file\n"
    "  --shrink             if the output does not fit, reserve the largest that does\n"
    "  --json               print the decision as JSON\n"
    "\n"
    "Reservations live in this process's memory only: an allowed call's reservation is\n"
    "released when tokwise exits, unless --commit-output records the call. Only committed\n"
    "spend reaches the --ledger and is seen by later runs; a run does not hold budget for\n"
    "a call you make afterwards.\n"
    "\n"
    "Exit status: 0 allowed, 3 denied, 1 usage error, 2 input error (including a damaged\n"
    "ledger), 4 ledger busy (another run held --ledger DIR for the whole --lock-timeout).\n";

int Fail(int code, const std::string& msg) {
  std::fprintf(stderr, "tokwise: %s\n", msg.c_str());
  return code;
}

bool ParseInt(const std::string& s, int64_t* out) {
  if (s.empty() || s[0] == '-') return false;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (*end != '\0' || errno != 0) return false;
  *out = v;
  return true;
}

// Seconds as a decimal ("0", "2.5") within [0, 86400].
bool ParseSeconds(const std::string& s, UnixMicros* out) {
  if (s.empty() || s[0] == '-') return false;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (*end != '\0' || errno != 0 || !(v >= 0 && v <= 86400)) return false;
  *out = static_cast<UnixMicros>(v * kMicrosPerSecond);
  return true;
}

bool ReadAll(const std::string& path, std::string* out, std::string* err) {
  std::ostringstream buf;
  if (path == "-") {
    buf << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      *err = path + ": cannot open: " + std::strerror(errno);
      return false;
    }
    buf << in.rdbuf();
  }
  *out = buf.str();
  return true;
}

std::string Amount(Metric m, int64_t v) {
  if (m == Metric::kCostPicoUsd) return FormatPicoUsd(v);
  return std::to_string(v);
}

void PrintDecision(const Decision& d) {
  std::printf("%s: %s\n", d.allowed() ? "ALLOWED" : "DENIED", d.message.c_str());
  std::printf("  code                  %s\n", DecisionCodeName(d.code));
  std::printf("  input tokens          %lld\n", static_cast<long long>(d.input_tokens));
  std::printf("  reserved output       %lld\n", static_cast<long long>(d.reserved_output_tokens));
  std::printf("  max output that fits  %lld\n", static_cast<long long>(d.max_output_that_fits));
  std::printf("  projected cost        %s\n",
              d.cost_known ? FormatPicoUsd(d.projected_cost).c_str() : "unknown (not priced)");
  if (!d.allowed()) {
    std::printf("  retry at              %s\n",
                d.retry_at >= 0 ? FormatUtc(d.retry_at).c_str() : "never (waiting cannot help)");
  }
  if (d.limits.empty()) return;
  std::printf("  limits:\n");
  for (const LimitStatus& l : d.limits) {
    std::string name =
        std::string(MetricName(l.limit.metric)) +
        (l.limit.window == Window::kTotal ? " total"
                                          : std::string(" per ") + WindowName(l.limit.window));
    std::printf("    %s%-24s %-22s used %s, reserved %s, remaining %s of %s\n",
                l.blocking ? "* " : "  ", l.scope.c_str(), name.c_str(),
                Amount(l.limit.metric, l.used).c_str(), Amount(l.limit.metric, l.reserved).c_str(),
                Amount(l.limit.metric, l.remaining).c_str(),
                Amount(l.limit.metric, l.limit.max).c_str());
  }
}

}  // namespace

int RunPreflight(int argc, char** argv) {
  std::string model_name, text_path, request_path, encoding_name, budgets_path, ledger_dir, at;
  std::optional<int64_t> input_tokens, max_output, commit_output;
  std::vector<std::string> scopes;
  bool json = false, dry_run = false, shrink = false, repair_ledger = false;
  UnixMicros lock_timeout = 10 * kMicrosPerSecond;  // Short runs queue for one folder.
  std::vector<std::pair<bool, std::string>> catalog_overrides;  // (is_litellm, path)
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    auto int_value = [&](std::optional<int64_t>* out) {
      std::string v;
      int64_t n;
      if (!value(&v) || !ParseInt(v, &n)) return false;
      *out = n;
      return true;
    };
    bool ok = true;
    std::string catalog_err;
    if (ParseCatalogOption(argc, argv, &i, &catalog_overrides, &catalog_err)) {
      ok = catalog_err.empty();
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kPreflightHelp, stdout);
      return kOk;
    } else if (arg == "--model" || arg == "-m") {
      ok = value(&model_name);
    } else if (arg == "--input-tokens") {
      ok = int_value(&input_tokens);
    } else if (arg == "--text") {
      ok = value(&text_path);
    } else if (arg == "--request") {
      ok = value(&request_path);
    } else if (arg == "--encoding") {
      ok = value(&encoding_name);
    } else if (arg == "--budgets") {
      ok = value(&budgets_path);
    } else if (arg == "--scope") {
      std::string s;
      ok = value(&s);
      scopes.push_back(s);
    } else if (arg == "--max-output") {
      ok = int_value(&max_output);
    } else if (arg == "--ledger") {
      ok = value(&ledger_dir);
    } else if (arg == "--commit-output") {
      ok = int_value(&commit_output);
    } else if (arg == "--lock-timeout") {
      std::string v;
      ok = value(&v) && ParseSeconds(v, &lock_timeout);
    } else if (arg == "--repair-ledger") {
      repair_ledger = true;
    } else if (arg == "--at") {
      ok = value(&at);
    } else if (arg == "--json") {
      json = true;
    } else if (arg == "--dry-run") {
      dry_run = true;
    } else if (arg == "--shrink") {
      shrink = true;
    } else {
      std::fprintf(stderr, "tokwise: unknown option %s\n\n%s", arg.c_str(), kPreflightHelp);
      return kUsage;
    }
    if (!ok) {
      std::fprintf(stderr, "tokwise: option %s needs a %s\n\n%s", arg.c_str(),
                   arg == "--input-tokens" || arg == "--max-output" || arg == "--commit-output"
                       ? "non-negative integer"
                   : arg == "--lock-timeout" ? "number of seconds from 0 to 86400"
                                             : "value",
                   kPreflightHelp);
      return kUsage;
    }
  }
  if (int(input_tokens.has_value()) + int(!text_path.empty()) + int(!request_path.empty()) != 1) {
    return Fail(kUsage, "preflight needs exactly one of --request, --input-tokens and --text");
  }

  // A chat request: counted by the chat layer, as the provider bills it.
  if (!request_path.empty()) {
    std::string body, err;
    if (!ReadAll(request_path, &body, &err)) return Fail(kInput, err);
    ChatCountOptions co;
    co.model = model_name;
    absl::StatusOr<ChatCount> count = CountChatTokens(body, co);
    if (!count.ok()) {
      return Fail(count.status().code() == absl::StatusCode::kNotFound ? kUsage : kInput,
                  request_path + ": " + std::string(count.status().message()));
    }
    if (model_name.empty()) model_name = count->model;
    input_tokens = static_cast<int64_t>(count->total);
    if (!max_output) {
      absl::StatusOr<ChatRequest> parsed = ParseChatRequest(body);
      if (parsed.ok() && parsed->max_output_tokens) {
        max_output = static_cast<int64_t>(*parsed->max_output_tokens);
      }
    }
  }
  if (model_name.empty()) return Fail(kUsage, "preflight needs --model (see --help)");
  if (commit_output && dry_run) return Fail(kUsage, "--commit-output and --dry-run conflict");

  absl::StatusOr<Catalog> catalog = CatalogWithOverrides(catalog_overrides);
  if (!catalog.ok()) return Fail(kInput, std::string(catalog.status().message()));
  absl::StatusOr<const ModelInfo*> model = catalog->Find(model_name);
  if (!model.ok()) return Fail(kUsage, std::string(model.status().message()));

  // The input tokens.
  if (!text_path.empty()) {
    std::string text, err;
    if (!ReadAll(text_path, &text, &err)) return Fail(kInput, err);
    absl::StatusOr<std::shared_ptr<const Encoding>> enc =
        !encoding_name.empty() ? Encoding::Get(encoding_name) : Encoding::Get((*model)->tokenizer);
    if (!enc.ok() && encoding_name.empty()) enc = Encoding::ForModel((*model)->id);
    if (!enc.ok()) {
      return Fail(kUsage, "no built-in tokenizer for " + (*model)->id +
                              "; give --input-tokens or --encoding");
    }
    absl::StatusOr<size_t> n = (*enc)->Count(text);
    if (!n.ok()) return Fail(kInput, text_path + ": " + std::string(n.status().message()));
    input_tokens = static_cast<int64_t>(*n);
  }

  // The budgets and the ledger.
  BudgetSpec spec;
  if (!budgets_path.empty()) {
    std::string text, err;
    if (!ReadAll(budgets_path, &text, &err)) return Fail(kInput, err);
    absl::StatusOr<BudgetSpec> parsed = BudgetSpec::FromJson(text);
    if (!parsed.ok())
      return Fail(kInput, budgets_path + ": " + std::string(parsed.status().message()));
    spec = std::move(*parsed);
  }
  std::unique_ptr<ManualClock> fixed_clock;
  LedgerOptions options;
  if (!at.empty()) {
    absl::StatusOr<UnixMicros> t = ParseUtc(at);
    if (!t.ok()) return Fail(kUsage, std::string(t.status().message()));
    fixed_clock = std::make_unique<ManualClock>(*t);
    options.clock = fixed_clock.get();
  }
  options.dir = ledger_dir;
  options.lock_timeout = lock_timeout;
  options.repair_journal = repair_ledger;
  options.read_only = dry_run;  // A dry run changes no file, not even to cut a torn tail.
  absl::StatusOr<std::unique_ptr<BudgetLedger>> ledger =
      BudgetLedger::Open(std::move(spec), std::move(options));
  if (!ledger.ok()) {
    const absl::Status& s = ledger.status();
    if (absl::IsUnavailable(s)) {
      return Fail(kBusy, std::string(s.message()) + "; try again, or raise --lock-timeout");
    }
    if (absl::IsDataLoss(s) && !repair_ledger) {
      return Fail(kInput, std::string(s.message()) + " (tokwise preflight --repair-ledger)");
    }
    return Fail(kInput, std::string(s.message()));
  }
  const RecoveryReport& rr = (*ledger)->recovery();
  if (!rr.problem.empty()) {
    const char* what = rr.repaired ? "repaired a damaged ledger" : "cut a torn ledger tail";
    if (rr.quarantine_path.empty()) {
      std::fprintf(stderr,
                   "tokwise: warning: %s (%llu bytes would be set aside; --dry-run left the "
                   "files as they are)\n",
                   rr.problem.c_str(), static_cast<unsigned long long>(rr.bytes_discarded));
    } else {
      std::fprintf(stderr, "tokwise: warning: %s: %s (%llu bytes set aside in %s)\n", what,
                   rr.problem.c_str(), static_cast<unsigned long long>(rr.bytes_discarded),
                   rr.quarantine_path.c_str());
    }
  }

  PreflightRequest req;
  req.model = *model;
  req.input_tokens = *input_tokens;
  req.max_output_tokens = max_output;
  req.scopes = scopes;
  PreflightOptions po;
  po.dry_run = dry_run;
  po.shrink_output_to_fit = shrink;
  absl::StatusOr<Decision> d = (*ledger)->Preflight(req, po);
  if (!d.ok()) return Fail(kUsage, std::string(d.status().message()));

  std::string committed;
  if (d->allowed() && d->reservation != 0) {
    if (commit_output) {
      Usage u;
      u.input_uncached = *input_tokens;
      u.output = *commit_output;
      absl::StatusOr<UsageRecord> rec = (*ledger)->Commit(d->reservation, u);
      if (!rec.ok()) {
        // An out-of-range --commit-output is a usage error, like an out-of-range --max-output.
        return Fail(absl::IsInvalidArgument(rec.status()) ? kUsage : kInput,
                    std::string(rec.status().message()));
      }
      committed = rec->cost_known ? FormatPicoUsd(rec->cost) : "cost unknown";
      if (rec->exceeded_reservation) {
        std::fprintf(stderr,
                     "tokwise: warning: the committed usage (%lld output tokens) exceeds the "
                     "reservation (%lld output tokens); the full usage was recorded and may "
                     "overshoot a limit\n",
                     static_cast<long long>(*commit_output),
                     static_cast<long long>(d->reserved_output_tokens));
      }
    } else {
      // This process ends here: give the reservation back rather than leave it to expire,
      // and say so, since "reserved" would suggest the budget is still held.
      (void)(*ledger)->Release(d->reservation);
      d->message += "; reservation released on exit (use --commit-output to record the call)";
    }
  }
  if (json) {
    std::printf("%s\n", DecisionToJson(*d).c_str());
  } else {
    PrintDecision(*d);
    if (!committed.empty()) std::printf("  committed             %s\n", committed.c_str());
  }
  return d->allowed() ? kOk : kDenied;
}

}  // namespace tokwise::cli
