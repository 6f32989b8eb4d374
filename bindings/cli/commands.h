// The subcommands of the tokwise program. Each Run* takes the whole argv (argv[1] is the
// command name) and returns the exit code.
#ifndef TOKWISE_BINDINGS_CLI_COMMANDS_H_
#define TOKWISE_BINDINGS_CLI_COMMANDS_H_

namespace tokwise::cli {

// Exit codes shared by every command.
inline constexpr int kOk = 0;
inline constexpr int kUsage = 1;
inline constexpr int kInput = 2;
inline constexpr int kDenied = 3;  // tokwise preflight: the call does not fit.
inline constexpr int kBusy = 4;    // tokwise preflight: the --ledger stayed locked too long.

int RunCount(int argc, char** argv);
int RunEncode(int argc, char** argv);
int RunDecode(int argc, char** argv);
int RunModels(int argc, char** argv);
int RunSimulate(int argc, char** argv);
int RunChat(int argc, char** argv);
int RunPreflight(int argc, char** argv);

// cmd_tokenizer.cc: count/encode with tokenizer.json and SentencePiece files and with the
// models of the registry. UsesTokenizerOptions() says whether argv asks for that path.
bool UsesTokenizerOptions(int argc, char** argv);
int RunWithTokenizer(int argc, char** argv, bool encode);
int RunDecodeWithTokenizer(int argc, char** argv);
int RunReport(int argc, char** argv);

}  // namespace tokwise::cli

#endif  // TOKWISE_BINDINGS_CLI_COMMANDS_H_
