// tokwise._core: thin pybind11 shims over the C++ library. The Pythonic API (tiktoken's
// surface, argument handling, caching) lives in the pure-Python package next to this file;
// here are only conversions, GIL handling and error mapping.
//
// Text arguments are str, bytes or any contiguous bytes-like object, read in place: a str's
// UTF-8 form is the one CPython caches in the object (no copy for ASCII text, one conversion
// per object otherwise), bytes and buffers are used as they are.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core_util.h"
#include "tokwise/encoding.h"
#include "tokwise/error_details.h"
#include "tokwise/tokwise_version.h"

namespace py = pybind11;

namespace tokwise_python {

// Raises the tokwise._errors exception matching `status`, with its details as attributes.
[[noreturn]] void Raise(const absl::Status& status) {
  const tokwise::ErrorDetails d = tokwise::GetErrorDetails(status);
  const char* name = "TokwiseError";
  switch (d.reason) {
    case tokwise::ErrorReason::kInvalidUtf8:
      name = "InvalidUtf8Error";
      break;
    case tokwise::ErrorReason::kSpecialToken:
      name = "DisallowedSpecialTokenError";
      break;
    case tokwise::ErrorReason::kUnknownToken:
      name = "UnknownTokenError";
      break;
    case tokwise::ErrorReason::kIo:
      name = "TokwiseOSError";
      break;
    case tokwise::ErrorReason::kInvalidData:
      name = "InvalidDataError";
      break;
    case tokwise::ErrorReason::kUnspecified:
      switch (status.code()) {
        case absl::StatusCode::kNotFound:
          name = "NotFoundError";
          break;
        // A price the model does not offer, audio prices, an unknown window, a ledger folder
        // held by another ledger: well-formed input the call cannot serve.
        case absl::StatusCode::kFailedPrecondition:
        case absl::StatusCode::kUnavailable:
        case absl::StatusCode::kUnimplemented:
          name = "FailedPreconditionError";
          break;
        case absl::StatusCode::kDataLoss:
          name = "InvalidDataError";
          break;
        case absl::StatusCode::kPermissionDenied:
          name = "TokwiseOSError";
          break;
        default:
          break;
      }
      break;
  }
  py::object type = py::module_::import("tokwise._errors").attr(name);
  const absl::string_view m = status.message();
  py::object exc = type(py::str(m.data(), m.size()));
  if (d.byte_offset >= 0) exc.attr("byte_offset") = d.byte_offset;
  if (d.index >= 0) exc.attr("index") = d.index;
  if (!d.token.empty()) exc.attr("token") = py::str(d.token);
  PyErr_SetObject(type.ptr(), exc.ptr());
  throw py::error_already_set();
}

}  // namespace tokwise_python

namespace {

using tokwise_python::Check;
using tokwise_python::kReleaseGilBytes;
using tokwise_python::MaybeWithoutGil;
using tokwise_python::Raise;
using tokwise_python::TextArg;

using tokwise::TokenId;

[[noreturn]] void RaiseUnknownToken(const std::string& message) {
  tokwise::ErrorDetails d;
  d.reason = tokwise::ErrorReason::kUnknownToken;
  Raise(tokwise::WithErrorDetails(absl::InvalidArgumentError(message), d));
}

// A Python sequence of token ids (list, tuple or any iterable of int).
std::vector<TokenId> ToIds(py::handle tokens) {
  std::vector<TokenId> ids;
  auto add = [&ids](PyObject* item) {
    long long v = PyLong_AsLongLong(item);
    if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
    if (v < 0 || v > static_cast<long long>(std::numeric_limits<TokenId>::max())) {
      RaiseUnknownToken("token id " + std::to_string(v) + " is out of range");
    }
    ids.push_back(static_cast<TokenId>(v));
  };
  PyObject* o = tokens.ptr();
  if (PyList_Check(o)) {
    const Py_ssize_t n = PyList_GET_SIZE(o);
    ids.reserve(static_cast<size_t>(n));
    for (Py_ssize_t i = 0; i < n; ++i) add(PyList_GET_ITEM(o, i));
  } else if (PyTuple_Check(o)) {
    const Py_ssize_t n = PyTuple_GET_SIZE(o);
    ids.reserve(static_cast<size_t>(n));
    for (Py_ssize_t i = 0; i < n; ++i) add(PyTuple_GET_ITEM(o, i));
  } else {
    for (py::handle item : py::iter(tokens)) add(item.ptr());
  }
  return ids;
}

py::list ToList(const std::vector<TokenId>& ids) {
  PyObject* list = PyList_New(static_cast<Py_ssize_t>(ids.size()));
  if (list == nullptr) throw py::error_already_set();
  for (size_t i = 0; i < ids.size(); ++i) {
    PyObject* v = PyLong_FromUnsignedLong(ids[i]);
    if (v == nullptr) {
      Py_DECREF(list);
      throw py::error_already_set();
    }
    PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), v);
  }
  return py::reinterpret_steal<py::list>(list);
}

