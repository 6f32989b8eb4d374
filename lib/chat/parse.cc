// Request parsing: OpenAI Chat Completions, OpenAI Responses and Anthropic Messages bodies,
// read once with simdjson On-Demand into a ChatRequest.
//
// Strings are taken without a copy: a JSON string without a backslash is a view into the
// request's own copy of the body; only strings with escapes are unescaped (into a buffer
// reserved once, so views never move). Fields we do not use are skipped by the iterator.
//
// Every error names the JSON path being read, e.g. "messages[3].content[1].type: unknown
// part type 'imag'", and for malformed JSON also the byte offset, line and column.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/json_depth.h"
#include "chat/request_storage.h"
#include "simdjson.h"
#include "tokwise/chat.h"

namespace tokwise {

namespace od = simdjson::ondemand;

ChatRequest::ChatRequest() = default;
ChatRequest::~ChatRequest() = default;
ChatRequest::ChatRequest(ChatRequest&&) noexcept = default;
ChatRequest& ChatRequest::operator=(ChatRequest&&) noexcept = default;

std::string_view ChatFormatName(ChatFormat format) {
  switch (format) {
    case ChatFormat::kAuto:
      return "auto";
    case ChatFormat::kOpenAIChat:
      return "openai_chat";
    case ChatFormat::kOpenAIResponses:
      return "openai_responses";
    case ChatFormat::kAnthropicMessages:
      return "anthropic_messages";
  }
  return "?";
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kSystem:
      return "system";
    case Role::kDeveloper:
      return "developer";
    case Role::kUser:
      return "user";
    case Role::kAssistant:
      return "assistant";
    case Role::kTool:
      return "tool";
    case Role::kFunction:
      return "function";
  }
  return "?";
}

