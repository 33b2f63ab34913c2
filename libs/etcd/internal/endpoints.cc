#include "libs/etcd/internal/endpoints.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/base/error_reason.h"

namespace collectonce::etcd::internal {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::Status CheckAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port <= 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("etcd endpoint \"", address, "\" is not HOST:PORT"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Endpoints>> Endpoints::Create(const ClientOptions& options) {
  if (options.endpoints.empty()) return absl::InvalidArgumentError("no etcd endpoint given");
  auto e = std::unique_ptr<Endpoints>(new Endpoints(options));
  if (options.tls_ca_file.empty() && options.tls_cert_file.empty() &&
      options.tls_key_file.empty()) {
    e->credentials_ = grpc::InsecureChannelCredentials();
  } else {
    if (options.tls_ca_file.empty() ||
        options.tls_cert_file.empty() != options.tls_key_file.empty()) {
      return absl::InvalidArgumentError(
          "etcd TLS needs a CA file, and a client certificate and key together or neither");
    }
    grpc::SslCredentialsOptions ssl;
    auto ca = ReadFile(options.tls_ca_file);
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
    if (!options.tls_cert_file.empty()) {
      auto cert = ReadFile(options.tls_cert_file);
      if (!cert.ok()) return cert.status();
      auto key = ReadFile(options.tls_key_file);
      if (!key.ok()) return key.status();
      ssl.pem_cert_chain = *cert;
      ssl.pem_private_key = *key;
    }
    e->credentials_ = grpc::SslCredentials(ssl);
  }
  for (const std::string& address : options.endpoints) {
    if (auto s = CheckAddress(address); !s.ok()) return s;
    e->members_.push_back(e->MakeMember(address));
  }
  return e;
}

std::unique_ptr<Member> Endpoints::MakeMember(const std::string& address) const {
  grpc::ChannelArguments args;
  // A member that comes back is found again within a second, not after gRPC's default
  // backoff of up to two minutes.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // A member that stops answering (stopped, or its host gone) is noticed on idle watch
  // streams too. etcd refuses pings more often than every 5 s (--grpc-keepalive-min-time).
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 3000);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetMaxReceiveMessageSize(64 << 20);
  // Each client keeps its own connections (tests run several clients in one process).
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto m = std::make_unique<Member>();
  m->address = address;
  m->channel = grpc::CreateCustomChannel(address, credentials_, args);
  m->kv = etcdserverpb::KV::NewStub(m->channel);
  m->lease = etcdserverpb::Lease::NewStub(m->channel);
  m->watch = etcdserverpb::Watch::NewStub(m->channel);
  m->cluster = etcdserverpb::Cluster::NewStub(m->channel);
  m->maintenance = etcdserverpb::Maintenance::NewStub(m->channel);
  return m;
}

std::unique_ptr<Member> Endpoints::Connect(const std::string& address) const {
  return MakeMember(address);
}

void Endpoints::MoveOn(size_t failed) {
  size_t expected = failed;
  current_.compare_exchange_strong(expected, (failed + 1) % members_.size());
}

void Endpoints::Prepare(grpc::ClientContext& context, absl::Time deadline) const {
  if (deadline != absl::InfiniteFuture()) context.set_deadline(absl::ToChronoTime(deadline));
  // etcd's rpctypes.MetadataRequireLeaderKey: a member that knows no leader refuses the
  // call ("etcdserver: no leader") instead of letting it wait, and ends streams when it
  // loses its leader.
  context.AddMetadata("hasleader", "true");
}

absl::Status Endpoints::Call(
    CallKind kind, absl::Time deadline,
    const std::function<grpc::Status(Member&, grpc::ClientContext&)>& attempt) {
  absl::Status last =
      WithReason(absl::UnavailableError("etcd: no member was tried"), "ETCD_UNAVAILABLE");
  absl::Duration pause = absl::Milliseconds(50);
  for (size_t tried = 0;; ++tried) {
    if (tried > 0 && tried % members_.size() == 0) {
      // Every member failed once: wait a little before the next round.
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) break;
      absl::SleepFor(std::min(pause, left));
      pause = std::min(pause * 2, absl::Seconds(1));
    }
    const absl::Time now = absl::Now();
    if (now >= deadline) break;
    const size_t i = current();
    Member& m = *members_[i];
    if (kind == CallKind::kMutation && !m.channel->WaitForConnected(absl::ToChronoTime(
                                           std::min(deadline, now + options_.connect_timeout)))) {
      last = WithReason(absl::UnavailableError(absl::StrCat("etcd: cannot connect to ", m.address)),
                        "ETCD_UNAVAILABLE");
      MoveOn(i);
      continue;
    }
    grpc::ClientContext context;
    Prepare(context, std::min(deadline, absl::Now() + options_.attempt_timeout));
    Classified c = Classify(attempt(m, context), kind);
    if (c.status.ok() || !c.try_next_member) return c.status;
    last = absl::Status(c.status.code(), absl::StrCat(m.address, ": ", c.status.message()));
    last = WithReason(std::move(last), ReasonOf(c.status));
    MoveOn(i);
  }
  // Out of time: say what the last member said, as the code of "not done".
  if (last.code() == absl::StatusCode::kDeadlineExceeded) return last;
  return WithReason(
      absl::UnavailableError(absl::StrCat(
          "etcd: no member served the call before its deadline; last: ", last.message())),
      "ETCD_UNAVAILABLE");
}

}  // namespace collectonce::etcd::internal
