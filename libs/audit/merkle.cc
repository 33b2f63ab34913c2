#include "libs/audit/merkle.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/crypto/sha256.h"

namespace collectonce::audit {
namespace {

// SHA-256 over the concatenation of `parts`.
Hash Sha256Of(std::initializer_list<absl::string_view> parts) { return crypto::Sha256Of(parts); }

absl::string_view AsView(const Hash& h) {
  return absl::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

int BitLength(uint64_t v) { return v == 0 ? 0 : 64 - __builtin_clzll(v); }
int PopCount(uint64_t v) { return __builtin_popcountll(v); }
// v >> s, and 0 for s == 64 (where the built-in shift is undefined).
uint64_t ShiftRight(uint64_t v, int s) { return s >= 64 ? 0 : v >> s; }

// The largest power of two strictly smaller than n (RFC 9162's k); n >= 2.
uint64_t SplitPoint(uint64_t n) { return uint64_t{1} << (BitLength(n - 1) - 1); }

// Folds the hashes of consecutive perfect subtrees of strictly decreasing size (left to
// right) into the MTH of their union: by the MTH definition the left piece is always the
// largest power of two, so the result nests to the right.
Hash FoldRight(const std::vector<Hash>& pieces) {
  Hash h = pieces.back();
  for (size_t i = pieces.size() - 1; i-- > 0;) h = NodeHash(pieces[i], h);
  return h;
}

// MTH(D[begin:end]) for a range that is either a perfect aligned subtree (one read) or a
// right-edge range whose pieces, one per set bit of end - begin, are each aligned: that
// is every range the RFC 9162 recursions produce. popcount(end - begin) reads.
absl::StatusOr<Hash> RangeHash(const NodeReader& reader, uint64_t begin, uint64_t end) {
  const uint64_t n = end - begin;
  std::vector<Hash> pieces;
  pieces.reserve(PopCount(n));
  uint64_t pos = begin;
  for (int level = BitLength(n) - 1; level >= 0; --level) {
    const uint64_t width = uint64_t{1} << level;
    if ((n & width) == 0) continue;
    if (pos % width != 0) {
      return absl::InternalError(absl::StrCat("merkle: unaligned range [", begin, ", ", end, ")"));
    }
    ASSIGN_OR_RETURN(Hash h, reader.Subtree(level, pos >> level));
    pieces.push_back(h);
    pos += width;
  }
  return FoldRight(pieces);
}

// PATH(m, D[begin:end]) with m relative to begin, appended deepest first.
absl::Status Path(const NodeReader& reader, uint64_t m, uint64_t begin, uint64_t end,
                  std::vector<Hash>* out) {
  const uint64_t n = end - begin;
  if (n == 1) return absl::OkStatus();
  const uint64_t k = SplitPoint(n);
  if (m < k) {
    RETURN_IF_ERROR(Path(reader, m, begin, begin + k, out));
    ASSIGN_OR_RETURN(Hash h, RangeHash(reader, begin + k, end));
    out->push_back(h);
  } else {
    RETURN_IF_ERROR(Path(reader, m - k, begin + k, end, out));
    ASSIGN_OR_RETURN(Hash h, RangeHash(reader, begin, begin + k));
    out->push_back(h);
  }
  return absl::OkStatus();
}

// SUBPROOF(m, D[begin:end], b) with m relative to begin.
absl::Status SubProof(const NodeReader& reader, uint64_t m, uint64_t begin, uint64_t end, bool b,
                      std::vector<Hash>* out) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (!b) {
      ASSIGN_OR_RETURN(Hash h, RangeHash(reader, begin, end));
      out->push_back(h);
    }
    return absl::OkStatus();
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    RETURN_IF_ERROR(SubProof(reader, m, begin, begin + k, b, out));
    ASSIGN_OR_RETURN(Hash h, RangeHash(reader, begin + k, end));
    out->push_back(h);
  } else {
    RETURN_IF_ERROR(SubProof(reader, m - k, begin + k, end, false, out));
    ASSIGN_OR_RETURN(Hash h, RangeHash(reader, begin, begin + k));
    out->push_back(h);
  }
  return absl::OkStatus();
}

absl::Status Mismatch(const char* what, const Hash& got, const Hash& want) {
  return absl::DataLossError(
      absl::StrCat(what, ": computed ", HexHash(got), ", expected ", HexHash(want)));
}

}  // namespace

