// console: the service center's web console for window, assisted-handling and home-visit
// staff and the departments that decide disputes; a gRPC client of registryd and
// reuse-gatewayd that holds no rule they lack.
#include <csignal>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpcpp/grpcpp.h"
#include "httplib.h"
#include "libs/rpc/admin_server.h"  // SplitHostPort
#include "libs/rpc/daemon.h"
#include "libs/rpc/http_listen.h"
#include "libs/rpc/log.h"
#include "libs/rpc/tls.h"
#include "services/console/backend.h"
#include "services/console/pages.h"
#include "services/console/render.h"
#include "services/console/routes.h"
#include "services/console/tls_server.h"

namespace {

// How often the certificate files for calls to the registry and the gateway are re-read.
constexpr unsigned kTlsReloadSeconds = 60;

int UsageError(const std::string& message) {
  std::cerr << "console: " << message << " (see --help)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  collectonce::rpc::BlockTerminationSignals();
  // OpenSSL writes to the socket with write(2): a browser that hangs up mid-answer must
  // cost that connection, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  collectonce::rpc::SkipMutexDeadlockDetection();
  std::string listen = "127.0.0.1:7420";
  std::string registry = "127.0.0.1:7400", gateway = "127.0.0.1:7410";
  bool insecure = false;
  int session_minutes = 30;
  std::string log_format = "json";
  std::vector<std::string> principals = {
      "spiffe://sanming.gov.cn/service-center/"
      "window=市行政服务中心综合窗口（一件事、帮办代办、上门服务）",
      "registryctl=市数据治理核查（数据治理）",
      "spiffe://sanming.gov.cn/approval/real-estate=市不动产登记中心审批系统",
      "spiffe://sanming.gov.cn/audit/auditor=审计人员"};
  CLI::App app{
      "console: the service center's web console (find a file, preview a matter, who looked "
      "at the data, disputes).\nExample: console --insecure --registry 127.0.0.1:7400 "
      "--gateway 127.0.0.1:7410\n"
      "         console --tls-cert console/cert.pem --tls-key console/key.pem --tls-client-ca "
      "ca.pem --listen 0.0.0.0:7420"};
  app.option_defaults()->always_capture_default();
  app.add_option("--listen", listen, "HTTP address HOST:PORT (port 0: any free port)")
      ->envname("CONSOLE_LISTEN");
  app.add_option("--registry", registry, "registryd address HOST:PORT")
      ->envname("CONSOLE_REGISTRY");
  app.add_option("--gateway", gateway, "reuse-gatewayd address HOST:PORT")
      ->envname("CONSOLE_GATEWAY");
  app.add_flag("--insecure", insecure,
               "local mode: loopback only, no TLS; staff choose a principal at sign-in")
      ->envname("CONSOLE_INSECURE");
  collectonce::rpc::TlsFiles tls;
  std::string registry_ca;
  app.add_option("--tls-cert", tls.cert,
                 "mutual TLS: the console's certificate chain (PEM); served to browsers over "
                 "HTTPS and presented to the registry and the gateway")
      ->envname("CONSOLE_TLS_CERT");
  app.add_option("--tls-key", tls.key, "mutual TLS: the console's private key (PEM)")
      ->envname("CONSOLE_TLS_KEY");
  app.add_option("--tls-client-ca", tls.ca,
                 "mutual TLS: CA bundle (PEM) that every staff browser's certificate must "
                 "chain to")
      ->envname("CONSOLE_TLS_CLIENT_CA");
  app.add_option("--registry-ca", registry_ca,
                 "mutual TLS: CA bundle (PEM) that the registry's and the gateway's "
                 "certificates must chain to (default: --tls-client-ca)")
      ->envname("CONSOLE_REGISTRY_CA");
  app.add_option("--principal", principals,
                 "IDENTITY=LABEL offered at sign-in in the local mode (repeatable)")
      ->envname("CONSOLE_PRINCIPALS")
      ->delimiter(',');
  app.add_option("--session-minutes", session_minutes, "idle minutes before a session ends")
      ->check(CLI::Range(1, 24 * 60))
      ->envname("CONSOLE_SESSION_MINUTES");
  app.add_option("--log-format", log_format, "json or text")->envname("CONSOLE_LOG_FORMAT");
  int utc_offset_hours = collectonce::kDefaultUtcOffsetHours;
  app.add_option("--utc-offset-hours", utc_offset_hours,
                 "the city's offset from UTC in hours, for the times pages show (as registryd's)")
      ->check(CLI::Range(-12, 14))
      ->envname("CONSOLE_UTC_OFFSET_HOURS");
  double reuse_target = 0.8;
  app.add_option("--reuse-target", reuse_target,
                 "the reuse rate (pre-filled / requested fields) the reuse dashboard marks forms "
                 "below")
      ->check(CLI::Range(0.0, 1.0))
      ->envname("CONSOLE_REUSE_TARGET");
  CLI11_PARSE(app, argc, argv);

  auto format = collectonce::rpc::ParseLogFormat(log_format);
  if (!format.ok()) return UsageError(std::string(format.status().message()));
  collectonce::rpc::Logger log("console", *format);
  if (auto s = collectonce::rpc::CheckDaemonSecurityFlags(insecure, false, tls); !s.ok()) {
    return UsageError(std::string(s.message()));
  }
  if (insecure && !registry_ca.empty()) {
    return UsageError("--registry-ca is only meaningful with mutual TLS");
  }
  auto hp = collectonce::rpc::SplitHostPort(listen);
  if (!hp.ok()) return UsageError(std::string(hp.status().message()));
  if (insecure && !collectonce::rpc::IsLoopbackHost(hp->first))
    return UsageError("--insecure listens on loopback only");
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!insecure) {
    collectonce::rpc::TlsFiles to_backends = tls;
    collectonce::rpc::TlsFlagNames backend_names;
    if (!registry_ca.empty()) {
      to_backends.ca = registry_ca;
      backend_names.ca = "--registry-ca";
    }
    for (auto [files, names] : {std::pair{tls, collectonce::rpc::TlsFlagNames{}},
                                std::pair{to_backends, backend_names}}) {
      if (auto s = collectonce::rpc::CheckTlsFiles(files, names); !s.ok()) {
        log.Error(s.message());
        return 1;
      }
    }
    credentials = collectonce::rpc::MutualTlsChannelCredentials(to_backends, kTlsReloadSeconds);
  }
  collectonce::console::PrincipalChoices choices;
  for (const auto& p : principals) {
    std::pair<std::string, std::string> kv = absl::StrSplit(p, absl::MaxSplits('=', 1));
    if (kv.first.empty()) return UsageError("--principal takes IDENTITY=LABEL");
    choices.emplace_back(kv.first, kv.second.empty() ? kv.first : kv.second);
  }
  if (absl::Status s = collectonce::console::LoadTemplates(); !s.ok()) {
    log.Error(s.message());
    return 1;
  }

