// pii_log_scan DIR: fails (exit 1) when any file under DIR holds an unmasked resident ID
// number or mobile number, naming each place as path:line with the identifier masked.
// Registered with ctest to run after the end-to-end tests over their daemon logs and CLI
// error output.
#include <cstdio>
#include <filesystem>
#include <string>

#include "tests/pii/pii_scan.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: pii_log_scan DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  size_t files = 0;
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) {
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      files += it->is_regular_file(ec) ? 1 : 0;
    }
  }
  const auto findings = collectonce::pii::ScanDirectory(dir);
  for (const auto& f : findings) std::printf("%s\n", f.c_str());
  std::printf("scanned %zu files under %s: %zu unmasked identifiers\n", files, dir.c_str(),
              findings.size());
  return findings.empty() ? 0 : 1;
}
