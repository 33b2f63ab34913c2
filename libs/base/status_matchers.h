// Test matchers for absl::Status / absl::StatusOr (absent from Abseil 20220623).
//   EXPECT_THAT(s, IsOk());
//   EXPECT_THAT(s, StatusIs(absl::StatusCode::kAborted));
//   EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("check")));
//   EXPECT_THAT(v, IsOkAndHolds(42));
//   EXPECT_THAT(s, ReasonIs("ID_NUMBER_IN_USE"));   // the ErrorInfo reason (error_reason.h)
#ifndef COLLECTONCE_LIBS_BASE_STATUS_MATCHERS_H_
#define COLLECTONCE_LIBS_BASE_STATUS_MATCHERS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "libs/base/error_reason.h"

namespace collectonce::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = GetStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s;
  return s.ok();
}

MATCHER_P(StatusIs, code, "has status code " + ::testing::PrintToString(code)) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has status code " + ::testing::PrintToString(code) + " and a matching message") {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code && ::testing::Matches(message_matcher)(std::string(s.message()));
}

MATCHER_P(ReasonIs, reason, "has the reason " + ::testing::PrintToString(reason)) {
  const absl::Status& s = GetStatus(arg);
  *result_listener << "status is " << s << ", reason " << ::collectonce::ReasonOf(s);
  return ::collectonce::ReasonOf(s) == reason;
}

MATCHER_P(IsOkAndHolds, value_matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

}  // namespace collectonce::testing

#endif  // COLLECTONCE_LIBS_BASE_STATUS_MATCHERS_H_
