#include "libs/audit/node_cache.h"

namespace collectonce::audit {

absl::StatusOr<Hash> NodeCache::Subtree(int level, uint64_t index) const {
  auto key = std::make_pair(level, index);
  if (auto it = nodes_.find(key); it != nodes_.end()) return it->second;
  ++misses_;
  absl::StatusOr<Hash> h = base_.Subtree(level, index);
  if (h.ok()) nodes_.emplace(key, *h);
  return h;
}

}  // namespace collectonce::audit
