// The ledger's files: an append-only journal of usage records and snapshots of the counters.
//
// Journal file ("journal", archived as "journal-<first seq>-<last seq>"):
//   header  : "TWJ1" + u32 format version (1)
//   records : u32 payload length | u32 CRC-32C of (length bytes + payload) | payload
// All integers little-endian. A record is written with one write() call; a crash can leave a
// torn last record, which the reader detects (length past the end of the file, or a CRC
// mismatch) and reports, keeping every record before it. A bad record is a torn TAIL only
// if no intact record (length in bounds, record type, matching CRC) starts anywhere after
// it: a dying writer cannot leave good records behind a bad one, so anything else is damage
// inside the file (a flipped bit, an overwritten block) and the ledger refuses it.
//
// Usage record payload (type 1): u8 type | u64 seq | i64 admitted_at | i64 committed_at |
//   u32 n | n strings (scopes) | string model | string provider | i64 x 6 usage buckets
//   (uncached, cache read, write 5m, write 1h, output, reasoning) | i64 cost | u8 flags
//   (1 = cost known, 2 = late, 4 = exceeded its reservation; older files never set 4) | i64 step |
//   string conversation id. A string is u32 length + bytes.
//
// Snapshot file ("snapshot"): "TWS1" | u32 version (1) | u64 last seq | i64 taken_at |
//   u64 n scopes | per scope: string key, then per window (5): i64 period, i64 requests,
//   i64 input tokens, i64 output tokens, i64 cost | u32 CRC-32C of everything before it.
//   Written to "snapshot.tmp", fsync'ed, renamed over "snapshot", directory fsync'ed.
#ifndef TOKWISE_LIB_BUDGET_JOURNAL_H_
#define TOKWISE_LIB_BUDGET_JOURNAL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokwise/budget.h"

namespace tokwise::budget_internal {

inline constexpr char kJournalName[] = "journal";
inline constexpr char kSnapshotName[] = "snapshot";
inline constexpr char kLockName[] = "LOCK";
inline constexpr size_t kJournalHeaderSize = 8;
inline constexpr uint32_t kMaxRecordSize = 16u << 20;

std::string EncodeUsageRecord(const UsageRecord& r);
absl::StatusOr<UsageRecord> DecodeUsageRecord(std::string_view payload);

// Appends framed records to a journal file. Not thread-safe: the ledger serializes calls.
class JournalWriter {
 public:
  // Opens `path` for appending, creating it with a header if missing or empty. The caller has
  // already cut any bad tail (see ScanJournal).
  static absl::StatusOr<std::unique_ptr<JournalWriter>> Open(const std::string& path,
                                                             FsyncPolicy policy, uint32_t every_n);
  ~JournalWriter();

  // Writes one framed record (one write() call, retried on short writes) and fdatasyncs as
  // the policy says. On a failed write the file is cut back to its previous length.
  absl::Status Append(std::string_view payload);
  absl::Status Sync();
  // Cuts the file back to its header (after a snapshot folded the records in) and syncs.
  absl::Status Reset();
  uint64_t fsyncs() const { return fsyncs_; }
  uint64_t size() const { return size_; }

 private:
  JournalWriter(std::string path, int fd, uint64_t size, FsyncPolicy policy, uint32_t every_n);
  std::string path_;
  int fd_;
  uint64_t size_;
  FsyncPolicy policy_;
  uint32_t every_n_;
  uint32_t unsynced_ = 0;
  uint64_t fsyncs_ = 0;
  std::string frame_;  // Scratch.
};

struct JournalScanResult {
  uint64_t records = 0;
  uint64_t valid_bytes = 0;  // Length of the good prefix (header included).
  uint64_t file_bytes = 0;
  std::string problem;  // Empty if the whole file is good.
  // When `problem` is set: the byte offset of the first intact record after the bad one, or
  // UINT64_MAX if there is none (the damage is a torn tail).
  uint64_t intact_after = UINT64_MAX;
};

// Reads every good record of a journal file in order, calling `fn(payload, offset)`. Stops at
// the first torn or corrupt record and describes it in `problem` (with its byte offset), and
// looks past it for an intact record (`intact_after`); an error returned by `fn` stops the
// scan and is returned. A missing file is an empty journal.
absl::StatusOr<JournalScanResult> ScanJournal(
    const std::string& path, const std::function<absl::Status(std::string_view, uint64_t)>& fn);

// The byte offset of the first intact usage record framed at or after `from` in the journal
// bytes `data` (length in bounds, record type byte, matching CRC), or UINT64_MAX.
uint64_t FindIntactRecord(std::string_view data, uint64_t from);

struct SnapshotScope {
  std::string key;
  struct Window {
    int64_t period = 0;
    int64_t v[4] = {0, 0, 0, 0};  // requests, input tokens, output tokens, cost.
  } w[kNumWindows];
};

struct SnapshotData {
  uint64_t last_seq = 0;
  UnixMicros taken_at = 0;
  std::vector<SnapshotScope> scopes;
};

std::string EncodeSnapshot(const SnapshotData& s);
// DataLoss naming `path` if the bytes are not a whole, intact snapshot.
absl::StatusOr<SnapshotData> DecodeSnapshot(std::string_view bytes, const std::string& path);

// Writes `bytes` to dir/name through dir/name.tmp, fsync, rename, directory fsync.
absl::Status WriteFileDurably(const std::string& dir, const std::string& name,
                              std::string_view bytes);
// Reads a whole file. NotFound if it does not exist.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);
absl::Status SyncDir(const std::string& dir);

// An error naming the path and errno's text.
absl::Status ErrnoError(const std::string& what, const std::string& path, int err);

}  // namespace tokwise::budget_internal

#endif  // TOKWISE_LIB_BUDGET_JOURNAL_H_
