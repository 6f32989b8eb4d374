// Journal and snapshot files: framing, checksums, durable writes, and the prefix-keeping scan.
#include "budget/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "budget/crc32c.h"
#include "tokwise/error_details.h"

namespace tokwise::budget_internal {
namespace {

constexpr char kJournalMagic[4] = {'T', 'W', 'J', '1'};
constexpr char kSnapshotMagic[4] = {'T', 'W', 'S', '1'};
constexpr uint32_t kFormatVersion = 1;
constexpr uint8_t kUsageRecordType = 1;

void PutU32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}
void PutU64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}
void PutI64(std::string* out, int64_t v) { PutU64(out, static_cast<uint64_t>(v)); }
void PutString(std::string* out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s.data(), s.size());
}

uint32_t LoadU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

// Reads the fields back, failing (not crashing) on a short or inconsistent payload.
class Cursor {
 public:
  explicit Cursor(std::string_view data) : data_(data) {}
  bool U8(uint8_t* v) {
    if (data_.size() - pos_ < 1) return false;
    *v = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }
  bool U32(uint32_t* v) {
    if (data_.size() - pos_ < 4) return false;
    *v = LoadU32(data_.data() + pos_);
    pos_ += 4;
    return true;
  }
  bool U64(uint64_t* v) {
    if (data_.size() - pos_ < 8) return false;
    uint64_t r = 0;
    for (int i = 0; i < 8; ++i) {
      r |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    }
    pos_ += 8;
    *v = r;
    return true;
  }
  bool I64(int64_t* v) {
    uint64_t u;
    if (!U64(&u)) return false;
    *v = static_cast<int64_t>(u);
    return true;
  }
  bool String(std::string* s) {
    uint32_t n;
    if (!U32(&n) || data_.size() - pos_ < n) return false;
    s->assign(data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == data_.size(); }
  size_t pos() const { return pos_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

absl::Status WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      ErrorDetails io;
      io.reason = ErrorReason::kIo;
      return WithErrorDetails(absl::InternalError(std::strerror(errno)), io);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ErrnoError(const std::string& what, const std::string& path, int err) {
  std::string msg = absl::StrCat(path, ": ", what, ": ", std::strerror(err));
  absl::Status status;
  switch (err) {
    case ENOENT:
      status = absl::NotFoundError(msg);
      break;
    case EACCES:
    case EPERM:
      status = absl::PermissionDeniedError(msg);
      break;
    case ENOSPC:
    case EDQUOT:
      status = absl::ResourceExhaustedError(msg);
      break;
    default:
      status = absl::InternalError(msg);
      break;
  }
  // The code says what kind of failure; the detail says it came from the file system, so
  // front ends report an I/O error (not "out of memory" for a full disk, not a bug).
  ErrorDetails io;
  io.reason = ErrorReason::kIo;
  return WithErrorDetails(std::move(status), io);
}

std::string EncodeUsageRecord(const UsageRecord& r) {
  std::string out;
  out.reserve(128 + r.model.size() + r.conversation_id.size());
  out.push_back(static_cast<char>(kUsageRecordType));
  PutU64(&out, r.seq);
  PutI64(&out, r.admitted_at);
  PutI64(&out, r.committed_at);
  PutU32(&out, static_cast<uint32_t>(r.scopes.size()));
  for (const std::string& s : r.scopes) PutString(&out, s);
  PutString(&out, r.model);
  PutString(&out, r.provider);
  PutI64(&out, r.usage.input_uncached);
  PutI64(&out, r.usage.cache_read);
  PutI64(&out, r.usage.cache_write_5m);
  PutI64(&out, r.usage.cache_write_1h);
  PutI64(&out, r.usage.output);
  PutI64(&out, r.usage.reasoning);
  PutI64(&out, r.cost);
  out.push_back(static_cast<char>((r.cost_known ? 1 : 0) | (r.late ? 2 : 0) |
                                  (r.exceeded_reservation ? 4 : 0)));
  PutI64(&out, r.step);
  PutString(&out, r.conversation_id);
  return out;
}

absl::StatusOr<UsageRecord> DecodeUsageRecord(std::string_view payload) {
  Cursor c(payload);
  UsageRecord r;
  uint8_t type = 0, flags = 0;
  uint32_t n = 0;
  auto bad = [&](const char* what) {
    return absl::DataLossError(
        absl::StrCat("usage record: ", what, " (at payload byte ", c.pos(), ")"));
  };
  if (!c.U8(&type)) return bad("empty");
  if (type != kUsageRecordType) return bad("unknown record type");
  if (!c.U64(&r.seq) || !c.I64(&r.admitted_at) || !c.I64(&r.committed_at) || !c.U32(&n)) {
    return bad("short header");
  }
  if (n > payload.size()) return bad("scope count larger than the record");
  r.scopes.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    if (!c.String(&r.scopes[i])) return bad("short scope");
  }
  if (!c.String(&r.model) || !c.String(&r.provider)) return bad("short model");
  if (!c.I64(&r.usage.input_uncached) || !c.I64(&r.usage.cache_read) ||
      !c.I64(&r.usage.cache_write_5m) || !c.I64(&r.usage.cache_write_1h) ||
      !c.I64(&r.usage.output) || !c.I64(&r.usage.reasoning) || !c.I64(&r.cost) || !c.U8(&flags) ||
      !c.I64(&r.step) || !c.String(&r.conversation_id)) {
    return bad("short body");
  }
  if (!c.done()) return bad("trailing bytes");
  r.cost_known = (flags & 1) != 0;
  r.late = (flags & 2) != 0;
  r.exceeded_reservation = (flags & 4) != 0;
  return r;
}

// ---- JournalWriter ----

JournalWriter::JournalWriter(std::string path, int fd, uint64_t size, FsyncPolicy policy,
                             uint32_t every_n)
    : path_(std::move(path)), fd_(fd), size_(size), policy_(policy), every_n_(every_n) {}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) {
    if (unsynced_ > 0 && policy_ == FsyncPolicy::kEveryN) ::fdatasync(fd_);
    ::close(fd_);
  }
}

