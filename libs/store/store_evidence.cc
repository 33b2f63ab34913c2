// Evidence status: which credentials a later change invalidated (docs/evidence.md).
#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "libs/base/error_reason.h"
#include "libs/store/keys.h"
#include "libs/store/rocksdb_store_impl.h"

namespace collectonce::store::internal {

namespace {

// The revision (field 1) of a serialized RecordState, without parsing the rest: the
// committer compares it with the revision a credential was prepared from, nothing else.
// 0 for a state without one; nullopt if the bytes are not a RecordState.
std::optional<int64_t> RevisionOf(absl::string_view bytes) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  int64_t revision = 0;
  for (uint32_t tag = in.ReadTag(); tag != 0; tag = in.ReadTag()) {
    if (tag == WireFormatLite::MakeTag(sv1::RecordState::kRevisionFieldNumber,
                                       WireFormatLite::WIRETYPE_VARINT)) {
      uint64_t v;
      if (!in.ReadVarint64(&v)) return std::nullopt;
      revision = static_cast<int64_t>(v);
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return std::nullopt;
    }
  }
  if (!in.ConsumedEntireMessage()) return std::nullopt;
  return revision;
}

}  // namespace

absl::Status RocksDbStoreImpl::NoteEvidence(Group& g, const SubjectName& subject,
                                            const v1::AccessEvent& event, uint64_t index) {
  const std::string key = keys::Subject(subject);
  // The subject's revision now: of this group's state, else of the stored one.
  std::optional<int64_t> revision;
  if (const std::string* bytes = g.Find(&Group::states, key)) {
    revision = RevisionOf(*bytes);
    if (!revision) return absl::InternalError("a state of this commit group is unreadable");
  } else {
    rocksdb::PinnableSlice pinned;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kCurrent], key, &pinned);
    absl::string_view inner;
    if (s.IsNotFound()) {
      revision = 0;
    } else if (!s.ok()) {
      return FromRocks(s, "reading a record");
    } else if (mac_.Open(SealedKind::kState, key, absl::string_view(pinned.data(), pinned.size()),
                         &inner)) {
      revision = RevisionOf(inner);
    }
    if (!revision) {
      // Altered or unsealed: the full read names what is wrong.
      sv1::RecordState state;
      auto read = ReadState(rocksdb::ReadOptions(), key, &state);
      if (!read.ok()) return read.status();
      revision = state.revision();
    }
  }
  if (*revision != event.evidence().revision()) {
    return WithReason(absl::AbortedError(absl::StrCat(
                          subject.ToString(), " changed to revision ", *revision,
                          " while the credential of revision ", event.evidence().revision(),
                          " was being issued; issue it again")),
                      "RECORD_CHANGED");
  }
  sv1::EvidenceEntry entry;
  entry.set_evidence_type(event.evidence().evidence_type());
  entry.set_revision(*revision);
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
