#include "libs/store/rocksdb_store.h"

#include <algorithm>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "libs/base/status_macros.h"
#include "libs/crypto/sha256.h"
#include "libs/store/rocksdb_store_impl.h"

namespace collectonce::store {

namespace internal {

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(what, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsIOError() || s.IsNoSpace() || s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) {
    return absl::UnavailableError(msg);
  }
  return absl::InternalError(msg);
}

// A new person's id: "p", 11 characters of the creation time in microseconds, 8 random
// characters, all from a base32 alphabet in ASCII order. Ids made later sort later, so a
// bulk load appends to the per-subject column families instead of scattering across them
// (RocksDB then moves whole files down instead of rewriting them); the random part keeps
// ids from being guessed from a time. The id reveals when the file was created, which its
// history shows anyway, and nothing about the person.
std::string NewPersonId(int64_t time_us) {
  static constexpr char kSorted[] = "0123456789abcdefghjkmnpqrstvwxyz";
  std::string id(20, 'p');
  uint64_t t = static_cast<uint64_t>(std::max<int64_t>(time_us, 0));
  for (int i = 11; i >= 1; --i) {
    id[i] = kSorted[t & 31];
    t >>= 5;
  }
  // Uniqueness, not secrecy (a person id grants nothing): a per-thread generator seeded
  // from the operating system, much cheaper than OpenSSL's DRBG on a bulk load.
  thread_local absl::BitGen gen;
  uint64_t r = absl::Uniform<uint64_t>(gen);
  for (int i = 0; i < 8; ++i, r >>= 5) id[12 + i] = kSorted[r & 31];
  return id;
}

std::string Etag(int64_t revision, int64_t sequence) {
  return absl::StrCat(revision, "-", absl::Hex(sequence));
}

v1::Record ToRecord(const SubjectName& subject, const sv1::RecordState& state, bool with_values) {
  v1::Record r;
  r.set_name(subject.ToString());
  r.set_kind(subject.kind);
  r.set_revision(state.revision());
  r.set_commit_sequence(state.commit_sequence());
  r.set_etag(Etag(state.revision(), state.commit_sequence()));
  *r.mutable_create_time() = MicrosToTimestamp(state.create_time_us());
  *r.mutable_update_time() = MicrosToTimestamp(state.update_time_us());
  if (!with_values) return r;
  for (const auto& f : state.fields()) {
    if (f.has_value()) ExpandField(state, f, r.add_fields());  // tombstones are not shown
  }
  return r;
}

// A digest of everything that makes a write request what it is, for request-id reuse.
std::string RequestDigest(const WriteRequest& r) {
  std::string buf;
  auto add = [&buf](absl::string_view s) { absl::StrAppend(&buf, s.size(), ":", s); };
  add(r.subject ? r.subject->ToString() : "");
  add(absl::StrCat(static_cast<int>(r.kind)));
  for (const auto& c : r.changes) {
    add(c.field);
    add(c.value ? c.value->SerializeAsString() : std::string("\xff"));
  }
  add(r.provenance.SerializeAsString());
  add(r.reason);
  add(r.expected_revision ? absl::StrCat(*r.expected_revision) : "-");
  add(r.expected_etag ? *r.expected_etag : "-");
  return crypto::Sha256(buf);
}

}  // namespace internal

using internal::RocksDbStoreImpl;

RocksDbStore::~RocksDbStore() = default;

absl::StatusOr<std::unique_ptr<RocksDbStore>> RocksDbStore::Open(RocksDbStoreOptions options) {
  if (options.data_dir.empty()) return absl::InvalidArgumentError("the store needs a data dir");
  auto store = std::make_unique<RocksDbStoreImpl>(std::move(options));
  RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<RocksDbStore>(std::move(store));
}

absl::StatusOr<WriteResult> Store::WriteAndWait(WriteRequest request,
                                                catalog::Violations* violations) {
  absl::Notification done;
  absl::StatusOr<WriteResult> result = absl::UnknownError("not committed");
  Write(std::move(request), [&](absl::StatusOr<WriteResult> r, catalog::Violations v) {
    result = std::move(r);
    if (violations) *violations = std::move(v);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

absl::StatusOr<v1::Catalog> Store::ApplyCatalog(v1::Catalog catalog, const std::string& principal,
                                                bool dry_run, catalog::Violations* violations) {
  absl::Notification done;
  absl::StatusOr<v1::Catalog> result = absl::UnknownError("not committed");
  ApplyCatalogAsync(std::move(catalog), principal, dry_run,
                    [&](absl::StatusOr<v1::Catalog> r, catalog::Violations v) {
                      result = std::move(r);
                      if (violations) *violations = std::move(v);
                      done.Notify();
                    });
  done.WaitForNotification();
  return result;
}

absl::StatusOr<StoredObject> Store::PutObject(const std::string& type, const std::string& name,
                                              std::string payload, const std::string& principal) {
  absl::Notification done;
  absl::StatusOr<StoredObject> result = absl::UnknownError("not committed");
  PutObjectAsync(type, name, std::move(payload), principal, [&](absl::StatusOr<StoredObject> r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

absl::StatusOr<StoredObject> Store::WriteObject(ObjectWrite write) {
  absl::Notification done;
  absl::StatusOr<StoredObject> result = absl::UnknownError("not committed");
  WriteObjectAsync(std::move(write), [&](absl::StatusOr<StoredObject> r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

absl::Status Store::AddReuse(const std::string& form, const ReuseCounts& counts) {
  absl::Notification done;
  absl::Status result;
  AddReuseAsync(form, counts, [&](absl::Status s) {
    result = std::move(s);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

absl::Status Store::RecordAccessAndWait(AccessRecord access) {
  absl::Notification done;
  absl::Status result;
  RecordAccess(std::move(access), [&](absl::Status s) {
    result = std::move(s);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

}  // namespace collectonce::store
