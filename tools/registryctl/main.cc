// registryctl: the command-line client of the collect-once registry, for data-governance
// staff and auditors. A thin gRPC client: every rule lives in the registry and the shared
// libraries. See tools/registryctl/README.md.
#include <iostream>
#include <sstream>

#include "CLI/CLI.hpp"
#include "libs/rpc/tls.h"
#include "tools/registryctl/commands.h"
#include "tools/registryctl/globals.h"
#include "tools/registryctl/help.h"
#include "tools/registryctl/redact.h"

int main(int argc, char** argv) {
  using namespace collectonce::registryctl;
  Globals globals;
  Action action;

  CLI::App app{
      "registryctl: manage the collect-once registry (catalog, matters, bundles, principals, "
      "records, bulk import and export, audit, backups).\n"
      "Data goes to stdout, diagnostics to stderr. Exit codes: 0 success, 1 internal error, "
      "2 usage error, 3 audit log does not verify, 64 + the gRPC status code when a call is "
      "refused."};
  app.footer(
      "Examples:\n"
      "  registryctl catalog get person\n"
      "  registryctl --registry 127.0.0.1:7400 record get enterprises/91350400MA2YQ8KX1E\n"
      "  registryctl matter list -o name\n"
      "  registryctl options        # global flags, REGISTRYCTL_* variables, config contexts\n"
      "\n"
      "Run 'registryctl COMMAND --help' for a command's flags and examples.\n");
  app.name("registryctl");
  app.fallthrough();
  AddGlobalFlags(app, globals);
  // For the tests that check every example of the help and the docs: parse, run nothing.
  bool parse_only = false;
  app.add_flag("--parse-only", parse_only)->group("");
  AddRegisteredCommands(app, globals, &action);
  AddGlobalFlagsFooter(app);

  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const bool help = e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success);
    if (!help) {
      if (auto message = DiagnoseCommandLine(app, args)) return UsageError(*message);
    }
    // A stray argument may be an ID number typed where it does not belong: the message
    // quotes it, so it is masked like every other diagnostic.
    std::ostringstream err;
    const int code = app.exit(e, std::cout, err);
    std::cerr << RedactPersonalNumbers(err.str());
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (parse_only) return action ? kExitOk : kExitUsage;
  if (auto problem = ApplyConfigContext(app, globals)) return UsageError(*problem);
  const collectonce::rpc::TlsFiles tls{globals.tls_cert, globals.tls_key, globals.tls_ca};
  if (tls.any()) {
    const collectonce::rpc::TlsFlagNames names{"--tls-cert", "--tls-key", "--tls-ca"};
    if (auto s = collectonce::rpc::CheckDaemonSecurityFlags(false, false, tls, names); !s.ok()) {
      return UsageError(s.message());
    }
    if (app.get_option("--as")->count() > 0) {
      return UsageError(
          "--as names the caller only in the local insecure mode; under mutual "
          "TLS the certificate names it");
    }
    if (auto s = collectonce::rpc::CheckTlsFiles(tls, names); !s.ok()) {
      return UsageError(s.message());
    }
  }
  if (!action) {
    if (auto message = DiagnoseCommandLine(app, args)) return UsageError(*message);
    // No command at all: the overview, as a usage error so that scripts notice.
    std::cerr << app.help();
    return kExitUsage;
  }
  return action();
}
