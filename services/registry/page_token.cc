#include "services/registry/page_token.h"

#include <algorithm>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/base/error_reason.h"
#include "libs/crypto/sha256.h"
#include "openssl/crypto.h"
#include "openssl/rand.h"
#include "services/registry/limits.h"

namespace collectonce::registry {
namespace {

constexpr size_t kMacBytes = 16;

absl::Status NotIssued() {
  return WithReason(absl::InvalidArgumentError("the page token is not one this service issued"),
                    "INVALID_PAGE_TOKEN");
}

absl::Status OtherQuery(absl::string_view what) {
  return WithReason(
      absl::InvalidArgumentError(absl::StrCat("the page token belongs to a different ", what)),
      "INVALID_PAGE_TOKEN");
}

// Decimal digits only: SimpleAtoi alone would also take signs and surrounding spaces.
bool AllDigits(absl::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

PageTokens::PageTokens(std::string key) : key_(std::move(key)) {}

PageTokens PageTokens::WithRandomKey() {
  std::string key(32, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size()));
  return PageTokens(std::move(key));
}

std::string PageTokens::Mac(PageList list, absl::string_view payload) const {
  const std::string input = absl::StrCat(std::string(1, static_cast<char>(list)), payload);
  return crypto::HmacSha256(key_, input).substr(0, kMacBytes);
}

std::string PageTokens::Seal(PageList list, absl::string_view payload) const {
  return absl::WebSafeBase64Escape(absl::StrCat(payload, Mac(list, payload)));
}

absl::StatusOr<std::string> PageTokens::Open(PageList list, absl::string_view token) const {
  std::string raw;
  if (token.empty() || token.size() > kMaxPageTokenLength ||
      !absl::WebSafeBase64Unescape(token, &raw) || raw.size() <= kMacBytes) {
    return NotIssued();
  }
  const std::string payload = raw.substr(0, raw.size() - kMacBytes);
  const std::string mac = Mac(list, payload);
  if (CRYPTO_memcmp(mac.data(), raw.data() + payload.size(), kMacBytes) != 0) return NotIssued();
  return payload;
}

std::string PageTokens::FilterDigest(absl::string_view filter_key) const {
  // Under the same key, in a list of its own: a digest never doubles as a MAC.
  return absl::BytesToHexString(
      Mac(PageList::kRecordRevisions, absl::StrCat("filter|", filter_key)).substr(0, 8));
}

std::string PageTokens::EncodeHistory(int64_t before_revision, absl::string_view filter_key) const {
  return Seal(PageList::kRecordRevisions,
              absl::StrCat("v2|", before_revision, "|", FilterDigest(filter_key)));
}

absl::StatusOr<int64_t> PageTokens::DecodeHistory(absl::string_view token,
                                                  absl::string_view filter_key) const {
  auto payload = Open(PageList::kRecordRevisions, token);
  if (!payload.ok()) return payload.status();
  std::vector<absl::string_view> parts = absl::StrSplit(*payload, '|');
  int64_t before = 0;
  if (parts.size() != 3 || parts[0] != "v2" || !AllDigits(parts[1]) ||
      !absl::SimpleAtoi(parts[1], &before) || before < 1) {
    return NotIssued();
  }
  if (parts[2] != FilterDigest(filter_key)) return OtherQuery("query");
  return before;
}

std::string PageTokens::EncodeAuditIndex(uint64_t before_index) const {
  return Seal(PageList::kChanges, absl::StrCat(before_index));
}

absl::StatusOr<uint64_t> PageTokens::DecodeAuditIndex(absl::string_view token) const {
  auto payload = Open(PageList::kChanges, token);
  if (!payload.ok()) return payload.status();
  uint64_t before = 0;
  if (!AllDigits(*payload) || !absl::SimpleAtoi(*payload, &before) || before == 0) {
    return NotIssued();
  }
  return before;
}

std::string PageTokens::EncodeList(const ListPosition& position,
                                   absl::string_view filter_key) const {
  return Seal(PageList::kRecords, absl::StrCat("l2|", position.read_time_us, "|",
                                               FilterDigest(filter_key), "|", position.after_id));
}

absl::StatusOr<ListPosition> PageTokens::DecodeList(absl::string_view token,
                                                    absl::string_view filter_key) const {
  auto payload = Open(PageList::kRecords, token);
  if (!payload.ok()) return payload.status();
  std::vector<absl::string_view> parts = absl::StrSplit(*payload, absl::MaxSplits('|', 3));
  ListPosition p;
  if (parts.size() != 4 || parts[0] != "l2" || !AllDigits(parts[1]) ||
      !absl::SimpleAtoi(parts[1], &p.read_time_us) || parts[3].empty()) {
    return NotIssued();
  }
  if (parts[2] != FilterDigest(filter_key)) return OtherQuery("listing");
  p.after_id = std::string(parts[3]);
  return p;
}

std::string PageTokens::EncodeKey(PageList list, absl::string_view key) const {
  return Seal(list, key);
}

absl::StatusOr<std::string> PageTokens::DecodeKey(PageList list, absl::string_view token) const {
  auto payload = Open(list, token);
  if (!payload.ok()) return payload.status();
  if (payload->empty()) return NotIssued();
  return payload;
}

absl::StatusOr<int> PageSize(int32_t requested, int default_size, catalog::Violations* violations) {
  if (requested < 0) {
    violations->push_back({"page_size", "RANGE", "0 (the default) or more"});
    return WithReason(absl::InvalidArgumentError("page_size is negative"), "INVALID_VALUES");
  }
  return requested == 0 ? default_size : std::min(requested, kMaxPageSize);
}

absl::Status TokenRefused(const absl::Status& decoded, catalog::Violations* violations) {
  violations->push_back({"page_token", "TOKEN", std::string(decoded.message())});
  return decoded;
}

}  // namespace collectonce::registry
