// The same subject twice in one import file, found in 8 bytes a row: each key is kept as a
// 64-bit hash (in blocks, sorted and merged at the end, so that no large array is ever
// copied); the few keys whose hashes meet are then compared in full, from a second reading
// of the file, so that a collision of hashes is never reported as a duplicate.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_DUPLICATE_KEYS_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_DUPLICATE_KEYS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"

namespace collectonce::registryctl {

class DuplicateKeys {
 public:
  explicit DuplicateKeys(size_t block = size_t{1} << 20) : block_(block) {}

  void Add(absl::string_view key);
  // After the last Add: whether any two keys share a hash (then see Suspect and Confirm).
  bool Finish();
  // Whether `key`'s hash is one that several keys share.
  bool Suspect(absl::string_view key) const;
  // From the suspects' (key, line) pairs: (line, first line with the same key) for each
  // line whose key an earlier line has, in line order.
  static std::vector<std::pair<int, int>> Confirm(std::vector<std::pair<std::string, int>> keys);

 private:
  static uint64_t Hash(absl::string_view key);

  size_t block_;
  std::vector<std::vector<uint64_t>> blocks_;
  absl::flat_hash_set<uint64_t> shared_;
};

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_DUPLICATE_KEYS_H_
