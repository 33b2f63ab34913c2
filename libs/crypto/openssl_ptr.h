// Owning pointers for the OpenSSL objects the project holds: each frees its object with the
// matching OpenSSL function, so no code path leaks one on an early return.
#ifndef COLLECTONCE_LIBS_CRYPTO_OPENSSL_PTR_H_
#define COLLECTONCE_LIBS_CRYPTO_OPENSSL_PTR_H_

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace collectonce::crypto {

namespace internal {
template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
// BIO_free returns int; adapted to the void signature above.
inline void FreeBio(BIO* b) { BIO_free(b); }
}  // namespace internal

using BioPtr = std::unique_ptr<BIO, internal::Deleter<BIO, internal::FreeBio>>;
using X509Ptr = std::unique_ptr<X509, internal::Deleter<X509, X509_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, internal::Deleter<EVP_PKEY, EVP_PKEY_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, internal::Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

}  // namespace collectonce::crypto

#endif  // COLLECTONCE_LIBS_CRYPTO_OPENSSL_PTR_H_
