// Helpers shared by the source files of tokwise._core: text arguments read in place, GIL
// release around heavy calls, and the mapping of absl::Status to tokwise's exceptions.
#ifndef TOKWISE_BINDINGS_PYTHON_SRC_CORE_UTIL_H_
#define TOKWISE_BINDINGS_PYTHON_SRC_CORE_UTIL_H_

#include <pybind11/pybind11.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tokwise/catalog.h"

namespace tokwise_python {

namespace py = pybind11;

// Texts shorter than this are counted with the GIL held: releasing and re-taking it costs about
// as much as counting a few dozen bytes, and short strings are where per-call overhead shows.
constexpr size_t kReleaseGilBytes = 4096;

// The bytes of a str / bytes / bytes-like argument, valid while this object and the argument
// live. Raises TypeError for anything else, UnicodeEncodeError for a str holding lone
// surrogates (the Python layer repairs those the way tiktoken does).
class TextArg {
 public:
  explicit TextArg(py::handle obj) {
    PyObject* o = obj.ptr();
    if (PyUnicode_Check(o)) {
      Py_ssize_t n = 0;
      const char* p = PyUnicode_AsUTF8AndSize(o, &n);
      if (p == nullptr) throw py::error_already_set();
      view_ = std::string_view(p, static_cast<size_t>(n));
    } else if (PyBytes_Check(o)) {
      view_ = std::string_view(PyBytes_AS_STRING(o), static_cast<size_t>(PyBytes_GET_SIZE(o)));
    } else if (PyObject_CheckBuffer(o)) {
      if (PyObject_GetBuffer(o, &buffer_, PyBUF_SIMPLE) != 0) throw py::error_already_set();
      has_buffer_ = true;
      view_ =
          std::string_view(static_cast<const char*>(buffer_.buf), static_cast<size_t>(buffer_.len));
    } else {
      throw py::type_error(std::string("expected str, bytes or a bytes-like object, not ") +
                           Py_TYPE(o)->tp_name);
    }
  }
  ~TextArg() {
    if (has_buffer_) PyBuffer_Release(&buffer_);
  }
  TextArg(const TextArg&) = delete;
  TextArg& operator=(const TextArg&) = delete;

  std::string_view view() const { return view_; }

 private:
  std::string_view view_;
  Py_buffer buffer_{};
  bool has_buffer_ = false;
};

// Runs f() without the GIL when the input is large enough for that to pay.
template <class F>
auto MaybeWithoutGil(size_t bytes, F&& f) {
  if (bytes < kReleaseGilBytes) return f();
  py::gil_scoped_release release;
  return f();
}

// Raises the tokwise._errors exception matching `status`, with its details as attributes.
[[noreturn]] void Raise(const absl::Status& status);

template <class T>
T Check(absl::StatusOr<T> v) {
  if (!v.ok()) Raise(v.status());
  return *std::move(v);
}

inline void Check(const absl::Status& s) {
  if (!s.ok()) Raise(s);
}

// A catalog (the embedded one is shared without owning it), and a model of it that keeps it
// alive. Shared by core_cost.cc and core_budget.cc.
struct CoreCatalog {
  std::shared_ptr<const tokwise::Catalog> catalog;
};

struct CoreModel {
  std::shared_ptr<const tokwise::Catalog> catalog;
  const tokwise::ModelInfo* info = nullptr;
};

// The embedded catalog as a shared pointer that does not own it (it lives for the process).
inline std::shared_ptr<const tokwise::Catalog> DefaultCatalog() {
  return std::shared_ptr<const tokwise::Catalog>(&tokwise::Catalog::Default(),
                                                 [](const tokwise::Catalog*) {});
}

// The module's sections, registered by PYBIND11_MODULE in core.cc.
void RegisterChat(py::module_& m);    // core_chat.cc: tokenizers, chat counting.
void RegisterCost(py::module_& m);    // core_cost.cc: catalog, usage, prices, scenarios.
void RegisterBudget(py::module_& m);  // core_budget.cc: ledger, usage records.

}  // namespace tokwise_python

#endif  // TOKWISE_BINDINGS_PYTHON_SRC_CORE_UTIL_H_
