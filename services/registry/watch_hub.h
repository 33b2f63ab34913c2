// Serves WatchChanges streams. Each stream reads committed change sets after its cursor and
// writes them one message at a time; when it has caught up it waits, and the hub's thread
// wakes it after the next commit. No gRPC thread ever blocks.
#ifndef COLLECTONCE_SERVICES_REGISTRY_WATCH_HUB_H_
#define COLLECTONCE_SERVICES_REGISTRY_WATCH_HUB_H_

#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "libs/store/store.h"

namespace collectonce::registry {

class WatchStream;

// What one watcher is shown. Governance and auditors see the whole feed (no values); an
// approval system sees only subjects of the kinds its grants cover, only the fields its
// grants let it read (a change set touching none of them is skipped), and nothing of who
// changed them or why (docs/api.md, WatchChanges).
struct WatchScope {
  bool full_feed = false;
  // Kind -> fields the watcher's grants release (clear or masked); a kind absent: none.
  absl::flat_hash_map<v1::SubjectKind, absl::flat_hash_set<std::string>> fields;
};

class WatchHub {
 public:
  explicit WatchHub(store::Store* store);
  // Stops waking streams; call after the server has shut down.
  ~WatchHub();

  grpc::ServerWriteReactor<v1::WatchChangesResponse>* Start(const v1::WatchChangesRequest& request,
                                                            WatchScope scope);
  // A reactor that finishes at once with `status`.
  static grpc::ServerWriteReactor<v1::WatchChangesResponse>* Refuse(grpc::Status status);

  store::Store* store() const { return store_; }
  void Remove(WatchStream* stream);

 private:
  void Loop();

  store::Store* store_;
  uint64_t subscription_ = 0;
  // Held while streams are pumped (so that none goes away meanwhile).
  absl::Mutex mu_;
  absl::flat_hash_set<WatchStream*> streams_ ABSL_GUARDED_BY(mu_);
  // Commit notifications: held only for a moment, by the store's writer thread too.
  absl::Mutex signal_mu_;
  int64_t notified_ ABSL_GUARDED_BY(signal_mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(signal_mu_) = false;
  std::thread thread_;
};

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_WATCH_HUB_H_
