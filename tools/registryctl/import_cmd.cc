// registryctl import: validate a whole CSV or JSON Lines file against the registry's
// catalog, then read it again and send it with BatchUpdateRecords, several batches in
// flight. Neither reading holds the file: memory does not grow with its length.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "libs/catalog/subject.h"
#include "libs/catalog/value_text.h"
#include "tools/registryctl/client.h"
#include "tools/registryctl/commands.h"
#include "tools/registryctl/file_rows.h"
#include "tools/registryctl/files.h"
#include "tools/registryctl/flag_values.h"
#include "tools/registryctl/import_rows.h"
#include "tools/registryctl/output.h"
#include "tools/registryctl/progress.h"
#include "tools/registryctl/redact.h"

namespace collectonce::registryctl {

namespace {

struct ImportOpts {
  std::string kind, file, source = "data-governance", format, report, reason, valid_from;
  bool dry_run = false, skip_invalid = false;
  int batch = 500;
  int parallel = 4;
};

// The lines of the report, on stderr as they come and in the report file.
class Report {
 public:
  explicit Report(const std::string& path) : path_(path), out_(path, std::ios::trunc) {}
  bool ok() const { return static_cast<bool>(out_); }
  const std::string& path() const { return path_; }
  void Line(const std::string& text, bool to_stderr = true) {
    std::lock_guard<std::mutex> lock(mu_);
    if (to_stderr) std::cerr << text << (text.empty() || text.back() != '\n' ? "\n" : "");
    out_ << text << (text.empty() || text.back() != '\n' ? "\n" : "");
  }

 private:
  std::string path_;
  std::mutex mu_;
  std::ofstream out_;
};

// A file name as printed and as stored in the default reason: a name may be an ID number.
std::string Shown(absl::string_view path) { return RedactPersonalNumbers(path); }

struct Totals {
  int64_t rows = 0, written = 0, unchanged = 0, failed = 0, invalid = 0;
  double seconds = 0;
};

std::string DefaultReportPath(const std::string& file) {
  const std::string base = file == "-" ? "stdin" : std::filesystem::path(file).filename().string();
  return absl::StrCat(base.empty() ? "import" : base, ".report.txt");
}

int PrintSummary(const Globals& g, const ImportOpts& o, const Totals& t, Report* report,
                 const std::string& note) {
  const double rate = t.seconds > 0 ? static_cast<double>(t.rows) / t.seconds : 0;
  std::string text = absl::StrFormat("import %s: %d written, %d unchanged, %d failed",
                                     Shown(o.file), t.written, t.unchanged, t.failed);
  if (t.invalid > 0) absl::StrAppend(&text, absl::StrFormat(", %d invalid", t.invalid));
  if (t.rows > 0) {
    absl::StrAppend(&text,
                    absl::StrFormat(" (%d rows in %.1f s, %.0f rows/s)", t.rows, t.seconds, rate));
  }
  if (!note.empty()) absl::StrAppend(&text, "; ", note);
  report->Line(text, /*to_stderr=*/false);
  if (g.structured()) {
    Json doc;
    doc["file"] = Shown(o.file);
    doc["rows"] = t.rows;
    doc["written"] = t.written;
    doc["unchanged"] = t.unchanged;
    doc["failed"] = t.failed;
    doc["invalid"] = t.invalid;
    doc["seconds"] = static_cast<double>(static_cast<int64_t>(t.seconds * 1000)) / 1000;
    doc["rowsPerSecond"] = static_cast<int64_t>(rate + 0.5);
    doc["report"] = Shown(report->path());
    EmitDocument(g, doc);
  } else {
    std::cout << text << "\n";
  }
  std::cerr << "report: " << Shown(report->path()) << "\n";
  return kExitOk;
}

// Standard input copied to a temporary file, so that it can be read twice; removed when
// this goes.
class Spool {
 public:
  ~Spool() {
    if (!path_.empty()) std::remove(path_.c_str());
  }
  absl::StatusOr<std::string> FromStdin() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "registryctl-import-XXXXXX").string();
    const int fd = mkstemp(tmpl.data());
    if (fd < 0) return absl::InternalError("cannot make a temporary file for standard input");
    close(fd);
    path_ = tmpl;
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    // (Inserting an empty stream buffer would set failbit: an empty input is not an error.)
    if (std::cin.peek() != std::char_traits<char>::eof()) out << std::cin.rdbuf();
    out.close();
    if (!out || std::cin.bad()) return absl::DataLossError("error copying standard input");
    return path_;
  }

