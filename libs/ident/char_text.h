// Internal to libs/ident: how parse errors name a character. Messages may end up in protobuf
// strings and logs, so they must stay valid UTF-8 and must never echo the whole input.
#ifndef COLLECTONCE_LIBS_IDENT_CHAR_TEXT_H_
#define COLLECTONCE_LIBS_IDENT_CHAR_TEXT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace collectonce::ident::internal {

// "'A'" for printable ASCII; "byte 0x09" otherwise, so a stray control byte cannot corrupt
// the message.
inline std::string DescribeChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return absl::StrFormat("'%c'", c);
  return absl::StrFormat("byte 0x%02X", u);
}

// Identifiers are pure ASCII. People typing on a Chinese IME often produce full-width digits
// (１２３), which would otherwise surface as a confusing length or byte error; this names
// the first offending character by its 1-based position counted in UTF-8 characters.
inline absl::Status CheckAscii(absl::string_view text) {
  int position = 0;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u & 0xC0) != 0x80) ++position;  // not a UTF-8 continuation byte
    if (u >= 0x80) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "character %d is not ASCII; use half-width digits and letters", position));
    }
  }
  return absl::OkStatus();
}

}  // namespace collectonce::ident::internal

#endif  // COLLECTONCE_LIBS_IDENT_CHAR_TEXT_H_
