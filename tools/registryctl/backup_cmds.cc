// registryctl backup create|verify|restore. `create` asks the registry (the live store is
// its own); `verify` and `restore` work offline on a backup directory with RocksDB's
// BackupEngine, so they need no running registry.
#include <sys/stat.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "rocksdb/env.h"
#include "rocksdb/utilities/backup_engine.h"
#include "tools/registryctl/client.h"
#include "tools/registryctl/commands.h"
#include "tools/registryctl/flag_values.h"
#include "tools/registryctl/output.h"
#include "tools/registryctl/progress.h"

namespace collectonce::registryctl {

namespace {

namespace fs = std::filesystem;

int RunCreate(const Globals& g, const std::string& dir) {
  if (dir.empty() || dir[0] != '/') {
    return UsageError("DIR must be an absolute directory on the registry's host");
  }
  Client client(g, g.registry);
  v1::CreateBackupRequest request;
  request.set_directory(dir);
  v1::CreateBackupResponse response;
  grpc::ClientContext context;
  client.Prepare(&context);
  grpc::Status s = client.governance().CreateBackup(&context, request, &response);
  if (!s.ok()) return ReportRpcError(s);
  if (g.structured()) return EmitMessage(g, response);
  Table t({"BACKUP ID", "SIZE BYTES", "FILES", "LAST COMMIT SEQUENCE", "AUDIT SIZE"});
  t.AddRow({absl::StrCat(response.backup_id()), absl::StrCat(response.size_bytes()),
            absl::StrCat(response.files()), absl::StrCat(response.last_commit_sequence()),
            absl::StrCat(response.audit_size())});
  t.Print(std::cout);
  std::cout << "verified by the registry; backups kept in " << dir << "\n";
  return kExitOk;
}

// Opens the backups in `dir` read-only; an exit code when that fails.
std::optional<int> OpenBackups(const std::string& dir,
                               std::unique_ptr<rocksdb::BackupEngineReadOnly>* out) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return UsageError(absl::StrCat(dir, " is not a directory"));
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngineReadOnly::Open(
      rocksdb::Env::Default(), rocksdb::BackupEngineOptions(dir), &raw);
  if (!s.ok())
    return InternalFailure(absl::StrCat("cannot open the backups in ", dir, ": ", s.ToString()));
  out->reset(raw);
  return std::nullopt;
}

int RunVerify(const Globals& g, const std::string& dir) {
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine;
  if (auto code = OpenBackups(dir, &engine)) return *code;
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  std::vector<rocksdb::BackupID> corrupt;
  engine->GetCorruptedBackups(&corrupt);
  if (infos.empty() && corrupt.empty()) return InternalFailure(absl::StrCat("no backups in ", dir));

  struct Result {
    rocksdb::BackupID id;
    int64_t timestamp = 0;
    uint64_t size = 0;
    uint32_t files = 0;
    std::string error;  // empty: verified
  };
  std::vector<Result> results;
  Progress progress("verifying backups", static_cast<int64_t>(infos.size()));
  for (const auto& info : infos) {
    rocksdb::IOStatus s = engine->VerifyBackup(info.backup_id, /*verify_with_checksum=*/true);
    results.push_back(
        {info.backup_id, info.timestamp, info.size, info.number_files, s.ok() ? "" : s.ToString()});
    progress.Update(static_cast<int64_t>(results.size()));
  }
  progress.Done();
  for (rocksdb::BackupID id : corrupt)
    results.push_back({id, 0, 0, 0, "marked corrupt by RocksDB"});
  int failures = 0;
  for (const auto& r : results) failures += r.error.empty() ? 0 : 1;

  if (g.structured()) {
    Json doc;
    doc["directory"] = dir;
    doc["backups"] = Json::array();
    for (const auto& r : results) {
      Json item;
      item["backupId"] = r.id;
      item["timestamp"] =
          r.timestamp ? absl::FormatTime(absl::RFC3339_sec, absl::FromUnixSeconds(r.timestamp),
                                         absl::UTCTimeZone())
                      : "";
      item["sizeBytes"] = absl::StrCat(r.size);  // 64-bit, a string as protobuf's mapping has
      item["files"] = r.files;
      item["verified"] = r.error.empty();
      if (!r.error.empty()) item["error"] = r.error;
      doc["backups"].push_back(std::move(item));
    }
    if (int rc = EmitDocument(g, doc); rc != kExitOk) return rc;
  } else {
    Table t({"BACKUP ID", "CREATED", "SIZE BYTES", "FILES", "CHECKSUMS"});
    for (const auto& r : results) {
      t.AddRow({absl::StrCat(r.id),
                r.timestamp
                    ? absl::FormatTime(absl::RFC3339_sec, absl::FromUnixSeconds(r.timestamp),
                                       absl::UTCTimeZone())
                    : "",
                absl::StrCat(r.size), absl::StrCat(r.files), r.error.empty() ? "ok" : r.error});
    }
    t.Print(std::cout);
  }
  if (failures > 0) {
    std::cerr << "error: " << failures << " of " << results.size() << " backups in " << dir
              << " failed verification\n";
    return kExitInternal;
  }
  return kExitOk;
}

// Copies a key file into the restored store's keys/ directory, mode 0600.
bool CopyKey(const std::string& from, const fs::path& keys, const char* name, std::error_code* ec) {
  fs::create_directories(keys, *ec);
  chmod(keys.c_str(), 0700);
  fs::copy_file(from, keys / name, fs::copy_options::overwrite_existing, *ec);
  if (*ec) return false;
  chmod((keys / name).c_str(), 0600);
  return true;
}

// The key files a registry keeps in DATA_DIR/keys, none of them in a backup (they are not
// on the data disk's database): what `backup restore` copies when told where they are.
struct KeyFile {
  const char* flag;       // --index-key
  const char* file;       // under DATA_DIR/keys
  const char* what;       // "the person index key"
  const char* json;       // the -o json field
  const char* otherwise;  // what happens when it is not copied
  std::string from;       // the flag's value
};

std::vector<KeyFile> RestoredKeys(const std::string& index_key, const std::string& audit_key,
                                  const std::string& evidence_key) {
  return {
      {"--index-key", "index.key", "the person index key", "indexKeyCopied",
       "it refuses to open the store with any other key", index_key},
      {"--audit-key", "audit-signing.pem", "the audit signing key", "auditKeyCopied",
       "with another key (--insecure creates one) tree heads saved earlier no longer verify "
       "(`audit verify --since-head`: signed with another key)",
       audit_key},
      {"--evidence-key", "evidence-signing.pem", "the evidence signing key", "evidenceKeyCopied",
       "with another key (--insecure creates one) evidence issued earlier no longer verifies "
       "against the published keys unless the old key is listed as retired "
       "(--evidence-retired-jwks)",
       evidence_key},
  };
}

int RunRestore(const Globals& g, const std::string& dir, const std::string& data_dir,
               int64_t backup_id, const std::vector<KeyFile>& keys) {
  std::error_code ec;
  if (fs::exists(data_dir, ec)) {
    if (!fs::is_directory(data_dir, ec)) {
      return UsageError(
          absl::StrCat("refusing to restore into ", data_dir, ": it is not a directory"));
    }
    if (!fs::is_empty(data_dir, ec)) {
      return UsageError(absl::StrCat(
          "refusing to restore into ", data_dir,
          ": it is not empty (a restore replaces what is there; give a new or empty directory)"));
    }
  }
  for (const KeyFile& k : keys) {
    if (!k.from.empty() && !fs::is_regular_file(k.from, ec)) {
      return UsageError(absl::StrCat(k.flag, " ", k.from, " is not a file"));
    }
  }
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine;
  if (auto code = OpenBackups(dir, &engine)) return *code;
  rocksdb::BackupInfo info;
  rocksdb::Status found =
      backup_id > 0 ? engine->GetBackupInfo(static_cast<rocksdb::BackupID>(backup_id), &info)
                    : engine->GetLatestBackupInfo(&info);
  if (!found.ok()) {
    // A backup id that is not there is the caller's mistake (usage), not a broken backup.
    if (backup_id > 0) {
      std::vector<rocksdb::BackupInfo> infos;
      engine->GetBackupInfo(&infos);
      std::vector<std::string> ids;
      for (const auto& i : infos) ids.push_back(absl::StrCat(i.backup_id));
      return UsageError(absl::StrCat("--backup-id ", backup_id, ": no such backup in ", dir,
                                     " (backups: ", ids.empty() ? "none" : absl::StrJoin(ids, ", "),
                                     ")"));
    }
    return InternalFailure(
        absl::StrCat(backup_id > 0 ? absl::StrCat("backup ", backup_id) : "no good backup", " in ",
                     dir, ": ", found.ToString()));
  }
  // Restored beside the target and renamed into place once complete (key included), so a
  // restore that fails part way leaves no half-restored directory behind.
  const fs::path target = fs::absolute(fs::path(data_dir), ec).lexically_normal();
  const fs::path partial = target.parent_path() / (target.filename().string() + ".restoring");
  fs::remove_all(partial, ec);
  auto fail = [&](std::string message) {
    std::error_code ignored;
    fs::remove_all(partial, ignored);
    return InternalFailure(absl::StrCat(message, "; nothing was left in ", data_dir));
  };
  fs::create_directories(partial, ec);
  if (ec) return fail(absl::StrCat("cannot create ", partial.string(), ": ", ec.message()));
  rocksdb::IOStatus s = engine->RestoreDBFromBackup(rocksdb::RestoreOptions(), info.backup_id,
                                                    partial.string(), partial.string());
  if (!s.ok()) {
    return fail(absl::StrCat("restoring backup ", info.backup_id, " failed: ", s.ToString()));
  }
  for (const KeyFile& k : keys) {
    if (!k.from.empty() && !CopyKey(k.from, partial / "keys", k.file, &ec)) {
      return fail(absl::StrCat("cannot copy ", k.what, ": ", ec.message()));
    }
  }
  if (fs::exists(target, ec)) fs::remove(target, ec);  // empty, checked above
  fs::rename(partial, target, ec);
  if (ec)
    return fail(absl::StrCat("cannot move the restored store to ", data_dir, ": ", ec.message()));
  if (g.structured()) {
    Json doc;
    doc["backupId"] = info.backup_id;
    doc["dataDir"] = data_dir;
    doc["sizeBytes"] = absl::StrCat(info.size);
    doc["files"] = info.number_files;
    for (const KeyFile& k : keys) doc[k.json] = !k.from.empty();
    if (int rc = EmitDocument(g, doc); rc != kExitOk) return rc;
  } else {
    std::cout << "restored backup " << info.backup_id << " (" << info.size << " bytes, "
              << info.number_files << " files) into " << data_dir << "\n";
  }
  for (const KeyFile& k : keys) {
    if (!k.from.empty()) continue;
    std::cerr << "note: " << k.what << " is not part of a backup; copy the original registry's "
              << "DATA_DIR/keys/" << k.file << " to "
              << (fs::path(data_dir) / "keys" / k.file).string() << " (mode 0600), or give "
              << k.flag << ", before starting registryd; " << k.otherwise << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddBackupCommands(CLI::App& app, const Globals& g, Action* action) {
  CLI::App* cmd = app.add_subcommand("backup", "RocksDB backups of the registry's store");
  cmd->require_subcommand(1);
  cmd->footer("Example: registryctl backup create /var/backups/registry");

  auto dir = std::make_shared<std::string>();
  CLI::App* create = cmd->add_subcommand(
      "create", "ask the registry for a verified backup into DIR (absolute, on its host)");
  create->add_option("DIR", *dir, "backup directory on the registry's host")->required();
  create->footer("Example: registryctl backup create /var/backups/registry");
  create->callback([&g, action, dir] { *action = [&g, dir] { return RunCreate(g, *dir); }; });

  CLI::App* verify =
      cmd->add_subcommand("verify", "offline: check every backup in DIR against its checksums");
  verify->add_option("DIR", *dir, "backup directory")->required();
  verify->footer("Example: registryctl backup verify /var/backups/registry");
  verify->callback([&g, action, dir] { *action = [&g, dir] { return RunVerify(g, *dir); }; });

  struct RestoreOpts {
    std::string dir, data_dir, index_key, audit_key, evidence_key;
    int64_t backup_id = 0;
  };
  auto r = std::make_shared<RestoreOpts>();
  CLI::App* restore =
      cmd->add_subcommand("restore", "offline: restore a backup into a new, empty data directory");
  restore->add_option("DIR", r->dir, "backup directory")->required();
  restore->add_option("--data-dir", r->data_dir, "the registry data directory to create")
      ->required();
  restore->add_option("--backup-id", r->backup_id, "which backup (default: the latest good one)")
      ->check(IntRange(1, INT32_MAX));
  restore->add_option("--index-key", r->index_key,
                      "copy this person-index key file into DATA_DIR/keys/index.key");
  restore->add_option("--audit-key", r->audit_key,
                      "copy this audit signing key file into DATA_DIR/keys/audit-signing.pem");
  restore->add_option("--evidence-key", r->evidence_key,
                      "copy this evidence signing key file into DATA_DIR/keys/"
                      "evidence-signing.pem");
  restore->footer(
      "Example: registryctl backup restore /var/backups/registry --data-dir "
      "/var/lib/registry-restored "
      "--index-key /var/lib/registry/keys/index.key "
      "--audit-key /var/lib/registry/keys/audit-signing.pem "
      "--evidence-key /var/lib/registry/keys/evidence-signing.pem");
  restore->callback([&g, action, r] {
    *action = [&g, r] {
      return RunRestore(g, r->dir, r->data_dir, r->backup_id,
                        RestoredKeys(r->index_key, r->audit_key, r->evidence_key));
    };
  });
}

REGISTRYCTL_COMMAND_GROUP(AddBackupCommands, 70);

}  // namespace collectonce::registryctl
