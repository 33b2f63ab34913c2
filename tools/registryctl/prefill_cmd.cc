// registryctl prefill MATTER SUBJECT: the form a matter (or bundle) gets from the reuse
// gateway for one subject, as an approval system would see it.
#include <fstream>
#include <iostream>
#include <memory>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/catalog/subject.h"
#include "tools/registryctl/client.h"
#include "tools/registryctl/commands.h"
#include "tools/registryctl/files.h"
#include "tools/registryctl/output.h"

#ifdef REGISTRYCTL_HAVE_GATEWAY
#include "collectonce/gateway/v1/gateway.grpc.pb.h"
#endif

namespace collectonce::registryctl {

namespace {

struct PrefillOpts {
  std::string form, subject, id_file, case_id, receipt_out;
};

std::string FormName(const std::string& form) {
  if (absl::StartsWith(form, "matters/") || absl::StartsWith(form, "bundles/")) return form;
  return absl::StrCat("matters/", form);
}

#ifdef REGISTRYCTL_HAVE_GATEWAY
namespace gv1 = ::collectonce::gateway::v1;

std::string Age(const google::protobuf::Duration& d) {
  const int64_t s = d.seconds();
  if (s <= 0) return "";
  if (s < 60) return absl::StrCat(s, "s");
  if (s < 3600) return absl::StrCat(s / 60, "m");
  if (s < 86400 * 2) return absl::StrCat(s / 3600, "h");
  return absl::StrCat(s / 86400, "d");
}

// The form's receipt, as `registryctl receipt verify|replay` reads it (protobuf JSON).
int SaveReceipt(const std::string& path, const gv1::PrefillFormResponse& response) {
  if (!response.has_receipt()) {
    std::cerr << "note: no receipt: the form released no personal data; nothing written to " << path
              << "\n";
    return kExitOk;
  }
  std::ofstream out(path, std::ios::trunc);
  out << DumpJson(MessageJson(response.receipt()));
  out.close();
  if (!out) return InternalFailure(absl::StrCat("cannot write ", path));
  std::cerr << "receipt (audit leaf " << response.receipt().inclusion_proof().index()
            << ") written to " << path << "\n";
  return kExitOk;
}

int RunPrefill(const Globals& g, const PrefillOpts& o) {
  if (o.subject.empty() == o.id_file.empty()) {
    return UsageError(
        "give SUBJECT (enterprises/{uscc} or persons/{pid}) or --id-number-file, one of them");
  }
  gv1::PrefillFormRequest request;
  request.set_form(FormName(o.form));
  request.set_case_id(o.case_id);
  v1::SubjectKind kind = v1::PERSON;
  if (!o.subject.empty()) {
    auto name = catalog::ParseSubjectName(o.subject);
    if (!name.ok()) return UsageError(name.status().message());
    request.set_subject(name->ToString());
    kind = name->kind;
  } else {
    auto id = ReadIdNumber(o.id_file, CityToday());
    if (!id.ok()) return UsageError(id.status().message());
    request.set_id_number(*id);
  }
  Client gateway(g, g.gateway);
  auto stub = gv1::ReuseGateway::NewStub(gateway.channel());
  gv1::PrefillFormResponse response;
  grpc::ClientContext context;
  gateway.Prepare(&context);
  grpc::Status s = stub->PrefillForm(&context, request, &response);
  if (!s.ok()) return ReportRpcError(s);
  if (!o.receipt_out.empty()) {
    if (int rc = SaveReceipt(o.receipt_out, response); rc != kExitOk) return rc;
  }
  if (g.structured()) return EmitMessage(g, response);

  // The catalog says which fields hold personal data; without it every value is masked.
  Client registry(g, g.registry);
  grpc::Status cs;
  auto cat = registry.FetchCatalog(kind, &cs);
  std::cout << response.form() << "  " << response.title() << "  " << response.subject()
            << "  revision " << response.revision() << "  prefilled " << response.prefilled_count()
            << "/" << response.requested_count() << "\n\n";
  Table t({"KEY", "LABEL", "FIELD", "STATE", "VALUE", "SOURCE", "AGE"});
  for (const auto& f : response.fields()) {
    const v1::FieldDefinition* def = cat ? cat->FindField(f.catalog_field()) : nullptr;
    std::string value;
    if (f.has_value()) {
      value = CellValue(def, f.value(), f.state() == gv1::FormFieldValue::MASKED, g.reveal);
    }
    std::string state = gv1::FormFieldValue::State_Name(f.state());
    if (f.required()) absl::StrAppend(&state, " required");
    t.AddRow({f.key(), f.label(), f.catalog_field(), state, value, f.provenance().source(),
              Age(f.age())});
  }
  t.Print(std::cout);
  return kExitOk;
}
#else
int RunPrefill(const Globals&, const PrefillOpts&) {
  return InternalFailure(
      "the gateway is not available in this build (no gateway API was compiled in)");
}
#endif

}  // namespace

void AddPrefillCommand(CLI::App& app, const Globals& g, Action* action) {
  auto o = std::make_shared<PrefillOpts>();
  CLI::App* cmd = app.add_subcommand(
      "prefill", "the pre-filled form of a matter or bundle for a subject, from the reuse gateway");
  cmd->add_option("MATTER", o->form, "matters/{id} or bundles/{id} (or a matter id)")->required();
  cmd->add_option("SUBJECT", o->subject, "enterprises/{uscc} or persons/{pid}");
  cmd->add_option("--id-number-file", o->id_file, "a person by the ID number in FILE ('-': stdin)");
  cmd->add_option("--case-id", o->case_id, "the case (办件) recorded with the access");
  cmd->add_option("--receipt-out", o->receipt_out,
                  "save the form's receipt here, for `registryctl receipt verify|replay`");
  cmd->footer(
      "Example: registryctl prefill matters/legal-representative-change "
      "enterprises/91350400MA2YQ8KX1E");
  cmd->callback([&g, action, o] { *action = [&g, o] { return RunPrefill(g, *o); }; });
}

REGISTRYCTL_COMMAND_GROUP(AddPrefillCommand, 50);

}  // namespace collectonce::registryctl
