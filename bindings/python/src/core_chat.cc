// tokwise._core, tokenizers and chat counting: shims over tokwise/tokenizer.h, registry.h and
// chat.h. Results go back as plain tuples and lists; the package turns them into objects.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core_util.h"
#include "tokwise/chat.h"
#include "tokwise/registry.h"
#include "tokwise/tokenizer.h"

namespace tokwise_python {
namespace {

struct CoreTokenizer {
  std::shared_ptr<const tokwise::Tokenizer> tok;
};

struct CoreChatCache {
  std::shared_ptr<tokwise::MessageCountCache> cache;
};

// "as_text" / "recognize" / "reject", or None for the family's own behaviour.
tokwise::TokenizeOptions MakeTokenizeOptions(const std::optional<std::string>& special,
                                             bool add_special_tokens, bool replace) {
  tokwise::TokenizeOptions o;
  if (special.has_value()) {
    if (*special == "as_text") {
      o.special = tokwise::SpecialPolicy::kAsText;
    } else if (*special == "recognize") {
      o.special = tokwise::SpecialPolicy::kRecognize;
    } else if (*special == "reject") {
      o.special = tokwise::SpecialPolicy::kReject;
    } else {
      throw py::value_error("special must be None, 'as_text', 'recognize' or 'reject', not '" +
                            *special + "'");
    }
  }
  o.add_special_tokens = add_special_tokens;
  o.invalid_utf8 = replace ? tokwise::InvalidUtf8::kReplace : tokwise::InvalidUtf8::kReject;
  return o;
}

tokwise::ChatFormat ChatFormatFromName(const std::string& name) {
  for (tokwise::ChatFormat f :
       {tokwise::ChatFormat::kAuto, tokwise::ChatFormat::kOpenAIChat,
        tokwise::ChatFormat::kOpenAIResponses, tokwise::ChatFormat::kAnthropicMessages}) {
    if (tokwise::ChatFormatName(f) == name) return f;
  }
  throw py::value_error(
      "format must be 'auto', 'openai_chat', 'openai_responses' or "
      "'anthropic_messages', not '" +
      name + "'");
}

// The chat count as a tuple: (total, by_kind, label, model, encoding, provider, notes,
// uncounted_parts, message_tokens, max_output_tokens or None, format).
py::tuple CountChat(py::handle body, const std::string& model, const std::string& format,
                    double anthropic_text_factor, uint32_t image_width, uint32_t image_height,
                    const CoreChatCache* cache) {
  TextArg text(body);
  tokwise::ChatCountOptions options;
  options.model = model;
  options.anthropic_text_factor = anthropic_text_factor;
  options.unknown_image_width = image_width;
  options.unknown_image_height = image_height;
  options.cache = cache == nullptr ? nullptr : cache->cache.get();
  const tokwise::ChatFormat f = ChatFormatFromName(format);

  struct Out {
    tokwise::ChatCount count;
    std::optional<uint64_t> max_output;
    tokwise::ChatFormat format;
  };
  absl::StatusOr<Out> r = MaybeWithoutGil(text.view().size(), [&]() -> absl::StatusOr<Out> {
    absl::StatusOr<tokwise::ChatRequest> req = tokwise::ParseChatRequest(text.view(), f);
    if (!req.ok()) return req.status();
    absl::StatusOr<tokwise::ChatCount> c = tokwise::CountChatTokens(*req, options);
    if (!c.ok()) return c.status();
    return Out{*std::move(c), req->max_output_tokens, req->format};
  });
  Out out = Check(std::move(r));

  py::dict by_kind;
  for (size_t k = 0; k < tokwise::kNumCountKinds; ++k) {
    by_kind[py::str(std::string(tokwise::CountKindName(static_cast<tokwise::CountKind>(k))))] =
        out.count.by_kind[k];
  }
  py::object max_output = py::none();
  if (out.max_output.has_value()) max_output = py::int_(*out.max_output);
  return py::make_tuple(
      out.count.total, by_kind, std::string(tokwise::CountLabelName(out.count.label)),
      out.count.model, out.count.encoding,
      out.count.provider == tokwise::Provider::kAnthropic ? "anthropic" : "openai", out.count.notes,
      out.count.uncounted_parts, out.count.message_tokens, max_output,
      std::string(tokwise::ChatFormatName(out.format)));
}

tokwise::TokenizerSearch Search(const std::vector<std::string>& dirs) {
  tokwise::TokenizerSearch s;
  s.dirs = dirs;
  return s;
}

}  // namespace

void RegisterChat(py::module_& m) {
  py::class_<CoreTokenizer>(m, "Tokenizer")
      .def_property_readonly("name", [](const CoreTokenizer& t) { return t.tok->name(); })
      .def_property_readonly(
          "exactness",
          [](const CoreTokenizer& t) { return tokwise::ExactnessName(t.tok->exactness()); })
      .def_property_readonly("vocab_size",
                             [](const CoreTokenizer& t) { return t.tok->vocab_size(); })
      .def("count",
           [](const CoreTokenizer& t, py::handle text, const std::optional<std::string>& special,
              bool add_special_tokens, bool replace) {
             TextArg a(text);
             const tokwise::TokenizeOptions o =
                 MakeTokenizeOptions(special, add_special_tokens, replace);
             tokwise::TokenCount c =
                 Check(MaybeWithoutGil(a.view().size(), [&] { return t.tok->Count(a.view(), o); }));
             return py::make_tuple(c.tokens, tokwise::ExactnessName(c.exactness), c.low, c.high);
           })
      .def("encode",
           [](const CoreTokenizer& t, py::handle text, const std::optional<std::string>& special,
              bool add_special_tokens, bool replace) {
             TextArg a(text);
             const tokwise::TokenizeOptions o =
                 MakeTokenizeOptions(special, add_special_tokens, replace);
             return Check(
                 MaybeWithoutGil(a.view().size(), [&] { return t.tok->Encode(a.view(), o); }));
           })
      .def("decode_bytes", [](const CoreTokenizer& t, const std::vector<tokwise::TokenId>& ids) {
        std::string bytes = Check(MaybeWithoutGil(ids.size() * 4, [&] {
          return t.tok->Decode(absl::Span<const tokwise::TokenId>(ids));
        }));
        return py::bytes(bytes.data(), bytes.size());
      });

  m.def("tokenizer_from_file", [](const std::string& path) {
    return CoreTokenizer{Check(
        MaybeWithoutGil(kReleaseGilBytes, [&] { return tokwise::Tokenizer::FromFile(path); }))};
  });
  m.def("tokenizer_for_model", [](const std::string& model, const std::vector<std::string>& dirs) {
    return CoreTokenizer{Check(MaybeWithoutGil(kReleaseGilBytes, [&] {
      return tokwise::ModelRegistry::Default().TokenizerFor(model, Search(dirs));
    }))};
  });

  py::class_<CoreChatCache>(m, "ChatCache")
      .def(py::init([](size_t max_entries) {
        return CoreChatCache{std::make_shared<tokwise::MessageCountCache>(max_entries)};
      }))
      .def_property_readonly("size", [](const CoreChatCache& c) { return c.cache->size(); })
      .def_property_readonly("hits", [](const CoreChatCache& c) { return c.cache->hits(); })
      .def_property_readonly("misses", [](const CoreChatCache& c) { return c.cache->misses(); })
      .def("clear", [](CoreChatCache& c) { c.cache->Clear(); });

  m.def("count_chat", &CountChat);
  m.def("count_kind_names", [] {
    std::vector<std::string> names;
    for (size_t k = 0; k < tokwise::kNumCountKinds; ++k) {
      names.emplace_back(tokwise::CountKindName(static_cast<tokwise::CountKind>(k)));
    }
    return names;
  });
}

}  // namespace tokwise_python
