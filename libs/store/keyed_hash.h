// The keyed hash that indexes persons by ID number: HMAC-SHA256 under a secret key kept in
// a file, so that the index (and a copy of the database) does not reveal ID numbers and
// cannot be reversed by hashing every possible number without the key.
#ifndef COLLECTONCE_LIBS_STORE_KEYED_HASH_H_
#define COLLECTONCE_LIBS_STORE_KEYED_HASH_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

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

  // 32 bytes: HMAC-SHA256(key, text).
  std::string Hash(absl::string_view text) const;

 private:
  explicit KeyedHash(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace collectonce::store

#endif  // COLLECTONCE_LIBS_STORE_KEYED_HASH_H_
