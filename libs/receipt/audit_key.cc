#include "libs/receipt/audit_key.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "collectonce/registry/v1/audit_proof.pb.h"
#include "google/protobuf/util/json_util.h"
#include "libs/crypto/openssl_ptr.h"

namespace collectonce::receipt {

namespace {

constexpr char kAccepted[] =
    "expected a tree head saved with `registryctl audit head`, an Ed25519 public key in PEM, or "
    "64 hex digits";

absl::StatusOr<std::string> FromPem(absl::string_view pem) {
  crypto::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return absl::InvalidArgumentError("the PEM key cannot be read");
  crypto::EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
    return absl::InvalidArgumentError("the PEM key is not an Ed25519 public key");
  }
  std::string raw(32, '\0');
  size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(raw.data()), &len) !=
          1 ||
      len != 32) {
    return absl::InvalidArgumentError("the PEM key is not an Ed25519 public key");
  }
  return raw;
}

}  // namespace

absl::StatusOr<std::string> ParseAuditPublicKey(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (absl::StartsWith(text, "-----BEGIN PUBLIC KEY-----")) return FromPem(text);
  if (absl::StartsWith(text, "{")) {
    registry::v1::SignedTreeHead head;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    if (!google::protobuf::util::JsonStringToMessage(std::string(text), &head, options).ok()) {
      return absl::InvalidArgumentError(absl::StrCat("not a saved tree head; ", kAccepted));
    }
    if (head.public_key().size() != 32) {
      return absl::InvalidArgumentError("the saved tree head holds no 32-byte public key");
    }
    return head.public_key();
  }
  if (text.size() == 64 && std::all_of(text.begin(), text.end(), absl::ascii_isxdigit)) {
    return absl::HexStringToBytes(text);
  }
  return absl::InvalidArgumentError(kAccepted);
}

}  // namespace collectonce::receipt
