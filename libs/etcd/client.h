// A small etcd v3 client: KV (Range, Put, DeleteRange, Txn), Lease (Grant, KeepAlive,
// Revoke, TimeToLive), Watch, and the member list and status that operators look at.
//
// Several endpoints, one in use at a time; a call that the member in use cannot serve (it is
// down, partitioned from its quorum, knows no leader) moves on to the next one, within the
// call's deadline. Every call has a deadline: the one given, or now + call_timeout.
//
// What each status means (etcd's own errors are mapped on purpose, not passed through):
//   OK                  done.
//   UNAVAILABLE         nothing was changed, and no member could serve the call before the
//                       deadline (reason ETCD_UNAVAILABLE); try again later.
//   UNKNOWN             a write was sent and no answer came back (reason
//                       ETCD_OUTCOME_UNKNOWN): it may or may not have been applied, now or
//                       later. Read back before relying on either.
//   DEADLINE_EXCEEDED   a read did not finish before the deadline (nothing changed).
//   OUT_OF_RANGE        a revision that was compacted away, or one from the future
//                       (ETCD_COMPACTED, ETCD_FUTURE_REVISION).
//   NOT_FOUND           the lease does not exist (expired or revoked; ETCD_LEASE_NOT_FOUND).
//   INVALID_ARGUMENT    etcd refused the request as such: too large (over
//                       --max-request-bytes, 1.5 MiB by default), too many operations in one
//                       transaction, a key twice, an empty key, a TTL too long.
//   RESOURCE_EXHAUSTED  etcd's space quota is exceeded (ETCD_NO_SPACE): it takes no writes
//                       until compacted, defragmented and the alarm disarmed.
//   DATA_LOSS           etcd reports a corrupt cluster.
//   PERMISSION_DENIED,
//   UNAUTHENTICATED     etcd's authentication refused the call.
//   INTERNAL            anything else etcd answered (the message says what).
//
// Thread-safe. Creating a client does not connect; connections are made on first use and
// kept.
#ifndef COLLECTONCE_LIBS_ETCD_CLIENT_H_
#define COLLECTONCE_LIBS_ETCD_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/etcd/types.h"
#include "libs/etcd/watch.h"

namespace collectonce::etcd {

namespace internal {
class Endpoints;
}

struct ClientOptions {
  // host:port of each member's client URL. At least one.
  std::vector<std::string> endpoints;
  // The whole call, retries on other members included, when no deadline is given.
  absl::Duration call_timeout = absl::Seconds(5);
  // One attempt on one member; a member that does not answer in this time is left for the
  // next one (a read), or makes a write's outcome UNKNOWN.
  absl::Duration attempt_timeout = absl::Seconds(2);
  // How long a write waits for a connection to the member in use before it moves on (the
  // write has then not been sent, so moving on is safe).
  absl::Duration connect_timeout = absl::Milliseconds(500);
  // TLS towards etcd: a CA bundle, and a client certificate and key if etcd asks for one.
  // All empty: plaintext.
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
};

// Called after every call (retries included once) with the method ("Range", "Txn", ...),
// the status code it ended with and how long it took. Must be quick and thread-safe.
using CallObserver =
    std::function<void(absl::string_view method, absl::StatusCode code, absl::Duration took)>;

// Deadline arguments: absl::InfiniteFuture() means "now + call_timeout"; no call waits
// without bound.
inline constexpr absl::Time kDefaultDeadline = absl::InfiniteFuture();

class Client {
 public:
  // INVALID_ARGUMENT for an empty or malformed endpoint list or unreadable TLS files.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Client>> Create(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // ---- KV ----
  [[nodiscard]] absl::StatusOr<RangeResult> Range(const RangeRequest& request,
                                                  absl::Time deadline = kDefaultDeadline);
  // The value of one key (linearizable); NOT_FOUND when it does not exist.
  [[nodiscard]] absl::StatusOr<KeyValue> Get(const std::string& key,
                                             absl::Time deadline = kDefaultDeadline);
  // Returns the revision of the put.
  [[nodiscard]] absl::StatusOr<int64_t> Put(const std::string& key, const std::string& value,
                                            int64_t lease = 0,
                                            absl::Time deadline = kDefaultDeadline);
  // Returns the number of keys deleted.
  [[nodiscard]] absl::StatusOr<int64_t> DeleteRange(const KeyRange& keys,
                                                    absl::Time deadline = kDefaultDeadline);
  [[nodiscard]] absl::StatusOr<TxnResult> Txn(const TxnRequest& request,
                                              absl::Time deadline = kDefaultDeadline);
  // Discards the history before `revision` (keys deleted before it stop taking space; a
  // watch from before it gets OUT_OF_RANGE). OK also when already compacted that far.
  [[nodiscard]] absl::Status Compact(int64_t revision, absl::Time deadline = kDefaultDeadline);

  // ---- Lease ----
  // A lease of about `ttl` (whole seconds, at least 1; etcd raises TTLs below its minimum).
  // A lease whose grant answer was lost simply expires, so Grant is retried like a read.
  [[nodiscard]] absl::StatusOr<Lease> Grant(absl::Duration ttl,
                                            absl::Time deadline = kDefaultDeadline);
  // OK also when the lease was already gone.
  [[nodiscard]] absl::Status Revoke(int64_t lease, absl::Time deadline = kDefaultDeadline);
  // Renews the lease once (one request on the keep-alive stream) and returns its TTL in
  // seconds, counted from a moment after this call was made: a caller that notes the time
  // before calling may rely on the lease until that time + TTL. NOT_FOUND if it expired.
  [[nodiscard]] absl::StatusOr<int64_t> KeepAliveOnce(int64_t lease,
                                                      absl::Time deadline = kDefaultDeadline);
  [[nodiscard]] absl::StatusOr<LeaseTimeToLive> TimeToLive(int64_t lease,
                                                           absl::Time deadline = kDefaultDeadline);

  // ---- Watch ----
  // Starts watching; see watch.h. Never fails at once: a watch that cannot connect keeps
  // trying until it is destroyed, and Next says so by timing out. The client must outlive
  // the watch.
  std::unique_ptr<Watch> StartWatch(WatchOptions options);

  // ---- Cluster and maintenance ----
  [[nodiscard]] absl::StatusOr<std::vector<Member>> MemberList(
      absl::Time deadline = kDefaultDeadline);
  // Asks the member at `endpoint` (one of the client's or any other host:port) about itself.
  [[nodiscard]] absl::StatusOr<MemberStatus> Status(const std::string& endpoint,
                                                    absl::Time deadline = kDefaultDeadline);

  const std::vector<std::string>& endpoints() const;
  // The endpoint calls go to now.
  std::string current_endpoint() const;
  // Set before the first call.
  void set_observer(CallObserver observer) { observer_ = std::move(observer); }

 private:
  explicit Client(ClientOptions options, std::unique_ptr<internal::Endpoints> endpoints);
  absl::Time Deadline(absl::Time given) const;
  void Observe(absl::string_view method, const absl::Status& status, absl::Time start) const;

  ClientOptions options_;
  std::unique_ptr<internal::Endpoints> endpoints_;
  CallObserver observer_;
};

}  // namespace collectonce::etcd

#endif  // COLLECTONCE_LIBS_ETCD_CLIENT_H_
