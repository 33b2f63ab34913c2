// The command tree as a person meets it: an unknown command named (with the nearest known
// one), the global flags under every command's help, and shell completion built from the
// same tree, so that none of them can fall out of step with the commands.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_HELP_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_HELP_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace CLI {
class App;
}

namespace collectonce::registryctl {

// Walks `args` (argv without the program name) down the command tree. The first word that
// is not a command where one is expected gives `unknown command "recrod" for "registryctl"`
// and, for a near miss, `did you mean "record"?`; a group given without its command
// gives `"registryctl record" needs a command: get, put, history`. nullopt: neither.
std::optional<std::string> DiagnoseCommandLine(const CLI::App& root,
                                               const std::vector<std::string>& args);

// Damerau-Levenshtein distance (optimal string alignment), for "did you mean".
int EditDistance(absl::string_view a, absl::string_view b);

// Appends a short "Global flags" paragraph to the footer of every command under `root`.
void AddGlobalFlagsFooter(CLI::App& root);

// The global flags with their variables, for `registryctl options`.
std::string GlobalFlagsText();

// Every example in the help of `root` and its commands ("Example: registryctl ..."), as the
// command line after "registryctl" (comments, redirections and pipes cut off), for the test
// that parses each of them.
std::vector<std::string> HelpExamples(const CLI::App& root);

// A completion script for "bash" or "zsh" (zsh through bashcompinit); "" for another shell.
std::string CompletionScript(const CLI::App& root, absl::string_view shell);

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_HELP_H_
