// What every registryctl command shares: the global flags, the exit codes and the way a
// command is run after the command line has been parsed.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_GLOBALS_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_GLOBALS_H_

#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "tools/registryctl/redact.h"

namespace CLI {
class App;
}

namespace collectonce::registryctl {

// Exit codes (tools/registryctl/README.md): 0 success, 1 internal error, 2 usage error, and
// 64 plus the gRPC status code when the registry or the gateway refused a call.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRpcBase = 64;

enum class OutputFormat { kTable, kJson };

struct Globals {
  std::string registry = "127.0.0.1:7400";
  std::string gateway = "127.0.0.1:7410";
  // Sent as x-principal (the registry's local insecure mode).
  std::string principal = "registryctl";
  // Mutual TLS (all three, or none for the local insecure mode): this client's certificate
  // and key, and the CA bundle the registry's and the gateway's certificates chain to.
  std::string tls_cert;
  std::string tls_key;
  std::string tls_ca;
  std::string output = "table";
  double timeout_seconds = 30;
  bool reveal = false;

  OutputFormat format() const {
    return output == "json" ? OutputFormat::kJson : OutputFormat::kTable;
  }
};

// A command's work, chosen while parsing and run once parsing is complete (so that global
// flags given after the subcommand are in effect). Returns the exit code.
using Action = std::function<int()>;

// Each *_cmds.cc file adds its commands to the root app. `action` receives the chosen
// command's work.
void AddCatalogCommands(CLI::App& app, const Globals& globals, Action* action);
void AddGovernanceCommands(CLI::App& app, const Globals& globals, Action* action);
void AddRecordCommands(CLI::App& app, const Globals& globals, Action* action);
void AddImportCommand(CLI::App& app, const Globals& globals, Action* action);
void AddExportCommand(CLI::App& app, const Globals& globals, Action* action);
void AddBackupCommands(CLI::App& app, const Globals& globals, Action* action);
void AddPrefillCommand(CLI::App& app, const Globals& globals, Action* action);
void AddAuditCommands(CLI::App& app, const Globals& globals, Action* action);

// Prints "error: <message>" on stderr and returns kExitUsage / kExitInternal.
int UsageError(absl::string_view message);
int InternalFailure(absl::string_view message);

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_GLOBALS_H_