 private:
  std::string path_;
};

// One BatchUpdateRecords request ready to send, and the lines it carries.
struct Batch {
  std::vector<int> lines;
  std::string bytes;
};

// Batches from the reader to the senders; at most `capacity` wait, so that memory stays
// bounded however long the file is.
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}
  // False when the senders have stopped.
  bool Push(Batch b) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return cancelled_ || queue_.size() < capacity_; });
    if (cancelled_) return false;
    queue_.push_back(std::move(b));
    cv_.notify_all();
    return true;
  }
  // False when the reader is done and nothing is left, or after Cancel.
  bool Pop(Batch* b) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return cancelled_ || closed_ || !queue_.empty(); });
    if (cancelled_ || queue_.empty()) return false;
    *b = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();
    return true;
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  void Cancel() {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  bool closed_ = false, cancelled_ = false;
};

Batch MakeBatch(std::vector<PreparedRow>* rows) {
  Batch b;
  b.bytes = BatchRequestBytes(*rows, 0, rows->size());
  for (const auto& r : *rows) b.lines.push_back(r.line);
  rows->clear();
  return b;
}

int RunImport(const Globals& g, const ImportOpts& o) {
  auto kind = catalog::ParseKindName(o.kind);
  if (!kind.ok()) return UsageError(kind.status().message());
  auto format = DetectFormat(o.file, o.format);
  if (!format.ok()) return UsageError(format.status().message());
  if (o.dry_run && o.skip_invalid)
    return UsageError("--dry-run and --skip-invalid do not go together");
  // The file is read twice, checked whole and then sent, and never held in memory.
  Spool spool;
  std::string path = o.file;
  if (o.file == "-") {
    auto spooled = spool.FromStdin();
    if (!spooled.ok()) return UsageError(spooled.status().message());
    path = *spooled;
  }
  auto source = FileRows::Open(path, *format);
  if (!source.ok()) return UsageError(source.status().message());
  const std::string reason =
      o.reason.empty() ? absl::StrCat("bulk import of ", Shown(o.file)) : o.reason;
  // The report goes into the current directory by default, never beside the input (which
  // may be a source tree or a read-only share).
  Report report(o.report.empty() ? DefaultReportPath(o.file) : o.report);
  if (!report.ok()) return UsageError(absl::StrCat("cannot write the report ", report.path()));

  Client client(g, g.registry);
  grpc::Status cs;
  auto cat = client.FetchCatalog(*kind, &cs);
  if (!cat) return ReportRpcError(cs);

  RowStamp stamp{o.source, reason, std::nullopt, ""};
  if (!o.valid_from.empty()) {
    auto d = catalog::ParseDateText(o.valid_from);
    if (d.ok()) {
      stamp.valid_from = *d;
    } else {
      stamp.valid_from_column = o.valid_from;  // a column of the file, checked below
    }
  }
  RowChecker checker(*cat, CityToday(), stamp);
  auto checked = CheckFile(**source, checker);
  if (!checked.ok()) return UsageError(checked.status().message());
  if (!stamp.valid_from_column.empty()) {
    const auto& columns = (*source)->info().columns;
    if (std::find(columns.begin(), columns.end(), o.valid_from) == columns.end()) {
      return UsageError(absl::StrCat("--valid-from ", o.valid_from.substr(0, 64),
                                     ": neither a date (YYYY-MM-DD) nor a column of ",
                                     Shown(o.file)));
    }
  }
  for (const RowProblem& p : checked->problems) report.Line(p.ToString());
  const int bad_rows = static_cast<int>(checked->bad_lines.size());
  Totals totals;
  totals.invalid = bad_rows;
  if (bad_rows > 0 && (!o.skip_invalid || checked->file_problem || o.dry_run)) {
    std::string why = checked->file_problem ? "the file itself has problems: nothing written"
                      : o.dry_run           ? "dry run: nothing written"
                                            : "nothing written (fix the rows, or --skip-invalid to "
                                              "write the others)";
    report.Line(absl::StrCat(bad_rows, bad_rows == 1 ? " bad line" : " bad lines", " in ",
                             Shown(o.file), "; ", why, "; report in ", Shown(report.path())));
    PrintSummary(g, o, totals, &report, why);
    return kExitRpcBase + static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT);
  }
  if (o.dry_run) {
    PrintSummary(g, o, totals, &report,
                 absl::StrCat(checked->good_rows, " rows valid; dry run: nothing written"));
    return kExitOk;
  }

  // Send. The reader reads the file again and makes batches; each sender takes the next
  // batch; a refused call stops new batches.
  // The rows are sent as the bytes they were checked into, through the generic stub, so
  // that no batch is parsed and serialized again on the way out.
  grpc::GenericStub raw(client.channel());
  const std::string method =
      absl::StrCat("/", v1::RecordService::service_full_name(), "/BatchUpdateRecords");
  const int64_t total = checked->good_rows;
  const int batch = o.batch;
  const int64_t batches = (total + batch - 1) / batch;
  BatchQueue queue(static_cast<size_t>(2 * o.parallel));
  std::atomic<int64_t> done{0}, written{0}, unchanged{0}, failed{0};
  std::mutex mu;
  std::condition_variable cv;
  int workers_left = static_cast<int>(std::min<int64_t>(o.parallel, std::max<int64_t>(batches, 1)));
  grpc::Status first_error;  // guarded by mu
  grpc::StatusCode first_row_code = grpc::StatusCode::OK;
  absl::Status read_error;  // the reader's; written before the queue closes

  auto worker = [&] {
    Batch b;
    while (queue.Pop(&b)) {
      const int64_t n = static_cast<int64_t>(b.lines.size());
      grpc::Slice slice(std::move(b.bytes));
      grpc::ByteBuffer request(&slice, 1);
      grpc::ByteBuffer reply;
      v1::BatchUpdateRecordsResponse response;
      grpc::ClientContext context;
      client.Prepare(&context);
      std::promise<grpc::Status> answered;
      raw.UnaryCall(&context, method, grpc::StubOptions(), &request, &reply,
                    [&answered](grpc::Status st) { answered.set_value(std::move(st)); });
      grpc::Status s = answered.get_future().get();
      if (s.ok() &&
          !grpc::SerializationTraits<v1::BatchUpdateRecordsResponse>::Deserialize(&reply, &response)
               .ok()) {
        s = grpc::Status(grpc::StatusCode::INTERNAL, "the registry's answer could not be read");
      }
      if (s.ok() && response.statuses_size() != n) {
        s = grpc::Status(grpc::StatusCode::INTERNAL,
                         "the registry answered a different number of updates");
      }
      if (!s.ok()) {
        queue.Cancel();
        failed += n;
        report.Line(DescribeRpcError(
            s, absl::StrCat("lines ", b.lines.front(), "-", b.lines.back(), ": ")));
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.ok()) first_error = s;
      } else {
        for (int64_t j = 0; j < n; ++j) {
          const google::rpc::Status& st = response.statuses(static_cast<int>(j));
          if (st.code() == 0) {
            const auto& r = response.responses(static_cast<int>(j));
            (r.unchanged() || r.replayed() ? unchanged : written)++;
          } else {
            failed++;
            grpc::Status row_status(static_cast<grpc::StatusCode>(st.code()), st.message(),
                                    st.SerializeAsString());
            report.Line(DescribeRpcError(
                row_status, absl::StrCat("line ", b.lines[static_cast<size_t>(j)], ": ")));
            std::lock_guard<std::mutex> lock(mu);
            if (first_row_code == grpc::StatusCode::OK) first_row_code = row_status.error_code();
          }
        }
      }
      done += n;
      cv.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu);
    --workers_left;
    cv.notify_all();
  };

  const auto start = std::chrono::steady_clock::now();
  Progress progress("importing", total);
  std::thread reader([&] {
    std::vector<PreparedRow> pending;
    pending.reserve(static_cast<size_t>(batch));
    absl::Status s = ForEachGoodRow(**source, checker, checked->bad_lines, [&](PreparedRow r) {
      pending.push_back(std::move(r));
      if (pending.size() < static_cast<size_t>(batch)) return true;
      return queue.Push(MakeBatch(&pending));
    });
    if (s.ok() && !pending.empty()) queue.Push(MakeBatch(&pending));
    if (!s.ok()) {
      read_error = s;
      queue.Cancel();
    }
    queue.Close();
  });
  std::vector<std::thread> threads;
  const int thread_count = workers_left;
  for (int i = 0; i < thread_count; ++i) threads.emplace_back(worker);
  {
    std::unique_lock<std::mutex> lock(mu);
    while (workers_left > 0) {
      cv.wait_for(lock, std::chrono::milliseconds(100));
      lock.unlock();
      progress.Update(done);
      lock.lock();
    }
  }
  reader.join();
  for (auto& t : threads) t.join();
  progress.Done();

  totals.rows = total;
  totals.written = written;
  totals.unchanged = unchanged;
  totals.failed = failed;
  totals.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!read_error.ok()) {
    report.Line(RedactPersonalNumbers(std::string(read_error.message())));
    PrintSummary(g, o, totals, &report, "stopped: the file could not be read again as checked");
    return kExitInternal;
  }
  PrintSummary(g, o, totals, &report,
               first_error.ok() ? "" : "stopped after a refused call; later batches not sent");
  if (!first_error.ok()) return kExitRpcBase + static_cast<int>(first_error.error_code());
  if (first_row_code != grpc::StatusCode::OK)
    return kExitRpcBase + static_cast<int>(first_row_code);
  return kExitOk;
}

}  // namespace

