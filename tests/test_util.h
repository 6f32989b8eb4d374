// Helpers shared by the tests: paths to the shared data and simple file reading.
#ifndef TOKWISE_TESTS_TEST_UTIL_H_
#define TOKWISE_TESTS_TEST_UTIL_H_

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace tokwise::testing {

inline std::string SharedData(const std::string& rel) {
  return std::string(TOKWISE_SHARED_DATA) + "/" + rel;
}
inline std::string TestData(const std::string& rel) {
  return std::string(TOKWISE_TEST_DATA) + "/" + rel;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace tokwise::testing

#endif  // TOKWISE_TESTS_TEST_UTIL_H_
