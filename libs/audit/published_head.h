// The newest signed tree head the registry has handed out, kept in a small file outside the
// database (beside the signing key), so that a data directory rolled back to an older copy,
// or a log rewritten before that head, is refused when the registry starts instead of
// serving a history that clients holding the head would find forged.
//
// File format v2 (mode 0600): 1024 bytes, two slots of 512. A slot is text, NUL-padded:
//   collectonce-published-head-v2
//   size 1234
//   timestamp_us 1764650000000000
//   root <64 hex>
//   signature <128 hex>
//   sha256 <64 hex>          (of the slot's text before this line)
// The head is the larger of the slots whose digest holds. A new head overwrites the other
// slot in place and is synced with one fdatasync: a write torn by a crash leaves the slot
// before it, which was synced before its head was handed out. A reader ignores lines it does
// not know. Files of version 1 (the same lines but the digest, as the whole file, written
// through a temporary file and a rename) are still read, and replaced by version 2 at the
// first head published.
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
// Writes a new file holding `head` alone (atomically: through a temporary file and a rename).
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
// Keeps the file open between heads. Thread-safe.
class HeadPublisher {
 public:
  // `path` empty: signs only (nothing is kept; tests and tools).
  HeadPublisher(const Signer* signer, std::string path, uint64_t published_size = 0)
      : signer_(signer), path_(std::move(path)), published_size_(published_size) {}
  ~HeadPublisher();
  HeadPublisher(const HeadPublisher&) = delete;
  HeadPublisher& operator=(const HeadPublisher&) = delete;

  // The signature of `head`, after the file holds it when it is the newest so far.
  // UNAVAILABLE when the file cannot be written (the head is then not handed out).
  [[nodiscard]] absl::StatusOr<SignedHead> Publish(const TreeHead& head);

  const Signer& signer() const { return *signer_; }

 private:
  // Writes `head` into the slot not holding the newest head, opening (or first converting)
  // the file on the first call.
  absl::Status WriteSlot(const SignedHead& head) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Signer* signer_;
  const std::string path_;
  absl::Mutex mu_;
  uint64_t published_size_ ABSL_GUARDED_BY(mu_);
  int fd_ ABSL_GUARDED_BY(mu_) = -1;
  int next_slot_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace collectonce::audit

#endif  // COLLECTONCE_LIBS_AUDIT_PUBLISHED_HEAD_H_
