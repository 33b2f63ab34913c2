#include "tools/registryctl/globals.h"

#include <iostream>

namespace collectonce::registryctl {

int UsageError(absl::string_view message) {
  std::cerr << "error: " << RedactPersonalNumbers(message) << "\n";
  return kExitUsage;
}

int InternalFailure(absl::string_view message) {
  std::cerr << "error: " << RedactPersonalNumbers(message) << "\n";
  return kExitInternal;
}

}  // namespace collectonce::registryctl
