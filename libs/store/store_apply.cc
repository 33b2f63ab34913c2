#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/base/error_reason.h"
#include "libs/crypto/sha256.h"
#include "libs/store/keys.h"
#include "libs/store/rocksdb_store_impl.h"

namespace collectonce::store::internal {

void RocksDbStoreImpl::ApplyWrite(Group& g, WriteOp& op) {
  WriteRequest& req = op.request;
  auto fail = [&op](absl::Status s) { op.result = std::move(s); };

  std::shared_ptr<const catalog::Catalog> cat =
      LatestCatalog(g, req.subject ? req.subject->kind : req.kind);
  if (!cat) return fail(absl::FailedPreconditionError("no catalog for this kind of subject"));

  // Find the subject; a person given by ID number may be new.
  bool new_person = false;
  const bool found_by_index = !req.subject;
  if (!req.subject) {
    std::string pid;
    if (const std::string* found = g.Find(&Group::person_index, op.lookup_hash)) {
      pid = *found;
    } else {
      rocksdb::Status s =
          db_->Get(rocksdb::ReadOptions(), handles_[kPersonIndex], op.lookup_hash, &pid);
      if (!s.ok() && !s.IsNotFound()) return fail(FromRocks(s, "reading the person index"));
    }
    if (pid.empty()) {
      pid = options_.new_person_id ? options_.new_person_id() : NewPersonId(NowMicros());
      new_person = true;
    }
    req.subject = SubjectName{v1::PERSON, pid};
  }
  const SubjectName& subject = *req.subject;
  const std::string key = keys::Subject(subject);

  // Idempotency: a request id seen before returns the first outcome.
  std::string request_key;
  if (!req.request_id.empty()) {
    request_key = keys::Request(req.principal, req.request_id);
    std::optional<sv1::RequestOutcome> seen;
    if (const sv1::RequestOutcome* found = g.Find(&Group::requests, request_key)) {
      seen = *found;
    } else {
      std::string bytes;
      rocksdb::Status s =
          db_->Get(rocksdb::ReadOptions(), handles_[kRequests], request_key, &bytes);
      if (s.ok()) {
        seen.emplace();
        if (!seen->ParseFromString(bytes)) return fail(absl::DataLossError("bad request record"));
      } else if (!s.IsNotFound()) {
        return fail(FromRocks(s, "reading request ids"));
      }
    }
    if (seen) {
      if (seen->request_digest() != op.digest) {
        return fail(WithReason(
            absl::FailedPreconditionError(absl::StrCat(
                "request id '", req.request_id.substr(0, 64),
                "' was already used for a different request; use a new id for a new request")),
            "REQUEST_ID_REUSED"));
      }
      auto replay_subject = catalog::ParseSubjectName(seen->subject());
      if (!replay_subject.ok()) return fail(absl::DataLossError("bad request record"));
      WriteResult r;
      r.replayed = true;
      // The outcome's revision as it was committed. It may not be on disk yet: it is this
      // group's or the earlier group's latest state, or one of them superseded it.
      const int64_t revision = seen->revision();
      const std::string* bytes = g.Find(&Group::states, keys::Subject(*replay_subject));
      sv1::RecordState state;
      if (bytes != nullptr && !state.ParseFromString(*bytes)) {
        return fail(absl::InternalError("a state of this commit group is unreadable"));
      }
      if (bytes == nullptr || state.revision() != revision) {
        bytes = g.Find(&Group::superseded, keys::SubjectRevision(*replay_subject, revision));
        if (bytes != nullptr && !state.ParseFromString(*bytes)) {
          return fail(absl::InternalError("a state of this commit group is unreadable"));
        }
      }
      if (bytes != nullptr) {
        r.record = ToRecord(*replay_subject, state);  // not yet written
      } else {
        auto rec = GetRecord(*replay_subject, AsOf::Revision(revision), {});
        if (!rec.ok()) return fail(rec.status());
        r.record = *std::move(rec);
      }
      op.result = std::move(r);
      return;
    }
  }

  // The current state, as this group has left it, parsed into a committer-owned message
  // reused from write to write; its bytes become the superseded revision's snapshot.
  const sv1::RecordState* current = nullptr;
  const std::string* current_bytes = nullptr;
  if (const std::string* bytes = g.Find(&Group::states, key)) {
    if (!current_scratch_.ParseFromString(*bytes)) {
      return fail(absl::InternalError("a state of this commit group is unreadable"));
    }
    current = &current_scratch_;
    current_bytes = bytes;
  } else if (!new_person) {
    auto found = ReadState(rocksdb::ReadOptions(), key, &current_scratch_, &current_bytes_scratch_);
    if (!found.ok()) return fail(found.status());
    if (*found) {
      current = &current_scratch_;
      current_bytes = &current_bytes_scratch_;
    }
  }

  // A person found by ID number: only if the index entry is borne out by the state found,
  // or a damaged entry would write this person's values into another one's file.
  if (found_by_index && !new_person) {
    absl::Status s = CheckIndexEntry(cat->proto().lookup_field(), op.lookup_hash, subject, current);
    if (!s.ok()) return fail(std::move(s));
  }

  const int64_t current_revision = current ? current->revision() : 0;
  if (req.expected_revision && *req.expected_revision != current_revision) {
    return fail(WithReason(
        absl::AbortedError(
            current_revision == 0
                ? absl::StrCat(subject.ToString(), " does not exist; the write expected revision ",
                               *req.expected_revision)
                : absl::StrCat(subject.ToString(), " is at revision ", current_revision,
                               "; the write expected ", *req.expected_revision,
                               ". Read it again and reapply the change.")),
        "REVISION_MISMATCH"));
  }
  if (req.expected_etag &&
      (!current || *req.expected_etag != Etag(current->revision(), current->commit_sequence()))) {
    return fail(WithReason(
        absl::AbortedError(absl::StrCat(
            "the etag does not match ", subject.ToString(),
            current ? absl::StrCat(" at revision ", current_revision) : std::string(" (no record)"),
            "; read it again and reapply the change")),
        "ETAG_MISMATCH"));
  }

  // The catalog may have changed since the values were checked.
  if (cat->version() != op.catalog_version) {
    catalog::Violations v;
    const int64_t now = last_time_us_ + 1;
    CheckRequestValues(*cat, Today(now), &req, &v);
    if (!v.empty()) {
      op.violations = std::move(v);
      return fail(catalog::ViolationsToStatus(op.violations, "the write"));
    }
  }

  const int64_t commit_time = NextCommitTime();
  const int64_t revision = current_revision + 1;
  BuiltChange& built = built_scratch_;
  absl::Status st = BuildChange(*cat, current, req, Today(commit_time), commit_time, revision,
                                &built, &op.violations);
  if (!st.ok()) return fail(st);
  if (built.unchanged) {
    WriteResult r;
    r.unchanged = true;
    r.record = ToRecord(subject, *current, req.return_values);
    op.result = std::move(r);
    return;
  }

  // A person just created from the ID number it was looked up by: that lookup found no
  // owner, and its hash is the one to index.
  const bool indexed_as_looked_up = new_person && built.new_lookup == op.lookup_value;
  std::string new_lookup_hash;
  if (built.lookup_changed && !built.new_lookup.empty()) {
    new_lookup_hash =
        indexed_as_looked_up ? op.lookup_hash : options_.index_hash.Hash(built.new_lookup);
  }
  if (!new_lookup_hash.empty() && !indexed_as_looked_up) {
    const std::string& h = new_lookup_hash;
    std::string owner;
    if (const std::string* found = g.Find(&Group::person_index, h)) {
      owner = *found;
    } else {
      rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kPersonIndex], h, &owner);
      if (!s.ok() && !s.IsNotFound()) return fail(FromRocks(s, "reading the person index"));
    }
    // The number is taken if the owner's file says so; else the entry is damaged (one that
    // names this very subject, whose file holds another number, included).
    if (!owner.empty()) {
      absl::Status s = CheckIndexedPerson(&g, cat->proto().lookup_field(), h, owner);
      if (!s.ok()) return fail(std::move(s));
    }
    if (!owner.empty() && owner != subject.id) {
      op.violations.push_back({cat->proto().lookup_field(), "ID_NUMBER_IN_USE",
                               "another person already has this ID number"});
      return fail(WithReason(
          absl::AlreadyExistsError(
              "the ID number already belongs to another person's file; correct that file first"),
          "ID_NUMBER_IN_USE"));
    }
  }

  // Credentials attesting a value this change set replaces stop being valid with it (the
  // last check: its puts are rolled back with the write's if it fails).
  if (current) {
    absl::Status s = InvalidateEvidence(g, subject, built.change_set, revision, commit_time);
    if (!s.ok()) return fail(s);
  }

  const int64_t sequence = next_sequence_++;
  built.next.set_commit_sequence(sequence);
  v1::ChangeSet& cs = built.change_set;
  cs.set_subject(subject.ToString());
  cs.set_name(absl::StrCat(subject.ToString(), "/revisions/", revision));
  cs.set_commit_sequence(sequence);

  std::string cs_bytes = cs.SerializeAsString();
  std::string state_bytes = built.next.SerializeAsString();
  g.batch.Put(handles_[kCurrent], key, mac_.Seal(SealedKind::kState, key, state_bytes));
  // The state this write supersedes becomes a snapshot; the new one lives in `current` only,
  // so a subject that never changes (most of a bulk load) is stored once.
  if (current) {
    std::string snapshot_key = keys::SubjectRevision(subject, current_revision);
    g.batch.Put(handles_[kSnapshots], snapshot_key,
                mac_.Seal(SealedKind::kState, key, *current_bytes));
    g.superseded[std::move(snapshot_key)] = *current_bytes;
    // Revision 1 needs no timeline entry: the state's create time is its commit time.
    g.batch.Put(handles_[kTimeline], keys::Timeline(subject, commit_time, revision), "");
    // Revision 1's values are read from its snapshot; later ones are indexed by valid time.
    for (const auto& a : built.assertions) {
      sv1::Assertion entry;
      *entry.mutable_field() = a;
      entry.set_cleared(!a.has_value());
      const std::string vkey =
          keys::ValidTime(subject, a.field(), ToCivilDay(a.provenance().valid_from()), revision);
      g.batch.Put(handles_[kValidTime], vkey,
                  mac_.Seal(SealedKind::kAssertion, vkey, entry.SerializeAsString()));
    }
  }
  g.batch.Put(handles_[kHistory], keys::SubjectRevision(subject, revision),
              mac_.Seal(SealedKind::kChangeSet, key, cs_bytes));
  sv1::SequenceEntry se;
  se.set_subject(subject.ToString());
  se.set_revision(revision);
  g.batch.Put(handles_[kSequence], keys::Sequence(sequence), se.SerializeAsString());
  if (built.lookup_changed) {
    if (!built.old_lookup.empty()) {
      const std::string h = options_.index_hash.Hash(built.old_lookup);
      g.batch.Delete(handles_[kPersonIndex], h);
      g.person_index[h] = "";
    }
    if (!built.new_lookup.empty()) {
      g.batch.Put(handles_[kPersonIndex], new_lookup_hash, subject.id);
      g.person_index[new_lookup_hash] = subject.id;
    }
  }
  if (!request_key.empty()) {
    sv1::RequestOutcome outcome;
    outcome.set_subject(subject.ToString());
    outcome.set_revision(revision);
    outcome.set_commit_sequence(sequence);
    outcome.set_request_digest(op.digest);
    outcome.set_commit_time_us(commit_time);
    g.batch.Put(handles_[kRequests], request_key, outcome.SerializeAsString());
    g.requests[request_key] = outcome;
  }

  v1::AuditEntry entry;
  *entry.mutable_time() = cs.commit_time();
  entry.set_principal(req.principal);
  entry.set_request_id(req.request_id);
  auto* ev = entry.mutable_change();
  ev->set_subject(cs.subject());
  ev->set_revision(revision);
  ev->set_commit_sequence(sequence);
  for (const auto& c : cs.changes()) ev->add_fields(c.field());
  ev->set_source(cs.source());
  ev->set_matter(cs.matter());
  ev->set_reason(cs.reason());
  ev->set_change_set_sha256(crypto::Sha256(cs_bytes));
  AppendAudit(g, std::move(entry));

  WriteResult r;
  r.record = ToRecord(subject, built.next, req.return_values);
  if (req.return_values) r.change_set = std::move(cs);
  g.states[key] = std::move(state_bytes);
  op.result = std::move(r);
}

