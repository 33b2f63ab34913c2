#include "libs/store/keyed_hash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "openssl/hmac.h"
#include "openssl/rand.h"

namespace collectonce::store {

absl::StatusOr<KeyedHash> KeyedHash::LoadOrCreate(const std::string& path,
                                                  bool create_if_missing) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT || !create_if_missing) {
      return absl::FailedPreconditionError(
          absl::StrCat("index key file ", path, ": ", std::strerror(errno)));
    }
    unsigned char key[32];
    if (RAND_bytes(key, sizeof key) != 1) return absl::InternalError("no random bytes for a key");
    std::string hex = absl::BytesToHexString(
        absl::string_view(reinterpret_cast<const char*>(key), sizeof key));
    std::string tmp = path + ".tmp";
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot create index key file ", tmp, ": ", std::strerror(errno)));
    }
    hex.push_back('\n');
    bool ok = write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) &&
              fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot write index key file ", path, ": ", std::strerror(errno)));
    }
    return KeyedHash(std::string(reinterpret_cast<const char*>(key), sizeof key));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "index key file ", path, " is readable by group or others; chmod 600 it"));
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

std::string KeyedHash::Hash(absl::string_view text) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace collectonce::store
