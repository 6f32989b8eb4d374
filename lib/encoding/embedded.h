// The rank tables compiled into the library (see embedgen.cc and CMakeLists.txt).
#ifndef TOKWISE_LIB_ENCODING_EMBEDDED_H_
#define TOKWISE_LIB_ENCODING_EMBEDDED_H_

#include <string_view>

namespace tokwise::encoding_internal {

// Serialized Vocab (Vocab::Serialize()) of each embedded encoding, in read-only data.
std::string_view EmbeddedO200kBase();
std::string_view EmbeddedCl100kBase();

}  // namespace tokwise::encoding_internal

#endif  // TOKWISE_LIB_ENCODING_EMBEDDED_H_