py::bytes ToBytes(const std::string& s) { return py::bytes(s.data(), s.size()); }

// Count and encode options, built once in Python and reused for every call with the same
// arguments (like tiktoken's cached special-token regex).
struct Options {
  tokwise::CountOptions count;
  tokwise::EncodeOptions encode;
};

tokwise::SpecialPolicy ToPolicy(int p) {
  switch (p) {
    case 0:
      return tokwise::SpecialPolicy::kAsText;
    case 1:
      return tokwise::SpecialPolicy::kRecognize;
    case 2:
      return tokwise::SpecialPolicy::kReject;
  }
  throw py::value_error("special policy must be 0 (as text), 1 (recognize) or 2 (reject)");
}

Options MakeOptions(int special, const std::map<std::string, int>& overrides, bool replace) {
  Options o;
  o.count.special = o.encode.special = ToPolicy(special);
  for (const auto& [token, policy] : overrides) {
    o.count.special_overrides[token] = o.encode.special_overrides[token] = ToPolicy(policy);
  }
  o.count.invalid_utf8 = o.encode.invalid_utf8 =
      replace ? tokwise::InvalidUtf8::kReplace : tokwise::InvalidUtf8::kReject;
  return o;
}

const Options& OptionsOr(const Options* o, bool for_encode_default) {
  static const Options kCount = [] {
    Options d;
    d.encode.special = tokwise::SpecialPolicy::kAsText;
    return d;
  }();
  static const Options kEncode = [] {
    Options d;
    d.count.special = tokwise::SpecialPolicy::kReject;
    return d;
  }();
  if (o != nullptr) return *o;
  return for_encode_default ? kEncode : kCount;
}

struct CoreEncoding {
  std::shared_ptr<const tokwise::Encoding> enc;
};

// Many texts: their views, taken with the GIL held, then used without it.
struct TextBatch {
  explicit TextBatch(py::handle texts) {
    for (py::handle t : py::iter(texts)) args.push_back(std::make_unique<TextArg>(t));
    views.reserve(args.size());
    for (const auto& a : args) {
      views.push_back(a->view());
      bytes += a->view().size();
    }
  }
  std::vector<std::unique_ptr<TextArg>> args;
  std::vector<std::string_view> views;
  size_t bytes = 0;
};

size_t Count(const CoreEncoding& self, py::handle text, const Options* options) {
  TextArg t(text);
  const auto& o = OptionsOr(options, false).count;
  return Check(MaybeWithoutGil(t.view().size(), [&] { return self.enc->Count(t.view(), o); }));
}

py::list Encode(const CoreEncoding& self, py::handle text, const Options* options,
                bool default_reject) {
  TextArg t(text);
  const auto& o = OptionsOr(options, default_reject).encode;
  return ToList(
      Check(MaybeWithoutGil(t.view().size(), [&] { return self.enc->Encode(t.view(), o); })));
}

py::tuple CountUntil(const CoreEncoding& self, py::handle text, size_t limit,
                     const Options* options) {
  TextArg t(text);
  const auto& o = OptionsOr(options, false).count;
  // With the default options the work is bounded by the limit, so the text size says little.
  const size_t work = limit > t.view().size() / 4 ? t.view().size() : limit * 4;
  auto r = Check(MaybeWithoutGil(work, [&] { return self.enc->CountUntil(t.view(), limit, o); }));
  // For str input the cut point is given in characters (code points), for bytes in bytes.
  size_t cut = r.char_offset;
  if (PyUnicode_Check(text.ptr())) {
    cut = 0;
    const std::string_view v = t.view().substr(0, r.char_offset);
    for (char c : v) cut += (static_cast<uint8_t>(c) & 0xC0) != 0x80;
  }
  return py::make_tuple(r.count, r.exceeded, r.byte_offset, cut);
}

// `threads` of the batch calls: a thread count, or a WorkerPool (its threads, and their
// caches, outlive the call). Calls batch(pool) or batch(count).
template <class Batch>
auto OnThreads(py::handle threads, Batch&& batch) {
  if (py::isinstance<tokwise::WorkerPool>(threads)) {
    return batch(threads.cast<tokwise::WorkerPool&>());
  }
  return batch(threads.cast<int>());
}

