// A structural check of a SentencePiece model file (a serialized sentencepiece.ModelProto)
// before it is handed to libsentencepiece, so that a file that is not a model, or one that
// holds absurd pieces, is a clear error naming the byte offset and the piece, never a crash
// or a huge allocation inside the protobuf runtime.
#ifndef TOKWISE_LIB_ENCODING_SPM_CHECK_H_
#define TOKWISE_LIB_ENCODING_SPM_CHECK_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tokwise::encoding_internal {

// Limits: the file, the number of pieces, one piece's length in bytes.
inline constexpr size_t kMaxSpmFileBytes = size_t{256} << 20;
inline constexpr size_t kMaxSpmPieces = size_t{1} << 22;
inline constexpr size_t kMaxSpmPieceBytes = 4096;

// Walks the protobuf wire format of a ModelProto: every field well-formed and inside the
// buffer; pieces (field 1) each with a non-empty, valid UTF-8 text of at most
// kMaxSpmPieceBytes, a finite score and a known type (NORMAL, UNKNOWN, CONTROL, USER_DEFINED,
// UNUSED, BYTE; BYTE pieces spelled <0xNN>); at least one piece. InvalidArgument otherwise.
absl::Status CheckSentencePieceModel(std::string_view data);

// What tokwise reads from a model for its own BPE path (see HfTokenizer::FromSentencePieceBpe).
struct SpmPiece {
  std::string_view text;  // Points into the model data.
  float score = 0;
  int type = 1;  // NORMAL=1, UNKNOWN=2, CONTROL=3, USER_DEFINED=4, UNUSED=5, BYTE=6.
};
struct SpmModelInfo {
  std::vector<SpmPiece> pieces;  // By id.
  int model_type = 1;            // TrainerSpec.model_type: UNIGRAM=1, BPE=2, WORD=3, CHAR=4.
  bool byte_fallback = false;
  bool treat_whitespace_as_suffix = false;
  int unk_id = 0;
  std::string normalizer_name;
  size_t precompiled_charsmap_bytes = 0;
  // NormalizerSpec fields, with the protobuf defaults.
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
};

// CheckSentencePieceModel() and the fields above. `data` must outlive the result.
absl::StatusOr<SpmModelInfo> ParseSentencePieceModel(std::string_view data);

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_SPM_CHECK_H_
