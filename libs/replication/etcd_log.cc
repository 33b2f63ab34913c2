#include "libs/replication/etcd_log.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "collectonce/replication/v1/replication.pb.h"
#include "libs/base/error_reason.h"

namespace collectonce::replication {
namespace {

namespace rv1 = ::collectonce::replication::v1;
using etcd::Compare;
using etcd::Op;

// Deleted per request when trimming, so that one trim is never one huge raft entry.
constexpr uint64_t kTrimChunk = 1000;

absl::Status Fenced(std::string message) {
  return WithReason(absl::AbortedError(std::move(message)), "LOG_FENCED");
}

}  // namespace

absl::Status EtcdLog::Append(int64_t epoch, uint64_t index, absl::string_view bytes,
                             bool require_previous, absl::Time deadline) {
  rv1::LogRecord record;
  record.set_index(index);
  record.set_epoch(epoch);
  record.set_replica_id(replica_id_);
  record.set_entry(std::string(bytes));
  const std::string key = layout_.LogKey(index);
  etcd::TxnRequest txn;
  txn.compare.push_back(
      Compare::CreateRevision(layout_.LeaderKey(), Compare::Result::kEqual, epoch));
  txn.compare.push_back(Compare::Absent(key));
  txn.failure = {Op::Head(layout_.LeaderKey()), Op::Get(key)};
  if (require_previous) {
    txn.compare.push_back(Compare::Present(layout_.LogKey(index - 1)));
    txn.failure.push_back(Op::Head(layout_.LogKey(index - 1)));
  }
  txn.success = {Op::Put(key, record.SerializeAsString())};

  bool maybe_sent = false;  // an attempt whose outcome we never learnt
  absl::Duration pause = absl::Milliseconds(20);
  absl::Status last;
  for (;;) {
    auto result = client_->Txn(txn, deadline);
    if (result.ok()) return Interpret(*result, epoch, index, bytes);
    last = result.status();
    switch (last.code()) {
      case absl::StatusCode::kUnknown:
        maybe_sent = true;
        break;
      case absl::StatusCode::kUnavailable:
      case absl::StatusCode::kDeadlineExceeded:
        break;  // not applied: the same Txn again is safe
      case absl::StatusCode::kInvalidArgument:
        return last;
      default:
        // Not applied (etcd answered), but not worth repeating either (no space, ...).
        if (!maybe_sent) {
          return WithReason(absl::UnavailableError(
                                absl::StrCat("the log entry was not appended: ", last.message())),
                            ReasonOf(last));
        }
        break;
    }
    if (absl::Now() + pause >= deadline) break;
    absl::SleepFor(pause);
    pause = std::min(pause * 2, absl::Milliseconds(200));
  }
  if (maybe_sent) {
    return WithReason(
        absl::UnknownError(absl::StrCat("log entry ", index,
                                        " was sent and etcd could not be asked whether it "
                                        "landed before the deadline: ",
                                        last.message())),
        "LOG_OUTCOME_UNKNOWN");
  }
  return WithReason(absl::UnavailableError(
                        absl::StrCat("log entry ", index, " was not appended: ", last.message())),
                    "LOG_UNAVAILABLE");
}

absl::Status EtcdLog::Interpret(const etcd::TxnResult& result, int64_t epoch, uint64_t index,
                                absl::string_view bytes) const {
  if (result.succeeded) return absl::OkStatus();
  auto first = [&](size_t i) -> const etcd::KeyValue* {
    if (i >= result.results.size() || result.results[i].kvs.empty()) return nullptr;
    return &result.results[i].kvs.front();
  };
  // Ours already (an earlier attempt landed) counts first: it was appended while the epoch
  // held, whatever happened after.
  if (const etcd::KeyValue* there = first(1)) {
    rv1::LogRecord found;
    if (found.ParseFromString(there->value) && found.epoch() == epoch &&
        found.replica_id() == replica_id_ && found.entry() == bytes) {
      return absl::OkStatus();
    }
  }
  const etcd::KeyValue* leader = first(0);
  if (leader == nullptr || leader->create_revision != epoch) {
    return Fenced(absl::StrCat("epoch ", epoch, " no longer leads (the leader key's epoch is ",
                               leader == nullptr ? 0 : leader->create_revision, ")"));
  }
  if (first(1) != nullptr) {
    return Fenced(absl::StrCat("log entry ", index, " was appended by another leader"));
  }
  if (result.results.size() > 2 && first(2) == nullptr) {
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat("log entry ", index - 1, " is not there; entry ",
                                                   index, " must follow it")),
        "LOG_PREVIOUS_MISSING");
  }
  return absl::InternalError("the log append failed for no reason it can tell");
}

