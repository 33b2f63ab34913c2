#include "libs/disputes/dispute_store.h"

#include <atomic>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "libs/disputes/dispute_rules.h"

namespace collectonce::disputes {

namespace {

// Objects read per store call while scanning.
constexpr int kScanChunk = 64;

std::string SubjectPrefix(const std::string& subject) {
  return absl::StrCat(subject, "/disputes/");
}

void FillOutputOnly(const store::StoredObject& o, v1::Dispute* d) {
  d->set_version(o.version);
  d->mutable_update_time()->set_seconds(o.update_time_us / 1000000);
  d->mutable_update_time()->set_nanos(static_cast<int32_t>(o.update_time_us % 1000000) * 1000);
  d->set_etag(absl::StrCat(o.version));
}

absl::StatusOr<v1::Dispute> Parse(const store::StoredObject& o, int64_t now_us) {
  v1::Dispute d;
  if (!d.ParseFromString(o.payload)) {
    return absl::DataLossError(absl::StrCat(o.name, " is unreadable"));
  }
  FillOutputOnly(o, &d);
  MarkOverdue(now_us, &d);
  return d;
}

bool Passes(const DisputeFilter& f, const v1::Dispute& d) {
  if (!f.department.empty() && d.department() != f.department) return false;
  if (f.state != v1::Dispute::STATE_UNSPECIFIED && d.state() != f.state) return false;
  if (f.overdue_only && !d.overdue()) return false;
  return true;
}

}  // namespace

std::string NotificationName(const std::string& principal, const std::string& dispute_name) {
  // "persons/p1/disputes/x-1" -> "persons.p1.x-1": unique across subjects ('.' is in no
  // subject id and no dispute id).
  std::string id = absl::StrReplaceAll(dispute_name, {{"/disputes/", "."}, {"/", "."}});
  return absl::StrCat(principal, "/notifications/", id);
}

std::string SubjectOfDispute(const std::string& dispute_name) {
  const size_t at = dispute_name.find("/disputes/");
  return at == std::string::npos ? std::string() : dispute_name.substr(0, at);
}

absl::StatusOr<v1::Dispute> DisputeStore::Get(const std::string& name, int64_t now_us) const {
  auto o = store_->GetObject(kDisputeType, name);
  if (!o.ok()) return o.status();
  return Parse(*o, now_us);
}

absl::StatusOr<std::vector<v1::Dispute>> DisputeStore::ForSubject(const std::string& subject,
                                                                  int64_t now_us) const {
  DisputeFilter all;
  all.subject = subject;
  auto page = List(all, "", kMaxDisputesPerSubject, kMaxDisputesPerSubject, now_us);
  if (!page.ok()) return page.status();
  return std::move(page->disputes);
}

absl::StatusOr<absl::flat_hash_set<std::string>> DisputeStore::ContestedFields(
    const std::string& subject) const {
  auto disputes = ForSubject(subject, 0);
  if (!disputes.ok()) return disputes.status();
  absl::flat_hash_set<std::string> fields;
  for (const auto& d : *disputes) {
    if (IsPending(d.state())) fields.insert(d.field());
  }
  return fields;
}

absl::Status DisputeStore::MarkContested(v1::Record* record) const {
  auto contested = ContestedFields(record->name());
  if (!contested.ok()) return contested.status();
  if (contested->empty()) return absl::OkStatus();
  for (auto& f : *record->mutable_fields()) {
    if (contested->contains(f.field())) f.set_contested(true);
  }
  return absl::OkStatus();
}

absl::StatusOr<DisputePage> DisputeStore::List(const DisputeFilter& filter,
                                               const std::string& after, int limit, int scan_limit,
                                               int64_t now_us) const {
  const std::string prefix = filter.subject.empty() ? "" : SubjectPrefix(filter.subject);
  std::string cursor = after < prefix ? prefix : after;
  DisputePage page;
  int scanned = 0;
  while (static_cast<int>(page.disputes.size()) < limit && scanned < scan_limit) {
    auto chunk = store_->ListObjects(kDisputeType, cursor, kScanChunk, prefix);
    if (!chunk.ok()) return chunk.status();
    bool full = false;
    for (const auto& o : *chunk) {
      if (!absl::StartsWith(o.name, prefix)) return page;  // past the subject: the end
      auto d = Parse(o, now_us);
      if (!d.ok()) return d.status();
      cursor = o.name;
      ++scanned;
      if (Passes(filter, *d)) page.disputes.push_back(*std::move(d));
      full = static_cast<int>(page.disputes.size()) == limit || scanned == scan_limit;
      if (full) break;
    }
    if (!full && static_cast<int>(chunk->size()) < kScanChunk) return page;  // no more
  }
  page.next_after = cursor;
  return page;
}

void DisputeStore::Save(v1::Dispute dispute, int64_t expected_version, const std::string& principal,
                        const std::string& action,
                        std::function<void(absl::StatusOr<v1::Dispute>)> done) {
  dispute.clear_version();
  dispute.clear_update_time();
  dispute.clear_etag();
  dispute.clear_overdue();
  store::Store::ObjectWrite w;
  w.type = kDisputeType;
  w.name = dispute.name();
  w.payload = dispute.SerializeAsString();
  w.principal = principal;
  w.expected_version = expected_version;
  w.action = action;
  store_->WriteObjectAsync(std::move(w), [dispute = std::move(dispute), done = std::move(done)](
                                             absl::StatusOr<store::StoredObject> o) mutable {
    if (!o.ok()) {
      done(o.status());
      return;
    }
    FillOutputOnly(*o, &dispute);
    done(std::move(dispute));
  });
}

void DisputeStore::SaveNotifications(std::vector<v1::Notification> notifications,
                                     const std::string& principal,
                                     std::function<void(absl::Status)> done) {
  if (notifications.empty()) {
    done(absl::OkStatus());
    return;
  }
  struct Pending {
    absl::Mutex mu;
    int left ABSL_GUARDED_BY(mu) = 0;
    absl::Status first ABSL_GUARDED_BY(mu);
    std::function<void(absl::Status)> done;
  };
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  {
    absl::MutexLock lock(&pending->mu);
    pending->left = static_cast<int>(notifications.size());
  }
  for (auto& n : notifications) {
    store::Store::ObjectWrite w;
    w.type = kNotificationType;
    w.name = n.name();
    w.payload = n.SerializeAsString();
    w.principal = principal;
    w.action = "NOTIFY";
    store_->WriteObjectAsync(std::move(w), [pending](absl::StatusOr<store::StoredObject> o) {
      absl::Status finished;
      {
        absl::MutexLock lock(&pending->mu);
        if (!o.ok() && pending->first.ok()) pending->first = o.status();
        if (--pending->left > 0) return;
        finished = pending->first;
      }
      pending->done(finished);
    });
  }
}

absl::StatusOr<std::vector<v1::Notification>> DisputeStore::Notifications(
    const std::string& principal, const std::string& after, int limit) const {
  const std::string prefix = absl::StrCat(principal, "/notifications/");
  auto objects =
      store_->ListObjects(kNotificationType, after < prefix ? prefix : after, limit, prefix);
  if (!objects.ok()) return objects.status();
  std::vector<v1::Notification> out;
  for (const auto& o : *objects) {
    if (!absl::StartsWith(o.name, prefix)) break;
    v1::Notification n;
    if (!n.ParseFromString(o.payload)) {
      return absl::DataLossError(absl::StrCat(o.name, " is unreadable"));
    }
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace collectonce::disputes
