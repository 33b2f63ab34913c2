#include "services/console/tls_server.h"

#include <openssl/ssl.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace collectonce::console {

absl::StatusOr<std::unique_ptr<httplib::Server>> MutualTlsHttpServer(const rpc::TlsFiles& files) {
  std::string failed;
  auto server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(&ctx, files.cert.c_str()) != 1) {
      failed = absl::StrCat("--tls-cert ", files.cert);
      return false;
    }
    if (SSL_CTX_use_PrivateKey_file(&ctx, files.key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(&ctx) != 1) {
      failed = absl::StrCat("--tls-key ", files.key);
      return false;
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.ca.c_str());
    if (names == nullptr || SSL_CTX_load_verify_locations(&ctx, files.ca.c_str(), nullptr) != 1) {
      if (names != nullptr) sk_X509_NAME_pop_free(names, X509_NAME_free);
      failed = absl::StrCat("--tls-client-ca ", files.ca);
      return false;
    }
    // The CAs a browser is told to choose a certificate from.
    SSL_CTX_set_client_CA_list(&ctx, names);
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    return true;
  });
  if (!server->is_valid()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot serve HTTPS: ", failed.empty() ? "no TLS context" : failed, " is not usable"));
  }
  return std::unique_ptr<httplib::Server>(std::move(server));
}

}  // namespace collectonce::console
