// A resumable etcd watch: the changes to a key range from a start revision on, in revision
// order, each exactly once, across broken streams and failed members (it resumes after the
// last revision it delivered, on the next member). Made by Client::Watch.
#ifndef COLLECTONCE_LIBS_ETCD_WATCH_H_
#define COLLECTONCE_LIBS_ETCD_WATCH_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/etcd/types.h"

namespace collectonce::etcd {

struct WatchOptions {
  KeyRange keys;
  // The first revision to deliver (0: changes after the watch starts).
  int64_t start_revision = 0;
};

struct WatchBatch {
  std::vector<Event> events;  // all of one or more revisions, in order
};

class Watch {
 public:
  virtual ~Watch() = default;  // cancels the watch and waits for its thread

  // The next events, waiting until `deadline` at most.
  //   DEADLINE_EXCEEDED  none arrived in time; the watch goes on (call again).
  //   OUT_OF_RANGE       (reason ETCD_COMPACTED) the revision to resume from was compacted
  //                      away: events were lost to this watch, which has ended. The caller
  //                      reads the current state (a Range) and starts a new watch after it;
  //                      compact_revision() is the oldest revision still watchable.
  [[nodiscard]] virtual absl::StatusOr<WatchBatch> Next(absl::Time deadline) = 0;

  // The revision the watch would resume from: one past the last one delivered by Next.
  virtual int64_t next_revision() const = 0;
  virtual int64_t compact_revision() const = 0;
  // Stream (re)starts so far, the first one included.
  virtual int64_t streams_started() const = 0;
};

}  // namespace collectonce::etcd

#endif  // COLLECTONCE_LIBS_ETCD_WATCH_H_
