// STUB catalog: a handful of models so the cost model can be built and tried before the real
// catalog lands. To be replaced by the embedded JSON catalog.
#include "tokwise/catalog.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tokwise {

const Catalog& Catalog::Default() {
  static const Catalog* catalog = [] {
    auto* c = new Catalog();
    auto add = [c](ModelInfo m) {
      std::string id = m.id;
      c->by_id_.emplace(id, std::make_shared<const ModelInfo>(std::move(m)));
    };
    ModelInfo gpt4o;
    gpt4o.id = "gpt-4o";
    gpt4o.provider = "openai";
    gpt4o.tokenizer = "o200k_base";
    gpt4o.context_window = 128000;
    gpt4o.max_output = 16384;
    gpt4o.prices.input = 2'500'000;
    gpt4o.prices.output = 10'000'000;
    gpt4o.prices.cache_read = 1'250'000;
    gpt4o.min_cacheable_prefix = 1024;
    add(gpt4o);
    ModelInfo sonnet;
    sonnet.id = "claude-sonnet-4-5";
    sonnet.provider = "anthropic";
    sonnet.tokenizer = "claude-estimate";
    sonnet.context_window = 200000;
    sonnet.max_output = 64000;
    sonnet.prices.input = 3'000'000;
    sonnet.prices.output = 15'000'000;
    sonnet.prices.cache_read = 300'000;
    sonnet.prices.cache_write_5m = 3'750'000;
    sonnet.prices.cache_write_1h = 6'000'000;
    sonnet.min_cacheable_prefix = 1024;
    add(sonnet);
    return c;
  }();
  return *catalog;
}

absl::StatusOr<Catalog> Catalog::FromJson(std::string_view json) {
  return absl::UnimplementedError("catalog JSON not implemented yet");
}

absl::StatusOr<const ModelInfo*> Catalog::Find(std::string_view model) const {
  auto it = by_id_.find(model);
  if (it == by_id_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown model \"", std::string(model), "\""));
  }
  return it->second.get();
}

std::vector<const ModelInfo*> Catalog::All() const {
  std::vector<const ModelInfo*> out;
  for (const auto& [id, m] : by_id_) out.push_back(m.get());
  return out;
}

}  // namespace tokwise
