// console: the service center's web console for window, assisted-handling and home-visit
// staff and the departments that decide disputes; a gRPC client of registryd and
// reuse-gatewayd that holds no rule they lack.
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpcpp/grpcpp.h"
#include "httplib.h"
#include "libs/rpc/admin_server.h"  // SplitHostPort
#include "libs/rpc/daemon.h"
#include "libs/rpc/http_listen.h"
#include "libs/rpc/log.h"
#include "services/console/backend.h"
#include "services/console/pages.h"
#include "services/console/render.h"
#include "services/console/routes.h"

namespace {

int UsageError(const std::string& message) {
  std::cerr << "console: " << message << " (see --help)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  collectonce::rpc::BlockTerminationSignals();
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
      "--gateway 127.0.0.1:7410"};
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
  if (!insecure) {
    return UsageError(
        "only the local insecure mode is built so far: give --insecure (loopback only)");
  }
  auto hp = collectonce::rpc::SplitHostPort(listen);
  if (!hp.ok()) return UsageError(std::string(hp.status().message()));
  if (!collectonce::rpc::IsLoopbackHost(hp->first))
    return UsageError("--insecure listens on loopback only");
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

  collectonce::console::Backend backend(
      grpc::CreateChannel(registry, grpc::InsecureChannelCredentials()),
      grpc::CreateChannel(gateway, grpc::InsecureChannelCredentials()));
  collectonce::console::Pages pages(&backend, std::move(choices),
                                    collectonce::ZoneAtUtcOffset(utc_offset_hours));
  pages.set_reuse_target(reuse_target);
  collectonce::console::Sessions sessions(absl::Minutes(session_minutes));
  httplib::Server server;
  server.set_payload_max_length(64 << 10);
  collectonce::rpc::RefusePortSharing(&server);
  collectonce::console::InstallRoutes(&server, &pages, &sessions, &log, /*loopback_only=*/true);
  const int port = hp->second == 0 ? server.bind_to_any_port(hp->first)
                                   : (server.bind_to_port(hp->first, hp->second) ? hp->second : -1);
  if (port <= 0) {
    log.Error(absl::StrCat("cannot listen on ", listen));
    return 1;
  }
  const std::string url = absl::StrCat("http://", hp->first, ":", port, "/");
  // tools/run-local and the browser test read the address from this message.
  log.Info(absl::StrCat("serving HTTP on ", url),
           {{"url", url}, {"registry", registry}, {"gateway", gateway}});
  std::thread serve([&server] { server.listen_after_bind(); });
  const int sig = collectonce::rpc::WaitForTerminationSignal();
  log.Info("stopping", {{"signal", sig}});
  server.stop();
  serve.join();
  return 0;
}
