// SHA-256 for the JOSE code (OpenSSL 3).
#ifndef COLLECTONCE_LIBS_JOSE_SHA256_H_
#define COLLECTONCE_LIBS_JOSE_SHA256_H_

#include <string>

#include "absl/strings/string_view.h"

namespace collectonce::jose {

// The 32-byte SHA-256 digest of `data`. Aborts only if OpenSSL cannot allocate.
std::string Sha256(absl::string_view data);

}  // namespace collectonce::jose

#endif  // COLLECTONCE_LIBS_JOSE_SHA256_H_
