// Request limits of the registry API (docs/api.md lists them).
#ifndef COLLECTONCE_SERVICES_REGISTRY_LIMITS_H_
#define COLLECTONCE_SERVICES_REGISTRY_LIMITS_H_

namespace collectonce::registry {

inline constexpr int kMaxBatchGet = 1000;
inline constexpr int kMaxMaskPaths = 200;
inline constexpr int kMaxChangesPerUpdate = 200;
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;
inline constexpr int kMaxNameLength = 256;
inline constexpr int kMaxCaseIdLength = 128;
inline constexpr int kMaxWatchFields = 200;

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_LIMITS_H_
