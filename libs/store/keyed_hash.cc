#include "libs/store/keyed_hash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/base/secret_file.h"
#include "libs/crypto/openssl_ptr.h"
#include "libs/crypto/sha256.h"
#include "openssl/crypto.h"
#include "openssl/evp.h"
#include "openssl/rand.h"

namespace collectonce::store {

absl::StatusOr<KeyedHash> KeyedHash::LoadOrCreate(const std::string& path, bool create_if_missing) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT || !create_if_missing) {
      return absl::FailedPreconditionError(
          absl::StrCat("index key file ", path, ": ", std::strerror(errno)));
    }
    unsigned char key[32];
    if (RAND_bytes(key, sizeof key) != 1) return absl::InternalError("no random bytes for a key");
    std::string hex =
        absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(key), sizeof key));
    hex.push_back('\n');
    // All or nothing, 0600 from the start, and durable before the store can index a
    // person with it.
    if (absl::Status s = WriteSecretFileAtomically(path, hex); !s.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot write index key file ", path, ": ", s.message()));
    }
    return KeyedHash(std::string(reinterpret_cast<const char*>(key), sizeof key));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("index key file ", path, " is readable by group or others; chmod 600 it"));
  }
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text(absl::StripAsciiWhitespace(ss.str()));
  if (text.size() != 64 || !std::all_of(text.begin(), text.end(), ::isxdigit)) {
    return absl::FailedPreconditionError(
        absl::StrCat("index key file ", path, " must hold 64 hex characters"));
  }
  return KeyedHash(absl::HexStringToBytes(text));
}

struct KeyedHash::Keyed {
  crypto::EvpMdCtxPtr inner;  // SHA-256 after (key ^ ipad)
  crypto::EvpMdCtxPtr outer;  // SHA-256 after (key ^ opad)
};

namespace {
constexpr size_t kBlock = 64;  // SHA-256's block size
constexpr size_t kDigest = 32;

// One scratch context per thread, reused for every hash.
EVP_MD_CTX* Scratch() {
  thread_local crypto::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  return ctx.get();
}
}  // namespace

// HMAC as RFC 2104 defines it, with the two padded-key blocks absorbed once here.
KeyedHash::KeyedHash(std::string key) {
  auto k = std::make_shared<Keyed>();
  unsigned char block[kBlock] = {0};
  if (key.size() > kBlock) {
    const crypto::Sha256Digest d = crypto::Sha256Of({key});
    std::memcpy(block, d.data(), d.size());
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  unsigned char pad[kBlock];
  for (auto [ctx, byte] : {std::pair{&k->inner, 0x36}, std::pair{&k->outer, 0x5c}}) {
    for (size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ byte;
    ctx->reset(EVP_MD_CTX_new());
    EVP_DigestInit_ex(ctx->get(), crypto::Sha256Md(), nullptr);
    EVP_DigestUpdate(ctx->get(), pad, kBlock);
  }
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
  keyed_ = std::move(k);
}

std::string KeyedHash::Hash(absl::string_view text) const { return Hash({text}); }

std::string KeyedHash::Hash(std::initializer_list<absl::string_view> parts) const {
  EVP_MD_CTX* ctx = Scratch();
  unsigned char inner[kDigest];
  unsigned char out[kDigest];
  unsigned int n = 0;
  EVP_MD_CTX_copy_ex(ctx, keyed_->inner.get());
  for (absl::string_view text : parts) EVP_DigestUpdate(ctx, text.data(), text.size());
  EVP_DigestFinal_ex(ctx, inner, &n);
  EVP_MD_CTX_copy_ex(ctx, keyed_->outer.get());
  EVP_DigestUpdate(ctx, inner, sizeof inner);
  EVP_DigestFinal_ex(ctx, out, &n);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

}  // namespace collectonce::store
