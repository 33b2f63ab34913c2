// The socket options of every HTTP listener (admin ports, the console): cpp-httplib sets
// SO_REUSEPORT by default, which lets a second daemon share a port that one already holds;
// SO_REUSEADDR alone still refuses a port in use.
#ifndef COLLECTONCE_LIBS_RPC_HTTP_LISTEN_H_
#define COLLECTONCE_LIBS_RPC_HTTP_LISTEN_H_

#include <sys/socket.h>

#include "httplib.h"

namespace collectonce::rpc {

inline void RefusePortSharing(httplib::Server* server) {
  server->set_socket_options([](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
}

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_HTTP_LISTEN_H_
