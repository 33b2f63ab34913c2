// registryctl matter|bundle|principal|evidence-type list|get|apply: the governance objects,
// one template over the four kinds.
#include <iostream>
#include <memory>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/registryctl/client.h"
#include "tools/registryctl/commands.h"
#include "tools/registryctl/files.h"
#include "tools/registryctl/flag_values.h"
#include "tools/registryctl/json_diff.h"
#include "tools/registryctl/output.h"
#include "tools/registryctl/paging.h"
#include "tools/registryctl/redact.h"

namespace collectonce::registryctl {

namespace {

using Stub = v1::GovernanceService::Stub;

std::string Lower(absl::string_view s) { return absl::AsciiStrToLower(s); }

std::string Roles(const v1::Principal& p) {
  std::vector<std::string> roles;
  for (int r : p.roles()) roles.push_back(Lower(v1::Role_Name(static_cast<v1::Role>(r))));
  return absl::StrJoin(roles, ",");
}

// Key-value tables print without their (empty) header line.
void PrintKeyValueTable(const Table& t, std::ostream& out) {
  std::stringstream ss;
  t.Print(ss);
  std::string text = ss.str();
  auto nl = text.find('\n');
  out << (nl == std::string::npos ? text : text.substr(nl + 1));
}

struct MatterKind {
  using Stub = v1::GovernanceService::Stub;
  static Stub& StubOf(Client& c) { return c.governance(); }
  using T = v1::Matter;
  using ListResponse = v1::ListMattersResponse;
  static constexpr const char* kNoun = "matter";
  static constexpr const char* kCollection = "matters";
  static grpc::Status List(Stub& s, grpc::ClientContext* c, int32_t size, const std::string& token,
                           ListResponse* r) {
    v1::ListMattersRequest q;
    q.set_page_size(size);
    q.set_page_token(token);
    return s.ListMatters(c, q, r);
  }
  static auto* Items(ListResponse* r) { return r->mutable_matters(); }
  static grpc::Status Get(Stub& s, grpc::ClientContext* c, const std::string& name, T* out) {
    v1::GetMatterRequest q;
    q.set_name(name);
    return s.GetMatter(c, q, out);
  }
  static grpc::Status Apply(Stub& s, grpc::ClientContext* c, const T& m, bool dry, T* out) {
    v1::ApplyMatterRequest q;
    *q.mutable_matter() = m;
    q.set_validate_only(dry);
    return s.ApplyMatter(c, q, out);
  }
  static Table ListTable() {
    return Table({"NAME", "TITLE", "DEPARTMENT", "KIND", "FIELDS", "VERSION"});
  }
  static std::vector<std::string> Row(const T& m) {
    return {m.name(),
            m.title(),
            m.department(),
            Lower(v1::SubjectKind_Name(m.subject_kind())),
            absl::StrCat(m.form_fields_size()),
            absl::StrCat(m.version())};
  }
  static void Show(const T& m, std::ostream& out) {
    Table head({"", ""});
    head.AddRow({"name", m.name()});
    head.AddRow({"title", m.title()});
    head.AddRow({"department", m.department()});
    head.AddRow({"subject kind", Lower(v1::SubjectKind_Name(m.subject_kind()))});
    head.AddRow({"purpose", m.purpose()});
    head.AddRow({"legal basis", m.legal_basis()});
    head.AddRow({"source", m.source()});
    head.AddRow(
        {"version", absl::StrCat(m.version(), "  updated ", FormatTimestamp(m.update_time()))});
    PrintKeyValueTable(head, out);
    out << "\n";
    Table t({"KEY", "LABEL", "CATALOG FIELD", "USE", "REQUIRED", "WRITE BACK"});
    for (const auto& f : m.form_fields()) {
      t.AddRow({f.key(), f.label(), f.catalog_field(), Lower(v1::FormField::Use_Name(f.use())),
                f.required() ? "yes" : "", f.write_back() ? "yes" : ""});
    }
    t.Print(out);
  }
};

struct BundleKind {
  using Stub = v1::GovernanceService::Stub;
  static Stub& StubOf(Client& c) { return c.governance(); }
  using T = v1::Bundle;
  using ListResponse = v1::ListBundlesResponse;
  static constexpr const char* kNoun = "bundle";
  static constexpr const char* kCollection = "bundles";
  static grpc::Status List(Stub& s, grpc::ClientContext* c, int32_t size, const std::string& token,
                           ListResponse* r) {
    v1::ListBundlesRequest q;
    q.set_page_size(size);
    q.set_page_token(token);
    return s.ListBundles(c, q, r);
  }
  static auto* Items(ListResponse* r) { return r->mutable_bundles(); }
  static grpc::Status Get(Stub& s, grpc::ClientContext* c, const std::string& name, T* out) {
    v1::GetBundleRequest q;
    q.set_name(name);
    return s.GetBundle(c, q, out);
  }
  static grpc::Status Apply(Stub& s, grpc::ClientContext* c, const T& b, bool dry, T* out) {
    v1::ApplyBundleRequest q;
    *q.mutable_bundle() = b;
    q.set_validate_only(dry);
    return s.ApplyBundle(c, q, out);
  }
  static Table ListTable() { return Table({"NAME", "TITLE", "MATTERS", "VERSION"}); }
  static std::vector<std::string> Row(const T& b) {
    return {b.name(), b.title(), absl::StrCat(b.matters_size()), absl::StrCat(b.version())};
  }
  static void Show(const T& b, std::ostream& out) {
    Table head({"", ""});
    head.AddRow({"name", b.name()});
    head.AddRow({"title", b.title()});
    head.AddRow({"description", b.description()});
    head.AddRow(
        {"version", absl::StrCat(b.version(), "  updated ", FormatTimestamp(b.update_time()))});
    PrintKeyValueTable(head, out);
    out << "\n";
    Table t({"#", "MATTER"});
    for (int i = 0; i < b.matters_size(); ++i) t.AddRow({absl::StrCat(i + 1), b.matters(i)});
    t.Print(out);
  }
};

struct PrincipalKind {
  using Stub = v1::GovernanceService::Stub;
  static Stub& StubOf(Client& c) { return c.governance(); }
  using T = v1::Principal;
  using ListResponse = v1::ListPrincipalsResponse;
  static constexpr const char* kNoun = "principal";
  static constexpr const char* kCollection = "principals";
  static grpc::Status List(Stub& s, grpc::ClientContext* c, int32_t size, const std::string& token,
                           ListResponse* r) {
    v1::ListPrincipalsRequest q;
    q.set_page_size(size);
    q.set_page_token(token);
    return s.ListPrincipals(c, q, r);
  }
  static auto* Items(ListResponse* r) { return r->mutable_principals(); }
  static grpc::Status Get(Stub& s, grpc::ClientContext* c, const std::string& name, T* out) {
    v1::GetPrincipalRequest q;
    q.set_name(name);
    return s.GetPrincipal(c, q, out);
  }
  static grpc::Status Apply(Stub& s, grpc::ClientContext* c, const T& p, bool dry, T* out) {
    v1::ApplyPrincipalRequest q;
    *q.mutable_principal() = p;
    q.set_validate_only(dry);
    return s.ApplyPrincipal(c, q, out);
  }
  static Table ListTable() {
    return Table({"NAME", "IDENTITY", "DISPLAY NAME", "ROLES", "GRANTS", "VERSION"});
  }
  static std::vector<std::string> Row(const T& p) {
    return {p.name(),
            p.identity(),
            p.display_name(),
            Roles(p),
            absl::StrCat(p.grants_size()),
            absl::StrCat(p.version())};
  }
  static void Show(const T& p, std::ostream& out) {
    Table head({"", ""});
    head.AddRow({"name", p.name()});
    head.AddRow({"identity", p.identity()});
    head.AddRow({"display name", p.display_name()});
    head.AddRow({"roles", Roles(p)});
    head.AddRow({"source", p.source()});
    head.AddRow(
        {"version", absl::StrCat(p.version(), "  updated ", FormatTimestamp(p.update_time()))});
    PrintKeyValueTable(head, out);
    out << "\n";
    Table t({"MATTER", "CLEAR FIELDS", "WRITE BACK"});
    for (const auto& gr : p.grants()) {
      t.AddRow(
          {gr.matter(),
           gr.clear_fields_size() == 0 ? "(per matter)" : absl::StrJoin(gr.clear_fields(), ","),
           gr.write_back() ? "yes" : ""});
    }
    t.Print(out);
  }
};

struct EvidenceTypeKind {
  using Stub = v1::EvidenceService::Stub;
  static Stub& StubOf(Client& c) { return c.evidence(); }
  using T = v1::EvidenceType;
  using ListResponse = v1::ListEvidenceTypesResponse;
  static constexpr const char* kNoun = "evidence-type";
  static constexpr const char* kCollection = "evidence-types";
  static grpc::Status List(Stub& s, grpc::ClientContext* c, int32_t size, const std::string& token,
                           ListResponse* r) {
    v1::ListEvidenceTypesRequest q;
    q.set_page_size(size);
    q.set_page_token(token);
    return s.ListEvidenceTypes(c, q, r);
  }
  static auto* Items(ListResponse* r) { return r->mutable_evidence_types(); }
  static grpc::Status Get(Stub& s, grpc::ClientContext* c, const std::string& name, T* out) {
    v1::GetEvidenceTypeRequest q;
    q.set_name(name);
    return s.GetEvidenceType(c, q, out);
  }
  static grpc::Status Apply(Stub& s, grpc::ClientContext* c, const T& t, bool dry, T* out) {
    v1::ApplyEvidenceTypeRequest q;
    *q.mutable_evidence_type() = t;
    q.set_validate_only(dry);
    return s.ApplyEvidenceType(c, q, out);
  }
  static std::string Validity(const T& t) {
    const int64_t s = t.validity().seconds();
    return s % 86400 == 0 ? absl::StrCat(s / 86400, "d") : absl::StrCat(s, "s");
  }
  static Table ListTable() {
    return Table({"NAME", "TITLE", "KIND", "FIELDS", "VALIDITY", "VERSION"});
  }
  static std::vector<std::string> Row(const T& t) {
    return {t.name(),
            t.title(),
            Lower(v1::SubjectKind_Name(t.subject_kind())),
            absl::StrJoin(t.fields(), ","),
            Validity(t),
            absl::StrCat(t.version())};
  }
  static void Show(const T& t, std::ostream& out) {
    Table head({"", ""});
    head.AddRow({"name", t.name()});
    head.AddRow({"title", t.title()});
    head.AddRow({"subject kind", Lower(v1::SubjectKind_Name(t.subject_kind()))});
    head.AddRow({"fields", absl::StrJoin(t.fields(), ",")});
    head.AddRow({"legal basis", t.legal_basis()});
    head.AddRow({"validity", Validity(t)});
    head.AddRow({"selective disclosure", t.selective_disclosure() ? "yes" : "no"});
    head.AddRow({"partial credentials", t.allow_partial() ? "yes" : "no"});
    head.AddRow(
        {"version", absl::StrCat(t.version(), "  updated ", FormatTimestamp(t.update_time()))});
    PrintKeyValueTable(head, out);
    out << "\n";
    Table r({"PRINCIPAL", "MATTERS"});
    for (const auto& q : t.requesters()) r.AddRow({q.principal(), absl::StrJoin(q.matters(), ",")});
    r.Print(out);
  }
};

// "data-governance-review-person" -> "matters/data-governance-review-person".
template <typename K>
std::string FullName(const std::string& name) {
  const std::string prefix = absl::StrCat(K::kCollection, "/");
  return absl::StartsWith(name, prefix) ? name : prefix + name;
}

template <typename K>
int List(const Globals& g, const PageFlags& paging) {
  Client client(g, g.registry);
  typename K::ListResponse all;
  int rc = ListAll(
      paging, &all, [](auto* r) { return K::Items(r); },
      [&](int32_t size, const std::string& token, typename K::ListResponse* page) {
        grpc::ClientContext context;
        client.Prepare(&context);
        return K::List(K::StubOf(client), &context, size, token, page);
      });
  if (rc != kExitOk) return rc;
  if (g.structured()) return EmitMessage(g, all);
  Table t = K::ListTable();
  for (const auto& item : *K::Items(&all)) t.AddRow(K::Row(item));
  t.Print(std::cout);
  return kExitOk;
}

template <typename K>
int Get(const Globals& g, const std::string& name) {
  Client client(g, g.registry);
  typename K::T item;
  grpc::ClientContext context;
  client.Prepare(&context);
  grpc::Status s = K::Get(K::StubOf(client), &context, FullName<K>(name), &item);
  if (!s.ok()) return ReportRpcError(s);
  if (g.structured()) return EmitMessage(g, item);
  K::Show(item, std::cout);
  return kExitOk;
}

template <typename K>
int Apply(const Globals& g, const std::string& path, bool dry_run) {
  auto files = ListApplyFiles(path);
  if (!files.ok()) return UsageError(files.status().message());
  Client client(g, g.registry);
  int exit_code = kExitOk;
  Json json = Json::array();
  for (const std::string& file : *files) {
    auto text = ReadFileText(file);
    if (!text.ok()) return UsageError(text.status().message());
    typename K::T item;
    if (auto st = ParseTextProto(*text, &item); !st.ok()) {
      std::cerr << RedactPersonalNumbers(file) << ": ";
      UsageError(st.message());
      if (exit_code == kExitOk) exit_code = kExitUsage;
      continue;
    }
    // The version before, to tell created, applied and unchanged apart.
    int64_t before = 0;
    typename K::T old;
    {
      grpc::ClientContext context;
      client.Prepare(&context);
      grpc::Status s = K::Get(K::StubOf(client), &context, item.name(), &old);
      if (s.ok()) {
        before = old.version();
      } else if (s.error_code() != grpc::StatusCode::NOT_FOUND &&
                 s.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
        std::cerr << RedactPersonalNumbers(file) << ": refused\n";
        int code = ReportRpcError(s);
        if (exit_code == kExitOk) exit_code = code;
        continue;
      }
    }
    typename K::T applied;
    grpc::ClientContext context;
    client.Prepare(&context);
    grpc::Status s = K::Apply(K::StubOf(client), &context, item, dry_run, &applied);
    if (!s.ok()) {
      std::cerr << RedactPersonalNumbers(file) << ": "
                << (dry_run ? "validation rejects the " : "refused: the ") << K::kNoun << "\n";
      int code = ReportRpcError(s);
      if (exit_code == kExitOk) exit_code = code;
      continue;
    }
    // What applying it would do, field by field (output-only members aside).
    std::vector<std::string> diff;
    if (dry_run) {
      old.clear_version();
      old.clear_update_time();
      old.clear_etag();
      diff = JsonDiff(MessageJson(old, /*with_defaults=*/true),
                      MessageJson(applied, /*with_defaults=*/true));
    }
    if (g.structured()) {
      Json doc = MessageJson(applied);
      if (dry_run) {
        // The object as it would be stored, and what storing it would do to it.
        doc["dryRun"] = Json{{"status", before == 0    ? "create"
                                        : diff.empty() ? "unchanged"
                                                       : "change"}};
        if (before != 0 && !diff.empty()) doc["dryRun"]["changes"] = diff;
      }
      json.push_back(std::move(doc));
      continue;
    }
    std::cout << RedactPersonalNumbers(file) << ": " << applied.name() << " ";
    if (dry_run) {
      if (before == 0) {
        std::cout << "would be created (dry run; nothing stored)\n";
      } else if (diff.empty()) {
        std::cout << "unchanged at version " << before << " (dry run)\n";
      } else {
        std::cout << "would change from version " << before << " (dry run; nothing stored):\n";
        for (const auto& line : diff) std::cout << "  " << PrintableText(line) << "\n";
      }
    } else if (before == 0) {
      std::cout << "created as version " << applied.version() << "\n";
    } else if (applied.version() == before) {
      std::cout << "unchanged at version " << applied.version() << "\n";
    } else {
      std::cout << "applied as version " << applied.version() << "\n";
    }
  }
  if (!json.empty()) {
    // One file: the object; a directory: {"items": [...]} (so that -o name lists them).
    const int rc = files->size() == 1 ? EmitDocument(g, json[0])
                                      : EmitDocument(g, Json{{"items", std::move(json)}});
    if (exit_code == kExitOk) exit_code = rc;
  }
  return exit_code;
}

template <typename K>
void AddKind(CLI::App& app, const Globals& g, Action* action, const std::string& help,
             const std::string& example_name, const std::string& example_dir) {
  const std::string noun = K::kNoun;
  CLI::App* cmd = app.add_subcommand(noun, help);
  cmd->require_subcommand(1);
  cmd->footer(absl::StrCat("Example: registryctl ", noun, " list"));

  auto paging = std::make_shared<PageFlags>();
  CLI::App* list = cmd->add_subcommand("list", absl::StrCat("list every ", noun));
  AddPageFlags(list, paging.get(), absl::StrCat(noun, "s"));
  list->footer(absl::StrCat("Example: registryctl ", noun, " list -o name"));
  list->callback([&g, action, paging] { *action = [&g, paging] { return List<K>(g, *paging); }; });

  auto name = std::make_shared<std::string>();
  CLI::App* get = cmd->add_subcommand("get", absl::StrCat("show one ", noun));
  get->add_option("NAME", *name, absl::StrCat(K::kCollection, "/{id} or just the id"))->required();
  get->footer(absl::StrCat("Example: registryctl ", noun, " get ", example_name));
  get->callback([&g, action, name] { *action = [&g, name] { return Get<K>(g, *name); }; });

  struct ApplyOpts {
    std::string file;
    bool dry_run = false;
  };
  auto opts = std::make_shared<ApplyOpts>();
  CLI::App* apply = cmd->add_subcommand(
      "apply", absl::StrCat("apply a ", noun,
                            " in protobuf text format, or every *.txtpb in a directory (sorted)"));
  apply->add_option("-f,--file", opts->file, "file or directory")->required();
  apply->add_flag("--dry-run", opts->dry_run, "validate only; store nothing");
  apply->footer(absl::StrCat("Example: registryctl ", noun, " apply -f ", example_dir));
  apply->callback([&g, action, opts] {
    *action = [&g, opts] { return Apply<K>(g, opts->file, opts->dry_run); };
  });
}

}  // namespace

void AddGovernanceCommands(CLI::App& app, const Globals& g, Action* action) {
  AddKind<MatterKind>(app, g, action, "matters (事项): one department's form and purpose",
                      "data-governance-review-person", "deploy/examples/matters");
  AddKind<BundleKind>(app, g, action, "bundles (一件事): several matters handled as one",
                      "enterprise-info-change", "deploy/examples/bundles");
  AddKind<PrincipalKind>(app, g, action, "principals: calling systems, their roles and grants",
                         "registryctl", "deploy/examples/principals");
  AddKind<EvidenceTypeKind>(
      app, g, action, "evidence types (证明事项): signed evidence that replaces a certificate",
      "marital-status", "deploy/examples/evidence-types");
}

REGISTRYCTL_COMMAND_GROUP(AddGovernanceCommands, 20);

}  // namespace collectonce::registryctl
