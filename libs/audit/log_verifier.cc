#include "libs/audit/log_verifier.h"

#include "absl/strings/str_cat.h"
#include "libs/audit/signer.h"

namespace collectonce::audit {

absl::Status LogVerifier::Add(uint64_t key_index, uint64_t declared_index, absl::string_view bytes,
                              absl::string_view stored_leaf_hash) {
  const uint64_t position = appender_.size();
  if (key_index != position) {
    return absl::DataLossError(
        key_index > position
            ? absl::StrCat("entry ", position, " is missing (the next stored entry is ", key_index,
                           ")")
            : absl::StrCat("entry ", key_index, " appears again at position ", position));
  }
  if (declared_index != position) {
    return absl::DataLossError(absl::StrCat("entry ", position, " says it is entry ",
                                            declared_index, ": entries were moved"));
  }
  const Hash leaf = LeafHash(bytes);
  if (!stored_leaf_hash.empty() && absl::string_view(reinterpret_cast<const char*>(leaf.data()),
                                                     leaf.size()) != stored_leaf_hash) {
    return absl::DataLossError(
        absl::StrCat("entry ", position, " was changed: its hash is not the one logged"));
  }
  appender_.Append(leaf, nullptr);
  if (earlier_ && appender_.size() == earlier_->size) earlier_root_seen_ = appender_.Root();
  return absl::OkStatus();
}

absl::Status LogVerifier::Finish(const TreeHead& head, absl::string_view signature,
                                 absl::string_view public_key,
                                 absl::string_view earlier_signature) {
  absl::Status sig = VerifySignature(public_key, SigningInput(head), signature);
  if (!sig.ok())
    return absl::DataLossError(absl::StrCat("the tree head's signature: ", sig.message()));
  if (appender_.size() != head.size) {
    return absl::DataLossError(absl::StrCat("the head covers ", head.size, " entries but ",
                                            appender_.size(), " were read"));
  }
  if (appender_.Root() != head.root) {
    return absl::DataLossError(absl::StrCat("the entries do not hash to the signed root ",
                                            HexHash(head.root), " (they give ",
                                            HexHash(appender_.Root()), ")"));
  }
  if (earlier_) {
    if (!earlier_signature.empty()) {
      absl::Status es = VerifySignature(public_key, SigningInput(*earlier_), earlier_signature);
      if (!es.ok()) {
        return absl::DataLossError(absl::StrCat("the saved head's signature: ", es.message()));
      }
    }
    if (earlier_->size > head.size) {
      return absl::DataLossError(absl::StrCat("the log has ", head.size,
                                              " entries, fewer than the saved head's ",
                                              earlier_->size, ": entries were removed"));
    }
    if (earlier_->size > 0 && (!earlier_root_seen_ || *earlier_root_seen_ != earlier_->root)) {
      return absl::DataLossError(absl::StrCat(
          "the first ", earlier_->size,
          " entries no longer hash to the saved head's root: the log was rewritten before entry ",
          earlier_->size));
    }
  }
  return absl::OkStatus();
}

}  // namespace collectonce::audit
