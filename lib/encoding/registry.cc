#include "tokwise/registry.h"

#include <sys/stat.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/strings.h"
#include "encoding/json_tree.h"

namespace tokwise {

using encoding_internal::JsonNode;

namespace {

#include "encoding/registry_data.inc"

absl::Status Bad(std::string_view path, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("model registry ", std::string(path), ": ", std::string(what)));
}

bool IsFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Loaded file tokenizers, by path: a second lookup of the same model does not reload.
std::mutex& CacheMutex() {
  static std::mutex* mu = new std::mutex();
  return *mu;
}
std::map<std::string, std::shared_ptr<const Tokenizer>>& Cache() {
  static auto* cache = new std::map<std::string, std::shared_ptr<const Tokenizer>>();
  return *cache;
}

absl::StatusOr<std::string> StringField(const JsonNode& obj, const char* key,
                                        const std::string& path, bool required) {
  const JsonNode* v = obj.Find(key);
  if (v == nullptr || v->IsNull()) {
    if (required) return Bad(path, absl::StrCat("missing \"", key, "\""));
    return std::string();
  }
  if (v->type != JsonNode::Type::kString) {
    return Bad(absl::StrCat(path, ".", key), "expected a string");
  }
  return v->str;
}

absl::StatusOr<std::vector<std::string>> StringList(const JsonNode& obj, const char* key,
                                                    const std::string& path) {
  std::vector<std::string> out;
  const JsonNode* v = obj.Find(key);
  if (v == nullptr) return out;
  if (v->type != JsonNode::Type::kArray) {
    return Bad(absl::StrCat(path, ".", key), "expected an array of strings");
  }
  for (size_t i = 0; i < v->items.size(); ++i) {
    if (v->items[i].type != JsonNode::Type::kString || v->items[i].str.empty()) {
      return Bad(absl::StrCat(path, ".", key, "[", i, "]"), "expected a non-empty string");
    }
    out.push_back(v->items[i].str);
  }
  return out;
}

// Matches a canonical name against a pattern; returns the match quality (exact names beat
// any prefix; longer prefixes beat shorter ones), or -1.
int MatchQuality(std::string_view name, std::string_view pattern) {
  if (!pattern.empty() && pattern.back() == '*') {
    pattern.remove_suffix(1);
    return base::StartsWith(name, pattern) ? static_cast<int>(pattern.size()) : -1;
  }
  return name == pattern ? 1 << 20 : -1;
}

}  // namespace

TokenizerSearch TokenizerSearchFromEnvironment() {
  TokenizerSearch s;
  const char* env = std::getenv("TOKWISE_TOKENIZER_PATH");
  if (env == nullptr) return s;
  std::string_view rest = env;
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string_view dir = rest.substr(0, colon);
    if (!dir.empty()) s.dirs.emplace_back(dir);
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return s;
}

std::string ModelRegistry::CanonicalModelName(std::string_view model) {
  std::string m;
  for (char c : model) m.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  while (!m.empty() && std::isspace(static_cast<unsigned char>(m.back()))) m.pop_back();
  size_t lead = 0;
  while (lead < m.size() && std::isspace(static_cast<unsigned char>(m[lead]))) ++lead;
  m.erase(0, lead);
  // Fine-tunes: "ft:gpt-4o-mini-2024-07-18:org::id" -> the base model.
  if (base::StartsWith(m, "ft:")) {
    m.erase(0, 3);
    m = m.substr(0, m.find(':'));
  }
  // Provider paths: "openai/gpt-4o", "openrouter/anthropic/claude-3.5-sonnet" -> last part.
  if (size_t slash = m.rfind('/'); slash != std::string::npos) m.erase(0, slash + 1);
  // Vertex snapshots: "claude-3-5-sonnet-v2@20241022".
  if (size_t at = m.find('@'); at != std::string::npos) m.erase(at);
  // Bedrock: optional region, vendor, then a version suffix.
  for (const char* region : {"us.", "eu.", "apac.", "us-gov.", "global.", "jp.", "au."}) {
    if (base::StartsWith(m, region)) {
      m.erase(0, std::string_view(region).size());
      break;
    }
  }
  for (const char* vendor : {"anthropic.", "meta.", "mistral.", "amazon.", "cohere.", "ai21.",
                             "deepseek.", "qwen.", "openai."}) {
    if (base::StartsWith(m, vendor)) {
      m.erase(0, std::string_view(vendor).size());
      // "-v1:0", "-v2", ":0" at the end.
      size_t colon = m.rfind(':');
      if (colon != std::string::npos &&
          m.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
        m.erase(colon);
      }
      size_t v = m.rfind("-v");
      if (v != std::string::npos && v + 2 < m.size() &&
          m.find_first_not_of("0123456789", v + 2) == std::string::npos) {
        m.erase(v);
      }
      break;
    }
  }
  return m;
}

