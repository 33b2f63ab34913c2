// The versioned store: one file per subject with its full history, the catalog it is
// validated against, governance objects and the audit log. This is the narrow seam behind
// which a distributed engine may later replace RocksDB; it knows nothing of gRPC.
#ifndef COLLECTONCE_LIBS_STORE_STORE_H_
#define COLLECTONCE_LIBS_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "collectonce/registry/v1/audit.pb.h"
#include "collectonce/registry/v1/catalog.pb.h"
#include "collectonce/registry/v1/record.pb.h"
#include "libs/audit/merkle.h"
#include "libs/catalog/catalog.h"
#include "libs/catalog/subject.h"
#include "libs/catalog/violation.h"

namespace collectonce::store {

namespace v1 = ::collectonce::registry::v1;
using catalog::SubjectName;

// Which version of a record to read. Every form costs a fixed number of RocksDB seeks,
// however long the subject's history is.
struct AsOf {
  enum class Kind { kCurrent, kRevision, kCommitTime, kValidTime };
  Kind kind = Kind::kCurrent;
  int64_t revision = 0;        // kRevision: 1..current
  int64_t commit_time_us = 0;  // kCommitTime: what the registry knew at this instant
  absl::CivilDay valid_day;    // kValidTime: what was in effect on this day, as known now

  static AsOf Current() { return {}; }
  static AsOf Revision(int64_t r) { return {Kind::kRevision, r, 0, {}}; }
  static AsOf CommitTime(int64_t us) { return {Kind::kCommitTime, 0, us, {}}; }
  static AsOf ValidDay(absl::CivilDay d) { return {Kind::kValidTime, 0, 0, d}; }
};

// One field of a change set: a new value, or clearing the field (value unset).
struct FieldChange {
  std::string field;
  std::optional<v1::Value> value;
  // The source that vouches for this value when it is not the write's own (one submission
  // for a bundle whose matters belong to several departments); empty: the write's.
  std::string source = {};
};

// A request for one atomic change set on one subject.
struct WriteRequest {
  // The subject. For a person it may be left empty: the person is then found by the
  // lookup field (the ID number) among `changes`, and created when not found.
  std::optional<SubjectName> subject;
  // Used when `subject` is empty.
  v1::SubjectKind kind = v1::SUBJECT_KIND_UNSPECIFIED;
  std::vector<FieldChange> changes;
  // source, operator, matter, evidence_ref and valid_from (other members are ignored).
  v1::Provenance provenance;
  std::string reason;
  // The revision the change was based on; 0 means "the subject must not exist yet".
  // Unset: no check.
  std::optional<int64_t> expected_revision;
  // Set only by callers that compare etags: the etag the change was based on.
  std::optional<std::string> expected_etag;
  // Makes the request idempotent per principal: a retry returns the first outcome.
  std::string request_id;
  // The calling system (already authenticated and authorized).
  std::string principal;
  // False: the result's record carries name, revision, etag and times but no values, and
  // no change set is returned (bulk loads, which only need to know each write's outcome).
  bool return_values = true;
};

struct WriteResult {
  // The record after the write (or, for an unchanged or replayed write, as it stands).
  v1::Record record;
  // The committed change set; empty when nothing changed.
  std::optional<v1::ChangeSet> change_set;
  // The request id had been seen: this is the first outcome, nothing new was written.
  bool replayed = false;
  // Every value equalled the stored one: nothing was written.
  bool unchanged = false;
};

// On INVALID_ARGUMENT the violations list every bad value, so that a caller can show them
// all; otherwise they are empty.
using WriteCallback = std::function<void(absl::StatusOr<WriteResult>, catalog::Violations)>;

// A read of personal data to record before the data is released.
struct AccessRecord {
  std::string principal;
  v1::AccessEvent event;
  std::string request_id;
};

struct HistoryQuery {
  // Only change sets touching this field (empty: all).
  std::string field;
  // Commit time bounds, inclusive; 0 = unbounded.
  int64_t since_us = 0;
  int64_t until_us = 0;
  // Newest first, starting below this revision (0: from the newest).
  int64_t before_revision = 0;
  int page_size = 50;
};

struct HistoryPage {
  std::vector<v1::ChangeSet> change_sets;
  // The revision to continue below, or 0 when the history is exhausted.
  int64_t next_before_revision = 0;
};

struct StoredObject {
  std::string name;
  int64_t version = 0;
  int64_t update_time_us = 0;
  std::string payload;
};

struct BackupInfo {
  uint32_t backup_id = 0;
  uint64_t size_bytes = 0;
  uint32_t files = 0;
  int64_t last_commit_sequence = 0;
  uint64_t audit_size = 0;
  // Replicated mode: the commit log index the backup holds; a replica restored from it
  // follows the log from the next one (0: never replicated).
  uint64_t last_log_index = 0;
};

struct StoreStats {
  int64_t last_commit_sequence = 0;
  uint64_t audit_size = 0;
  // The commit time of the newest durable commit group (µs since the epoch); every change
  // set at or before it is readable, none after it exists yet.
  int64_t last_commit_time_us = 0;
  // Replicated mode: the last commit log entry applied or appended (StoreMeta.last_log_index;
  // 0 for a store that was never replicated), and whether the store leads (takes writes
  // that it appends to a commit log). Both false/0 in local mode.
  uint64_t applied_log_index = 0;
  bool leading = false;
  // Reads refused because a stored value did not match its seal (since open).
  uint64_t altered_values_refused = 0;
};

// The registry's durable state. Thread-safe: reads run concurrently; writes are ordered by
// one committer that groups concurrent writes into one synced RocksDB write batch.
class Store {
 public:
  virtual ~Store() = default;

