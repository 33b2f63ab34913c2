#include "libs/evidence/issuance_log.h"

#include "absl/strings/str_cat.h"
#include "libs/evidence/verifier.h"
#include "libs/receipt/proven_entry.h"

namespace collectonce::evidence {

namespace {

std::string StringClaim(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string IssuanceLogProblem(const Verification& verified,
                               const registry::v1::IssuanceProof& proof,
                               absl::string_view audit_public_key,
                               registry::v1::AuditEntry* entry) {
  if (proof.format_version() != 1) {
    return absl::StrCat("issuance proof format ", proof.format_version(),
                        " is not known (expected 1)");
  }
  if (!proof.has_inclusion_proof() || !proof.has_tree_head()) {
    return "the issuance proof has no inclusion proof or no tree head";
  }
  if (!entry->ParseFromString(proof.entry())) return "the proof's entry is not an audit entry";
  if (receipt::EntryCheck c = receipt::CheckProvenEntry(
          proof.entry(), *entry, proof.inclusion_proof(), proof.tree_head(), audit_public_key);
      !c.failed_check.empty()) {
    return absl::StrCat(c.failed_check, ": ", c.message);
  }
  if (!entry->has_access() || !entry->access().has_evidence()) {
    return absl::StrCat("audit leaf ", entry->index(), " is not the issuance of a credential");
  }
  const registry::v1::EvidenceIssue& issue = entry->access().evidence();
  if (entry->index() != verified.audit_index) {
    return absl::StrCat("the credential names audit leaf ", verified.audit_index,
                        ", the proof is of leaf ", entry->index());
  }
  if (issue.credential_id() != StringClaim(verified.claims, "jti")) {
    return absl::StrCat("audit leaf ", entry->index(), " records another credential");
  }
  if (verified.payload_sha256.empty() || issue.payload_sha256() != verified.payload_sha256) {
    return absl::StrCat("the credential's claims are not those audit leaf ", entry->index(),
                        " records (the payload digest differs)");
  }
  if (issue.evidence_type() != StringClaim(verified.claims, "vct")) {
    return absl::StrCat("audit leaf ", entry->index(), " records another evidence type");
  }
  return "";
}

}  // namespace collectonce::evidence