absl::StatusOr<std::unique_ptr<JournalWriter>> JournalWriter::Open(const std::string& path,
                                                                   FsyncPolicy policy,
                                                                   uint32_t every_n) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("cannot open journal", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoError("cannot stat journal", path, err);
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size == 0) {
    std::string header(kJournalMagic, 4);
    PutU32(&header, kFormatVersion);
    absl::Status s = WriteAll(fd, header.data(), header.size());
    if (s.ok() && ::fdatasync(fd) != 0) s = ErrnoError("cannot sync journal", path, errno);
    if (!s.ok()) {
      ::close(fd);
      return absl::Status(s.code(), absl::StrCat(path, ": writing header: ", s.message()));
    }
    size = header.size();
  } else if (size < kJournalHeaderSize) {
    ::close(fd);
    return absl::DataLossError(absl::StrCat(path, ": journal shorter than its header"));
  }
  return std::unique_ptr<JournalWriter>(new JournalWriter(path, fd, size, policy, every_n));
}

absl::Status JournalWriter::Append(std::string_view payload) {
  if (payload.size() > kMaxRecordSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("journal record of ", payload.size(), " bytes is over the limit"));
  }
  frame_.clear();
  PutU32(&frame_, static_cast<uint32_t>(payload.size()));
  uint32_t crc = Crc32cExtend(0, frame_.data(), 4);
  crc = Crc32cExtend(crc, payload.data(), payload.size());
  PutU32(&frame_, crc);
  frame_.append(payload.data(), payload.size());
  absl::Status s = WriteAll(fd_, frame_.data(), frame_.size());
  if (!s.ok()) {
    // Cut a partial record so the next append starts on a record boundary.
    (void)!::ftruncate(fd_, static_cast<off_t>(size_));
    return absl::Status(s.code(), absl::StrCat(path_, ": journal write: ", s.message()));
  }
  size_ += frame_.size();
  ++unsynced_;
  if (policy_ == FsyncPolicy::kEveryCommit ||
      (policy_ == FsyncPolicy::kEveryN && unsynced_ >= every_n_)) {
    return Sync();
  }
  return absl::OkStatus();
}

