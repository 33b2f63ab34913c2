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

// Installs every route. `loopback_only`: refuse requests from other hosts (the local
// insecure mode, where the principal is chosen, not authenticated).
void InstallRoutes(httplib::Server* server, Pages* pages, Sessions* sessions,
                   const rpc::Logger* log, bool loopback_only);

}  // namespace collectonce::console

#endif  // COLLECTONCE_SERVICES_CONSOLE_ROUTES_H_
