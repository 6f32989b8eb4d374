#include "cli_util.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <new>
#include <sstream>
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

bool ReadTokenIds(const std::vector<std::string>& words, std::vector<uint32_t>* ids,
                  std::string* err) {
  std::vector<std::string> read;
  if (words.empty()) {
    std::string in;
    if (!ReadInputFile("-", &in, err)) return false;
    std::istringstream ss(in);
    for (std::string w; ss >> w;) read.push_back(std::move(w));
  }
  const std::vector<std::string>& all = words.empty() ? read : words;
  ids->clear();
  for (size_t i = 0; i < all.size(); ++i) {
    const std::string& w = all[i];
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(w.c_str(), &end, 10);
    if (w.empty() || *end != '\0' || errno != 0 || v > 0xFFFFFFFFull || w[0] == '-') {
      *err = "token at index " + std::to_string(i) + ": '" + w + "' is not a token id";
      return false;
    }
    ids->push_back(static_cast<uint32_t>(v));
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
