#include "libs/evidence/verifier.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/evidence/credential.h"
#include "libs/evidence/issuance_log.h"
#include "libs/evidence/status_list.h"
#include "libs/jose/sd_jwt.h"

namespace collectonce::evidence {

namespace {

Verification Fail(Verification v, std::string check, absl::string_view message) {
  v.valid = false;
  v.failed_check = std::move(check);
  v.message = std::string(message);
  return v;
}

// Which check a refusal of libs/jose names (its messages begin with the step).
std::string CheckOf(absl::string_view message) {
  if (absl::StrContains(message, "expired") || absl::StrContains(message, "not yet valid") ||
      absl::StrContains(message, "in the future")) {
    return "expiry";
  }
  if (absl::StartsWith(message, "JWS") || absl::StartsWith(message, "base64url")) {
    return "signature";
  }
  if (absl::StartsWith(message, "SD-JWT: no ~") || absl::StartsWith(message, "SD-JWT: key")) {
    return "format";
  }
  return "disclosures";
}

}  // namespace

Verification VerifyEvidence(absl::string_view credential, const jose::Jwks& jwks,
                            const VerifyOptions& options) {
  Verification v;
  std::string presentation(credential);
  // Trailing newlines of a saved file are not part of the credential.
  while (!presentation.empty() && (presentation.back() == '\n' || presentation.back() == '\r' ||
                                   presentation.back() == ' ')) {
    presentation.pop_back();
  }
  if (!options.disclose.empty()) {
    auto presented = jose::PresentSdJwt(presentation, options.disclose);
    if (!presented.ok()) {
      return Fail(std::move(v), absl::IsNotFound(presented.status()) ? "disclose" : "format",
                  presented.status().message());
    }
    presentation = *std::move(presented);
  }
  jose::SdJwtVerifyOptions o;
  o.now = options.now;
  auto verified = jose::VerifySdJwt(presentation, jwks, o);
  if (!verified.ok()) {
    return Fail(std::move(v), CheckOf(verified.status().message()), verified.status().message());
  }
  v.claims = std::move(verified->claims);
  v.disclosed = std::move(verified->disclosed);
  if (auto digest = PayloadDigest(verified->payload); digest.ok()) v.payload_sha256 = *digest;
  if (const nlohmann::json audit = v.claims.value("audit", nlohmann::json::object());
      audit.is_object() && audit.contains("index") && audit["index"].is_number_unsigned()) {
    v.audit_index = audit["index"].get<uint64_t>();
  }
  if (!options.expected_type.empty() && v.claims.value("vct", "") != options.expected_type) {
    return Fail(std::move(v), "type",
                absl::StrCat("the credential is not of type ", options.expected_type));
  }
  const nlohmann::json status = v.claims.value("status", nlohmann::json::object());
  const nlohmann::json list = status.is_object()
                                  ? status.value("status_list", nlohmann::json::object())
                                  : nlohmann::json::object();
  if (list.is_object() && list.contains("uri") && list["uri"].is_string() && list.contains("idx") &&
      list["idx"].is_number_unsigned()) {
    v.status_uri = list["uri"].get<std::string>();
    v.status_index = list["idx"].get<uint64_t>();
  }
  if (options.status_list) {
    if (v.status_uri.empty()) {
      return Fail(std::move(v), "status", "the credential names no status list entry");
    }
    auto s = StatusAt(*options.status_list, jwks, v.status_uri, v.status_index, options.now);
    if (!s.ok()) return Fail(std::move(v), "status", s.status().message());
    v.status_checked = true;
    if (*s != 0) {
      return Fail(std::move(v), "status",
                  "the status list marks the credential invalid (withdrawn, or an attested "
                  "field has changed since it was issued)");
    }
  }
  if (options.log) {
    if (std::string p =
            IssuanceLogProblem(v, options.log->proof, options.log->audit_public_key, &v.log_entry);
        !p.empty()) {
      return Fail(std::move(v), "log", p);
    }
    v.log_checked = true;
    v.log_tree_size = options.log->proof.tree_head().tree_size();
  }
  v.valid = true;
  return v;
}

}  // namespace collectonce::evidence
