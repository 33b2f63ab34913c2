#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/base/coding.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_macros.h"
#include "libs/crypto/sha256.h"
#include "libs/store/audit_value.h"
#include "libs/store/keys.h"
#include "libs/store/rocksdb_store_impl.h"
#include "rocksdb/snapshot.h"

namespace collectonce::store::internal {

absl::StatusOr<bool> RocksDbStoreImpl::ReadState(const rocksdb::ReadOptions& ro,
                                                 const std::string& key, sv1::RecordState* state,
                                                 std::string* bytes) {
  rocksdb::PinnableSlice pinned;
  rocksdb::Status s = db_->Get(ro, handles_[kCurrent], key, &pinned);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocks(s, "reading a record");
  RETURN_IF_ERROR(OpenState(key, 0, absl::string_view(pinned.data(), pinned.size()), state, bytes));
  return true;
}

absl::StatusOr<std::optional<sv1::RecordState>> RocksDbStoreImpl::LoadState(
    const rocksdb::ReadOptions& ro, const std::string& key) {
  std::optional<sv1::RecordState> state(std::in_place);
  ASSIGN_OR_RETURN(bool found, ReadState(ro, key, &*state));
  if (!found) state.reset();
  return state;
}

absl::StatusOr<sv1::RecordState> RocksDbStoreImpl::StateAtRevision(const rocksdb::ReadOptions& ro,
                                                                   const SubjectName& subject,
                                                                   int64_t revision) {
  rocksdb::PinnableSlice bytes;
  rocksdb::Status s =
      db_->Get(ro, handles_[kSnapshots], keys::SubjectRevision(subject, revision), &bytes);
  if (s.IsNotFound()) {
    // The current revision has no snapshot (a Bloom filter answers that miss).
    ASSIGN_OR_RETURN(auto current, LoadState(ro, keys::Subject(subject)));
    if (!current) return absl::NotFoundError(absl::StrCat(subject.ToString(), " has no record"));
    if (current->revision() == revision) return *std::move(current);
    return absl::NotFoundError(absl::StrCat(subject.ToString(), " has no revision ", revision,
                                            "; it is at revision ", current->revision()));
  }
  if (!s.ok()) return FromRocks(s, absl::StrCat("reading revision ", revision));
  sv1::RecordState state;
  RETURN_IF_ERROR(OpenState(keys::Subject(subject), revision,
                            absl::string_view(bytes.data(), bytes.size()), &state, nullptr));
  return state;
}

absl::StatusOr<v1::Record> RocksDbStoreImpl::GetRecord(const SubjectName& subject,
                                                       const AsOf& as_of,
                                                       const std::vector<std::string>& fields) {
  const std::string key = keys::Subject(subject);
  if (as_of.kind == AsOf::Kind::kCurrent) {
    ASSIGN_OR_RETURN(auto state, LoadState(rocksdb::ReadOptions(), key));
    if (!state) return absl::NotFoundError(absl::StrCat(subject.ToString(), " has no record"));
    return ToRecord(subject, *state);
  }
  // Several reads: one snapshot so that they agree with each other.
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db_.get(), snap};
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;

  switch (as_of.kind) {
    case AsOf::Kind::kRevision: {
      if (as_of.revision < 1) return absl::InvalidArgumentError("revisions start at 1");
      ASSIGN_OR_RETURN(auto state, StateAtRevision(ro, subject, as_of.revision));
      return ToRecord(subject, state);
    }
    case AsOf::Kind::kCommitTime: {
      // The newest revision committed at or before the time: one seek, then one get.
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kTimeline]));
      it->SeekForPrev(keys::Timeline(subject, as_of.commit_time_us, INT64_MAX));
      if (!it->status().ok()) return FromRocks(it->status(), "reading the timeline");
      if (it->Valid() && it->key().starts_with(key)) {
        const int64_t revision =
            keys::RevisionSuffix(absl::string_view(it->key().data(), it->key().size()));
        ASSIGN_OR_RETURN(auto state, StateAtRevision(ro, subject, revision));
        return ToRecord(subject, state);
      }
      // Since format 5 revision 1 has no timeline entry; it was committed at the record's
      // create time, which every later state keeps.
      ASSIGN_OR_RETURN(auto current, LoadState(ro, key));
      if (!current || current->create_time_us() > as_of.commit_time_us) {
        return absl::NotFoundError(absl::StrCat(subject.ToString(), " had no record at that time"));
      }
      if (current->revision() == 1) return ToRecord(subject, *current);
      ASSIGN_OR_RETURN(auto first, StateAtRevision(ro, subject, 1));
      return ToRecord(subject, first);
    }
    case AsOf::Kind::kValidTime: {
      ASSIGN_OR_RETURN(auto current, LoadState(ro, key));
      if (!current) return absl::NotFoundError(absl::StrCat(subject.ToString(), " has no record"));
      return ValidTimeView(ro, subject, *current, as_of.valid_day, fields);
    }
    default:
      return absl::InvalidArgumentError("unknown kind of read");
  }
}

