// A NodeReader that remembers what it read: the inclusion proofs of leaves proven against one
// tree head share most of their nodes, so a batch of them reads each node once. Perfect
// subtrees never change once complete, so nothing it holds goes stale. Not thread-safe: one
// per batch.
#ifndef COLLECTONCE_LIBS_AUDIT_NODE_CACHE_H_
#define COLLECTONCE_LIBS_AUDIT_NODE_CACHE_H_

#include <cstdint>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "libs/audit/merkle.h"

namespace collectonce::audit {

class NodeCache final : public NodeReader {
 public:
  // `base` outlives this.
  explicit NodeCache(const NodeReader& base) : base_(base) {}

  // Errors are passed through and not remembered.
  absl::StatusOr<Hash> Subtree(int level, uint64_t index) const override;

  // Reads that went to `base`.
  int misses() const { return misses_; }

 private:
  const NodeReader& base_;
  mutable absl::flat_hash_map<std::pair<int, uint64_t>, Hash> nodes_;
  mutable int misses_ = 0;
};

}  // namespace collectonce::audit

#endif  // COLLECTONCE_LIBS_AUDIT_NODE_CACHE_H_
