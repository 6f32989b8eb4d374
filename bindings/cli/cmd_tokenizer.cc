// tokwise count / encode with tokenizers that are not built-in tiktoken encodings:
// tokenizer.json and SentencePiece files (--tokenizer FILE), and any model of the registry
// (--model NAME: Llama, Qwen, DeepSeek, Gemma, Mistral, Claude, Gemini, ...).
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
#include "tokwise/registry.h"
#include "tokwise/tokenizer.h"

namespace tokwise::cli {
namespace {

const char kHelp[] =
    "usage: tokwise count|encode [--tokenizer FILE | --model MODEL]\n"
    "                            [--tokenizer-dir DIR]... [--registry FILE]\n"
    "                            [--special text|recognize|reject] [--add-special-tokens]\n"
    "                            [--replace-invalid] [FILE...]\n"
    "\n"
    "Counts (or encodes) with any tokenizer tokwise knows.\n"
    "  --tokenizer FILE     a Hugging Face tokenizer.json or a SentencePiece .model file\n"
    "  --model MODEL        a model of the registry, e.g. llama-3.1-8b, Qwen/Qwen3-8B,\n"
    "                       claude-sonnet-4-5, gemini-2.5-pro. Models whose tokenizer is not\n"
    "                       built in need its file: --tokenizer-dir DIR (repeatable) or the\n"
    "                       TOKWISE_TOKENIZER_PATH environment variable (folders separated\n"
    "                       by ':') name folders holding e.g. llama3/tokenizer.json\n"
    "  --registry FILE      JSON overriding or extending the model registry\n"
    "  --special POLICY     special-token strings in the text: 'text', 'recognize' or\n"
    "                       'reject'; default: what the tokenizer's own library does\n"
    "  --add-special-tokens add the model's BOS/EOS template tokens\n"
    "  --replace-invalid    replace invalid UTF-8 with U+FFFD instead of failing\n"
    "\n"
    "Exact counts print the number. Counts of models whose tokenizer is not public print\n"
    "the estimate, its label and the range the true count is expected in, e.g.\n"
    "  1234\testimate\t1131-1389\n";

struct Args {
  std::string tokenizer, model, registry, special;
  std::vector<std::string> dirs;
  bool add_special = false, replace_invalid = false, help = false;
  std::vector<std::string> files;
};

bool Parse(int argc, char** argv, Args* a, std::string* err) {
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
    std::string dir;
    if (arg == "--help" || arg == "-h") {
      a->help = true;
    } else if (arg == "--tokenizer") {
      if (!value(&a->tokenizer)) return false;
    } else if (arg == "--model" || arg == "-m") {
      if (!value(&a->model)) return false;
    } else if (arg == "--tokenizer-dir") {
      if (!value(&dir)) return false;
      a->dirs.push_back(dir);
    } else if (arg == "--registry") {
      if (!value(&a->registry)) return false;
    } else if (arg == "--special") {
      if (!value(&a->special)) return false;
      if (a->special != "text" && a->special != "recognize" && a->special != "reject") {
        *err = "--special takes text, recognize or reject, not '" + a->special + "'";
        return false;
      }
    } else if (arg == "--add-special-tokens") {
      a->add_special = true;
    } else if (arg == "--replace-invalid") {
      a->replace_invalid = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      *err = "unknown option " + arg + " (with --tokenizer / registry models)";
      return false;
    } else {
      a->files.push_back(arg);
    }
  }
  if (a->tokenizer.empty() && a->model.empty()) {
    *err = "give --tokenizer FILE or --model MODEL";
    return false;
  }
  return true;
}

absl::StatusOr<std::shared_ptr<const Tokenizer>> Open(const Args& a) {
  if (!a.tokenizer.empty()) return Tokenizer::FromFile(a.tokenizer);
  TokenizerSearch search = TokenizerSearchFromEnvironment();
  search.dirs.insert(search.dirs.begin(), a.dirs.begin(), a.dirs.end());
  if (a.registry.empty()) return ModelRegistry::Default().TokenizerFor(a.model, search);
  std::string json, err;
  if (!ReadInputFile(a.registry, &json, &err)) return absl::NotFoundError(err);
  auto reg = ModelRegistry::Default().WithOverrides(json);
  if (!reg.ok()) return reg.status();
  return reg->TokenizerFor(a.model, search);
}

}  // namespace

