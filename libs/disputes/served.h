// Who was served a field of a subject, from the audit log's access events: the systems a
// correction must reach.
#ifndef COLLECTONCE_LIBS_DISPUTES_SERVED_H_
#define COLLECTONCE_LIBS_DISPUTES_SERVED_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/store/store.h"

namespace collectonce::disputes {

namespace v1 = ::collectonce::registry::v1;

// Access events read at most per search (newest first); older ones are not searched.
inline constexpr int kMaxAccessEventsSearched = 20000;

struct Served {
  std::string principal;  // "principals/{id}"
  int64_t last_time_us = 0;
  std::string matter;  // the purpose of that last read
};

// The principals that read `field` of `subject` (in clear or masked) between since_us and
// until_us inclusive, one each with its latest such read, in principal name order.
[[nodiscard]] absl::StatusOr<std::vector<Served>> ServedField(store::Store* store,
                                                              const store::SubjectName& subject,
                                                              const std::string& field,
                                                              int64_t since_us, int64_t until_us);

}  // namespace collectonce::disputes

#endif  // COLLECTONCE_LIBS_DISPUTES_SERVED_H_
