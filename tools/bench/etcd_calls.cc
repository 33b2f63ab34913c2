#include "tools/bench/etcd_calls.h"

#include <utility>

#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"

namespace collectonce::bench {

struct EtcdCalls::Stubs {
  std::vector<std::unique_ptr<etcdserverpb::KV::Stub>> kv;
};

EtcdCalls::EtcdCalls(const std::vector<std::shared_ptr<grpc::Channel>>& channels)
    : stubs_(std::make_unique<Stubs>()) {
  for (const auto& ch : channels) stubs_->kv.push_back(etcdserverpb::KV::NewStub(ch));
}

EtcdCalls::~EtcdCalls() = default;

void EtcdCalls::Range(size_t channel, std::shared_ptr<grpc::ClientContext> ctx,
                      const std::string& key, Done done) {
  auto req = std::make_shared<etcdserverpb::RangeRequest>();
  auto resp = std::make_shared<etcdserverpb::RangeResponse>();
  req->set_key(key);
  req->set_serializable(true);
  auto* c = ctx.get();
  stubs_->kv[channel]->async()->Range(
      c, req.get(), resp.get(),
      [ctx = std::move(ctx), req, resp, done = std::move(done)](grpc::Status s) {
        const bool ok = s.ok() && resp->kvs_size() == 1;
        done(ok, ok ? resp->ByteSizeLong() : 0);
      });
}

void EtcdCalls::Put(size_t channel, std::shared_ptr<grpc::ClientContext> ctx,
                    const std::string& key, const std::string& value, Done done) {
  auto req = std::make_shared<etcdserverpb::PutRequest>();
  auto resp = std::make_shared<etcdserverpb::PutResponse>();
  req->set_key(key);
  req->set_value(value);
  auto* c = ctx.get();
  stubs_->kv[channel]->async()->Put(
      c, req.get(), resp.get(),
      [ctx = std::move(ctx), req, resp, done = std::move(done)](grpc::Status s) {
        done(s.ok(), s.ok() ? resp->ByteSizeLong() : 0);
      });
}

}  // namespace collectonce::bench
