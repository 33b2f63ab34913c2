// The console's HTTPS listener under mutual TLS: cpp-httplib's SSLServer with TLS 1.2 or
// newer, the console's certificate and key, and a required client certificate that chains to
// the staff CA (a browser without one, or with one from another CA, fails the handshake).
#ifndef COLLECTONCE_SERVICES_CONSOLE_TLS_SERVER_H_
#define COLLECTONCE_SERVICES_CONSOLE_TLS_SERVER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "httplib.h"
#include "libs/rpc/tls.h"

namespace collectonce::console {

// FAILED_PRECONDITION naming the file when one cannot be used. The files are read once:
// replacing them takes a restart (rpc::CheckTlsFiles has checked them before).
[[nodiscard]] absl::StatusOr<std::unique_ptr<httplib::Server>> MutualTlsHttpServer(
    const rpc::TlsFiles& files);

}  // namespace collectonce::console

#endif  // COLLECTONCE_SERVICES_CONSOLE_TLS_SERVER_H_