void AddImportCommand(CLI::App& app, const Globals& g, Action* action) {
  auto o = std::make_shared<ImportOpts>();
  CLI::App* cmd = app.add_subcommand(
      "import",
      "bulk-load a CSV or JSON Lines file: every row is checked first, and nothing is written "
      "if any row is bad");
  cmd->add_option("--kind", o->kind, "enterprise or person")->required();
  cmd->add_option("FILE", o->file,
                  "CSV (header of catalog field names; uscc or id_number names the subject) or "
                  "JSON Lines (.jsonl/.ndjson)")
      ->required();
  cmd->add_option("--format", o->format, "csv or jsonl (default: by the file's extension)");
  cmd->add_option("--source", o->source, "the catalog source the values are recorded under")
      ->capture_default_str();
  cmd->add_option("--reason", o->reason, "kept in each change set (default: bulk import of FILE)");
  cmd->add_option("--valid-from", o->valid_from,
                  "when the values took effect: YYYY-MM-DD, or a date column of the file "
                  "(establishment_date); a valid_from column dates each row itself "
                  "(default: the day of the import)");
  cmd->add_flag("--dry-run", o->dry_run, "check every row; write nothing");
  cmd->add_flag("--skip-invalid", o->skip_invalid, "write the good rows even if some are bad");
  cmd->add_option("--report", o->report,
                  "the report file (default: ./BASENAME.report.txt, in the current directory)");
  cmd->add_option("--batch", o->batch, "rows per BatchUpdateRecords call")
      ->check(IntRange(1, 1000))
      ->capture_default_str();
  cmd->add_option("--parallel", o->parallel, "batches in flight")
      ->check(IntRange(1, 16))
      ->capture_default_str();
  cmd->footer(
      "Example: registryctl import --kind person persons.csv --source public-security.household");
  cmd->callback([&g, action, o] { *action = [&g, o] { return RunImport(g, *o); }; });
}

REGISTRYCTL_COMMAND_GROUP(AddImportCommand, 40);

}  // namespace collectonce::registryctl
