// The registry's clock and the city's time zone, injected wherever "now" or "today"
// matters: commit times, valid-from defaults, dates that may not lie in the future, the
// days and months of reuse statistics. Tests give a clock they move; a deployment in
// another zone gives its own offset (registryd --utc-offset-hours).
#ifndef COLLECTONCE_LIBS_BASE_CLOCK_H_
#define COLLECTONCE_LIBS_BASE_CLOCK_H_

#include <cstdint>
#include <functional>
#include <utility>

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace collectonce {

// China Standard Time: UTC+8 all year, no daylight saving.
inline constexpr int kDefaultUtcOffsetHours = 8;

// A fixed offset east of UTC, in whole hours (-12 to +14).
inline absl::TimeZone ZoneAtUtcOffset(int hours) { return absl::FixedTimeZone(hours * 3600); }
// The zone of the city's calendar unless a deployment says otherwise.
inline absl::TimeZone DefaultCityZone() { return ZoneAtUtcOffset(kDefaultUtcOffsetHours); }

// Copyable; safe to use from any thread if `now` is.
class Clock {
 public:
  // The system clock in the default city zone.
  Clock() : Clock(DefaultCityZone()) {}
  // `now` null: the system clock.
  explicit Clock(absl::TimeZone zone, std::function<absl::Time()> now = nullptr)
      : zone_(zone), now_(std::move(now)) {}

  absl::Time Now() const { return now_ ? now_() : absl::Now(); }
  int64_t NowMicros() const { return absl::ToUnixMicros(Now()); }
  absl::TimeZone zone() const { return zone_; }
  // The city's date at `t`, and now.
  absl::CivilDay DayAt(absl::Time t) const { return absl::ToCivilDay(t, zone_); }
  absl::CivilDay Today() const { return DayAt(Now()); }

 private:
  absl::TimeZone zone_;
  std::function<absl::Time()> now_;
};

}  // namespace collectonce

#endif  // COLLECTONCE_LIBS_BASE_CLOCK_H_
