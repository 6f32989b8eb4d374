// A structural check of a SentencePiece model file (a serialized sentencepiece.ModelProto)
// before it is handed to libsentencepiece, so that a file that is not a model, or one that
// holds absurd pieces, is a clear error naming the byte offset and the piece, never a crash
// or a huge allocation inside the protobuf runtime.
#ifndef TOKWISE_LIB_ENCODING_SPM_CHECK_H_
#define TOKWISE_LIB_ENCODING_SPM_CHECK_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

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

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_SPM_CHECK_H_
