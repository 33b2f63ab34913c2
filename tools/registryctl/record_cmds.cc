// registryctl record get|put|history: one subject's file, its corrections and its history.
#include <iostream>
#include <memory>
#include <optional>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/catalog/subject.h"
#include "libs/catalog/value_text.h"
#include "libs/rpc/errors.h"
#include "tools/registryctl/client.h"
#include "tools/registryctl/commands.h"
#include "tools/registryctl/files.h"
#include "tools/registryctl/flag_values.h"
#include "tools/registryctl/output.h"
#include "tools/registryctl/paging.h"
#include "tools/registryctl/redact.h"

namespace collectonce::registryctl {

namespace {

// A code's label from the catalog, for tables.
absl::string_view CodeLabelOf(const catalog::Catalog* cat, const v1::FieldDefinition* def,
                              const v1::Value& value) {
  if (cat == nullptr || def == nullptr || def->type() != v1::CODE ||
      value.kind_case() != v1::Value::kCodeValue) {
    return {};
  }
  return cat->CodeLabel(def->code_list(), value.code_value());
}

// The subject of a command: a checked name, or (persons) an ID number read from a file.
struct Subject {
  v1::SubjectKind kind = v1::SUBJECT_KIND_UNSPECIFIED;
  std::string name;       // empty when found by ID number
  std::string id_number;  // never printed
};

// Resolves NAME / --id-number-file; returns an exit code on a usage error.
std::optional<int> ResolveSubject(const std::string& name, const std::string& id_file,
                                  Subject* out) {
  if (!name.empty() && !id_file.empty()) {
    return UsageError("give NAME or --id-number-file, not both");
  }
  if (!id_file.empty()) {
    auto id = ReadIdNumber(id_file, CityToday());
    if (!id.ok()) return UsageError(id.status().message());
    out->kind = v1::PERSON;
    out->id_number = *std::move(id);
    return std::nullopt;
  }
  if (name.empty())
    return UsageError("give NAME (enterprises/{uscc} or persons/{pid}) or --id-number-file");
  auto parsed = catalog::ParseSubjectName(name);
  if (!parsed.ok()) return UsageError(parsed.status().message());
  out->kind = parsed->kind;
  out->name = parsed->ToString();
  return std::nullopt;
}

// ---- record get ----

struct GetOpts {
  std::string name, id_file, as_of, valid_at, purpose, case_id;
  std::vector<std::string> fields;
  int64_t revision = 0;
};

int RunGet(const Globals& g, const GetOpts& o) {
  Subject subject;
  if (auto code = ResolveSubject(o.name, o.id_file, &subject)) return *code;
  v1::GetRecordRequest request;
  request.set_name(subject.name);
  request.set_id_number(subject.id_number);
  v1::ReadOptions* options = request.mutable_options();
  for (const auto& f : o.fields) options->mutable_read_mask()->add_paths(f);
  if (o.revision != 0) options->set_revision(o.revision);
  if (!o.as_of.empty()) {
    auto t = ParseTimestampFlag("--as-of", o.as_of);
    if (!t.ok()) return UsageError(t.status().message());
    *options->mutable_commit_time() = *t;
  }
  if (!o.valid_at.empty()) {
    auto d = catalog::ParseDateText(o.valid_at);
    if (!d.ok()) return UsageError(absl::StrCat("--valid-at: ", d.status().message()));
    *options->mutable_valid_date() = *d;
  }
  options->set_purpose(o.purpose.empty() ? DefaultPurpose(subject.kind)
                                         : WithCollection("matters", o.purpose));
  options->set_case_id(o.case_id);

  Client client(g, g.registry);
  v1::Record record;
  {
    grpc::ClientContext context;
    client.Prepare(&context);
    grpc::Status s = client.records().GetRecord(&context, request, &record);
    if (!s.ok()) return ReportRpcError(s);
  }
  if (g.structured()) {
    return EmitMessage(g, record);
  }
  grpc::Status cs;
  auto cat = client.FetchCatalog(subject.kind, &cs);
  if (!cat) return ReportRpcError(cs);
  std::cout << record.name() << "  revision " << record.revision() << "  updated "
            << FormatTimestamp(record.update_time()) << "  sequence " << record.commit_sequence()
            << "\n\n";
  Table t({"FIELD", "LABEL", "VALUE", "SOURCE", "VALID FROM", "REVISION"});
  for (const auto& f : record.fields()) {
    const v1::FieldDefinition* def = cat->FindField(f.field());
    t.AddRow(
        {f.field(), def ? def->label() : "",
         CellValue(def, f.value(), f.masked(), g.reveal, CodeLabelOf(cat.get(), def, f.value())),
         f.provenance().source(),
         f.provenance().has_valid_from() ? catalog::FormatDate(f.provenance().valid_from()) : "",
         absl::StrCat(f.provenance().revision())});
  }
  if (record.fields_size() == 0 && !o.valid_at.empty()) {
    // As of a valid date before any value took effect: say so rather than print no rows.
    std::cout << "nothing was in effect on " << o.valid_at
              << " (each value takes effect on its valid-from date; see `record history`)\n";
  } else {
    t.Print(std::cout);
  }
  if (record.withheld_fields_size() > 0) {
    std::cerr << "withheld for this purpose: " << absl::StrJoin(record.withheld_fields(), ", ")
              << "\n";
  }
  return kExitOk;
}

// ---- record put ----

struct PutOpts {
  std::string name, kind, id_file, source, reason, valid_from, matter, request_id, operator_id,
      evidence;
  std::vector<std::string> set, clear;
  std::optional<int64_t> expect_revision;
};

int RunPut(const Globals& g, const PutOpts& o) {
  Subject subject;
  if (o.name.empty() && !o.id_file.empty()) {
    if (o.kind != "person") {
      return UsageError("a subject given by --id-number-file is a person: add --kind person");
    }
  } else if (!o.kind.empty()) {
    return UsageError("--kind is only for a new person given by --id-number-file");
  }
  if (o.name.empty() && o.id_file.empty()) {
    return UsageError("give NAME, or --kind person --id-number-file FILE");
  }
  if (!o.name.empty()) {
    if (auto code = ResolveSubject(o.name, "", &subject)) return *code;
  } else {
    subject.kind = v1::PERSON;
  }
  std::string id_number;
  if (!o.id_file.empty()) {
    auto id = ReadIdNumber(o.id_file, CityToday());
    if (!id.ok()) return UsageError(id.status().message());
    id_number = *std::move(id);
  }
  if (o.set.empty() && o.clear.empty() && id_number.empty()) {
    return UsageError("nothing to change: give --set field=value or --clear field");
  }
  // The shipped catalogs' ID number field is refused before any call, so the answer does
  // not depend on the registry being up; other ID number fields once the catalog is read.
  for (const std::string& assignment : o.set) {
    if (absl::StartsWith(assignment, "id_number=")) {
      return UsageError(
          "id_number is an ID number: give it with --id-number-file, never on "
          "the command line");
    }
  }

  Client client(g, g.registry);
  grpc::Status cs;
  auto cat = client.FetchCatalog(subject.kind, &cs);
  if (!cat) return ReportRpcError(cs);

  v1::UpdateRecordRequest request;
  request.set_name(subject.name);
  if (subject.name.empty()) request.set_kind(v1::PERSON);
  auto& values = *request.mutable_values();
  for (const std::string& assignment : o.set) {
    auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0) {
      return UsageError(
          absl::StrCat("--set takes field=value, got '", assignment.substr(0, 64), "'"));
    }
    const std::string field = assignment.substr(0, eq);
    const v1::FieldDefinition* def = cat->FindField(field);
    if (def == nullptr) {
      return UsageError(absl::StrCat("the ", catalog::KindName(subject.kind),
                                     " catalog has no field '", field.substr(0, 64), "'"));
    }
    if (def->format() == v1::RESIDENT_ID_NUMBER || field == cat->proto().lookup_field()) {
      return UsageError(absl::StrCat(field,
                                     " is an ID number: give it with --id-number-file, "
                                     "never on the command line"));
    }
    auto value = catalog::ParseValueText(*def, absl::string_view(assignment).substr(eq + 1));
    if (!value.ok()) {
      return UsageError(absl::StrCat("--set ", field, ": ", value.status().message()));
    }
    if (values.contains(field)) return UsageError(absl::StrCat(field, " is set twice"));
    values[field] = *std::move(value);
  }
  if (!id_number.empty()) {
    const std::string& lookup = cat->proto().lookup_field();
    if (lookup.empty()) return UsageError("the catalog names no ID number field");
    v1::Value v;
    v.set_string_value(id_number);
    values[lookup] = std::move(v);
  }
  for (const std::string& f : o.clear) request.add_clear_fields(f);
  v1::Provenance* p = request.mutable_provenance();
  p->set_source(o.source);
  p->set_operator_(o.operator_id);
  p->set_evidence_ref(o.evidence);
  if (!o.matter.empty()) p->set_matter(WithCollection("matters", o.matter));
  if (!o.valid_from.empty()) {
    auto d = catalog::ParseDateText(o.valid_from);
    if (!d.ok()) return UsageError(absl::StrCat("--valid-from: ", d.status().message()));
    *p->mutable_valid_from() = *d;
  }
  request.set_reason(o.reason);
  if (o.expect_revision) request.set_expected_revision(*o.expect_revision);
  request.set_request_id(o.request_id);

