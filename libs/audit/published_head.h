// The newest signed tree head the registry has handed out, kept in a small file outside the
// database (beside the signing key), so that a data directory rolled back to an older copy,
// or a log rewritten before that head, is refused when the registry starts instead of
// serving a history that clients holding the head would find forged.
//
// File format (text, one "name value" per line, written atomically, mode 0600):
//   collectonce-published-head-v1
//   size 1234
//   timestamp_us 1764650000000000
//   root <64 hex>
//   signature <128 hex>
// A reader ignores lines it does not know (later versions may add some).
#ifndef COLLECTONCE_LIBS_AUDIT_PUBLISHED_HEAD_H_
#define COLLECTONCE_LIBS_AUDIT_PUBLISHED_HEAD_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/audit/merkle.h"
#include "libs/audit/signer.h"
#include "libs/audit/tree_head.h"

namespace collectonce::audit {

struct SignedHead {
  TreeHead head;
  std::string signature;  // Ed25519 over SigningInput(head)
};

// The head in `path`; nullopt when there is no such file. DATA_LOSS if it is not a file this
// code wrote (malformed), other I/O errors as they are.
[[nodiscard]] absl::StatusOr<std::optional<SignedHead>> ReadPublishedHead(const std::string& path);
[[nodiscard]] absl::Status WritePublishedHead(const std::string& path, const SignedHead& head);

// Whether a store whose audit log has `store_size` entries (nodes readable through `nodes`)
// holds the log `published` names, under the key `public_key_raw`:
//   OK                   the store's tree at published.size has published.root;
//   FAILED_PRECONDITION  reason STORE_BEHIND_PUBLISHED_HEAD: the store has fewer entries
//                        (a data directory rolled back, or a backup older than the head);
//                        reason LOG_DIVERGES_FROM_PUBLISHED_HEAD: the first `size` entries
//                        hash to another root (rewritten);
//                        reason PUBLISHED_HEAD_OTHER_KEY: the file was not signed by this key.
// The message says what to do. O(log n) node reads.
[[nodiscard]] absl::Status CheckAgainstPublishedHead(const SignedHead& published,
                                                     absl::string_view public_key_raw,
                                                     uint64_t store_size, const NodeReader& nodes);

// Signs tree heads and keeps the file up to date: a head larger than the last one written is
// written (synced) before it is returned, so no client can hold a head the file is behind.
// Thread-safe.
class HeadPublisher {
 public:
  // `path` empty: signs only (nothing is kept; tests and tools).
  HeadPublisher(const Signer* signer, std::string path, uint64_t published_size = 0)
      : signer_(signer), path_(std::move(path)), published_size_(published_size) {}

  // The signature of `head`, after the file holds it when it is the newest so far.
  // UNAVAILABLE when the file cannot be written (the head is then not handed out).
  [[nodiscard]] absl::StatusOr<SignedHead> Publish(const TreeHead& head);

  const Signer& signer() const { return *signer_; }

 private:
  const Signer* signer_;
  const std::string path_;
  absl::Mutex mu_;
  uint64_t published_size_ ABSL_GUARDED_BY(mu_);
};

}  // namespace collectonce::audit

#endif  // COLLECTONCE_LIBS_AUDIT_PUBLISHED_HEAD_H_
