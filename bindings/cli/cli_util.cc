#include "cli_util.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <utility>

#include "base/file.h"

namespace tokwise::cli {

bool ReadInputFile(const std::string& path, std::string* out, std::string* err,
                   uint64_t max_bytes) {
  if (path != "-") {
    absl::StatusOr<std::string> data = base::ReadFile(path, max_bytes);
    if (!data.ok()) {
      *err = std::string(data.status().message());
      return false;
    }
    *out = std::move(*data);
    return true;
  }
  // Standard input: read to the end, within the same limit.
  out->clear();
  try {
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
      if (out->size() + n > max_bytes) {
        *err = "<stdin>: more than " + std::to_string(max_bytes) + " bytes; the limit is " +
               std::to_string(max_bytes);
        out->clear();
        return false;
      }
      out->append(buf, n);
    }
  } catch (const std::bad_alloc&) {
    *err = "<stdin>: not enough memory to read it";
    out->clear();
    return false;
  }
  if (std::ferror(stdin)) {
    *err = std::string("<stdin>: read error: ") + std::strerror(errno);
    out->clear();
    return false;
  }
  return true;
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
