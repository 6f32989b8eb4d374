// Vocab::FromTokenList: a Vocab from token byte strings held in memory (tokenizer.json and
// SentencePiece vocabularies). Kept apart from vocab.cc, which the tiktoken path owns.
#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "encoding/vocab.h"

namespace tokwise::encoding_internal {
namespace {

// The same limits as the rank-file loader: they bound what a hostile file can make us build.
constexpr size_t kMaxIds = size_t{1} << 24;
constexpr size_t kMaxTokenBytes = 1024;

}  // namespace

absl::StatusOr<std::unique_ptr<Vocab>> Vocab::FromTokenList(
    const std::vector<std::string_view>& tokens) {
  if (tokens.empty()) return absl::InvalidArgumentError("the vocabulary is empty");
  if (tokens.size() > kMaxIds) {
    return absl::InvalidArgumentError(
        absl::StrCat("the vocabulary has ", tokens.size(), " ids; the limit is ", kMaxIds));
  }
  size_t total = 0;
  for (size_t id = 0; id < tokens.size(); ++id) {
    if (tokens[id].size() > kMaxTokenBytes) {
      return absl::InvalidArgumentError(absl::StrCat("token ", id, " is ", tokens[id].size(),
                                                     " bytes long; the limit is ", kMaxTokenBytes));
    }
    total += tokens[id].size();
  }
  if (total > 0xFFFFFFFFu) return absl::InvalidArgumentError("the vocabulary is too large");

  auto v = std::unique_ptr<Vocab>(new Vocab());
  v->n_ = static_cast<uint32_t>(tokens.size());
  v->own_offsets_.resize(tokens.size() + 1);
  v->own_bytes_.reserve(total);
  uint32_t off = 0;
  for (size_t id = 0; id < tokens.size(); ++id) {
    v->own_offsets_[id] = off;
    v->own_bytes_.insert(v->own_bytes_.end(), tokens[id].begin(), tokens[id].end());
    off += static_cast<uint32_t>(tokens[id].size());
  }
  v->own_offsets_[tokens.size()] = off;
  v->offsets_ = v->own_offsets_.data();
  v->bytes_ = v->own_bytes_.data();
  v->BuildIndex();
  if (v->slots_ == nullptr) {
    // Rare error path: find the two ids to name them.
    std::vector<uint32_t> order;
    for (uint32_t id = 0; id < tokens.size(); ++id) {
      if (!tokens[id].empty()) order.push_back(id);
    }
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return tokens[a] < tokens[b] || (tokens[a] == tokens[b] && a < b);
    });
    for (size_t i = 1; i < order.size(); ++i) {
      if (tokens[order[i]] == tokens[order[i - 1]]) {
        return absl::InvalidArgumentError(
            absl::StrCat("ids ", order[i - 1], " and ", order[i], " hold the same token bytes"));
      }
    }
    return absl::InvalidArgumentError("two ids hold the same token bytes");
  }
  v->Finish();
  return v;
}

}  // namespace tokwise::encoding_internal
