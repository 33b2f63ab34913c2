// The rules of a dispute (异议) that do not depend on storage or transport: where it is
// routed, when it is due, which step may follow which, and who may take each step.
#ifndef COLLECTONCE_LIBS_DISPUTES_DISPUTE_RULES_H_
#define COLLECTONCE_LIBS_DISPUTES_DISPUTE_RULES_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "collectonce/registry/v1/catalog.pb.h"
#include "collectonce/registry/v1/dispute.pb.h"
#include "collectonce/registry/v1/governance.pb.h"

namespace collectonce::disputes {

namespace v1 = ::collectonce::registry::v1;

// Where disputes on a field without an authoritative source go.
inline constexpr char kGovernanceDepartment[] = "data-governance";
// Working days to decide when the catalog gives none.
inline constexpr int kDefaultWorkingDays = 5;

// The field's most authoritative source (the lowest precedence number; the first listed on
// a tie), or kGovernanceDepartment when it lists none.
std::string RouteDepartment(const v1::FieldDefinition& def);

// The working days the field's department has: the catalog's dispute_working_days, or
// kDefaultWorkingDays.
int WorkingDays(const v1::FieldDefinition& def);

// The end (the last microsecond) of the `working_days`-th working day after the day of
// `opened_us` in the city's zone `city`. Saturdays and Sundays are not working days; public
// holidays are not known to the registry and count as working days.
int64_t DecideBy(int64_t opened_us, int working_days, absl::TimeZone city);

// OPEN and UNDER_REVIEW: not yet decided or withdrawn.
bool IsPending(v1::Dispute::State state);

// Whether a dispute in `from` may move to `to`: OPEN -> UNDER_REVIEW; OPEN or UNDER_REVIEW
// -> CORRECTED, UPHELD or WITHDRAWN. FAILED_PRECONDITION, reason DISPUTE_CLOSED, from a
// decided or withdrawn dispute; reason DISPUTE_UNDER_REVIEW for a second review.
[[nodiscard]] absl::Status CheckTransition(v1::Dispute::State from, v1::Dispute::State to);

// Sets `overdue` for a pending dispute whose decide_by is before `now_us`.
void MarkOverdue(int64_t now_us, v1::Dispute* dispute);

// The dispute id for the n-th dispute (n >= 1) on `field` of one subject: the field name in
// resource-id form and n ("residential-address-2"). One name per (field, n), so two windows
// opening the same dispute at once race for one name and one of them is refused.
std::string DisputeId(absl::string_view field, int n);

// ---- permissions (PERMISSION_DENIED with a reason, else OK) ----
// A window or data governance opens (ROLE_MAY_NOT_OPEN_DISPUTE) and withdraws
// (ROLE_MAY_NOT_WITHDRAW_DISPUTE) disputes.
[[nodiscard]] absl::Status MayOpen(const v1::Principal& principal);
[[nodiscard]] absl::Status MayWithdraw(const v1::Principal& principal);
// Governance, auditors and windows read every dispute; a principal with a source reads
// those routed to it (checked per dispute by MaySee). ROLE_MAY_NOT_READ_DISPUTES otherwise.
[[nodiscard]] absl::Status MayReadDisputes(const v1::Principal& principal);
bool ReadsAllDisputes(const v1::Principal& principal);
// NOT_DISPUTE_DEPARTMENT unless the principal reads all disputes or is the department.
[[nodiscard]] absl::Status MaySee(const v1::Principal& principal, const v1::Dispute& dispute);
// Governance, or the principal whose source is the dispute's department
// (NOT_DISPUTE_DEPARTMENT), reviews and decides.
[[nodiscard]] absl::Status MayDecide(const v1::Principal& principal, const v1::Dispute& dispute);

}  // namespace collectonce::disputes

#endif  // COLLECTONCE_LIBS_DISPUTES_DISPUTE_RULES_H_
