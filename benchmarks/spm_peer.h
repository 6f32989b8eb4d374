// The peer in the SentencePiece benchmark: libsentencepiece called directly, the way an
// application would, from a translation unit that includes no absl header (Debian's
// sentencepiece_processor.h clashes with Debian's abseil; see lib/encoding/spm_backend.h).
#ifndef TOKWISE_BENCHMARKS_SPM_PEER_H_
#define TOKWISE_BENCHMARKS_SPM_PEER_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace tokwise::bench {

// Loads a .model file; returns nullptr on failure.
void* SpmPeerLoad(const std::string& path);
// Encodes and returns the number of ids.
size_t SpmPeerCount(void* peer, std::string_view text);
void SpmPeerFree(void* peer);

}  // namespace tokwise::bench

#endif  // TOKWISE_BENCHMARKS_SPM_PEER_H_
