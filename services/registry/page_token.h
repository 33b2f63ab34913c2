// Page tokens and paging arguments of the registry's List methods, one code path for all.
//
// A token is opaque to callers and tamper-evident: base64url of its position and an
// HMAC-SHA256 (the first 16 bytes) under the server's key over the list it belongs to and
// that position. The MAC is checked before anything in the token is used, so a token this
// service did not issue, one edited in any byte, or one of another list is refused with
// INVALID_ARGUMENT, reason INVALID_PAGE_TOKEN, and a `page_token` violation (rule TOKEN).
// The token is never echoed (it may carry a subject's name).
#ifndef COLLECTONCE_SERVICES_REGISTRY_PAGE_TOKEN_H_
#define COLLECTONCE_SERVICES_REGISTRY_PAGE_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/catalog/violation.h"

namespace collectonce::registry {

// Longest token accepted; longer ones are refused before decoding.
inline constexpr size_t kMaxPageTokenLength = 512;

// The lists that page. A token of one is refused by every other. Do not change the values:
// they are inside the MAC of tokens in callers' hands.
enum class PageList : char {
  kRecordRevisions = 'h',
  kChanges = 'c',
  kRecords = 'r',
  kMatters = 'm',
  kBundles = 'b',
  kPrincipals = 'p',
  kAccessEvents = 'a',
  kStoredStates = 's',
  kEvidenceTypes = 'e',
  kDisputes = 'd',
  kNotifications = 'n',
};

// ListRecords: the subject id to continue after and the commit time the whole listing is
// read as of, bound to the request's other fields.
struct ListPosition {
  std::string after_id;
  int64_t read_time_us = 0;
};

// Thread-safe (immutable after construction).
class PageTokens {
 public:
  // `key`: at least 16 bytes. Tokens stay valid across restarts and replicas that share it
  // (registryd derives it from the person-index key).
  explicit PageTokens(std::string key);
  // A random key: tokens do not outlive this object (tests, and a registry set up without
  // a key).
  static PageTokens WithRandomKey();

  // ListRecordRevisions: the revision to continue before, bound to the query's filter so
  // that a token of one query is refused by another.
  std::string EncodeHistory(int64_t before_revision, absl::string_view filter_key) const;
  [[nodiscard]] absl::StatusOr<int64_t> DecodeHistory(absl::string_view token,
                                                      absl::string_view filter_key) const;

  // ListChanges: the audit index to continue before (> 0).
  std::string EncodeAuditIndex(uint64_t before_index) const;
  [[nodiscard]] absl::StatusOr<uint64_t> DecodeAuditIndex(absl::string_view token) const;

  // ListRecords.
  std::string EncodeList(const ListPosition& position, absl::string_view filter_key) const;
  [[nodiscard]] absl::StatusOr<ListPosition> DecodeList(absl::string_view token,
                                                        absl::string_view filter_key) const;

  // Governance lists and ListAccessEvents: the store key or object name to continue after.
  std::string EncodeKey(PageList list, absl::string_view key) const;
  [[nodiscard]] absl::StatusOr<std::string> DecodeKey(PageList list, absl::string_view token) const;

 private:
  std::string Mac(PageList list, absl::string_view payload) const;
  std::string Seal(PageList list, absl::string_view payload) const;
  // The payload of a token this service issued for `list`; INVALID_PAGE_TOKEN otherwise.
  absl::StatusOr<std::string> Open(PageList list, absl::string_view token) const;
  // A short, stable digest of a query's filter (inside the token, so that a token of
  // another query is told apart from a forged one).
  std::string FilterDigest(absl::string_view filter_key) const;

  std::string key_;
};

// A List call's page size: 0 gives `default_size`, more than kMaxPageSize is cut to it.
// Negative: INVALID_ARGUMENT, reason INVALID_VALUES, with a `page_size` violation (RANGE)
// added to `violations`.
[[nodiscard]] absl::StatusOr<int> PageSize(int32_t requested, int default_size,
                                           catalog::Violations* violations);

// A decoding failure as every list reports it: the status (INVALID_PAGE_TOKEN) with a
// `page_token` violation (TOKEN) added to `violations`.
absl::Status TokenRefused(const absl::Status& decoded, catalog::Violations* violations);

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_PAGE_TOKEN_H_
