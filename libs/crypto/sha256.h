// SHA-256 and HMAC-SHA256 on OpenSSL 3, the one implementation the audit log, the store,
// page tokens and JOSE share. Every function is safe to call from any number of threads.
#ifndef COLLECTONCE_LIBS_CRYPTO_SHA256_H_
#define COLLECTONCE_LIBS_CRYPTO_SHA256_H_

#include <openssl/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"

namespace collectonce::crypto {

inline constexpr size_t kSha256Size = 32;
using Sha256Digest = std::array<uint8_t, kSha256Size>;

// SHA-256's implementation, fetched once (OpenSSL 3 otherwise fetches it, under a lock, on
// every digest initialisation). Shared by every thread; never freed.
const EVP_MD* Sha256Md();

// The digest of the concatenation of `parts`. OpenSSL fails here only when it cannot
// allocate, after which nothing sensible can be returned: that aborts with a message.
Sha256Digest Sha256Of(std::initializer_list<absl::string_view> parts);

// The 32-byte digest of `data`, as bytes in a string.
std::string Sha256(absl::string_view data);

// The 32-byte HMAC-SHA256 (RFC 2104) of `data` under `key`, as bytes in a string.
std::string HmacSha256(absl::string_view key, absl::string_view data);

}  // namespace collectonce::crypto

#endif  // COLLECTONCE_LIBS_CRYPTO_SHA256_H_
