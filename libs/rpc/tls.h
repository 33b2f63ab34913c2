// Mutual TLS for the API ports and for the clients that call them: which command-line
// combinations are valid, a startup check of the certificate files, and gRPC credentials
// that re-read the files from disk so that certificates and CAs rotate without a restart.
#ifndef COLLECTONCE_LIBS_RPC_TLS_H_
#define COLLECTONCE_LIBS_RPC_TLS_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace collectonce::rpc {

// One side of mutual TLS. Paths to PEM files.
struct TlsFiles {
  std::string cert;  // this side's certificate chain, leaf first
  std::string key;   // its private key
  std::string ca;    // the CA bundle the peer's certificate must chain to

  bool any() const { return !cert.empty() || !key.empty() || !ca.empty(); }
};

// The names of the three flags, for messages.
struct TlsFlagNames {
  std::string cert = "--tls-cert";
  std::string key = "--tls-key";
  std::string ca = "--tls-client-ca";
};

// A daemon starts either with --insecure or with all three TLS files, never both and never
// neither. INVALID_ARGUMENT (a usage error) names what is missing or conflicting.
[[nodiscard]] absl::Status CheckDaemonSecurityFlags(bool insecure, bool insecure_allow_remote,
                                                    const TlsFiles& files,
                                                    const TlsFlagNames& names = {});

// Reads the three files now: each must hold PEM, the key must match the certificate, the
// certificate must be valid today and the CA bundle must hold at least one certificate.
// FAILED_PRECONDITION naming the flag and file otherwise. (The files are re-read later by
// the credentials below; this check turns a mistake into a startup error instead of failed
// handshakes.)
[[nodiscard]] absl::Status CheckTlsFiles(const TlsFiles& files, const TlsFlagNames& names = {});

// Server credentials that require a client certificate and verify it against files.ca
// (chain and validity period). All three files are re-read every `reload_seconds`; a
// replaced certificate, key or CA is used for new connections from then on. A key and
// certificate that do not match (a half-finished replacement) are skipped until they do.
std::shared_ptr<grpc::ServerCredentials> MutualTlsServerCredentials(const TlsFiles& files,
                                                                    unsigned reload_seconds);

// Client credentials presenting files.cert and verifying the server's certificate against
// files.ca and the target's host name (or IP address). Re-read like the server's.
std::shared_ptr<grpc::ChannelCredentials> MutualTlsChannelCredentials(const TlsFiles& files,
                                                                      unsigned reload_seconds);

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_TLS_H_
