// Recomputes the log from its entries, as an independent verifier would: every entry in its
// place, every leaf hash as stored, the tree equal to a signed head, and an earlier saved
// head still a prefix. Stops at the first problem and names the entry.
#ifndef COLLECTONCE_LIBS_AUDIT_LOG_VERIFIER_H_
#define COLLECTONCE_LIBS_AUDIT_LOG_VERIFIER_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "libs/audit/merkle.h"
#include "libs/audit/tree_head.h"

namespace collectonce::audit {

class LogVerifier {
 public:
  // `earlier` (optional) is a head saved before; its signature is checked in Finish.
  explicit LogVerifier(std::optional<TreeHead> earlier = std::nullopt)
      : earlier_(std::move(earlier)) {}

  // The next entry. `key_index` is the index it is stored under, `declared_index` the index
  // written inside it; both must equal its position. `stored_leaf_hash` (may be empty) is
  // the leaf hash the log holds for the position. DATA_LOSS names the entry on a mismatch.
  absl::Status Add(uint64_t key_index, uint64_t declared_index, absl::string_view bytes,
                   absl::string_view stored_leaf_hash);

  // The recomputed tree must equal `head` (whose signature by `public_key` must verify),
  // and the earlier head, if any, must be the tree at its size.
  absl::Status Finish(const TreeHead& head, absl::string_view signature,
                      absl::string_view public_key, absl::string_view earlier_signature = "");

  uint64_t size() const { return appender_.size(); }

 private:
  std::optional<TreeHead> earlier_;
  std::optional<Hash> earlier_root_seen_;
  MerkleAppender appender_;
};

}  // namespace collectonce::audit

#endif  // COLLECTONCE_LIBS_AUDIT_LOG_VERIFIER_H_
