// DisputeService: disputes (异议) on one value of a file and the notifications a correction
// sends. Windows and governance open and withdraw; the department the field is routed to
// (or governance) reviews and decides. The rules are libs/disputes; this adapts gRPC.
#ifndef COLLECTONCE_SERVICES_REGISTRY_DISPUTE_SERVICE_H_
#define COLLECTONCE_SERVICES_REGISTRY_DISPUTE_SERVICE_H_

#include "collectonce/registry/v1/dispute.grpc.pb.h"
#include "libs/disputes/dispute_store.h"
#include "services/registry/registry_context.h"

namespace collectonce::registry {

class DisputeServiceImpl final : public v1::DisputeService::CallbackService {
 public:
  explicit DisputeServiceImpl(RegistryContext* ctx) : ctx_(ctx), disputes_(ctx->store()) {}

  grpc::ServerUnaryReactor* OpenDispute(grpc::CallbackServerContext*, const v1::OpenDisputeRequest*,
                                        v1::Dispute*) override;
  grpc::ServerUnaryReactor* GetDispute(grpc::CallbackServerContext*, const v1::GetDisputeRequest*,
                                       v1::Dispute*) override;
  grpc::ServerUnaryReactor* ListDisputes(grpc::CallbackServerContext*,
                                         const v1::ListDisputesRequest*,
                                         v1::ListDisputesResponse*) override;
  grpc::ServerUnaryReactor* ReviewDispute(grpc::CallbackServerContext*,
                                          const v1::ReviewDisputeRequest*, v1::Dispute*) override;
  grpc::ServerUnaryReactor* DecideDispute(grpc::CallbackServerContext*,
                                          const v1::DecideDisputeRequest*, v1::Dispute*) override;
  grpc::ServerUnaryReactor* WithdrawDispute(grpc::CallbackServerContext*,
                                            const v1::WithdrawDisputeRequest*,
                                            v1::Dispute*) override;
  grpc::ServerUnaryReactor* ListNotifications(grpc::CallbackServerContext*,
                                              const v1::ListNotificationsRequest*,
                                              v1::ListNotificationsResponse*) override;

 private:
  RegistryContext* ctx_;
  disputes::DisputeStore disputes_;
};

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_DISPUTE_SERVICE_H_
