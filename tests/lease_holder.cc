// A replica reduced to its leadership, for tests that stop it with SIGSTOP: it campaigns,
// and while it leads it appends log entries one after another, printing one line per append
// (unbuffered):
//   leading epoch=E
//   acknowledged index=N epoch=E     appended, and the lease was still certainly held
//   withheld index=N epoch=E         appended, but the lease may have expired meanwhile:
//                                    the append is durable, yet not acknowledged
//   refused index=N epoch=E code=C   not appended (fenced, ...)
//   lost epoch=E
// Usage: lease_holder ENDPOINTS(comma-separated) PREFIX REPLICA_ID TTL_SECONDS MODE
// MODE obey-lease: as a replica does. ignore-lease: once it led, it goes on appending in
// that epoch whatever its clock says, so that a test sees etcd itself refuse a deposed
// leader's appends.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/etcd/client.h"
#include "libs/replication/election.h"
#include "libs/replication/etcd_log.h"

namespace {

void Say(const std::string& line) {
  std::string l = line + "\n";
  if (write(1, l.data(), l.size()) < 0) _exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace collectonce;
  if (argc != 6) {
    std::fprintf(stderr,
                 "usage: lease_holder ENDPOINTS PREFIX REPLICA_ID TTL_SECONDS "
                 "obey-lease|ignore-lease\n");
    return 2;
  }
  const bool obey = std::string(argv[5]) == "obey-lease";
  etcd::ClientOptions o;
  o.endpoints = absl::StrSplit(argv[1], ',');
  o.attempt_timeout = absl::Seconds(1);
  auto client = etcd::Client::Create(o);
  if (!client.ok()) return 1;
  replication::Layout layout(argv[2]);
  replication::ElectionOptions eo;
  eo.replica_id = argv[3];
  eo.address = absl::StrCat(argv[3], ":1");
  eo.lease_ttl = absl::Seconds(std::atoi(argv[4]));
  replication::Election election(client->get(), layout, eo);
  replication::EtcdLog log(client->get(), layout, eo.replica_id);
  election.Start([](const replication::LeaderInfo& leader, bool self) {
    if (self) Say(absl::StrCat("leading epoch=", leader.epoch));
  });

  int64_t led = 0;    // the epoch being appended in
  uint64_t next = 0;  // the next index to append
  bool first = true;  // the epoch's first append
  for (;;) {
    int64_t epoch = 0;
    if (!election.Leading(&epoch)) {
      if (led != 0 && obey) {
        Say(absl::StrCat("lost epoch=", led));
        led = 0;
      }
      if (led == 0) {
        usleep(20000);
        continue;
      }
      epoch = led;  // ignoring the lease: the old epoch
    }
    if (epoch != led) {
      // A new leader reads the log to its end before it writes.
      auto bounds = log.Bounds();
      if (!bounds.ok()) continue;
      led = epoch;
      next = bounds->second + 1;
      first = true;
    }
    const replication::SteadyTime until = election.lease_valid_until();
    const absl::Time deadline =
        obey ? absl::Now() + absl::FromChrono(until - std::chrono::steady_clock::now())
             : absl::Now() + absl::Seconds(2);
    const std::string bytes = absl::StrCat("entry ", next, " by ", eo.replica_id);
    absl::Status s = log.Append(epoch, next, bytes, !first, deadline);
    if (s.ok()) {
      int64_t still = 0;
      const bool acknowledge = election.Leading(&still) && still == epoch;
      Say(absl::StrCat(acknowledge ? "acknowledged" : "withheld", " index=", next,
                       " epoch=", epoch));
      ++next;
      first = false;
    } else {
      Say(absl::StrCat("refused index=", next, " epoch=", epoch,
                       " code=", absl::StatusCodeToString(s.code())));
      if (obey) {
        if (s.code() == absl::StatusCode::kAborted) election.Resign(absl::Seconds(1));
        led = 0;  // read the end again
      }
    }
    usleep(20000);
  }
}
