#include "tools/registryctl/json_diff.h"

#include "absl/strings/str_cat.h"

namespace collectonce::registryctl {

namespace {

using Json = nlohmann::ordered_json;

std::string Text(const Json& j) {
  std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  return s.size() > 200 ? s.substr(0, 197) + "..." : s;
}

// The member naming each element of a list of objects, if every element has it as a string.
std::string IdentityOf(const Json& a, const Json& b) {
  for (const char* id : {"key", "name", "matter", "field", "source"}) {
    bool all = true;
    for (const Json* list : {&a, &b}) {
      for (const auto& e : *list) {
        if (!e.is_object() || !e.contains(id) || !e[id].is_string()) all = false;
      }
    }
    if (all) return id;
  }
  return "";
}

void Diff(const Json& before, const Json& after, const std::string& path,
          std::vector<std::string>* out) {
  if (before == after) return;
  const std::string at = path.empty() ? "(document)" : path;
  auto member = [&](const std::string& key) { return path.empty() ? key : path + "." + key; };
  if (before.is_object() && after.is_object()) {
    for (const auto& [key, value] : before.items()) {
      if (!after.contains(key)) {
        out->push_back(absl::StrCat("- ", member(key), ": ", Text(value)));
      } else {
        Diff(value, after[key], member(key), out);
      }
    }
    for (const auto& [key, value] : after.items()) {
      if (!before.contains(key)) out->push_back(absl::StrCat("+ ", member(key), ": ", Text(value)));
    }
    return;
  }
  if (before.is_array() && after.is_array()) {
    const std::string id = IdentityOf(before, after);
    if (!id.empty()) {
      auto find = [&](const Json& list, const std::string& name) -> const Json* {
        for (const auto& e : list) {
          if (e[id].get<std::string>() == name) return &e;
        }
        return nullptr;
      };
      for (const auto& e : before) {
        const std::string name = e[id].get<std::string>();
        const std::string item = absl::StrCat(at, "[", name, "]");
        if (const Json* other = find(after, name)) {
          Diff(e, *other, item, out);
        } else {
          out->push_back(absl::StrCat("- ", item));
        }
      }
      for (const auto& e : after) {
        const std::string name = e[id].get<std::string>();
        if (find(before, name) == nullptr) {
          out->push_back(absl::StrCat("+ ", at, "[", name, "]: ", Text(e)));
        }
      }
      return;
    }
  }
  out->push_back(absl::StrCat("~ ", at, ": ", Text(before), " -> ", Text(after)));
}

}  // namespace

std::vector<std::string> JsonDiff(const Json& before, const Json& after) {
  std::vector<std::string> out;
  Diff(before, after, "", &out);
  return out;
}

}  // namespace collectonce::registryctl