absl::Status JournalWriter::Sync() {
  if (unsynced_ == 0) return absl::OkStatus();
  if (::fdatasync(fd_) != 0) return ErrnoError("journal fdatasync", path_, errno);
  unsynced_ = 0;
  ++fsyncs_;
  return absl::OkStatus();
}

absl::Status JournalWriter::Reset() {
  if (::ftruncate(fd_, kJournalHeaderSize) != 0) {
    return ErrnoError("cannot truncate journal", path_, errno);
  }
  if (::fdatasync(fd_) != 0) return ErrnoError("journal fdatasync", path_, errno);
  ++fsyncs_;
  unsynced_ = 0;
  size_ = kJournalHeaderSize;
  return absl::OkStatus();
}

// ---- Scan ----

uint64_t FindIntactRecord(std::string_view d, uint64_t from) {
  // The smallest payload a usage record can have (every string empty, no scopes): shorter
  // lengths are skipped without computing a checksum, as are frames whose payload does not
  // start with the record type, so a long run of garbage or zeros is scanned quickly.
  static const size_t kMinPayload = EncodeUsageRecord(UsageRecord()).size();
  for (uint64_t p = from; p + 8 + kMinPayload <= d.size(); ++p) {
    const uint32_t len = LoadU32(d.data() + p);
    if (len < kMinPayload || len > kMaxRecordSize || len > d.size() - p - 8) continue;
    if (static_cast<uint8_t>(d[p + 8]) != kUsageRecordType) continue;
    uint32_t crc = Crc32cExtend(0, d.data() + p, 4);
    crc = Crc32cExtend(crc, d.data() + p + 8, len);
    if (crc == LoadU32(d.data() + p + 4)) return p;
  }
  return UINT64_MAX;
}

absl::StatusOr<JournalScanResult> ScanJournal(
    const std::string& path, const std::function<absl::Status(std::string_view, uint64_t)>& fn) {
  JournalScanResult res;
  absl::StatusOr<std::string> data = ReadWholeFile(path);
  if (absl::IsNotFound(data.status())) return res;
  if (!data.ok()) return data.status();
  const std::string& d = *data;
  res.file_bytes = d.size();
  if (d.empty()) return res;
  if (d.size() < kJournalHeaderSize) {
    res.problem =
        absl::StrCat(path, ": torn header (", d.size(), " of ", kJournalHeaderSize, " bytes)");
    return res;
  }
  if (std::memcmp(d.data(), kJournalMagic, 4) != 0) {
    return absl::DataLossError(absl::StrCat(path, ": not a tokwise journal (bad magic)"));
  }
  if (LoadU32(d.data() + 4) != kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": journal format version ",
                                                      LoadU32(d.data() + 4), " is not supported"));
  }
  uint64_t off = kJournalHeaderSize;
  res.valid_bytes = off;
  while (off < d.size()) {
    if (d.size() - off < 8) {
      res.problem = absl::StrCat(path, ": torn record header at byte offset ", off, " (",
                                 d.size() - off, " bytes left)");
      break;
    }
    const uint32_t len = LoadU32(d.data() + off);
    const uint32_t crc = LoadU32(d.data() + off + 4);
    if (len > kMaxRecordSize) {
      res.problem = absl::StrCat(path, ": corrupt record length ", len, " at byte offset ", off);
      break;
    }
    if (d.size() - off - 8 < len) {
      res.problem = absl::StrCat(path, ": torn record at byte offset ", off, " (needs ", len + 8,
                                 " bytes, ", d.size() - off, " left)");
      break;
    }
    uint32_t want = Crc32cExtend(0, d.data() + off, 4);
    want = Crc32cExtend(want, d.data() + off + 8, len);
    if (want != crc) {
      res.problem = absl::StrCat(path, ": checksum mismatch in record at byte offset ", off);
      break;
    }
    absl::Status s = fn(std::string_view(d.data() + off + 8, len), off);
    if (!s.ok()) return s;
    off += 8 + len;
    res.valid_bytes = off;
    ++res.records;
  }
  if (!res.problem.empty()) res.intact_after = FindIntactRecord(d, res.valid_bytes + 1);
  return res;
}

