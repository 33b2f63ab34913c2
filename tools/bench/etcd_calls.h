// The etcd peer's calls for loadgen: one key's KV Range (serializable: answered by the member
// it reaches, without a quorum round trip) to measure, and Put to load the peer first. Both
// on gRPC's callback API over etcd's own stubs (collectonce_etcd_grpc, built from Debian's
// packaged protos), on the channels the caller made, so that the peer is driven by the same
// load generator, connections and in-flight count as the registry.
#ifndef COLLECTONCE_TOOLS_BENCH_ETCD_CALLS_H_
#define COLLECTONCE_TOOLS_BENCH_ETCD_CALLS_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"

namespace collectonce::bench {

class EtcdCalls {
 public:
  // `done(ok, response_bytes)` runs on a gRPC thread once the call ends.
  using Done = std::function<void(bool, size_t)>;

  explicit EtcdCalls(const std::vector<std::shared_ptr<grpc::Channel>>& channels);
  ~EtcdCalls();

  // A serializable Range of `key` alone; ok only when etcd answers and the key exists (a
  // missing key is a cheaper answer, so it counts as an error).
  void Range(size_t channel, std::shared_ptr<grpc::ClientContext> ctx, const std::string& key,
             Done done);
  // Puts `value` under `key`.
  void Put(size_t channel, std::shared_ptr<grpc::ClientContext> ctx, const std::string& key,
           const std::string& value, Done done);

 private:
  struct Stubs;
  std::unique_ptr<Stubs> stubs_;
};

}  // namespace collectonce::bench

#endif  // COLLECTONCE_TOOLS_BENCH_ETCD_CALLS_H_
