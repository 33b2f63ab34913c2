// registryctl version | completion bash|zsh | options: about registryctl itself.
#include <iostream>
#include <memory>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/rpc/call_observer.h"
#include "libs/rpc/process_metrics.h"
#include "nlohmann/json.hpp"
#include "tools/registryctl/client.h"
#include "tools/registryctl/commands.h"
#include "tools/registryctl/flag_values.h"
#include "tools/registryctl/help.h"
#include "tools/registryctl/output.h"

namespace collectonce::registryctl {

namespace {

// The server's build from the version header of a health check's answer; "" if it did not
// answer (the reason in *why).
std::string ServerVersion(const Globals& g, const std::string& address, std::string* why) {
  Client client(g, address);
  auto stub = grpc::health::v1::Health::NewStub(client.channel());
  grpc::ClientContext context;
  client.Prepare(&context);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status s = stub->Check(&context, request, &response);
  if (!s.ok()) {
    *why = absl::StrCat(CodeName(s.error_code()), ": ", s.error_message());
    return "";
  }
  const auto& md = context.GetServerInitialMetadata();
  auto it = md.find(rpc::kServerVersionHeader);
  if (it == md.end()) return "unknown (an older build)";
  return std::string(it->second.data(), it->second.size());
}

int RunVersion(const Globals& g, bool client_only) {
  nlohmann::ordered_json doc;
  doc["clientVersion"] = rpc::BuildVersion();
  std::string why;
  std::string server;
  if (!client_only) {
    server = ServerVersion(g, g.registry, &why);
    doc["registry"] = g.registry;
    if (!server.empty()) {
      doc["serverVersion"] = server;
    } else {
      doc["serverError"] = why;
    }
  }
  const int rc = EmitDocument(g, doc, [&](std::ostream& out) {
    out << "Client Version: " << rpc::BuildVersion() << "\n";
    if (client_only) return;
    if (!server.empty()) {
      out << "Server Version: " << server << " (" << g.registry << ")\n";
    } else {
      out << "Server Version: unknown: " << g.registry << " did not answer (" << why << ")\n";
    }
  });
  // An unreachable server is an error for scripts (as kubectl version exits non-zero).
  if (rc == kExitOk && !client_only && server.empty()) {
    return kExitRpcBase + static_cast<int>(grpc::StatusCode::UNAVAILABLE);
  }
  return rc;
}

void AddMetaCommands(CLI::App& app, const Globals& g, Action* action) {
  auto client_only = std::make_shared<bool>(false);
  CLI::App* version =
      app.add_subcommand("version", "print registryctl's version and the registry's");
  version->add_flag("--client", *client_only, "only registryctl's own (no call)");
  version->footer("Example: registryctl version");
  version->callback([&g, action, client_only] {
    *action = [&g, client_only] { return RunVersion(g, *client_only); };
  });
  // `registryctl --version` is `registryctl version`.
  app.add_flag_callback(
      "--version", [&g, action] { *action = [&g] { return RunVersion(g, false); }; },
      "print registryctl's version and the registry's (as `version`)");

  auto shell = std::make_shared<std::string>();
  CLI::App* completion =
      app.add_subcommand("completion", "print a shell completion script (bash or zsh) to source");
  completion->add_option("SHELL", *shell, "bash or zsh")
      ->required()
      ->check(OneOf("SHELL", {"bash", "zsh"}));
  completion->footer(
      "Example: source <(registryctl completion bash)\n"
      "         registryctl completion zsh > \"${fpath[1]}/_registryctl\"");
  completion->callback([&app, action, shell] {
    *action = [&app, shell] {
      std::cout << CompletionScript(app, *shell);
      return kExitOk;
    };
  });

  // Hidden: every example of the help, one a line, for the test that parses them all.
  CLI::App* examples = app.add_subcommand("__examples", "");
  examples->group("");
  examples->callback([&app, action] {
    *action = [&app] {
      for (const std::string& e : HelpExamples(app)) std::cout << e << "\n";
      return kExitOk;
    };
  });

  CLI::App* options = app.add_subcommand(
      "options", "list the global flags, their REGISTRYCTL_* variables and the config file");
  options->footer("Example: registryctl options");
  options->callback([action] {
    *action = [] {
      std::cout << GlobalFlagsText();
      return kExitOk;
    };
  });
}

}  // namespace

REGISTRYCTL_COMMAND_GROUP(AddMetaCommands, 1000);

}  // namespace collectonce::registryctl
