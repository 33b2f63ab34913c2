// How an etcd answer becomes an absl::Status (the table is in libs/etcd/client.h), and
// whether the call may move on to another member.
#ifndef COLLECTONCE_LIBS_ETCD_INTERNAL_ERRORS_H_
#define COLLECTONCE_LIBS_ETCD_INTERNAL_ERRORS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace collectonce::etcd::internal {

// Whether the call may have changed anything.
enum class CallKind {
  kRead,      // never changes anything: retried anywhere
  kMutation,  // once sent, its outcome is known only from an answer
};

struct Classified {
  absl::Status status;
  // The member in use could not serve the call but another one may, and retrying does not
  // risk applying a mutation twice.
  bool try_next_member = false;
};

// `status` is what gRPC returned for a call that was sent to a member.
Classified Classify(const grpc::Status& status, CallKind kind);

}  // namespace collectonce::etcd::internal

#endif  // COLLECTONCE_LIBS_ETCD_INTERNAL_ERRORS_H_
