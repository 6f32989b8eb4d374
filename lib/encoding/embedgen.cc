// embedgen: build-time tool that turns a `.tiktoken` rank file into the serialized Vocab
// (ranks plus a ready hash index) that embedded_data.S compiles into the library.
//
//   embedgen IN.tiktoken OUT.bin
#include <cstdio>
#include <fstream>
#include <sstream>

#include "encoding/vocab.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: embedgen IN.tiktoken OUT.bin\n");
    return 1;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "embedgen: cannot open %s\n", argv[1]);
    return 1;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  auto vocab = tokwise::encoding_internal::Vocab::FromTiktoken(buf.str());
  if (!vocab.ok()) {
    std::fprintf(stderr, "embedgen: %s: %s\n", argv[1], vocab.status().ToString().c_str());
    return 1;
  }
  std::string out = (*vocab)->Serialize();
  std::ofstream os(argv[2], std::ios::binary);
  os.write(out.data(), static_cast<std::streamsize>(out.size()));
  if (!os) {
    std::fprintf(stderr, "embedgen: cannot write %s\n", argv[2]);
    return 1;
  }
  return 0;
}
