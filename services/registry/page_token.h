// Page tokens of the registry's List methods: opaque to callers, decoded only here. Every
// decoder refuses what this service could not have issued with INVALID_ARGUMENT, reason
// INVALID_PAGE_TOKEN, and never echoes the token (it may carry a subject's name).
#ifndef COLLECTONCE_SERVICES_REGISTRY_PAGE_TOKEN_H_
#define COLLECTONCE_SERVICES_REGISTRY_PAGE_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace collectonce::registry {

// Longest token accepted; longer ones are refused before decoding.
inline constexpr size_t kMaxPageTokenLength = 512;

// ListHistory: the revision to continue before, bound to the query's filter so that a
// token of one query is refused by another.
std::string EncodeHistoryToken(int64_t before_revision, absl::string_view filter_key);
[[nodiscard]] absl::StatusOr<int64_t> DecodeHistoryToken(absl::string_view token,
                                                         absl::string_view filter_key);

// ListChanges: the audit index to continue before (> 0).
std::string EncodeAuditIndexToken(uint64_t before_index);
[[nodiscard]] absl::StatusOr<uint64_t> DecodeAuditIndexToken(absl::string_view token);

// ListRecords: the subject id to continue after and the commit time the whole listing is
// read as of, bound to the request's other fields.
struct ListPosition {
  std::string after_id;
  int64_t read_time_us = 0;
};
std::string EncodeListToken(const ListPosition& position, absl::string_view filter_key);
[[nodiscard]] absl::StatusOr<ListPosition> DecodeListToken(absl::string_view token,
                                                           absl::string_view filter_key);

// Governance lists and ListAccessEvents: the store key or object name to continue after.
std::string EncodeKeyToken(absl::string_view key);
[[nodiscard]] absl::StatusOr<std::string> DecodeKeyToken(absl::string_view token);

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_PAGE_TOKEN_H_
