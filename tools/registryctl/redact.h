// Diagnostics never show a whole resident ID number or mobile number, whatever produced the
// text (a header row that is really data, a server message, a file name).
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_REDACT_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_REDACT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace collectonce::registryctl {

// Replaces every run of exactly 17 digits followed by a digit or X (what a resident ID
// number looks like) by its masked form ("3504**********123X"), and every run of exactly 11
// digits starting 13-19 (a mainland mobile number) by "139****3312".
std::string RedactPersonalNumbers(absl::string_view text);

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_REDACT_H_