  // ---- records ----
  // NOT_FOUND when the subject has no record (or none yet at that time or revision).
  // `fields` limits a valid-time read to those fields (empty: all); other reads return
  // every field and callers filter.
  [[nodiscard]] virtual absl::StatusOr<v1::Record> GetRecord(
      const SubjectName& subject, const AsOf& as_of,
      const std::vector<std::string>& fields = {}) = 0;

  // The subjects of one kind that have a record, in key order (enterprises by USCC,
  // persons by pid), starting after `after_id` ("" = from the first), at most `limit`.
  [[nodiscard]] virtual absl::StatusOr<std::vector<SubjectName>> ListSubjects(
      v1::SubjectKind kind, absl::string_view after_id, int limit) = 0;

  // Finds a person by ID number (checked and normalised by the caller). NOT_FOUND if none.
  [[nodiscard]] virtual absl::StatusOr<SubjectName> FindPerson(absl::string_view id_number) = 0;
  // FindPerson, then GetRecord of that person, as of one instant; a read of the current
  // record reads the person's state once, for both. Errors as the two.
  [[nodiscard]] virtual absl::StatusOr<v1::Record> GetPersonRecord(
      absl::string_view id_number, const AsOf& as_of, const std::vector<std::string>& fields) = 0;

  [[nodiscard]] virtual absl::StatusOr<HistoryPage> ListHistory(const SubjectName& subject,
                                                                const HistoryQuery& query) = 0;

  // Change sets with commit sequence > after_sequence, in order, at most `limit`.
  [[nodiscard]] virtual absl::StatusOr<std::vector<v1::ChangeSet>> ReadChangesAfter(
      int64_t after_sequence, int limit) = 0;

  // Commits one change set; `done` runs on the store's completer thread, in commit order,
  // once the batch holding it is durable (or failed). It must not block, and must not call
  // back into Write synchronously while holding locks the caller needs.
  virtual void Write(WriteRequest request, WriteCallback done) = 0;

  // Blocking convenience over Write. INVALID_ARGUMENT carries the violations in *violations.
  [[nodiscard]] absl::StatusOr<WriteResult> WriteAndWait(WriteRequest request,
                                                         catalog::Violations* violations = nullptr);

