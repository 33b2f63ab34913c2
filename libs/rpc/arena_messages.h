// A gRPC callback-API message allocator that parses each call's request onto a protobuf
// arena: a bulk request of a thousand rows goes into a few large blocks and is freed at
// once, instead of thousands of small allocations and frees. The response stays on the
// heap, so that handlers can move heap-built messages into it without copying them.
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
      this->set_response(&response_);
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
    Response response_;
  };
};

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_ARENA_MESSAGES_H_
