#include "services/registry/reuse_service.h"

#include "absl/strings/str_cat.h"
#include "libs/authz/validate.h"
#include "libs/base/error_reason.h"
#include "libs/rpc/errors.h"
#include "libs/rpc/reply.h"
#include "libs/rpc/timestamps.h"

namespace collectonce::registry {

namespace {
absl::Status CheckForm(const Caller& caller, const std::string& form) {
  if (caller.policy->FindMatter(form) == nullptr && caller.policy->FindBundle(form) == nullptr) {
    return WithReason(absl::InvalidArgumentError(absl::StrCat("'", form.substr(0, 128),
                                                              "' is not a known matter or bundle")),
                      "UNKNOWN_FORM");
  }
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* ReuseLedgerImpl::RecordReuse(grpc::CallbackServerContext* context,
                                                       const v1::RecordReuseRequest* request,
                                                       v1::RecordReuseResponse*) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status());
  // Reports come from a gateway acting for an approval system, or from the gateway itself.
  const v1::Principal* peer = caller->via.empty() ? &caller->principal : nullptr;
  const bool gateway =
      !caller->via.empty() || (peer != nullptr && authz::Policy::HasRole(*peer, v1::GATEWAY));
  if (!gateway) {
    return rpc::Reply(context, WithReason(absl::PermissionDeniedError("only gateways report reuse"),
                                          "NOT_A_GATEWAY"));
  }
  if (auto s = CheckForm(*caller, request->form()); !s.ok()) return rpc::Reply(context, s);
  if (request->forms_served() < 0 || request->fields_requested() < 0 ||
      request->fields_prefilled() < 0 || request->fields_collected() < 0 ||
      request->fields_prefilled() > request->fields_requested()) {
    return rpc::Reply(
        context,
        WithReason(absl::InvalidArgumentError("counts are not negative and prefilled <= requested"),
                   "INVALID_VALUES"));
  }
  store::Store::ReuseCounts c;
  c.forms_served = request->forms_served();
  c.fields_requested = request->fields_requested();
  c.fields_prefilled = request->fields_prefilled();
  c.fields_collected = request->fields_collected();
  auto* reactor = context->DefaultReactor();
  ctx_->store()->AddReuseAsync(request->form(), c,
                               [reactor](absl::Status s) { reactor->Finish(rpc::ToGrpc(s)); });
  return reactor;
}

grpc::ServerUnaryReactor* ReuseLedgerImpl::GetReuseStats(grpc::CallbackServerContext* context,
                                                         const v1::GetReuseStatsRequest* request,
                                                         v1::ReuseStats* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status());
  if (auto s = CheckForm(*caller, request->form()); !s.ok()) return rpc::Reply(context, s);
  catalog::Violations violations;
  rpc::TimeRange range;
  if (auto s = rpc::ReadTimeRange(*request, &range, &violations); !s.ok()) {
    return rpc::Reply(context, s, violations);
  }
  const int64_t since = range.since_us, until = range.until_us;
  auto sum = ctx_->store()->SumReuse(request->form(), since, until);
  if (!sum.ok()) return rpc::Reply(context, sum.status());
  response->set_form(request->form());
  response->set_forms_served(sum->forms_served);
  response->set_fields_requested(sum->fields_requested);
  response->set_fields_prefilled(sum->fields_prefilled);
  response->set_fields_collected(sum->fields_collected);
  return rpc::Reply(context, absl::OkStatus());
}

}  // namespace collectonce::registry