void RocksDbStoreImpl::ApplyAccess(Group& g, AccessOp& op) {
  auto subject = catalog::ParseSubjectName(op.access.event.subject());
  if (!subject.ok()) {
    op.result = subject.status();
    return;
  }
  const uint64_t index = appender_.size();
  if (op.access.event.has_evidence()) {
    if (absl::Status s = NoteEvidence(g, *subject, op.access.event, index); !s.ok()) {
      op.result = std::move(s);
      return;
    }
  }
  v1::AuditEntry entry;
  const int64_t t = NextCommitTime();
  *entry.mutable_time() = MicrosToTimestamp(t);
  entry.set_principal(op.access.principal);
  entry.set_request_id(op.access.request_id);
  *entry.mutable_access() = op.access.event;
  AppendAudit(g, std::move(entry));
  g.batch.Put(handles_[kAccessIndex], keys::AccessIndex(*subject, t, index), "");
  op.result = index;
}

void RocksDbStoreImpl::ApplyCatalogOp(Group& g, CatalogOp& op) {
  const auto latest = LatestCatalog(g, op.catalog.kind());
  if (latest) {
    v1::Catalog same = latest->proto();
    same.clear_version();
    same.clear_update_time();
    same.clear_etag();
    if (same.SerializeAsString() == op.catalog.SerializeAsString()) {
      op.result = latest->proto();  // identical to the one just applied: not a new version
      return;
    }
  }
  const int64_t version = latest ? latest->version() + 1 : 1;
  const int64_t t = NextCommitTime();
  op.catalog.set_version(version);
  *op.catalog.mutable_update_time() = MicrosToTimestamp(t);
  op.catalog.set_etag(absl::StrCat(version));
  auto compiled = catalog::Catalog::Compile(op.catalog);
  if (!compiled.ok()) {
    op.result = compiled.status();
    return;
  }
  if (latest) {
    // Checked when queued against the published catalog; another apply queued or being
    // written since then is checked here, or it could drop or retype that one's fields.
    (*compiled)->CheckEvolutionFrom(*latest, &op.violations);
    if (!op.violations.empty()) {
      op.result = catalog::ViolationsToStatus(op.violations, "the catalog change");
      return;
    }
  }
  sv1::GovernanceObject obj;
  obj.set_version(version);
  obj.set_update_time_us(t);
  obj.set_payload(op.catalog.SerializeAsString());
  const std::string bytes = obj.SerializeAsString();
  const absl::string_view kind_name = catalog::KindName(op.catalog.kind());
  PutObject(g, keys::Governance(kCatalogType, kind_name), bytes);
  PutObject(g, keys::GovernanceVersion(kCatalogType, kind_name, version), bytes);
  v1::AuditEntry entry;
  *entry.mutable_time() = op.catalog.update_time();
  entry.set_principal(op.principal);
  auto* ev = entry.mutable_governance();
  ev->set_resource(op.catalog.name());
  ev->set_version(version);
  ev->set_action("APPLY");
  ev->set_object_sha256(crypto::Sha256(bytes));
  AppendAudit(g, std::move(entry));
  g.catalogs.emplace_back(op.catalog.kind(), *compiled);
  op.result = op.catalog;
}

