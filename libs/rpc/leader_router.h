// Calls to a replicated registry given as several addresses: each call goes to the replica
// believed to lead; a follower refuses what it cannot serve with FAILED_PRECONDITION, reason
// NOT_LEADER, and names the leader in the ErrorInfo's metadata (leaderAddress), and the call
// is sent there instead. Retries are bounded (a few per replica) and stay within the call's
// deadline; a failover costs callers retries, never a wrong answer:
//
//   NOT_LEADER                  nothing was done: always sent again, to the named leader
//                               when it is one of the addresses, else to the next replica
//                               after a short pause (an election is under way).
//   UNAVAILABLE                 the replica is down or unreachable: sent to the next replica,
//                               only if the call is repeatable.
//   DEADLINE_EXCEEDED           the replica did not answer within the attempt's deadline
//                               (AttemptDeadline): stopped, stalled or cut off without a reset.
//                               Treated as UNAVAILABLE; the call's own deadline still ends it.
//   COMMIT_OUTCOME_UNKNOWN      the leader lost its lease while committing: sent again (to the
//                               next leader) only if repeatable.
//   anything else               returned to the caller.
//
// Repeatable: a read, or a write that carries a request id (the registry answers a repeated
// request id with the first result, on every replica, so a write retried after a failover
// never applies twice). A write without one is sent once.
//
// Thread-safe.
#ifndef COLLECTONCE_LIBS_RPC_LEADER_ROUTER_H_
#define COLLECTONCE_LIBS_RPC_LEADER_ROUTER_H_

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/rpc/errors.h"

namespace collectonce::rpc {

inline constexpr char kNotLeaderReason[] = "NOT_LEADER";
// ErrorInfo metadata of a NOT_LEADER refusal: the leader's API address (host:port) and its
// replica id, when the follower knows them.
inline constexpr char kLeaderAddressKey[] = "leaderAddress";
inline constexpr char kLeaderReplicaKey[] = "leaderReplica";

// "host:port,host:port,..." (spaces around commas allowed). INVALID_ARGUMENT when empty or
// when an element is not host:port.
absl::StatusOr<std::vector<std::string>> ParseAddressList(absl::string_view list);

class LeaderRouter {
 public:
  // At least one address.
  explicit LeaderRouter(std::vector<std::string> addresses);

  int size() const { return static_cast<int>(addresses_.size()); }
  const std::string& address(int i) const { return addresses_[i]; }
  const std::vector<std::string>& addresses() const { return addresses_; }
  // The replica calls go to now.
  int current() const { return current_.load(); }

  struct Retry {
    int replica;           // send the call here next
    absl::Duration pause;  // after this long
  };
  // After attempt number `attempt` (1 for the first) of a call, sent to `tried`, failed with
  // `error`: where to send it again, or nullopt to return the error. Moves current() to the
  // chosen replica. The caller still checks that the pause fits its deadline.
  std::optional<Retry> OnFailure(int tried, const RpcError& error, bool repeatable, int attempt);

  // The deadline of one attempt of a call that must end by `call_deadline`: half of what
  // remains, at least one second, never past the call's. A replica that accepted the
  // connection but does not answer (a leader stopped past its lease, a host gone without a
  // reset) then costs a caller part of its deadline, not all of it, and the call goes on to
  // the next replica. One replica: the call's deadline.
  absl::Time AttemptDeadline(absl::Time now, absl::Time call_deadline) const;

  // Attempts of one call at most (the first included).
  int max_attempts() const { return 2 * size() + 2; }

 private:
  int IndexOf(absl::string_view address) const;

  const std::vector<std::string> addresses_;
  std::atomic<int> current_{0};
};

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_LEADER_ROUTER_H_