Hash EmptyTreeHash() { return Sha256Of({}); }

Hash LeafHash(absl::string_view entry) {
  static constexpr char kLeafPrefix = 0x00;
  return Sha256Of({absl::string_view(&kLeafPrefix, 1), entry});
}

Hash NodeHash(const Hash& left, const Hash& right) {
  static constexpr char kNodePrefix = 0x01;
  return Sha256Of({absl::string_view(&kNodePrefix, 1), AsView(left), AsView(right)});
}

std::string HexHash(const Hash& hash) {
  // absl::string_view is not absl::string_view in this Abseil build.
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()));
}

NodeReader::~NodeReader() = default;

absl::StatusOr<MerkleAppender> MerkleAppender::Load(const NodeReader& reader, uint64_t size) {
  MerkleAppender a;
  a.size_ = size;
  a.frontier_.reserve(PopCount(size));
  for (int level = 63; level >= 0; --level) {
    if ((size >> level & 1) == 0) continue;
    ASSIGN_OR_RETURN(Hash h, reader.Subtree(level, (size >> level) - 1));
    a.frontier_.push_back(h);
  }
  return a;
}

void MerkleAppender::Append(const Hash& leaf_hash, std::vector<NodeWrite>* newly_completed) {
  if (size_ == UINT64_MAX) {
    std::fprintf(stderr, "collectonce::audit: Merkle tree is full\n");
    std::abort();
  }
  if (newly_completed != nullptr) newly_completed->push_back({0, size_, leaf_hash});
  frontier_.push_back(leaf_hash);
  ++size_;
  // Like a binary increment: each trailing zero bit of the new size is a carry, i.e. two
  // equal-sized subtrees at the end of the frontier that now form a perfect one.
  for (int level = 1; level < 64 && (size_ & ((uint64_t{1} << level) - 1)) == 0; ++level) {
    Hash right = frontier_.back();
    frontier_.pop_back();
    Hash combined = NodeHash(frontier_.back(), right);
    frontier_.back() = combined;
    if (newly_completed != nullptr) {
      newly_completed->push_back({level, (size_ >> level) - 1, combined});
    }
  }
}

Hash MerkleAppender::Root() const {
  if (frontier_.empty()) return EmptyTreeHash();
  return FoldRight(frontier_);
}

absl::StatusOr<Hash> RootAt(const NodeReader& reader, uint64_t size) {
  if (size == 0) return EmptyTreeHash();
  return RangeHash(reader, 0, size);
}

absl::StatusOr<std::vector<Hash>> InclusionProof(const NodeReader& reader, uint64_t leaf_index,
                                                 uint64_t tree_size) {
  if (leaf_index >= tree_size) {
    return absl::OutOfRangeError(absl::StrCat("inclusion proof: leaf index ", leaf_index,
                                              " is not in a tree of size ", tree_size));
  }
  std::vector<Hash> proof;
  RETURN_IF_ERROR(Path(reader, leaf_index, 0, tree_size, &proof));
  return proof;
}

absl::StatusOr<std::vector<Hash>> ConsistencyProof(const NodeReader& reader, uint64_t old_size,
                                                   uint64_t new_size) {
  if (old_size == 0 || old_size > new_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "consistency proof: need 0 < old_size <= new_size, got ", old_size, " and ", new_size));
  }
  std::vector<Hash> proof;
  RETURN_IF_ERROR(SubProof(reader, old_size, 0, new_size, true, &proof));
  return proof;
}

