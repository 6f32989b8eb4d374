// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of the ledger's journal
// and snapshot files. Written here so the file format depends on nothing outside tokwise.
#ifndef TOKWISE_LIB_BUDGET_CRC32C_H_
#define TOKWISE_LIB_BUDGET_CRC32C_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tokwise::budget_internal {

// Extends `crc` (the CRC-32C of earlier bytes, 0 for none) with `data`. Uses the SSE4.2 crc32
// instruction when the CPU has it, else an 8-table software loop; both give the same values.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);

inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data.data(), data.size()); }

// The software loop alone (tests compare it with the dispatching one).
uint32_t Crc32cSoftware(uint32_t crc, const void* data, size_t n);

}  // namespace tokwise::budget_internal

#endif  // TOKWISE_LIB_BUDGET_CRC32C_H_
