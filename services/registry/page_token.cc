#include "services/registry/page_token.h"

#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/base/error_reason.h"

namespace collectonce::registry {
namespace {

absl::Status NotIssued() {
  return WithReason(absl::InvalidArgumentError("the page token is not one this service issued"),
                    "INVALID_PAGE_TOKEN");
}

std::string FilterHash(absl::string_view filter_key) {
  return absl::StrCat(absl::Hex(std::hash<std::string>{}(std::string(filter_key))));
}

// Base64 (web-safe) of at most kMaxPageTokenLength characters.
absl::StatusOr<std::string> Unwrap(absl::string_view token) {
  std::string raw;
  if (token.empty() || token.size() > kMaxPageTokenLength ||
      !absl::WebSafeBase64Unescape(token, &raw)) {
    return NotIssued();
  }
  return raw;
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

std::string EncodeHistoryToken(int64_t before_revision, absl::string_view filter_key) {
  return absl::WebSafeBase64Escape(
      absl::StrCat("v1|", before_revision, "|", FilterHash(filter_key)));
}

absl::StatusOr<int64_t> DecodeHistoryToken(absl::string_view token, absl::string_view filter_key) {
  auto raw = Unwrap(token);
  if (!raw.ok()) return raw.status();
  std::vector<absl::string_view> parts = absl::StrSplit(*raw, '|');
  int64_t before = 0;
  if (parts.size() != 3 || parts[0] != "v1" || !AllDigits(parts[1]) ||
      !absl::SimpleAtoi(parts[1], &before) || before < 1) {
    return NotIssued();
  }
  if (parts[2] != FilterHash(filter_key)) {
    return WithReason(absl::InvalidArgumentError("the page token belongs to a different query"),
                      "INVALID_PAGE_TOKEN");
  }
  return before;
}

std::string EncodeListToken(const ListPosition& position, absl::string_view filter_key) {
  return absl::WebSafeBase64Escape(absl::StrCat("l1|", position.read_time_us, "|",
                                                FilterHash(filter_key), "|", position.after_id));
}

absl::StatusOr<ListPosition> DecodeListToken(absl::string_view token,
                                             absl::string_view filter_key) {
  auto raw = Unwrap(token);
  if (!raw.ok()) return raw.status();
  std::vector<absl::string_view> parts = absl::StrSplit(*raw, absl::MaxSplits('|', 3));
  ListPosition p;
  if (parts.size() != 4 || parts[0] != "l1" || !AllDigits(parts[1]) ||
      !absl::SimpleAtoi(parts[1], &p.read_time_us) || parts[3].empty()) {
    return NotIssued();
  }
  if (parts[2] != FilterHash(filter_key)) {
    return WithReason(absl::InvalidArgumentError("the page token belongs to a different listing"),
                      "INVALID_PAGE_TOKEN");
  }
  p.after_id = std::string(parts[3]);
  return p;
}

std::string EncodeAuditIndexToken(uint64_t before_index) {
  return absl::WebSafeBase64Escape(absl::StrCat(before_index));
}

absl::StatusOr<uint64_t> DecodeAuditIndexToken(absl::string_view token) {
  auto raw = Unwrap(token);
  if (!raw.ok()) return raw.status();
  uint64_t before = 0;
  if (!AllDigits(*raw) || !absl::SimpleAtoi(*raw, &before) || before == 0) return NotIssued();
  return before;
}

std::string EncodeKeyToken(absl::string_view key) { return absl::WebSafeBase64Escape(key); }

absl::StatusOr<std::string> DecodeKeyToken(absl::string_view token) {
  auto raw = Unwrap(token);
  if (!raw.ok()) return raw.status();
  if (raw->empty()) return NotIssued();
  return raw;
}

}  // namespace collectonce::registry
