#include "tools/registryctl/duplicate_keys.h"

#include <algorithm>
#include <functional>
#include <queue>

#include "absl/hash/hash.h"

namespace collectonce::registryctl {

uint64_t DuplicateKeys::Hash(absl::string_view key) {
  // absl::Hash is seeded per process: both readings of a file happen in one process.
  return static_cast<uint64_t>(absl::Hash<absl::string_view>{}(key));
}

void DuplicateKeys::Add(absl::string_view key) {
  if (blocks_.empty() || blocks_.back().size() == block_) {
    blocks_.emplace_back().reserve(block_);
  }
  blocks_.back().push_back(Hash(key));
}

bool DuplicateKeys::Finish() {
  for (auto& b : blocks_) std::sort(b.begin(), b.end());
  // Merge the sorted blocks; equal hashes come out next to each other.
  using Cursor = std::pair<uint64_t, size_t>;  // (hash, block)
  std::priority_queue<Cursor, std::vector<Cursor>, std::greater<Cursor>> heap;
  std::vector<size_t> at(blocks_.size(), 0);
  for (size_t i = 0; i < blocks_.size(); ++i) {
    if (!blocks_[i].empty()) heap.emplace(blocks_[i][0], i);
  }
  bool have_last = false;
  uint64_t last = 0;
  while (!heap.empty()) {
    const auto [hash, i] = heap.top();
    heap.pop();
    if (have_last && hash == last) shared_.insert(hash);
    have_last = true;
    last = hash;
    if (++at[i] < blocks_[i].size()) heap.emplace(blocks_[i][at[i]], i);
  }
  blocks_.clear();
  blocks_.shrink_to_fit();
  return !shared_.empty();
}

bool DuplicateKeys::Suspect(absl::string_view key) const { return shared_.contains(Hash(key)); }

std::vector<std::pair<int, int>> DuplicateKeys::Confirm(
    std::vector<std::pair<std::string, int>> keys) {
  std::sort(keys.begin(), keys.end());
  std::vector<std::pair<int, int>> out;
  for (size_t i = 1, first = 0; i < keys.size(); ++i) {
    if (keys[i].first != keys[first].first) {
      first = i;
    } else {
      out.emplace_back(keys[i].second, keys[first].second);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace collectonce::registryctl