absl::StatusOr<v1::Record> RocksDbStoreImpl::ValidTimeView(const rocksdb::ReadOptions& ro,
                                                           const SubjectName& subject,
                                                           const sv1::RecordState& current,
                                                           absl::CivilDay day,
                                                           const std::vector<std::string>& fields) {
  // Revision 1 writes no valid-time entries (most subjects never change, and bulk loads
  // stay lean); its values are read from its snapshot.
  sv1::RecordState first;
  if (current.revision() == 1) {
    first = current;
  } else {
    ASSIGN_OR_RETURN(first, StateAtRevision(ro, subject, 1));
  }
  absl::flat_hash_map<std::string, const v1::FieldValue*> first_by_field;
  for (const auto& f : first.fields()) first_by_field[f.field()] = &f;

  std::vector<std::string> wanted = fields;
  if (wanted.empty()) {
    for (const auto& f : current.fields()) wanted.push_back(f.field());
  }
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());

  sv1::RecordState view;
  view.set_revision(current.revision());
  view.set_commit_sequence(current.commit_sequence());
  view.set_create_time_us(current.create_time_us());
  view.set_update_time_us(current.update_time_us());
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kValidTime]));
  for (const std::string& field : wanted) {
    // Candidates: the newest indexed assertion valid on `day`, and revision 1's value.
    std::optional<v1::FieldValue> best;
    int64_t best_day = INT64_MIN, best_rev = 0;
    const std::string prefix = keys::ValidTimeFieldPrefix(subject, field);
    it->SeekForPrev(keys::ValidTime(subject, field, day, INT64_MAX));
    if (it->Valid() && it->key().starts_with(prefix)) {
      sv1::Assertion a;
      RETURN_IF_ERROR(OpenAssertion(absl::string_view(it->key().data(), it->key().size()),
                                    absl::string_view(it->value().data(), it->value().size()), &a));
      best_day = ToCivilDay(a.field().provenance().valid_from()) - absl::CivilDay(1970, 1, 1);
      best_rev = a.field().provenance().revision();
      best = a.field();
    } else if (!it->status().ok()) {
      return FromRocks(it->status(), "reading valid-time entries");
    }
    if (auto f = first_by_field.find(field); f != first_by_field.end()) {
      const v1::FieldValue& fv = *f->second;
      const v1::Provenance& prov = ProvenanceOf(first, fv);
      absl::CivilDay from = ToCivilDay(prov.valid_from());
      int64_t d = from - absl::CivilDay(1970, 1, 1);
      if (from <= day && (d > best_day || (d == best_day && prov.revision() > best_rev))) {
        best.emplace();
        ExpandField(first, fv, &*best);
      }
    }
    if (best && best->has_value()) *view.add_fields() = *std::move(best);
  }
  return ToRecord(subject, view);
}

absl::StatusOr<SubjectName> RocksDbStoreImpl::FindPerson(absl::string_view id_number) {
  // The entry and the state it is checked against, as of one instant: a write moving this
  // ID number in between cannot make a sound entry look altered.
  rocksdb::ManagedSnapshot snapshot(db_.get());
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot.snapshot();
  sv1::RecordState state;
  return FindPersonAt(ro, id_number, &state);
}

absl::StatusOr<SubjectName> RocksDbStoreImpl::FindPersonAt(const rocksdb::ReadOptions& ro,
                                                           absl::string_view id_number,
                                                           sv1::RecordState* state) {
  const std::string hash = options_.index_hash.Hash(id_number);
  std::string pid;
  rocksdb::Status s = db_->Get(ro, handles_[kPersonIndex], hash, &pid);
  if (s.IsNotFound()) return absl::NotFoundError("no person has that ID number");
  if (!s.ok()) return FromRocks(s, "reading the person index");
  ASSIGN_OR_RETURN(std::shared_ptr<const catalog::Catalog> cat, GetCatalog(v1::PERSON));
  SubjectName person{v1::PERSON, pid};
  ASSIGN_OR_RETURN(bool found, ReadState(ro, keys::Subject(person), state));
  // An entry whose person has no state is refused as altered here.
  RETURN_IF_ERROR(
      CheckIndexEntry(cat->proto().lookup_field(), hash, person, found ? state : nullptr));
  return person;
}

