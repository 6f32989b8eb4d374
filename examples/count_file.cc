// count_file.cc: counts the tokens of a file through tokwise's C++ API.
//
//   count_file_cpp [--model MODEL | --encoding NAME] FILE
//
// Prints "<tokens> tokens (<encoding>)". The default model is gpt-4o.
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "tokwise/encoding.h"

int main(int argc, char** argv) {
  std::string model = "gpt-4o", encoding_name, path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--model" && i + 1 < argc) {
      model = argv[++i];
    } else if (arg == "--encoding" && i + 1 < argc) {
      encoding_name = argv[++i];
    } else {
      path = arg;
    }
  }
  if (path.empty()) {
    std::cerr << "usage: " << argv[0] << " [--model MODEL | --encoding NAME] FILE\n";
    return 1;
  }

  auto enc = encoding_name.empty() ? tokwise::Encoding::ForModel(model)
                                   : tokwise::Encoding::Get(encoding_name);
  if (!enc.ok()) {
    std::cerr << enc.status().message() << "\n";
    return 1;
  }

  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    return 2;
  }
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  // Special-token strings count as text; invalid UTF-8 is an error naming its byte offset.
  absl::StatusOr<size_t> count = (*enc)->Count(text);
  if (!count.ok()) {
    std::cerr << path << ": " << count.status().message() << "\n";
    return 2;
  }
  std::cout << *count << " tokens (" << (*enc)->name() << ")\n";
  return 0;
}