  using collectonce::console::Backend;
  Backend backend(grpc::CreateChannel(registry, credentials),
                  grpc::CreateChannel(gateway, credentials),
                  insecure ? Backend::Mode::kDeclaredPrincipal : Backend::Mode::kOnBehalfOf);
  collectonce::console::Pages pages(&backend, std::move(choices),
                                    collectonce::ZoneAtUtcOffset(utc_offset_hours));
  pages.set_reuse_target(reuse_target);
  collectonce::console::Sessions sessions(absl::Minutes(session_minutes));
  std::unique_ptr<httplib::Server> server;
  if (insecure) {
    server = std::make_unique<httplib::Server>();
  } else {
    auto ssl = collectonce::console::MutualTlsHttpServer(tls);
    if (!ssl.ok()) {
      log.Error(ssl.status().message());
      return 1;
    }
    server = *std::move(ssl);
    log.Info(absl::StrCat("mutual TLS: staff certificates must chain to ", tls.ca));
  }
  server->set_payload_max_length(64 << 10);
  collectonce::rpc::RefusePortSharing(server.get());
  collectonce::console::InstallRoutes(server.get(), &pages, &sessions, &log,
                                      insecure
                                          ? collectonce::console::Identity::kChosenOnLoopback
                                          : collectonce::console::Identity::kClientCertificate);
  const int port = hp->second == 0
                       ? server->bind_to_any_port(hp->first)
                       : (server->bind_to_port(hp->first, hp->second) ? hp->second : -1);
  if (port <= 0) {
    log.Error(absl::StrCat("cannot listen on ", listen));
    return 1;
  }
  const std::string url =
      absl::StrCat(insecure ? "http://" : "https://", absl::StrContains(hp->first, ':') ? "[" : "",
                   hp->first, absl::StrContains(hp->first, ':') ? "]" : "", ":", port, "/");
  // tools/run-local and the browser test read the address from this message.
  log.Info(absl::StrCat(insecure ? "serving HTTP on " : "serving HTTPS on ", url),
           {{"url", url}, {"registry", registry}, {"gateway", gateway}});
  std::thread serve([&server] { server->listen_after_bind(); });
  const int sig = collectonce::rpc::WaitForTerminationSignal();
  log.Info("stopping", {{"signal", sig}});
  server->stop();
  serve.join();
  return 0;
}