std::vector<size_t> CountBatch(const CoreEncoding& self, py::handle texts, py::handle threads,
                               const Options* options) {
  TextBatch batch(texts);
  const auto& o = OptionsOr(options, false).count;
  return Check(OnThreads(threads, [&](auto&& on) {
    return MaybeWithoutGil(batch.bytes, [&] { return self.enc->CountBatch(batch.views, on, o); });
  }));
}

py::list EncodeBatch(const CoreEncoding& self, py::handle texts, py::handle threads,
                     const Options* options, bool default_reject) {
  TextBatch batch(texts);
  const auto& o = OptionsOr(options, default_reject).encode;
  auto all = Check(OnThreads(threads, [&](auto&& on) {
    return MaybeWithoutGil(batch.bytes, [&] { return self.enc->EncodeBatch(batch.views, on, o); });
  }));
  py::list out(all.size());
  for (size_t i = 0; i < all.size(); ++i) out[i] = ToList(all[i]);
  return out;
}

py::bytes DecodeBytes(const CoreEncoding& self, py::handle tokens) {
  std::vector<TokenId> ids = ToIds(tokens);
  return ToBytes(Check(MaybeWithoutGil(
      ids.size() * 4, [&] { return self.enc->Decode(absl::Span<const TokenId>(ids)); })));
}

py::bytes DecodeToken(const CoreEncoding& self, long long id) {
  if (id < 0 || id > static_cast<long long>(std::numeric_limits<TokenId>::max())) {
    RaiseUnknownToken("token id " + std::to_string(id) + " is out of range");
  }
  return ToBytes(Check(self.enc->DecodeToken(static_cast<TokenId>(id))));
}

TokenId EncodeSingleToken(const CoreEncoding& self, py::handle bytes) {
  TextArg t(bytes);
  return Check(self.enc->EncodeSingleToken(t.view()));
}

// The ordinary tokens (bytes -> rank), as tiktoken's Encoding._mergeable_ranks. Ids that are
// special tokens are left out.
py::dict MergeableRanks(const CoreEncoding& self) {
  py::dict out;
  std::vector<bool> special(self.enc->n_vocab(), false);
  for (const auto& [text, id] : self.enc->special_tokens()) {
    if (id < special.size()) special[id] = true;
  }
  for (TokenId id = 0; id < self.enc->n_vocab(); ++id) {
    if (special[id]) continue;
    auto bytes = self.enc->DecodeToken(id);
    if (bytes.ok()) out[ToBytes(*bytes)] = id;
  }
  return out;
}

py::dict SpecialTokens(const std::map<std::string, TokenId, std::less<>>& specials) {
  py::dict out;
  for (const auto& [text, id] : specials) out[py::str(text)] = id;
  return out;
}

