#include "tools/registryctl/client.h"

#include <chrono>
#include <iostream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/catalog/subject.h"
#include "libs/rpc/errors.h"
#include "libs/rpc/tls.h"

namespace collectonce::registryctl {

namespace {

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

}  // namespace

Client::Client(const Globals& globals, const std::string& address)
    : globals_(globals),
      channel_(MakeChannel(globals, address)),
      records_(v1::RecordService::NewStub(channel_)),
      governance_(v1::GovernanceService::NewStub(channel_)) {}

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

int ReportRpcError(const grpc::Status& status) {
  std::cerr << DescribeRpcError(status, "");
  return kExitRpcBase + static_cast<int>(status.error_code());
}

}  // namespace collectonce::registryctl
