// hf_load_memory: load time and memory of Tokenizer::FromHfJsonFile, each file loaded once in a
// fresh child process (so no earlier load's freed heap hides the peak). Prints per file:
//   file MB, load ms (wall clock and CPU time), peak = highest resident set during the load minus
//   the resident set before it (the file's text included), loaded = resident set after the load
//   minus before, both also as multiples of the file size.
// Usage: hf_load_memory [--warm] <tokenizer.json>...   (Linux only: reads /proc/self/status.)
// --warm: each child loads and releases the file once before the measured load, so the heap is
// as a long-running process that has loaded tokenizers before has it (glibc then keeps freed
// memory for reuse instead of returning it).
#include <malloc.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "tokwise/tokenizer.h"

namespace {

// CPU time (user + system) of this process so far, in ms: less disturbed than the wall clock
// by other processes on a busy machine.
double CpuMs() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

// A field of /proc/self/status in bytes ("VmRSS", "VmHWM"), or 0.
size_t StatusBytes(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':') {
      return std::stoull(line.substr(n + 1)) * 1024;
    }
  }
  return 0;
}

int Measure(const char* path, bool warm) {
  if (warm) {
    // A load and its release first: the heap as a long-running process has it.
    auto first = tokwise::Tokenizer::FromHfJsonFile(path);
    if (!first.ok()) return 1;
  }
  struct stat st;
  if (stat(path, &st) != 0) {
    std::fprintf(stderr, "%s: cannot stat\n", path);
    return 1;
  }
  const double file = static_cast<double>(st.st_size);
  malloc_trim(0);
  const size_t before = StatusBytes("VmRSS");
  // Resets VmHWM to the current resident set (Linux 4.0+).
  if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
    std::fputs("5", f);
    std::fclose(f);
  }
  const double cpu0 = CpuMs();
  const auto t0 = std::chrono::steady_clock::now();
  auto tok = tokwise::Tokenizer::FromHfJsonFile(path);
  const auto t1 = std::chrono::steady_clock::now();
  const double cpu = CpuMs() - cpu0;
  if (!tok.ok()) {
    std::fprintf(stderr, "%s: %s\n", path, std::string(tok.status().message()).c_str());
    return 1;
  }
  const size_t peak = StatusBytes("VmHWM") - before;
  const size_t loaded = StatusBytes("VmRSS") - before;
  malloc_trim(0);
  const size_t trimmed = StatusBytes("VmRSS") - before;
  const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  std::printf(
      "%s: %.2f MB, %.1f ms (cpu %.1f ms), peak %.1f MB = %.2fx, loaded %.1f MB = %.2fx "
      "(%.2fx after malloc_trim)\n",
      path, file / 1e6, ms, cpu, peak / 1e6, peak / file, loaded / 1e6, loaded / file,
      trimmed / file);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int rc = 0;
  bool warm = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--warm") == 0) {
      warm = true;
      continue;
    }
    std::fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      const int child_rc = Measure(argv[i], warm);
      std::fflush(stdout);  // _exit() does not flush.
      _exit(child_rc);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) rc = 1;
  }
  return rc;
}
