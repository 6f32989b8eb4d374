# Turns a text file into a C++ source defining a function that returns it as a string_view.
# Run as: cmake -DIN=<file> -DOUT=<file.cc> -DNAMESPACE=<ns> -DFUNCTION=<name> -P embed_text.cmake
# The text goes in a raw string literal; the delimiter must not occur in the file.
file(READ "${IN}" _text)
set(_delim "tokwise_embedded")
string(FIND "${_text}" ")${_delim}\"" _clash)
if(NOT _clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter )${_delim}\"")
endif()
file(WRITE "${OUT}.tmp"
  "// Generated from ${IN} by embed_text.cmake. Do not edit.\n"
  "#include <string_view>\n\n"
  "namespace ${NAMESPACE} {\n\n"
  "std::string_view ${FUNCTION}() {\n"
  "  static constexpr char kText[] = R\"${_delim}(${_text})${_delim}\";\n"
  "  return std::string_view(kText, sizeof(kText) - 1);\n"
  "}\n\n"
  "}  // namespace ${NAMESPACE}\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
