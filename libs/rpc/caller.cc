#include "libs/rpc/caller.h"

#include <arpa/inet.h>
#include <openssl/x509v3.h>

#include "absl/strings/match.h"
#include "libs/base/error_reason.h"

namespace collectonce::rpc {

namespace {
std::string Header(const grpc::ServerContextBase& ctx, absl::string_view name) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(grpc::string_ref(name.data(), name.size()));
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}
}  // namespace

std::string IdentityFromAltNames(const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    if (absl::StrContains(n, "://")) return n;
  }
  return names.empty() ? "" : names.front();
}

std::vector<std::string> CertificateAltNames(const x509_st* cert) {
  std::vector<std::string> out;
  if (cert == nullptr) return out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS || n->type == GEN_URI || n->type == GEN_EMAIL) {
      const ASN1_IA5STRING* v = n->d.ia5;
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(v)),
                       static_cast<size_t>(ASN1_STRING_length(v)));
    } else if (n->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* v = n->d.iPAddress;
      char buf[INET6_ADDRSTRLEN] = {};
      const int len = ASN1_STRING_length(v);
      if ((len == 4 || len == 16) &&
          inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(v), buf, sizeof buf)) {
        out.emplace_back(buf);
      }
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

absl::StatusOr<CallerIdentity> IdentifyCaller(const grpc::ServerContextBase& ctx, bool insecure) {
  CallerIdentity id;
  if (insecure) {
    id.peer = Header(ctx, kPrincipalHeader);
  } else {
    // Under TLS the identity is the client certificate's URI SAN, else its DNS SAN; any
    // x-principal header is ignored.
    auto auth = ctx.auth_context();
    if (auth) {
      for (const char* prop : {"x509_subject_alternative_name", "peer_spiffe_id"}) {
        std::vector<std::string> names;
        for (const auto& v : auth->FindPropertyValues(prop)) names.emplace_back(v.data(), v.size());
        id.peer = IdentityFromAltNames(names);
        if (!id.peer.empty()) break;
      }
    }
  }
  if (id.peer.empty() || id.peer.size() > 512) {
    return WithReason(
        absl::UnauthenticatedError(insecure ? "name the calling system in the x-principal header"
                                            : "the call carries no client certificate identity"),
        "NO_IDENTITY");
  }
  id.on_behalf_of = Header(ctx, kOnBehalfOfHeader);
  id.on_behalf_of_via = Header(ctx, kOnBehalfOfViaHeader);
  if (id.on_behalf_of.size() > 512 || id.on_behalf_of_via.size() > 512) {
    return WithReason(absl::InvalidArgumentError("x-on-behalf-of is too long"), "BAD_HEADER");
  }
  if (!id.on_behalf_of_via.empty() && id.on_behalf_of.empty()) {
    return WithReason(absl::InvalidArgumentError(
                          "x-on-behalf-of-via names who asked to act for x-on-behalf-of, which "
                          "is missing"),
                      "BAD_HEADER");
  }
  return id;
}

}  // namespace collectonce::rpc
