#include "tools/registryctl/help.h"

#include <algorithm>
#include <functional>
#include <map>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tools/registryctl/globals.h"

namespace collectonce::registryctl {

namespace {

std::string CommandPath(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* a = &app; a != nullptr; a = a->get_parent()) {
    names.push_back(a->get_parent() == nullptr ? "registryctl" : a->get_name());
  }
  std::reverse(names.begin(), names.end());
  return absl::StrJoin(names, " ");
}

// The commands under `app` that help shows (hidden ones have no group).
std::vector<const CLI::App*> Children(const CLI::App& app) {
  return app.get_subcommands(
      [](const CLI::App* a) { return !a->get_name().empty() && !a->get_group().empty(); });
}

const CLI::App* FindChild(const CLI::App& app, absl::string_view name) {
  for (const CLI::App* c :
       app.get_subcommands([](const CLI::App* a) { return !a->get_name().empty(); })) {
    if (c->check_name(std::string(name))) return c;
  }
  return nullptr;
}

// The option `token` names in `app` or, through fallthrough, one of its parents.
const CLI::Option* FindOption(const CLI::App& app, const std::string& token) {
  for (const CLI::App* a = &app; a != nullptr; a = a->get_parent()) {
    for (const CLI::Option* o : a->get_options()) {
      if (o->nonpositional() && o->check_name(token)) return o;
    }
  }
  return nullptr;
}

std::string Names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* c : Children(app)) names.push_back(c->get_name());
  return absl::StrJoin(names, ", ");
}

// Every long and short name of the options of `app` itself.
std::vector<std::string> OptionNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* o : app.get_options()) {
    if (!o->nonpositional()) continue;
    for (const auto& l : o->get_lnames()) names.push_back("--" + l);
    for (const auto& s : o->get_snames()) names.push_back("-" + s);
  }
  return names;
}

}  // namespace