  // Durably records that personal data is being released; `done` runs once durable.
  virtual void RecordAccess(AccessRecord access, std::function<void(absl::Status)> done) = 0;
  [[nodiscard]] absl::Status RecordAccessAndWait(AccessRecord access);
  // The same, and `done` is also told the audit index of the access event's leaf (which a
  // credential or receipt built from the access names).
  virtual void RecordAccessIndexed(AccessRecord access,
                                   std::function<void(absl::StatusOr<uint64_t>)> done) = 0;

  // ---- catalog ----
  // The current catalog of a kind; NOT_FOUND before one is applied.
  [[nodiscard]] virtual absl::StatusOr<std::shared_ptr<const catalog::Catalog>> GetCatalog(
      v1::SubjectKind kind) = 0;

  // Validates and (unless dry_run) stores a new version of a catalog. An identical catalog
  // is not a new version. INVALID_ARGUMENT lists every problem in *violations.
  [[nodiscard]] absl::StatusOr<v1::Catalog> ApplyCatalog(v1::Catalog catalog,
                                                         const std::string& principal, bool dry_run,
                                                         catalog::Violations* violations);
  // The same without blocking: `done` runs once the new version is durable (on the
  // completer thread) or at once on a validation error or a dry run.
  virtual void ApplyCatalogAsync(
      v1::Catalog catalog, const std::string& principal, bool dry_run,
      std::function<void(absl::StatusOr<v1::Catalog>, catalog::Violations)> done) = 0;

  // ---- governance objects (matters, bundles, principals) ----
  // Stores a new version of an object of `type` ("matters", "bundles", "principals") under
  // `name`, with an audit leaf. `payload` is the serialized object; an identical payload is
  // not a new version. Returns the stored version.
  [[nodiscard]] absl::StatusOr<StoredObject> PutObject(const std::string& type,
                                                       const std::string& name, std::string payload,
                                                       const std::string& principal);
  virtual void PutObjectAsync(const std::string& type, const std::string& name, std::string payload,
                              const std::string& principal,
                              std::function<void(absl::StatusOr<StoredObject>)> done) = 0;
  // A conditional write of one object (disputes and notifications, which change step by
  // step): stored only if the object is at `expected_version` now (0: it must not exist
  // yet), else ABORTED with reason OBJECT_CHANGED and nothing written; unset: no check.
  // `action` is the audit leaf's GovernanceEvent.action. An identical payload is not a new
  // version (and passes the check only at the version it has).
  struct ObjectWrite {
    std::string type, name, payload, principal;
    std::optional<int64_t> expected_version;
    std::string action = "APPLY";
  };
  virtual void WriteObjectAsync(ObjectWrite write,
                                std::function<void(absl::StatusOr<StoredObject>)> done) = 0;
  [[nodiscard]] absl::StatusOr<StoredObject> WriteObject(ObjectWrite write);
  // NOT_FOUND when there is none.
  [[nodiscard]] virtual absl::StatusOr<StoredObject> GetObject(const std::string& type,
                                                               const std::string& name) = 0;
  // Objects of a type in name order, starting after `after_name`, at most `limit`; with a
  // `name_prefix`, only names that start with it (the listing ends at the first that does
  // not, without opening it).
  [[nodiscard]] virtual absl::StatusOr<std::vector<StoredObject>> ListObjects(
      const std::string& type, const std::string& after_name, int limit,
      const std::string& name_prefix = "") = 0;

  // ---- reuse ledger ----
  struct ReuseCounts {
    int64_t forms_served = 0, fields_requested = 0, fields_prefilled = 0, fields_collected = 0;
  };
  // Adds one report under `form` at the commit time (durable like any write).
  [[nodiscard]] absl::Status AddReuse(const std::string& form, const ReuseCounts& counts);
  virtual void AddReuseAsync(const std::string& form, const ReuseCounts& counts,
                             std::function<void(absl::Status)> done) = 0;
  // Sums the reports of `form` with since_us <= time <= until_us (0: unbounded).
  [[nodiscard]] virtual absl::StatusOr<ReuseCounts> SumReuse(const std::string& form,
                                                             int64_t since_us,
                                                             int64_t until_us) = 0;