bool UsesTokenizerOptions(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--tokenizer" || arg == "--tokenizer-dir" || arg == "--registry" ||
        arg == "--add-special-tokens") {
      return true;
    }
    // A model that is not one of OpenAI's tiktoken models goes through the registry.
    if ((arg == "--model" || arg == "-m") && i + 1 < argc &&
        !EncodingNameForModel(argv[i + 1]).ok()) {
      return true;
    }
  }
  return false;
}

int RunWithTokenizer(int argc, char** argv, bool encode) {
  Args a;
  std::string err;
  if (!Parse(argc, argv, &a, &err)) {
    if (a.help) {
      std::fputs(kHelp, stdout);
      return kOk;
    }
    std::fprintf(stderr, "tokwise: %s\n\n%s", err.c_str(), kHelp);
    return kUsage;
  }
  if (a.help) {
    std::fputs(kHelp, stdout);
    return kOk;
  }
  auto tok = Open(a);
  if (!tok.ok()) {
    std::fprintf(stderr, "tokwise: %s\n", std::string(tok.status().message()).c_str());
    // A tokenizer file that cannot be read or parsed is an input error; a bad name is usage.
    return a.tokenizer.empty() ? kUsage : kInput;
  }
  TokenizeOptions o;
  if (a.special == "text") o.special = SpecialPolicy::kAsText;
  if (a.special == "recognize") o.special = SpecialPolicy::kRecognize;
  if (a.special == "reject") o.special = SpecialPolicy::kReject;
  o.add_special_tokens = a.add_special;
  o.invalid_utf8 = a.replace_invalid ? InvalidUtf8::kReplace : InvalidUtf8::kReject;
  if (a.files.empty()) a.files.push_back("-");
  if (encode && a.files.size() > 1) {
    std::fprintf(stderr, "tokwise: encode takes one file\n");
    return kUsage;
  }
  uint64_t total = 0, low = 0, high = 0;
  Exactness label = (*tok)->exactness();
  for (const std::string& path : a.files) {
    std::string text;
    if (!ReadInputFile(path, &text, &err)) {
      std::fprintf(stderr, "tokwise: %s\n", err.c_str());
      return kInput;
    }
    const std::string name = path == "-" ? "<stdin>" : path;
    if (encode) {
      auto ids = (*tok)->Encode(text, o);
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
    auto n = (*tok)->Count(text, o);
    if (!n.ok()) {
      std::fprintf(stderr, "tokwise: %s: %s\n", name.c_str(),
                   std::string(n.status().message()).c_str());
      return kInput;
    }
    total += n->tokens;
    low += n->low;
    high += n->high;
    std::string line = std::to_string(n->tokens);
    if (n->exactness != Exactness::kExact) {
      line += std::string("\t") + ExactnessName(n->exactness) + "\t" + std::to_string(n->low) +
              "-" + std::to_string(n->high);
    }
    if (a.files.size() > 1) line += "\t" + name;
    std::printf("%s\n", line.c_str());
  }
  if (!encode && a.files.size() > 1) {
    std::string line = std::to_string(total);
    if (label != Exactness::kExact) {
      line += std::string("\t") + ExactnessName(label) + "\t" + std::to_string(low) + "-" +
              std::to_string(high);
    }
    std::printf("%s\ttotal\n", line.c_str());
  }
  return kOk;
}

int RunDecodeWithTokenizer(int argc, char** argv) {
  Args a;
  std::string err;
  if (!Parse(argc, argv, &a, &err) || a.help) {
    if (a.help) {
      std::fputs(kHelp, stdout);
      return kOk;
    }
    std::fprintf(stderr, "tokwise: %s\n\n%s", err.c_str(), kHelp);
    return kUsage;
  }
  auto tok = Open(a);
  if (!tok.ok()) {
    std::fprintf(stderr, "tokwise: %s\n", std::string(tok.status().message()).c_str());
    // A tokenizer file that cannot be read or parsed is an input error; a bad name is usage.
    return a.tokenizer.empty() ? kUsage : kInput;
  }
  // Ids come from the arguments, or whitespace-separated from standard input.
  std::vector<TokenId> ids;
  if (!ReadTokenIds(a.files, &ids, &err)) {
    std::fprintf(stderr, "tokwise: %s\n", err.c_str());
    return kInput;
  }
  auto text = (*tok)->Decode(ids);
  if (!text.ok()) {
    std::fprintf(stderr, "tokwise: %s\n", std::string(text.status().message()).c_str());
    return kInput;
  }
  std::fwrite(text->data(), 1, text->size(), stdout);
  return kOk;
}

}  // namespace tokwise::cli
