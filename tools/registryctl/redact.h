// Diagnostics never show a whole resident ID number, whatever produced the text.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_REDACT_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_REDACT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace collectonce::registryctl {

// Replaces every run of exactly 17 digits followed by a digit or X (what a resident ID
// number looks like) by its masked form ("3504**********123X").
std::string RedactIdNumbers(absl::string_view text);

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_REDACT_H_
