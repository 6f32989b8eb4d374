// Helpers shared by the tokwise subcommands: reading input files safely.
#ifndef TOKWISE_BINDINGS_CLI_CLI_UTIL_H_
#define TOKWISE_BINDINGS_CLI_CLI_UTIL_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "base/file.h"
#include "tokwise/catalog.h"

namespace tokwise::cli {

// Inputs larger than this are refused with a message rather than read into memory: exact
// counting needs the whole text, and a mistaken /dev/zero must not eat the machine.
inline constexpr uint64_t kMaxInputBytes = base::kMaxFileBytes;

// Reads a whole file, or standard input for "-". False with a message naming the path on: a
// missing or unreadable file, a directory, a read error, more than `max_bytes` bytes, or
// running out of memory.
bool ReadInputFile(const std::string& path, std::string* out, std::string* err,
                   uint64_t max_bytes = kMaxInputBytes);

// Token ids for decode: `words` (the command's arguments), or whitespace-separated words read
// from standard input when there are none. False with a message naming the first word that
// is not an id (0 .. 2^32-1) and its index.
bool ReadTokenIds(const std::vector<std::string>& words, std::vector<uint32_t>* ids,
                  std::string* err);

// The embedded catalog with the given override files laid over it, in order; each entry is
// (is_litellm, path). Errors name the file.
absl::StatusOr<Catalog> CatalogWithOverrides(
    const std::vector<std::pair<bool, std::string>>& overrides);

// If argv[*i] is --catalog FILE or --litellm FILE, appends it to *overrides, advances *i past
// the value and returns true; *err is set when the value is missing.
bool ParseCatalogOption(int argc, char** argv, int* i,
                        std::vector<std::pair<bool, std::string>>* overrides, std::string* err);

}  // namespace tokwise::cli

#endif  // TOKWISE_BINDINGS_CLI_CLI_UTIL_H_
