// registryctl dispute open|list|get|review|decide|withdraw and dispute notifications: disputes
// (异议) on one value of a file, decided by the department the field is routed to.
#include <cstdint>
#include <iostream>
#include <memory>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "collectonce/registry/v1/dispute.grpc.pb.h"
#include "libs/catalog/subject.h"
#include "libs/catalog/value_text.h"
#include "tools/registryctl/client.h"
#include "tools/registryctl/commands.h"
#include "tools/registryctl/flag_values.h"
#include "tools/registryctl/output.h"
#include "tools/registryctl/paging.h"

namespace collectonce::registryctl {

namespace {

struct OpenOpts {
  std::string subject, field, reason, matter, case_id, claimed, evidence_ref, operator_id,
      request_id;
  int64_t revision = 0;
};

struct ListOpts {
  std::string subject, department, state;
  bool overdue = false;
  PageFlags paging;
};

struct StepOpts {
  std::string name, outcome, corrected_by, reason, etag, operator_id;
};

std::vector<std::string> DisputeHeaders() {
  return {"NAME", "FIELD", "STATE", "DEPARTMENT", "DECIDE BY", "OVERDUE"};
}

std::vector<std::string> DisputeRow(const v1::Dispute& d) {
  return {d.name(),
          d.field(),
          v1::Dispute::State_Name(d.state()),
          d.department(),
          FormatTimestamp(d.decide_by()),
          d.overdue() ? "overdue" : ""};
}

int Show(const Globals& g, const v1::Dispute& d) {
  if (g.structured()) return EmitMessage(g, d);
  Table t({"FIELD", "VALUE"});
  t.AddRow({"name", d.name()});
  t.AddRow({"subject", d.subject()});
  t.AddRow({"field", d.field()});
  t.AddRow({"disputed revision", absl::StrCat(d.disputed_revision())});
  t.AddRow({"state", v1::Dispute::State_Name(d.state())});
  t.AddRow({"department", d.department()});
  t.AddRow({"decide by", FormatTimestamp(d.decide_by()) + (d.overdue() ? " (overdue)" : "")});
  t.AddRow({"matter", d.matter()});
  t.AddRow({"case", d.case_id()});
  t.AddRow({"opened by", d.opened_by()});
  if (!d.corrected_by().empty()) t.AddRow({"corrected by", d.corrected_by()});
  if (!d.decision_reason().empty()) t.AddRow({"decision reason", d.decision_reason()});
  t.AddRow({"etag", d.etag()});
  t.Print(std::cout);
  Table steps({"TIME", "STATE", "PRINCIPAL", "OPERATOR", "REASON"});
  for (const auto& s : d.steps()) {
    steps.AddRow({FormatTimestamp(s.time()), v1::Dispute::State_Name(s.state()), s.principal(),
                  s.operator_(), s.reason()});
  }
  std::cout << "\n";
  steps.Print(std::cout);
  return kExitOk;
}

int RunOpen(const Globals& g, const OpenOpts& o) {
  auto subject = catalog::ParseSubjectName(o.subject);
  if (!subject.ok()) return UsageError("SUBJECT: enterprises/{uscc} or persons/{pid}");
  Client client(g, g.registry);
  v1::OpenDisputeRequest req;
  v1::Dispute* d = req.mutable_dispute();
  d->set_subject(o.subject);
  d->set_field(o.field);
  d->set_reason(o.reason);
  d->set_matter(o.matter);
  d->set_case_id(o.case_id);
  d->set_evidence_ref(o.evidence_ref);
  d->set_operator_(o.operator_id);
  d->set_disputed_revision(o.revision);
  req.set_request_id(o.request_id);
  if (!o.claimed.empty()) {
    // The claimed value in the field's text form, typed by the catalog.
    grpc::Status status;
    auto cat = client.FetchCatalog(subject->kind, &status);
    if (cat == nullptr) return status.ok() ? kExitInternal : ReportRpcError(status);
    const v1::FieldDefinition* def = cat->FindField(o.field);
    if (def == nullptr) return UsageError(absl::StrCat("FIELD: the catalog has no ", o.field));
    auto value = catalog::ParseValueText(*def, o.claimed);
    if (!value.ok()) return UsageError(absl::StrCat("--claimed: ", value.status().message()));
    *d->mutable_claimed_value() = *std::move(value);
  }
  auto stub = v1::DisputeService::NewStub(client.channel());
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  v1::Dispute out;
  grpc::Status s = stub->OpenDispute(&ctx, req, &out);
  if (!s.ok()) return ReportRpcError(s);
  return Show(g, out);
}

int RunList(const Globals& g, const ListOpts& o) {
  v1::Dispute::State state = v1::Dispute::STATE_UNSPECIFIED;
  if (!o.state.empty() && !v1::Dispute::State_Parse(absl::AsciiStrToUpper(o.state), &state)) {
    return UsageError("--state: open, under_review, corrected, upheld or withdrawn");
  }
  Client client(g, g.registry);
  auto stub = v1::DisputeService::NewStub(client.channel());
  v1::ListDisputesRequest q;
  q.set_subject(o.subject);
  q.set_department(o.department);
  q.set_state(state);
  q.set_overdue_only(o.overdue);
  v1::ListDisputesResponse all;
  int rc = ListAll(
      o.paging, &all, [](auto* r) { return r->mutable_disputes(); },
      [&](int32_t size, const std::string& token, v1::ListDisputesResponse* page) {
        q.set_page_size(size);
        q.set_page_token(token);
        grpc::ClientContext ctx;
        client.Prepare(&ctx);
        return stub->ListDisputes(&ctx, q, page);
      });
  if (rc != kExitOk) return rc;
  if (g.structured()) return EmitMessage(g, all);
  Table t(DisputeHeaders());
  for (const auto& d : all.disputes()) t.AddRow(DisputeRow(d));
  t.Print(std::cout);
  return kExitOk;
}

int RunGet(const Globals& g, const std::string& name) {
  Client client(g, g.registry);
  auto stub = v1::DisputeService::NewStub(client.channel());
  v1::GetDisputeRequest q;
  q.set_name(name);
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  v1::Dispute out;
  grpc::Status s = stub->GetDispute(&ctx, q, &out);
  if (!s.ok()) return ReportRpcError(s);
  return Show(g, out);
}

// review, decide and withdraw: one step of a dispute.
int RunStep(const Globals& g, const std::string& step, const StepOpts& o) {
  Client client(g, g.registry);
  auto stub = v1::DisputeService::NewStub(client.channel());
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  v1::Dispute out;
  grpc::Status s;
  if (step == "review") {
    v1::ReviewDisputeRequest q;
    q.set_name(o.name);
    q.set_reason(o.reason);
    q.set_etag(o.etag);
    q.set_operator_(o.operator_id);
    s = stub->ReviewDispute(&ctx, q, &out);
  } else if (step == "decide") {
    v1::DecideDisputeRequest q;
    q.set_name(o.name);
    q.set_outcome(o.outcome == "corrected" ? v1::Dispute::CORRECTED : v1::Dispute::UPHELD);
    q.set_corrected_by(o.corrected_by);
    q.set_reason(o.reason);
    q.set_etag(o.etag);
    q.set_operator_(o.operator_id);
    s = stub->DecideDispute(&ctx, q, &out);
  } else {
    v1::WithdrawDisputeRequest q;
    q.set_name(o.name);
    q.set_reason(o.reason);
    q.set_etag(o.etag);
    q.set_operator_(o.operator_id);
    s = stub->WithdrawDispute(&ctx, q, &out);
  }
  if (!s.ok()) return ReportRpcError(s);
  return Show(g, out);
}

int RunNotifications(const Globals& g, const std::string& principal, const PageFlags& paging) {
  Client client(g, g.registry);
  auto stub = v1::DisputeService::NewStub(client.channel());
  v1::ListNotificationsRequest q;
  q.set_parent(principal);
  v1::ListNotificationsResponse all;
  int rc = ListAll(
      paging, &all, [](auto* r) { return r->mutable_notifications(); },
      [&](int32_t size, const std::string& token, v1::ListNotificationsResponse* page) {
        q.set_page_size(size);
        q.set_page_token(token);
        grpc::ClientContext ctx;
        client.Prepare(&ctx);
        return stub->ListNotifications(&ctx, q, page);
      });
  if (rc != kExitOk) return rc;
  if (g.structured()) return EmitMessage(g, all);
  Table t({"PRINCIPAL", "SUBJECT", "FIELD", "CORRECTED BY", "LAST SERVED", "MATTER"});
  for (const auto& n : all.notifications()) {
    t.AddRow({n.principal(), n.subject(), n.field(), n.corrected_by(),
              FormatTimestamp(n.last_served_time()), n.matter()});
  }
  t.Print(std::cout);
  return kExitOk;
}

void AddStepCommand(CLI::App* cmd, const Globals& g, Action* action, const std::string& step,
                    const std::string& help) {
  auto o = std::make_shared<StepOpts>();
  CLI::App* sub = cmd->add_subcommand(step, help);
  sub->add_option("NAME", o->name, "{subject}/disputes/{id}")->required();
  sub->add_option("--reason", o->reason, "why (required to uphold)");
  sub->add_option("--etag", o->etag, "refuse if the dispute changed since this etag");
  sub->add_option("--operator", o->operator_id, "the staff member (an id, not a name)");
  if (step == "decide") {
    sub->add_option("--outcome", o->outcome, "corrected or upheld")
        ->required()
        ->check(OneOf("--outcome", {"corrected", "upheld"}));
    sub->add_option("--corrected-by", o->corrected_by,
                    "corrected: the change set that corrected it ({subject}/revisions/{n})");
  }
  // Each command its own example (a subcommand would otherwise show its parent's).
  if (step == "decide") {
    sub->footer(
        "Example: registryctl dispute decide persons/p1/disputes/residential-address-1 "
        "--outcome corrected --corrected-by persons/p1/revisions/4");
  } else {
    sub->footer(absl::StrCat("Example: registryctl dispute ", step,
                             " persons/p1/disputes/residential-address-1 --operator w-017",
                             step == "withdraw" ? " --reason 申请人撤回" : ""));
  }
  sub->callback(
      [&g, action, o, step] { *action = [&g, o, step] { return RunStep(g, step, *o); }; });
}

void AddDisputeCommands(CLI::App& app, const Globals& g, Action* action) {
  CLI::App* cmd = app.add_subcommand(
      "dispute", "disputes (异议) on one value of a file, and the notifications of corrections");
  cmd->require_subcommand(1);
  cmd->footer("Example: registryctl dispute list --department data-governance --overdue");

  auto open = std::make_shared<OpenOpts>();
  CLI::App* o = cmd->add_subcommand("open", "open a dispute on one field of a subject");
  o->add_option("SUBJECT", open->subject, "enterprises/{uscc} or persons/{pid}")->required();
  o->add_option("FIELD", open->field, "the catalog field disputed")->required();
  o->add_option("--reason", open->reason, "why the value is wrong")->required();
  o->add_option("--matter", open->matter, "the matter or bundle it arose in");
  o->add_option("--case-id", open->case_id, "the case (办件)");
  o->add_option("--revision", open->revision, "the revision whose value is disputed (current)");
  o->add_option("--claimed", open->claimed, "the value the applicant says is right");
  o->add_option("--evidence-ref", open->evidence_ref, "a reference to the evidence");
  o->add_option("--operator", open->operator_id, "the staff member (an id, not a name)");
  o->add_option("--request-id", open->request_id, "makes a retry safe");
  o->footer(
      "Example: registryctl dispute open persons/p1 residential_address --reason 已搬家 "
      "--matter bundles/elderly-home-property-transfer");
  o->callback([&g, action, open] { *action = [&g, open] { return RunOpen(g, *open); }; });

  auto list = std::make_shared<ListOpts>();
  CLI::App* l = cmd->add_subcommand("list", "disputes by subject, department and state");
  l->add_option("--subject", list->subject, "one subject's disputes");
  l->add_option("--department", list->department, "the disputes routed to this source");
  l->add_option("--state", list->state, "open, under_review, corrected, upheld or withdrawn");
  l->add_flag("--overdue", list->overdue, "only those past their deadline");
  AddPageFlags(l, &list->paging, "disputes");
  l->footer("Example: registryctl dispute list --department data-governance --overdue");
  l->callback([&g, action, list] { *action = [&g, list] { return RunList(g, *list); }; });

  auto name = std::make_shared<std::string>();
  CLI::App* get = cmd->add_subcommand("get", "one dispute with its steps");
  get->add_option("NAME", *name, "{subject}/disputes/{id}")->required();
  get->footer("Example: registryctl dispute get persons/p1/disputes/residential-address-1");
  get->callback([&g, action, name] { *action = [&g, name] { return RunGet(g, *name); }; });

  AddStepCommand(cmd, g, action, "review", "take a dispute up (the department)");
  AddStepCommand(cmd, g, action, "decide", "decide: corrected (naming the change set) or upheld");
  AddStepCommand(cmd, g, action, "withdraw", "withdraw a dispute for the applicant");

  auto notices = std::make_shared<std::pair<std::string, PageFlags>>();
  CLI::App* n = cmd->add_subcommand(
      "notifications", "corrections of values a principal was served (without the values)");
  n->add_option("--principal", notices->first, "principals/{id} (the caller by default)");
  AddPageFlags(n, &notices->second, "notifications");
  n->footer(
      "Example: registryctl --as spiffe://sanming.gov.cn/approval/real-estate "
      "dispute notifications");
  n->callback([&g, action, notices] {
    *action = [&g, notices] { return RunNotifications(g, notices->first, notices->second); };
  });
}

}  // namespace

REGISTRYCTL_COMMAND_GROUP(AddDisputeCommands, 62);

}  // namespace collectonce::registryctl
