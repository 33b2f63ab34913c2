// Disputes and notifications kept as versioned governance objects of the store (types
// "disputes" and "notifications"), each step one conditional write with its audit leaf.
// Disputes are named under their subject, so a subject's disputes are one short scan.
// Thread-safe; knows nothing of gRPC.
#ifndef COLLECTONCE_LIBS_DISPUTES_DISPUTE_STORE_H_
#define COLLECTONCE_LIBS_DISPUTES_DISPUTE_STORE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "collectonce/registry/v1/dispute.pb.h"
#include "libs/store/store.h"

namespace collectonce::disputes {

namespace v1 = ::collectonce::registry::v1;

// Stored object types. Do not change: they are part of the stored keys.
inline constexpr char kDisputeType[] = "disputes";
inline constexpr char kNotificationType[] = "notifications";

// The most disputes one subject may have (of all states); OpenDispute refuses more.
inline constexpr int kMaxDisputesPerSubject = 1000;

// What a listing keeps.
struct DisputeFilter {
  std::string subject;  // "persons/{pid}": its disputes only (empty: every subject)
  std::string department;
  v1::Dispute::State state = v1::Dispute::STATE_UNSPECIFIED;
  bool overdue_only = false;
};

struct DisputePage {
  std::vector<v1::Dispute> disputes;
  // The name to continue after; empty when nothing is left.
  std::string next_after;
};

class DisputeStore {
 public:
  explicit DisputeStore(store::Store* store) : store_(store) {}

  // The dispute with its version, etag and update time, overdue as of `now_us`. NOT_FOUND
  // when there is none.
  [[nodiscard]] absl::StatusOr<v1::Dispute> Get(const std::string& name, int64_t now_us) const;

  // Every dispute of `subject` in name order.
  [[nodiscard]] absl::StatusOr<std::vector<v1::Dispute>> ForSubject(const std::string& subject,
                                                                    int64_t now_us) const;

  // The fields of `subject` with a pending dispute. One scan of the subject's disputes.
  [[nodiscard]] absl::StatusOr<absl::flat_hash_set<std::string>> ContestedFields(
      const std::string& subject) const;

  // Sets `contested` on the record's fields that have a pending dispute.
  [[nodiscard]] absl::Status MarkContested(v1::Record* record) const;

  // Disputes after `after` (a name; empty: from the first) that pass `filter`, at most
  // `limit`, reading at most `scan_limit` disputes.
  [[nodiscard]] absl::StatusOr<DisputePage> List(const DisputeFilter& filter,
                                                 const std::string& after, int limit,
                                                 int scan_limit, int64_t now_us) const;

  // Stores `dispute` if it is at `expected_version` now (0: new); ABORTED (OBJECT_CHANGED)
  // otherwise. `action` is recorded in the audit leaf. `done` runs on the store's completer
  // thread with the stored dispute.
  void Save(v1::Dispute dispute, int64_t expected_version, const std::string& principal,
            const std::string& action, std::function<void(absl::StatusOr<v1::Dispute>)> done);

  // Stores notifications (an identical one again is no new version); `done` runs once all
  // are durable, with the first error if any.
  void SaveNotifications(std::vector<v1::Notification> notifications, const std::string& principal,
                         std::function<void(absl::Status)> done);

  // The notifications of `principal` ("principals/{id}") after `after`, at most `limit`.
  [[nodiscard]] absl::StatusOr<std::vector<v1::Notification>> Notifications(
      const std::string& principal, const std::string& after, int limit) const;

 private:
  store::Store* store_;
};

// "principals/{id}/notifications/{collection}.{subject-id}.{dispute-id}".
std::string NotificationName(const std::string& principal, const std::string& dispute_name);

// The subject part of a dispute name ("persons/p1" of "persons/p1/disputes/x-1"), or empty.
std::string SubjectOfDispute(const std::string& dispute_name);

}  // namespace collectonce::disputes

#endif  // COLLECTONCE_LIBS_DISPUTES_DISPUTE_STORE_H_
