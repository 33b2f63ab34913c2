// ReuseLedger: gateways report every form they serve or take in; the registry keeps the
// counts so that all gateway replicas add to one ledger.
#ifndef COLLECTONCE_SERVICES_REGISTRY_REUSE_SERVICE_H_
#define COLLECTONCE_SERVICES_REGISTRY_REUSE_SERVICE_H_

#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "services/registry/registry_context.h"

namespace collectonce::registry {

class ReuseLedgerImpl final : public v1::ReuseLedger::CallbackService {
 public:
  explicit ReuseLedgerImpl(RegistryContext* ctx) : ctx_(ctx) {}
  grpc::ServerUnaryReactor* RecordReuse(grpc::CallbackServerContext* context,
                                        const v1::RecordReuseRequest* request,
                                        v1::RecordReuseResponse* response) override;
  grpc::ServerUnaryReactor* GetReuseStats(grpc::CallbackServerContext* context,
                                          const v1::GetReuseStatsRequest* request,
                                          v1::ReuseStats* response) override;

 private:
  RegistryContext* ctx_;
};

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_REUSE_SERVICE_H_