  v1::UpdateRecordResponse response;
  grpc::ClientContext context;
  client.Prepare(&context);
  grpc::Status s = client.records().UpdateRecord(&context, request, &response);
  if (!s.ok()) return ReportRpcError(s);
  if (g.structured()) {
    return EmitMessage(g, response);
  }
  const v1::Record& r = response.record();
  if (response.unchanged()) {
    std::cout << r.name() << ": unchanged at revision " << r.revision()
              << " (every value equals the stored one)\n";
    return kExitOk;
  }
  // A replay returns the first outcome's record (its revision and sequence), no change set.
  std::cout << r.name() << ": revision " << r.revision() << ", sequence "
            << (response.replayed() ? r.commit_sequence() : response.change_set().commit_sequence())
            << (response.replayed()
                    ? " (request id seen before: the first outcome, nothing new written)"
                    : "")
            << "\n";
  for (const auto& c : response.change_set().changes()) {
    const v1::FieldDefinition* def = cat->FindField(c.field());
    std::string old_text =
        c.has_old_value() ? CellValue(def, c.old_value(), false, g.reveal) : "(none)";
    std::string new_text = c.cleared()         ? "(cleared)"
                           : c.has_new_value() ? CellValue(def, c.new_value(), false, g.reveal)
                                               : "";
    std::cout << "  " << c.field() << ": " << PrintableText(old_text) << " -> "
              << PrintableText(new_text)
              << (c.retroactive() ? "  (retroactive: kept in history, current value unchanged)"
                                  : "")
              << "\n";
  }
  return kExitOk;
}

// ---- record history ----

struct HistoryOpts {
  std::string name, id_file, field, since, until, purpose;
  PageFlags paging;  // no --limit: every revision
  bool all = false;  // the default now; kept so that scripts that pass it still run
};

int RunHistory(const Globals& g, const HistoryOpts& o) {
  Subject subject;
  if (auto code = ResolveSubject(o.name, o.id_file, &subject)) return *code;
  Client client(g, g.registry);
  const std::string purpose =
      o.purpose.empty() ? DefaultPurpose(subject.kind) : WithCollection("matters", o.purpose);
  if (subject.name.empty()) {
    // Find the person's name first; only the lookup field is asked for.
    grpc::Status cs;
    auto cat = client.FetchCatalog(v1::PERSON, &cs);
    if (!cat) return ReportRpcError(cs);
    v1::GetRecordRequest find;
    find.set_id_number(subject.id_number);
    find.mutable_options()->set_purpose(purpose);
    find.mutable_options()->mutable_read_mask()->add_paths(cat->proto().lookup_field());
    v1::Record r;
    grpc::ClientContext context;
    client.Prepare(&context);
    grpc::Status s = client.records().GetRecord(&context, find, &r);
    if (!s.ok()) return ReportRpcError(s);
    subject.name = r.name();
  }
  v1::ListRecordRevisionsRequest request;
  request.set_parent(subject.name);
  request.set_field(o.field);
  request.set_purpose(purpose);
  if (!o.since.empty()) {
    auto t = ParseTimestampFlag("--since", o.since);
    if (!t.ok()) return UsageError(t.status().message());
    *request.mutable_start_time() = *t;
  }
  if (!o.until.empty()) {
    auto t = ParseTimestampFlag("--until", o.until);
    if (!t.ok()) return UsageError(t.status().message());
    *request.mutable_end_time() = *t;
  }
  v1::ListRecordRevisionsResponse all;
  auto fetch = [&](int32_t size, const std::string& token, v1::ListRecordRevisionsResponse* page) {
    request.set_page_size(size);
    request.set_page_token(token);
    grpc::ClientContext context;
    client.Prepare(&context);
    grpc::Status s = client.records().ListRecordRevisions(&context, request, page);
    // An auditor holds no grant and reads history under its role: every value masked by
    // its field's rule, recorded. The default purpose is governance's; without --purpose a
    // caller whose role reads no records asks again with none.
    if (!s.ok() && o.purpose.empty() && !request.purpose().empty() &&
        rpc::FromGrpc(s).reason == "ROLE_MAY_NOT_READ_RECORDS") {
      std::cerr << "note: no purpose for this role: values are masked by their fields' rules\n";
      request.clear_purpose();
      grpc::ClientContext again;
      client.Prepare(&again);
      s = client.records().ListRecordRevisions(&again, request, page);
    }
    return s;
  };
  if (int rc = ListAll(
          o.paging, &all, [](auto* r) { return r->mutable_change_sets(); }, fetch);
      rc != kExitOk) {
    return rc;
  }
  if (g.structured()) return EmitMessage(g, all);
  grpc::Status cs;
  auto cat = client.FetchCatalog(subject.kind, &cs);
  if (!cat) return ReportRpcError(cs);
  Table t({"REVISION", "TIME", "PRINCIPAL", "SOURCE", "REASON", "CHANGE"});
  for (const auto& set : all.change_sets()) {
    bool first = true;
    auto row = [&](std::string change) {
      if (first) {
        t.AddRow({absl::StrCat(set.revision()), FormatTimestamp(set.commit_time()), set.principal(),
                  set.source(), g.reveal ? set.reason() : RedactPersonalNumbers(set.reason()),
                  std::move(change)});
      } else {
        t.AddRow({"", "", "", "", "", std::move(change)});
      }
      first = false;
    };
    int others = 0;
    for (const auto& c : set.changes()) {
      if (!o.field.empty() && c.field() != o.field) {
        ++others;
        continue;
      }
      const v1::FieldDefinition* def = cat->FindField(c.field());
      std::string old_text =
          c.has_old_value() ? CellValue(def, c.old_value(), false, g.reveal) : "(none)";
      std::string new_text = c.cleared()         ? "(cleared)"
                             : c.has_new_value() ? CellValue(def, c.new_value(), false, g.reveal)
                                                 : "(withheld)";
      row(absl::StrCat(c.field(), ": ", old_text, " -> ", new_text,
                       c.retroactive() ? " (retroactive)" : "",
                       c.source().empty() ? "" : absl::StrCat(" (source ", c.source(), ")")));
    }
    if (others > 0) {
      row(absl::StrCat("(", others, others == 1 ? " other field" : " other fields",
                       " in this change set)"));
    }
    if (set.changes_size() == 0) row("");
  }
  t.Print(std::cout);
  return kExitOk;
}

}  // namespace

