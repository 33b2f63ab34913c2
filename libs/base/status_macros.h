// Local equivalents of absl/status/status_macros.h (absent from Abseil 20220623).
// Same names as the later Abseil macros so that switching is a header swap.
#ifndef COLLECTONCE_LIBS_BASE_STATUS_MACROS_H_
#define COLLECTONCE_LIBS_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CO_STATUS_CONCAT_INNER_(a, b) a##b
#define CO_STATUS_CONCAT_(a, b) CO_STATUS_CONCAT_INNER_(a, b)

// Evaluates expr (an absl::Status); returns it from the enclosing function if not OK.
#define RETURN_IF_ERROR(expr)                \
  do {                                       \
    ::absl::Status co_status_ = (expr);      \
    if (!co_status_.ok()) return co_status_; \
  } while (false)

// ASSIGN_OR_RETURN(lhs, expr): evaluates expr (an absl::StatusOr<T>); on error returns the
// status, otherwise moves the value into lhs (which may be a declaration).
#define ASSIGN_OR_RETURN(lhs, expr) \
  CO_ASSIGN_OR_RETURN_IMPL_(CO_STATUS_CONCAT_(co_statusor_, __LINE__), lhs, expr)
#define CO_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)     \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // COLLECTONCE_LIBS_BASE_STATUS_MACROS_H_