absl::StatusOr<v1::Record> RocksDbStoreImpl::GetPersonRecord(
    absl::string_view id_number, const AsOf& as_of, const std::vector<std::string>& fields) {
  if (as_of.kind != AsOf::Kind::kCurrent) {
    ASSIGN_OR_RETURN(SubjectName person, FindPerson(id_number));
    return GetRecord(person, as_of, fields);
  }
  rocksdb::ManagedSnapshot snapshot(db_.get());
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot.snapshot();
  sv1::RecordState state;
  ASSIGN_OR_RETURN(SubjectName person, FindPersonAt(ro, id_number, &state));
  return ToRecord(person, state);
}

absl::StatusOr<std::vector<SubjectName>> RocksDbStoreImpl::ListSubjects(v1::SubjectKind kind,
                                                                        absl::string_view after_id,
                                                                        int limit) {
  std::vector<SubjectName> out;
  if (kind != v1::ENTERPRISE && kind != v1::PERSON) {
    return absl::InvalidArgumentError("list subjects of a kind: enterprise or person");
  }
  // Every subject key of a kind starts with its kind byte; "after" is exclusive.
  const std::string start = keys::Subject(SubjectName{kind, std::string(after_id)});
  const char kind_byte = start[0];
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kCurrent]));
  for (it->Seek(start); it->Valid() && static_cast<int>(out.size()) < limit; it->Next()) {
    absl::string_view key(it->key().data(), it->key().size());
    if (key.empty() || key[0] != kind_byte) break;
    if (!after_id.empty() && key == start) continue;
    SubjectName subject;
    if (!keys::ParseSubject(&key, &subject)) {
      return absl::DataLossError("a stored subject key is unreadable");
    }
    out.push_back(std::move(subject));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "listing subjects");
  return out;
}

absl::StatusOr<HistoryPage> RocksDbStoreImpl::ListHistory(const SubjectName& subject,
                                                          const HistoryQuery& query) {
  const std::string prefix = keys::Subject(subject);
  rocksdb::ReadOptions ro;
  std::string lower = prefix;
  ro.iterate_lower_bound = nullptr;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kHistory]));
  if (query.before_revision > 0) {
    it->SeekForPrev(keys::SubjectRevision(subject, query.before_revision - 1));
  } else {
    it->SeekForPrev(keys::SubjectRevision(subject, INT64_MAX));
  }
  HistoryPage page;
  const int page_size = std::clamp(query.page_size, 1, 1000);
  int scanned = 0;
  for (; it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    v1::ChangeSet cs;
    RETURN_IF_ERROR(OpenChangeSet(
        prefix, keys::RevisionSuffix(absl::string_view(it->key().data(), it->key().size())),
        absl::string_view(it->value().data(), it->value().size()), &cs, nullptr));
    const int64_t t = catalog::TimestampToMicros(cs.commit_time());
    if (query.since_us != 0 && t < query.since_us) break;  // older ones are older still
    bool match = query.until_us == 0 || t <= query.until_us;
    if (match && !query.field.empty()) {
      match = std::any_of(cs.changes().begin(), cs.changes().end(),
                          [&](const v1::FieldChange& c) { return c.field() == query.field; });
    }
    const int64_t revision = cs.revision();  // cs may be moved into the page below
    if (match) {
      if (static_cast<int>(page.change_sets.size()) == page_size) {
        page.next_before_revision = revision + 1;
        return page;
      }
      page.change_sets.push_back(std::move(cs));
    }
    if (++scanned >= kMaxHistoryScan) {
      page.next_before_revision = revision;
      return page;
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading history");
  return page;
}

absl::StatusOr<std::vector<v1::ChangeSet>> RocksDbStoreImpl::ReadChangesAfter(
    int64_t after_sequence, int limit) {
  std::vector<v1::ChangeSet> out;
  rocksdb::ReadOptions ro;
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  ro.snapshot = snap;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kSequence]));
  absl::Status status;
  // A caller's position past every sequence there can be reads nothing (and does not wrap).
  const int64_t from = after_sequence < INT64_MAX ? after_sequence + 1 : INT64_MAX;
  for (it->Seek(keys::Sequence(from)); it->Valid() && static_cast<int>(out.size()) < limit;
       it->Next()) {
    sv1::SequenceEntry e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      status = absl::DataLossError("a sequence entry is unreadable");
      break;
    }
    auto subject = catalog::ParseSubjectName(e.subject());
    if (!subject.ok()) {
      status = absl::DataLossError("a sequence entry names no subject");
      break;
    }
    rocksdb::PinnableSlice bytes;
    rocksdb::Status s =
        db_->Get(ro, handles_[kHistory], keys::SubjectRevision(*subject, e.revision()), &bytes);
    if (!s.ok()) {
      status = FromRocks(s, "reading a change set");
      break;
    }
    v1::ChangeSet& cs = out.emplace_back();
    status = OpenChangeSet(keys::Subject(*subject), e.revision(),
                           absl::string_view(bytes.data(), bytes.size()), &cs, nullptr);
    if (!status.ok()) break;
  }
  if (status.ok() && !it->status().ok()) status = FromRocks(it->status(), "reading sequence");
  it.reset();
  db_->ReleaseSnapshot(snap);
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<std::shared_ptr<const catalog::Catalog>> RocksDbStoreImpl::GetCatalog(
    v1::SubjectKind kind) {
  absl::MutexLock lock(&state_mu_);
  auto it = catalogs_.find(kind);
  if (it == catalogs_.end()) {
    return absl::NotFoundError(
        absl::StrCat("no ", catalog::KindName(kind), " catalog has been applied"));
  }
  return it->second;
}

