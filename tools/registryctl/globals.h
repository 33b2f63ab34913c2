// What every registryctl command shares: the global flags (with their environment
// variables and config-file contexts), the exit codes and the way a command is run after
// the command line has been parsed.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_GLOBALS_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_GLOBALS_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

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

enum class OutputFormat { kTable, kJson, kYaml, kName };

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
  // The config file and the context in it that supplied defaults (empty: none).
  std::string config;
  std::string context;

  OutputFormat format() const {
    if (output == "json") return OutputFormat::kJson;
    if (output == "yaml") return OutputFormat::kYaml;
    if (output == "name") return OutputFormat::kName;
    return OutputFormat::kTable;
  }
  // json, yaml or name: what output.h's Emit functions print instead of a table.
  bool structured() const { return format() != OutputFormat::kTable; }
};

// A command's work, chosen while parsing and run once parsing is complete (so that global
// flags given after the subcommand are in effect). Returns the exit code.
using Action = std::function<int()>;

// One global flag as documented by `registryctl options` and the README.
struct GlobalFlag {
  std::string flag;   // "--registry"
  std::string key;    // its name in a config context: "registry"
  std::string env;    // "REGISTRYCTL_REGISTRY"
  std::string value;  // "HOST:PORT"; empty for a switch
  std::string help;
};
const std::vector<GlobalFlag>& GlobalFlags();

// Adds the global flags (each with its REGISTRYCTL_* variable) to the root app.
void AddGlobalFlags(CLI::App& app, Globals& globals);

// After parsing: fills every global flag given neither on the command line nor in the
// environment from the selected context of the config file (--context, REGISTRYCTL_CONTEXT,
// else the file's current-context). The file is --config, REGISTRYCTL_CONFIG, else
// $XDG_CONFIG_HOME/registryctl/config.toml (~/.config/...). A missing default file is no
// context; a named context or file that does not exist is a usage error (the message).
[[nodiscard]] std::optional<std::string> ApplyConfigContext(CLI::App& app, Globals& globals);

// The default config file path ("" when neither XDG_CONFIG_HOME nor HOME is set).
std::string DefaultConfigPath();

// Prints "error: <message>" on stderr and returns kExitUsage / kExitInternal.
int UsageError(absl::string_view message);
int InternalFailure(absl::string_view message);

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_GLOBALS_H_
