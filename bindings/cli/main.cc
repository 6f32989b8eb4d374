// tokwise: the command-line front end. Only argument handling and printing live in this
// folder; the work is done by the library.
//
// Exit codes: 0 ok, 1 usage error, 2 input error, 3 denied (preflight), 4 ledger busy
// (preflight).
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);
};

// One line per command: name, summary, entry point.
const Command kCommands[] = {
    {"report", "where every token of an agent trace went, call by call, and what it cost",
     tokwise::cli::RunReport},
    {"count", "count the tokens of files or of standard input", tokwise::cli::RunCount},
    {"encode", "print the token ids of a file or of standard input", tokwise::cli::RunEncode},
    {"decode", "turn token ids back into text", tokwise::cli::RunDecode},
    {"models", "list the price catalog or show how a model name resolves",
     tokwise::cli::RunModels},
    {"simulate", "what a single call, RAG, agent loop or chat costs, call by call",
     tokwise::cli::RunSimulate},
    {"chat", "count a chat request's prompt tokens as the provider bills them",
     tokwise::cli::RunChat},
    {"preflight", "check a call against context window and budgets", tokwise::cli::RunPreflight},
};

void PrintHelp(FILE* out) {
  std::fprintf(out, "usage: tokwise <command> [options]\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out,
               "\nStart here:\n"
               "  tokwise report examples/research_agent.jsonl  # where a run's tokens went\n"
               "  tokwise simulate --levels                     # what each setup costs\n"
               "\nRun 'tokwise <command> --help' for the options of a command.\n"
               "Exit codes: 0 ok, 1 usage error, 2 input error (the message names the file and\n"
               "the position in it).\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintHelp(stderr);
    return tokwise::cli::kUsage;
  }
  std::string cmd = argv[1];
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    if (argc > 2) {
      for (const Command& c : kCommands) {
        if (std::strcmp(c.name, argv[2]) == 0) {
          char* sub[] = {argv[0], argv[2], const_cast<char*>("--help"), nullptr};
          return c.run(3, sub);
        }
      }
    }
    PrintHelp(stdout);
    return tokwise::cli::kOk;
  }
  for (const Command& c : kCommands) {
    if (cmd == c.name) return c.run(argc, argv);
  }
  std::fprintf(stderr, "tokwise: unknown command '%s'\n\n", cmd.c_str());
  PrintHelp(stderr);
  return tokwise::cli::kUsage;
}
