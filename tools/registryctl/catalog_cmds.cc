// registryctl catalog get|apply
#include <iostream>
#include <memory>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/catalog/catalog.h"
#include "libs/catalog/subject.h"
#include "tools/registryctl/client.h"
#include "tools/registryctl/commands.h"
#include "tools/registryctl/files.h"
#include "tools/registryctl/json_diff.h"
#include "tools/registryctl/output.h"
#include "tools/registryctl/redact.h"

namespace collectonce::registryctl {

namespace {

std::string Lower(absl::string_view s) { return absl::AsciiStrToLower(s); }

int GetCatalog(const Globals& g, const std::string& kind_text) {
  auto kind = catalog::ParseKindName(kind_text);
  if (!kind.ok()) return UsageError(kind.status().message());
  Client client(g, g.registry);
  v1::GetCatalogRequest request;
  request.set_name(absl::StrCat("catalogs/", catalog::KindName(*kind)));
  v1::Catalog cat;
  grpc::ClientContext context;
  client.Prepare(&context);
  grpc::Status s = client.governance().GetCatalog(&context, request, &cat);
  if (!s.ok()) return ReportRpcError(s);
  if (g.structured()) return EmitMessage(g, cat);

  std::cout << cat.name() << "  version " << cat.version() << "  updated "
            << FormatTimestamp(cat.update_time());
  if (!cat.lookup_field().empty()) std::cout << "  lookup field " << cat.lookup_field();
  std::cout << "\n\n";
  Table t({"FIELD", "LABEL", "TYPE", "REQUIRED", "SENSITIVITY", "SHARING", "SOURCES"});
  for (const auto& f : cat.fields()) {
    std::string type = catalog::TypeName(f);
    if (f.type() == v1::CODE) absl::StrAppend(&type, " (", f.code_list(), ")");
    if (f.format() != v1::FIELD_FORMAT_UNSPECIFIED) {
      absl::StrAppend(&type, " ", Lower(v1::FieldFormat_Name(f.format())));
    }
    if (f.deprecated()) absl::StrAppend(&type, " DEPRECATED");
    std::vector<std::string> sources;
    for (const auto& src : f.sources()) {
      sources.push_back(absl::StrCat(src.source(), ":", src.precedence()));
    }
    t.AddRow({f.name(), f.label(), type, f.required() ? "yes" : "",
              Lower(v1::Sensitivity_Name(f.sensitivity())),
              Lower(v1::SharingClass_Name(f.sharing())), absl::StrJoin(sources, " ")});
  }
  t.Print(std::cout);
  if (cat.code_lists_size() > 0) {
    std::vector<std::string> lists;
    for (const auto& cl : cat.code_lists()) {
      lists.push_back(absl::StrCat(cl.name(), " (", cl.codes_size(), ")"));
    }
    std::cout << "\ncode lists: " << absl::StrJoin(lists, ", ") << "\n";
  }
  return kExitOk;
}

int ApplyCatalogs(const Globals& g, const std::string& path, bool dry_run) {
  auto files = ListApplyFiles(path);
  if (!files.ok()) return UsageError(files.status().message());
  Client client(g, g.registry);
  int exit_code = kExitOk;
  Json json = Json::array();
  for (const std::string& file : *files) {
    auto text = ReadFileText(file);
    if (!text.ok()) return UsageError(text.status().message());
    auto parsed = catalog::ParseCatalogText(*text);
    if (!parsed.ok()) {
      std::cerr << RedactPersonalNumbers(file) << ": ";
      if (exit_code == kExitOk) exit_code = kExitUsage;
      UsageError(parsed.status().message());
      continue;
    }
    // The version before: a dry run of an identical catalog returns it unchanged.
    int64_t before = 0;
    v1::Catalog current;
    {
      v1::GetCatalogRequest get;
      get.set_name(absl::StrCat("catalogs/", catalog::KindName(parsed->kind())));
      grpc::ClientContext context;
      client.Prepare(&context);
      if (client.governance().GetCatalog(&context, get, &current).ok()) before = current.version();
    }
    v1::ApplyCatalogRequest request;
    *request.mutable_catalog() = *std::move(parsed);
    request.set_validate_only(dry_run);
    v1::ApplyCatalogResponse response;
    grpc::ClientContext context;
    client.Prepare(&context);
    grpc::Status s = client.governance().ApplyCatalog(&context, request, &response);
    if (!s.ok()) {
      std::cerr << RedactPersonalNumbers(file) << ": "
                << (dry_run ? "validation rejects the catalog\n" : "refused\n");
      int code = ReportRpcError(s);
      if (exit_code == kExitOk) exit_code = code;
      continue;
    }
    // The registry reports every dry run as a change; an identical catalog comes back with
    // the current version, not the next one.
    if (dry_run && before != 0 && response.catalog().version() == before) {
      response.set_changed(false);
      response.clear_added_fields();
      response.clear_deprecated_fields();
    }
    if (g.structured()) {
      json.push_back(MessageJson(response));
      continue;
    }
    const v1::Catalog& c = response.catalog();
    std::cout << RedactPersonalNumbers(file) << ": " << c.name() << " ";
    if (!response.changed()) {
      std::cout << "unchanged at version " << c.version() << "\n";
    } else if (dry_run && before == 0) {
      std::cout << "would be created as version " << c.version() << " (dry run; nothing stored)\n";
    } else if (dry_run) {
      std::cout << "is valid; applying it would make version " << c.version() << " (dry run)\n";
    } else {
      std::cout << (c.version() == 1 ? "created" : "applied") << " as version " << c.version()
                << "\n";
    }
    if (response.added_fields_size() > 0 && response.changed()) {
      std::cout << "  " << (dry_run ? "would add" : "added")
                << " fields: " << absl::StrJoin(response.added_fields(), ", ") << "\n";
    }
    if (response.deprecated_fields_size() > 0 && response.changed()) {
      std::cout << "  " << (dry_run ? "would deprecate" : "deprecated")
                << " fields: " << absl::StrJoin(response.deprecated_fields(), ", ") << "\n";
    }
    if (dry_run && response.changed() && before != 0) {
      v1::Catalog next = response.catalog();
      for (v1::Catalog* c : {&current, &next}) {
        c->clear_version();
        c->clear_update_time();
        c->clear_etag();
      }
      for (const auto& line : JsonDiff(MessageJson(current, /*with_defaults=*/true),
                                       MessageJson(next, /*with_defaults=*/true))) {
        std::cout << "  " << PrintableText(line) << "\n";
      }
    }
  }
  if (!json.empty()) {
    // One file: its response; a directory: {"responses": [...]}.
    const int rc = json.size() == 1 && files->size() == 1
                       ? EmitDocument(g, json[0])
                       : EmitDocument(g, Json{{"responses", std::move(json)}});
    if (exit_code == kExitOk) exit_code = rc;
  }
  return exit_code;
}

}  // namespace

void AddCatalogCommands(CLI::App& app, const Globals& g, Action* action) {
  CLI::App* cat = app.add_subcommand("catalog", "the data catalog (数据目录) of a subject kind");
  cat->require_subcommand(1);
  cat->footer("Example: registryctl catalog get person");

  auto kind = std::make_shared<std::string>();
  CLI::App* get = cat->add_subcommand("get", "show the current catalog of KIND");
  get->add_option("KIND", *kind, "enterprise or person")->required();
  get->footer("Example: registryctl catalog get enterprise -o json");
  get->callback([&g, action, kind] { *action = [&g, kind] { return GetCatalog(g, *kind); }; });

  struct ApplyOpts {
    std::string file;
    bool dry_run = false;
  };
  auto opts = std::make_shared<ApplyOpts>();
  CLI::App* apply = cat->add_subcommand(
      "apply", "apply a catalog in protobuf text format (or every *.txtpb in a directory)");
  apply->add_option("-f,--file", opts->file, "catalog file or directory")->required();
  apply->add_flag("--dry-run", opts->dry_run, "validate and show what would change; store nothing");
  apply->footer(
      "Example: registryctl catalog apply -f deploy/examples/catalog/person.txtpb --dry-run");
  apply->callback([&g, action, opts] {
    *action = [&g, opts] { return ApplyCatalogs(g, opts->file, opts->dry_run); };
  });
}

REGISTRYCTL_COMMAND_GROUP(AddCatalogCommands, 10);

}  // namespace collectonce::registryctl
