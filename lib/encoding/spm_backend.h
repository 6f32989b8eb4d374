// SpmBackend: the one place that includes libsentencepiece's header.
//
// Debian's sentencepiece_processor.h declares `namespace absl { using std::string_view; }`,
// which clashes with Debian's abseil (where absl::string_view is a class of its own). So this
// interface uses only the standard library, and spm_backend.cc includes no absl header.
#ifndef TOKWISE_LIB_ENCODING_SPM_BACKEND_H_
#define TOKWISE_LIB_ENCODING_SPM_BACKEND_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sentencepiece {
class SentencePieceProcessor;
}  // namespace sentencepiece

namespace tokwise::encoding_internal {

class SpmBackend {
 public:
  // Loads a serialized ModelProto. Returns nullptr and sets *error on failure.
  static std::unique_ptr<SpmBackend> Load(std::string_view serialized, std::string* error);
  ~SpmBackend();

  // Encodes valid UTF-8 text into ids. False and *error on failure.
  bool Encode(std::string_view text, std::vector<int>* ids, std::string* error) const;
  // Decodes ids (each in [0, piece_size())) into text.
  bool Decode(const std::vector<int>& ids, std::string* text, std::string* error) const;

  int piece_size() const;
  int bos_id() const;  // -1 if the model has none.
  int eos_id() const;

 private:
  SpmBackend();
  std::unique_ptr<sentencepiece::SentencePieceProcessor> sp_;
};

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_SPM_BACKEND_H_
