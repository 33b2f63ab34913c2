#include "libs/store/commit_log.h"

#include "absl/strings/str_cat.h"
#include "collectonce/storage/v1/storage.pb.h"

namespace collectonce::store {

namespace {
// 1: the first. A reader refuses a newer version rather than apply bytes it may misread.
constexpr int32_t kLogEntryFormat = 1;
}  // namespace

std::string CommitEntry::Encode() const {
  storage::v1::LogEntry e;
  e.set_format_version(kLogEntryFormat);
  e.set_log_index(log_index);
  e.set_batch(batch);
  e.set_last_commit_sequence(last_commit_sequence);
  e.set_audit_size(audit_size);
  e.set_commit_time_us(commit_time_us);
  return e.SerializeAsString();
}

absl::StatusOr<CommitEntry> CommitEntry::Decode(absl::string_view bytes) {
  storage::v1::LogEntry e;
  if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("a commit log entry is unreadable");
  }
  if (e.format_version() < 1 || e.format_version() > kLogEntryFormat) {
    return absl::DataLossError(absl::StrCat("a commit log entry has format version ",
                                            e.format_version(), "; this build reads up to ",
                                            kLogEntryFormat));
  }
  if (e.log_index() == 0 || e.batch().empty()) {
    return absl::DataLossError("a commit log entry has no index or no batch");
  }
  CommitEntry out;
  out.log_index = e.log_index();
  out.batch = std::move(*e.mutable_batch());
  out.last_commit_sequence = e.last_commit_sequence();
  out.audit_size = e.audit_size();
  out.commit_time_us = e.commit_time_us();
  return out;
}

}  // namespace collectonce::store
