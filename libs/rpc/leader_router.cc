#include "libs/rpc/leader_router.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace collectonce::rpc {

absl::StatusOr<std::vector<std::string>> ParseAddressList(absl::string_view list) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(list, ',')) {
    part = absl::StripAsciiWhitespace(part);
    const size_t colon = part.rfind(':');
    int port = 0;
    if (part.empty() || colon == absl::string_view::npos || colon == 0 ||
        !absl::SimpleAtoi(part.substr(colon + 1), &port) || port <= 0 || port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", part, "\" is not HOST:PORT (addresses are separated by commas)"));
    }
    if (std::find(out.begin(), out.end(), part) == out.end()) out.emplace_back(part);
  }
  return out;
}

LeaderRouter::LeaderRouter(std::vector<std::string> addresses) : addresses_(std::move(addresses)) {}

int LeaderRouter::IndexOf(absl::string_view address) const {
  for (int i = 0; i < size(); ++i) {
    if (addresses_[i] == address) return i;
  }
  return -1;
}

absl::Time LeaderRouter::AttemptDeadline(absl::Time now, absl::Time call_deadline) const {
  if (size() == 1 || call_deadline <= now) return call_deadline;
  const absl::Duration share = std::max((call_deadline - now) / 2, absl::Seconds(1));
  return std::min(call_deadline, now + share);
}

std::optional<LeaderRouter::Retry> LeaderRouter::OnFailure(int tried, const RpcError& error,
                                                           bool repeatable, int attempt) {
  if (attempt >= max_attempts()) return std::nullopt;
  const int next = (tried + 1) % size();
  // A pause that grows with the attempts, for when no replica knows a leader yet.
  const absl::Duration backoff =
      std::min(absl::Milliseconds(50) * (1 << std::min(attempt - 1, 4)), absl::Milliseconds(800));
  std::optional<Retry> retry;
  if (error.reason == kNotLeaderReason) {
    auto hint = error.metadata.find(kLeaderAddressKey);
    const int leader = hint == error.metadata.end() ? -1 : IndexOf(hint->second);
    if (leader >= 0 && leader != tried) {
      retry = Retry{leader, absl::ZeroDuration()};
    } else {
      // No leader known, or one outside the list, or the replica that just refused.
      retry = Retry{size() > 1 ? next : tried, backoff};
    }
  } else if ((error.status.code() == absl::StatusCode::kUnavailable ||
              error.status.code() == absl::StatusCode::kDeadlineExceeded) &&
             repeatable) {
    // Several replicas: the next one at once; one replica: the channel retried already.
    if (size() > 1) retry = Retry{next, attempt > size() ? backoff : absl::ZeroDuration()};
  } else if (error.reason == "COMMIT_OUTCOME_UNKNOWN" && repeatable) {
    retry = Retry{tried, backoff};  // the replica names the new leader when asked again
  }
  if (retry) current_ = retry->replica;
  return retry;
}

}  // namespace collectonce::rpc
