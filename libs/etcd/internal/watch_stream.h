// Client::StartWatch's implementation: one thread per watch that reads etcd's Watch stream
// and starts it again, after the last revision it received, on the next member whenever it
// ends.
#ifndef COLLECTONCE_LIBS_ETCD_INTERNAL_WATCH_STREAM_H_
#define COLLECTONCE_LIBS_ETCD_INTERNAL_WATCH_STREAM_H_

#include <memory>

#include "libs/etcd/watch.h"

namespace collectonce::etcd::internal {

class Endpoints;

// `endpoints` must outlive the watch.
std::unique_ptr<Watch> StartWatch(Endpoints* endpoints, WatchOptions options);

}  // namespace collectonce::etcd::internal

#endif  // COLLECTONCE_LIBS_ETCD_INTERNAL_WATCH_STREAM_H_