absl::Status VerifyInclusion(const Hash& leaf_hash, uint64_t leaf_index, uint64_t tree_size,
                             absl::Span<const Hash> proof, const Hash& root) {
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(absl::StrCat("inclusion: leaf index ", leaf_index,
                                                   " is not in a tree of size ", tree_size));
  }
  // The length is fully determined by index and size: the levels below the point where the
  // leaf's path leaves the right edge, plus one for each left sibling above it. Checking it
  // first gives a clearer error than the RFC loop would.
  const int inner = BitLength(leaf_index ^ (tree_size - 1));
  const size_t want_len = inner + PopCount(ShiftRight(leaf_index, inner));
  if (proof.size() != want_len) {
    return absl::DataLossError(absl::StrCat("inclusion: proof has ", proof.size(),
                                            " hashes, a tree of size ", tree_size, " at index ",
                                            leaf_index, " needs ", want_len));
  }
  // RFC 9162 2.1.3.2, step by step.
  uint64_t fn = leaf_index;
  uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return absl::DataLossError("inclusion: proof is too long");
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::DataLossError("inclusion: proof is too short");
  if (r != root) return Mismatch("inclusion: root", r, root);
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                               const Hash& new_root, absl::Span<const Hash> proof) {
  if (old_size == 0 || old_size > new_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "consistency: need 0 < old_size <= new_size, got ", old_size, " and ", new_size));
  }
  if (old_size == new_size) {
    if (!proof.empty()) {
      return absl::DataLossError(absl::StrCat("consistency: equal sizes need an empty proof, got ",
                                              proof.size(), " hashes"));
    }
    if (old_root != new_root)
      return Mismatch("consistency: equal sizes but root", old_root, new_root);
    return absl::OkStatus();
  }
  // Expected length: an inclusion proof of leaf old_size - 1 in the new tree, minus the
  // levels inside the largest perfect subtree that ends at old_size (whose root the proof
  // gives once instead, unless it is the whole old tree, i.e. old_size is a power of two).
  const int shift = __builtin_ctzll(old_size);
  const int inner = BitLength((old_size - 1) ^ (new_size - 1));
  const bool old_is_power_of_two = (old_size & (old_size - 1)) == 0;
  const size_t want_len =
      (old_is_power_of_two ? 0 : 1) + (inner - shift) + PopCount(ShiftRight(old_size - 1, inner));
  if (proof.size() != want_len) {
    return absl::DataLossError(absl::StrCat("consistency: proof has ", proof.size(),
                                            " hashes, sizes ", old_size, " -> ", new_size, " need ",
                                            want_len));
  }
  // RFC 9162 2.1.4.2, step by step; "prepend old_root" is done by choosing the seed.
  size_t next = 0;
  Hash seed;
  if (old_is_power_of_two) {
    seed = old_root;
  } else {
    seed = proof[next++];
  }
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = seed;
  Hash sr = seed;
  for (; next < proof.size(); ++next) {
    const Hash& c = proof[next];
    if (sn == 0) return absl::DataLossError("consistency: proof is too long");
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::DataLossError("consistency: proof is too short");
  if (fr != old_root) return Mismatch("consistency: old root", fr, old_root);
  if (sr != new_root) return Mismatch("consistency: new root", sr, new_root);
  return absl::OkStatus();
}

absl::StatusOr<Hash> MemoryNodeStore::Subtree(int level, uint64_t index) const {
  auto it = nodes_.find({level, index});
  if (it == nodes_.end()) {
    return absl::OutOfRangeError(absl::StrCat("no Merkle node at level ", level, " index ", index));
  }
  return it->second;
}

void MemoryNodeStore::Apply(const std::vector<NodeWrite>& writes) {
  for (const NodeWrite& w : writes) nodes_[{w.level, w.index}] = w.hash;
}

}  // namespace collectonce::audit
