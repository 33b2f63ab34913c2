#include "libs/store/state_mac.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/error_reason.h"
#include "openssl/crypto.h"

namespace collectonce::store {
namespace {
constexpr char kMarker = '\0';
constexpr char kScheme = '\x01';
}  // namespace

StateMac StateMac::FromIndexKey(const KeyedHash& index_hash) {
  return StateMac(KeyedHash::FromKey(index_hash.Hash("collect-once stored value MAC key v1")));
}

std::string StateMac::Mac(SealedKind kind, absl::string_view context,
                          absl::string_view value) const {
  const char k = static_cast<char>(kind);
  char len[4];
  const auto n = static_cast<uint32_t>(context.size());
  len[0] = static_cast<char>(n >> 24);
  len[1] = static_cast<char>(n >> 16);
  len[2] = static_cast<char>(n >> 8);
  len[3] = static_cast<char>(n);
  std::string mac =
      key_.Hash({absl::string_view(&k, 1), absl::string_view(len, 4), context, value});
  mac.resize(kMacBytes);
  return mac;
}

std::string StateMac::Seal(SealedKind kind, absl::string_view context,
                           absl::string_view value) const {
  std::string out;
  out.reserve(kOverhead + value.size());
  out.push_back(kMarker);
  out.push_back(kScheme);
  out += Mac(kind, context, value);
  out.append(value.data(), value.size());
  return out;
}

bool StateMac::IsSealed(absl::string_view stored) {
  return stored.size() >= kOverhead && stored[0] == kMarker && stored[1] == kScheme;
}

bool StateMac::Open(SealedKind kind, absl::string_view context, absl::string_view stored,
                    absl::string_view* value) const {
  if (!IsSealed(stored)) return false;
  const absl::string_view inner = stored.substr(kOverhead);
  const std::string mac = Mac(kind, context, inner);
  if (CRYPTO_memcmp(mac.data(), stored.data() + 2, kMacBytes) != 0) return false;
  *value = inner;
  return true;
}

absl::Status StoredDataAltered(absl::string_view what, absl::string_view subject,
                               int64_t revision) {
  return WithReason(
      absl::DataLossError(absl::StrCat(
          "the stored ", what, " of ", subject, " at revision ", revision,
          " does not match its seal: it was changed outside the registry, and is not served "
          "(restore the store from a verified backup; docs/audit.md)")),
      "STORED_DATA_ALTERED");
}

}  // namespace collectonce::store
