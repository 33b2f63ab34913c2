#include "services/registry/read_receipt.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/audit/merkle.h"
#include "libs/base/error_reason.h"
#include "libs/receipt/served.h"

namespace collectonce::registry {

namespace {

std::string HashBytes(const audit::Hash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

// The version of the matter or bundle a read served, as the policy knows it.
int64_t PurposeVersion(const authz::Policy& policy, const std::string& purpose) {
  if (const v1::Matter* m = policy.FindMatter(purpose)) return m->version();
  if (const v1::Bundle* b = policy.FindBundle(purpose)) return b->version();
  return 0;
}

}  // namespace

v1::ReadReceipt BeginReceipt(const Caller& caller, const ReadPlan& plan, const v1::Record& released,
                             v1::AccessEvent* event) {
  v1::ReadReceipt receipt;
  receipt.set_format_version(1);
  receipt.set_salt(receipt::NewSalt());
  *receipt.mutable_served() = receipt::ServedFieldsOf(released);
  v1::ServedDigest* served = event->mutable_served();
  served->set_revision(released.revision());
  served->set_commit_sequence(released.commit_sequence());
  served->set_catalog_version(plan.catalog->version());
  served->set_purpose_version(PurposeVersion(*caller.policy, plan.purpose));
  served->set_principal_version(caller.principal.version());
  served->set_salted_sha256(receipt::SaltedDigest(receipt.salt(), released.name(), plan.purpose,
                                                  *served, receipt.served()));
  return receipt;
}

absl::StatusOr<audit::SignedHead> ReceiptHeads::Covering(store::Store* store, uint64_t index,
                                                         int64_t now_us) {
  absl::MutexLock lock(&mu_);
  if (last_ && last_->head.size > index) return *last_;
  audit::TreeHead head;
  head.size = std::max<uint64_t>(store->Stats().audit_size, index + 1);
  auto root = audit::RootAt(store->AuditNodes(), head.size);
  if (!root.ok()) return root.status();
  head.root = *root;
  head.timestamp_us = now_us;
  auto published = publisher_->Publish(head);
  if (!published.ok()) return published.status();
  last_ = *published;
  return *std::move(published);
}

absl::Status ProveEntry(store::Store* store, const audit::NodeReader& nodes,
                        const audit::SignedHead& signed_head, const std::string& public_key,
                        uint64_t index, std::string* entry, v1::InclusionProof* proof,
                        v1::SignedTreeHead* sth) {
  auto entries = store->ReadAuditEntries(index, 1, /*reverse=*/false);
  if (!entries.ok()) return entries.status();
  if (entries->empty() || (*entries)[0].index != index) {
    return WithReason(absl::InternalError(absl::StrCat("audit entry ", index, " is not readable")),
                      "RECEIPT_ENTRY_MISSING");
  }
  *entry = std::move((*entries)[0].bytes);
  const audit::TreeHead& head = signed_head.head;
  auto path = audit::InclusionProof(nodes, index, head.size);
  if (!path.ok()) return path.status();
  auto leaf = nodes.Subtree(0, index);
  if (!leaf.ok()) return leaf.status();
  proof->set_index(index);
  proof->set_tree_size(head.size);
  proof->set_leaf_hash(HashBytes(*leaf));
  for (const auto& h : *path) proof->add_hashes(HashBytes(h));
  sth->set_tree_size(head.size);
  sth->set_root_hash(HashBytes(head.root));
  sth->set_timestamp_us(head.timestamp_us);
  sth->set_signature(signed_head.signature);
  sth->set_public_key(public_key);
  return absl::OkStatus();
}

absl::Status FinishReceipt(store::Store* store, const audit::NodeReader& nodes,
                           const audit::SignedHead& signed_head, const std::string& public_key,
                           uint64_t index, v1::ReadReceipt* receipt) {
  return ProveEntry(store, nodes, signed_head, public_key, index, receipt->mutable_entry(),
                    receipt->mutable_inclusion_proof(), receipt->mutable_tree_head());
}

}  // namespace collectonce::registry
