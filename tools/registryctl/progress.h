// A progress line on stderr for long work (import, export, verify): shown only when stderr
// is a terminal, redrawn at most ten times a second, with the rate.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_PROGRESS_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace collectonce::registryctl {

class Progress {
 public:
  // `total` 0: unknown.
  Progress(std::string what, int64_t total);
  ~Progress();
  void SetTotal(int64_t total) { total_ = total; }
  // Redraws if stderr is a terminal and 100 ms have passed since the last redraw.
  void Update(int64_t done);
  // Clears the line.
  void Done();

 private:
  std::string what_;
  int64_t total_;
  bool tty_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_PROGRESS_H_
