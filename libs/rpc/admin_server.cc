#include "libs/rpc/admin_server.h"

#include <sys/socket.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "libs/rpc/daemon.h"
#include "libs/rpc/http_listen.h"

namespace collectonce::rpc {

struct AdminServer::Impl {
  httplib::Server server;
};

absl::StatusOr<std::pair<std::string, int>> SplitHostPort(const std::string& hp) {
  auto colon = hp.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat("'", hp, "' is not HOST:PORT"));
  }
  std::string host = hp.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port;
  if (!absl::SimpleAtoi(hp.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("'", hp, "' has no valid port"));
  }
  return std::make_pair(host, port);
}

absl::StatusOr<std::unique_ptr<AdminServer>> AdminServer::Start(const std::string& host_port,
                                                                Handlers handlers) {
  auto hp = SplitHostPort(host_port);
  if (!hp.ok()) return hp.status();
  std::unique_ptr<AdminServer> admin(new AdminServer());
  admin->impl_ = std::make_unique<Impl>();
  auto& srv = admin->impl_->server;
  // Probes and scrapes are one request each; short keep-alive lets shutdown finish quickly.
  srv.set_keep_alive_max_count(1);
  srv.set_keep_alive_timeout(1);
  srv.set_read_timeout(2, 0);
  RefusePortSharing(&srv);
  auto probe = [](std::function<absl::Status()> h) {
    return [h = std::move(h)](const httplib::Request&, httplib::Response& res) {
      absl::Status s = h ? h() : absl::OkStatus();
      res.status = s.ok() ? 200 : 503;
      res.set_content(s.ok() ? "ok\n" : std::string(s.message()) + "\n", "text/plain");
    };
  };
  srv.Get("/healthz", probe(handlers.health));
  srv.Get("/readyz", probe(handlers.ready ? handlers.ready : handlers.health));
  srv.Get("/metrics", [m = handlers.metrics](const httplib::Request&, httplib::Response& res) {
    res.set_content(m ? m() : "", "text/plain; version=0.0.4; charset=utf-8");
  });
  for (auto& doc : handlers.documents) {
    const bool numbered = !doc.path.empty() && doc.path.back() == '/';
    const std::string pattern = numbered ? doc.path + R"((\d{1,19}))" : doc.path;
    srv.Get(pattern, [doc, numbered](const httplib::Request& req, httplib::Response& res) {
      const std::string number = numbered && req.matches.size() > 1 ? req.matches[1].str() : "";
      absl::StatusOr<std::string> body = doc.body(number);
      if (body.ok()) {
        res.set_content(*body, doc.content_type);
        return;
      }
      res.status = absl::IsNotFound(body.status()) ? 404 : 503;
      res.set_content(std::string(body.status().message()) + "\n", "text/plain");
    });
  }
  int port = hp->second == 0 ? srv.bind_to_any_port(hp->first)
                             : (srv.bind_to_port(hp->first, hp->second) ? hp->second : -1);
  if (port <= 0) {
    return absl::UnavailableError(ListenFailure("admin address", hp->first, hp->second));
  }
  admin->port_ = port;
  admin->thread_ = std::thread([s = &srv] { s->listen_after_bind(); });
  return admin;
}

AdminServer::~AdminServer() {
  if (impl_) impl_->server.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace collectonce::rpc