int EditDistance(absl::string_view a, absl::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
  for (size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::optional<std::string> DiagnoseCommandLine(const CLI::App& root,
                                               const std::vector<std::string>& args) {
  const CLI::App* at = &root;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& token = args[i];
    if (token == "--") break;
    if (token == "-h" || token == "--help") return std::nullopt;
    if (absl::StartsWith(token, "-") && token.size() > 1) {
      if (token.find('=') != std::string::npos) continue;
      if (!absl::StartsWith(token, "--") && token.size() > 2) continue;  // -ojson
      const CLI::Option* o = FindOption(*at, token);
      if (o != nullptr && o->get_items_expected_min() > 0) ++i;  // its value
      continue;
    }
    if (Children(*at).empty()) return std::nullopt;  // a positional argument
    if (const CLI::App* next = FindChild(*at, token)) {
      at = next;
      continue;
    }
    std::string message = absl::StrCat("unknown command \"", token.substr(0, 64), "\" for \"",
                                       CommandPath(*at), "\"");
    std::string best;
    int best_distance = 3;
    for (const CLI::App* c : Children(*at)) {
      int dist = EditDistance(token, c->get_name());
      if (token.size() >= 2 && absl::StartsWith(c->get_name(), token)) dist = std::min(dist, 1);
      if (dist < best_distance) {
        best_distance = dist;
        best = c->get_name();
      }
    }
    if (!best.empty()) {
      absl::StrAppend(&message, "\n\ndid you mean \"", best, "\"?");
    } else {
      absl::StrAppend(&message, "\n\ncommands: ", Names(*at));
    }
    absl::StrAppend(&message, "\nrun '", CommandPath(*at), " --help' for usage");
    return message;
  }
  if (!Children(*at).empty() && at != &root) {
    return absl::StrCat("\"", CommandPath(*at), "\" needs a command: ", Names(*at), "\nrun '",
                        CommandPath(*at), " --help' for usage");
  }
  return std::nullopt;
}

void AddGlobalFlagsFooter(CLI::App& root) {
  std::function<void(CLI::App&)> walk = [&](CLI::App& app) {
    for (CLI::App* c : app.get_subcommands([](CLI::App* a) { return !a->get_name().empty(); })) {
      std::string footer = c->get_footer();
      if (!footer.empty()) footer += "\n\n";
      footer +=
          "Global flags (before or after the command; `registryctl options` lists them with their\n"
          "REGISTRYCTL_* variables): --registry, --gateway, --as, --tls-cert, --tls-key, "
          "--tls-ca,\n"
          "-o table|json|yaml|name, --timeout, --reveal, --context, --config\n";
      c->footer(footer);
      walk(*c);
    }
  };
  walk(root);
}

std::string GlobalFlagsText() {
  std::string out =
      "Global flags, accepted before or after any command. Each may also come from its\n"
      "variable, or from the selected context of the config file (flag, then variable, then\n"
      "context, then the default):\n\n";
  size_t width = 0;
  auto left = [](const GlobalFlag& f) { return f.value.empty() ? f.flag : f.flag + " " + f.value; };
  for (const GlobalFlag& f : GlobalFlags()) width = std::max(width, left(f).size());
  for (const GlobalFlag& f : GlobalFlags()) {
    std::string l = left(f);
    absl::StrAppend(&out, "  ", l, std::string(width - l.size() + 2, ' '), f.help, "\n",
                    std::string(width + 4, ' '), "env ", f.env,
                    f.key.empty() ? "" : absl::StrCat(", context key ", f.key), "\n");
  }
  absl::StrAppend(&out,
                  "\nConfig file (TOML), selected with --context or REGISTRYCTL_CONTEXT, else its\n"
                  "current-context:\n\n"
                  "  current-context = \"local\"\n\n"
                  "  [contexts.local]\n"
                  "  registry = \"127.0.0.1:7400\"\n"
                  "  as = \"registryctl\"\n\n"
                  "  [contexts.mtls]\n"
                  "  registry = \"127.0.0.1:7500\"\n"
                  "  tls-cert = \"/etc/collectonce/pki/registryctl/cert.pem\"\n"
                  "  tls-key = \"/etc/collectonce/pki/registryctl/key.pem\"\n"
                  "  tls-ca = \"/etc/collectonce/pki/ca.pem\"\n");
  return out;
}

std::vector<std::string> HelpExamples(const CLI::App& root) {
  std::vector<std::string> out;
  std::function<void(const CLI::App&)> walk = [&](const CLI::App& app) {
    for (absl::string_view line : absl::StrSplit(app.get_footer(), '\n')) {
      size_t at = line.find("registryctl ");
      if (at == absl::string_view::npos) continue;
      absl::string_view cmd = line.substr(at + std::string("registryctl ").size());
      // Only example lines; prose that mentions registryctl ("Run 'registryctl ...") is not.
      const absl::string_view before = absl::StripAsciiWhitespace(line.substr(0, at));
      if (!before.empty() && before != "Example:" && before != "Examples:" &&
          before != "source <(") {
        continue;
      }
      for (absl::string_view cut : {" #", " >", " |", ")", ";"}) {
        if (size_t c = cmd.find(cut); c != absl::string_view::npos) cmd = cmd.substr(0, c);
      }
      out.emplace_back(absl::StripAsciiWhitespace(cmd));
    }
    for (const CLI::App* c : Children(app)) walk(*c);
  };
  walk(root);
  return out;
}

std::string CompletionScript(const CLI::App& root, absl::string_view shell) {
  if (shell != "bash" && shell != "zsh") return "";
  // Per command path (words joined by spaces; "" for the root): its commands and options.
  std::map<std::string, std::pair<std::string, std::string>> table;
  std::function<void(const CLI::App&, const std::string&)> walk = [&](const CLI::App& app,
                                                                      const std::string& path) {
    std::vector<std::string> subs;
    for (const CLI::App* c : Children(app)) subs.push_back(c->get_name());
    table[path] = {absl::StrJoin(subs, " "), absl::StrJoin(OptionNames(app), " ")};
    for (const CLI::App* c : Children(app)) {
      walk(*c, path.empty() ? c->get_name() : absl::StrCat(path, " ", c->get_name()));
    }
  };
  walk(root, "");
  std::string out;
  if (shell == "zsh") {
    out =
        "#compdef registryctl\n"
        "# zsh: source <(registryctl completion zsh)\n"
        "autoload -U +X bashcompinit && bashcompinit\n";
  } else {
    out = "# bash: source <(registryctl completion bash)\n";
  }
  absl::StrAppend(&out, "declare -gA _registryctl_cmds _registryctl_opts\n");
  for (const auto& [path, entry] : table) {
    absl::StrAppend(&out, "_registryctl_cmds[\"/", path, "\"]=\"", entry.first, "\"\n");
    absl::StrAppend(&out, "_registryctl_opts[\"/", path, "\"]=\"", entry.second, "\"\n");
  }
  absl::StrAppend(&out, R"(_registryctl() {
  local cur="${COMP_WORDS[COMP_CWORD]}" path="" i w next
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    if [[ -z "$path" ]]; then next="$w"; else next="$path $w"; fi
    [[ -n "${_registryctl_cmds["/$next"]+x}" ]] && path="$next"
  done
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "${_registryctl_opts["/$path"]} ${_registryctl_opts["/"]}" -- "$cur"))
  elif [[ -n "${_registryctl_cmds["/$path"]}" ]]; then
    COMPREPLY=($(compgen -W "${_registryctl_cmds["/$path"]}" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o default -F _registryctl registryctl
)");
  return out;
}

}  // namespace collectonce::registryctl