void RocksDbStoreImpl::PutObject(Group& g, const std::string& key, absl::string_view bytes) {
  g.batch.Put(handles_[kGovernance], key, mac_.Seal(SealedKind::kObject, key, bytes));
}

void RocksDbStoreImpl::ApplyObjectOp(Group& g, ObjectOp& op) {
  const std::string key = keys::Governance(op.type, op.name);
  int64_t version = 1;
  std::optional<sv1::GovernanceObject> old;
  if (const std::string* found = g.Find(&Group::objects, key)) {
    old.emplace();
    if (!old->ParseFromString(*found)) {
      op.result = absl::InternalError("a governance object of this commit group is unreadable");
      return;
    }
  } else {
    std::string stored;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kGovernance], key, &stored);
    if (!s.ok() && !s.IsNotFound()) {
      op.result = FromRocks(s, "reading a governance object");
      return;
    }
    if (s.ok()) {
      old.emplace();
      // Nothing is built on altered bytes: the write is refused like a read.
      if (auto opened = OpenObject(key, op.name, stored, &*old); !opened.ok()) {
        op.result = opened;
        return;
      }
    }
  }
  if (op.expected_version && !old && *op.expected_version != 0) {
    op.result = WithReason(
        absl::AbortedError(absl::StrCat(op.name, " does not exist at version ",
                                        *op.expected_version, " any more: read it again")),
        "OBJECT_CHANGED");
    return;
  }
  if (old) {
    if (op.expected_version && *op.expected_version != old->version()) {
      op.result = WithReason(
          absl::AbortedError(absl::StrCat(op.name, " is at version ", old->version(), ", not ",
                                          *op.expected_version, ": read it again")),
          "OBJECT_CHANGED");
      return;
    }
    if (old->payload() == op.payload) {
      op.result = StoredObject{op.name, old->version(), old->update_time_us(), old->payload()};
      return;  // identical: not a new version
    }
    version = old->version() + 1;
  }
  const int64_t t = NextCommitTime();
  sv1::GovernanceObject obj;
  obj.set_version(version);
  obj.set_update_time_us(t);
  obj.set_payload(op.payload);
  const std::string value = obj.SerializeAsString();
  PutObject(g, key, value);
  PutObject(g, keys::GovernanceVersion(op.type, op.name, version), value);
  g.objects[key] = value;
  v1::AuditEntry entry;
  *entry.mutable_time() = MicrosToTimestamp(t);
  entry.set_principal(op.principal);
  auto* ev = entry.mutable_governance();
  ev->set_resource(op.name);
  ev->set_version(version);
  ev->set_action(op.action);
  ev->set_object_sha256(crypto::Sha256(value));
  AppendAudit(g, std::move(entry));
  op.result = StoredObject{op.name, version, t, op.payload};
}

}  // namespace collectonce::store::internal
