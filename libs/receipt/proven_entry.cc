#include "libs/receipt/proven_entry.h"

#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/audit/merkle.h"
#include "libs/audit/signer.h"
#include "libs/audit/tree_head.h"

namespace collectonce::receipt {

namespace {

bool ToHash(absl::string_view bytes, audit::Hash* out) {
  if (bytes.size() != out->size()) return false;
  std::memcpy(out->data(), bytes.data(), out->size());
  return true;
}

EntryCheck Failed(absl::string_view check, std::string message) {
  return EntryCheck{std::string(check), std::move(message)};
}

}  // namespace

EntryCheck CheckProvenEntry(absl::string_view entry, const registry::v1::AuditEntry& parsed,
                            const registry::v1::InclusionProof& proof,
                            const registry::v1::SignedTreeHead& head,
                            absl::string_view audit_public_key) {
  audit::Hash proven_leaf, root;
  if (!ToHash(head.root_hash(), &root)) {
    return Failed("format", "the tree head's root is not 32 bytes");
  }
  if (!ToHash(proof.leaf_hash(), &proven_leaf)) {
    return Failed("format", "the proven leaf hash is not 32 bytes");
  }
  std::vector<audit::Hash> path(proof.hashes_size());
  for (int i = 0; i < proof.hashes_size(); ++i) {
    if (!ToHash(proof.hashes(i), &path[i])) {
      return Failed("format", "a hash of the inclusion proof is not 32 bytes");
    }
  }
  if (audit::LeafHash(entry) != proven_leaf) {
    return Failed("entry", "the entry does not hash to the leaf the proof proves");
  }
  if (parsed.index() != proof.index()) {
    return Failed("entry", absl::StrCat("the entry says it is leaf ", parsed.index(),
                                        ", the proof proves leaf ", proof.index()));
  }
  if (proof.tree_size() != head.tree_size()) {
    return Failed("inclusion", absl::StrCat("the proof is for a tree of ", proof.tree_size(),
                                            " entries, the head signs one of ", head.tree_size()));
  }
  if (absl::Status s =
          audit::VerifyInclusion(proven_leaf, proof.index(), proof.tree_size(), path, root);
      !s.ok()) {
    return Failed("inclusion",
                  absl::StrCat("the entry is not proven in the signed tree: ", s.message()));
  }
  if (audit_public_key.size() != 32) {
    return Failed("signature", "the audit public key is not a 32-byte Ed25519 key");
  }
  audit::TreeHead signed_head;
  signed_head.size = head.tree_size();
  signed_head.root = root;
  signed_head.timestamp_us = head.timestamp_us();
  if (!audit::VerifySignature(audit_public_key, audit::SigningInput(signed_head), head.signature())
           .ok()) {
    return Failed("signature",
                  head.public_key() == audit_public_key
                      ? "the tree head's signature does not verify under the audit key"
                      : "the tree head is not signed by the audit key given (another key?)");
  }
  return EntryCheck{};
}

}  // namespace collectonce::receipt
