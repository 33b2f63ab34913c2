// The console's view of the registry and the gateway: their gRPC stubs and the context of
// one call on behalf of the signed-in principal: x-principal in the local insecure mode;
// under mutual TLS the console's own certificate and the staff member in x-on-behalf-of
// (the console's principal has the GATEWAY role, which lets it act for others).
#ifndef COLLECTONCE_SERVICES_CONSOLE_BACKEND_H_
#define COLLECTONCE_SERVICES_CONSOLE_BACKEND_H_

#include <chrono>
#include <memory>
#include <string>

#include "collectonce/gateway/v1/gateway.grpc.pb.h"
#include "collectonce/registry/v1/dispute.grpc.pb.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace collectonce::console {

namespace v1 = ::collectonce::registry::v1;
namespace gw = ::collectonce::gateway::v1;

class Backend {
 public:
  enum class Mode { kDeclaredPrincipal, kOnBehalfOf };
  Backend(std::shared_ptr<grpc::Channel> registry, std::shared_ptr<grpc::Channel> gateway,
          Mode mode = Mode::kDeclaredPrincipal)
      : mode_(mode),
        records_(v1::RecordService::NewStub(registry)),
        governance_(v1::GovernanceService::NewStub(registry)),
        audit_(v1::AuditService::NewStub(registry)),
        disputes_(v1::DisputeService::NewStub(registry)),
        reuse_(v1::ReuseLedger::NewStub(registry)),
        gateway_(gw::ReuseGateway::NewStub(gateway)) {}

  // A context for one call as `identity`, with a 10 s deadline.
  std::unique_ptr<grpc::ClientContext> Context(const std::string& identity) const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata(mode_ == Mode::kOnBehalfOf ? "x-on-behalf-of" : "x-principal", identity);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

  v1::RecordService::Stub& records() { return *records_; }
  v1::GovernanceService::Stub& governance() { return *governance_; }
  v1::AuditService::Stub& audit() { return *audit_; }
  v1::DisputeService::Stub& disputes() { return *disputes_; }
  v1::ReuseLedger::Stub& reuse() { return *reuse_; }
  gw::ReuseGateway::Stub& gateway() { return *gateway_; }

 private:
  Mode mode_;
  std::unique_ptr<v1::RecordService::Stub> records_;
  std::unique_ptr<v1::GovernanceService::Stub> governance_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::unique_ptr<v1::DisputeService::Stub> disputes_;
  std::unique_ptr<v1::ReuseLedger::Stub> reuse_;
  std::unique_ptr<gw::ReuseGateway::Stub> gateway_;
};

}  // namespace collectonce::console

#endif  // COLLECTONCE_SERVICES_CONSOLE_BACKEND_H_
