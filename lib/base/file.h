// Reading a whole input file, the one way the library does it.
#ifndef TOKWISE_LIB_BASE_FILE_H_
#define TOKWISE_LIB_BASE_FILE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace tokwise::base {

// No input the library reads (rank files, tokenizer files, catalogs, traces) comes near this;
// refusing larger files bounds the memory a mistaken path can take.
inline constexpr uint64_t kMaxFileBytes = uint64_t{1} << 30;  // 1 GiB

// Returns the bytes of the file at `path`. Errors name the path: NotFound (no such file),
// PermissionDenied, InvalidArgument (a directory, or more than `max_bytes` bytes), DataLoss
// (a read error).
absl::StatusOr<std::string> ReadFile(const std::string& path, uint64_t max_bytes = kMaxFileBytes);

}  // namespace tokwise::base

#endif  // TOKWISE_LIB_BASE_FILE_H_
