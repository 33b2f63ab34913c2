// The plaintext admin port (loopback or pod-local): GET /healthz, GET /readyz and
// GET /metrics, for probes and scrapers that carry no client certificate, and public
// documents such as the evidence keys.
#ifndef COLLECTONCE_LIBS_RPC_ADMIN_SERVER_H_
#define COLLECTONCE_LIBS_RPC_ADMIN_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"

namespace collectonce::rpc {

class AdminServer {
 public:
  struct Handlers {
    // GET /healthz (liveness): OK: 200 "ok"; otherwise 503 with the message.
    std::function<absl::Status()> health;
    // GET /readyz (readiness: whether to send traffic), the same way; unset: as health.
    std::function<absl::Status()> ready;
    std::function<std::string()> metrics;
    // Further GET documents (the evidence keys and status lists). `path` is exact, or ends in
    // '/' and is followed by a number that `body` gets (empty for an exact path). `body`: OK
    // 200 with its text, NOT_FOUND 404, anything else 503 with the message.
    struct Document {
      std::string path;
      std::string content_type;
      std::function<absl::StatusOr<std::string>(const std::string& number)> body;
    };
    std::vector<Document> documents;
  };
  // Binds HOST:PORT (port 0 picks a free one) and serves on a thread of its own.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<AdminServer>> Start(
      const std::string& host_port, Handlers handlers);
  ~AdminServer();
  int port() const { return port_; }

 private:
  AdminServer() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::thread thread_;
};

// Splits "HOST:PORT" ("[::1]:7400" too). INVALID_ARGUMENT when malformed.
[[nodiscard]] absl::StatusOr<std::pair<std::string, int>> SplitHostPort(const std::string& hp);

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_ADMIN_SERVER_H_
