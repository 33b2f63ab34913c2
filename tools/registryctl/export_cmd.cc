// registryctl export: every record of a kind as JSON Lines, in the text form `import` reads.
//
// The registry has no "list records" call, so the subjects come from WatchChanges: the
// change sets of the kind from sequence 0 on. The watch never says that it has caught up,
// so the walk ends when either
//   - a change set committed after --as-of arrives (commit times strictly increase with
//     the sequence, so every earlier one has been seen: exact), or
//   - no message has come for --idle-timeout (the backlog is sent as fast as the client
//     reads it, so a pause means the end on a healthy registry: a heuristic).
// The records are then read with BatchGetRecords (1,000 per call, sorted by name) as of one
// commit time — --as-of, or the newest change set seen — so that the export is a consistent
// snapshot even while others write, and the same data exports byte for byte the same.
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
#include "tools/registryctl/flag_values.h"
#include "tools/registryctl/output.h"
#include "tools/registryctl/progress.h"

namespace collectonce::registryctl {

namespace {

struct ExportOpts {
  std::string kind, as_of, purpose;
  double idle_timeout = 2.0;
};

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

// What the watch found.
struct Subjects {
  std::vector<std::string> names;  // sorted
  google::protobuf::Timestamp newest;  // commit time of the newest change set taken
  int64_t newest_sequence = 0;
  // The walk ended on a change set after --as-of (not on the idle timeout).
  bool ended_past_as_of = false;
};

// Walks WatchChanges as described at the top of the file. Returns an exit code on failure.
std::optional<int> CollectSubjects(Client& client, v1::SubjectKind kind,
                                   const std::optional<google::protobuf::Timestamp>& as_of,
                                   double idle_timeout, Subjects* out) {
  grpc::ClientContext context;
  client.PrepareStream(&context);
  v1::WatchChangesRequest request;
  request.set_after_sequence(0);
  request.set_kind(kind);
  std::unique_ptr<grpc::ClientReader<v1::WatchChangesResponse>> reader =
      client.records().WatchChanges(&context, request);

  std::mutex mu;
  std::condition_variable cv;
  absl::flat_hash_set<std::string> names;
  bool past_as_of = false, ended = false;
  auto last_message = std::chrono::steady_clock::now();
  std::thread thread([&] {
    v1::WatchChangesResponse response;
    while (reader->Read(&response)) {
      std::lock_guard<std::mutex> lock(mu);
      last_message = std::chrono::steady_clock::now();
      for (const auto& cs : response.change_sets()) {
        if (as_of && Micros(cs.commit_time()) > Micros(*as_of)) {
          past_as_of = true;
          break;
        }
        names.insert(cs.subject());
        out->newest = cs.commit_time();
        out->newest_sequence = cs.commit_sequence();
      }
      cv.notify_all();
      if (past_as_of) break;
    }
    std::lock_guard<std::mutex> lock(mu);
    ended = true;
    cv.notify_all();
  });

  Progress progress("collecting subjects", 0);
  const auto idle = std::chrono::milliseconds(static_cast<int64_t>(idle_timeout * 1000));
  {
    std::unique_lock<std::mutex> lock(mu);
    while (!past_as_of && !ended && std::chrono::steady_clock::now() - last_message < idle) {
      cv.wait_for(lock, std::chrono::milliseconds(100));
      progress.Update(static_cast<int64_t>(names.size()));
    }
  }
  progress.Done();
  context.TryCancel();
  thread.join();
  grpc::Status s = reader->Finish();
  {
    std::lock_guard<std::mutex> lock(mu);
    // The stream only ends by itself on an error; our own cancel is the normal end.
    if (ended && !past_as_of && !s.ok() && s.error_code() != grpc::StatusCode::CANCELLED) {
      return ReportRpcError(s);
    }
    out->names.assign(names.begin(), names.end());
    out->ended_past_as_of = past_as_of;
  }
  std::sort(out->names.begin(), out->names.end());
  return std::nullopt;
}

// One record as a JSON object: "uscc" first for enterprises, then the catalog's fields in
// catalog order, values in their text form.
absl::StatusOr<std::string> RecordLine(const catalog::Catalog& cat, const v1::Record& record) {
  if (record.withheld_fields_size() > 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the purpose does not release ", absl::StrJoin(record.withheld_fields(), ", "),
        " to this principal; an export needs every field (use a purpose that covers the whole "
        "catalog)"));
  }
  std::string line = "{";
  bool first = true;
  auto add = [&](absl::string_view key, absl::string_view value) {
    if (!first) line += ",";
    first = false;
    absl::StrAppend(&line, JsonQuote(key), ":", JsonQuote(value));
  };
  if (record.kind() == v1::ENTERPRISE || absl::StartsWith(record.name(), "enterprises/")) {
    add("uscc", absl::string_view(record.name()).substr(std::string("enterprises/").size()));
  }
  for (const auto& def : cat.proto().fields()) {
    if (def.deprecated()) continue;
    for (const auto& f : record.fields()) {
      if (f.field() != def.name()) continue;
      if (f.masked()) {
        return absl::PermissionDeniedError(absl::StrCat(
            "the registry masked ", f.field(), " of ", record.name(),
            " for this principal and purpose; an export needs every value in clear (a "
            "governance grant for the purpose)"));
      }
      add(def.name(), catalog::FormatValue(f.value()));
    }
  }
  line += "}\n";
  return line;
}

