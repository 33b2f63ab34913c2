#include "libs/crypto/sha256.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <cstdlib>

#include "libs/crypto/openssl_ptr.h"

namespace collectonce::crypto {

namespace {
[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "collectonce::crypto: %s failed in OpenSSL\n", what);
  std::abort();
}

const unsigned char* Bytes(absl::string_view s) {
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}
}  // namespace

const EVP_MD* Sha256Md() {
  static const EVP_MD* md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}

Sha256Digest Sha256Of(std::initializer_list<absl::string_view> parts) {
  // One context per thread, reset by each EVP_DigestInit_ex.
  thread_local EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  Sha256Digest out;
  unsigned int len = 0;
  bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx.get(), Sha256Md(), nullptr) == 1;
  for (absl::string_view p : parts) ok = ok && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1 && len == out.size();
  if (!ok) Fail("SHA-256");
  return out;
}

std::string Sha256(absl::string_view data) {
  const Sha256Digest d = Sha256Of({data});
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(Sha256Md(), Bytes(key), static_cast<int>(key.size()), Bytes(data), data.size(), out,
           &len) == nullptr ||
      len != kSha256Size) {
    Fail("HMAC-SHA256");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace collectonce::crypto
