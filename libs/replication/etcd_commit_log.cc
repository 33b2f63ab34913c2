#include "libs/replication/etcd_commit_log.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/error_reason.h"

namespace collectonce::replication {

EtcdCommitLog::EtcdCommitLog(EtcdLog* log, int64_t epoch, StillLeading still_leading,
                             absl::Duration append_timeout)
    : log_(log),
      epoch_(epoch),
      still_leading_(std::move(still_leading)),
      append_timeout_(append_timeout) {}

absl::Status EtcdCommitLog::Append(uint64_t index, absl::string_view bytes) {
  const absl::Time start = absl::Now();
  absl::Status s = AppendOnce(index, bytes);
  if (observer_) observer_(s.code(), absl::Now() - start);
  return s;
}

absl::Status EtcdCommitLog::AppendOnce(uint64_t index, absl::string_view bytes) {
  if (!still_leading_(epoch_)) {
    return WithReason(absl::AbortedError(absl::StrCat("this replica no longer leads epoch ", epoch_,
                                                      " (its lease may have run out)")),
                      "LOG_FENCED");
  }
  absl::Status s = log_->Append(epoch_, index, bytes, appended_any_, absl::Now() + append_timeout_);
  switch (s.code()) {
    case absl::StatusCode::kOk:
      appended_any_ = true;
      last_appended_ = index;
      if (!still_leading_(epoch_)) {
        // Durable, but the lease may have run out while etcd answered: acknowledge nothing.
        // The entry is in the log, so every replica applies it; a caller that retries with
        // its request id gets this result from the next leader.
        return WithReason(absl::UnknownError(absl::StrCat("log entry ", index,
                                                          " was appended, but the lease of epoch ",
                                                          epoch_, " may have run out meanwhile")),
                          "LOG_LEASE_EXPIRED");
      }
      return s;
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kUnavailable:
      return s;
    case absl::StatusCode::kFailedPrecondition:
      // Entry index-1 is missing although this leader appended it: the caller's order is
      // not the log's. Nothing was appended; stop leading and let the log decide.
      return WithReason(absl::AbortedError(s.message()), "LOG_FENCED");
    default:
      // Too large, no space, refused: not appended.
      return WithReason(absl::UnavailableError(
                            absl::StrCat("log entry ", index, " was not appended: ", s.message())),
                        ReasonOf(s).empty() ? "LOG_UNAVAILABLE" : ReasonOf(s));
  }
}

}  // namespace collectonce::replication
