// Sealed values (libs/store/state_mac.h): opening what reads serve, sealing an older store's
// values at open, and the proof that every stored state is the fold of its change sets.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_macros.h"
#include "libs/store/keys.h"
#include "libs/store/rocksdb_store_impl.h"
#include "libs/store/state_fold.h"

namespace collectonce::store::internal {
namespace {

std::string SubjectText(absl::string_view subject_key) {
  SubjectName subject;
  if (!keys::ParseSubject(&subject_key, &subject)) return "a subject with an unreadable key";
  return subject.ToString();
}

// Values sealed per write batch while an older store is sealed at open.
constexpr int kSealBatch = 4096;

}  // namespace

absl::Status RocksDbStoreImpl::Altered(absl::string_view what, absl::string_view subject_key,
                                       int64_t revision) {
  altered_refused_.fetch_add(1, std::memory_order_relaxed);
  return StoredDataAltered(what, SubjectText(subject_key), revision);
}

absl::Status RocksDbStoreImpl::OpenState(absl::string_view subject_key, int64_t revision,
                                         absl::string_view stored, sv1::RecordState* state,
                                         std::string* inner_bytes) {
  const absl::string_view what = revision == 0 ? "current state" : "snapshot";
  absl::string_view inner;
  if (!mac_.Open(SealedKind::kState, subject_key, stored, &inner)) {
    // Name the revision the bytes claim, if they still parse; never serve them.
    sv1::RecordState claimed;
    const int64_t named =
        revision != 0 ? revision
        : StateMac::IsSealed(stored) &&
                claimed.ParseFromArray(stored.data() + StateMac::kOverhead,
                                       static_cast<int>(stored.size() - StateMac::kOverhead))
            ? claimed.revision()
            : 0;
    return Altered(what, subject_key, named);
  }
  if (!state->ParseFromArray(inner.data(), static_cast<int>(inner.size())) ||
      (revision != 0 && state->revision() != revision)) {
    return Altered(what, subject_key, revision != 0 ? revision : state->revision());
  }
  if (inner_bytes != nullptr) inner_bytes->assign(inner.data(), inner.size());
  return absl::OkStatus();
}

absl::Status RocksDbStoreImpl::CheckIndexEntry(absl::string_view lookup_field,
                                               absl::string_view lookup_hash,
                                               const SubjectName& person,
                                               const sv1::RecordState* state) {
  if (state != nullptr) {
    for (const auto& f : state->fields()) {
      if (f.field() == lookup_field && f.has_value() &&
          options_.index_hash.Hash(f.value().string_value()) == lookup_hash) {
        return absl::OkStatus();
      }
    }
  }
  return Altered("person index entry", keys::Subject(person), state ? state->revision() : 0);
}

absl::Status RocksDbStoreImpl::CheckIndexedPerson(const Group* g, absl::string_view lookup_field,
                                                  absl::string_view lookup_hash,
                                                  const std::string& pid) {
  const SubjectName person{v1::PERSON, pid};
  const std::string key = keys::Subject(person);
  sv1::RecordState state;
  bool found = false;
  if (const std::string* bytes = g != nullptr ? g->Find(&Group::states, key) : nullptr) {
    if (!state.ParseFromString(*bytes)) {
      return absl::InternalError("a state of this commit group is unreadable");
    }
    found = true;
  } else {
    ASSIGN_OR_RETURN(found, ReadState(rocksdb::ReadOptions(), key, &state));
  }
  return CheckIndexEntry(lookup_field, lookup_hash, person, found ? &state : nullptr);
}

absl::Status RocksDbStoreImpl::OpenChangeSet(absl::string_view subject_key, int64_t revision,
                                             absl::string_view stored, v1::ChangeSet* cs,
                                             std::string* inner_bytes) {
  absl::string_view inner;
  if (!mac_.Open(SealedKind::kChangeSet, subject_key, stored, &inner) ||
      !cs->ParseFromArray(inner.data(), static_cast<int>(inner.size())) ||
      cs->revision() != revision) {
    return Altered("change set", subject_key, revision);
  }
  if (inner_bytes != nullptr) inner_bytes->assign(inner.data(), inner.size());
  return absl::OkStatus();
}

absl::Status RocksDbStoreImpl::OpenAssertion(absl::string_view key, absl::string_view stored,
                                             sv1::Assertion* a) {
  absl::string_view inner;
  if (!mac_.Open(SealedKind::kAssertion, key, stored, &inner) ||
      !a->ParseFromArray(inner.data(), static_cast<int>(inner.size()))) {
    return Altered("valid-time entry", key, keys::RevisionSuffix(key));
  }
  return absl::OkStatus();
}

absl::Status RocksDbStoreImpl::OpenObject(absl::string_view key, absl::string_view name,
                                          absl::string_view stored, sv1::GovernanceObject* obj) {
  absl::string_view inner;
  if (mac_.Open(SealedKind::kObject, key, stored, &inner) &&
      obj->ParseFromArray(inner.data(), static_cast<int>(inner.size()))) {
    return absl::OkStatus();
  }
  altered_refused_.fetch_add(1, std::memory_order_relaxed);
  sv1::GovernanceObject claimed;
  const int64_t version =
      StateMac::IsSealed(stored) &&
              claimed.ParseFromArray(stored.data() + StateMac::kOverhead,
                                     static_cast<int>(stored.size() - StateMac::kOverhead))
          ? claimed.version()
          : 0;
  return WithReason(
      absl::DataLossError(absl::StrCat(
          "the stored governance object ", name, " (version ", version,
          ") does not match its seal: it was changed outside the registry, and is not served "
          "(restore the store from a verified backup; docs/audit.md)")),
      "STORED_DATA_ALTERED");
}

namespace {

// Governance keys that hold objects ('c' current, 'v' versions); the evidence keys of the
// same family are not sealed values.
bool IsObjectKey(absl::string_view key) {
  return !key.empty() && (key.front() == 'c' || key.front() == 'v');
}

constexpr char kUpgradeMarkerKey[] = "sealing-upgrade";

}  // namespace

// Every value that the formats after the store's seal and that is not sealed yet is sealed,
// in batches; the meta says the new format once the last batch is written. Sealing an
// unsealed value is only safe for a store that never held seals: a store of a newer format
// whose meta was set back (so that values edited and stripped of their seals would be sealed
// here and served) is refused. An upgrade interrupted half way has sealed some values, so it
// writes a marker first, sealed under the same key (nobody without it can make one), and an
// open that finds the marker goes on sealing; the marker goes with the new meta.
absl::Status RocksDbStoreImpl::SealOlderValues(sv1::StoreMeta* meta) {
  // A column family's values that a format upgrade seals, and the format that began sealing
  // them.
  struct SealedFamily {
    Cf cf;
    SealedKind kind;
    int32_t since_format;
  };
  const SealedFamily kSealedFamilies[] = {
      {kCurrent, SealedKind::kState, 6},     {kSnapshots, SealedKind::kState, 6},
      {kHistory, SealedKind::kChangeSet, 6}, {kValidTime, SealedKind::kAssertion, 6},
      {kGovernance, SealedKind::kObject, 7},
  };
  const int32_t from = meta->format_version();
  const std::string marker_value = absl::StrCat("format ", kFormatVersion);
  bool resumed = false;
  {
    std::string stored;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), handles_[kMeta], kUpgradeMarkerKey, &stored);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "reading store meta");
    absl::string_view inner;
    resumed = s.ok() && mac_.Open(SealedKind::kUpgrade, kUpgradeMarkerKey, stored, &inner) &&
              inner == marker_value;
  }
  auto sealed_here = [&](const SealedFamily& f) { return f.since_format > from; };
  if (!resumed) {
    for (const SealedFamily& f : kSealedFamilies) {
      if (!sealed_here(f)) continue;
      std::unique_ptr<rocksdb::Iterator> it(
          db_->NewIterator(rocksdb::ReadOptions(), handles_[f.cf]));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const absl::string_view key(it->key().data(), it->key().size());
        if (f.cf == kGovernance && !IsObjectKey(key)) continue;
        if (StateMac::IsSealed(absl::string_view(it->value().data(), it->value().size()))) {
          return WithReason(
              absl::FailedPreconditionError(absl::StrCat(
                  "the store's meta says format ", from,
                  " but the store holds values that "
                  "format ",
                  f.since_format,
                  " or later sealed: the meta was set back outside "
                  "the registry, and unsealed values are not sealed now (restore the store from "
                  "a verified backup; docs/audit.md)")),
              "STORE_FORMAT_SET_BACK");
        }
      }
      if (!it->status().ok()) return FromRocks(it->status(), "reading stored values");
    }
    rocksdb::WriteOptions wo;
    wo.sync = true;
    if (auto s = db_->Put(wo, handles_[kMeta], kUpgradeMarkerKey,
                          mac_.Seal(SealedKind::kUpgrade, kUpgradeMarkerKey, marker_value));
        !s.ok()) {
      return FromRocks(s, "writing store meta");
    }
  }
  for (const SealedFamily& f : kSealedFamilies) {
    if (!sealed_here(f)) continue;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[f.cf]));
    rocksdb::WriteBatch batch;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const absl::string_view key(it->key().data(), it->key().size());
      const absl::string_view value(it->value().data(), it->value().size());
      if (StateMac::IsSealed(value)) continue;
      if (f.cf == kGovernance && !IsObjectKey(key)) continue;
      absl::string_view context = key;
      if (f.kind == SealedKind::kState || f.kind == SealedKind::kChangeSet) {
        // The subject key: all of a `current` key, a `snapshots`/`history` key without its
        // revision.
        absl::string_view rest = key;
        SubjectName subject;
        if (!keys::ParseSubject(&rest, &subject)) {
          return absl::DataLossError("a stored key is unreadable");
        }
        context = key.substr(0, key.size() - rest.size());
      }
      batch.Put(handles_[f.cf], it->key(), mac_.Seal(f.kind, context, value));
      if (batch.Count() >= kSealBatch) {
        rocksdb::WriteOptions wo;
        wo.sync = options_.sync;
        if (auto s = db_->Write(wo, &batch); !s.ok()) return FromRocks(s, "sealing stored values");
        batch.Clear();
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "sealing stored values");
    rocksdb::WriteOptions wo;
    wo.sync = options_.sync;
    if (batch.Count() > 0) {
      if (auto s = db_->Write(wo, &batch); !s.ok()) return FromRocks(s, "sealing stored values");
    }
  }
  meta->set_format_version(kFormatVersion);
  rocksdb::WriteBatch done;
  done.Put(handles_[kMeta], keys::kMetaKey, meta->SerializeAsString());
  done.Delete(handles_[kMeta], kUpgradeMarkerKey);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (auto s = db_->Write(wo, &done); !s.ok()) return FromRocks(s, "writing store meta");
  return absl::OkStatus();
}

