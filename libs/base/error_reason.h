// A machine-readable reason carried on an absl::Status (UPPER_SNAKE, as AIP-193's ErrorInfo
// wants), so that libs can say why without knowing about gRPC; the RPC edge copies it into
// google.rpc.ErrorInfo.
#ifndef COLLECTONCE_LIBS_BASE_ERROR_REASON_H_
#define COLLECTONCE_LIBS_BASE_ERROR_REASON_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/string_view.h"

namespace collectonce {

inline constexpr char kReasonPayload[] = "type.collectonce.dev/reason";

// Returns `status` with `reason` attached (OK stays OK).
inline absl::Status WithReason(absl::Status status, absl::string_view reason) {
  if (!status.ok()) status.SetPayload(kReasonPayload, absl::Cord(reason));
  return status;
}

// The attached reason, or empty.
inline std::string ReasonOf(const absl::Status& status) {
  auto p = status.GetPayload(kReasonPayload);
  return p ? std::string(*p) : std::string();
}

// ErrorInfo metadata (AIP-193: lowerCamelCase keys), one payload per key under this prefix.
inline constexpr char kMetadataPayloadPrefix[] = "type.collectonce.dev/metadata/";

// Returns `status` with metadata `key` = `value` attached (OK stays OK).
inline absl::Status WithMetadata(absl::Status status, absl::string_view key,
                                 absl::string_view value) {
  if (!status.ok()) {
    status.SetPayload(std::string(kMetadataPayloadPrefix) + std::string(key), absl::Cord(value));
  }
  return status;
}

// The attached metadata value of `key`, or empty.
inline std::string MetadataOf(const absl::Status& status, absl::string_view key) {
  auto p = status.GetPayload(std::string(kMetadataPayloadPrefix) + std::string(key));
  return p ? std::string(*p) : std::string();
}

}  // namespace collectonce

#endif  // COLLECTONCE_LIBS_BASE_ERROR_REASON_H_
