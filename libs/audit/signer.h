// Ed25519 (RFC 8032, pure, no pre-hash) signing of tree heads with OpenSSL 3.
//
// The private key lives in a PKCS#8 PEM file ("-----BEGIN PRIVATE KEY-----", unencrypted)
// that only its owner may read. Clients need only the 32-byte raw public key and
// VerifySignature (or any other Ed25519 implementation).
#ifndef COLLECTONCE_LIBS_AUDIT_SIGNER_H_
#define COLLECTONCE_LIBS_AUDIT_SIGNER_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/crypto/openssl_ptr.h"

namespace collectonce::audit {

// Holds one Ed25519 private key. Movable, not copyable; a moved-from Signer must not be
// used. Sign and the accessors are const and safe to call concurrently.
class Signer {
 public:
  // Loads the key from `pem_path`. If the file does not exist: NOT_FOUND, or, when
  // create_if_missing, generates a new key and writes it atomically (temporary file in the
  // same directory with mode 0600, fsync, rename, fsync of the directory).
  // FAILED_PRECONDITION if the file is not a regular file or is accessible by group or
  // others (mode & 077); INVALID_ARGUMENT if it is not an unencrypted Ed25519 PKCS#8 PEM
  // key; other I/O failures as the matching errno-derived status.
  static absl::StatusOr<Signer> LoadOrCreate(const std::string& pem_path, bool create_if_missing);

  // Parses an unencrypted PKCS#8 PEM Ed25519 private key. INVALID_ARGUMENT otherwise
  // (including for encrypted keys: it never prompts for a passphrase).
  static absl::StatusOr<Signer> FromPrivateKeyPem(absl::string_view pem);

  Signer(Signer&&) noexcept;
  Signer& operator=(Signer&&) noexcept;
  ~Signer();

  // The 64-byte Ed25519 signature of `message`. Cannot fail for a loaded key (aborts if
  // OpenSSL cannot allocate).
  std::string Sign(absl::string_view message) const;

  // The 32-byte raw public key (RFC 8032 encoding).
  const std::string& PublicKeyRaw() const { return public_key_raw_; }
  // The public key as a SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----").
  const std::string& PublicKeyPem() const { return public_key_pem_; }

 private:
  using KeyPtr = crypto::EvpPkeyPtr;

  static absl::StatusOr<Signer> FromKey(KeyPtr key);
  explicit Signer(KeyPtr key) : key_(std::move(key)) {}

  KeyPtr key_;
  std::string public_key_raw_;
  std::string public_key_pem_;
};

// OK iff `signature` (64 bytes) is a valid Ed25519 signature of `message` under the raw
// 32-byte public key. INVALID_ARGUMENT if the public key is not 32 bytes or OpenSSL
// rejects it; DATA_LOSS if the signature has the wrong length or does not verify.
absl::Status VerifySignature(absl::string_view public_key_raw32, absl::string_view message,
                             absl::string_view signature);

}  // namespace collectonce::audit

#endif  // COLLECTONCE_LIBS_AUDIT_SIGNER_H_
