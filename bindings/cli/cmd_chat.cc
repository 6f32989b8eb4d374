// tokwise chat: the prompt tokens of a chat request as the provider bills them.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.h"
#include "commands.h"
#include "tokwise/chat.h"

namespace tokwise::cli {
namespace {

const char kChatHelp[] =
    "usage: tokwise chat [REQUEST.json | -] [--model MODEL] [--format FORMAT] [--jsonl]\n"
    "                    [--json] [--anthropic-factor F]\n"
    "\n"
    "Counts the prompt tokens of a chat request body as the provider bills them, with a\n"
    "breakdown by kind (system, user, assistant, tool definitions, tool calls, tool results,\n"
    "images, audio, framing) and a label: exact, calibrated or estimate. Reads standard input\n"
    "when no file is given.\n"
    "\n"
    "  --model MODEL         count for MODEL instead of the body's \"model\" field\n"
    "  --format FORMAT       auto (default), openai_chat, openai_responses,\n"
    "                        anthropic_messages\n"
    "  --jsonl               one request per line (default for files ending in .jsonl)\n"
    "  --json                print JSON instead of a table\n"
    "  --anthropic-factor F  Claude tokens per o200k_base token, in (0, 100] (default: the\n"
    "                        model registry's estimate, as `tokwise count --model` uses)\n"
    "\n"
    "Examples:\n"
    "  tokwise chat request.json\n"
    "  tokwise chat requests.jsonl --model gpt-4.1 --json\n"
    "\n"
    "Exit codes: 0 ok, 1 usage error (including an unknown --model), 2 input error\n"
    "(malformed request, unknown model in the request).\n";

struct ChatArgs {
  std::string path;
  std::string model;
  ChatFormat format = ChatFormat::kAuto;
  bool jsonl = false;
  bool json = false;
  bool help = false;
  double factor = 0;  // 0: the estimate of the model registry.
};

bool ParseChatArgs(int argc, char** argv, ChatArgs* a, std::string* err) {
  bool have_path = false;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) {
        *err = "option " + arg + " needs a value";
        return false;
      }
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (arg == "--help" || arg == "-h") {
      a->help = true;
    } else if (arg == "--model" || arg == "-m") {
      if (!value(&a->model)) return false;
    } else if (arg == "--format") {
      if (!value(&v)) return false;
      if (v == "auto") {
        a->format = ChatFormat::kAuto;
      } else if (v == "openai_chat") {
        a->format = ChatFormat::kOpenAIChat;
      } else if (v == "openai_responses") {
        a->format = ChatFormat::kOpenAIResponses;
      } else if (v == "anthropic_messages") {
        a->format = ChatFormat::kAnthropicMessages;
      } else {
        *err = "unknown format '" + v + "'";
        return false;
      }
    } else if (arg == "--jsonl") {
      a->jsonl = true;
    } else if (arg == "--json") {
      a->json = true;
    } else if (arg == "--anthropic-factor") {
      if (!value(&v)) return false;
      char* end = nullptr;
      a->factor = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(a->factor > 0) || !(a->factor <= 100)) {
        *err = "--anthropic-factor takes a number in (0, 100], not '" + v + "'";
        return false;
      }
    } else if (arg.size() > 1 && arg[0] == '-') {
      *err = "unknown option " + arg;
      return false;
    } else {
      if (have_path) {
        *err = "chat takes one request file";
        return false;
      }
      a->path = arg;
      have_path = true;
    }
  }
  if (!have_path) a->path = "-";
  if (a->path.size() > 6 && a->path.compare(a->path.size() - 6, 6, ".jsonl") == 0) {
    a->jsonl = true;
  }
  return true;
}

