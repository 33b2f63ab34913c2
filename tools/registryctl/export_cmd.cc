// registryctl export: every record of a kind as JSON Lines, in the text form `import` reads.
//
// The records come from ListRecords, page after page in key order. The first page fixes
// the moment read (--as-of, or the registry's newest commit), every later page is read as
// of that same moment, and the listing ends when the registry says it has no next page:
// the export is one consistent snapshot even while others write, and the same data
// exports byte for byte the same.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/catalog/subject.h"
#include "libs/catalog/value_text.h"
#include "tools/registryctl/client.h"
#include "tools/registryctl/commands.h"
#include "tools/registryctl/flag_values.h"
#include "tools/registryctl/output.h"
#include "tools/registryctl/progress.h"

namespace collectonce::registryctl {

namespace {

struct ExportOpts {
  std::string kind, as_of, purpose;
};

// One record as a JSON object: "uscc" first for enterprises, then the catalog's fields in
// catalog order, values in their text form.
absl::StatusOr<std::string> RecordLine(const catalog::Catalog& cat, const v1::Record& record) {
  if (record.withheld_fields_size() > 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the purpose does not release ", absl::StrJoin(record.withheld_fields(), ", "),
        " to this principal; an export needs every field (use a purpose that covers the whole "
        "catalog)"));
  }
  Json line = Json::object();
  auto add = [&](absl::string_view key, std::string value) {
    line[std::string(key)] = std::move(value);
  };
  if (record.kind() == v1::ENTERPRISE || absl::StartsWith(record.name(), "enterprises/")) {
    add("uscc", record.name().substr(std::string("enterprises/").size()));
  }
  for (const auto& def : cat.proto().fields()) {
    if (def.deprecated()) continue;
    for (const auto& f : record.fields()) {
      if (f.field() != def.name()) continue;
      if (f.masked()) {
        return absl::PermissionDeniedError(
            absl::StrCat("the registry masked ", f.field(), " of ", record.name(),
                         " for this principal and purpose; an export needs every value in clear (a "
                         "governance grant for the purpose)"));
      }
      add(def.name(), catalog::FormatValue(f.value()));
    }
  }
  // One compact line: the JSON Lines that `import` reads back.
  return line.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

int RunExport(const Globals& g, const ExportOpts& o) {
  auto kind = catalog::ParseKindName(o.kind);
  if (!kind.ok()) return UsageError(kind.status().message());
  // JSON Lines are what import reads: -o table (the default) and -o json give them, -o name
  // the records' names, one a line; a YAML export would not read back.
  if (g.format() == OutputFormat::kYaml) {
    return UsageError("export writes JSON Lines (what import reads): give -o json or -o name");
  }
  const bool names_only = g.format() == OutputFormat::kName;
  v1::ListRecordsRequest request;
  request.set_parent(*kind == v1::ENTERPRISE ? "enterprises" : "persons");
  request.set_page_size(1000);
  v1::ReadOptions* options = request.mutable_options();
  if (!o.as_of.empty()) {
    auto t = ParseTimestampFlag("--as-of", o.as_of);
    if (!t.ok()) return UsageError(t.status().message());
    *options->mutable_commit_time() = *t;
  }
  Client client(g, g.registry);
  grpc::Status cs;
  auto cat = client.FetchCatalog(*kind, &cs);
  if (!cat) return ReportRpcError(cs);

  options->set_purpose(o.purpose.empty() ? DefaultPurpose(*kind)
                                         : WithCollection("matters", o.purpose));
  // Ask for every field by name, so that the registry says which ones the purpose withholds
  // (an export missing a field would not round-trip).
  int live_fields = 0;
  for (const auto& def : cat->proto().fields()) live_fields += def.deprecated() ? 0 : 1;
  if (live_fields <= 200) {
    for (const auto& def : cat->proto().fields()) {
      if (!def.deprecated()) options->mutable_read_mask()->add_paths(def.name());
    }
  }

  const auto start = std::chrono::steady_clock::now();
  Progress progress("exporting", 0);
  int64_t written = 0;
  google::protobuf::Timestamp read_time;
  for (;;) {
    v1::ListRecordsResponse response;
    grpc::ClientContext context;
    client.Prepare(&context);
    grpc::Status s = client.records().ListRecords(&context, request, &response);
    if (!s.ok()) return ReportRpcError(s);
    read_time = response.read_time();
    std::string chunk;
    for (const auto& record : response.records()) {
      if (names_only) {
        absl::StrAppend(&chunk, record.name(), "\n");
        continue;
      }
      auto line = RecordLine(*cat, record);
      if (!line.ok()) return InternalFailure(line.status().message());
      chunk += *line;
    }
    if (std::fwrite(chunk.data(), 1, chunk.size(), stdout) != chunk.size()) {
      return InternalFailure("cannot write to standard output");
    }
    written += response.records_size();
    progress.Update(written);
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  progress.Done();
  if (std::fflush(stdout) != 0) return InternalFailure("cannot write to standard output");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << absl::StrFormat("export: %d %s records as of %s in %.1f s\n", written,
                               catalog::KindName(*kind), FormatTimestamp(read_time), seconds);
  return kExitOk;
}

}  // namespace

void AddExportCommand(CLI::App& app, const Globals& g, Action* action) {
  auto o = std::make_shared<ExportOpts>();
  CLI::App* cmd = app.add_subcommand(
      "export",
      "every record of a kind as JSON Lines on stdout (what import reads back); -o name: names");
  cmd->add_option("--kind", o->kind, "enterprise or person")->required();
  cmd->add_option("--as-of", o->as_of, "what the registry knew at this RFC 3339 time");
  cmd->add_option("--purpose", o->purpose,
                  "the matter the reads serve (default: the data-governance review matter)")
      ->envname("REGISTRYCTL_PURPOSE");
  cmd->footer("Example: registryctl export --kind person > persons.jsonl");
  cmd->callback([&g, action, o] { *action = [&g, o] { return RunExport(g, *o); }; });
}

REGISTRYCTL_COMMAND_GROUP(AddExportCommand, 41);

}  // namespace collectonce::registryctl