absl::Status ModelRegistry::Merge(std::string_view json, bool entries_first) {
  auto root = encoding_internal::ParseJsonTree(json, "model registry");
  if (!root.ok()) return root.status();
  if (root->type != JsonNode::Type::kObject) return Bad("(document)", "expected an object");

  if (const JsonNode* toks = root->Find("tokenizers")) {
    if (toks->type != JsonNode::Type::kObject) return Bad("tokenizers", "expected an object");
    for (const auto& [name, node] : toks->fields) {
      const std::string path = "tokenizers." + name;
      if (node.type != JsonNode::Type::kObject) return Bad(path, "expected an object");
      TokenizerInfo info;
      info.name = name;
      auto kind = StringField(node, "kind", path, true);
      if (!kind.ok()) return kind.status();
      using K = TokenizerInfo::Kind;
      if (*kind == "embedded") {
        info.kind = K::kEmbedded;
      } else if (*kind == "tiktoken") {
        info.kind = K::kTiktoken;
      } else if (*kind == "hf") {
        info.kind = K::kHuggingFace;
      } else if (*kind == "sentencepiece") {
        info.kind = K::kSentencePiece;
      } else if (*kind == "claude_legacy") {
        info.kind = K::kClaudeLegacy;
      } else {
        return Bad(path + ".kind", absl::StrCat("unknown kind \"", *kind, "\""));
      }
      auto files = StringList(node, "files", path);
      if (!files.ok()) return files.status();
      info.files = std::move(*files);
      if (info.kind != K::kEmbedded && info.files.empty()) {
        return Bad(path, "a tokenizer that is not built in needs \"files\"");
      }
      auto enc = StringField(node, "encoding", path, info.kind == K::kTiktoken);
      if (!enc.ok()) return enc.status();
      info.encoding = *enc;
      if (const JsonNode* b = node.Find("add_bos"); b && b->type == JsonNode::Type::kBool) {
        info.add_bos = b->boolean;
      }
      if (const JsonNode* e = node.Find("add_eos"); e && e->type == JsonNode::Type::kBool) {
        info.add_eos = e->boolean;
      }
      tokenizers_[name] = std::move(info);
    }
  }

  if (const JsonNode* ests = root->Find("estimates")) {
    if (ests->type != JsonNode::Type::kObject) return Bad("estimates", "expected an object");
    for (const auto& [name, node] : ests->fields) {
      const std::string path = "estimates." + name;
      if (node.type != JsonNode::Type::kObject) return Bad(path, "expected an object");
      EstimateProfile p;
      p.name = name;
      auto base_name = StringField(node, "base", path, true);
      if (!base_name.ok()) return base_name.status();
      p.base = *base_name;
      for (auto [key, field] : {std::pair<const char*, double*>{"factor", &p.factor},
                                std::pair<const char*, double*>{"low", &p.low},
                                std::pair<const char*, double*>{"high", &p.high}}) {
        const JsonNode* v = node.Find(key);
        if (v == nullptr || v->type != JsonNode::Type::kNumber || !std::isfinite(v->number)) {
          return Bad(absl::StrCat(path, ".", key), "expected a number");
        }
        *field = v->number;
      }
      if (!(p.low > 0 && p.low <= p.factor && p.factor <= p.high)) {
        return Bad(path, "need 0 < low <= factor <= high");
      }
      auto ex = StringField(node, "exactness", path, false);
      if (!ex.ok()) return ex.status();
      if (!ex->empty()) {
        auto e = ParseExactness(*ex);
        if (!e.ok()) return Bad(path + ".exactness", std::string(e.status().message()));
        if (*e == Exactness::kExact) return Bad(path + ".exactness", "an estimate is not exact");
        p.exactness = *e;
      }
      auto source = StringField(node, "source", path, false);
      if (!source.ok()) return source.status();
      p.source = *source;
      estimates_[name] = p;
      TokenizerInfo info;
      info.name = "estimate:" + name;
      info.kind = TokenizerInfo::Kind::kEstimate;
      tokenizers_[info.name] = info;
    }
  }

  std::vector<Entry> entries;
  if (const JsonNode* models = root->Find("models")) {
    if (models->type != JsonNode::Type::kArray) return Bad("models", "expected an array");
    for (size_t i = 0; i < models->items.size(); ++i) {
      const JsonNode& node = models->items[i];
      const std::string path = absl::StrCat("models[", i, "]");
      if (node.type != JsonNode::Type::kObject) return Bad(path, "expected an object");
      Entry e;
      auto patterns = StringList(node, "match", path);
      if (!patterns.ok()) return patterns.status();
      if (patterns->empty()) return Bad(path, "missing \"match\"");
      e.patterns = std::move(*patterns);
      auto tok = StringField(node, "tokenizer", path, true);
      if (!tok.ok()) return tok.status();
      e.tokenizer = *tok;
      auto note = StringField(node, "note", path, false);
      if (!note.ok()) return note.status();
      e.note = *note;
      auto ex = StringField(node, "exactness", path, false);
      if (!ex.ok()) return ex.status();
      entries.push_back(std::move(e));
      if (!ex->empty()) {
        auto parsed = ParseExactness(*ex);
        if (!parsed.ok()) return Bad(path + ".exactness", std::string(parsed.status().message()));
        entries.back().exactness = *parsed;
      }
    }
  }
  // Resolve labels: estimate tokenizers take their profile's; a mismatch is an error.
  for (size_t i = 0; i < entries.size(); ++i) {
    Entry& e = entries[i];
    const std::string path = absl::StrCat("models[", i, "]");
    auto it = tokenizers_.find(e.tokenizer);
    if (it == tokenizers_.end()) {
      return Bad(path + ".tokenizer", absl::StrCat("unknown tokenizer \"", e.tokenizer, "\""));
    }
    if (it->second.kind == TokenizerInfo::Kind::kEstimate) {
      auto p = estimates_.find(e.tokenizer.substr(9));
      if (p == estimates_.end()) {
        return Bad(path + ".tokenizer", absl::StrCat("no estimate profile for ", e.tokenizer));
      }
      e.exactness = p->second.exactness;
    } else if (e.exactness != Exactness::kExact) {
      return Bad(path + ".exactness", "a model counted with its own tokenizer is exact");
    }
  }
  if (entries_first) {
    entries.insert(entries.end(), entries_.begin(), entries_.end());
    entries_ = std::move(entries);
  } else {
    entries_.insert(entries_.end(), entries.begin(), entries.end());
  }
  // Every entry must still name a known tokenizer, every estimate a built-in base.
  for (const auto& [name, p] : estimates_) {
    if (name.empty()) return Bad("estimates", "empty name");
    auto base_it = tokenizers_.find(p.base);
    if (base_it == tokenizers_.end() || base_it->second.kind != TokenizerInfo::Kind::kEmbedded) {
      return Bad("estimates." + name + ".base",
                 absl::StrCat("\"", p.base, "\" is not a built-in encoding"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ModelRegistry> ModelRegistry::FromJson(std::string_view json) {
  ModelRegistry r;
  absl::Status st = r.Merge(json, /*entries_first=*/false);
  if (!st.ok()) return st;
  return r;
}

const ModelRegistry& ModelRegistry::Default() {
  static const ModelRegistry* r = [] {
    auto reg = FromJson(kRegistryJson);
    // The embedded JSON is checked by the unit tests; an error here is a build defect.
    return new ModelRegistry(reg.ok() ? std::move(*reg) : ModelRegistry());
  }();
  return *r;
}

absl::StatusOr<ModelRegistry> ModelRegistry::WithOverrides(std::string_view json) const {
  ModelRegistry r = *this;
  absl::Status st = r.Merge(json, /*entries_first=*/true);
  if (!st.ok()) return st;
  return r;
}

absl::StatusOr<ModelEntry> ModelRegistry::Find(std::string_view model) const {
  const std::string name = CanonicalModelName(model);
  const Entry* best = nullptr;
  const std::string* best_pattern = nullptr;
  int best_quality = -1;
  for (const Entry& e : entries_) {
    for (const std::string& p : e.patterns) {
      int q = MatchQuality(name, p);
      // Strictly better only: earlier entries (overrides) win ties.
      if (q > best_quality) {
        best_quality = q;
        best = &e;
        best_pattern = &p;
      }
    }
  }
  if (best == nullptr || name.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "unknown model \"", std::string(model),
        "\": not in the model registry; name a tokenizer or an encoding instead, or add the "
        "model with a registry override"));
  }
  ModelEntry out;
  out.model = std::string(model);
  out.canonical = name;
  out.pattern = *best_pattern;
  out.tokenizer = best->tokenizer;
  out.exactness = best->exactness;
  // An estimate's label is its profile's (which an override may have changed since).
  if (base::StartsWith(best->tokenizer, "estimate:")) {
    const EstimateProfile* p = FindEstimate(best->tokenizer.substr(9));
    if (p != nullptr) out.exactness = p->exactness;
  }
  out.note = best->note;
  return out;
}

const TokenizerInfo* ModelRegistry::FindTokenizer(std::string_view name) const {
  auto it = tokenizers_.find(name);
  return it == tokenizers_.end() ? nullptr : &it->second;
}

const EstimateProfile* ModelRegistry::FindEstimate(std::string_view name) const {
  auto it = estimates_.find(name);
  return it == estimates_.end() ? nullptr : &it->second;
}

std::vector<std::string> ModelRegistry::TokenizerNames() const {
  std::vector<std::string> out;
  for (const auto& [name, info] : tokenizers_) out.push_back(name);
  return out;
}

absl::StatusOr<std::shared_ptr<const Tokenizer>> ModelRegistry::OpenTokenizer(
    std::string_view name, const TokenizerSearch& search) const {
  const TokenizerInfo* info = FindTokenizer(name);
  if (info == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown tokenizer \"", std::string(name), "\""));
  }
  using K = TokenizerInfo::Kind;
  if (info->kind == K::kEmbedded) {
    auto enc = Encoding::Get(info->name);
    if (!enc.ok()) return enc.status();
    return Tokenizer::FromEncoding(*enc);
  }
  if (info->kind == K::kEstimate) {
    const EstimateProfile* p = FindEstimate(info->name.substr(9));
    if (p == nullptr) {
      return absl::NotFoundError(absl::StrCat("no estimate profile for ", info->name));
    }
    auto enc = Encoding::Get(p->base);
    if (!enc.ok()) return enc.status();
    return Tokenizer::Estimate(info->name, *enc, p->factor, p->low, p->high, p->exactness);
  }

  // A file: named directly, or found under a search folder.
  std::string path;
  std::vector<std::string> tried;
  if (auto it = search.files.find(name); it != search.files.end()) {
    path = it->second;
  } else {
    for (const std::string& dir : search.dirs) {
      for (const std::string& rel : info->files) {
        std::string candidate = dir.empty() || dir.back() == '/' ? dir + rel : dir + "/" + rel;
        if (IsFile(candidate)) {
          path = candidate;
          break;
        }
        tried.push_back(candidate);
      }
      if (!path.empty()) break;
    }
  }
  if (path.empty()) {
    std::string where = tried.empty() ? "no tokenizer folder was given"
                                      : absl::StrCat("looked for ", absl::StrJoin(tried, ", "));
    return absl::NotFoundError(absl::StrCat(
        "tokenizer ", info->name, " is not built in and its file was not found (", where,
        "); give the file (--tokenizer FILE) or a folder holding ",
        absl::StrJoin(info->files, " or "), " (--tokenizer-dir DIR or TOKWISE_TOKENIZER_PATH)"));
  }

  const std::string key = absl::StrCat(info->name, "\n", path);
  {
    std::lock_guard<std::mutex> lock(CacheMutex());
    auto it = Cache().find(key);
    if (it != Cache().end()) return it->second;
  }
  absl::StatusOr<std::shared_ptr<const Tokenizer>> tok;
  switch (info->kind) {
    case K::kHuggingFace:
      tok = Tokenizer::FromHfJsonFile(path, info->name);
      break;
    case K::kSentencePiece: {
      SentencePieceOptions o;
      o.add_bos = info->add_bos;
      o.add_eos = info->add_eos;
      tok = Tokenizer::FromSentencePieceFile(path, o, info->name);
      break;
    }
    case K::kClaudeLegacy:
      tok = Tokenizer::ClaudeLegacyFromTiktokenFile(path);
      break;
    case K::kTiktoken: {
      auto spec = KnownEncodingSpec(info->encoding);
      if (!spec.ok()) return spec.status();
      auto enc = Encoding::FromTiktokenFile(path, *spec);
      if (!enc.ok()) return enc.status();
      tok = Tokenizer::FromEncoding(*enc);
      break;
    }
    default:
      return absl::InternalError("unreachable tokenizer kind");
  }
  if (!tok.ok()) return tok.status();
  std::lock_guard<std::mutex> lock(CacheMutex());
  Cache().emplace(key, *tok);
  return tok;
}

absl::StatusOr<std::shared_ptr<const Tokenizer>> ModelRegistry::TokenizerFor(
    std::string_view model, const TokenizerSearch& search) const {
  auto entry = Find(model);
  if (!entry.ok()) return entry.status();
  auto tok = OpenTokenizer(entry->tokenizer, search);
  if (!tok.ok()) {
    return absl::Status(tok.status().code(),
                        absl::StrCat("model ", std::string(model), ": ", tok.status().message()));
  }
  return tok;
}

}  // namespace tokwise