absl::StatusOr<Store::StateCheck> RocksDbStoreImpl::VerifyStates(const std::string& after,
                                                                 int limit) {
  StateCheck out;
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db_.get(), snap};
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  if (!after.empty()) {
    absl::string_view rest = after;
    SubjectName parsed;
    if (!keys::ParseSubject(&rest, &parsed) || !rest.empty()) {
      return absl::InvalidArgumentError("not a subject key");
    }
  }
  // History drives the walk: every subject that was ever written has change sets there.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kHistory]));
  if (after.empty()) {
    it->SeekToFirst();
  } else {
    it->Seek(keys::PrefixSuccessor(after));
  }
  auto bad = [&out](std::string subject, int64_t revision, std::string problem) {
    out.bad_subject = std::move(subject);
    out.bad_revision = revision;
    out.problem = std::move(problem);
    out.next_after.clear();
    return out;
  };
  while (it->Valid() && out.subjects < limit) {
    absl::string_view rest(it->key().data(), it->key().size());
    SubjectName subject;
    if (!keys::ParseSubject(&rest, &subject)) {
      return bad("a subject with an unreadable key", 0, "a history key is unreadable");
    }
    const std::string subject_key = keys::Subject(subject);
    const std::string name = subject.ToString();
    ++out.subjects;
    out.next_after = subject_key;

    std::optional<sv1::RecordState> current;
    {
      rocksdb::PinnableSlice pinned;
      rocksdb::Status s = db_->Get(ro, handles_[kCurrent], subject_key, &pinned);
      if (s.IsNotFound()) return bad(name, 0, "has change sets but no current state");
      if (!s.ok()) return FromRocks(s, "reading a record");
      current.emplace();
      if (auto st = OpenState(subject_key, 0, absl::string_view(pinned.data(), pinned.size()),
                              &*current, nullptr);
          !st.ok()) {
        return bad(name, current->revision(), "the current state does not match its seal");
      }
    }
    std::optional<ServedState> folded;
    int64_t revision = 0;
    for (; it->Valid() && it->key().starts_with(subject_key); it->Next()) {
      const int64_t r = keys::RevisionSuffix(absl::string_view(it->key().data(), it->key().size()));
      if (r != revision + 1) return bad(name, revision + 1, "the change set is missing");
      revision = r;
      v1::ChangeSet cs;
      if (!OpenChangeSet(subject_key, r, absl::string_view(it->value().data(), it->value().size()),
                         &cs, nullptr)
               .ok()) {
        return bad(name, r, "the change set does not match its seal");
      }
      folded = Fold(folded ? &*folded : nullptr, cs);
      sv1::RecordState stored;
      const char* what = "the current state";
      if (r == current->revision()) {
        stored = *current;
      } else if (r > current->revision()) {
        return bad(name, current->revision(),
                   absl::StrCat("the current state is at revision ", current->revision(),
                                " but the change sets go on to revision ", r,
                                " (an older state was put back)"));
      } else {
        what = "the snapshot";
        rocksdb::PinnableSlice pinned;
        rocksdb::Status s =
            db_->Get(ro, handles_[kSnapshots], keys::SubjectRevision(subject, r), &pinned);
        if (s.IsNotFound()) return bad(name, r, "the snapshot is missing");
        if (!s.ok()) return FromRocks(s, "reading a snapshot");
        if (!OpenState(subject_key, r, absl::string_view(pinned.data(), pinned.size()), &stored,
                       nullptr)
                 .ok()) {
          return bad(name, r, "the snapshot does not match its seal");
        }
      }
      ++out.states;
      if (std::string d = Difference(*folded, ServedView(stored)); !d.empty()) {
        return bad(name, r, absl::StrCat(what, " is not the fold of its change sets: ", d));
      }
    }
    if (revision < current->revision()) {
      return bad(name, revision + 1, "the change set is missing");
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading history");
  if (!it->Valid()) out.next_after.clear();
  return out;
}

}  // namespace collectonce::store::internal