int RunExport(const Globals& g, const ExportOpts& o) {
  auto kind = catalog::ParseKindName(o.kind);
  if (!kind.ok()) return UsageError(kind.status().message());
  std::optional<google::protobuf::Timestamp> as_of;
  if (!o.as_of.empty()) {
    auto t = ParseTimestampFlag("--as-of", o.as_of);
    if (!t.ok()) return UsageError(t.status().message());
    as_of = *t;
  }
  Client client(g, g.registry);
  grpc::Status cs;
  auto cat = client.FetchCatalog(*kind, &cs);
  if (!cat) return ReportRpcError(cs);

  const auto start = std::chrono::steady_clock::now();
  Subjects subjects;
  if (auto code = CollectSubjects(client, *kind, as_of, o.idle_timeout, &subjects)) return *code;
  const google::protobuf::Timestamp snapshot = as_of ? *as_of : subjects.newest;
  const auto collected = std::chrono::steady_clock::now();

  v1::ReadOptions options;
  options.set_purpose(o.purpose.empty() ? DefaultPurpose(*kind) : WithCollection("matters", o.purpose));
  *options.mutable_commit_time() = snapshot;
  // Ask for every field by name, so that the registry says which ones the purpose withholds
  // (an export missing a field would not round-trip).
  int live_fields = 0;
  for (const auto& def : cat->proto().fields()) live_fields += def.deprecated() ? 0 : 1;
  if (live_fields <= 200) {
    for (const auto& def : cat->proto().fields()) {
      if (!def.deprecated()) options.mutable_read_mask()->add_paths(def.name());
    }
  }
  constexpr int kChunk = 1000;
  const int64_t total = static_cast<int64_t>(subjects.names.size());
  auto fetch = [&](int64_t begin) {
    v1::BatchGetRecordsRequest request;
    *request.mutable_options() = options;
    for (int64_t i = begin; i < std::min(total, begin + kChunk); ++i) {
      request.add_names(subjects.names[i]);
    }
    auto response = std::make_unique<v1::BatchGetRecordsResponse>();
    grpc::ClientContext context;
    client.Prepare(&context);
    grpc::Status s = client.records().BatchGetRecords(&context, request, response.get());
    return std::make_pair(s, std::move(response));
  };
  // Several calls in flight (the registry records an access event per record read, and
  // groups concurrent ones into one commit); written in order. A future from std::async
  // waits for its call when destroyed, so an early return leaves nothing running.
  constexpr int kInFlight = 4;
  Progress progress("exporting", total);
  std::deque<std::future<std::pair<grpc::Status, std::unique_ptr<v1::BatchGetRecordsResponse>>>>
      pending;
  int64_t next = 0;
  auto launch = [&] {
    while (next < total && static_cast<int>(pending.size()) < kInFlight) {
      pending.push_back(std::async(std::launch::async, fetch, next));
      next += kChunk;
    }
  };
  launch();
  int64_t written = 0;
  while (!pending.empty()) {
    auto [status, response] = pending.front().get();
    pending.pop_front();
    launch();
    if (!status.ok()) return ReportRpcError(status);
    std::string chunk;
    for (const auto& record : response->records()) {
      auto line = RecordLine(*cat, record);
      if (!line.ok()) return InternalFailure(line.status().message());
      chunk += *line;
    }
    if (std::fwrite(chunk.data(), 1, chunk.size(), stdout) != chunk.size()) {
      return InternalFailure("cannot write to standard output");
    }
    written += response->records_size();
    progress.Update(written);
  }
  progress.Done();
  if (std::fflush(stdout) != 0) return InternalFailure("cannot write to standard output");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double collect_seconds = std::chrono::duration<double>(collected - start).count();
  std::cerr << absl::StrFormat(
      "export: %d %s records as of %s in %.1f s (change feed %.1f s, of which %.1f s idle "
      "wait; reads %.1f s)\n",
      written, catalog::KindName(*kind),
      total == 0 ? std::string("(none)") : FormatTimestamp(snapshot), seconds, collect_seconds,
      as_of && subjects.ended_past_as_of ? 0.0 : o.idle_timeout, seconds - collect_seconds);
  return kExitOk;
}

}  // namespace

void AddExportCommand(CLI::App& app, const Globals& g, Action* action) {
  auto o = std::make_shared<ExportOpts>();
  CLI::App* cmd = app.add_subcommand(
      "export", "every record of a kind as JSON Lines on stdout (what import reads back)");
  cmd->add_option("--kind", o->kind, "enterprise or person")->required();
  cmd->add_option("--as-of", o->as_of, "what the registry knew at this RFC 3339 time");
  cmd->add_option("--purpose", o->purpose,
                  "the matter the reads serve (default: the data-governance review matter)")
      ->envname("REGISTRYCTL_PURPOSE");
  cmd->add_option("--idle-timeout", o->idle_timeout,
                  "seconds without news from the change feed after which it is taken as read "
                  "to the end")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  cmd->footer("Example: registryctl export --kind person > persons.jsonl");
  cmd->callback([&g, action, o] { *action = [&g, o] { return RunExport(g, *o); }; });
}

}  // namespace collectonce::registryctl
