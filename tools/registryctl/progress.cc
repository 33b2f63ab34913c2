#include "tools/registryctl/progress.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_format.h"

namespace collectonce::registryctl {

Progress::Progress(std::string what, int64_t total)
    : what_(std::move(what)),
      total_(total),
      tty_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

Progress::~Progress() { Done(); }

void Progress::Update(int64_t done) {
  if (!tty_) return;
  const auto now = std::chrono::steady_clock::now();
  if (shown_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  shown_ = true;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string line =
      total_ > 0
          ? absl::StrFormat("%s: %d/%d (%.0f%%)  %.0f rows/s", what_, done, total_,
                            100.0 * static_cast<double>(done) / static_cast<double>(total_), rate)
          : absl::StrFormat("%s: %d  %.0f/s", what_, done, rate);
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
}

void Progress::Done() {
  if (tty_ && shown_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  shown_ = false;
}

}  // namespace collectonce::registryctl
