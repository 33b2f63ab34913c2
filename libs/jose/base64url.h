// Base64url without padding (RFC 4648 section 5, as JOSE uses it: RFC 7515 section 2).
#ifndef COLLECTONCE_LIBS_JOSE_BASE64URL_H_
#define COLLECTONCE_LIBS_JOSE_BASE64URL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace collectonce::jose {

// The unpadded base64url text of `data`.
std::string Base64UrlEncode(absl::string_view data);

// Decodes unpadded base64url strictly: INVALID_ARGUMENT for padding, whitespace, a character
// outside the alphabet, an impossible length, or unused trailing bits that are not zero (so
// each byte string has exactly one accepted text).
absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text);

}  // namespace collectonce::jose

#endif  // COLLECTONCE_LIBS_JOSE_BASE64URL_H_
