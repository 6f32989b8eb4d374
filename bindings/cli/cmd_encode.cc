// tokwise count / encode / decode.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_util.h"
#include "commands.h"
#include "tokwise/encoding.h"

namespace tokwise::cli {
namespace {


const char kCountHelp[] =
    "usage: tokwise count [--encoding NAME | --model MODEL | --tiktoken FILE --encoding NAME]\n"
    "                     [--special text|recognize|reject] [--replace-invalid] [FILE...]\n"
    "\n"
    "Counts the tokens of each FILE (or of standard input when none is given, or for '-')\n"
    "exactly as OpenAI's tiktoken does: one count per file, then the total. This counts plain\n"
    "text; 'tokwise chat' counts a chat request as the provider bills it.\n"
    "\n"
    "  --encoding NAME    o200k_base (default), o200k_harmony, cl100k_base; with --tiktoken\n"
    "                     also p50k_base, p50k_edit, r50k_base, gpt2\n"
    "  --model MODEL      the encoding of a model, e.g. gpt-4o, openai/gpt-4.1, gpt-3.5-turbo\n"
    "  --tiktoken FILE    load the ranks from a .tiktoken file; pattern and special tokens\n"
    "                     come from --encoding\n"
    "  --special POLICY   special-token strings in the text: 'text' (default for count),\n"
    "                     'recognize', or 'reject' (default for encode)\n"
    "  --replace-invalid  replace invalid UTF-8 with U+FFFD instead of failing\n"
    "Other tokenizers: --tokenizer FILE (tokenizer.json, SentencePiece .model) or --model\n"
    "MODEL for any registry model (llama-3.1-8b, claude-sonnet-4-5, ...); see\n"
    "'tokwise count --tokenizer FILE --help'.\n"
    "\n"
    "Examples:\n"
    "  tokwise count --model gpt-4o README.md\n"
    "  echo 'hello world' | tokwise count --encoding cl100k_base\n"
    "\n"
    "Exit codes: 0 ok, 1 usage error (bad option, unknown model or encoding), 2 input error\n"
    "(unreadable file, invalid UTF-8 or a rejected special token: the message names the file\n"
    "and byte offset).\n";

const char kEncodeHelp[] =
    "usage: tokwise encode [--encoding NAME | --model MODEL | --tiktoken FILE --encoding NAME]\n"
    "                      [--special text|recognize|reject] [--replace-invalid] [FILE]\n"
    "\n"
    "Prints the token ids of FILE (or standard input), space-separated, on one line, as\n"
    "tiktoken's encode() returns them. Special-token strings such as <|endoftext|> are an\n"
    "error (naming the byte offset) unless --special says otherwise. The options are those\n"
    "of 'tokwise count'.\n"
    "\n"
    "Example:\n"
    "  echo -n 'hello world' | tokwise encode --model gpt-4    # 15339 1917\n"
    "\n"
    "Exit codes: 0 ok, 1 usage error, 2 input error.\n";

const char kDecodeHelp[] =
    "usage: tokwise decode [--encoding NAME | --model MODEL | --tiktoken FILE --encoding NAME]\n"
    "                      [IDS...]\n"
    "\n"
    "Writes the bytes of the given token ids (or of whitespace-separated ids read from\n"
    "standard input) to standard output. Encoding options as for 'tokwise count'.\n"
    "\n"
    "Example:\n"
    "  echo 15339 1917 | tokwise decode --encoding cl100k_base   # hello world\n"
    "\n"
    "Exit codes: 0 ok, 1 usage error, 2 input error (an id that is not a token, naming it).\n";

struct Args {
  std::string encoding;
  std::string model;
  std::string tiktoken;
  std::string special;
  bool replace_invalid = false;
  bool help = false;
  std::vector<std::string> positional;
};

// Parses the options shared by count, encode and decode. Returns false with a message.
bool ParseArgs(int argc, char** argv, int first, Args* a, std::string* err) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) {
        *err = "option " + arg + " needs a value";
        return false;
      }
      *out = argv[++i];
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      a->help = true;
    } else if (arg == "--encoding" || arg == "-e") {
      if (!value(&a->encoding)) return false;
    } else if (arg == "--model" || arg == "-m") {
      if (!value(&a->model)) return false;
    } else if (arg == "--tiktoken") {
      if (!value(&a->tiktoken)) return false;
    } else if (arg == "--special") {
      if (!value(&a->special)) return false;
      if (a->special != "text" && a->special != "recognize" && a->special != "reject") {
        *err = "--special takes text, recognize or reject, not '" + a->special + "'";
        return false;
      }
    } else if (arg == "--replace-invalid") {
      a->replace_invalid = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      *err = "unknown option " + arg;
      return false;
    } else {
      a->positional.push_back(arg);
    }
  }
  if (!a->encoding.empty() && !a->model.empty()) {
    *err = "give --encoding or --model, not both";
    return false;
  }
  if (!a->tiktoken.empty() && a->encoding.empty()) {
    *err = "--tiktoken needs --encoding to name the pattern and special tokens";
    return false;
  }
  return true;
}

