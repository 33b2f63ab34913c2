// Page tokens: whatever a caller sends, decoding either refuses it with INVALID_PAGE_TOKEN
// or yields a position that encodes back to a token decoding to the same position; a token
// accepted by one list or query is refused by any other; a token the service issued, with
// any one byte changed, is refused.
#include <cstddef>
#include <cstdint>
#include <string>

#include "libs/base/error_reason.h"
#include "services/registry/page_token.h"
#include "tests/fuzz/fuzz_check.h"

namespace registry = collectonce::registry;
using registry::PageList;

namespace {

bool Refused(const absl::Status& s) {
  return s.code() == absl::StatusCode::kInvalidArgument &&
         collectonce::ReasonOf(s) == "INVALID_PAGE_TOKEN";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const registry::PageTokens tokens(std::string(32, 'k'));
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  // The first line is the token, the rest the query's filter key.
  const size_t nl = input.find('\n');
  const absl::string_view token = input.substr(0, nl);
  const absl::string_view filter = nl == absl::string_view::npos ? "" : input.substr(nl + 1);

  auto history = tokens.DecodeHistory(token, filter);
  if (history.ok()) {
    FUZZ_CHECK(*history >= 1);
    auto again = tokens.DecodeHistory(tokens.EncodeHistory(*history, filter), filter);
    FUZZ_CHECK(again.ok() && *again == *history);
    FUZZ_CHECK(!tokens.DecodeHistory(token, std::string(filter) + "|other").ok());
  } else {
    FUZZ_CHECK(Refused(history.status()));
  }
  auto index = tokens.DecodeAuditIndex(token);
  FUZZ_CHECK(index.ok() ? *index > 0 : Refused(index.status()));
  auto list = tokens.DecodeList(token, filter);
  if (list.ok()) {
    FUZZ_CHECK(!list->after_id.empty());
    FUZZ_CHECK(!tokens.DecodeList(token, std::string(filter) + "|other").ok());
  } else {
    FUZZ_CHECK(Refused(list.status()));
  }
  auto key = tokens.DecodeKey(PageList::kMatters, token);
  if (key.ok()) {
    FUZZ_CHECK(!key->empty());
    FUZZ_CHECK(!tokens.DecodeKey(PageList::kPrincipals, token).ok());
  } else {
    FUZZ_CHECK(Refused(key.status()));
  }

  // A position the service issues comes back, and no one-byte edit of its token is taken.
  if (!filter.empty() && filter.size() <= 200) {
    const std::string issued = tokens.EncodeKey(PageList::kMatters, filter);
    if (issued.size() <= registry::kMaxPageTokenLength) {
      auto back = tokens.DecodeKey(PageList::kMatters, issued);
      FUZZ_CHECK(back.ok() && *back == filter);
      FUZZ_CHECK(!tokens.DecodeKey(PageList::kBundles, issued).ok());
      std::string edited = issued;
      const size_t at = size % edited.size();
      edited[at] = edited[at] == 'A' ? 'B' : 'A';
      auto forged = tokens.DecodeKey(PageList::kMatters, edited);
      FUZZ_CHECK(!forged.ok() || *forged == filter);  // base64's last bits may be ignored
    }
  }
  return 0;
}
