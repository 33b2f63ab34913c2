#include "libs/replication/layout.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace collectonce::replication {

constexpr int kIndexDigits = 20;  // the digits of 2^64 - 1

std::string Layout::LogKey(uint64_t index) const {
  return absl::StrCat(LogPrefix(), absl::StrFormat("%020u", index));
}

etcd::KeyRange Layout::LogKeys() const { return etcd::KeyRange::Prefix(LogPrefix()); }

etcd::KeyRange Layout::LogKeysFrom(uint64_t from) const {
  return etcd::KeyRange::Between(LogKey(from), etcd::PrefixEnd(LogPrefix()));
}

std::optional<uint64_t> Layout::LogIndexOf(absl::string_view key) const {
  const std::string prefix = LogPrefix();
  if (!absl::StartsWith(key, prefix)) return std::nullopt;
  key.remove_prefix(prefix.size());
  uint64_t index = 0;
  if (key.size() != kIndexDigits || !absl::SimpleAtoi(key, &index)) return std::nullopt;
  for (char c : key) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return index;
}

std::string Layout::ReplicaKey(absl::string_view replica_id) const {
  return absl::StrCat(prefix_, "/replicas/", replica_id);
}

etcd::KeyRange Layout::ReplicaKeys() const {
  return etcd::KeyRange::Prefix(prefix_ + "/replicas/");
}

}  // namespace collectonce::replication
