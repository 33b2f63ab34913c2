#include "libs/receipt/verifier.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/audit/merkle.h"
#include "libs/audit/signer.h"
#include "libs/audit/tree_head.h"
#include "libs/receipt/served.h"

namespace collectonce::receipt {

namespace {

ReceiptVerification Fail(ReceiptVerification v, absl::string_view check, std::string message) {
  v.valid = false;
  v.failed_check = std::string(check);
  v.message = std::move(message);
  return v;
}

bool ToHash(absl::string_view bytes, audit::Hash* out) {
  if (bytes.size() != out->size()) return false;
  std::memcpy(out->data(), bytes.data(), out->size());
  return true;
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
  const v1::InclusionProof& proof = r.inclusion_proof();
  const v1::SignedTreeHead& head = r.tree_head();
  audit::Hash proven_leaf, root;
  ToHash(proof.leaf_hash(), &proven_leaf);
  ToHash(head.root_hash(), &root);
  if (audit::LeafHash(r.entry()) != proven_leaf) {
    return Fail(std::move(v), "entry", "the entry does not hash to the leaf the proof proves");
  }
  if (v.entry.index() != proof.index()) {
    return Fail(std::move(v), "entry",
                absl::StrCat("the entry says it is leaf ", v.entry.index(),
                             ", the proof proves leaf ", proof.index()));
  }
  if (proof.tree_size() != head.tree_size()) {
    return Fail(std::move(v), "inclusion",
                absl::StrCat("the proof is for a tree of ", proof.tree_size(),
                             " entries, the head signs one of ", head.tree_size()));
  }
  std::vector<audit::Hash> path(proof.hashes_size());
  for (int i = 0; i < proof.hashes_size(); ++i) ToHash(proof.hashes(i), &path[i]);
  if (absl::Status s =
          audit::VerifyInclusion(proven_leaf, proof.index(), proof.tree_size(), path, root);
      !s.ok()) {
    return Fail(std::move(v), "inclusion",
                absl::StrCat("the entry is not proven in the signed tree: ", s.message()));
  }
  if (audit_public_key.size() != 32) {
    return Fail(std::move(v), "signature", "the audit public key is not a 32-byte Ed25519 key");
  }
  audit::TreeHead signed_head;
  signed_head.size = head.tree_size();
  signed_head.root = root;
  signed_head.timestamp_us = head.timestamp_us();
  if (!audit::VerifySignature(audit_public_key, audit::SigningInput(signed_head), head.signature())
           .ok()) {
    return Fail(std::move(v), "signature",
                head.public_key() == audit_public_key
                    ? "the tree head's signature does not verify under the audit key"
                    : "the tree head is not signed by the audit key given (another key?)");
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
