// registryctl: the command-line client of the collect-once registry, for data-governance
// staff and auditors. A thin gRPC client: every rule lives in the registry and the shared
// libraries. See tools/registryctl/README.md.
#include <iostream>
#include <sstream>

#include "CLI/CLI.hpp"
#include "libs/rpc/tls.h"
#include "tools/registryctl/globals.h"
#include "tools/registryctl/redact.h"

int main(int argc, char** argv) {
  using namespace collectonce::registryctl;
  Globals globals;
  Action action;

  CLI::App app{
      "registryctl: manage the collect-once registry (catalog, matters, bundles, principals, "
      "records, bulk import and export, backups).\n"
      "Data goes to stdout, diagnostics to stderr. Exit codes: 0 success, 1 internal error, "
      "2 usage error, 64 + the gRPC status code when a call is refused."};
  app.footer("Example: registryctl --registry 127.0.0.1:7400 catalog get person");
  app.fallthrough();
  app.require_subcommand(1);
  app.add_option("--registry", globals.registry, "registry gRPC address HOST:PORT")
      ->envname("REGISTRYCTL_REGISTRY")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->capture_default_str();
  app.add_option("--gateway", globals.gateway, "reuse gateway gRPC address HOST:PORT (prefill)")
      ->envname("REGISTRYCTL_GATEWAY")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->capture_default_str();
  CLI::Option* as =
      app.add_option("--as", globals.principal,
                     "the identity sent as x-principal (the registry's local insecure mode)")
          ->envname("REGISTRYCTL_AS")
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
          ->capture_default_str();
  app.add_option("-o,--output", globals.output, "output format: table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->capture_default_str();
  app.add_option("--timeout", globals.timeout_seconds, "deadline of each call, in seconds")
      ->check(CLI::PositiveNumber)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->capture_default_str();
  app.add_option("--tls-cert", globals.tls_cert,
                 "mutual TLS: this client's certificate (PEM); its identity replaces --as")
      ->envname("REGISTRYCTL_TLS_CERT")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--tls-key", globals.tls_key, "mutual TLS: this client's private key (PEM)")
      ->envname("REGISTRYCTL_TLS_KEY")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--tls-ca", globals.tls_ca,
                 "mutual TLS: CA bundle (PEM) the registry's and gateway's certificates chain to")
      ->envname("REGISTRYCTL_TLS_CA")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_flag("--reveal", globals.reveal,
               "show personal data in clear in tables (masked by default)");

  AddCatalogCommands(app, globals, &action);
  AddGovernanceCommands(app, globals, &action);
  AddRecordCommands(app, globals, &action);
  AddImportCommand(app, globals, &action);
  AddExportCommand(app, globals, &action);
  AddBackupCommands(app, globals, &action);
  AddPrefillCommand(app, globals, &action);
  AddAuditCommands(app, globals, &action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A stray argument may be an ID number typed where it does not belong: the message
    // quotes it, so it is masked like every other diagnostic.
    std::ostringstream err;
    const int code = app.exit(e, std::cout, err);
    std::cerr << RedactPersonalNumbers(err.str());
    return code == 0 ? kExitOk : kExitUsage;
  }
  const collectonce::rpc::TlsFiles tls{globals.tls_cert, globals.tls_key, globals.tls_ca};
  if (tls.any()) {
    const collectonce::rpc::TlsFlagNames names{"--tls-cert", "--tls-key", "--tls-ca"};
    if (auto s = collectonce::rpc::CheckDaemonSecurityFlags(false, false, tls, names); !s.ok()) {
      return UsageError(s.message());
    }
    if (as->count() > 0) {
      return UsageError(
          "--as names the caller only in the local insecure mode; under mutual "
          "TLS the certificate names it");
    }
    if (auto s = collectonce::rpc::CheckTlsFiles(tls, names); !s.ok()) {
      return UsageError(s.message());
    }
  }
  if (!action) {
    std::cerr << app.help();
    return kExitUsage;
  }
  return action();
}