absl::StatusOr<v1::AuditEntry> RocksDbStoreImpl::ReadAuditEntry(uint64_t index) {
  std::string bytes;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), handles_[kAudit], keys::AuditIndex(index), &bytes);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("no audit entry ", index));
  if (!s.ok()) return FromRocks(s, "reading the audit log");
  v1::AuditEntry e;
  const absl::string_view entry = DecodeAuditValue(bytes).entry;
  if (!e.ParseFromArray(entry.data(), static_cast<int>(entry.size()))) {
    return absl::DataLossError("an audit entry is unreadable");
  }
  return e;
}

absl::StatusOr<std::vector<Store::RawAuditEntry>> RocksDbStoreImpl::ReadAuditEntries(uint64_t start,
                                                                                     int limit,
                                                                                     bool reverse) {
  std::vector<RawAuditEntry> out;
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  // One stored entry as the caller gets it: its bytes, its leaf hash and, for a change, the
  // digest of the change set it names as stored now.
  auto decode = [&](uint64_t index, absl::string_view stored) -> absl::Status {
    RawAuditEntry e;
    e.index = index;
    const AuditValue value = DecodeAuditValue(stored);
    e.bytes = std::string(value.entry);
    e.stored_leaf_hash = std::string(value.leaf_hash);
    if (e.stored_leaf_hash.empty()) {  // written before format 4: the leaf is a stored node
      rocksdb::Status s =
          db_->Get(ro, handles_[kAuditNodes], keys::AuditNode(0, index), &e.stored_leaf_hash);
      if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "reading audit nodes");
    }
    v1::AuditEntry parsed;
    if (parsed.ParseFromString(e.bytes) && parsed.has_change()) {
      auto subject = catalog::ParseSubjectName(parsed.change().subject());
      std::string cs;
      if (subject.ok() && db_->Get(ro, handles_[kHistory],
                                   keys::SubjectRevision(*subject, parsed.change().revision()), &cs)
                              .ok()) {
        // The digest of the change set's bytes, its seal left aside: an edit of either is
        // found (the log's digest, the read's seal).
        e.stored_change_set_sha256 = crypto::Sha256(
            StateMac::IsSealed(cs) ? absl::string_view(cs).substr(StateMac::kOverhead)
                                   : absl::string_view(cs));
      }
    }
    out.push_back(std::move(e));
    return absl::OkStatus();
  };
  absl::Status status;
  // One entry forward (a receipt's, a proof's) is a point read: no iterator to set up.
  if (limit == 1 && !reverse) {
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(ro, handles_[kAudit], keys::AuditIndex(start), &value);
    if (s.ok()) {
      status = decode(start, absl::string_view(value.data(), value.size()));
      db_->ReleaseSnapshot(snap);
      if (!status.ok()) return status;
      return out;
    }
    if (!s.IsNotFound()) {
      db_->ReleaseSnapshot(snap);
      return FromRocks(s, "reading the audit log");
    }
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handles_[kAudit]));
  if (reverse) {
    if (start == 0) {
      it.reset();
      db_->ReleaseSnapshot(snap);
      return out;
    }
    it->SeekForPrev(keys::AuditIndex(start - 1));
  } else {
    it->Seek(keys::AuditIndex(start));
  }
  for (; it->Valid() && static_cast<int>(out.size()) < limit; reverse ? it->Prev() : it->Next()) {
    absl::string_view key(it->key().data(), it->key().size());
    uint64_t index = 0;
    if (key.size() != 8 || !GetFixed64BE(&key, &index)) {
      status = absl::DataLossError("an audit key is malformed");
      break;
    }
    status = decode(index, absl::string_view(it->value().data(), it->value().size()));
    if (!status.ok()) break;
  }
  if (status.ok() && !it->status().ok()) status = FromRocks(it->status(), "reading the audit log");
  it.reset();
  db_->ReleaseSnapshot(snap);
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<std::pair<std::vector<uint64_t>, std::string>> RocksDbStoreImpl::ListAccessEvents(
    const SubjectName& subject, const std::string& before_key, int limit) {
  const std::string prefix = keys::Subject(subject);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kAccessIndex]));
  if (before_key.empty()) {
    it->SeekForPrev(keys::PrefixSuccessor(prefix));
    if (it->Valid() && it->key() == keys::PrefixSuccessor(prefix)) it->Prev();
  } else {
    if (before_key.compare(0, prefix.size(), prefix) != 0) {
      return absl::InvalidArgumentError("the page token belongs to another subject");
    }
    it->SeekForPrev(before_key);
    if (it->Valid() && it->key() == before_key) it->Prev();
  }
  std::vector<uint64_t> indexes;
  std::string last;
  for (; it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    if (static_cast<int>(indexes.size()) == limit) return std::make_pair(indexes, last);
    last = it->key().ToString();
    indexes.push_back(keys::AccessIndexAuditIndex(absl::string_view(last)));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading access events");
  return std::make_pair(indexes, std::string());
}

