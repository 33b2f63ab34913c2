// echo_server: the baseline for the registry's read goals. A gRPC server with the same
// library, the same server settings as registryd (callback API with its default threads,
// message limits, the RpcMetrics interceptor, health and reflection) that answers
// RecordService.GetRecord with a fixed record of the same size as the registry's answer and
// does nothing else: no caller resolution, no authorization, no store, no access record.
//
//   echo_server --listen 127.0.0.1:0 --sample-target 127.0.0.1:7400 --sample-subject ID
//     --principal spiffe://sanming.gov.cn/approval/housing-fund
//     --purpose matters/housing-fund-account
//
// With --sync-append DIR it also appends one --append-bytes record per call to a RocksDB
// in DIR, synced, with group commit on one thread and replies sent from a second: the
// floor that a read which must be durably recorded before it answers cannot go below
// (registryd records every release of personal data that way). With --etcd-append
// HOST:PORT,... the durable append is one etcd Txn per group instead, shaped as the
// replicated registry's log append: the floor of a replicated durable operation.
//
// The reply is one record read from a running registry (--sample-target), or a synthetic
// record of about --response-bytes bytes. Prints "echo_server: serving gRPC on HOST:PORT
// (response N bytes)" when ready; stops on SIGTERM or SIGINT.
#include <pthread.h>

#include <chrono>
#include <deque>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "libs/etcd/client.h"
#include "libs/rpc/admission.h"
#include "libs/rpc/call_observer.h"
#include "libs/rpc/daemon.h"
#include "libs/rpc/log.h"
#include "libs/rpc/metrics.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace {

namespace v1 = collectonce::registry::v1;

// A queue of callbacks, run in order on its own thread.
class Worker {
 public:
  using Batch = std::vector<std::function<void()>>;
  Worker(const char* name, std::function<void(Batch&)> run) : run_(std::move(run)) {
    thread_ = std::thread([this, name] {
      pthread_setname_np(pthread_self(), name);
      Loop();
    });
  }
  ~Worker() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    thread_.join();
  }
  void Post(std::function<void()> f) {
    absl::MutexLock lock(&mu_);
    queue_.push_back(std::move(f));
  }
  void Post(Batch batch) {
    absl::MutexLock lock(&mu_);
    for (auto& f : batch) queue_.push_back(std::move(f));
  }

 private:
  void Loop() {
    for (;;) {
      Batch batch;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](Worker* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) {
              return w->stopping_ || !w->queue_.empty();
            },
            this));
        if (queue_.empty()) return;
        batch.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.end()));
        queue_.clear();
      }
      run_(batch);
    }
  }
  std::function<void(Batch&)> run_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// One durable append per group of calls (Durable::Write), then their replies on a second
// thread: the floor of a server that records every call before it answers.
class SyncAppender {
 public:
  // Writes the group's records durably; aborts the process if it cannot (a benchmark).
  using Durable = std::function<void(const std::vector<std::string>& records)>;
  SyncAppender(Durable durable, size_t record_bytes)
      : durable_(std::move(durable)),
        record_(record_bytes, 'a'),
        replies_("echo-replies",
                 [](Worker::Batch& b) {
                   for (auto& f : b) f();
                 }),
        committer_("echo-committer", [this](Worker::Batch& b) { Commit(b); }) {}
  void Append(std::function<void()> reply) { committer_.Post(std::move(reply)); }

 private:
  void Commit(Worker::Batch& replies) {
    durable_(std::vector<std::string>(replies.size(), record_));
    replies_.Post(std::move(replies));
  }
  const Durable durable_;
  const std::string record_;
  Worker replies_;  // declared before committer_: stops after it
  Worker committer_;
};

std::string BigEndianKey(uint64_t key) {
  char k[8];
  for (int b = 0; b < 8; ++b) k[b] = static_cast<char>(key >> (56 - 8 * b));
  return std::string(k, 8);
}

// A synced RocksDB WriteBatch of the group's records.
SyncAppender::Durable RocksDbAppend(std::shared_ptr<rocksdb::DB> db) {
  auto next = std::make_shared<uint64_t>(0);  // the committer thread only
  return [db, next](const std::vector<std::string>& records) {
    rocksdb::WriteBatch batch;
    for (const auto& r : records) batch.Put(BigEndianKey((*next)++), r);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status s = db->Write(wo, &batch);
    if (!s.ok()) {
      std::cerr << "echo_server: append failed: " << s.ToString() << "\n";
      std::abort();
    }
  };
}

// One etcd Txn per group, shaped as the registry's log append (put log/N if it is absent):
// the floor of a replicated durable operation.
SyncAppender::Durable EtcdAppend(std::shared_ptr<collectonce::etcd::Client> client) {
  auto next = std::make_shared<uint64_t>(0);
  return [client, next](const std::vector<std::string>& records) {
    namespace etcd = collectonce::etcd;
    const std::string key = "/collectonce-echo/log/" + std::to_string(++*next);
    std::string value;
    for (const auto& r : records) value += r;
    etcd::TxnRequest txn;
    txn.compare.push_back(etcd::Compare::Absent(key));
    txn.success.push_back(etcd::Op::Put(key, std::move(value)));
    auto result = client->Txn(txn);
    if (!result.ok() || !result->succeeded) {
      std::cerr << "echo_server: etcd append failed: "
                << (result.ok() ? "log key exists" : result.status().ToString()) << "\n";
      std::abort();
    }
  };
}