void JsonString(const std::string& s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out->append(buf);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

const char* TtlName(CacheTtl ttl) {
  return ttl == CacheTtl::k1Hour ? "1h" : ttl == CacheTtl::k5Minutes ? "5m" : "none";
}

std::string ProviderName(Provider p) { return p == Provider::kAnthropic ? "anthropic" : "openai"; }

void PrintJson(const ChatRequest& req, const ChatCount& c) {
  std::string out = "{\"model\":";
  JsonString(c.model, &out);
  out += ",\"provider\":\"" + ProviderName(c.provider) + "\",\"encoding\":";
  JsonString(c.encoding, &out);
  out += ",\"format\":\"" + std::string(ChatFormatName(req.format)) + "\"";
  out += ",\"total\":" + std::to_string(c.total);
  out += ",\"label\":\"" + std::string(CountLabelName(c.label)) + "\",\"by_kind\":{";
  for (size_t k = 0; k < kNumCountKinds; ++k) {
    if (k) out += ",";
    out += "\"" + std::string(CountKindName(static_cast<CountKind>(k))) +
           "\":" + std::to_string(c.by_kind[k]);
  }
  out += "},\"messages\":" + std::to_string(req.messages.size());
  out += ",\"tools\":" + std::to_string(req.tools.size());
  out += ",\"max_output_tokens\":" +
         (req.max_output_tokens ? std::to_string(*req.max_output_tokens) : std::string("null"));
  out += ",\"uncounted_parts\":" + std::to_string(c.uncounted_parts);
  out += ",\"cache_markers\":[";
  for (size_t i = 0; i < req.cache_markers.size(); ++i) {
    if (i) out += ",";
    out += "{\"path\":";
    JsonString(req.cache_markers[i].path, &out);
    out += ",\"ttl\":\"" + std::string(TtlName(req.cache_markers[i].ttl)) + "\"";
    out += ",\"prefix_tokens\":" + std::to_string(c.cache_prefix_tokens[i]) + "}";
  }
  out += "],\"notes\":[";
  for (size_t i = 0; i < c.notes.size(); ++i) {
    if (i) out += ",";
    JsonString(c.notes[i], &out);
  }
  out += "]}";
  std::printf("%s\n", out.c_str());
}

void PrintTable(const ChatRequest& req, const ChatCount& c) {
  std::printf("model       %s (%s, %s)\n", c.model.c_str(), ProviderName(c.provider).c_str(),
              c.encoding.c_str());
  std::printf("format      %s, %zu messages, %zu tools\n",
              std::string(ChatFormatName(req.format)).c_str(), req.messages.size(),
              req.tools.size());
  for (size_t k = 0; k < kNumCountKinds; ++k) {
    if (c.by_kind[k] == 0) continue;
    std::printf("%-17s %8llu\n", std::string(CountKindName(static_cast<CountKind>(k))).c_str(),
                static_cast<unsigned long long>(c.by_kind[k]));
  }
  std::printf("%-17s %8llu  (%s)\n", "total", static_cast<unsigned long long>(c.total),
              std::string(CountLabelName(c.label)).c_str());
  if (req.max_output_tokens) {
    std::printf("max output  %llu\n", static_cast<unsigned long long>(*req.max_output_tokens));
  }
  for (size_t i = 0; i < req.cache_markers.size(); ++i) {
    std::printf("cache mark  %s (%s): prefix %llu tokens\n", req.cache_markers[i].path.c_str(),
                TtlName(req.cache_markers[i].ttl),
                static_cast<unsigned long long>(c.cache_prefix_tokens[i]));
  }
  if (c.uncounted_parts > 0) std::printf("uncounted   %u parts\n", c.uncounted_parts);
  for (const std::string& n : c.notes) std::printf("note: %s\n", n.c_str());
}

}  // namespace

int RunChat(int argc, char** argv) {
  ChatArgs a;
  std::string err;
  if (!ParseChatArgs(argc, argv, &a, &err)) {
    std::fprintf(stderr, "tokwise: %s\n\n%s", err.c_str(), kChatHelp);
    return kUsage;
  }
  if (a.help) {
    std::fputs(kChatHelp, stdout);
    return kOk;
  }
  std::string body;
  if (!ReadInputFile(a.path, &body, &err)) {
    std::fprintf(stderr, "tokwise: %s\n", err.c_str());
    return kInput;
  }
  const std::string name = a.path == "-" ? "<stdin>" : a.path;

  std::vector<ChatRequest> requests;
  if (a.jsonl) {
    absl::StatusOr<std::vector<ChatRequest>> parsed = ParseChatRequestsJsonl(body, a.format);
    if (!parsed.ok()) {
      std::fprintf(stderr, "tokwise: %s: %s\n", name.c_str(),
                   std::string(parsed.status().message()).c_str());
      return kInput;
    }
    requests = std::move(*parsed);
  } else {
    absl::StatusOr<ChatRequest> parsed = ParseChatRequest(body, a.format);
    if (!parsed.ok()) {
      std::fprintf(stderr, "tokwise: %s: %s\n", name.c_str(),
                   std::string(parsed.status().message()).c_str());
      return kInput;
    }
    requests.push_back(std::move(*parsed));
  }

  ChatCountOptions options;
  options.model = a.model;
  options.anthropic_text_factor = a.factor;
  MessageCountCache cache;  // Lines of a JSONL file often repeat a growing history.
  options.cache = &cache;
  for (size_t i = 0; i < requests.size(); ++i) {
    absl::StatusOr<ChatCount> count = CountChatTokens(requests[i], options);
    if (!count.ok()) {
      const std::string where = requests.size() > 1 ? " request " + std::to_string(i + 1) : "";
      std::fprintf(stderr, "tokwise: %s%s: %s\n", name.c_str(), where.c_str(),
                   std::string(count.status().message()).c_str());
      const bool bad_flag =
          !a.model.empty() && count.status().code() == absl::StatusCode::kNotFound;
      return bad_flag ? kUsage : kInput;
    }
    if (a.json) {
      PrintJson(requests[i], *count);
    } else {
      if (i > 0) std::printf("\n");
      PrintTable(requests[i], *count);
    }
  }
  return kOk;
}

}  // namespace tokwise::cli