absl::StatusOr<Store::ReuseCounts> RocksDbStoreImpl::SumReuse(const std::string& form,
                                                              int64_t since_us, int64_t until_us) {
  ReuseCounts sum;
  const std::string prefix = keys::Reuse(form, 0).substr(0, form.size() + 1);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[kReuse]));
  for (it->Seek(keys::Reuse(form, since_us == 0 ? INT64_MIN : since_us));
       it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (until_us != 0 && it->key().compare(keys::Reuse(form, until_us)) > 0) break;
    sv1::ReuseEvent e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a reuse entry is unreadable");
    }
    sum.forms_served += e.forms_served();
    sum.fields_requested += e.fields_requested();
    sum.fields_prefilled += e.fields_prefilled();
    sum.fields_collected += e.fields_collected();
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the reuse ledger");
  return sum;
}

absl::StatusOr<StoredObject> RocksDbStoreImpl::GetObject(const std::string& type,
                                                         const std::string& name) {
  std::string bytes;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), handles_[kGovernance], keys::Governance(type, name), &bytes);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat(name, " does not exist"));
  if (!s.ok()) return FromRocks(s, "reading a governance object");
  sv1::GovernanceObject obj;
  RETURN_IF_ERROR(OpenObject(keys::Governance(type, name), name, bytes, &obj));
  return StoredObject{name, obj.version(), obj.update_time_us(), obj.payload()};
}

absl::StatusOr<std::vector<StoredObject>> RocksDbStoreImpl::ListObjects(
    const std::string& type, const std::string& after_name, int limit,
    const std::string& name_prefix) {
  std::vector<StoredObject> out;
  const std::string prefix = keys::Governance(type, name_prefix);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kGovernance]));
  if (after_name.empty() || after_name < name_prefix) {
    it->Seek(prefix);
  } else {
    it->Seek(keys::Governance(type, after_name));
    if (it->Valid() && it->key() == keys::Governance(type, after_name)) it->Next();
  }
  for (; it->Valid() && it->key().starts_with(prefix) && static_cast<int>(out.size()) < limit;
       it->Next()) {
    const size_t type_prefix = prefix.size() - name_prefix.size();
    std::string name(it->key().data() + type_prefix, it->key().size() - type_prefix);
    sv1::GovernanceObject obj;
    RETURN_IF_ERROR(OpenObject(absl::string_view(it->key().data(), it->key().size()), name,
                               absl::string_view(it->value().data(), it->value().size()), &obj));
    out.push_back(
        StoredObject{std::move(name), obj.version(), obj.update_time_us(), obj.payload()});
  }
  if (!it->status().ok()) return FromRocks(it->status(), "listing governance objects");
  return out;
}

}  // namespace collectonce::store::internal
