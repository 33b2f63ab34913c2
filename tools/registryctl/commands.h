// How a command group joins registryctl: each *_cmds.cc file registers the function that
// adds its commands, and main.cc adds every registered group in order. A new group is a
// new file (and its line in CMakeLists.txt); main.cc does not change
// (tools/registryctl/README.md, "Adding a command").
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_COMMANDS_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_COMMANDS_H_

#include "tools/registryctl/globals.h"

namespace collectonce::registryctl {

// Adds a group's commands to the root app; a leaf's callback sets *action.
using AddCommandsFn = void (*)(CLI::App& app, const Globals& globals, Action* action);

// Registers `add` at static initialization. `order` places the group in `--help`
// (catalog 10, governance 20, record 30, import/export 40, prefill 50, audit 60, reuse 65,
// backup 70, free from 80; the built-in version/completion/options come last).
class CommandGroup {
 public:
  CommandGroup(int order, AddCommandsFn add);
};

// Adds every registered group, lowest order first.
void AddRegisteredCommands(CLI::App& app, const Globals& globals, Action* action);

}  // namespace collectonce::registryctl

#define REGISTRYCTL_COMMAND_GROUP_CAT2(a, b) a##b
#define REGISTRYCTL_COMMAND_GROUP_CAT(a, b) REGISTRYCTL_COMMAND_GROUP_CAT2(a, b)
// At namespace scope in the group's file: REGISTRYCTL_COMMAND_GROUP(AddAuditCommands, 60);
#define REGISTRYCTL_COMMAND_GROUP(fn, order)                                           \
  static const ::collectonce::registryctl::CommandGroup REGISTRYCTL_COMMAND_GROUP_CAT( \
      registryctl_command_group_, __LINE__)((order), (fn))

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_COMMANDS_H_
