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
// The reply is one record read from a running registry (--sample-target), or a synthetic
// record of about --response-bytes bytes. Prints "echo_server: serving gRPC on HOST:PORT
// (response N bytes)" when ready; stops on SIGTERM or SIGINT.
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "libs/rpc/admission.h"
#include "libs/rpc/call_observer.h"
#include "libs/rpc/daemon.h"
#include "libs/rpc/log.h"
#include "libs/rpc/metrics.h"

namespace {

namespace v1 = collectonce::registry::v1;

class EchoRecords final : public v1::RecordService::CallbackService {
 public:
  explicit EchoRecords(v1::Record reply) : reply_(std::move(reply)) {}
  grpc::ServerUnaryReactor* GetRecord(grpc::CallbackServerContext* context,
                                      const v1::GetRecordRequest* /*request*/,
                                      v1::Record* response) override {
    *response = reply_;
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const v1::Record reply_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  std::string sample_target, sample_subject;
  std::string principal = "spiffe://sanming.gov.cn/approval/housing-fund";
  std::string purpose = "matters/housing-fund-account";
  int response_bytes = 600;
  int max_message_mb = 16;
  CLI::App app{"echo_server: a trivial gRPC server with registryd's settings, answering "
               "GetRecord with a fixed record of the registry's response size."};
  app.add_option("--listen", listen, "HOST:PORT (port 0: any free port)");
  app.add_option("--sample-target", sample_target, "registry to read the reply record from");
  app.add_option("--sample-subject", sample_subject, "record name or resident ID number");
  app.add_option("--principal", principal, "x-principal for the sample read");
  app.add_option("--purpose", purpose, "purpose of the sample read");
  app.add_option("--response-bytes", response_bytes, "size of a synthetic reply");
  app.add_option("--max-message-mb", max_message_mb, "largest request message accepted");
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

  EchoRecords records(reply);
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
  std::cerr << "echo_server: serving gRPC on " << listen.substr(0, listen.rfind(':')) << ":"
            << port << " (response " << reply.ByteSizeLong() << " bytes)" << std::endl;
  collectonce::rpc::WaitForTerminationSignal();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server->Wait();
  return 0;
}
