#include "libs/receipt/verifier.h"

#include <algorithm>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/receipt/proven_entry.h"
#include "libs/receipt/served.h"

namespace collectonce::receipt {

namespace {

ReceiptVerification Fail(ReceiptVerification v, absl::string_view check, std::string message) {
  v.valid = false;
  v.failed_check = std::string(check);
  v.message = std::move(message);
  return v;
}

// The layout: sizes and an entry that is an access event with a digest.
std::string FormatProblem(const v1::ReadReceipt& r, v1::AuditEntry* entry) {
  if (r.format_version() != 1) {
    return absl::StrCat("receipt format ", r.format_version(), " is not known (expected 1)");
  }
  if (r.salt().size() != kSaltSize) return "the salt is not 32 bytes";
  if (!r.has_inclusion_proof() || !r.has_tree_head()) {
    return "the inclusion proof or the tree head is missing";
  }
  if (!entry->ParseFromString(r.entry())) return "the entry is not an audit entry";
  if (!entry->has_access() || !entry->access().has_served()) {
    return "the entry is not the access event of a read with a receipt";
  }
  if (entry->access().served().salted_sha256().size() != 32) {
    return "the entry's digest is not 32 bytes";
  }
  if (r.tree_head().root_hash().size() != 32) return "the tree head's root is not 32 bytes";
  if (r.inclusion_proof().leaf_hash().size() != 32) return "the proven leaf hash is not 32 bytes";
  for (const auto& h : r.inclusion_proof().hashes()) {
    if (h.size() != 32) return "a hash of the inclusion proof is not 32 bytes";
  }
  return "";
}

// The served fields against the entry's lists of released fields.
std::string ServedProblem(const v1::ReadReceipt& r, const v1::AccessEvent& access) {
  std::set<std::string> clear(access.fields().begin(), access.fields().end());
  std::set<std::string> masked(access.masked_fields().begin(), access.masked_fields().end());
  std::set<std::string> seen;
  const std::string* previous = nullptr;
  for (const auto& f : r.served()) {
    if (previous != nullptr && !(*previous < f.field())) {
      return "the served fields are not in field-name order, each once";
    }
    previous = &f.field();
    std::set<std::string>& list = f.masked() ? masked : clear;
    if (list.erase(f.field()) == 0) {
      return absl::StrCat("served field ", f.field().substr(0, 64), " was not released ",
                          f.masked() ? "masked" : "in clear", " by the logged read");
    }
    if (f.masked() && !f.value().has_string_value()) {
      return absl::StrCat("served field ", f.field().substr(0, 64),
                          " is marked masked but is not a masked rendering");
    }
  }
  if (!clear.empty() || !masked.empty()) {
    return absl::StrCat("the logged read released ", *(clear.empty() ? masked : clear).begin(),
                        ", which the receipt does not list");
  }
  return "";
}

}  // namespace

ReceiptVerification VerifyReceipt(const v1::ReadReceipt& r, absl::string_view audit_public_key) {
  ReceiptVerification v;
  if (std::string p = FormatProblem(r, &v.entry); !p.empty())
    return Fail(std::move(v), "format", p);
  if (EntryCheck c = CheckProvenEntry(r.entry(), v.entry, r.inclusion_proof(), r.tree_head(),
                                      audit_public_key);
      !c.failed_check.empty()) {
    return Fail(std::move(v), c.failed_check, std::move(c.message));
  }
  const v1::AccessEvent& access = v.entry.access();
  if (std::string p = ServedProblem(r, access); !p.empty()) return Fail(std::move(v), "served", p);
  if (SaltedDigest(r.salt(), access.subject(), access.purpose(), access.served(), r.served()) !=
      access.served().salted_sha256()) {
    return Fail(std::move(v), "digest",
                "the served values and the salt do not hash to the digest the log holds");
  }
  v.valid = true;
  return v;
}

}  // namespace collectonce::receipt
