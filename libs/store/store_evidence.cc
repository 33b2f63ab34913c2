// Evidence status: which credentials a later change invalidated (docs/evidence.md).
#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "libs/base/error_reason.h"
#include "libs/store/keys.h"
#include "libs/store/rocksdb_store_impl.h"

namespace collectonce::store::internal {

absl::Status RocksDbStoreImpl::NoteEvidence(Group& g, const SubjectName& subject,
                                            const v1::AccessEvent& event, uint64_t index) {
  const std::string key = keys::Subject(subject);
  sv1::RecordState state;
  bool found = false;
  if (const std::string* bytes = g.Find(&Group::states, key)) {
    if (!state.ParseFromString(*bytes)) {
      return absl::InternalError("a state of this commit group is unreadable");
    }
    found = true;
  } else {
    auto read = ReadState(rocksdb::ReadOptions(), key, &state);
    if (!read.ok()) return read.status();
    found = *read;
  }
  const int64_t revision = found ? state.revision() : 0;
  if (revision != event.evidence().revision()) {
    return WithReason(absl::AbortedError(absl::StrCat(
                          subject.ToString(), " changed to revision ", revision,
                          " while the credential of revision ", event.evidence().revision(),
                          " was being issued; issue it again")),
                      "RECORD_CHANGED");
  }
  sv1::EvidenceEntry entry;
  entry.set_evidence_type(event.evidence().evidence_type());
  entry.set_revision(revision);
  for (const auto& f : event.fields()) entry.add_fields(f);
  for (const auto& f : event.masked_fields()) entry.add_fields(f);
  g.batch.Put(handles_[kGovernance], keys::EvidenceBySubject(subject, index),
              entry.SerializeAsString());
  g.evidence[key].emplace_back(index, std::move(entry));
  return absl::OkStatus();
}

absl::Status RocksDbStoreImpl::InvalidateEvidence(Group& g, const SubjectName& subject,
                                                  const v1::ChangeSet& cs, int64_t revision,
                                                  int64_t commit_time_us) {
  absl::flat_hash_set<std::string> changed;
  for (const auto& c : cs.changes()) changed.insert(c.field());
  auto attests_changed = [&changed](const sv1::EvidenceEntry& e) {
    return std::any_of(e.fields().begin(), e.fields().end(),
                       [&changed](const std::string& f) { return changed.contains(f); });
  };
  auto invalidated = [&g](uint64_t index) {
    for (const Group* x = &g; x != nullptr; x = x->earlier) {
      if (x->evidence_invalidated.contains(index)) return true;
    }
    return false;
  };
  // The subject's valid credentials: those on disk and those of this and the earlier group.
  std::vector<std::pair<uint64_t, sv1::EvidenceEntry>> candidates;
  const std::string prefix = keys::EvidenceSubjectPrefix(subject);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kGovernance]));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    sv1::EvidenceEntry e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a stored evidence entry is unreadable");
    }
    candidates.emplace_back(
        keys::EvidenceIndexSuffix(absl::string_view(it->key().data(), it->key().size())),
        std::move(e));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading evidence entries");
  const std::string key = keys::Subject(subject);
  for (const Group* x = &g; x != nullptr; x = x->earlier) {
    auto found = x->evidence.find(key);
    if (found == x->evidence.end()) continue;
    candidates.insert(candidates.end(), found->second.begin(), found->second.end());
  }
  sv1::EvidenceInvalidation why;
  why.set_revision(revision);
  why.set_time_us(commit_time_us);
  const std::string why_bytes = why.SerializeAsString();
  for (const auto& [index, entry] : candidates) {
    if (!attests_changed(entry) || invalidated(index)) continue;
    g.batch.Put(handles_[kGovernance], keys::EvidenceInvalid(index), why_bytes);
    g.batch.Delete(handles_[kGovernance], keys::EvidenceBySubject(subject, index));
    g.evidence_invalidated.insert(index);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint64_t>> RocksDbStoreImpl::ListInvalidEvidence(uint64_t from,
                                                                            uint64_t to) {
  std::vector<uint64_t> out;
  const std::string end = keys::EvidenceInvalid(to);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kGovernance]));
  for (it->Seek(keys::EvidenceInvalid(from)); it->Valid() && it->key().compare(end) < 0;
       it->Next()) {
    out.push_back(keys::EvidenceIndexSuffix(absl::string_view(it->key().data(), it->key().size())));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading evidence status");
  return out;
}

}  // namespace collectonce::store::internal