absl::StatusOr<LogEntry> EtcdLog::Decode(const etcd::KeyValue& kv) const {
  auto index = layout_.LogIndexOf(kv.key);
  rv1::LogRecord record;
  if (!index || !record.ParseFromString(kv.value) || record.index() != *index) {
    return WithReason(absl::DataLossError(
                          absl::StrCat("etcd key ", kv.key, " is not a log entry of this layout")),
                      "LOG_CORRUPT");
  }
  LogEntry e;
  e.index = *index;
  e.epoch = record.epoch();
  e.replica_id = record.replica_id();
  e.bytes = std::move(*record.mutable_entry());
  e.revision = kv.mod_revision;
  return e;
}

absl::StatusOr<std::vector<LogEntry>> EtcdLog::Read(uint64_t from, int limit, int64_t* revision,
                                                    absl::Time deadline) {
  etcd::RangeRequest r;
  r.keys = layout_.LogKeysFrom(from);
  r.limit = limit;
  auto got = client_->Range(r, deadline);
  if (!got.ok()) return got.status();
  if (revision != nullptr) *revision = got->revision;
  std::vector<LogEntry> out;
  out.reserve(got->kvs.size());
  for (const etcd::KeyValue& kv : got->kvs) {
    auto e = Decode(kv);
    if (!e.ok()) return e.status();
    const uint64_t want = out.empty() ? from : out.back().index + 1;
    if (e->index != want) {
      if (out.empty()) {
        return WithReason(
            absl::OutOfRangeError(absl::StrCat("log entries before ", e->index,
                                               " were trimmed; entry ", from, " is gone")),
            "LOG_TRIMMED");
      }
      return WithReason(
          absl::DataLossError(absl::StrCat("the log has a gap after entry ", out.back().index)),
          "LOG_GAP");
    }
    out.push_back(*std::move(e));
  }
  return out;
}

absl::StatusOr<std::pair<uint64_t, uint64_t>> EtcdLog::Bounds(absl::Time deadline) {
  etcd::RangeRequest r;
  r.keys = layout_.LogKeys();
  r.limit = 1;
  r.keys_only = true;
  auto lowest = client_->Range(r, deadline);
  if (!lowest.ok()) return lowest.status();
  if (lowest->kvs.empty()) return std::pair<uint64_t, uint64_t>{0, 0};
  r.descending = true;
  auto highest = client_->Range(r, deadline);
  if (!highest.ok()) return highest.status();
  auto first = layout_.LogIndexOf(lowest->kvs.front().key);
  auto last = highest->kvs.empty() ? std::nullopt : layout_.LogIndexOf(highest->kvs.front().key);
  if (!first || !last) {
    return WithReason(absl::DataLossError("the log prefix holds a key that is not an entry"),
                      "LOG_CORRUPT");
  }
  return std::pair<uint64_t, uint64_t>{*first, *last};
}

absl::StatusOr<int64_t> EtcdLog::Trim(uint64_t below, absl::Time deadline) {
  auto bounds = Bounds(deadline);
  if (!bounds.ok()) return bounds.status();
  auto [first, last] = *bounds;
  if (last == 0) return 0;
  below = std::min(below, last);  // the last entry stays
  int64_t deleted = 0;
  for (uint64_t from = first; from < below;) {
    const uint64_t to = std::min(below, from + kTrimChunk);
    auto n = client_->DeleteRange(etcd::KeyRange::Between(layout_.LogKey(from), layout_.LogKey(to)),
                                  deadline);
    if (!n.ok()) return n.status();
    deleted += *n;
    from = to;
  }
  return deleted;
}

}  // namespace collectonce::replication
