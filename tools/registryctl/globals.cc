#include "tools/registryctl/globals.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/registryctl/flag_values.h"

namespace collectonce::registryctl {

const std::vector<GlobalFlag>& GlobalFlags() {
  static const auto* flags = new std::vector<GlobalFlag>{
      {"--registry", "registry", "REGISTRYCTL_REGISTRY", "HOST:PORT",
       "registry gRPC address, or a replicated registry's replicas HOST:PORT,HOST:PORT,... "
       "(the leader is used; default 127.0.0.1:7400)"},
      {"--gateway", "gateway", "REGISTRYCTL_GATEWAY", "HOST:PORT",
       "reuse gateway gRPC address, for prefill (default 127.0.0.1:7410)"},
      {"--as", "as", "REGISTRYCTL_AS", "PRINCIPAL",
       "the identity sent as x-principal, local insecure mode only (default registryctl)"},
      {"--tls-cert", "tls-cert", "REGISTRYCTL_TLS_CERT", "FILE",
       "mutual TLS: this client's certificate (PEM); its identity replaces --as"},
      {"--tls-key", "tls-key", "REGISTRYCTL_TLS_KEY", "FILE",
       "mutual TLS: this client's private key (PEM)"},
      {"--tls-ca", "tls-ca", "REGISTRYCTL_TLS_CA", "FILE",
       "mutual TLS: CA bundle (PEM) the registry's and gateway's certificates chain to"},
      {"-o,--output", "output", "REGISTRYCTL_OUTPUT", "FORMAT",
       "output format: table, json, yaml or name (default table)"},
      {"--timeout", "timeout", "REGISTRYCTL_TIMEOUT", "SECONDS",
       "deadline of each call, in seconds, more than 0 (default 30)"},
      {"--reveal", "reveal", "REGISTRYCTL_REVEAL", "",
       "show personal data in clear in tables (masked by default)"},
      {"--context", "", "REGISTRYCTL_CONTEXT", "NAME",
       "use the settings of this context of the config file"},
      {"--config", "", "REGISTRYCTL_CONFIG", "FILE",
       "the config file (default ~/.config/registryctl/config.toml)"},
  };
  return *flags;
}

void AddGlobalFlags(CLI::App& app, Globals& g) {
  auto text = [&](const GlobalFlag& f, std::string* into) {
    return app.add_option(f.flag, *into, absl::StrCat(f.help, " [$", f.env, "]"))
        ->envname(f.env)
        ->option_text(f.value)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  };
  for (const GlobalFlag& f : GlobalFlags()) {
    if (f.flag == "--registry") text(f, &g.registry);
    if (f.flag == "--gateway") text(f, &g.gateway);
    if (f.flag == "--as") text(f, &g.principal);
    if (f.flag == "--tls-cert") text(f, &g.tls_cert);
    if (f.flag == "--tls-key") text(f, &g.tls_key);
    if (f.flag == "--tls-ca") text(f, &g.tls_ca);
    if (f.flag == "--context") text(f, &g.context);
    if (f.flag == "--config") text(f, &g.config);
    if (f.flag == "-o,--output") {
      text(f, &g.output)->check(OneOf("output format", {"table", "json", "yaml", "name"}));
    }
    if (f.flag == "--timeout") {
      app.add_option(f.flag, g.timeout_seconds, absl::StrCat(f.help, " [$", f.env, "]"))
          ->envname(f.env)
          ->option_text(f.value)
          ->check(PositiveSeconds())
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
    if (f.flag == "--reveal") {
      app.add_flag(f.flag, g.reveal, absl::StrCat(f.help, " [$", f.env, "]"))
          ->envname(f.env)
          ->option_text(" ");
    }
  }
}

std::string DefaultConfigPath() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    return absl::StrCat(xdg, "/registryctl/config.toml");
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return absl::StrCat(home, "/.config/registryctl/config.toml");
  }
  return "";
}

std::optional<std::string> ApplyConfigContext(CLI::App& app, Globals& g) {
  const bool explicit_file = !g.config.empty();
  const std::string path = explicit_file ? g.config : DefaultConfigPath();
  std::error_code ec;
  if (path.empty() || (!explicit_file && !std::filesystem::exists(path, ec))) {
    if (!g.context.empty()) {
      return absl::StrCat("--context ", g.context, ": there is no config file (",
                          path.empty() ? "set REGISTRYCTL_CONFIG" : path,
                          "; see `registryctl options`)");
    }
    return std::nullopt;
  }
  std::ifstream in(path);
  if (!in) return absl::StrCat("cannot read the config file ", path);
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_config(in);
  } catch (const CLI::Error& e) {
    return absl::StrCat("config file ", path, ": ", e.what());
  }
  // contexts.NAME.KEY = value, and a top-level current-context.
  std::string current;
  std::map<std::string, std::map<std::string, std::string>> contexts;
  for (const auto& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // CLI11's section markers
    const std::string value = item.inputs.empty() ? "" : item.inputs.front();
    if (item.parents.empty() && item.name == "current-context") {
      current = value;
    } else if (item.parents.size() == 2 && item.parents[0] == "contexts") {
      contexts[item.parents[1]][item.name] = value;
    } else {
      return absl::StrCat("config file ", path, ": unknown setting '", item.fullname(),
                          "' (expected current-context and [contexts.NAME] tables)");
    }
  }
  const std::string name = g.context.empty() ? current : g.context;
  if (name.empty()) return std::nullopt;
  auto it = contexts.find(name);
  if (it == contexts.end()) {
    std::vector<std::string> names;
    for (const auto& [n, unused] : contexts) names.push_back(n);
    return absl::StrCat("no context '", name, "' in ", path,
                        " (contexts: ", names.empty() ? "none" : absl::StrJoin(names, ", "), ")");
  }
  for (const auto& [key, value] : it->second) {
    const GlobalFlag* flag = nullptr;
    for (const GlobalFlag& f : GlobalFlags()) {
      if (!f.key.empty() && f.key == key) flag = &f;
    }
    if (flag == nullptr) {
      std::vector<std::string> keys;
      for (const GlobalFlag& f : GlobalFlags()) {
        if (!f.key.empty()) keys.push_back(f.key);
      }
      return absl::StrCat("context '", name, "' in ", path, ": unknown setting '", key,
                          "' (settings: ", absl::StrJoin(keys, ", "), ")");
    }
    CLI::Option* opt = app.get_option_no_throw(flag->flag.substr(flag->flag.find("--")));
    if (opt == nullptr || opt->count() > 0) continue;  // the command line or env wins
    // A relative certificate path is relative to the config file, as in a kubeconfig.
    std::string given = value;
    if (absl::StartsWith(key, "tls-") && !given.empty() && given[0] != '/') {
      given = (std::filesystem::path(path).parent_path() / given).string();
    }
    try {
      opt->add_result(given);
      opt->run_callback();
    } catch (const CLI::Error& e) {
      return absl::StrCat("context '", name, "' in ", path, ": ", e.what());
    }
  }
  g.context = name;
  g.config = path;
  return std::nullopt;
}

int UsageError(absl::string_view message) {
  std::cerr << "error: " << RedactPersonalNumbers(message) << "\n";
  return kExitUsage;
}

int InternalFailure(absl::string_view message) {
  std::cerr << "error: " << RedactPersonalNumbers(message) << "\n";
  return kExitInternal;
}

}  // namespace collectonce::registryctl
