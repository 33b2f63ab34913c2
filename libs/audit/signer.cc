#include "libs/audit/signer.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/secret_file.h"
#include "libs/base/status_macros.h"

namespace collectonce::audit {
namespace {

constexpr size_t kPublicKeySize = 32;
constexpr size_t kSignatureSize = 64;
// A PKCS#8 Ed25519 PEM is about 120 bytes; anything huge is not a key file.
constexpr size_t kMaxKeyFileSize = 64 * 1024;

using crypto::BioPtr;
using MdCtxPtr = crypto::EvpMdCtxPtr;
using PkeyPtr = crypto::EvpPkeyPtr;

// Drains this thread's OpenSSL error queue into a message, so that a failure here does not
// leak into an unrelated later ERR_get_error().
std::string OpenSslErrors() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

// Points at a valid byte even for an empty view, whose data() may be null.
const unsigned char* Bytes(absl::string_view s) {
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

// Refuses to prompt: an encrypted key is an error, not an interactive question.
int NoPassphrase(char*, int, int, void*) { return -1; }

absl::StatusOr<std::string> BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return absl::InternalError("empty OpenSSL memory BIO");
  return std::string(data, static_cast<size_t>(len));
}

// Holds secret bytes and wipes them on destruction.
struct SecretString {
  std::string s;
  ~SecretString() { OPENSSL_cleanse(s.data(), s.size()); }
};

}  // namespace

Signer::Signer(Signer&&) noexcept = default;
Signer& Signer::operator=(Signer&&) noexcept = default;
Signer::~Signer() = default;

absl::StatusOr<Signer> Signer::FromKey(KeyPtr key) {
  if (EVP_PKEY_is_a(key.get(), "ED25519") != 1) {
    return absl::InvalidArgumentError("private key is not an Ed25519 key");
  }
  Signer signer(std::move(key));

  size_t len = kPublicKeySize;
  signer.public_key_raw_.assign(kPublicKeySize, '\0');
  if (EVP_PKEY_get_raw_public_key(signer.key_.get(),
                                  reinterpret_cast<unsigned char*>(signer.public_key_raw_.data()),
                                  &len) != 1 ||
      len != kPublicKeySize) {
    return absl::InternalError(absl::StrCat("cannot extract public key: ", OpenSslErrors()));
  }

  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), signer.key_.get()) != 1) {
    return absl::InternalError(absl::StrCat("cannot encode public key: ", OpenSslErrors()));
  }
  ASSIGN_OR_RETURN(signer.public_key_pem_, BioContents(bio.get()));
  return signer;
}

absl::StatusOr<Signer> Signer::FromPrivateKeyPem(absl::string_view pem) {
  if (pem.size() > kMaxKeyFileSize) {
    return absl::InvalidArgumentError("private key PEM is implausibly large");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return absl::InternalError("BIO_new_mem_buf failed");
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an unencrypted PKCS#8 PEM private key: ", OpenSslErrors()));
  }
  return FromKey(std::move(key));
}

absl::StatusOr<Signer> Signer::LoadOrCreate(const std::string& pem_path, bool create_if_missing) {
  int fd = ::open(pem_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err != ENOENT) return ErrnoError(err, "cannot open signing key", pem_path);
    if (!create_if_missing) {
      return absl::NotFoundError(absl::StrCat("signing key ", pem_path, " does not exist"));
    }
    KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    if (key == nullptr) {
      return absl::InternalError(absl::StrCat("Ed25519 key generation failed: ", OpenSslErrors()));
    }
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (bio == nullptr || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0,
                                                   nullptr, nullptr) != 1) {
      return absl::InternalError(absl::StrCat("cannot encode private key: ", OpenSslErrors()));
    }
    SecretString pem;
    ASSIGN_OR_RETURN(pem.s, BioContents(bio.get()));
    RETURN_IF_ERROR(WriteSecretFileAtomically(pem_path, pem.s));
    return FromKey(std::move(key));
  }

  // Check the opened file, not the path, so that a swap between check and read is harmless.
  struct stat st;
  absl::Status s;
  if (::fstat(fd, &st) != 0) {
    s = ErrnoError(errno, "cannot stat signing key", pem_path);
  } else if (!S_ISREG(st.st_mode)) {
    s = absl::FailedPreconditionError(
        absl::StrCat("signing key ", pem_path, " is not a regular file"));
  } else if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    s = absl::FailedPreconditionError(
        absl::StrCat("signing key ", pem_path, " has mode ", mode,
                     "; it must not be accessible by group or others (chmod 600 it)"));
  } else if (static_cast<uint64_t>(st.st_size) > kMaxKeyFileSize) {
    s = absl::InvalidArgumentError(absl::StrCat("signing key ", pem_path, " is implausibly large"));
  }
  SecretString pem;
  while (s.ok()) {
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      s = ErrnoError(errno, "cannot read signing key", pem_path);
    } else if (n == 0) {
      break;
    } else if (pem.s.size() + static_cast<size_t>(n) > kMaxKeyFileSize) {
      s = absl::InvalidArgumentError(
          absl::StrCat("signing key ", pem_path, " is implausibly large"));
    } else {
      pem.s.append(buf, static_cast<size_t>(n));
    }
    OPENSSL_cleanse(buf, sizeof(buf));
  }
  ::close(fd);
  RETURN_IF_ERROR(s);
  absl::StatusOr<Signer> signer = FromPrivateKeyPem(pem.s);
  if (!signer.ok()) {
    return absl::Status(signer.status().code(),
                        absl::StrCat("signing key ", pem_path, ": ", signer.status().message()));
  }
  return signer;
}

std::string Signer::Sign(absl::string_view message) const {
  // A fresh context per call: contexts are not shareable, the key is (read-only).
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string sig(kSignatureSize, '\0');
  size_t len = sig.size();
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, Bytes(message),
                     message.size()) != 1 ||
      len != kSignatureSize) {
    std::fprintf(stderr, "collectonce::audit: Ed25519 signing failed: %s\n",
                 OpenSslErrors().c_str());
    std::abort();
  }
  return sig;
}

absl::Status VerifySignature(absl::string_view public_key_raw32, absl::string_view message,
                             absl::string_view signature) {
  if (public_key_raw32.size() != kPublicKeySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("Ed25519 public key has ", public_key_raw32.size(), " bytes, want 32"));
  }
  if (signature.size() != kSignatureSize) {
    return absl::DataLossError(
        absl::StrCat("Ed25519 signature has ", signature.size(), " bytes, want 64"));
  }
  PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(public_key_raw32),
                                          public_key_raw32.size()));
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid Ed25519 public key: ", OpenSslErrors()));
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return absl::InternalError(absl::StrCat("EVP_DigestVerifyInit: ", OpenSslErrors()));
  }
  int rc = EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(message),
                            message.size());
  if (rc != 1) {
    ERR_clear_error();  // A bad signature also leaves an entry in the error queue.
    return absl::DataLossError("Ed25519 signature does not verify");
  }
  return absl::OkStatus();
}

}  // namespace collectonce::audit
