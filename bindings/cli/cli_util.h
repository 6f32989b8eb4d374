// Helpers shared by the tokwise subcommands: reading input files safely.
#ifndef TOKWISE_BINDINGS_CLI_CLI_UTIL_H_
#define TOKWISE_BINDINGS_CLI_CLI_UTIL_H_

#include <cstdint>
#include <string>

namespace tokwise::cli {

// Inputs larger than this are refused with a message rather than read into memory: exact
// counting needs the whole text, and a mistaken /dev/zero must not eat the machine.
inline constexpr uint64_t kMaxInputBytes = uint64_t{1} << 30;  // 1 GiB

// Reads a whole file, or standard input for "-". False with a message naming the path on: a
// missing or unreadable file, a directory, a read error, more than `max_bytes` bytes, or
// running out of memory.
bool ReadInputFile(const std::string& path, std::string* out, std::string* err,
                   uint64_t max_bytes = kMaxInputBytes);

}  // namespace tokwise::cli

#endif  // TOKWISE_BINDINGS_CLI_CLI_UTIL_H_
