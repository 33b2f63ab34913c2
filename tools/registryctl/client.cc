#include "tools/registryctl/client.h"

#include <chrono>
#include <iostream>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/catalog/subject.h"
#include "libs/rpc/errors.h"
#include "libs/rpc/tls.h"

namespace collectonce::registryctl {

namespace {

// What the last channel made was, for the hint under a connection failure.
struct ConnectionNote {
  std::mutex mu;
  std::string address;
  bool tls = false;
};
ConnectionNote& LastConnection() {
  static auto* note = new ConnectionNote();
  return *note;
}

std::shared_ptr<grpc::Channel> MakeChannel(const Globals& globals, const std::string& address) {
  grpc::ChannelArguments args;
  // Batch replies (1,000 records) can be large; the registry bounds what it sends.
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(16 << 20);
  if (globals.tls_cert.empty()) {
    return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  }
  // One run is short: the files are read once at start.
  rpc::TlsFiles files{globals.tls_cert, globals.tls_key, globals.tls_ca};
  return grpc::CreateCustomChannel(address, rpc::MutualTlsChannelCredentials(files, 3600), args);
}

// grpc.health.v1 `service` on `channel`: SERVING within a second.
bool Serving(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  grpc::health::v1::HealthCheckResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
  return grpc::health::v1::Health::NewStub(channel)->Check(&ctx, req, &resp).ok() &&
         resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

// The replicas of a replicated registry, given as HOST:PORT,HOST:PORT,...: the one whose
// health says it leads (service collectonce.registry.Leader), else the first that serves,
// else the first. A single address is taken as it is, unasked.
std::pair<std::string, std::shared_ptr<grpc::Channel>> PickReplica(const Globals& globals,
                                                                   const std::string& list) {
  std::vector<std::string> addresses = absl::StrSplit(list, ',', absl::SkipWhitespace());
  for (auto& a : addresses) a = std::string(absl::StripAsciiWhitespace(a));
  if (addresses.size() <= 1) {
    const std::string one = addresses.empty() ? list : addresses.front();
    return {one, MakeChannel(globals, one)};
  }
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (const auto& a : addresses) channels.push_back(MakeChannel(globals, a));
  for (size_t i = 0; i < channels.size(); ++i) {
    if (Serving(channels[i], "collectonce.registry.Leader")) return {addresses[i], channels[i]};
  }
  for (size_t i = 0; i < channels.size(); ++i) {
    if (Serving(channels[i], "")) return {addresses[i], channels[i]};
  }
  return {addresses.front(), channels.front()};
}

}  // namespace

Client::Client(const Globals& globals, const std::string& address) : globals_(globals) {
  auto [chosen, channel] = PickReplica(globals, address);
  channel_ = std::move(channel);
  records_ = v1::RecordService::NewStub(channel_);
  governance_ = v1::GovernanceService::NewStub(channel_);
  evidence_ = v1::EvidenceService::NewStub(channel_);
  ConnectionNote& note = LastConnection();
  std::lock_guard<std::mutex> lock(note.mu);
  note.address = chosen;
  note.tls = !globals.tls_cert.empty();
}

void Client::Prepare(grpc::ClientContext* context) const {
  PrepareStream(context);
  const auto timeout =
      std::chrono::milliseconds(static_cast<int64_t>(globals_.timeout_seconds * 1000));
  context->set_deadline(std::chrono::system_clock::now() + timeout);
}

void Client::PrepareStream(grpc::ClientContext* context) const {
  // Under mutual TLS the certificate names the caller.
  if (globals_.tls_cert.empty()) context->AddMetadata("x-principal", globals_.principal);
}

std::shared_ptr<const catalog::Catalog> Client::FetchCatalog(v1::SubjectKind kind,
                                                             grpc::Status* status) {
  v1::GetCatalogRequest request;
  request.set_name(absl::StrCat("catalogs/", catalog::KindName(kind)));
  v1::Catalog proto;
  grpc::ClientContext context;
  Prepare(&context);
  *status = governance_->GetCatalog(&context, request, &proto);
  if (!status->ok()) return nullptr;
  auto compiled = catalog::Catalog::Compile(proto);
  if (!compiled.ok()) {
    *status =
        grpc::Status(grpc::StatusCode::INTERNAL,
                     absl::StrCat("the registry's ", catalog::KindName(kind),
                                  " catalog does not compile here: ", compiled.status().message()));
    return nullptr;
  }
  return *std::move(compiled);
}

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

std::string DescribeRpcError(const grpc::Status& status, absl::string_view prefix) {
  rpc::RpcError e = rpc::FromGrpc(status);
  std::string out = absl::StrCat(prefix, "error: ", CodeName(status.error_code()));
  if (!e.reason.empty()) absl::StrAppend(&out, " (", e.reason, ")");
  absl::StrAppend(&out, ": ", RedactPersonalNumbers(status.error_message()), "\n");
  for (const auto& v : e.violations) {
    absl::StrAppend(&out, prefix, "  ", v.field.empty() ? "(record)" : v.field, ": ",
                    v.rule.empty() ? "" : absl::StrCat(v.rule, ": "),
                    RedactPersonalNumbers(v.message), "\n");
  }
  return out;
}

std::string ConnectionHint(const grpc::Status& status, absl::string_view address, bool tls) {
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return "";
  const std::string& m = status.error_message();
  if (absl::StrContains(m, "Connection refused")) {
    return absl::StrCat("hint: nothing answered at ", address,
                        ": is the daemon running there? (--registry, REGISTRYCTL_REGISTRY, or a "
                        "context: `registryctl options`)\n");
  }
  if (!tls && (absl::StrContains(m, "Socket closed") || absl::StrContains(m, "Connection reset") ||
               absl::StrContains(m, "Broken pipe"))) {
    return absl::StrCat("hint: ", address,
                        " closed a plaintext connection: the server may require TLS; give "
                        "--tls-cert, --tls-key and --tls-ca (docs/security.md)\n");
  }
  if (tls && (absl::StrContains(m, "handshake") || absl::StrContains(m, "SSL") ||
              absl::StrContains(m, "Socket closed"))) {
    return absl::StrCat("hint: the TLS handshake with ", address,
                        " failed: the server may not use TLS (the local insecure mode), or its "
                        "certificate does not chain to --tls-ca, or it refused this client's\n");
  }
  return "";
}

int ReportRpcError(const grpc::Status& status) {
  std::cerr << DescribeRpcError(status, "");
  {
    ConnectionNote& note = LastConnection();
    std::lock_guard<std::mutex> lock(note.mu);
    std::cerr << ConnectionHint(status, note.address, note.tls);
  }
  return kExitRpcBase + static_cast<int>(status.error_code());
}

}  // namespace collectonce::registryctl