namespace {

// The role RoleName() spells `name`; false for any other name.
bool RoleFromName(std::string_view name, Role* role) {
  for (Role r : {Role::kSystem, Role::kDeveloper, Role::kUser, Role::kAssistant, Role::kTool,
                 Role::kFunction}) {
    if (RoleName(r) == name) {
      *role = r;
      return true;
    }
  }
  return false;
}

const char* JsonTypeName(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "?";
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// One step of a JSON path: a field name or an array index.
struct PathElem {
  std::string_view key;
  int64_t index = -1;
};

// What a message content array may hold, per API.
enum class PartDialect { kChat, kResponses, kAnthropic };

class Parser {
 public:
  Parser(ChatRequest* req, od::document* doc) : req_(req), doc_(doc) {}

  absl::Status Run(ChatFormat format);
  absl::StatusOr<ChatFormat> Detect();

 private:
  // ---- Paths and errors ------------------------------------------------------------------

  class Scope {
   public:
    Scope(Parser* p, std::string_view key) : p_(p) { p_->path_.push_back({key, -1}); }
    Scope(Parser* p, int64_t index) : p_(p) { p_->path_.push_back({{}, index}); }
    ~Scope() { p_->path_.pop_back(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Parser* p_;
  };

  std::string Path() const {
    std::string out;
    for (const PathElem& e : path_) {
      if (e.index >= 0) {
        absl::StrAppend(&out, "[", e.index, "]");
      } else {
        if (!out.empty()) out.push_back('.');
        out.append(e.key.data(), e.key.size());
      }
    }
    return out.empty() ? std::string("(top level)") : out;
  }

  absl::Status Error(std::string_view message) const {
    return absl::InvalidArgumentError(absl::StrCat(Path(), ": ", std::string(message)));
  }

  std::string Where(const char* at) const {
    const char* body = req_->storage->body.get();
    if (at == nullptr || at < body || at > body + req_->storage->body_size) return "";
    const size_t offset = static_cast<size_t>(at - body);
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset; ++i) {
      if (body[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return absl::StrCat(" (byte offset ", offset, ", line ", line, ", column ", column, ")");
  }

  // A simdjson error: malformed JSON, or a type the iterator refused.
  absl::Status JsonError(simdjson::error_code e) const {
    const char* at = nullptr;
    if (doc_->current_location().get(at) != simdjson::SUCCESS) at = nullptr;
    const char* what =
        e == simdjson::INCORRECT_TYPE ? "wrong JSON type" : simdjson::error_message(e);
    std::string where = Where(at);
    if (where.empty() && e != simdjson::INCORRECT_TYPE) where = " (at the end of the input)";
    return absl::InvalidArgumentError(absl::StrCat(Path(), ": malformed JSON: ", what, where));
  }

  absl::Status TypeError(const char* expected, od::json_type got, od::value& v) const {
    return absl::InvalidArgumentError(absl::StrCat(Path(), ": expected ", expected, ", got ",
                                                   JsonTypeName(got),
                                                   Where(v.raw_json_token().data())));
  }

  // ---- Typed reads -----------------------------------------------------------------------

  absl::Status Type(od::value& v, od::json_type* t) {
    if (auto e = v.type().get(*t)) return JsonError(e);
    return absl::OkStatus();
  }

  // Whether `v` is of type `want`.
  absl::Status Is(od::value& v, od::json_type want, bool* is) {
    od::json_type t{};
    if (absl::Status s = Type(v, &t); !s.ok()) return s;
    *is = t == want;
    return absl::OkStatus();
  }

  // A type error ("expected <name>, got ...") unless `v` is of type `want`.
  absl::Status Expect(od::value& v, od::json_type want, const char* name) {
    od::json_type t{};
    if (absl::Status s = Type(v, &t); !s.ok()) return s;
    if (t != want) return TypeError(name, t, v);
    return absl::OkStatus();
  }

  // A JSON string: a view into the body when it has no escapes, else unescaped and kept.
  absl::Status String(od::value& v, std::string_view* out) {
    if (absl::Status s = Expect(v, od::json_type::string, "a string"); !s.ok()) return s;
    std::string_view tok = v.raw_json_token();
    size_t end = tok.size();
    while (end > 0 && IsJsonSpace(tok[end - 1])) --end;
    if (end >= 2 && tok[0] == '"' && tok[end - 1] == '"') {
      std::string_view inner = tok.substr(1, end - 2);
      if (std::memchr(inner.data(), '\\', inner.size()) == nullptr) {
        // Unconsumed values are skipped by the iterator, so taking the view is enough.
        *out = inner;
        return absl::OkStatus();
      }
    }
    std::string_view unescaped;
    if (auto e = v.get_string().get(unescaped)) return JsonError(e);
    *out = req_->storage->Keep(unescaped);
    return absl::OkStatus();
  }

  // A string or null (null -> empty, *present = false).
  absl::Status OptString(od::value& v, std::string_view* out, bool* present = nullptr) {
    od::json_type t{};
    if (absl::Status s = Type(v, &t); !s.ok()) return s;
    if (present) *present = t != od::json_type::null;
    if (t == od::json_type::null) {
      *out = {};
      return absl::OkStatus();
    }
    return String(v, out);
  }

  absl::Status Object(od::value& v, od::object* out) {
    if (absl::Status s = Expect(v, od::json_type::object, "an object"); !s.ok()) return s;
    if (auto e = v.get_object().get(*out)) return JsonError(e);
    return absl::OkStatus();
  }

  absl::Status Array(od::value& v, od::array* out) {
    if (absl::Status s = Expect(v, od::json_type::array, "an array"); !s.ok()) return s;
    if (auto e = v.get_array().get(*out)) return JsonError(e);
    return absl::OkStatus();
  }

  // The JSON text of an object (a view into the body), read and checked.
  absl::Status RawObject(od::value& v, std::string_view* out) {
    if (absl::Status s = Expect(v, od::json_type::object, "an object"); !s.ok()) return s;
    const char* start = v.raw_json_token().data();
    if (absl::Status s = Skip(v); !s.ok()) return s;
    const char* end = Location();
    while (end > start && (IsJsonSpace(end[-1]) || end[-1] != '}')) --end;
    *out = std::string_view(start, static_cast<size_t>(end - start));
    return absl::OkStatus();
  }

  // A non-negative integer token count; null leaves `out` unset.
  absl::Status TokenLimit(od::value& v, std::optional<uint64_t>* out) {
    od::json_type t{};
    if (absl::Status s = Type(v, &t); !s.ok()) return s;
    if (t == od::json_type::null) return absl::OkStatus();
    if (t != od::json_type::number) return TypeError("a non-negative integer", t, v);
    uint64_t n = 0;
    if (v.get_uint64().get(n) != simdjson::SUCCESS) {
      return Error(
          absl::StrCat("expected a non-negative integer, got ", std::string(v.raw_json_token())));
    }
    *out = n;
    return absl::OkStatus();
  }

  // Calls f(key, value) for each field. A value f leaves unread (an unknown field) is then
  // checked by Skip(), so malformed JSON is reported wherever it is.
  template <class F>
  absl::Status Fields(od::object& obj, F&& f) {
    for (auto field_result : obj) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return JsonError(e);
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return JsonError(e);
      Scope scope(this, key);
      od::value v = field.value();
      const char* start = v.raw_json_token().data();
      if (absl::Status s = f(key, v); !s.ok()) return s;
      if (validate_ && Location() == start) {
        if (absl::Status s = Skip(v); !s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }

  // Where the iterator is: the next token to read, or the end of the body.
  const char* Location() const {
    const char* at = nullptr;
    if (doc_->current_location().get(at) != simdjson::SUCCESS || at == nullptr) {
      return req_->storage->body.get() + req_->storage->body_size;
    }
    return at;
  }

  // Reads a value we do not use, checking it is well-formed: every literal and number, and
  // the escapes of strings that have any (On-Demand would otherwise skip it unchecked).
  absl::Status Skip(od::value& v) {
    od::json_type t{};
    if (absl::Status s = Type(v, &t); !s.ok()) return s;
    switch (t) {
      case od::json_type::object: {
        od::object obj;
        if (auto e = v.get_object().get(obj)) return JsonError(e);
        return Fields(obj, [](std::string_view, od::value&) { return absl::OkStatus(); });
      }
      case od::json_type::array: {
        od::array arr;
        if (auto e = v.get_array().get(arr)) return JsonError(e);
        return Elements(arr, [this](uint32_t, od::value& e) { return Skip(e); });
      }
      case od::json_type::string: {
        const std::string_view tok = v.raw_json_token();
        if (std::memchr(tok.data(), '\\', tok.size()) == nullptr) return absl::OkStatus();
        std::string_view unused;
        if (auto e = v.get_string().get(unused)) return JsonError(e);
        return absl::OkStatus();
      }
      case od::json_type::number: {
        od::number n;
        if (auto e = v.get_number().get(n)) return JsonError(e);
        return absl::OkStatus();
      }
      case od::json_type::boolean:
      case od::json_type::null: {
        const std::string_view tok = v.raw_json_token();
        bool b = false, is_null = false;
        const bool ok = t == od::json_type::boolean
                            ? v.get_bool().get(b) == simdjson::SUCCESS
                            : v.is_null().get(is_null) == simdjson::SUCCESS && is_null;
        if (ok) return absl::OkStatus();
        size_t n = 0;
        while (n < tok.size() && n < 16 && !IsJsonSpace(tok[n])) ++n;
        return absl::InvalidArgumentError(
            absl::StrCat(Path(), ": malformed JSON: invalid literal '",
                         std::string(tok.substr(0, n)), "'", Where(tok.data())));
      }
    }
    return absl::OkStatus();
  }

  template <class F>
  absl::Status Elements(od::array& arr, F&& f) {
    int64_t i = 0;
    for (auto elem_result : arr) {
      od::value v;
      if (auto e = std::move(elem_result).get(v)) {
        Scope scope(this, i);
        return JsonError(e);
      }
      Scope scope(this, i);
      if (absl::Status s = f(static_cast<uint32_t>(i), v); !s.ok()) return s;
      ++i;
    }
    return absl::OkStatus();
  }

  // ---- Composite reads -------------------------------------------------------------------

  // Whether `v` is null (fields that take null for "absent").
  absl::Status IsNull(od::value& v, bool* null) { return Is(v, od::json_type::null, null); }

  // Object `v`, field by field: f(key, value) as for Fields().
  template <class F>
  absl::Status ObjectFields(od::value& v, F&& f) {
    od::object obj;
    if (absl::Status s = Object(v, &obj); !s.ok()) return s;
    return Fields(obj, std::forward<F>(f));
  }

  // Array `v`, element by element: f(index, value).
  template <class F>
  absl::Status ArrayElements(od::value& v, F&& f) {
    od::array arr;
    if (absl::Status s = Array(v, &arr); !s.ok()) return s;
    return Elements(arr, std::forward<F>(f));
  }

  // Array `v` whose elements must be objects: f(index, object).
  template <class F>
  absl::Status ObjectElements(od::value& v, F&& f) {
    return ArrayElements(v, [&](uint32_t i, od::value& e) -> absl::Status {
      od::object obj;
      if (absl::Status s = Object(e, &obj); !s.ok()) return s;
      return f(i, obj);
    });
  }

  // ObjectElements(), with null read as an empty array.
  template <class F>
  absl::Status OptObjectElements(od::value& v, F&& f) {
    bool null = false;
    if (absl::Status s = IsNull(v, &null); !s.ok() || null) return s;
    return ObjectElements(v, std::forward<F>(f));
  }

  // RawObject(), with null leaving `out` empty.
  absl::Status OptRawObject(od::value& v, std::string_view* out) {
    bool null = false;
    if (absl::Status s = IsNull(v, &null); !s.ok() || null) return s;
    return RawObject(v, out);
  }

  // Format detection only: f over the fields (elements) of `v` if it is an object (an array);
  // any other value is left for the real pass to report.
  template <class F>
  absl::Status FieldsIfObject(od::value& v, F&& f) {
    bool object = false;
    if (absl::Status s = Is(v, od::json_type::object, &object); !s.ok() || !object) return s;
    return ObjectFields(v, std::forward<F>(f));
  }
  template <class F>
  absl::Status ElementsIfArray(od::value& v, F&& f) {
    bool array = false;
    if (absl::Status s = Is(v, od::json_type::array, &array); !s.ok() || !array) return s;
    return ArrayElements(v, std::forward<F>(f));
  }

  // Notes that a field is present and passes on the status of reading it:
  //   if (key == "text") return Seen(&has_text, String(f, &text));
  static absl::Status Seen(bool* present, absl::Status read) {
    *present = true;
    return read;
  }

  // "unknown <what> '<value>'<note>", reported at `field` of the current object.
  absl::Status Unknown(std::string_view field, std::string_view what, std::string_view value,
                       std::string_view note = "") {
    Scope scope(this, field);
    return Error(absl::StrCat("unknown ", std::string(what), " '", std::string(value), "'",
                              std::string(note)));
  }

  // "<noun> of type '<type>' needs '<field>'" unless `present`.
  absl::Status Need(std::string_view noun, std::string_view type, bool present,
                    std::string_view field) const {
    if (present) return absl::OkStatus();
    return Error(absl::StrCat(std::string(noun), " of type '", std::string(type), "' needs '",
                              std::string(field), "'"));
  }

  // A list of tool definitions (null: none). fill(index, object, tool) reads one definition,
  // which is then kept.
  template <class F>
  absl::Status Tools(od::value& v, F&& fill) {
    return OptObjectElements(v, [&](uint32_t i, od::object& obj) -> absl::Status {
      ToolDefinition tool;
      tool.source_index = i;
      if (absl::Status s = fill(i, obj, &tool); !s.ok()) return s;
      req_->tools.push_back(tool);
      return absl::OkStatus();
    });
  }

  // ---- Shared pieces ---------------------------------------------------------------------

  absl::Status CacheControl(od::value& v, CacheTtl* ttl, Section section, uint32_t index,
                            uint32_t part_index);
  absl::Status ImageUrl(std::string_view url, ChatPart* part);
  absl::Status Parts(od::value& v, PartDialect dialect, ChatMessage* msg);
  absl::Status Part(od::object& obj, PartDialect dialect, uint32_t index, ChatMessage* msg);
  absl::Status AnthropicBlock(od::object& obj, uint32_t index, bool nested, ChatMessage* msg);

  // ---- Per API ---------------------------------------------------------------------------

  absl::Status ChatBody();
  absl::Status ChatMessageObject(od::value& v, uint32_t index);
  absl::Status ChatTools(od::value& v, bool legacy);
  absl::Status ChatToolChoice(od::value& v, bool legacy);

  absl::Status ResponsesBody();
  absl::Status ResponsesItem(od::value& v, uint32_t index);
  absl::Status ResponsesTools(od::value& v);

  absl::Status AnthropicBody();
  absl::Status AnthropicSystem(od::value& v);
  absl::Status AnthropicMessage(od::value& v, uint32_t index);
  absl::Status AnthropicTools(od::value& v);
  absl::Status AnthropicToolChoice(od::value& v);

  absl::Status DetectMessages(od::value& v, ChatFormat* found);

  ChatRequest* req_;
  od::document* doc_;
  std::vector<PathElem> path_;
  bool validate_ = true;  // Off during format detection (the real pass checks everything).
};

// ---------------------------------------------------------------------------------------------
// Format detection: a first pass over the top-level keys (and, if needed, message fields and
// part types) that stops at the first decisive field. The document is rewound afterwards.
// ---------------------------------------------------------------------------------------------

absl::Status Parser::DetectMessages(od::value& v, ChatFormat* found) {
  return ArrayElements(v, [&](uint32_t, od::value& m) -> absl::Status {
    if (*found != ChatFormat::kAuto) return absl::OkStatus();
    return FieldsIfObject(m, [&](std::string_view key, od::value& f) -> absl::Status {
      if (*found != ChatFormat::kAuto) return absl::OkStatus();
      if (key == "tool_calls" || key == "tool_call_id" || key == "function_call" ||
          key == "refusal" || key == "audio") {
        *found = ChatFormat::kOpenAIChat;
      } else if (key == "role") {
        std::string_view role;
        if (f.get_string().get(role) == simdjson::SUCCESS &&
            (role == "system" || role == "developer" || role == "tool" || role == "function")) {
          *found = ChatFormat::kOpenAIChat;
        }
      } else if (key == "content") {
        return ElementsIfArray(f, [&](uint32_t, od::value& p) -> absl::Status {
          if (*found != ChatFormat::kAuto) return absl::OkStatus();
          return FieldsIfObject(p, [&](std::string_view k, od::value& pv) -> absl::Status {
            if (k == "cache_control") *found = ChatFormat::kAnthropicMessages;
            if (k != "type") return absl::OkStatus();
            std::string_view type;
            if (pv.get_string().get(type) != simdjson::SUCCESS) return absl::OkStatus();
            if (type == "image_url" || type == "input_audio" || type == "file" ||
                type == "refusal") {
              *found = ChatFormat::kOpenAIChat;
            } else if (type == "image" || type == "tool_use" || type == "tool_result" ||
                       type == "thinking" || type == "redacted_thinking" || type == "document" ||
                       type == "server_tool_use" || type == "search_result") {
              *found = ChatFormat::kAnthropicMessages;
            }
            return absl::OkStatus();
          });
        });
      }
      return absl::OkStatus();
    });
  });
}

absl::StatusOr<ChatFormat> Parser::Detect() {
  validate_ = false;
  struct Restore {
    bool* flag;
    ~Restore() { *flag = true; }
  } restore{&validate_};
  od::object top;
  od::json_type t{};
  if (auto e = doc_->type().get(t)) return JsonError(e);
  if (t != od::json_type::object) {
    return Error(absl::StrCat("a request body must be a JSON object, got ", JsonTypeName(t)));
  }
  if (auto e = doc_->get_object().get(top)) return JsonError(e);
  ChatFormat found = ChatFormat::kAuto;
  std::string_view model;
  absl::Status s = Fields(top, [&](std::string_view key, od::value& v) -> absl::Status {
    if (found != ChatFormat::kAuto) return absl::OkStatus();
    if (key == "input" || key == "instructions" || key == "max_output_tokens" ||
        key == "previous_response_id") {
      found = ChatFormat::kOpenAIResponses;
    } else if (key == "system" || key == "stop_sequences" || key == "thinking") {
      found = ChatFormat::kAnthropicMessages;
    } else if (key == "functions" || key == "function_call" || key == "max_completion_tokens") {
      found = ChatFormat::kOpenAIChat;
    } else if (key == "model") {
      // A view into the parser's buffer: valid until the rewind after this pass.
      if (v.get_string().get(model) != simdjson::SUCCESS) model = {};
    } else if (key == "tools") {
      return ElementsIfArray(v, [&](uint32_t, od::value& tool) -> absl::Status {
        if (found != ChatFormat::kAuto) return absl::OkStatus();
        return FieldsIfObject(tool, [&](std::string_view k, od::value&) -> absl::Status {
          if (found != ChatFormat::kAuto) return absl::OkStatus();
          if (k == "input_schema" || k == "cache_control") {
            found = ChatFormat::kAnthropicMessages;
          } else if (k == "function" || k == "custom") {
            found = ChatFormat::kOpenAIChat;
          } else if (k == "parameters") {
            found = ChatFormat::kOpenAIResponses;
          }
          return absl::OkStatus();
        });
      });
    } else if (key == "messages") {
      return DetectMessages(v, &found);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (found == ChatFormat::kAuto) {
    // Only user/assistant text: the body reads the same in both APIs; the model decides.
    std::string_view m = model;
    if (size_t slash = m.rfind('/'); slash != std::string_view::npos) m.remove_prefix(slash + 1);
    if (size_t dot = m.find("anthropic."); dot != std::string_view::npos) {
      m.remove_prefix(dot + 10);
    }
    found = m.substr(0, 6) == "claude" ? ChatFormat::kAnthropicMessages : ChatFormat::kOpenAIChat;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

absl::Status Parser::CacheControl(od::value& v, CacheTtl* ttl, Section section, uint32_t index,
                                  uint32_t part_index) {
  bool null = false;
  if (absl::Status s = IsNull(v, &null); !s.ok() || null) return s;
  std::string_view type, ttl_text;
  absl::Status s = ObjectFields(v, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "type") return String(f, &type);
    if (key == "ttl") return String(f, &ttl_text);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (type != "ephemeral") {
    return Error(
        absl::StrCat("cache_control type must be 'ephemeral', got '", std::string(type), "'"));
  }
  if (ttl_text.empty() || ttl_text == "5m") {
    *ttl = CacheTtl::k5Minutes;
  } else if (ttl_text == "1h") {
    *ttl = CacheTtl::k1Hour;
  } else {
    return Error(
        absl::StrCat("cache_control ttl must be '5m' or '1h', got '", std::string(ttl_text), "'"));
  }
  // The marker's path is the block holding cache_control (drop the last step).
  std::string path = Path();
  if (size_t dot = path.rfind('.'); dot != std::string::npos) path.resize(dot);
  req_->cache_markers.push_back({section, index, part_index, *ttl, std::move(path)});
  return absl::OkStatus();
}

// "data:image/png;base64,...." -> kBase64 with its media type; anything else is a URL.
absl::Status Parser::ImageUrl(std::string_view url, ChatPart* part) {
  if (url.substr(0, 5) == "data:") {
    const size_t comma = url.find(',');
    if (comma == std::string_view::npos) return Error("data URL without a ','");
    std::string_view header = url.substr(5, comma - 5);
    if (header.size() < 7 || header.substr(header.size() - 7) != ";base64") {
      return Error("data URL is not base64-encoded (';base64' missing)");
    }
    header.remove_suffix(7);
    part->media_type = header.substr(0, header.find(';'));
    part->source = SourceKind::kBase64;
    part->data = url.substr(comma + 1);
    return absl::OkStatus();
  }
  if (url.empty()) return Error("empty image URL");
  part->source = SourceKind::kUrl;
  part->data = url;
  return absl::OkStatus();
}

absl::Status ParseDetail(std::string_view text, ImageDetail* detail) {
  if (text.empty() || text == "auto") {
    *detail = ImageDetail::kAuto;
  } else if (text == "low") {
    *detail = ImageDetail::kLow;
  } else if (text == "high") {
    *detail = ImageDetail::kHigh;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("detail must be 'low', 'high' or 'auto', got '", std::string(text), "'"));
  }
  return absl::OkStatus();
}

// A message content: a string, or an array of parts in the given dialect.
absl::Status Parser::Parts(od::value& v, PartDialect dialect, ChatMessage* msg) {
  od::json_type t{};
  if (absl::Status s = Type(v, &t); !s.ok()) return s;
  if (t == od::json_type::string) {
    ChatPart part;
    if (absl::Status s = String(v, &part.text); !s.ok()) return s;
    msg->content_is_string = true;
    msg->parts.push_back(part);
    return absl::OkStatus();
  }
  if (t != od::json_type::array) return TypeError("a string or an array of parts", t, v);
  return ObjectElements(v, [&](uint32_t i, od::object& obj) -> absl::Status {
    if (dialect == PartDialect::kAnthropic) return AnthropicBlock(obj, i, false, msg);
    return Part(obj, dialect, i, msg);
  });
}

// One OpenAI content part (Chat or Responses). Fields may come in any order, so the part is
// assembled first and checked against its type at the end.
absl::Status Parser::Part(od::object& obj, PartDialect dialect, uint32_t index, ChatMessage* msg) {
  ChatPart part;
  part.source_index = index;
  std::string_view type, text, refusal, image_url_text, detail_text, file_id, file_data;
  bool has_text = false, has_refusal = false, has_image = false, has_audio = false,
       has_file = false;
  absl::Status s = Fields(obj, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "type") return String(f, &type);
    if (key == "text") return Seen(&has_text, String(f, &text));
    if (key == "refusal") return Seen(&has_refusal, String(f, &refusal));
    if (key == "image_url") {
      has_image = true;
      od::json_type t{};
      if (absl::Status st = Type(f, &t); !st.ok()) return st;
      if (t == od::json_type::string) return String(f, &image_url_text);  // Responses form.
      return ObjectFields(f, [&](std::string_view k, od::value& iv) -> absl::Status {
        if (k == "url") return String(iv, &image_url_text);
        if (k == "detail") return OptString(iv, &detail_text);
        return absl::OkStatus();
      });
    }
    if (key == "detail") return OptString(f, &detail_text);
    if (key == "file_id") return Seen(&has_file, OptString(f, &file_id));
    if (key == "input_audio") {
      has_audio = true;
      return ObjectFields(f, [&](std::string_view k, od::value& av) -> absl::Status {
        if (k == "data") return String(av, &part.data);
        if (k == "format") return String(av, &part.media_type);
        return absl::OkStatus();
      });
    }
    if (key == "file") {  // Chat: {"type":"file","file":{...}}
      has_file = true;
      return ObjectFields(f, [&](std::string_view k, od::value& fv) -> absl::Status {
        if (k == "file_id") return OptString(fv, &file_id);
        if (k == "file_data") return OptString(fv, &file_data);
        if (k == "filename") return OptString(fv, &part.name);
        return absl::OkStatus();
      });
    }
    if (key == "file_data") {  // Responses input_file.
      has_file = true;
      return OptString(f, &file_data);
    }
    if (key == "filename") return OptString(f, &part.name);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;

  auto need = [&](bool present, const char* field) { return Need("part", type, present, field); };
  const bool chat = dialect == PartDialect::kChat;
  if (type.empty()) return Error("content part without a 'type'");
  if ((chat && type == "text") || (!chat && (type == "input_text" || type == "output_text" ||
                                             type == "summary_text" || type == "reasoning_text"))) {
    if (absl::Status st = need(has_text, "text"); !st.ok()) return st;
    part.type = PartType::kText;
    part.text = text;
  } else if (type == "refusal") {
    if (absl::Status st = need(has_refusal, "refusal"); !st.ok()) return st;
    part.type = PartType::kRefusal;
    part.text = refusal;
  } else if ((chat && type == "image_url") || (!chat && type == "input_image")) {
    part.type = PartType::kImage;
    if (!image_url_text.empty()) {
      if (absl::Status st = ImageUrl(image_url_text, &part); !st.ok()) return st;
    } else if (!file_id.empty()) {
      part.source = SourceKind::kFileId;
      part.data = file_id;
    } else {
      return need(false, chat ? "image_url.url" : "image_url' or 'file_id");
    }
    if (absl::Status st = ParseDetail(detail_text, &part.detail); !st.ok()) {
      return Error(std::string(st.message()));
    }
  } else if (type == "input_audio") {
    if (absl::Status st = need(has_audio && !part.data.empty(), "input_audio.data"); !st.ok()) {
      return st;
    }
    part.type = PartType::kAudio;
    part.source = SourceKind::kBase64;
  } else if ((chat && type == "file") || (!chat && type == "input_file")) {
    if (absl::Status st = need(has_file, chat ? "file" : "file_id' or 'file_data"); !st.ok()) {
      return st;
    }
    part.type = PartType::kFile;
    if (!file_data.empty()) {
      if (absl::Status st = ImageUrl(file_data, &part); !st.ok()) return st;
      if (part.source == SourceKind::kUrl) {  // Bare base64 without a data: prefix.
        part.source = SourceKind::kBase64;
      }
    } else {
      part.source = SourceKind::kFileId;
      part.data = file_id;
    }
  } else {
    return Unknown("type", "content part type", type);
  }
  msg->parts.push_back(part);
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// OpenAI Chat Completions
// ---------------------------------------------------------------------------------------------

absl::Status Parser::ChatBody() {
  od::object top;
  if (auto e = doc_->get_object().get(top)) return JsonError(e);
  bool has_messages = false;
  std::optional<uint64_t> max_tokens, max_completion_tokens;
  absl::Status s = Fields(top, [&](std::string_view key, od::value& v) -> absl::Status {
    if (key == "model") return String(v, &req_->model);
    if (key == "messages") {
      has_messages = true;
      return ArrayElements(v, [&](uint32_t i, od::value& m) { return ChatMessageObject(m, i); });
    }
    if (key == "tools") return ChatTools(v, false);
    if (key == "functions") return ChatTools(v, true);
    if (key == "tool_choice") return ChatToolChoice(v, false);
    if (key == "function_call") return ChatToolChoice(v, true);
    if (key == "max_tokens") return TokenLimit(v, &max_tokens);
    if (key == "max_completion_tokens") return TokenLimit(v, &max_completion_tokens);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!has_messages) return Error("missing 'messages'");
  req_->max_output_tokens = max_completion_tokens ? max_completion_tokens : max_tokens;
  return absl::OkStatus();
}

absl::Status Parser::ChatMessageObject(od::value& v, uint32_t index) {
  ChatMessage msg;
  msg.section = Section::kMessages;
  msg.source_index = index;
  std::string_view role;
  bool has_role = false, has_content = false, content_null = false, has_calls = false;
  std::vector<ChatPart> calls;  // Tool calls follow the content.
  absl::Status s = ObjectFields(v, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "role") return Seen(&has_role, String(f, &role));
    if (key == "content") {
      has_content = true;
      od::json_type t{};
      if (absl::Status st = Type(f, &t); !st.ok()) return st;
      if (t == od::json_type::null) {
        content_null = true;
        return absl::OkStatus();
      }
      return Parts(f, PartDialect::kChat, &msg);
    }
    if (key == "name") return OptString(f, &msg.name);
    if (key == "tool_call_id") return OptString(f, &msg.tool_call_id);
    if (key == "refusal") {
      ChatPart part;
      bool present = false;
      if (absl::Status st = OptString(f, &part.text, &present); !st.ok()) return st;
      if (present) {
        part.type = PartType::kRefusal;
        calls.push_back(part);
      }
      return absl::OkStatus();
    }
    if (key == "function_call") {
      bool null = false;
      if (absl::Status st = IsNull(f, &null); !st.ok() || null) return st;
      ChatPart part;
      part.type = PartType::kToolCall;
      bool has_name = false;
      absl::Status st = ObjectFields(f, [&](std::string_view k, od::value& fv) -> absl::Status {
        if (k == "name") return Seen(&has_name, String(fv, &part.name));
        if (k == "arguments") return String(fv, &part.text);
        return absl::OkStatus();
      });
      if (!st.ok()) return st;
      if (!has_name) return Error("function_call without a 'name'");
      has_calls = true;
      calls.push_back(part);
      return absl::OkStatus();
    }
    if (key == "tool_calls") {
      return OptObjectElements(f, [&](uint32_t i, od::object& call) -> absl::Status {
        ChatPart part;
        part.type = PartType::kToolCall;
        part.source_index = i;
        std::string_view type;
        bool has_fn = false;
        absl::Status st = Fields(call, [&](std::string_view k, od::value& fv) -> absl::Status {
          if (k == "id") return String(fv, &part.id);
          if (k == "type") return String(fv, &type);
          if (k == "function" || k == "custom") {
            has_fn = true;
            return ObjectFields(fv, [&](std::string_view k2, od::value& v2) -> absl::Status {
              if (k2 == "name") return String(v2, &part.name);
              if (k2 == "arguments" || k2 == "input") return String(v2, &part.text);
              return absl::OkStatus();
            });
          }
          return absl::OkStatus();
        });
        if (!st.ok()) return st;
        if (!type.empty() && type != "function" && type != "custom") {
          return Unknown("type", "tool call type", type);
        }
        if (!has_fn || part.name.empty()) {
          return Error("tool call without a function name");
        }
        has_calls = true;
        calls.push_back(part);
        return absl::OkStatus();
      });
    }
    if (key == "audio") {  // A previous assistant audio reply, referenced by id.
      bool null = false;
      if (absl::Status st = IsNull(f, &null); !st.ok() || null) return st;
      ChatPart part;
      part.type = PartType::kAudio;
      part.source = SourceKind::kFileId;
      absl::Status st = ObjectFields(f, [&](std::string_view k, od::value& av) -> absl::Status {
        if (k == "id") return String(av, &part.data);
        return absl::OkStatus();
      });
      if (!st.ok()) return st;
      calls.push_back(part);
      return absl::OkStatus();
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;

  if (!has_role) return Error("message without a 'role'");
  if (!RoleFromName(role, &msg.role)) return Unknown("role", "role", role);
  if (msg.role == Role::kAssistant) {
    if ((!has_content || content_null) && calls.empty()) {
      return Error("assistant message needs 'content', 'tool_calls' or 'function_call'");
    }
  } else {
    if (!has_content || content_null) {
      return Error(absl::StrCat(std::string(role), " message without 'content'"));
    }
    if (has_calls) return Error("only assistant messages may carry tool calls");
  }
  if (msg.role == Role::kTool && msg.tool_call_id.empty()) {
    return Error("tool message without a 'tool_call_id'");
  }
  if (msg.role == Role::kFunction && msg.name.empty()) {
    return Error("function message without a 'name'");
  }
  for (ChatPart& p : calls) msg.parts.push_back(p);
  req_->messages.push_back(std::move(msg));
  return absl::OkStatus();
}

// Chat "tools" ({"type":"function","function":{...}}) or legacy "functions" ({...}).
absl::Status Parser::ChatTools(od::value& v, bool legacy) {
  bool null = false;
  if (absl::Status s = IsNull(v, &null); !s.ok() || null) return s;
  if (legacy) req_->legacy_functions = true;
  return Tools(v, [&](uint32_t, od::object& obj, ToolDefinition* tool) -> absl::Status {
    tool->type = "function";
    bool has_fn = legacy;
    auto function_fields = [&](std::string_view k, od::value& fv) -> absl::Status {
      if (k == "name") return String(fv, &tool->name);
      if (k == "description") return OptString(fv, &tool->description);
      if (k == "parameters") return OptRawObject(fv, &tool->parameters);
      return absl::OkStatus();
    };
    absl::Status s;
    if (legacy) {
      s = Fields(obj, function_fields);
    } else {
      std::string_view type;
      s = Fields(obj, [&](std::string_view key, od::value& f) -> absl::Status {
        if (key == "type") return String(f, &type);
        if (key == "function" || key == "custom")
          return Seen(&has_fn, ObjectFields(f, function_fields));
        return absl::OkStatus();
      });
      if (s.ok() && type != "function" && type != "custom") {
        return Unknown("type", "tool type", type);
      }
      if (s.ok() && type == "custom") tool->type = "custom";
    }
    if (!s.ok()) return s;
    if (!has_fn) return Error("tool without a 'function'");
    if (tool->name.empty()) return Error("tool without a 'name'");
    return absl::OkStatus();
  });
}

absl::Status Parser::ChatToolChoice(od::value& v, bool legacy) {
  od::json_type t{};
  if (absl::Status s = Type(v, &t); !s.ok()) return s;
  if (t == od::json_type::null) return absl::OkStatus();
  ToolChoice& choice = req_->tool_choice;
  if (t == od::json_type::string) {
    std::string_view mode;
    if (absl::Status s = String(v, &mode); !s.ok()) return s;
    if (mode == "none") {
      choice.mode = ToolChoiceMode::kNone;
    } else if (mode == "auto") {
      choice.mode = ToolChoiceMode::kAuto;
    } else if (mode == "required" && !legacy) {
      choice.mode = ToolChoiceMode::kRequired;
    } else {
      return Error(absl::StrCat("unknown tool choice '", std::string(mode), "'"));
    }
    return absl::OkStatus();
  }
  std::string_view type;
  absl::Status s = ObjectFields(v, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "type") return String(f, &type);
    if (key == "name") return String(f, &choice.name);  // Legacy {"name": ...}.
    if (key == "function" || key == "custom") {
      return ObjectFields(f, [&](std::string_view k, od::value& fv) -> absl::Status {
        if (k == "name") return String(fv, &choice.name);
        return absl::OkStatus();
      });
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (type == "allowed_tools") {  // Restricts the set without forcing a call.
    choice.mode = ToolChoiceMode::kAuto;
    return absl::OkStatus();
  }
  choice.mode = ToolChoiceMode::kNamed;
  if (type.empty() || type == "function" || type == "custom") {
    if (choice.name.empty()) return Error("tool_choice object without a function name");
  } else if (choice.name.empty()) {
    choice.name = type;  // A hosted tool (Responses), e.g. {"type":"web_search_preview"}.
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// OpenAI Responses
// ---------------------------------------------------------------------------------------------

absl::Status Parser::ResponsesBody() {
  od::object top;
  if (auto e = doc_->get_object().get(top)) return JsonError(e);
  bool has_input = false;
  ChatMessage instructions;
  bool has_instructions = false;
  absl::Status s = Fields(top, [&](std::string_view key, od::value& v) -> absl::Status {
    if (key == "model") return String(v, &req_->model);
    if (key == "instructions") {
      ChatPart part;
      if (absl::Status st = OptString(v, &part.text, &has_instructions); !st.ok()) return st;
      instructions.role = Role::kDeveloper;
      instructions.section = Section::kSystem;
      instructions.content_is_string = true;
      instructions.parts.push_back(part);
      return absl::OkStatus();
    }
    if (key == "input") {
      has_input = true;
      od::json_type t{};
      if (absl::Status st = Type(v, &t); !st.ok()) return st;
      if (t == od::json_type::string) {
        ChatMessage msg;
        msg.role = Role::kUser;
        msg.section = Section::kInput;
        msg.content_is_string = true;
        ChatPart part;
        if (absl::Status st = String(v, &part.text); !st.ok()) return st;
        msg.parts.push_back(part);
        req_->messages.push_back(std::move(msg));
        return absl::OkStatus();
      }
      if (t != od::json_type::array) return TypeError("a string or an array of items", t, v);
      return ArrayElements(v, [&](uint32_t i, od::value& item) { return ResponsesItem(item, i); });
    }
    if (key == "tools") return ResponsesTools(v);
    if (key == "tool_choice") return ChatToolChoice(v, false);
    if (key == "max_output_tokens") return TokenLimit(v, &req_->max_output_tokens);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!has_input && !has_instructions) return Error("missing 'input'");
  if (has_instructions) req_->messages.insert(req_->messages.begin(), std::move(instructions));
  return absl::OkStatus();
}

absl::Status Parser::ResponsesItem(od::value& v, uint32_t index) {
  ChatMessage msg;
  msg.section = Section::kInput;
  msg.source_index = index;
  std::string_view type, role, call_id, name, arguments, id;
  bool has_content = false, has_output = false, has_arguments = false;
  std::vector<ChatPart> summaries;
  ChatMessage output_holder;  // function_call_output given as an array of parts.
  std::string_view output_text;
  bool output_is_string = false;
  absl::Status s = ObjectFields(v, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "type") return String(f, &type);
    if (key == "role") return String(f, &role);
    if (key == "content") {
      od::json_type t{};
      if (absl::Status st = Type(f, &t); !st.ok()) return st;
      if (t == od::json_type::null) return absl::OkStatus();
      has_content = true;
      return Parts(f, PartDialect::kResponses, &msg);
    }
    if (key == "call_id") return String(f, &call_id);
    if (key == "id") return OptString(f, &id);
    if (key == "name") return String(f, &name);
    if (key == "arguments" || key == "input") return Seen(&has_arguments, String(f, &arguments));
    if (key == "output") {
      has_output = true;
      od::json_type t{};
      if (absl::Status st = Type(f, &t); !st.ok()) return st;
      if (t == od::json_type::string) {
        output_is_string = true;
        return String(f, &output_text);
      }
      return Parts(f, PartDialect::kResponses, &output_holder);
    }
    if (key == "summary") {
      return ObjectElements(f, [&](uint32_t i, od::object& so) -> absl::Status {
        ChatPart part;
        part.type = PartType::kReasoning;
        part.source_index = i;
        return Fields(so, [&](std::string_view k, od::value& tv) -> absl::Status {
          if (k == "text") {
            if (absl::Status st = String(tv, &part.text); !st.ok()) return st;
            summaries.push_back(part);
          }
          return absl::OkStatus();
        });
      });
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;

  if (type.empty() && !role.empty()) type = "message";
  auto need = [&](bool present, const char* field) { return Need("item", type, present, field); };
  if (type == "message") {
    if (role.empty()) return Error("message item without a 'role'");
    if (!RoleFromName(role, &msg.role) || msg.role == Role::kTool || msg.role == Role::kFunction) {
      return Unknown("role", "role", role);
    }
    if (absl::Status st = need(has_content, "content"); !st.ok()) return st;
  } else if (type == "function_call" || type == "custom_tool_call") {
    if (absl::Status st = need(!name.empty(), "name"); !st.ok()) return st;
    if (absl::Status st = need(has_arguments, type == "function_call" ? "arguments" : "input");
        !st.ok()) {
      return st;
    }
    msg.role = Role::kAssistant;
    ChatPart part;
    part.type = PartType::kToolCall;
    part.name = name;
    part.id = call_id;
    part.text = arguments;
    msg.parts.push_back(part);
  } else if (type == "function_call_output" || type == "custom_tool_call_output") {
    if (absl::Status st = need(has_output, "output"); !st.ok()) return st;
    msg.role = Role::kTool;
    msg.tool_call_id = call_id;
    ChatPart result;
    result.type = PartType::kToolResult;
    result.id = call_id;
    result.text = output_text;
    msg.content_is_string = output_is_string;
    msg.parts.push_back(result);
    for (ChatPart p : output_holder.parts) {
      p.in_tool_result = true;
      msg.parts.push_back(p);
    }
  } else if (type == "reasoning") {
    msg.role = Role::kAssistant;
    if (summaries.empty()) {
      ChatPart part;
      part.type = PartType::kReasoning;
      msg.parts.push_back(part);
    }
    for (const ChatPart& p : summaries) msg.parts.push_back(p);
  } else if (type == "item_reference") {
    if (absl::Status st = need(!id.empty(), "id"); !st.ok()) return st;
    msg.role = Role::kUser;
    ChatPart part;
    part.type = PartType::kItemReference;
    part.id = id;
    msg.parts.push_back(part);
  } else if (type == "web_search_call" || type == "file_search_call" || type == "computer_call" ||
             type == "computer_call_output" || type == "image_generation_call" ||
             type == "code_interpreter_call" || type == "local_shell_call" ||
             type == "local_shell_call_output" || type == "mcp_call" || type == "mcp_list_tools" ||
             type == "mcp_approval_request" || type == "mcp_approval_response" ||
             type == "shell_call" || type == "shell_call_output" || type == "apply_patch_call" ||
             type == "apply_patch_call_output" || type == "compaction") {
    msg.role = Role::kAssistant;
    ChatPart part;
    part.type = PartType::kOpaque;
    part.name = req_->storage->Keep(type);
    part.id = id;
    msg.parts.push_back(part);
  } else if (type.empty()) {
    return Error("input item without a 'type'");
  } else {
    return Unknown("type", "input item type", type);
  }
  req_->messages.push_back(std::move(msg));
  return absl::OkStatus();
}

absl::Status Parser::ResponsesTools(od::value& v) {
  return Tools(v, [&](uint32_t, od::object& obj, ToolDefinition* tool) -> absl::Status {
    absl::Status s = Fields(obj, [&](std::string_view key, od::value& f) -> absl::Status {
      if (key == "type") return String(f, &tool->type);
      if (key == "name") return String(f, &tool->name);
      if (key == "description") return OptString(f, &tool->description);
      if (key == "parameters") return OptRawObject(f, &tool->parameters);
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    if (tool->type.empty()) return Error("tool without a 'type'");
    if ((tool->type == "function" || tool->type == "custom") && tool->name.empty()) {
      return Error("function tool without a 'name'");
    }
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------------------------------------
// Anthropic Messages
// ---------------------------------------------------------------------------------------------

absl::Status Parser::AnthropicBody() {
  od::object top;
  if (auto e = doc_->get_object().get(top)) return JsonError(e);
  bool has_messages = false;
  absl::Status s = Fields(top, [&](std::string_view key, od::value& v) -> absl::Status {
    if (key == "model") return String(v, &req_->model);
    if (key == "system") return AnthropicSystem(v);
    if (key == "messages") {
      has_messages = true;
      return ArrayElements(v, [&](uint32_t i, od::value& m) { return AnthropicMessage(m, i); });
    }
    if (key == "tools") return AnthropicTools(v);
    if (key == "tool_choice") return AnthropicToolChoice(v);
    if (key == "max_tokens") return TokenLimit(v, &req_->max_output_tokens);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!has_messages) return Error("missing 'messages'");
  // "system" may come after "messages" in the body; in the prompt it comes first.
  for (size_t i = 0; i < req_->messages.size(); ++i) {
    if (req_->messages[i].section == Section::kSystem && i != 0) {
      ChatMessage sys = std::move(req_->messages[i]);
      req_->messages.erase(req_->messages.begin() + i);
      req_->messages.insert(req_->messages.begin(), std::move(sys));
      break;
    }
  }
  return absl::OkStatus();
}

absl::Status Parser::AnthropicSystem(od::value& v) {
  ChatMessage msg;
  msg.role = Role::kSystem;
  msg.section = Section::kSystem;
  od::json_type t{};
  if (absl::Status s = Type(v, &t); !s.ok()) return s;
  if (t == od::json_type::null) return absl::OkStatus();
  if (t == od::json_type::string) {
    ChatPart part;
    if (absl::Status s = String(v, &part.text); !s.ok()) return s;
    msg.content_is_string = true;
    msg.parts.push_back(part);
  } else {
    if (t != od::json_type::array) return TypeError("a string or an array of text blocks", t, v);
    absl::Status s = ObjectElements(v, [&](uint32_t i, od::object& obj) -> absl::Status {
      ChatPart part;
      part.source_index = i;
      std::string_view type;
      bool has_text = false;
      absl::Status st = Fields(obj, [&](std::string_view key, od::value& f) -> absl::Status {
        if (key == "type") return String(f, &type);
        if (key == "text") return Seen(&has_text, String(f, &part.text));
        if (key == "cache_control") {
          return CacheControl(f, &part.cache_control, Section::kSystem, i, 0);
        }
        return absl::OkStatus();
      });
      if (!st.ok()) return st;
      if (type != "text") {
        Scope scope(this, "type");
        return Error(
            absl::StrCat("system blocks must be of type 'text', got '", std::string(type), "'"));
      }
      if (!has_text) return Error("text block without 'text'");
      msg.parts.push_back(part);
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
  }
  req_->messages.push_back(std::move(msg));
  return absl::OkStatus();
}

absl::Status Parser::AnthropicMessage(od::value& v, uint32_t index) {
  ChatMessage msg;
  msg.section = Section::kMessages;
  msg.source_index = index;
  std::string_view role;
  bool has_role = false, has_content = false;
  absl::Status s = ObjectFields(v, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "role") return Seen(&has_role, String(f, &role));
    if (key == "content") return Seen(&has_content, Parts(f, PartDialect::kAnthropic, &msg));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!has_role) return Error("message without a 'role'");
  if (!RoleFromName(role, &msg.role) || (msg.role != Role::kUser && msg.role != Role::kAssistant)) {
    return Unknown("role", "role", role,
                   " (Anthropic messages are 'user' or 'assistant'; the system prompt goes in "
                   "'system')");
  }
  if (!has_content) return Error("message without 'content'");
  // Cache markers inside this message now know their message index.
  req_->messages.push_back(std::move(msg));
  return absl::OkStatus();
}

// One Anthropic content block. `nested` blocks sit inside a tool_result's content.
absl::Status Parser::AnthropicBlock(od::object& obj, uint32_t index, bool nested,
                                    ChatMessage* msg) {
  ChatPart part;
  part.source_index = index;
  part.in_tool_result = nested;
  std::string_view type, text, thinking, data, name, id;
  std::string_view source_type, media_type, source_data, source_url, file_id;
  std::string_view input_json;
  bool has_text = false, has_thinking = false, has_data = false, has_input = false,
       has_source = false, has_content = false;
  ChatMessage inner;  // tool_result / search_result / document content blocks.
  std::string_view content_text;
  // The path is messages[i].content[j] (nested: ...content[j].content[k]): markers name the
  // message and its top-level block.
  const uint32_t message_index =
      path_.size() >= 2 && path_[1].index >= 0 ? static_cast<uint32_t>(path_[1].index) : 0;
  const uint32_t block_index =
      path_.size() >= 4 && path_[3].index >= 0 ? static_cast<uint32_t>(path_[3].index) : index;
  part.source_index = block_index;
  CacheTtl ttl = CacheTtl::kNone;
  absl::Status s = Fields(obj, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "type") return String(f, &type);
    if (key == "text") return Seen(&has_text, String(f, &text));
    if (key == "thinking") return Seen(&has_thinking, String(f, &thinking));
    if (key == "data") return Seen(&has_data, String(f, &data));
    if (key == "name") return String(f, &name);
    if (key == "id" || key == "tool_use_id") return String(f, &id);
    if (key == "input") return Seen(&has_input, RawObject(f, &input_json));
    if (key == "cache_control") {
      return CacheControl(f, &ttl, Section::kMessages, message_index, block_index);
    }
    if (key == "source") {
      has_source = true;
      od::json_type t{};
      if (absl::Status st = Type(f, &t); !st.ok()) return st;
      if (t == od::json_type::string) return String(f, &source_url);  // search_result source.
      return ObjectFields(f, [&](std::string_view k, od::value& sv) -> absl::Status {
        if (k == "type") return String(sv, &source_type);
        if (k == "media_type") return String(sv, &media_type);
        if (k == "data") {
          od::json_type dt{};
          if (absl::Status st = Type(sv, &dt); !st.ok()) return st;
          return String(sv, &source_data);
        }
        if (k == "url") return String(sv, &source_url);
        if (k == "file_id") return String(sv, &file_id);
        if (k == "content") {  // document source {"type":"content","content":[...]}.
          return Parts(sv, PartDialect::kAnthropic, &inner);
        }
        return absl::OkStatus();
      });
    }
    if (key == "content") {
      has_content = true;
      od::json_type t{};
      if (absl::Status st = Type(f, &t); !st.ok()) return st;
      if (t == od::json_type::string) return String(f, &content_text);
      if (t != od::json_type::array) return TypeError("a string or an array of blocks", t, f);
      return ObjectElements(
          f, [&](uint32_t i, od::object& bo) { return AnthropicBlock(bo, i, true, &inner); });
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  part.cache_control = ttl;

  auto need = [&](bool present, const char* field) { return Need("block", type, present, field); };
  auto image_source = [&](ChatPart* p) -> absl::Status {
    if (source_type == "base64") {
      if (absl::Status st = need(!source_data.empty(), "source.data"); !st.ok()) return st;
      p->source = SourceKind::kBase64;
      p->data = source_data;
      p->media_type = media_type;
    } else if (source_type == "url") {
      p->source = SourceKind::kUrl;
      p->data = source_url;
    } else if (source_type == "file") {
      p->source = SourceKind::kFileId;
      p->data = file_id;
    } else {
      return Unknown("source", "source type", source_type);
    }
    return absl::OkStatus();
  };

  if (type == "text") {
    if (absl::Status st = need(has_text, "text"); !st.ok()) return st;
    part.type = PartType::kText;
    part.text = text;
    msg->parts.push_back(part);
  } else if (type == "image") {
    if (absl::Status st = need(has_source, "source"); !st.ok()) return st;
    part.type = PartType::kImage;
    if (absl::Status st = image_source(&part); !st.ok()) return st;
    msg->parts.push_back(part);
  } else if (type == "document") {
    if (absl::Status st = need(has_source, "source"); !st.ok()) return st;
    if (source_type == "text") {  // A plain-text document: its text is the prompt.
      part.type = PartType::kText;
      part.text = source_data;
      msg->parts.push_back(part);
    } else if (source_type == "content") {
      part.type = PartType::kText;  // A marker part carrying the cache_control.
      msg->parts.push_back(part);
      for (ChatPart p : inner.parts) {
        p.in_tool_result = nested;
        msg->parts.push_back(p);
      }
    } else {
      part.type = PartType::kFile;
      if (absl::Status st = image_source(&part); !st.ok()) return st;
      msg->parts.push_back(part);
    }
  } else if (type == "tool_use" || type == "server_tool_use" || type == "mcp_tool_use") {
    if (absl::Status st = need(!name.empty(), "name"); !st.ok()) return st;
    if (absl::Status st = need(has_input, "input"); !st.ok()) return st;
    part.type = PartType::kToolCall;
    part.name = name;
    part.id = id;
    part.text = input_json;
    part.is_json_object = true;
    msg->parts.push_back(part);
  } else if (type == "tool_result" || type == "mcp_tool_result") {
    if (nested) return Error("a tool_result cannot contain another tool_result");
    if (absl::Status st = need(!id.empty(), "tool_use_id"); !st.ok()) return st;
    part.type = PartType::kToolResult;
    part.id = id;
    part.text = content_text;
    msg->parts.push_back(part);
    for (ChatPart p : inner.parts) {
      p.in_tool_result = true;
      msg->parts.push_back(p);
    }
  } else if (type == "search_result") {
    if (absl::Status st = need(has_content, "content"); !st.ok()) return st;
    part.type = PartType::kText;
    part.text = text;  // Usually empty: the title and source are metadata.
    msg->parts.push_back(part);
    for (ChatPart p : inner.parts) {
      p.in_tool_result = nested;
      msg->parts.push_back(p);
    }
  } else if (type == "thinking") {
    if (absl::Status st = need(has_thinking, "thinking"); !st.ok()) return st;
    part.type = PartType::kThinking;
    part.text = thinking;
    msg->parts.push_back(part);
  } else if (type == "redacted_thinking") {
    if (absl::Status st = need(has_data, "data"); !st.ok()) return st;
    part.type = PartType::kRedactedThinking;
    part.data = data;
    msg->parts.push_back(part);
  } else if (type == "web_search_tool_result" || type == "web_fetch_tool_result" ||
             type == "code_execution_tool_result" || type == "bash_code_execution_tool_result" ||
             type == "text_editor_code_execution_tool_result" ||
             type == "tool_search_tool_result" || type == "container_upload") {
    part.type = PartType::kOpaque;
    part.name = req_->storage->Keep(type);
    part.id = id;
    msg->parts.push_back(part);
  } else if (type.empty()) {
    return Error("content block without a 'type'");
  } else {
    return Unknown("type", "content block type", type);
  }
  return absl::OkStatus();
}

absl::Status Parser::AnthropicTools(od::value& v) {
  return Tools(v, [&](uint32_t i, od::object& obj, ToolDefinition* tool) -> absl::Status {
    bool has_schema = false;
    absl::Status s = Fields(obj, [&](std::string_view key, od::value& f) -> absl::Status {
      if (key == "type") return OptString(f, &tool->type);
      if (key == "name") return String(f, &tool->name);
      if (key == "description") return OptString(f, &tool->description);
      if (key == "input_schema") return Seen(&has_schema, RawObject(f, &tool->parameters));
      if (key == "cache_control") {
        return CacheControl(f, &tool->cache_control, Section::kTools, i, 0);
      }
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    if (tool->name.empty()) return Error("tool without a 'name'");
    if (tool->type.empty() || tool->type == "custom") {
      if (!has_schema) return Error("custom tool without an 'input_schema'");
      tool->type = "function";
    }
    return absl::OkStatus();
  });
}

absl::Status Parser::AnthropicToolChoice(od::value& v) {
  bool null = false;
  if (absl::Status s = IsNull(v, &null); !s.ok() || null) return s;
  std::string_view type;
  ToolChoice& choice = req_->tool_choice;
  absl::Status s = ObjectFields(v, [&](std::string_view key, od::value& f) -> absl::Status {
    if (key == "type") return String(f, &type);
    if (key == "name") return String(f, &choice.name);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (type == "auto") {
    choice.mode = ToolChoiceMode::kAuto;
  } else if (type == "any") {
    choice.mode = ToolChoiceMode::kRequired;
  } else if (type == "tool") {
    choice.mode = ToolChoiceMode::kNamed;
    if (choice.name.empty()) return Error("tool_choice of type 'tool' without a 'name'");
  } else if (type == "none") {
    choice.mode = ToolChoiceMode::kNone;
  } else {
    return Unknown("type", "tool_choice type", type);
  }
  return absl::OkStatus();
}

absl::Status Parser::Run(ChatFormat format) {
  od::json_type t{};
  if (auto e = doc_->type().get(t)) return JsonError(e);
  if (t != od::json_type::object) {
    return Error(absl::StrCat("a request body must be a JSON object, got ", JsonTypeName(t)));
  }
  req_->format = format;
  absl::Status s;
  switch (format) {
    case ChatFormat::kOpenAIChat:
      s = ChatBody();
      break;
    case ChatFormat::kOpenAIResponses:
      s = ResponsesBody();
      break;
    case ChatFormat::kAnthropicMessages:
      s = AnthropicBody();
      break;
    case ChatFormat::kAuto:
      return absl::InternalError("format not resolved");
  }
  if (!s.ok()) return s;
  // Anything after the object is malformed input.
  const char* at = nullptr;
  if (doc_->current_location().get(at) == simdjson::SUCCESS && at != nullptr) {
    const char* end = req_->storage->body.get() + req_->storage->body_size;
    while (at < end && IsJsonSpace(*at)) ++at;
    if (at < end) {
      return absl::InvalidArgumentError(
          absl::StrCat("malformed JSON: content after the request object", Where(at)));
    }
  }
  return absl::OkStatus();
}

// One parser per thread: it keeps its buffers between calls.
od::parser& ThreadParser() {
  static thread_local od::parser parser;
  return parser;
}

}  // namespace

absl::StatusOr<ChatRequest> ParseChatRequest(std::string_view json, ChatFormat format) {
  if (absl::Status deep = base::CheckJsonDepth(json); !deep.ok()) return deep;
  ChatRequest req;
  req.storage = std::make_unique<ChatRequest::Storage>();
  ChatRequest::Storage& st = *req.storage;
  st.body.reset(new char[json.size() + ChatRequest::Storage::kPadding]);
  std::memcpy(st.body.get(), json.data(), json.size());
  std::memset(st.body.get() + json.size(), 0, ChatRequest::Storage::kPadding);
  st.body_size = json.size();
  st.unescaped.reserve(json.size());

  // A body is one object: anything after its closing brace (or a missing one) is malformed,
  // which the iterator would only notice late or not at all.
  size_t last = json.size();
  while (last > 0 && IsJsonSpace(json[last - 1])) --last;
  size_t first = 0;
  while (first < last && IsJsonSpace(json[first])) ++first;
  if (first < last && json[first] == '{' && json[last - 1] != '}') {
    return absl::InvalidArgumentError(absl::StrCat(
        "malformed JSON: the body does not end with the '}' of its object (byte offset ", last - 1,
        ")"));
  }

  od::parser& parser = ThreadParser();
  od::document doc;
  const simdjson::padded_string_view view(st.body.get(), json.size(),
                                          json.size() + ChatRequest::Storage::kPadding);
  if (auto e = parser.iterate(view).get(doc)) {
    return absl::InvalidArgumentError(absl::StrCat("malformed JSON: ", simdjson::error_message(e)));
  }
  Parser p(&req, &doc);
  if (format == ChatFormat::kAuto) {
    absl::StatusOr<ChatFormat> detected = p.Detect();
    if (!detected.ok()) return detected.status();
    format = *detected;
    doc.rewind();
  }
  if (absl::Status s = p.Run(format); !s.ok()) return s;
  // Markers in prompt order (tools, system, messages), whatever the order of the body's keys.
  std::stable_sort(req.cache_markers.begin(), req.cache_markers.end(),
                   [](const CacheMarker& a, const CacheMarker& b) {
                     if (a.section != b.section) return a.section < b.section;
                     if (a.index != b.index) return a.index < b.index;
                     return a.part_index < b.part_index;
                   });
  return req;
}

absl::StatusOr<std::vector<ChatRequest>> ParseChatRequestsJsonl(std::string_view jsonl,
                                                                ChatFormat format) {
  std::vector<ChatRequest> out;
  size_t line_no = 0;
  while (!jsonl.empty()) {
    ++line_no;
    size_t nl = jsonl.find('\n');
    std::string_view line = jsonl.substr(0, nl);
    jsonl.remove_prefix(nl == std::string_view::npos ? jsonl.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    bool blank = true;
    for (char c : line) blank = blank && IsJsonSpace(c);
    if (blank) continue;
    absl::StatusOr<ChatRequest> req = ParseChatRequest(line, format);
    if (!req.ok()) {
      return absl::Status(req.status().code(),
                          absl::StrCat("line ", line_no, ": ", req.status().message()));
    }
    out.push_back(std::move(*req));
  }
  return out;
}

}  // namespace tokwise
