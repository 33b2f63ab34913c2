// Writing a file that holds a secret (a key): all or nothing, and never readable by anyone
// but its owner, even for a moment.
#ifndef COLLECTONCE_LIBS_BASE_SECRET_FILE_H_
#define COLLECTONCE_LIBS_BASE_SECRET_FILE_H_

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace collectonce {

inline absl::Status ErrnoError(int err, const char* what, const std::string& path) {
  return absl::ErrnoToStatus(err, absl::StrCat(what, " ", path));
}

inline absl::Status WriteAll(int fd, absl::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, "cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

// Writes `contents` to `path` through a uniquely named temporary file of mode 0600, synced,
// renamed into place, and the directory synced: after a crash the file is either absent or
// complete, and the rename is durable.
inline absl::Status WriteSecretFileAtomically(const std::string& path, absl::string_view contents) {
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmp.data());  // O_EXCL, mode 0600
  if (fd < 0) return ErrnoError(errno, "cannot create a temporary file for", path);
  absl::Status s;
  if (::fchmod(fd, 0600) != 0) s = ErrnoError(errno, "cannot chmod", tmp);
  if (s.ok()) s = WriteAll(fd, contents, tmp);
  if (s.ok() && ::fsync(fd) != 0) s = ErrnoError(errno, "cannot fsync", tmp);
  if (::close(fd) != 0 && s.ok()) s = ErrnoError(errno, "cannot close", tmp);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    s = ErrnoError(errno, "cannot rename the temporary file to", path);
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return ErrnoError(errno, "cannot open directory", dir);
  if (::fsync(dfd) != 0) s = ErrnoError(errno, "cannot fsync directory", dir);
  ::close(dfd);
  return s;
}

}  // namespace collectonce

#endif  // COLLECTONCE_LIBS_BASE_SECRET_FILE_H_
