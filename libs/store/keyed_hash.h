// The keyed hash that indexes persons by ID number: HMAC-SHA256 under a secret key kept in
// a file, so that the index (and a copy of the database) does not reveal ID numbers and
// cannot be reversed by hashing every possible number without the key.
#ifndef COLLECTONCE_LIBS_STORE_KEYED_HASH_H_
#define COLLECTONCE_LIBS_STORE_KEYED_HASH_H_

#include <initializer_list>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace collectonce::store {

class KeyedHash {
 public:
  // Reads a 32-byte key stored as 64 hex characters. With create_if_missing, a new random
  // key is written (mode 0600) when the file does not exist. A key file readable by group
  // or others is refused.
  [[nodiscard]] static absl::StatusOr<KeyedHash> LoadOrCreate(const std::string& path,
                                                              bool create_if_missing);
  // For tests: a key given directly (at least 16 bytes).
  static KeyedHash FromKey(std::string key) { return KeyedHash(std::move(key)); }

  // 32 bytes: HMAC-SHA256(key, text). Safe to call from any number of threads.
  std::string Hash(absl::string_view text) const;
  // HMAC-SHA256 of the concatenation of `parts`, without building it.
  std::string Hash(std::initializer_list<absl::string_view> parts) const;

 private:
  // The SHA-256 states after the key's inner and outer pads, computed once: every lookup of
  // a person by ID number hashes, and keying HMAC afresh each time costs more than the hash.
  struct Keyed;
  explicit KeyedHash(std::string key);
  std::shared_ptr<const Keyed> keyed_;
};

}  // namespace collectonce::store

#endif  // COLLECTONCE_LIBS_STORE_KEYED_HASH_H_