void AddRecordCommands(CLI::App& app, const Globals& g, Action* action) {
  CLI::App* rec = app.add_subcommand("record", "one subject's file (一企一档 / 一人一档)");
  rec->require_subcommand(1);
  rec->footer("Example: registryctl record get enterprises/91350400MA2YQ8KX1E");

  auto get = std::make_shared<GetOpts>();
  CLI::App* g_cmd = rec->add_subcommand("get", "read a record, current or as of a time");
  g_cmd->add_option("NAME", get->name, "enterprises/{uscc} or persons/{pid}");
  g_cmd->add_option(
      "--id-number-file", get->id_file,
      "find a person by the ID number in FILE ('-': stdin); never on the command line");
  // One value per --fields (a,b,c): a list flag that took every later word would swallow NAME.
  g_cmd->add_option("--fields", get->fields, "only these catalog fields, comma-separated")
      ->delimiter(',')
      ->allow_extra_args(false);
  auto* rev = g_cmd->add_option("--revision", get->revision, "as of this revision")
                  ->check(IntRange(1, INT64_MAX));
  auto* as_of =
      g_cmd->add_option("--as-of", get->as_of, "what the registry knew at this RFC 3339 time");
  auto* valid = g_cmd->add_option("--valid-at", get->valid_at, "what was in effect on YYYY-MM-DD");
  rev->excludes(as_of)->excludes(valid);
  as_of->excludes(valid);
  g_cmd
      ->add_option("--purpose", get->purpose,
                   "the matter the read serves (default: the data-governance review matter of "
                   "the kind)")
      ->envname("REGISTRYCTL_PURPOSE");
  g_cmd->add_option("--case-id", get->case_id, "the case (办件) recorded with the access");
  g_cmd->footer(
      "Example: registryctl record get --id-number-file id.txt --fields name,mobile_phone "
      "--reveal");
  g_cmd->callback([&g, action, get] { *action = [&g, get] { return RunGet(g, *get); }; });

  auto put = std::make_shared<PutOpts>();
  CLI::App* p_cmd = rec->add_subcommand("put", "write a change set (correction, new values)");
  p_cmd->add_option("NAME", put->name, "enterprises/{uscc} or persons/{pid}");
  p_cmd->add_option("--kind", put->kind, "person: create or find by --id-number-file")
      ->check(OneOf("--kind", {"person"}));
  p_cmd->add_option("--id-number-file", put->id_file,
                    "the person's ID number, from FILE ('-': stdin)");
  p_cmd->add_option("--set", put->set, "field=value in the field's text form (repeatable)")
      ->allow_extra_args(false);
  p_cmd->add_option("--clear", put->clear, "clear a field (repeatable)")->allow_extra_args(false);
  p_cmd->add_option("--source", put->source, "the catalog source vouching for the values")
      ->required();
  p_cmd->add_option("--reason", put->reason, "why (kept in the history)")->required();
  p_cmd->add_option("--valid-from", put->valid_from, "YYYY-MM-DD the values took effect");
  p_cmd->add_option("--expect-revision", put->expect_revision,
                    "write only if the record is still at this revision (0: must not exist)");
  p_cmd->add_option("--matter", put->matter, "the matter the values were collected for");
  p_cmd->add_option("--operator", put->operator_id, "the operator's id at the source");
  p_cmd->add_option("--evidence", put->evidence, "evidence reference (certificate no., case id)");
  p_cmd->add_option("--request-id", put->request_id, "makes a retry safe (idempotency key)");
  p_cmd->footer(
      "Example: registryctl record put enterprises/91350400MA2YQ8KX1E --set "
      "registered_capital=5000 --source market-regulation --reason '变更登记' --expect-revision 3");
  p_cmd->callback([&g, action, put] { *action = [&g, put] { return RunPut(g, *put); }; });

  auto hist = std::make_shared<HistoryOpts>();
  CLI::App* h_cmd = rec->add_subcommand("history", "the record's change sets, newest first");
  h_cmd->add_option("NAME", hist->name, "enterprises/{uscc} or persons/{pid}");
  h_cmd->add_option("--id-number-file", hist->id_file, "find a person by the ID number in FILE");
  h_cmd->add_option("--field", hist->field,
                    "only change sets touching this field, and in the table only its changes");
  h_cmd->add_option("--since", hist->since, "committed at or after this RFC 3339 time");
  h_cmd->add_option("--until", hist->until, "committed at or before this RFC 3339 time");
  AddPageFlags(h_cmd, &hist->paging, "change sets", /*with_page_size=*/true);
  h_cmd->add_flag("--all", hist->all, "every revision (the default; kept for scripts)");
  h_cmd->add_option("--purpose", hist->purpose, "the matter; values are masked without one")
      ->envname("REGISTRYCTL_PURPOSE");
  h_cmd->footer(
      "Example: registryctl record history enterprises/91350400MA2YQ8KX1E --field name --limit 10");
  h_cmd->callback([&g, action, hist] { *action = [&g, hist] { return RunHistory(g, *hist); }; });
}

REGISTRYCTL_COMMAND_GROUP(AddRecordCommands, 30);

}  // namespace collectonce::registryctl
