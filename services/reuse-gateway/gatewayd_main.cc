// reuse-gatewayd: pre-filled forms for matters and bundles, write-back, reuse counts.
// Stateless: any number of replicas can stand in front of one registry.
#include <fstream>
#include <iostream>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "libs/receipt/audit_key.h"
#include "libs/rpc/admin_server.h"
#include "libs/rpc/admission.h"
#include "libs/rpc/call_observer.h"
#include "libs/rpc/daemon.h"
#include "libs/rpc/errors.h"
#include "libs/rpc/health_follower.h"
#include "libs/rpc/log.h"
#include "libs/rpc/metrics.h"
#include "libs/rpc/parse_guard.h"
#include "libs/rpc/process_metrics.h"
#include "libs/rpc/tls.h"
#include "services/reuse-gateway/gateway_service.h"

namespace {
int UsageError(const std::string& message) {
  std::cerr << "reuse-gatewayd: " << message << " (see --help)\n";
  return 2;
}
}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:7410", admin_listen = "127.0.0.1:7411";
  std::string registry = "127.0.0.1:7400";
  std::string identity = "spiffe://sanming.gov.cn/reuse-gateway";
  std::string audit_key_file;
  bool insecure = false, insecure_allow_remote = false;
  collectonce::rpc::TlsFiles tls;
  std::string registry_ca;
  int tls_reload_seconds = 60;
  int cache_seconds = 30, deadline_seconds = 10;
  int max_concurrent_calls = 256;
  std::string log_format = "json";
  CLI::App app{
      "reuse-gatewayd: pre-filled forms for matters and one-thing bundles, "
      "write-back of newly collected values, reuse counts.\n"
      "Example: reuse-gatewayd --insecure --registry 127.0.0.1:7400"};
  app.option_defaults()->always_capture_default();
  app.add_option("--listen", listen, "gRPC API address HOST:PORT (port 0: any free port)")
      ->envname("REUSE_GATEWAYD_LISTEN");
  app.add_option("--admin-listen", admin_listen, "plaintext /healthz and /metrics address")
      ->envname("REUSE_GATEWAYD_ADMIN_LISTEN");
  app.add_option("--registry", registry,
                 "registryd address HOST:PORT, or the replicas of a replicated registry "
                 "(HOST:PORT,HOST:PORT,...): calls follow the leader")
      ->envname("REUSE_GATEWAYD_REGISTRY");
  app.add_option("--audit-public-key-file", audit_key_file,
                 "the registry's audit public key, pinned for VerifyReceipt: a tree head saved "
                 "with `registryctl audit head`, a PEM public key or 64 hex digits")
      ->envname("REUSE_GATEWAYD_AUDIT_PUBLIC_KEY_FILE");
  app.add_option("--identity", identity,
                 "the gateway's own identity (x-principal to the registry in insecure mode)")
      ->envname("REUSE_GATEWAYD_IDENTITY");
  app.add_flag("--insecure", insecure,
               "local mode: no TLS; callers name themselves in the x-principal header")
      ->envname("REUSE_GATEWAYD_INSECURE");
  app.add_flag("--insecure-allow-remote", insecure_allow_remote,
               "with --insecure, allow a non-loopback listen address")
      ->envname("REUSE_GATEWAYD_INSECURE_ALLOW_REMOTE");
  app.add_option("--tls-cert", tls.cert,
                 "mutual TLS: the gateway's certificate chain (PEM); served to callers and "
                 "presented to the registry")
      ->envname("REUSE_GATEWAYD_TLS_CERT");
  app.add_option("--tls-key", tls.key, "mutual TLS: the gateway's private key (PEM)")
      ->envname("REUSE_GATEWAYD_TLS_KEY");
  app.add_option("--tls-client-ca", tls.ca,
                 "mutual TLS: CA bundle (PEM) that every caller's certificate must chain to")
      ->envname("REUSE_GATEWAYD_TLS_CLIENT_CA");
  app.add_option("--registry-ca", registry_ca,
                 "mutual TLS: CA bundle (PEM) that the registry's certificate must chain to "
                 "(default: --tls-client-ca)")
      ->envname("REUSE_GATEWAYD_REGISTRY_CA");
  app.add_option("--tls-reload-seconds", tls_reload_seconds,
                 "how often the TLS files are checked for replacements")
      ->check(CLI::Range(1, 86400))
      ->envname("REUSE_GATEWAYD_TLS_RELOAD_SECONDS");
  app.add_option("--form-cache-seconds", cache_seconds,
                 "how long matter and bundle definitions are cached")
      ->check(CLI::Range(0, 3600))
      ->envname("REUSE_GATEWAYD_FORM_CACHE_SECONDS");
  app.add_option("--default-deadline-seconds", deadline_seconds,
                 "the longest a call may take when the caller sets no deadline")
      ->check(CLI::Range(1, 300))
      ->envname("REUSE_GATEWAYD_DEFAULT_DEADLINE_SECONDS");
  app.add_option("--max-concurrent-calls", max_concurrent_calls,
                 "calls in progress past which new calls get RESOURCE_EXHAUSTED at once; "
                 "0: no limit")
      ->check(CLI::Range(0, 1 << 20))
      ->envname("REUSE_GATEWAYD_MAX_CONCURRENT_CALLS");
  app.add_option("--log-format", log_format,
                 "json: one JSON object per line on stderr; text: for a terminal")
      ->check(CLI::IsMember({"json", "text"}))
      ->envname("REUSE_GATEWAYD_LOG_FORMAT");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  const collectonce::rpc::Logger log("reuse-gatewayd",
                                     *collectonce::rpc::ParseLogFormat(log_format));
  auto Fail = [&log](const std::string& message) {
    log.Error(message);
    return 1;
  };
  collectonce::rpc::BlockTerminationSignals();
  collectonce::rpc::SkipMutexDeadlockDetection();
  collectonce::rpc::InstallProtobufLogHandler(&log);
  auto hp = collectonce::rpc::SplitHostPort(listen);
  if (!hp.ok()) return Fail(std::string(hp.status().message()));
  auto registries = collectonce::rpc::ParseAddressList(registry);
  if (!registries.ok()) {
    return UsageError(absl::StrCat("--registry: ", registries.status().message()));
  }
  if (auto s = collectonce::rpc::CheckDaemonSecurityFlags(insecure, insecure_allow_remote, tls);
      !s.ok()) {
    return UsageError(std::string(s.message()));
  }
  if (insecure && !registry_ca.empty()) {
    return UsageError("--registry-ca is only meaningful with mutual TLS");
  }
  std::shared_ptr<grpc::ServerCredentials> server_credentials;
  std::shared_ptr<grpc::ChannelCredentials> registry_credentials;
  if (insecure) {
    if (!collectonce::rpc::IsLoopbackHost(hp->first) && !insecure_allow_remote) {
      return Fail("--insecure listens on loopback only; add --insecure-allow-remote to override");
    }
    log.Warning("insecure mode: no TLS, callers are trusted to name themselves (x-principal)");
    server_credentials = grpc::InsecureServerCredentials();
    registry_credentials = grpc::InsecureChannelCredentials();
  } else {
    collectonce::rpc::TlsFiles to_registry = tls;
    if (!registry_ca.empty()) to_registry.ca = registry_ca;
    if (auto s = collectonce::rpc::CheckTlsFiles(tls); !s.ok()) {
      return Fail(std::string(s.message()));
    }
    collectonce::rpc::TlsFlagNames registry_names;
    if (!registry_ca.empty()) registry_names.ca = "--registry-ca";
    if (auto s = collectonce::rpc::CheckTlsFiles(to_registry, registry_names); !s.ok()) {
      return Fail(std::string(s.message()));
    }
    const auto reload = static_cast<unsigned>(tls_reload_seconds);
    server_credentials = collectonce::rpc::MutualTlsServerCredentials(tls, reload);
    registry_credentials = collectonce::rpc::MutualTlsChannelCredentials(to_registry, reload);
    log.Info(absl::StrCat("mutual TLS: client certificates must chain to ", tls.ca,
                          "; files re-read every ", tls_reload_seconds, " s"));
  }

  // Declared before the client: its late callbacks (reuse reports) still record here.
  collectonce::rpc::RpcMetrics registry_calls("collectonce_gateway_registry",
                                              "Calls from the gateway to the registry");
  collectonce::reuse::RegistryClient client(*registries, identity, registry_credentials, insecure);
  client.set_metrics(&registry_calls);
  collectonce::reuse::FormCache forms(&client, absl::Seconds(cache_seconds));
  collectonce::rpc::RpcMetrics metrics;
  metrics.AddCounterFunction(
      "collectonce_gateway_reuse_report_failures_total", "Reuse reports the registry did not take.",
      [&client] { return static_cast<double>(client.reuse_report_failures()); });
  metrics.AddCounterFunction(
      "collectonce_gateway_registry_redirects_total",
      "Registry calls sent again to another replica (NOT_LEADER, or a replica unreachable).",
      [&client] { return static_cast<double>(client.redirects()); });
  metrics.AddGauge("collectonce_gateway_form_cache_seconds",
                   "How long matter and bundle definitions are cached (configuration).",
                   [cache_seconds] { return static_cast<double>(cache_seconds); });
  collectonce::rpc::Admission admission(max_concurrent_calls);
  collectonce::rpc::AddAdmissionMetrics(&metrics, &admission);
  collectonce::rpc::AddProcessMetrics(&metrics, "reuse-gatewayd");
  collectonce::reuse::GatewayOptions options;
  if (!audit_key_file.empty()) {
    std::ifstream in(audit_key_file);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return Fail(absl::StrCat("--audit-public-key-file: cannot read ", audit_key_file));
    auto key = collectonce::receipt::ParseAuditPublicKey(text.str());
    if (!key.ok()) {
      return Fail(
          absl::StrCat("--audit-public-key-file ", audit_key_file, ": ", key.status().message()));
    }
    options.audit_public_key = *std::move(key);
  }
  options.admission = &admission;
  options.insecure = insecure;
  options.default_deadline = absl::Seconds(deadline_seconds);
  collectonce::reuse::GatewayServiceImpl service(&client, &forms, &metrics, options);

  collectonce::rpc::EnableHealthAndReflection();
  grpc::ServerBuilder builder;
  collectonce::rpc::RefusePortSharing(&builder);
  int port = 0;
  builder.AddListeningPort(listen, server_credentials, &port);
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(4 << 20);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(admission.InterceptorFactory());
  // Before the call observer, so that the access log shows the status the caller gets.
  interceptors.push_back(collectonce::rpc::ParseGuardFactory(collectonce::rpc::kGatewayDomain));
  interceptors.push_back(collectonce::rpc::CallObserverFactory({&metrics, &log, insecure}));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    return Fail(collectonce::rpc::ListenFailure("gRPC address", hp->first, hp->second));
  }

  // A gateway that cannot reach its registry serves no prefill: readiness (/readyz and the
  // gRPC health status) follows the registry's health, so balancers send its callers to a
  // gateway that can. Liveness (/healthz) stays 200: restarting the gateway would not bring
  // the registry back (docs/operations.md).
  auto* health = server->GetHealthCheckService();
  auto follower = std::make_unique<collectonce::rpc::HealthFollower>(
      health, [&client] { return client.CheckHealth(absl::Now() + absl::Seconds(1)); },
      absl::Seconds(1));
  collectonce::rpc::AdminServer::Handlers handlers;
  handlers.health = [] { return absl::OkStatus(); };
  handlers.ready = [f = follower.get()] { return f->last(); };
  handlers.metrics = [&metrics, &registry_calls] {
    return metrics.Render() + registry_calls.Render();
  };
  auto admin = collectonce::rpc::AdminServer::Start(admin_listen, handlers);
  if (!admin.ok()) return Fail(std::string(admin.status().message()));
  const std::string grpc_address = absl::StrCat(hp->first, ":", port);
  const std::string admin_address =
      absl::StrCat(collectonce::rpc::SplitHostPort(admin_listen)->first, ":", (*admin)->port());
  // tests/daemon.cc and operators' scripts read the two addresses from this message.
  log.Info(
      absl::StrCat("serving gRPC on ", grpc_address, ", admin on ", admin_address),
      {{"grpc_address", grpc_address}, {"admin_address", admin_address}, {"registry", registry}});

  const int sig = collectonce::rpc::WaitForTerminationSignal();
  log.Info("draining", {{"signal", sig}});
  admin->reset();  // before the follower its /readyz reads
  follower.reset();
  health->SetServingStatus(false);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(10));
  server->Wait();
  log.Info("stopped");
  return 0;
}
