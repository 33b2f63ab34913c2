// Page tokens: whatever a caller sends, decoding either refuses it with INVALID_PAGE_TOKEN
// or yields a position that encodes back to a token decoding to the same position; a
// history token is refused by a query with another filter.
#include <cstddef>
#include <cstdint>
#include <string>

#include "libs/base/error_reason.h"
#include "services/registry/page_token.h"
#include "tests/fuzz/fuzz_check.h"

namespace registry = collectonce::registry;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  // The first line is the token, the rest the query's filter key.
  const size_t nl = input.find('\n');
  const absl::string_view token = input.substr(0, nl);
  const absl::string_view filter = nl == absl::string_view::npos ? "" : input.substr(nl + 1);

  auto history = registry::DecodeHistoryToken(token, filter);
  if (history.ok()) {
    FUZZ_CHECK(*history >= 1);
    auto again =
        registry::DecodeHistoryToken(registry::EncodeHistoryToken(*history, filter), filter);
    FUZZ_CHECK(again.ok() && *again == *history);
    auto other = registry::DecodeHistoryToken(token, std::string(filter) + "|other");
    FUZZ_CHECK(!other.ok());
  } else {
    FUZZ_CHECK(history.status().code() == absl::StatusCode::kInvalidArgument);
    FUZZ_CHECK(collectonce::ReasonOf(history.status()) == "INVALID_PAGE_TOKEN");
  }

  auto index = registry::DecodeAuditIndexToken(token);
  if (index.ok()) {
    FUZZ_CHECK(*index > 0);
    auto again = registry::DecodeAuditIndexToken(registry::EncodeAuditIndexToken(*index));
    FUZZ_CHECK(again.ok() && *again == *index);
  } else {
    FUZZ_CHECK(collectonce::ReasonOf(index.status()) == "INVALID_PAGE_TOKEN");
  }

  auto list = registry::DecodeListToken(token, filter);
  if (list.ok()) {
    FUZZ_CHECK(!list->after_id.empty());
    auto again = registry::DecodeListToken(registry::EncodeListToken(*list, filter), filter);
    FUZZ_CHECK(again.ok() && again->after_id == list->after_id &&
               again->read_time_us == list->read_time_us);
    FUZZ_CHECK(!registry::DecodeListToken(token, std::string(filter) + "|other").ok());
  } else {
    FUZZ_CHECK(collectonce::ReasonOf(list.status()) == "INVALID_PAGE_TOKEN");
  }

  auto key = registry::DecodeKeyToken(token);
  if (key.ok()) {
    FUZZ_CHECK(!key->empty());
    auto again = registry::DecodeKeyToken(registry::EncodeKeyToken(*key));
    FUZZ_CHECK(again.ok() && *again == *key);
  } else {
    FUZZ_CHECK(collectonce::ReasonOf(key.status()) == "INVALID_PAGE_TOKEN");
  }

  // Any position this service issues comes back.
  if (!filter.empty() && filter.size() <= 200) {
    const std::string issued = registry::EncodeKeyToken(filter);
    if (issued.size() <= registry::kMaxPageTokenLength) {
      auto back = registry::DecodeKeyToken(issued);
      FUZZ_CHECK(back.ok() && *back == filter);
    }
  }
  return 0;
}
