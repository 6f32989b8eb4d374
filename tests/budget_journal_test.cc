// Durability of the ledger: CRC-32C, the journal and snapshot formats, restarts that lose
// nothing, torn and corrupt journal tails, and the counter seeded twice.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "budget/crc32c.h"
#include "budget/journal.h"
#include "budget_test_util.h"
#include "tokwise/budget.h"

namespace tokwise {
namespace {

namespace fs = std::filesystem;
using budget_internal::Crc32c;
using budget_internal::Crc32cExtend;
using budget_internal::Crc32cSoftware;
using testing::Gpt4o;
using testing::InOut;
using testing::kUsd;
using testing::MakeLedger;
using testing::Req;
using testing::TempDir;

constexpr UnixMicros kHour = 3600 * kMicrosPerSecond;

// ---------------------------------------------------------------------------------------
// CRC-32C
// ---------------------------------------------------------------------------------------

// Check values from RFC 3720 (iSCSI), appendix B.4, and the standard "123456789" check.
TEST(Crc32c, MatchesPublishedCheckValues) {
  std::string zeros(32, '\0'), ones(32, '\xFF'), inc(32, 0), dec(32, 0);
  for (int i = 0; i < 32; ++i) {
    inc[i] = static_cast<char>(i);
    dec[i] = static_cast<char>(31 - i);
  }
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(ones), 0x62A8AB43u);
  EXPECT_EQ(Crc32c(inc), 0x46DD794Eu);
  EXPECT_EQ(Crc32c(dec), 0x113FDB5Cu);
  EXPECT_EQ(Crc32cSoftware(0, "123456789", 9), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
}

TEST(Crc32c, SoftwareAndDispatchedAgreeAndExtendByPieces) {
  std::string data;
  for (int i = 0; i < 3000; ++i) data.push_back(static_cast<char>((i * 131 + 7) & 0xFF));
  for (size_t n : {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 3000}) {
    const uint32_t a = Crc32cSoftware(0, data.data(), n);
    ASSERT_EQ(Crc32cExtend(0, data.data(), n), a) << n;
    for (size_t cut : {size_t{0}, n / 3, n}) {
      uint32_t c = Crc32cExtend(0, data.data(), cut);
      c = Crc32cExtend(c, data.data() + cut, n - cut);
      ASSERT_EQ(c, a) << n << " cut " << cut;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Record format
// ---------------------------------------------------------------------------------------

UsageRecord SampleRecord() {
  UsageRecord r;
  r.seq = 42;
  r.admitted_at = UnixMicrosFromUtc(2025, 1, 31, 23, 59, 59);
  r.committed_at = r.admitted_at + 3 * kMicrosPerSecond;
  r.scopes = {
      "user:al\xC3\xAF"
      "ce",
      "workflow:w", "model:gpt-4o"};
  r.model = "gpt-4o";
  r.provider = "openai";
  r.usage.input_uncached = 1;
  r.usage.cache_read = 2;
  r.usage.cache_write_5m = 3;
  r.usage.cache_write_1h = 4;
  r.usage.output = 500;
  r.usage.reasoning = 6;
  r.cost = 123456789012345;
  r.cost_known = true;
  r.late = true;
  r.step = 49;
  r.conversation_id = "conv";
  return r;
}

TEST(JournalFormat, UsageRecordRoundTripsAndShortPayloadsFailCleanly) {
  const UsageRecord r = SampleRecord();
  const std::string bytes = budget_internal::EncodeUsageRecord(r);
  auto back = budget_internal::DecodeUsageRecord(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->seq, r.seq);
  EXPECT_EQ(back->admitted_at, r.admitted_at);
  EXPECT_EQ(back->committed_at, r.committed_at);
  EXPECT_EQ(back->scopes, r.scopes);
  EXPECT_EQ(back->model, r.model);
  EXPECT_EQ(back->provider, r.provider);
  EXPECT_EQ(back->usage.input_total(), 10);
  EXPECT_EQ(back->usage.cache_write_1h, 4);
  EXPECT_EQ(back->usage.output, 500);
  EXPECT_EQ(back->usage.reasoning, 6);
  EXPECT_EQ(back->cost, r.cost);
  EXPECT_TRUE(back->cost_known);
  EXPECT_TRUE(back->late);
  EXPECT_EQ(back->step, 49);
  EXPECT_EQ(back->conversation_id, "conv");
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(budget_internal::DecodeUsageRecord(bytes.substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(budget_internal::DecodeUsageRecord(bytes + "x").ok());
}

// ---------------------------------------------------------------------------------------
// Restarts
// ---------------------------------------------------------------------------------------

// A workload over several days, users, workflows and models, with releases and calls left
// in flight. Returns the scope keys it touched.
std::vector<std::string> RunWorkload(BudgetLedger& ledger, ManualClock& clock, int calls,
                                     int first = 0) {
  const ModelInfo gpt = Gpt4o();
  const ModelInfo sonnet = testing::Sonnet45();
  for (int i = first; i < first + calls; ++i) {
    clock.Advance(kHour * 5 + 17 * kMicrosPerSecond);
    const ModelInfo& m = (i % 3 == 0) ? sonnet : gpt;
    PreflightRequest r =
        Req(m, 1000 + 37 * i, 200 + i,
            {"user:u" + std::to_string(i % 7), "workflow:w" + std::to_string(i % 3)});
    r.step = i;
    auto d = ledger.Preflight(r);
    EXPECT_TRUE(d.ok() && d->allowed());
    if (i % 10 == 9) {
      EXPECT_TRUE(ledger.Release(d->reservation).ok());
    } else if (i % 10 != 4) {  // i % 10 == 4: left in flight.
      Usage u = InOut(500 + 37 * i, 100 + i % 50);
      u.cache_read = 500;
      EXPECT_TRUE(ledger.Commit(d->reservation, u).ok());
    }
  }
  std::vector<std::string> keys = {"model:gpt-4o", "model:claude-sonnet-4-5"};
  for (int u = 0; u < 7; ++u) keys.push_back("user:u" + std::to_string(u));
  for (int w = 0; w < 3; ++w) keys.push_back("workflow:w" + std::to_string(w));
  return keys;
}

// Committed spend of every key in every window (reservations are process-local).
std::map<std::string, std::vector<int64_t>> Committed(const BudgetLedger& ledger,
                                                      const std::vector<std::string>& keys) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const std::string& k : keys) {
    const ScopeUsage u = ledger.GetScopeUsage(k);
    for (const auto& w : u.windows) {
      out[k].insert(out[k].end(),
                    {w.period.id, w.requests, w.input_tokens, w.output_tokens, w.cost});
    }
  }
  return out;
}

LedgerOptions DiskOptions(const std::string& dir, const Clock* clock) {
  LedgerOptions o;
  o.dir = dir;
  o.clock = clock;
  return o;
}

TEST(Durability, RestartLosesNoRecordedSpend) {
  TempDir dir;
  ManualClock clock(UnixMicrosFromUtc(2025, 1, 27));
  std::map<std::string, std::vector<int64_t>> before;
  std::vector<std::string> keys;
  {
    auto ledger = MakeLedger(R"({"budgets":[]})", DiskOptions(dir.path(), &clock));
    keys = RunWorkload(*ledger, clock, 60);
    before = Committed(*ledger, keys);
    EXPECT_EQ(ledger->stats().commits, 48u);
  }
  // The ledger object is gone; only the files remain.
  auto ledger = MakeLedger(R"({"budgets":[]})", DiskOptions(dir.path(), &clock));
  EXPECT_EQ(ledger->recovery().records_replayed, 48u);
  EXPECT_TRUE(ledger->recovery().problem.empty()) << ledger->recovery().problem;
  EXPECT_FALSE(ledger->recovery().snapshot_loaded);
  EXPECT_EQ(Committed(*ledger, keys), before);
  // The month's spend spans January and February: the counters hold the current periods.
  EXPECT_GT(ledger->GetScopeUsage("user:u1").windows[static_cast<int>(Window::kTotal)].requests,
            ledger->GetScopeUsage("user:u1").windows[static_cast<int>(Window::kMonth)].requests);
  // New records continue the sequence.
  auto d = ledger->Preflight(Req(Gpt4o(), 10, 10, {"user:u1"}));
  auto rec = ledger->Commit(d->reservation, InOut(10, 10));
  EXPECT_EQ(rec->seq, 49u);
}

TEST(Durability, RestartFromSnapshotPlusJournalLosesNothing) {
  TempDir dir;
  ManualClock clock(UnixMicrosFromUtc(2025, 1, 27));
  std::map<std::string, std::vector<int64_t>> before;
  std::vector<std::string> keys;
  {
    auto ledger = MakeLedger(R"({"budgets":[]})", DiskOptions(dir.path(), &clock));
    RunWorkload(*ledger, clock, 30);
    ASSERT_TRUE(ledger->Snapshot().ok());
    keys = RunWorkload(*ledger, clock, 30, 30);
    before = Committed(*ledger, keys);
  }
  auto ledger = MakeLedger(R"({"budgets":[]})", DiskOptions(dir.path(), &clock));
  const RecoveryReport& rr = ledger->recovery();
  EXPECT_TRUE(rr.snapshot_loaded);
  EXPECT_EQ(rr.snapshot_seq, 24u);
  EXPECT_EQ(rr.records_replayed, 24u);
  EXPECT_EQ(rr.records_skipped, 0u);
  EXPECT_EQ(Committed(*ledger, keys), before);
}

// A process crash leaves exactly what had reached the kernel: copy the files while the
// ledger is still open (fsync never called) and open the copy.
TEST(Durability, CrashCopyOfAnOpenLedgerHasEveryCommit) {
  TempDir dir, crash;
  ManualClock clock(UnixMicrosFromUtc(2025, 3, 1));
  LedgerOptions o = DiskOptions(dir.path(), &clock);
  o.fsync = FsyncPolicy::kNever;
  auto ledger = MakeLedger(R"({"budgets":[]})", o);
  auto keys = RunWorkload(*ledger, clock, 40);
  const auto before = Committed(*ledger, keys);
  EXPECT_EQ(ledger->stats().fsyncs, 0u);
  fs::copy(dir.path(), crash.path(), fs::copy_options::recursive);
  auto copy = MakeLedger(R"({"budgets":[]})", DiskOptions(crash.path(), &clock));
  EXPECT_EQ(Committed(*copy, keys), before);
  EXPECT_EQ(copy->recovery().records_replayed, 32u);
}

TEST(Durability, SpendSurvivesABudgetChangeAcrossRestarts) {
  TempDir dir;
  ManualClock clock(UnixMicrosFromUtc(2025, 5, 10, 8, 0, 0));
  const ModelInfo m = Gpt4o();
  {
    auto ledger = MakeLedger(R"({"budgets":[]})", DiskOptions(dir.path(), &clock));
    auto d = ledger->Preflight(Req(m, 100000, 0, {"user:a"}));  // $0.25.
    ASSERT_TRUE(ledger->Commit(d->reservation, InOut(100000, 0)).ok());
  }
  auto ledger = MakeLedger(R"({"budgets":[{"scope":"user:a","usd_per_day":"0.30"}]})",
                           DiskOptions(dir.path(), &clock));
  EXPECT_EQ(ledger->Preflight(Req(m, 20001, 0, {"user:a"}))->code, DecisionCode::kBudgetExceeded);
  EXPECT_TRUE(ledger->Preflight(Req(m, 20000, 0, {"user:a"}))->allowed());
}

// ---------------------------------------------------------------------------------------
// Torn and corrupt journals
// ---------------------------------------------------------------------------------------

struct Recorded {
  std::vector<std::string> keys = {"user:t", "model:gpt-4o"};
  std::vector<std::map<std::string, std::vector<int64_t>>> after;  // after[i]: i commits.
  std::vector<uint64_t> record_end;  // Journal size after each commit.
};

// Twenty commits, remembering the state and the journal size after each.
Recorded WriteTwenty(const std::string& dir, ManualClock& clock) {
  Recorded r;
  auto ledger = MakeLedger(R"({"budgets":[]})", DiskOptions(dir, &clock));
  const ModelInfo m = Gpt4o();
  r.after.push_back(Committed(*ledger, r.keys));
  r.record_end.push_back(fs::file_size(dir + "/journal"));
  for (int i = 0; i < 20; ++i) {
    auto d = ledger->Preflight(Req(m, 100 + i, 10, {"user:t"}));
    EXPECT_TRUE(ledger->Commit(d->reservation, InOut(100 + i, 10 + i)).ok());
    r.after.push_back(Committed(*ledger, r.keys));
    r.record_end.push_back(fs::file_size(dir + "/journal"));
  }
  return r;
}

void FlipByte(const std::string& path, uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5A);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

TEST(Durability, TornTailIsDetectedReportedAndThePrefixKept) {
  ManualClock clock(UnixMicrosFromUtc(2025, 4, 1));
  TempDir master;
  const Recorded rec = WriteTwenty(master.path(), clock);
  const uint64_t last_len = rec.record_end[20] - rec.record_end[19];
  for (uint64_t cut : {uint64_t{1}, uint64_t{5}, uint64_t{9}, last_len - 1}) {
    TempDir dir;
    fs::copy(master.path() + "/journal", dir.file("journal"));
    ASSERT_EQ(::truncate(dir.file("journal").c_str(), static_cast<off_t>(rec.record_end[20] - cut)),
              0);
    {
      auto ledger = MakeLedger(R"({"budgets":[]})", DiskOptions(dir.path(), &clock));
      const RecoveryReport& rr = ledger->recovery();
      EXPECT_EQ(rr.records_replayed, 19u) << cut;
      EXPECT_NE(rr.problem.find("torn"), std::string::npos) << rr.problem;
      EXPECT_NE(rr.problem.find(std::to_string(rec.record_end[19])), std::string::npos)
          << rr.problem;  // Names the byte offset of the torn record.
      EXPECT_EQ(rr.bytes_discarded, last_len - cut);
      ASSERT_FALSE(rr.quarantine_path.empty());
      EXPECT_EQ(fs::file_size(rr.quarantine_path), last_len - cut);
      EXPECT_EQ(Committed(*ledger, rec.keys), rec.after[19]);
      // The journal goes on from the last good record.
      auto d = ledger->Preflight(Req(Gpt4o(), 1, 1, {"user:t"}));
      auto r = ledger->Commit(d->reservation, InOut(1, 1));
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->seq, 20u);
    }
    auto again = MakeLedger(R"({"budgets":[]})", DiskOptions(dir.path(), &clock));
    EXPECT_TRUE(again->recovery().problem.empty()) << again->recovery().problem;
    EXPECT_EQ(again->recovery().records_replayed, 20u);
  }
}

TEST(Durability, CorruptTailFailsItsChecksumAndThePrefixIsKept) {
  ManualClock clock(UnixMicrosFromUtc(2025, 4, 1));
  TempDir dir;
  const Recorded rec = WriteTwenty(dir.path(), clock);
  FlipByte(dir.file("journal"), rec.record_end[19] + 20);  // Inside the last payload.
  auto ledger = MakeLedger(R"({"budgets":[]})", DiskOptions(dir.path(), &clock));
  const RecoveryReport& rr = ledger->recovery();
  EXPECT_NE(rr.problem.find("checksum mismatch"), std::string::npos) << rr.problem;
  EXPECT_EQ(rr.records_replayed, 19u);
  EXPECT_EQ(Committed(*ledger, rec.keys), rec.after[19]);
}

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Names of the files in a folder, sorted.
std::vector<std::string> FileNames(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Damage inside the journal (a bad record with intact records after it) is not what a dying
// writer leaves: Open() must fail closed, name the offset, and change no file. Cutting there
// would forget the spend of every later record (the ledger used to report "used 61" of 123
// calls, or "used 0", and allow the call).
TEST(Durability, DamageInsideTheJournalFailsClosedAndChangesNothing) {
  ManualClock clock(UnixMicrosFromUtc(2025, 4, 1));
  TempDir master;
  const Recorded rec = WriteTwenty(master.path(), clock);
  struct Case {
    const char* what;
    uint64_t flip;     // Byte flipped.
    uint64_t record;   // Offset of the record it damages.
    const char* kind;  // What the error says about it.
  } cases[] = {
      // The length field of record 5: it now runs past the end of the file, like a torn
      // record, but intact records follow it.
      {"length", rec.record_end[4] + 2, rec.record_end[4], "torn record"},
      {"payload", rec.record_end[10] + 30, rec.record_end[10], "checksum mismatch"},
      {"first record", 20, 8, "checksum mismatch"},
      {"checksum field", rec.record_end[18] + 5, rec.record_end[18], "checksum mismatch"},
  };
  for (const Case& c : cases) {
    for (bool read_only : {false, true}) {
      SCOPED_TRACE(std::string(c.what) + (read_only ? " read-only" : ""));
      TempDir dir;
      fs::copy(master.path() + "/journal", dir.file("journal"));
      FlipByte(dir.file("journal"), c.flip);
      const std::string before = FileBytes(dir.file("journal"));
      const std::vector<std::string> names = FileNames(dir.path());
      LedgerOptions o = DiskOptions(dir.path(), &clock);
      o.read_only = read_only;
      auto l = BudgetLedger::Open(testing::Spec(R"({"budgets":[]})"), o);
      ASSERT_FALSE(l.ok());
      EXPECT_EQ(l.status().code(), absl::StatusCode::kDataLoss) << l.status();
      const std::string msg(l.status().message());
      EXPECT_NE(msg.find(c.kind), std::string::npos) << msg;
      EXPECT_NE(msg.find("byte offset " + std::to_string(c.record)), std::string::npos) << msg;
      EXPECT_NE(msg.find("repair_journal"), std::string::npos) << msg;
      EXPECT_EQ(FileBytes(dir.file("journal")), before);
      // Nothing moved aside; only the lock file may have been made.
      std::vector<std::string> after = FileNames(dir.path());
      after.erase(std::remove(after.begin(), after.end(), "LOCK"), after.end());
      EXPECT_EQ(after, names);
    }
  }
}

// With repair_journal the operator accepts the loss: the records before the damage are kept,
// the rest is moved aside, and the report says it was a repair, not a torn tail.
TEST(Durability, RepairJournalKeepsTheValidPrefixAndReportsIt) {
  ManualClock clock(UnixMicrosFromUtc(2025, 4, 1));
  TempDir dir;
  const Recorded rec = WriteTwenty(dir.path(), clock);
  FlipByte(dir.file("journal"), rec.record_end[4] + 2);  // The length field of record 5.
  const std::string damaged = FileBytes(dir.file("journal"));
  // The reader stops at the damage too, and says the file is damaged inside.
  auto scan = ReadUsageRecords(dir.path(), [](const UsageRecord&) { return true; });
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_EQ(scan->records, 4u);
  EXPECT_EQ(scan->bad_tails, 1u);
  EXPECT_EQ(scan->damaged_files, 1u);

  // Read-only: the repair is reported as it would be done, and nothing changes.
  LedgerOptions o = DiskOptions(dir.path(), &clock);
  o.repair_journal = true;
  o.read_only = true;
  {
    auto ledger = MakeLedger(R"({"budgets":[]})", o);
    const RecoveryReport& rr = ledger->recovery();
    EXPECT_TRUE(rr.repaired);
    EXPECT_EQ(rr.records_replayed, 4u);
    EXPECT_EQ(rr.bytes_discarded, rec.record_end[20] - rec.record_end[4]);
    EXPECT_TRUE(rr.quarantine_path.empty());
    EXPECT_EQ(Committed(*ledger, rec.keys), rec.after[4]);
    EXPECT_EQ(ledger->Commit(1, InOut(1, 1)).status().code(),
              absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(FileBytes(dir.file("journal")), damaged);
  }

  o.read_only = false;
  {
    auto ledger = MakeLedger(R"({"budgets":[]})", o);
    const RecoveryReport& rr = ledger->recovery();
    EXPECT_TRUE(rr.repaired);
    EXPECT_NE(rr.problem.find(std::to_string(rec.record_end[4])), std::string::npos) << rr.problem;
    EXPECT_EQ(rr.records_replayed, 4u);
    EXPECT_EQ(rr.bytes_discarded, rec.record_end[20] - rec.record_end[4]);
    EXPECT_EQ(FileBytes(rr.quarantine_path), damaged.substr(rec.record_end[4]));
    EXPECT_EQ(Committed(*ledger, rec.keys), rec.after[4]);
  }
  // Repaired once: the journal is clean again without the flag.
  auto again = MakeLedger(R"({"budgets":[]})", DiskOptions(dir.path(), &clock));
  EXPECT_TRUE(again->recovery().problem.empty()) << again->recovery().problem;
  EXPECT_EQ(again->recovery().records_replayed, 4u);
}

// What a power loss can leave after the last record: a run of zeros (blocks allocated, data
// never written). No intact record follows, so it is a torn tail and cut as before.
TEST(Durability, ZeroFilledTailIsATornTail) {
  ManualClock clock(UnixMicrosFromUtc(2025, 4, 1));
  TempDir dir;
  const Recorded rec = WriteTwenty(dir.path(), clock);
  std::ofstream(dir.file("journal"), std::ios::binary | std::ios::app) << std::string(4096, '\0');
  auto ledger = MakeLedger(R"({"budgets":[]})", DiskOptions(dir.path(), &clock));
  const RecoveryReport& rr = ledger->recovery();
  EXPECT_FALSE(rr.repaired);
  EXPECT_EQ(rr.records_replayed, 20u);
  EXPECT_EQ(rr.bytes_discarded, 4096u);
  EXPECT_EQ(Committed(*ledger, rec.keys), rec.after[20]);
  ledger.reset();
  // Cut already; a fresh zero tail reads as a bad tail, not as damage inside.
  std::ofstream(dir.file("journal"), std::ios::binary | std::ios::app) << std::string(100, '\0');
  auto scan = ReadUsageRecords(dir.path(), [](const UsageRecord&) { return true; });
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->bad_tails, 1u);
  EXPECT_EQ(scan->damaged_files, 0u);
}

// A dry run (read_only) sees the torn tail but leaves it in place for the next writer.
TEST(Durability, ReadOnlyReportsATornTailWithoutCuttingIt) {
  ManualClock clock(UnixMicrosFromUtc(2025, 4, 1));
  TempDir dir;
  const Recorded rec = WriteTwenty(dir.path(), clock);
  ASSERT_EQ(::truncate(dir.file("journal").c_str(), static_cast<off_t>(rec.record_end[20] - 3)), 0);
  const std::string torn = FileBytes(dir.file("journal"));
  LedgerOptions o = DiskOptions(dir.path(), &clock);
  o.read_only = true;
  {
    auto ledger = MakeLedger(R"({"budgets":[]})", o);
    EXPECT_EQ(ledger->recovery().records_replayed, 19u);
    EXPECT_NE(ledger->recovery().problem.find("torn"), std::string::npos);
    EXPECT_FALSE(ledger->recovery().repaired);
    EXPECT_EQ(Committed(*ledger, rec.keys), rec.after[19]);
    auto d = ledger->Preflight(Req(Gpt4o(), 1, 1, {"user:t"}));
    ASSERT_TRUE(d.ok() && d->allowed());
    EXPECT_EQ(ledger->Commit(d->reservation, InOut(1, 1)).status().code(),
              absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(ledger->Snapshot().code(), absl::StatusCode::kFailedPrecondition);
  }
  EXPECT_EQ(FileBytes(dir.file("journal")), torn);
  EXPECT_FALSE(fs::exists(dir.file("journal.bad-" + std::to_string(rec.record_end[19]))));
  // A read-only open of a folder that does not exist creates nothing.
  o.dir = dir.file("never-made");
  auto empty = MakeLedger(R"({"budgets":[]})", o);
  EXPECT_FALSE(fs::exists(o.dir));
}

TEST(Durability, TornHeaderAndForeignFiles) {
  ManualClock clock(UnixMicrosFromUtc(2025, 4, 1));
  {
    TempDir dir;
    std::ofstream(dir.file("journal"), std::ios::binary) << "TWJ";
    auto ledger = MakeLedger(R"({"budgets":[]})", DiskOptions(dir.path(), &clock));
    EXPECT_NE(ledger->recovery().problem.find("torn header"), std::string::npos);
    auto d = ledger->Preflight(Req(Gpt4o(), 1, 1, {"user:t"}));
    EXPECT_TRUE(ledger->Commit(d->reservation, InOut(1, 1)).ok());
  }
  {
    TempDir dir;
    std::ofstream(dir.file("journal"), std::ios::binary) << "not a journal at all";
    auto l =
        BudgetLedger::Open(testing::Spec(R"({"budgets":[]})"), DiskOptions(dir.path(), &clock));
    EXPECT_EQ(l.status().code(), absl::StatusCode::kDataLoss);
  }
  {
    TempDir dir;
    std::ofstream(dir.file("snapshot"), std::ios::binary) << std::string(64, 'x');
    auto l =
        BudgetLedger::Open(testing::Spec(R"({"budgets":[]})"), DiskOptions(dir.path(), &clock));
    EXPECT_EQ(l.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(l.status().message().find(dir.file("snapshot")), std::string::npos);
  }
}

TEST(Durability, CorruptSnapshotIsAnErrorNamingTheFile) {
  ManualClock clock(UnixMicrosFromUtc(2025, 4, 1));
  TempDir dir;
  {
    auto ledger = MakeLedger(R"({"budgets":[]})", DiskOptions(dir.path(), &clock));
    RunWorkload(*ledger, clock, 10);
    ASSERT_TRUE(ledger->Snapshot().ok());
  }
  FlipByte(dir.file("snapshot"), 40);
  auto l = BudgetLedger::Open(testing::Spec(R"({"budgets":[]})"), DiskOptions(dir.path(), &clock));
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(l.status().message().find("checksum"), std::string::npos) << l.status();
}

// ---------------------------------------------------------------------------------------
// The counter seeded twice
// ---------------------------------------------------------------------------------------

// Failure mode: a counter seeded twice (from the snapshot and again from the journal records
// the snapshot already holds) blocks a user at 74% of the budget. Here the crash falls
// between writing the snapshot and retiring the journal, so both hold the same records.
TEST(FailureModes, CounterIsNotSeededTwiceAfterSnapshotAndJournalReplay) {
  ManualClock clock(UnixMicrosFromUtc(2025, 7, 1, 9, 0, 0));
  TempDir dir;
  const ModelInfo m = Gpt4o();
  const char* spec = R"({"budgets":[{"scope":"user:*","usd_per_day":"0.10"}]})";
  const std::string stale = dir.file("journal.before-snapshot");
  {
    auto ledger = MakeLedger(spec, DiskOptions(dir.path(), &clock));
    // 37% of the budget: $0.037 = 14,800 input tokens at $2.50 / M, in four calls.
    for (int i = 0; i < 4; ++i) {
      auto d = ledger->Preflight(Req(m, 3700, 0, {"user:a"}));
      ASSERT_TRUE(d->allowed());
      ASSERT_TRUE(ledger->Commit(d->reservation, InOut(3700, 0)).ok());
    }
    fs::copy(dir.file("journal"), stale);
    ASSERT_TRUE(ledger->Snapshot().ok());
  }
  // The crash: the journal still holds the four records the snapshot folded in.
  fs::copy(stale, dir.file("journal"), fs::copy_options::overwrite_existing);
  fs::remove(stale);
  for (int reopen = 0; reopen < 3; ++reopen) {
    auto ledger = MakeLedger(spec, DiskOptions(dir.path(), &clock));
    EXPECT_EQ(ledger->recovery().records_skipped, 4u);  // Seen, and not applied.
    EXPECT_EQ(ledger->recovery().records_replayed, 0u);
    const ScopeUsage u = ledger->GetScopeUsage("user:a");
    EXPECT_EQ(u.windows[static_cast<int>(Window::kDay)].cost, 37'000'000'000);  // Not 74%.
    // The remaining 63% is there to spend, to the pico-dollar.
    PreflightOptions dry;
    dry.dry_run = true;
    EXPECT_TRUE(ledger->Preflight(Req(m, 25200, 0, {"user:a"}), dry)->allowed());
    EXPECT_EQ(ledger->Preflight(Req(m, 25201, 0, {"user:a"}), dry)->code,
              DecisionCode::kBudgetExceeded);
  }
  // Spending on after the double-held records, then another snapshot, stays exact.
  {
    auto ledger = MakeLedger(spec, DiskOptions(dir.path(), &clock));
    auto d = ledger->Preflight(Req(m, 4000, 0, {"user:a"}));  // $0.01.
    auto rec = ledger->Commit(d->reservation, InOut(4000, 0));
    EXPECT_EQ(rec->seq, 5u);
    ASSERT_TRUE(ledger->Snapshot().ok());
  }
  auto ledger = MakeLedger(spec, DiskOptions(dir.path(), &clock));
  EXPECT_EQ(ledger->recovery().snapshot_seq, 5u);
  EXPECT_EQ(ledger->GetScopeUsage("user:a").windows[static_cast<int>(Window::kDay)].cost,
            47'000'000'000);
}

// ---------------------------------------------------------------------------------------
// Policies, archives, the reader, the lock
// ---------------------------------------------------------------------------------------

TEST(Durability, FsyncPolicies) {
  ManualClock clock(UnixMicrosFromUtc(2025, 4, 1));
  const ModelInfo m = Gpt4o();
  auto run = [&](FsyncPolicy p, uint32_t n) {
    TempDir dir;
    LedgerOptions o = DiskOptions(dir.path(), &clock);
    o.fsync = p;
    o.fsync_every_n = n;
    auto ledger = MakeLedger(R"({"budgets":[]})", o);
    for (int i = 0; i < 10; ++i) {
      auto d = ledger->Preflight(Req(m, 10, 10, {"user:f"}));
      EXPECT_TRUE(ledger->Commit(d->reservation, InOut(10, 10)).ok());
    }
    const uint64_t before_flush = ledger->stats().fsyncs;
    EXPECT_TRUE(ledger->Flush().ok());
    return std::make_pair(before_flush, ledger->stats().fsyncs);
  };
  EXPECT_EQ(run(FsyncPolicy::kEveryCommit, 0), std::make_pair(uint64_t{10}, uint64_t{10}));
  EXPECT_EQ(run(FsyncPolicy::kEveryN, 4), std::make_pair(uint64_t{2}, uint64_t{3}));
  EXPECT_EQ(run(FsyncPolicy::kNever, 0), std::make_pair(uint64_t{0}, uint64_t{1}));
}

TEST(Durability, ArchivedJournalsKeepEveryUsageRecordForTheReader) {
  ManualClock clock(UnixMicrosFromUtc(2025, 4, 1));
  TempDir dir;
  const ModelInfo m = Gpt4o();
  LedgerOptions o = DiskOptions(dir.path(), &clock);
  o.snapshot_every = 10;
  o.archive_journals = true;
  o.fsync = FsyncPolicy::kNever;
  std::map<std::string, std::vector<int64_t>> before;
  {
    auto ledger = MakeLedger(R"({"budgets":[]})", o);
    for (int i = 0; i < 25; ++i) {
      PreflightRequest r = Req(m, 100 + i, 10, {"user:r", "agent:a" + std::to_string(i % 2)});
      r.step = i;
      auto d = ledger->Preflight(r);
      ASSERT_TRUE(ledger->Commit(d->reservation, InOut(100 + i, 10)).ok());
    }
    EXPECT_EQ(ledger->stats().snapshots, 2u);
    before = Committed(*ledger, {"user:r", "agent:a0", "agent:a1", "model:gpt-4o"});
  }
  EXPECT_TRUE(fs::exists(dir.file("journal-1-10")));
  EXPECT_TRUE(fs::exists(dir.file("journal-11-20")));
  std::vector<UsageRecord> seen;
  auto scan = ReadUsageRecords(dir.path(), [&](const UsageRecord& r) {
    seen.push_back(r);
    return true;
  });
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_EQ(scan->records, 25u);
  EXPECT_EQ(scan->files, 3u);
  EXPECT_EQ(scan->bad_tails, 0u);
  ASSERT_EQ(seen.size(), 25u);
  for (int i = 0; i < 25; ++i) {
    EXPECT_EQ(seen[i].seq, static_cast<uint64_t>(i + 1));
    EXPECT_EQ(seen[i].step, i);
    EXPECT_EQ(seen[i].usage.input_uncached, 100 + i);
    EXPECT_EQ(seen[i].scopes[1], "agent:a" + std::to_string(i % 2));
  }
  // Stopping early.
  int n = 0;
  ASSERT_TRUE(ReadUsageRecords(dir.path(), [&](const UsageRecord&) { return ++n < 3; }).ok());
  EXPECT_EQ(n, 3);
  // The archives are history only: reopening replays just the live journal.
  auto ledger = MakeLedger(R"({"budgets":[]})", o);
  EXPECT_EQ(ledger->recovery().snapshot_seq, 20u);
  EXPECT_EQ(ledger->recovery().records_replayed, 5u);
  EXPECT_EQ(Committed(*ledger, {"user:r", "agent:a0", "agent:a1", "model:gpt-4o"}), before);
}

TEST(Durability, OneLedgerPerFolder) {
  ManualClock clock(UnixMicrosFromUtc(2025, 4, 1));
  TempDir dir;
  auto first = MakeLedger(R"({"budgets":[]})", DiskOptions(dir.path(), &clock));
  LedgerOptions no_wait = DiskOptions(dir.path(), &clock);
  no_wait.lock_timeout = 0;
  auto second = BudgetLedger::Open(testing::Spec(R"({"budgets":[]})"), no_wait);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("busy"), std::string::npos) << second.status();
  first.reset();
  EXPECT_TRUE(BudgetLedger::Open(testing::Spec(R"({"budgets":[]})"), no_wait).ok());
}

// A second opener waits for the folder's lock instead of failing at once (30 parallel CLI
// runs on one --ledger used to fail 26 times with "ledger is open elsewhere").
TEST(Locking, OpenWaitsForTheLockUpToTheTimeout) {
  ManualClock clock(UnixMicrosFromUtc(2025, 4, 1));
  TempDir dir;
  auto first = MakeLedger(R"({"budgets":[]})", DiskOptions(dir.path(), &clock));

  // Too short a wait: Unavailable, after about the timeout.
  LedgerOptions brief = DiskOptions(dir.path(), &clock);
  brief.lock_timeout = 100'000;
  auto t0 = std::chrono::steady_clock::now();
  auto busy = BudgetLedger::Open(testing::Spec(R"({"budgets":[]})"), brief);
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(busy.status().code(), absl::StatusCode::kUnavailable) << busy.status();
  EXPECT_GE(waited, std::chrono::milliseconds(100));
  EXPECT_LT(waited, std::chrono::seconds(5));

  // Long enough: the holder closes after 200 ms and the waiter gets the folder.
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    first.reset();
  });
  LedgerOptions patient = DiskOptions(dir.path(), &clock);
  patient.lock_timeout = 10 * kMicrosPerSecond;
  t0 = std::chrono::steady_clock::now();
  auto second = BudgetLedger::Open(testing::Spec(R"({"budgets":[]})"), patient);
  closer.join();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(150));

  LedgerOptions negative = patient;
  negative.lock_timeout = -1;
  second->reset();
  EXPECT_EQ(BudgetLedger::Open(testing::Spec(R"({"budgets":[]})"), negative).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Many short-lived ledgers (like CLI runs) contending for one folder: each opens, commits
// one call and closes; every one gets its turn and no commit is lost.
TEST(Locking, ContendingOpenersEachGetTheirTurn) {
  ManualClock clock(UnixMicrosFromUtc(2025, 4, 1));
  TempDir dir;
  constexpr int kOpeners = 12;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kOpeners; ++t) {
    threads.emplace_back([&] {
      LedgerOptions o = DiskOptions(dir.path(), &clock);
      o.lock_timeout = 10 * kMicrosPerSecond;  // Queue, as the CLI does.
      auto l = BudgetLedger::Open(testing::Spec(R"({"budgets":[]})"), o);
      if (!l.ok()) {
        failures.fetch_add(1);
        return;
      }
      auto d = (*l)->Preflight(Req(Gpt4o(), 100, 5, {"user:c"}));
      if (!d.ok() || !(*l)->Commit(d->reservation, InOut(100, 5)).ok()) failures.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // Hold it a little.
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto ledger = MakeLedger(R"({"budgets":[]})", DiskOptions(dir.path(), &clock));
  EXPECT_EQ(ledger->recovery().records_replayed, static_cast<uint64_t>(kOpeners));
  EXPECT_EQ(ledger->GetScopeUsage("user:c").windows[static_cast<int>(Window::kTotal)].requests,
            kOpeners);
}

TEST(Durability, InMemoryLedgerHasNoSnapshots) {
  ManualClock clock(UnixMicrosFromUtc(2025, 4, 1));
  LedgerOptions o;
  o.clock = &clock;
  auto ledger = MakeLedger(R"({"budgets":[]})", o);
  EXPECT_EQ(ledger->Snapshot().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(ledger->Flush().ok());
}

}  // namespace
}  // namespace tokwise
