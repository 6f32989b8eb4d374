#include "spm_peer.h"

#include <sentencepiece_processor.h>

#include <vector>

namespace tokwise::bench {

void* SpmPeerLoad(const std::string& path) {
  auto* sp = new sentencepiece::SentencePieceProcessor();
  if (!sp->Load(path).ok()) {
    delete sp;
    return nullptr;
  }
  return sp;
}

size_t SpmPeerCount(void* peer, std::string_view text) {
  std::vector<int> ids;
  static_cast<sentencepiece::SentencePieceProcessor*>(peer)->Encode(text, &ids);
  return ids.size();
}

void SpmPeerFree(void* peer) { delete static_cast<sentencepiece::SentencePieceProcessor*>(peer); }

}  // namespace tokwise::bench
