#include "cli_util.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

namespace tokwise::cli {

bool ReadInputFile(const std::string& path, std::string* out, std::string* err,
                   uint64_t max_bytes) {
  const bool stdin_input = path == "-";
  const std::string name = stdin_input ? "<stdin>" : path;
  FILE* f = stdin_input ? stdin : std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    *err = name + ": cannot open: " + std::strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fileno(f), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      if (!stdin_input) std::fclose(f);
      *err = name + ": is a directory";
      return false;
    }
    if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) {
      if (!stdin_input) std::fclose(f);
      *err = name + ": " + std::to_string(st.st_size) + " bytes; the limit is " +
             std::to_string(max_bytes) + " bytes";
      return false;
    }
  }
  out->clear();
  bool ok = true;
  try {
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
      if (out->size() + n > max_bytes) {
        *err = name + ": more than " + std::to_string(max_bytes) + " bytes; the limit is " +
               std::to_string(max_bytes) + " bytes";
        ok = false;
        break;
      }
      out->append(buf, n);
    }
    if (ok && std::ferror(f)) {
      *err = name + ": read error: " + std::strerror(errno);
      ok = false;
    }
  } catch (const std::bad_alloc&) {
    *err = name + ": not enough memory to read it";
    ok = false;
  }
  if (!stdin_input) std::fclose(f);
  if (!ok) out->clear();
  return ok;
}

absl::StatusOr<Catalog> CatalogWithOverrides(
    const std::vector<std::pair<bool, std::string>>& overrides) {
  Catalog catalog = Catalog::Default();
  for (const auto& [litellm, path] : overrides) {
    size_t skipped = 0;
    absl::StatusOr<Catalog> extra =
        litellm ? Catalog::FromLiteLlmJsonFile(path, &skipped) : Catalog::FromJsonFile(path);
    if (!extra.ok()) return extra.status();
    if (absl::Status st = catalog.Merge(*extra); !st.ok()) return st;
  }
  return catalog;
}

bool ParseCatalogOption(int argc, char** argv, int* i,
                        std::vector<std::pair<bool, std::string>>* overrides, std::string* err) {
  const std::string arg = argv[*i];
  if (arg != "--catalog" && arg != "--litellm") return false;
  if (*i + 1 >= argc) {
    *err = "option " + arg + " needs a file";
    return true;
  }
  overrides->emplace_back(arg == "--litellm", argv[++*i]);
  return true;
}

}  // namespace tokwise::cli
