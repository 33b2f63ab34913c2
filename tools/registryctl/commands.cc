#include "tools/registryctl/commands.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace collectonce::registryctl {

namespace {

// Function-local, so that registration from other files' static initializers is safe.
std::vector<std::pair<int, AddCommandsFn>>& Groups() {
  static auto* groups = new std::vector<std::pair<int, AddCommandsFn>>();
  return *groups;
}

}  // namespace

CommandGroup::CommandGroup(int order, AddCommandsFn add) { Groups().emplace_back(order, add); }

void AddRegisteredCommands(CLI::App& app, const Globals& globals, Action* action) {
  auto groups = Groups();
  std::stable_sort(groups.begin(), groups.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, add] : groups) add(app, globals, action);
}

}  // namespace collectonce::registryctl