class EchoRecords final : public v1::RecordService::CallbackService {
 public:
  EchoRecords(v1::Record reply, SyncAppender* appender)
      : reply_(std::move(reply)), appender_(appender) {}
  grpc::ServerUnaryReactor* GetRecord(grpc::CallbackServerContext* context,
                                      const v1::GetRecordRequest* /*request*/,
                                      v1::Record* response) override {
    *response = reply_;
    auto* reactor = context->DefaultReactor();
    if (appender_ == nullptr) {
      reactor->Finish(grpc::Status::OK);
    } else {
      appender_->Append([reactor] { reactor->Finish(grpc::Status::OK); });
    }
    return reactor;
  }

 private:
  const v1::Record reply_;
  SyncAppender* appender_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  std::string sample_target, sample_subject;
  std::string principal = "spiffe://sanming.gov.cn/approval/housing-fund";
  std::string purpose = "matters/housing-fund-account";
  std::vector<std::string> read_mask;
  int response_bytes = 600;
  int max_message_mb = 16;
  std::string sync_append_dir;
  std::string etcd_append;
  int append_bytes = 300;
  CLI::App app{
      "echo_server: a trivial gRPC server with registryd's settings, answering "
      "GetRecord with a fixed record of the registry's response size."};
  app.add_option("--listen", listen, "HOST:PORT (port 0: any free port)");
  app.add_option("--sample-target", sample_target, "registry to read the reply record from");
  app.add_option("--sample-subject", sample_subject, "record name or resident ID number");
  app.add_option("--principal", principal, "x-principal for the sample read");
  app.add_option("--purpose", purpose, "purpose of the sample read");
  app.add_option("--read-mask", read_mask,
                 "catalog fields of the sample read (comma-separated; default: every field)")
      ->delimiter(',');
  app.add_option("--response-bytes", response_bytes, "size of a synthetic reply");
  app.add_option("--max-message-mb", max_message_mb, "largest request message accepted");
  app.add_option("--sync-append", sync_append_dir,
                 "also append one synced record per call to a new RocksDB in this directory");
  app.add_option("--etcd-append", etcd_append,
                 "instead: one etcd Txn per group of calls to these etcd members (host:port,...), "
                 "as the replicated registry appends its log");
  app.add_option("--append-bytes", append_bytes, "size of each appended record");
  CLI11_PARSE(app, argc, argv);

  collectonce::rpc::BlockTerminationSignals();
  collectonce::rpc::SkipMutexDeadlockDetection();
  v1::Record reply;
  if (!sample_target.empty()) {
    auto stub = v1::RecordService::NewStub(
        grpc::CreateChannel(sample_target, grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-principal", principal);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::GetRecordRequest req;
    if (sample_subject.rfind("enterprises/", 0) == 0 || sample_subject.rfind("persons/", 0) == 0) {
      req.set_name(sample_subject);
    } else {
      req.set_id_number(sample_subject);
    }
    req.mutable_options()->set_purpose(purpose);
    for (const auto& f : read_mask) req.mutable_options()->mutable_read_mask()->add_paths(f);
    grpc::Status s = stub->GetRecord(&ctx, req, &reply);
    if (!s.ok()) {
      std::cerr << "echo_server: reading the sample record failed: " << s.error_message() << "\n";
      return 1;
    }
  } else {
    reply.set_name("persons/sample");
    reply.set_revision(1);
    auto* f = reply.add_fields();
    f->set_field("filler");
    f->mutable_value()->set_string_value(std::string(static_cast<size_t>(response_bytes), 'x'));
  }

  std::unique_ptr<SyncAppender> appender;
  if (!sync_append_dir.empty()) {
    rocksdb::Options opts;
    opts.create_if_missing = true;
    opts.error_if_exists = true;
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(opts, sync_append_dir, &db);
    if (!s.ok()) {
      std::cerr << "echo_server: --sync-append " << sync_append_dir << ": " << s.ToString() << "\n";
      return 2;
    }
    appender = std::make_unique<SyncAppender>(RocksDbAppend(std::shared_ptr<rocksdb::DB>(db)),
                                              static_cast<size_t>(append_bytes));
  } else if (!etcd_append.empty()) {
    collectonce::etcd::ClientOptions eo;
    eo.endpoints = absl::StrSplit(etcd_append, ',', absl::SkipEmpty());
    auto client = collectonce::etcd::Client::Create(eo);
    if (!client.ok()) {
      std::cerr << "echo_server: --etcd-append: " << client.status() << "\n";
      return 2;
    }
    appender = std::make_unique<SyncAppender>(
        EtcdAppend(std::shared_ptr<collectonce::etcd::Client>(*std::move(client))),
        static_cast<size_t>(append_bytes));
  }
  EchoRecords records(reply, appender.get());
  collectonce::rpc::RpcMetrics metrics;
  collectonce::rpc::EnableHealthAndReflection();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&records);
  builder.SetMaxReceiveMessageSize(max_message_mb << 20);
  builder.SetMaxSendMessageSize(64 << 20);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  // The registry's interceptors: admission (same default bound) and the call observer with
  // its JSON access log on stderr.
  collectonce::rpc::Admission admission(256);
  const collectonce::rpc::Logger log("echo_server", collectonce::rpc::LogFormat::kJson);
  interceptors.push_back(admission.InterceptorFactory());
  interceptors.push_back(collectonce::rpc::CallObserverFactory({&metrics, &log, true}));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::cerr << "echo_server: cannot listen on " << listen << "\n";
    return 1;
  }
  std::cerr << "echo_server: serving gRPC on " << listen.substr(0, listen.rfind(':')) << ":" << port
            << " (response " << reply.ByteSizeLong() << " bytes)" << std::endl;
  collectonce::rpc::WaitForTerminationSignal();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server->Wait();
  return 0;
}