absl::StatusOr<std::shared_ptr<const tokwise::Encoding>> OpenEncoding(const Args& a) {
  if (!a.tiktoken.empty()) {
    auto spec = tokwise::KnownEncodingSpec(a.encoding);
    if (!spec.ok()) return spec.status();
    return tokwise::Encoding::FromTiktokenFile(a.tiktoken, *spec);
  }
  if (!a.model.empty()) return tokwise::Encoding::ForModel(a.model);
  return tokwise::Encoding::Get(a.encoding.empty() ? "o200k_base" : a.encoding);
}

tokwise::SpecialPolicy PolicyOf(const std::string& s, tokwise::SpecialPolicy dflt) {
  if (s == "text") return tokwise::SpecialPolicy::kAsText;
  if (s == "recognize") return tokwise::SpecialPolicy::kRecognize;
  if (s == "reject") return tokwise::SpecialPolicy::kReject;
  return dflt;
}

int Usage(const char* help, const std::string& err) {
  std::fprintf(stderr, "tokwise: %s\n\n%s", err.c_str(), help);
  return kUsage;
}

int CountOrEncode(int argc, char** argv, bool encode) {
  if (UsesTokenizerOptions(argc, argv)) return RunWithTokenizer(argc, argv, encode);
  const char* help = encode ? kEncodeHelp : kCountHelp;
  Args a;
  std::string err;
  if (!ParseArgs(argc, argv, 2, &a, &err)) return Usage(help, err);
  if (a.help) {
    std::fputs(help, stdout);
    return kOk;
  }
  auto enc = OpenEncoding(a);
  if (!enc.ok()) {
    std::fprintf(stderr, "tokwise: %s\n", std::string(enc.status().message()).c_str());
    // A rank file that cannot be read or parsed is an input error; a bad name is usage.
    return a.tiktoken.empty() ? kUsage : kInput;
  }
  if (a.positional.empty()) a.positional.push_back("-");
  if (encode && a.positional.size() > 1) return Usage(help, "encode takes one file");
  uint64_t total = 0;
  for (const std::string& path : a.positional) {
    std::string text;
    if (!ReadInputFile(path, &text, &err)) {
      std::fprintf(stderr, "tokwise: %s\n", err.c_str());
      return kInput;
    }
    tokwise::EncodeOptions eo;
    eo.special = PolicyOf(a.special, encode ? tokwise::SpecialPolicy::kReject
                                            : tokwise::SpecialPolicy::kAsText);
    eo.invalid_utf8 =
        a.replace_invalid ? tokwise::InvalidUtf8::kReplace : tokwise::InvalidUtf8::kReject;
    const std::string name = path == "-" ? "<stdin>" : path;
    if (encode) {
      auto ids = (*enc)->Encode(text, eo);
      if (!ids.ok()) {
        std::fprintf(stderr, "tokwise: %s: %s\n", name.c_str(),
                     std::string(ids.status().message()).c_str());
        return kInput;
      }
      std::string line;
      for (size_t i = 0; i < ids->size(); ++i) {
        if (i) line.push_back(' ');
        line += std::to_string((*ids)[i]);
      }
      std::printf("%s\n", line.c_str());
      continue;
    }
    tokwise::CountOptions co;
    co.special = eo.special;
    co.invalid_utf8 = eo.invalid_utf8;
    auto n = (*enc)->Count(text, co);
    if (!n.ok()) {
      std::fprintf(stderr, "tokwise: %s: %s\n", name.c_str(),
                   std::string(n.status().message()).c_str());
      return kInput;
    }
    total += *n;
    if (a.positional.size() == 1) {
      std::printf("%zu\n", *n);
    } else {
      std::printf("%zu\t%s\n", *n, name.c_str());
    }
  }
  if (a.positional.size() > 1) std::printf("%llu\ttotal\n", static_cast<unsigned long long>(total));
  return kOk;
}

}  // namespace

int RunDecode(int argc, char** argv) {
  if (UsesTokenizerOptions(argc, argv)) return RunDecodeWithTokenizer(argc, argv);
  Args a;
  std::string err;
  if (!ParseArgs(argc, argv, 2, &a, &err)) return Usage(kDecodeHelp, err);
  if (a.help) {
    std::fputs(kDecodeHelp, stdout);
    return kOk;
  }
  auto enc = OpenEncoding(a);
  if (!enc.ok()) {
    std::fprintf(stderr, "tokwise: %s\n", std::string(enc.status().message()).c_str());
    // A rank file that cannot be read or parsed is an input error; a bad name is usage.
    return a.tiktoken.empty() ? kUsage : kInput;
  }
  std::vector<tokwise::TokenId> ids;
  if (!ReadTokenIds(a.positional, &ids, &err)) {
    std::fprintf(stderr, "tokwise: %s\n", err.c_str());
    return kInput;
  }
  auto bytes = (*enc)->Decode(ids);
  if (!bytes.ok()) {
    std::fprintf(stderr, "tokwise: %s\n", std::string(bytes.status().message()).c_str());
    return kInput;
  }
  std::fwrite(bytes->data(), 1, bytes->size(), stdout);
  return kOk;
}


int RunCount(int argc, char** argv) { return CountOrEncode(argc, argv, false); }
int RunEncode(int argc, char** argv) { return CountOrEncode(argc, argv, true); }

}  // namespace tokwise::cli
