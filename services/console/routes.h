// The console's HTTP surface on cpp-httplib: routes, the session cookie, the CSRF check on
// every POST, security headers on every answer (a strict Content-Security-Policy, no
// caching, no referrer) and one access-log line per request without query or body.
#ifndef COLLECTONCE_SERVICES_CONSOLE_ROUTES_H_
#define COLLECTONCE_SERVICES_CONSOLE_ROUTES_H_

#include "httplib.h"
#include "libs/rpc/log.h"
#include "services/console/pages.h"
#include "services/console/session.h"

namespace collectonce::console {

// The policy every answer carries: nothing but this origin's stylesheet and forms.
inline constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

// How the console knows who the staff member is.
enum class Identity {
  // The local insecure mode: requests from other hosts are refused and the principal is
  // chosen at sign-in, not authenticated.
  kChosenOnLoopback,
  // Mutual TLS: `server` is an httplib::SSLServer that requires a client certificate
  // chaining to the staff CA; the principal is the certificate's identity (the URI SAN, as
  // for gRPC peers: rpc::IdentityFromAltNames), on every request. No choice at sign-in;
  // signing out ends the session only.
  kClientCertificate,
};

// Installs every route.
void InstallRoutes(httplib::Server* server, Pages* pages, Sessions* sessions,
                   const rpc::Logger* log, Identity identity);

}  // namespace collectonce::console

#endif  // COLLECTONCE_SERVICES_CONSOLE_ROUTES_H_
