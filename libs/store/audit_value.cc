#include "libs/store/audit_value.h"

#include <algorithm>

namespace collectonce::store {

namespace {
constexpr char kWithLeafHash = '\0';
constexpr size_t kHashSize = sizeof(audit::Hash);
}  // namespace

std::string EncodeAuditValue(const audit::Hash& leaf_hash, absl::string_view entry) {
  std::string out;
  out.reserve(1 + kHashSize + entry.size());
  out.push_back(kWithLeafHash);
  out.append(reinterpret_cast<const char*>(leaf_hash.data()), kHashSize);
  out.append(entry.data(), entry.size());
  return out;
}

AuditValue DecodeAuditValue(absl::string_view value) {
  if (value.size() >= 1 + kHashSize && value[0] == kWithLeafHash) {
    return {value.substr(1 + kHashSize), value.substr(1, kHashSize)};
  }
  return {value, {}};
}

audit::Hash LeafHashOf(const AuditValue& value) {
  if (value.leaf_hash.size() != kHashSize) return audit::LeafHash(value.entry);
  audit::Hash h;
  std::copy(value.leaf_hash.begin(), value.leaf_hash.end(), h.begin());
  return h;
}

}  // namespace collectonce::store
