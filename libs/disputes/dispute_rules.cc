#include "libs/disputes/dispute_rules.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/base/error_reason.h"

namespace collectonce::disputes {

namespace {

bool HasRole(const v1::Principal& p, v1::Role role) {
  for (int r : p.roles()) {
    if (r == role) return true;
  }
  return false;
}

absl::Status Denied(const v1::Principal& p, absl::string_view what, absl::string_view reason) {
  return WithReason(absl::PermissionDeniedError(absl::StrCat(p.name(), " may not ", what)), reason);
}

}  // namespace

std::string RouteDepartment(const v1::FieldDefinition& def) {
  const v1::AuthoritativeSource* best = nullptr;
  for (const auto& s : def.sources()) {
    if (s.source().empty()) continue;
    if (best == nullptr || s.precedence() < best->precedence()) best = &s;
  }
  return best != nullptr ? best->source() : std::string(kGovernanceDepartment);
}

int WorkingDays(const v1::FieldDefinition& def) {
  return def.dispute_working_days() > 0 ? def.dispute_working_days() : kDefaultWorkingDays;
}

int64_t DecideBy(int64_t opened_us, int working_days, absl::TimeZone city) {
  absl::CivilDay day = absl::ToCivilDay(absl::FromUnixMicros(opened_us), city);
  for (int counted = 0; counted < working_days;) {
    ++day;
    const absl::Weekday w = absl::GetWeekday(day);
    if (w != absl::Weekday::saturday && w != absl::Weekday::sunday) ++counted;
  }
  return absl::ToUnixMicros(absl::FromCivil(day + 1, city)) - 1;
}

bool IsPending(v1::Dispute::State state) {
  return state == v1::Dispute::OPEN || state == v1::Dispute::UNDER_REVIEW;
}

absl::Status CheckTransition(v1::Dispute::State from, v1::Dispute::State to) {
  if (!IsPending(from)) {
    return WithReason(absl::FailedPreconditionError(
                          absl::StrCat("the dispute is already ", v1::Dispute::State_Name(from),
                                       "; a new objection needs a new dispute")),
                      "DISPUTE_CLOSED");
  }
  switch (to) {
    case v1::Dispute::UNDER_REVIEW:
      if (from == v1::Dispute::UNDER_REVIEW) {
        return WithReason(absl::FailedPreconditionError("the dispute is already under review"),
                          "DISPUTE_UNDER_REVIEW");
      }
      return absl::OkStatus();
    case v1::Dispute::CORRECTED:
    case v1::Dispute::UPHELD:
    case v1::Dispute::WITHDRAWN:
      return absl::OkStatus();
    default:
      return WithReason(absl::InvalidArgumentError(
                            absl::StrCat("a dispute cannot move to ", v1::Dispute::State_Name(to))),
                        "INVALID_VALUES");
  }
}

void MarkOverdue(int64_t now_us, v1::Dispute* d) {
  const int64_t due = d->decide_by().seconds() * 1000000 + d->decide_by().nanos() / 1000;
  d->set_overdue(IsPending(d->state()) && d->has_decide_by() && now_us > due);
}

std::string DisputeId(absl::string_view field, int n) {
  return absl::StrCat(absl::StrReplaceAll(field, {{"_", "-"}}), "-", n);
}

absl::Status MayOpen(const v1::Principal& p) {
  if (HasRole(p, v1::WINDOW) || HasRole(p, v1::GOVERNANCE)) return absl::OkStatus();
  return Denied(p, "open disputes (windows and data governance do)", "ROLE_MAY_NOT_OPEN_DISPUTE");
}

absl::Status MayWithdraw(const v1::Principal& p) {
  if (HasRole(p, v1::WINDOW) || HasRole(p, v1::GOVERNANCE)) return absl::OkStatus();
  return Denied(p, "withdraw disputes (windows and data governance do)",
                "ROLE_MAY_NOT_WITHDRAW_DISPUTE");
}

bool ReadsAllDisputes(const v1::Principal& p) {
  return HasRole(p, v1::GOVERNANCE) || HasRole(p, v1::AUDITOR) || HasRole(p, v1::WINDOW);
}

absl::Status MayReadDisputes(const v1::Principal& p) {
  if (ReadsAllDisputes(p) || !p.source().empty()) return absl::OkStatus();
  return Denied(p, "read disputes", "ROLE_MAY_NOT_READ_DISPUTES");
}

absl::Status MaySee(const v1::Principal& p, const v1::Dispute& d) {
  if (ReadsAllDisputes(p) || (!p.source().empty() && p.source() == d.department())) {
    return absl::OkStatus();
  }
  return Denied(p, "read disputes routed to another department", "NOT_DISPUTE_DEPARTMENT");
}

absl::Status MayDecide(const v1::Principal& p, const v1::Dispute& d) {
  if (HasRole(p, v1::GOVERNANCE)) return absl::OkStatus();
  if (!p.source().empty() && p.source() == d.department()) return absl::OkStatus();
  return Denied(p, absl::StrCat("decide a dispute routed to ", d.department()),
                "NOT_DISPUTE_DEPARTMENT");
}

}  // namespace collectonce::disputes