// ---- Snapshots ----

std::string EncodeSnapshot(const SnapshotData& s) {
  std::string out(kSnapshotMagic, 4);
  PutU32(&out, kFormatVersion);
  PutU64(&out, s.last_seq);
  PutI64(&out, s.taken_at);
  PutU64(&out, s.scopes.size());
  for (const SnapshotScope& sc : s.scopes) {
    PutString(&out, sc.key);
    for (const auto& w : sc.w) {
      PutI64(&out, w.period);
      for (int64_t v : w.v) PutI64(&out, v);
    }
  }
  PutU32(&out, Crc32c(out));
  return out;
}

absl::StatusOr<SnapshotData> DecodeSnapshot(std::string_view bytes, const std::string& path) {
  auto bad = [&](const std::string& what) {
    return absl::DataLossError(absl::StrCat(path, ": corrupt snapshot: ", what));
  };
  if (bytes.size() < 32) return bad("too short");
  if (std::memcmp(bytes.data(), kSnapshotMagic, 4) != 0) return bad("bad magic");
  const uint32_t stored = LoadU32(bytes.data() + bytes.size() - 4);
  if (Crc32c(bytes.substr(0, bytes.size() - 4)) != stored) return bad("checksum mismatch");
  Cursor c(bytes.substr(0, bytes.size() - 4));
  uint32_t magic, version;
  uint64_t n;
  SnapshotData s;
  if (!c.U32(&magic) || !c.U32(&version)) return bad("short header");
  if (version != kFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": snapshot format version ", version, " is not supported"));
  }
  if (!c.U64(&s.last_seq) || !c.I64(&s.taken_at) || !c.U64(&n)) return bad("short header");
  if (n > bytes.size()) return bad("scope count larger than the file");
  s.scopes.resize(n);
  for (uint64_t i = 0; i < n; ++i) {
    SnapshotScope& sc = s.scopes[i];
    if (!c.String(&sc.key)) return bad(absl::StrCat("short scope ", i));
    for (auto& w : sc.w) {
      if (!c.I64(&w.period)) return bad(absl::StrCat("short scope ", i));
      for (int64_t& v : w.v) {
        if (!c.I64(&v)) return bad(absl::StrCat("short scope ", i));
      }
    }
  }
  if (!c.done()) return bad("trailing bytes");
  return s;
}

// ---- Files ----

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open", path, errno);
  std::string out;
  char buf[1 << 16];
  while (true) {
    ssize_t r = ::read(fd, buf, sizeof(buf));
    if (r < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return ErrnoError("read error", path, err);
    }
    if (r == 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  ::close(fd);
  return out;
}

absl::Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoError("directory fsync", dir, err);
  return absl::OkStatus();
}

absl::Status WriteFileDurably(const std::string& dir, const std::string& name,
                              std::string_view bytes) {
  const std::string tmp = dir + "/" + name + ".tmp";
  const std::string final_path = dir + "/" + name;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("cannot create", tmp, errno);
  absl::Status s = WriteAll(fd, bytes.data(), bytes.size());
  if (s.ok() && ::fsync(fd) != 0) s = ErrnoError("fsync", tmp, errno);
  ::close(fd);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return absl::Status(s.code(), absl::StrCat(tmp, ": ", s.message()));
  }
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoError("cannot rename into place", final_path, err);
  }
  return SyncDir(dir);
}

}  // namespace tokwise::budget_internal
