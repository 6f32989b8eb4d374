#include "base/file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tokwise::base {

absl::StatusOr<std::string> ReadFile(const std::string& path, uint64_t max_bytes) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    const int e = errno;
    const std::string msg = absl::StrCat(path, ": cannot open: ", std::strerror(e));
    return e == EACCES ? absl::PermissionDeniedError(msg) : absl::NotFoundError(msg);
  }
  std::string data;
  absl::Status error;
  struct stat st;
  if (fstat(fileno(f), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      error = absl::InvalidArgumentError(absl::StrCat(path, ": is a directory"));
    } else if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) {
      error = absl::InvalidArgumentError(
          absl::StrCat(path, ": ", st.st_size, " bytes; the limit is ", max_bytes));
    } else if (S_ISREG(st.st_mode)) {
      data.reserve(static_cast<size_t>(st.st_size));
    }
  }
  try {
    char buf[1 << 16];
    size_t n;
    while (error.ok() && (n = std::fread(buf, 1, sizeof buf, f)) > 0) {
      if (data.size() + n > max_bytes) {
        error = absl::InvalidArgumentError(
            absl::StrCat(path, ": more than ", max_bytes, " bytes; the limit is ", max_bytes));
      } else {
        data.append(buf, n);
      }
    }
  } catch (const std::bad_alloc&) {
    error = absl::ResourceExhaustedError(absl::StrCat(path, ": not enough memory to read it"));
  }
  if (error.ok() && std::ferror(f)) {
    error = absl::DataLossError(absl::StrCat(path, ": read error: ", std::strerror(errno)));
  }
  std::fclose(f);
  if (!error.ok()) return error;
  return data;
}

}  // namespace tokwise::base
