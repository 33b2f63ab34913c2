#include "libs/jose/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace collectonce::jose {

std::string Sha256(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    std::abort();  // only an allocation failure inside OpenSSL gets here
  }
  return std::string(reinterpret_cast<const char*>(digest), size);
}

}  // namespace collectonce::jose
