#include "libs/rpc/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_certificate_verifier.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "libs/crypto/openssl_ptr.h"

namespace collectonce::rpc {

namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return !in.bad();
}

using Bio = crypto::BioPtr;
using Cert = crypto::X509Ptr;
using Pkey = crypto::EvpPkeyPtr;

Bio MemBio(const std::string& pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

std::vector<Cert> ParseCerts(const std::string& pem) {
  std::vector<Cert> out;
  Bio bio = MemBio(pem);
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(x);
  ERR_clear_error();  // the end of the input reads as an error
  return out;
}

absl::Status FileError(const std::string& flag, const std::string& path, absl::string_view what) {
  return absl::FailedPreconditionError(absl::StrCat(flag, " ", path, ": ", what));
}

}  // namespace

absl::Status CheckDaemonSecurityFlags(bool insecure, bool insecure_allow_remote,
                                      const TlsFiles& files, const TlsFlagNames& names) {
  if (insecure && files.any()) {
    return absl::InvalidArgumentError(absl::StrCat("--insecure cannot be combined with ",
                                                   names.cert, ", ", names.key, " or ", names.ca,
                                                   ": choose the local mode or mutual TLS"));
  }
  if (insecure) return absl::OkStatus();
  if (insecure_allow_remote) {
    return absl::InvalidArgumentError("--insecure-allow-remote is only meaningful with --insecure");
  }
  if (!files.any()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no transport security chosen: give ", names.cert, ", ", names.key, " and ", names.ca,
        " for mutual TLS, or --insecure for the local mode (loopback only)"));
  }
  std::vector<std::string> missing;
  if (files.cert.empty()) missing.push_back(names.cert);
  if (files.key.empty()) missing.push_back(names.key);
  if (files.ca.empty()) missing.push_back(names.ca);
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("mutual TLS needs ", names.cert, ", ", names.key,
                                                   " and ", names.ca,
                                                   "; missing: ", absl::StrJoin(missing, ", ")));
  }
  return absl::OkStatus();
}

absl::Status CheckTlsFiles(const TlsFiles& files, const TlsFlagNames& names) {
  std::string cert_pem, key_pem, ca_pem;
  if (!ReadFile(files.cert, &cert_pem)) return FileError(names.cert, files.cert, "cannot read");
  if (!ReadFile(files.key, &key_pem)) return FileError(names.key, files.key, "cannot read");
  if (!ReadFile(files.ca, &ca_pem)) return FileError(names.ca, files.ca, "cannot read");
  std::vector<Cert> chain = ParseCerts(cert_pem);
  if (chain.empty()) return FileError(names.cert, files.cert, "holds no PEM certificate");
  Bio key_bio = MemBio(key_pem);
  Pkey key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key) return FileError(names.key, files.key, "holds no PEM private key (or it is encrypted)");
  if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
    ERR_clear_error();
    return FileError(names.key, files.key,
                     absl::StrCat("does not match the certificate in ", files.cert));
  }
  if (X509_cmp_current_time(X509_get0_notAfter(chain.front().get())) <= 0) {
    return FileError(names.cert, files.cert, "has expired");
  }
  if (X509_cmp_current_time(X509_get0_notBefore(chain.front().get())) > 0) {
    return FileError(names.cert, files.cert, "is not valid yet");
  }
  if (ParseCerts(ca_pem).empty()) return FileError(names.ca, files.ca, "holds no PEM certificate");
  return absl::OkStatus();
}

namespace {

std::shared_ptr<grpc::experimental::FileWatcherCertificateProvider> Provider(
    const TlsFiles& files, unsigned reload_seconds) {
  return std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      files.key, files.cert, files.ca, reload_seconds == 0 ? 1 : reload_seconds);
}

}  // namespace

std::shared_ptr<grpc::ServerCredentials> MutualTlsServerCredentials(const TlsFiles& files,
                                                                    unsigned reload_seconds) {
  grpc::experimental::TlsServerCredentialsOptions options(Provider(files, reload_seconds));
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  return grpc::experimental::TlsServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> MutualTlsChannelCredentials(const TlsFiles& files,
                                                                      unsigned reload_seconds) {
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(Provider(files, reload_seconds));
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  options.set_verify_server_certs(true);
  options.set_certificate_verifier(
      std::make_shared<grpc::experimental::HostNameCertificateVerifier>());
  return grpc::experimental::TlsCredentials(options);
}

}  // namespace collectonce::rpc
