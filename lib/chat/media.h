// Sizes of inline media that the public header does not expose.
#ifndef TOKWISE_LIB_CHAT_MEDIA_H_
#define TOKWISE_LIB_CHAT_MEDIA_H_

#include <string_view>

#include "absl/status/statusor.h"

namespace tokwise::chat_internal {

// Duration in seconds of a base64-encoded WAV (RIFF/WAVE) file, from its "fmt " byte rate and
// "data" chunk size; only the chunk headers are decoded. InvalidArgument if the bytes are not
// WAV; OutOfRange if they end before the data chunk.
absl::StatusOr<double> WavSecondsFromBase64(std::string_view base64);

}  // namespace tokwise::chat_internal

#endif  // TOKWISE_LIB_CHAT_MEDIA_H_