tokwise::EncodingSpec MakeSpec(const std::string& name, const std::string& pattern,
                               const std::map<std::string, TokenId>& specials,
                               uint32_t explicit_n_vocab) {
  tokwise::EncodingSpec spec;
  spec.name = name;
  spec.pattern = pattern;
  spec.special_tokens.insert(specials.begin(), specials.end());
  spec.explicit_n_vocab = explicit_n_vocab;
  return spec;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "tokwise's C++ core. Use the tokwise package, not this module.";
  m.attr("__version__") = TOKWISE_VERSION_STRING;
  m.attr("VERSION_NUMBER") = TOKWISE_VERSION_NUMBER;
  m.attr("SPECIAL_AS_TEXT") = 0;
  m.attr("SPECIAL_RECOGNIZE") = 1;
  m.attr("SPECIAL_REJECT") = 2;
  m.attr("RELEASE_GIL_BYTES") = kReleaseGilBytes;

  py::class_<Options>(m, "Options")
      .def(py::init(&MakeOptions), py::arg("special"), py::arg("overrides"),
           py::arg("replace_invalid_utf8"));

  py::class_<tokwise::WorkerPool>(
      m, "WorkerPool",
      "Worker threads for the batch calls, kept across calls (and with them their caches: a "
      "new thread counts its first text about 1.5x slower). `threads` counts the calling "
      "thread; below 1 means 1. Batches on one pool run one at a time.")
      .def(py::init<int>(), py::arg("threads"))
      .def_property_readonly("threads", &tokwise::WorkerPool::threads);

  py::class_<CoreEncoding>(m, "Encoding")
      .def_property_readonly("name", [](const CoreEncoding& s) { return s.enc->name(); })
      .def_property_readonly("pattern", [](const CoreEncoding& s) { return s.enc->spec().pattern; })
      .def_property_readonly("n_vocab", [](const CoreEncoding& s) { return s.enc->n_vocab(); })
      .def_property_readonly("n_ranks", [](const CoreEncoding& s) { return s.enc->n_ranks(); })
      .def_property_readonly("explicit_n_vocab",
                             [](const CoreEncoding& s) { return s.enc->spec().explicit_n_vocab; })
      .def_property_readonly("eot_token", [](const CoreEncoding& s) { return s.enc->eot_token(); })
      .def_property_readonly(
          "special_tokens",
          [](const CoreEncoding& s) { return SpecialTokens(s.enc->special_tokens()); })
      // The hot entry points take their arguments positionally, without conversions.
      .def("count", [](const CoreEncoding& s, py::handle text) { return Count(s, text, nullptr); })
      .def("count_opts", &Count)
      .def("encode_ordinary",
           [](const CoreEncoding& s, py::handle text) { return Encode(s, text, nullptr, false); })
      .def("encode",
           [](const CoreEncoding& s, py::handle text) { return Encode(s, text, nullptr, true); })
      .def("encode_opts", [](const CoreEncoding& s, py::handle text,
                             const Options& o) { return Encode(s, text, &o, true); })
      .def("encode_to_bytes",
           [](const CoreEncoding& s, py::handle text, const Options* o) {
             TextArg t(text);
             const auto& opts = OptionsOr(o, true).encode;
             auto ids = Check(
                 MaybeWithoutGil(t.view().size(), [&] { return s.enc->Encode(t.view(), opts); }));
             return py::bytes(reinterpret_cast<const char*>(ids.data()),
                              ids.size() * sizeof(TokenId));
           })
      .def("count_until", &CountUntil)
      .def("count_batch", &CountBatch)
      .def("encode_batch", &EncodeBatch)
      .def("decode_bytes", &DecodeBytes)
      .def("decode_single_token_bytes", &DecodeToken)
      .def("encode_single_token", &EncodeSingleToken)
      .def("mergeable_ranks", &MergeableRanks);

  py::class_<tokwise::IncrementalCounter>(m, "IncrementalCounter")
      .def(py::init([](const CoreEncoding& e) {
        return std::make_unique<tokwise::IncrementalCounter>(e.enc);
      }))
      .def("append",
           [](tokwise::IncrementalCounter& c, py::handle text) {
             TextArg t(text);
             absl::Status st = MaybeWithoutGil(t.view().size(), [&] { return c.Append(t.view()); });
             if (!st.ok()) Raise(st);
           })
      .def_property_readonly("count", &tokwise::IncrementalCounter::count)
      .def_property_readonly("bytes", &tokwise::IncrementalCounter::bytes)
      .def_property_readonly("pending_bytes", &tokwise::IncrementalCounter::pending_bytes)
      .def("reset", &tokwise::IncrementalCounter::Reset);

  m.def("get_encoding",
        [](const std::string& name) { return CoreEncoding{Check(tokwise::Encoding::Get(name))}; });
  m.def("encoding_for_model", [](const std::string& model) {
    return CoreEncoding{Check(tokwise::Encoding::ForModel(model))};
  });
  m.def("encoding_name_for_model",
        [](const std::string& model) { return Check(tokwise::EncodingNameForModel(model)); });
  m.def("builtin_encoding_names", &tokwise::BuiltinEncodingNames);
  m.def("known_encoding_spec", [](const std::string& name) {
    tokwise::EncodingSpec spec = Check(tokwise::KnownEncodingSpec(name));
    return py::make_tuple(spec.pattern, SpecialTokens(spec.special_tokens), spec.explicit_n_vocab);
  });
  m.def("from_tiktoken_bytes",
        [](py::bytes data, const std::string& name, const std::string& pattern,
           const std::map<std::string, TokenId>& specials, uint32_t explicit_n_vocab) {
          TextArg t(data);
          tokwise::EncodingSpec spec = MakeSpec(name, pattern, specials, explicit_n_vocab);
          return CoreEncoding{Check(MaybeWithoutGil(t.view().size(), [&] {
            return tokwise::Encoding::FromTiktokenBytes(t.view(), spec);
          }))};
        });
  tokwise_python::RegisterChat(m);
  tokwise_python::RegisterCost(m);
  tokwise_python::RegisterBudget(m);

  m.def("from_tiktoken_file",
        [](const std::string& path, const std::string& name, const std::string& pattern,
           const std::map<std::string, TokenId>& specials, uint32_t explicit_n_vocab) {
          tokwise::EncodingSpec spec = MakeSpec(name, pattern, specials, explicit_n_vocab);
          return CoreEncoding{Check(MaybeWithoutGil(
              kReleaseGilBytes, [&] { return tokwise::Encoding::FromTiktokenFile(path, spec); }))};
        });
}