  // Calls `listener` (on the store's writer thread, so it must be quick) after each commit
  // with the last committed sequence. Returns an id for Unsubscribe.
  virtual uint64_t Subscribe(std::function<void(int64_t)> listener) = 0;
  virtual void Unsubscribe(uint64_t id) = 0;

  // ---- audit ----
  [[nodiscard]] virtual absl::StatusOr<v1::AuditEntry> ReadAuditEntry(uint64_t index) = 0;

  struct RawAuditEntry {
    uint64_t index = 0;
    std::string bytes;                     // as stored and hashed
    std::string stored_leaf_hash;          // the leaf hash the log holds for this position
    std::string stored_change_set_sha256;  // for change events: the history as it is now
  };
  // Entries from `start` upwards (or, with reverse, below `start` downwards), at most
  // `limit`, read as they are on disk: a gap or a moved entry shows as such.
  [[nodiscard]] virtual absl::StatusOr<std::vector<RawAuditEntry>> ReadAuditEntries(
      uint64_t start, int limit, bool reverse) = 0;
  // The stored Merkle nodes, for proofs (committed entries only).
  virtual const audit::NodeReader& AuditNodes() = 0;
  // Access events of one subject, newest first, starting below `before_key` (empty: from the
  // newest). Returns the audit indexes and the key to continue from (empty at the end).
  [[nodiscard]] virtual absl::StatusOr<std::pair<std::vector<uint64_t>, std::string>>
  ListAccessEvents(const SubjectName& subject, const std::string& before_key, int limit) = 0;

  // ---- evidence status (docs/evidence.md) ----
  // Credentials are recorded by RecordAccessIndexed with an access event that carries
  // `evidence`; the access is refused with ABORTED, reason RECORD_CHANGED, when the subject
  // has moved on from the revision the credential attests (read it again and reissue). A
  // later change set that changes a field the credential attests invalidates it in the same
  // atomic write. The audit indexes of invalidated credentials in [from, to), ascending.
  [[nodiscard]] virtual absl::StatusOr<std::vector<uint64_t>> ListInvalidEvidence(uint64_t from,
                                                                                  uint64_t to) = 0;

  // ---- integrity ----
  struct StateCheck {
    int64_t subjects = 0;
    int64_t states = 0;
    // Set at the first state that is not the fold of its subject's change sets (or whose
    // seal, history or snapshot does not hold); checking stops there.
    std::string bad_subject;
    int64_t bad_revision = 0;
    std::string problem;
    // The subject key to continue after; empty when every subject was checked.
    std::string next_after;
  };
  // Checks up to `limit` subjects in key order after `after` (empty: from the first): each
  // change set opens under its seal and they are revisions 1..n without a gap, and every
  // state (each snapshot and the current one) opens and serves what the fold of the change
  // sets up to its revision gives (libs/store/state_fold.h). INVALID_ARGUMENT if `after` is
  // not a subject key.
  [[nodiscard]] virtual absl::StatusOr<StateCheck> VerifyStates(const std::string& after,
                                                                int limit) = 0;

  // Writes a RocksDB backup (BackupEngine) of the live store into `directory` (created if
  // missing; earlier backups there are kept) and verifies its checksums.
  [[nodiscard]] virtual absl::StatusOr<BackupInfo> CreateBackup(const std::string& directory) = 0;

  virtual StoreStats Stats() = 0;

  // OK while the store accepts writes; the first failed write puts it in a failed state
  // (UNAVAILABLE) until it is reopened, so that nothing is acknowledged wrongly.
  virtual absl::Status Health() = 0;
};

}  // namespace collectonce::store

#endif  // COLLECTONCE_LIBS_STORE_STORE_H_
