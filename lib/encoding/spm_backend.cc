// No absl header may be included here (see spm_backend.h).
#include "encoding/spm_backend.h"

#include <sentencepiece_processor.h>

namespace tokwise::encoding_internal {

SpmBackend::SpmBackend() : sp_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {}
SpmBackend::~SpmBackend() = default;

std::unique_ptr<SpmBackend> SpmBackend::Load(std::string_view serialized, std::string* error) {
  auto b = std::unique_ptr<SpmBackend>(new SpmBackend());
  sentencepiece::util::Status st = b->sp_->LoadFromSerializedProto(serialized);
  if (!st.ok()) {
    *error = st.ToString();
    return nullptr;
  }
  return b;
}

bool SpmBackend::Encode(std::string_view text, std::vector<int>* ids, std::string* error) const {
  sentencepiece::util::Status st = sp_->Encode(text, ids);
  if (!st.ok()) {
    *error = st.ToString();
    return false;
  }
  return true;
}

bool SpmBackend::Decode(const std::vector<int>& ids, std::string* text, std::string* error) const {
  sentencepiece::util::Status st = sp_->Decode(ids, text);
  if (!st.ok()) {
    *error = st.ToString();
    return false;
  }
  return true;
}

int SpmBackend::piece_size() const { return sp_->GetPieceSize(); }
int SpmBackend::bos_id() const { return sp_->bos_id(); }
int SpmBackend::eos_id() const { return sp_->eos_id(); }

}  // namespace tokwise::encoding_internal
