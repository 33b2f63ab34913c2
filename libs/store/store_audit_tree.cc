#include <algorithm>

#include "absl/numeric/bits.h"
#include "absl/strings/str_cat.h"
#include "libs/store/audit_value.h"
#include "libs/store/keys.h"
#include "libs/store/rocksdb_store_impl.h"

namespace collectonce::store::internal {

// The low edge of a tree of `size` leaves from its hashes, highest level first (one per set
// bit of size mod 16).
LowEdge MakeLowEdge(uint64_t size, const audit::Hash* hash) {
  LowEdge edge;
  for (int level = kLowestStoredAuditLevel - 1; level >= 0; --level) {
    if ((size >> level & 1) != 0) edge.push_back({level, (size >> level) - 1, *hash++});
  }
  return edge;
}

LowEdge LowEdgeOf(const audit::MerkleAppender& tree) {
  const auto& frontier = tree.frontier();
  const int low = absl::popcount(tree.size() & kLowLevelsMask);
  return MakeLowEdge(tree.size(), frontier.data() + frontier.size() - low);
}

void DbNodeReader::SetLowEdge(LowEdge edge) {
  absl::MutexLock lock(&mu_);
  edge_ = std::move(edge);
}

absl::StatusOr<audit::Hash> DbNodeReader::Subtree(int level, uint64_t index) const {
  absl::StatusOr<audit::Hash> h = Find(level, index);
  if (absl::IsNotFound(h.status())) {
    return absl::DataLossError(absl::StrCat("the audit log is damaged: ", h.status().message()));
  }
  return h;
}

absl::StatusOr<audit::Hash> DbNodeReader::Find(int level, uint64_t index) const {
  if (level < kLowestStoredAuditLevel) {
    {
      absl::MutexLock lock(&mu_);
      for (const auto& n : edge_) {
        if (n.level == level && n.index == index) return n.hash;
      }
    }
    // Entries written before format 4 have their low nodes stored: the hashes the log was
    // built from, which outrank a recomputation from bytes that may have changed since.
    auto stored = Stored(level, index);
    if (stored.ok() || !absl::IsNotFound(stored.status())) return stored;
    return FromEntries(level, index);
  }
  return Stored(level, index);
}

absl::StatusOr<audit::Hash> DbNodeReader::Stored(int level, uint64_t index) const {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_, keys::AuditNode(level, index), &v);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("audit node ", level, "/", index, " not stored"));
  }
  if (!s.ok()) return FromRocks(s, "audit node");
  if (v.size() != 32) return absl::DataLossError("audit node has the wrong size");
  audit::Hash h;
  std::copy(v.begin(), v.end(), h.begin());
  return h;
}

absl::StatusOr<audit::Hash> DbNodeReader::FromEntries(int level, uint64_t index) const {
  const uint64_t first = index << level;
  const uint64_t count = uint64_t{1} << level;
  auto missing = [&](uint64_t i) {
    return absl::NotFoundError(absl::StrCat("audit entry ", i, " not stored"));
  };
  if ((first >> level) != index) return missing(UINT64_MAX);
  audit::MerkleAppender tree;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), entries_));
  it->Seek(keys::AuditIndex(first));
  for (uint64_t i = first; i - first < count; ++i, it->Next()) {
    if (!it->Valid()) {
      if (!it->status().ok()) return FromRocks(it->status(), "reading the audit log");
      return missing(i);
    }
    if (it->key() != keys::AuditIndex(i)) return missing(i);
    tree.Append(
        LeafHashOf(DecodeAuditValue(absl::string_view(it->value().data(), it->value().size()))),
        nullptr);
  }
  return tree.Root();
}

}  // namespace collectonce::store::internal
