// The client's members: one gRPC channel and etcd's stubs per endpoint, which one is in
// use, and the loop that runs one call on them in turn until it succeeds, fails for good or
// runs out of time. Internal to libs/etcd: the only place gRPC types live.
#ifndef COLLECTONCE_LIBS_ETCD_INTERNAL_ENDPOINTS_H_
#define COLLECTONCE_LIBS_ETCD_INTERNAL_ENDPOINTS_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "libs/etcd/client.h"
#include "libs/etcd/internal/errors.h"

namespace collectonce::etcd::internal {

struct Member {
  std::string address;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<etcdserverpb::KV::Stub> kv;
  std::unique_ptr<etcdserverpb::Lease::Stub> lease;
  std::unique_ptr<etcdserverpb::Watch::Stub> watch;
  std::unique_ptr<etcdserverpb::Cluster::Stub> cluster;
  std::unique_ptr<etcdserverpb::Maintenance::Stub> maintenance;
};

class Endpoints {
 public:
  // INVALID_ARGUMENT for an empty list, a malformed address or unreadable TLS files.
  static absl::StatusOr<std::unique_ptr<Endpoints>> Create(const ClientOptions& options);

  size_t size() const { return members_.size(); }
  Member& at(size_t i) { return *members_[i]; }
  // The member calls go to now.
  size_t current() const { return current_.load(std::memory_order_relaxed); }
  // Moves on from `failed` to the next member, unless another call has moved on already.
  void MoveOn(size_t failed);

  // A member outside the list, for a call to one particular endpoint.
  std::unique_ptr<Member> Connect(const std::string& address) const;

  // Runs `attempt` on the member in use; when it cannot serve the call (see Classify) on
  // the next one, pausing briefly after each round of all of them, until it succeeds, fails
  // for good, or `deadline` passes. A mutation is sent only over a connected channel, so
  // that moving on never sends it twice. Each attempt gets a fresh context with its own
  // deadline and etcd's "require a leader" metadata, so that a member cut off from its
  // quorum refuses at once instead of waiting.
  absl::Status Call(CallKind kind, absl::Time deadline,
                    const std::function<grpc::Status(Member&, grpc::ClientContext&)>& attempt);

  // Prepares a context for a call or a stream to one member (a stream: no deadline,
  // absl::InfiniteFuture()).
  void Prepare(grpc::ClientContext& context, absl::Time deadline) const;

 private:
  explicit Endpoints(const ClientOptions& options) : options_(options) {}
  std::unique_ptr<Member> MakeMember(const std::string& address) const;

  ClientOptions options_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::vector<std::unique_ptr<Member>> members_;
  std::atomic<size_t> current_{0};
};

}  // namespace collectonce::etcd::internal

#endif  // COLLECTONCE_LIBS_ETCD_INTERNAL_ENDPOINTS_H_
