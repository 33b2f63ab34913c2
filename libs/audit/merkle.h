// Append-only Merkle tree exactly as RFC 9162 section 2.1 (Certificate Transparency v2):
// SHA-256, leaf hash = SHA-256(0x00 || entry), node hash = SHA-256(0x01 || left || right),
// empty tree hash = SHA-256("").
//
// Storage model: the store keeps one hash per *perfect* aligned subtree, addressed by
// (level, index): the subtree of 2^level leaves starting at leaf index << level (level 0 is
// the leaf hash). Each such node is written exactly once, when its last leaf is appended
// (about two writes per leaf amortised), and never changes afterwards. Every root, inclusion
// proof and consistency proof of any past tree size is computed from these nodes with
// O(log n) reads.
//
// The Verify* functions need no storage; a client can use them with nothing but the proof,
// the sizes and the roots.
#ifndef COLLECTONCE_LIBS_AUDIT_MERKLE_H_
#define COLLECTONCE_LIBS_AUDIT_MERKLE_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace collectonce::audit {

using Hash = std::array<uint8_t, 32>;

// SHA-256("") = e3b0c442...b855, the root of the empty tree.
Hash EmptyTreeHash();
// SHA-256(0x00 || entry).
Hash LeafHash(absl::string_view entry);
// SHA-256(0x01 || left || right).
Hash NodeHash(const Hash& left, const Hash& right);
// Lowercase hex, 64 characters.
std::string HexHash(const Hash& hash);

// Read access to the stored perfect-subtree nodes. Implementations must be safe for
// concurrent calls if the caller shares one reader between threads.
class NodeReader {
 public:
  virtual ~NodeReader();

  // The hash of the perfect subtree of 2^level leaves starting at leaf (index << level);
  // level is in [0, 63]. The functions below only ask for nodes that lie inside the tree
  // size they were given; a node that is not stored (the size is beyond the stored tree)
  // should be reported as OUT_OF_RANGE, and any error is passed through to the caller.
  virtual absl::StatusOr<Hash> Subtree(int level, uint64_t index) const = 0;
};

// A node that became complete and must be stored: see MerkleAppender::Append.
struct NodeWrite {
  int level;
  uint64_t index;
  Hash hash;

  bool operator==(const NodeWrite& o) const {
    return level == o.level && index == o.index && hash == o.hash;
  }
};

// The right edge ("frontier") of the tree: the hashes of the perfect subtrees that make up
// the current tree, one per set bit of size() (at most 64), so that appending costs O(1)
// amortised hashing and Root() needs no reads. A value type; not thread-safe (callers
// serialise appends, which they must do anyway to assign leaf indexes).
class MerkleAppender {
 public:
  // The empty tree.
  MerkleAppender() = default;

  // Rebuilds the frontier of the tree of `size` leaves from storage: popcount(size) reads.
  // Errors from the reader are returned unchanged.
  static absl::StatusOr<MerkleAppender> Load(const NodeReader& reader, uint64_t size);

  // Appends one leaf (already hashed with LeafHash). Appends to *newly_completed (which is
  // not cleared; may be null to discard) the leaf node (level 0) followed by every perfect
  // subtree this leaf completes, lowest level first. The caller must store all of them for
  // Load, RootAt and the proof functions to work. Precondition: size() < UINT64_MAX.
  void Append(const Hash& leaf_hash, std::vector<NodeWrite>* newly_completed);

  uint64_t size() const { return size_; }

  // The hashes of the perfect subtrees that make up the tree, one per set bit of size(),
  // highest level first; the one for bit b is node (b, (size() >> b) - 1).
  const std::vector<Hash>& frontier() const { return frontier_; }

  // RFC 9162 MTH of the current tree (EmptyTreeHash() when empty), from the frontier alone.
  Hash Root() const;

 private:
  uint64_t size_ = 0;
  // One hash per set bit of size_, highest level first (i.e. left to right in the tree).
  std::vector<Hash> frontier_;
};

// RFC 9162 MTH of the first `size` leaves. popcount(size) reads.
absl::StatusOr<Hash> RootAt(const NodeReader& reader, uint64_t size);

// RFC 9162 2.1.3.1 PATH(leaf_index, D[tree_size]), deepest sibling first. O(log n) reads.
// OUT_OF_RANGE if leaf_index >= tree_size.
absl::StatusOr<std::vector<Hash>> InclusionProof(const NodeReader& reader, uint64_t leaf_index,
                                                 uint64_t tree_size);

// RFC 9162 2.1.4.1 PROOF(old_size, D[new_size]). O(log n) reads. Empty when
// old_size == new_size. INVALID_ARGUMENT if old_size == 0 or old_size > new_size.
absl::StatusOr<std::vector<Hash>> ConsistencyProof(const NodeReader& reader, uint64_t old_size,
                                                   uint64_t new_size);

// RFC 9162 2.1.3.2. OK iff `proof` shows that `leaf_hash` is leaf number `leaf_index` of the
// tree of `tree_size` leaves whose root is `root`. INVALID_ARGUMENT if
// leaf_index >= tree_size; DATA_LOSS (with what did not match) for a proof of the wrong
// length or one that does not lead to `root`. Safe for any input.
absl::Status VerifyInclusion(const Hash& leaf_hash, uint64_t leaf_index, uint64_t tree_size,
                             absl::Span<const Hash> proof, const Hash& root);

// RFC 9162 2.1.4.2. OK iff `proof` shows that the tree of old_size leaves with root
// `old_root` is a prefix of the tree of new_size leaves with root `new_root`. When
// old_size == new_size the proof must be empty and the roots equal. INVALID_ARGUMENT if
// old_size == 0 (every tree extends the empty one; there is nothing to prove) or
// old_size > new_size; DATA_LOSS (with what did not match) otherwise. Safe for any input.
absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                               const Hash& new_root, absl::Span<const Hash> proof);

// In-memory node storage for tests and for clients that mirror the log. Not thread-safe
// for Apply concurrent with anything else; concurrent Subtree calls are fine.
class MemoryNodeStore : public NodeReader {
 public:
  // Missing nodes are OUT_OF_RANGE.
  absl::StatusOr<Hash> Subtree(int level, uint64_t index) const override;

  // Stores the nodes (later writes of the same node replace earlier ones).
  void Apply(const std::vector<NodeWrite>& writes);

  size_t node_count() const { return nodes_.size(); }

 private:
  std::map<std::pair<int, uint64_t>, Hash> nodes_;
};

}  // namespace collectonce::audit

#endif  // COLLECTONCE_LIBS_AUDIT_MERKLE_H_
