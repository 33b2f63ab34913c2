// RecordService: thin handlers over the store. Validate, authorize (before anything about
// the subject is revealed), call the store, filter what the caller may see, and record the
// access before the data leaves.
#ifndef COLLECTONCE_SERVICES_REGISTRY_RECORD_SERVICE_H_
#define COLLECTONCE_SERVICES_REGISTRY_RECORD_SERVICE_H_

#include <memory>

#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "libs/audit/published_head.h"
#include "libs/rpc/arena_messages.h"
#include "services/registry/receipt_finisher.h"
#include "services/registry/registry_context.h"
#include "services/registry/watch_hub.h"

namespace collectonce::registry {

class RecordServiceImpl final : public v1::RecordService::CallbackService {
 public:
  // `receipts` signs (and publishes) the tree heads of read receipts; without it a read that
  // asks for a receipt is refused with FAILED_PRECONDITION, reason RECEIPTS_UNAVAILABLE.
  RecordServiceImpl(RegistryContext* ctx, WatchHub* hub, audit::HeadPublisher* receipts = nullptr)
      : ctx_(ctx),
        hub_(hub),
        receipts_(receipts ? std::make_unique<ReceiptFinisher>(
                                 ctx->store(), receipts, [ctx] { return ctx->clock().NowMicros(); })
                           : nullptr) {
    SetMessageAllocatorFor_BatchUpdateRecords(&batch_update_messages_);
  }

  grpc::ServerUnaryReactor* GetRecord(grpc::CallbackServerContext* context,
                                      const v1::GetRecordRequest* request,
                                      v1::Record* response) override;
  grpc::ServerUnaryReactor* BatchGetRecords(grpc::CallbackServerContext* context,
                                            const v1::BatchGetRecordsRequest* request,
                                            v1::BatchGetRecordsResponse* response) override;
  grpc::ServerUnaryReactor* ListRecords(grpc::CallbackServerContext* context,
                                        const v1::ListRecordsRequest* request,
                                        v1::ListRecordsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateRecord(grpc::CallbackServerContext* context,
                                         const v1::UpdateRecordRequest* request,
                                         v1::UpdateRecordResponse* response) override;
  grpc::ServerUnaryReactor* BatchUpdateRecords(grpc::CallbackServerContext* context,
                                               const v1::BatchUpdateRecordsRequest* request,
                                               v1::BatchUpdateRecordsResponse* response) override;
  grpc::ServerUnaryReactor* ListRecordRevisions(grpc::CallbackServerContext* context,
                                                const v1::ListRecordRevisionsRequest* request,
                                                v1::ListRecordRevisionsResponse* response) override;
  grpc::ServerWriteReactor<v1::WatchChangesResponse>* WatchChanges(
      grpc::CallbackServerContext* context, const v1::WatchChangesRequest* request) override;

 private:
  RegistryContext* ctx_;
  WatchHub* hub_;
  std::unique_ptr<ReceiptFinisher> receipts_;
  // A batch's request is parsed onto an arena (libs/rpc/arena_messages.h).
  rpc::ArenaMessages<v1::BatchUpdateRecordsRequest, v1::BatchUpdateRecordsResponse>
      batch_update_messages_;
};

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_RECORD_SERVICE_H_
