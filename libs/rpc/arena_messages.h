// A gRPC callback-API message allocator that puts each call's request and response on one
// protobuf arena: a bulk request of a thousand rows is parsed into a few large blocks and
// freed at once, instead of thousands of small allocations and frees.
//
//   ArenaMessages<Req, Resp> allocator;  // must outlive the server
//   service.SetMessageAllocatorFor_Method(&allocator);
#ifndef COLLECTONCE_LIBS_RPC_ARENA_MESSAGES_H_
#define COLLECTONCE_LIBS_RPC_ARENA_MESSAGES_H_

#include "google/protobuf/arena.h"
#include "grpcpp/support/message_allocator.h"

namespace collectonce::rpc {

template <typename Request, typename Response>
class ArenaMessages final : public grpc::MessageAllocator<Request, Response> {
 public:
  grpc::MessageHolder<Request, Response>* AllocateMessages() override { return new Holder(); }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() : arena_(Options()) {
      this->set_request(google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    void Release() override { delete this; }

   private:
    static google::protobuf::ArenaOptions Options() {
      google::protobuf::ArenaOptions o;
      o.start_block_size = 64 << 10;
      o.max_block_size = 1 << 20;
      return o;
    }
    google::protobuf::Arena arena_;
  };
};

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_ARENA_MESSAGES_H_
