// A field-level difference of two JSON documents, for `apply --dry-run` (what kubectl diff
// shows): objects compared member by member, lists of objects matched by their identity
// member ("key", "name", "matter", "field") so that a reordered or inserted entry is one
// line, not a shifted list.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_JSON_DIFF_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_JSON_DIFF_H_

#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace collectonce::registryctl {

// One line per difference: "~ path: old -> new", "+ path: new", "- path: old", where a
// path is "title", "formFields[mobile_phone].required" or "roles". Empty when equal.
std::vector<std::string> JsonDiff(const nlohmann::ordered_json& before,
                                  const nlohmann::ordered_json& after);

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_JSON_DIFF_H_
