// registryd: the registry daemon. Owns the RocksDB store; serves RecordService and
// GovernanceService over gRPC, grpc.health.v1 and reflection, and /healthz and /metrics on
// a plaintext admin port.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "libs/audit/published_head.h"
#include "libs/base/clock.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_macros.h"
#include "libs/jose/jwk.h"
#include "libs/rpc/admin_server.h"
#include "libs/rpc/admission.h"
#include "libs/rpc/call_observer.h"
#include "libs/rpc/daemon.h"
#include "libs/rpc/errors.h"
#include "libs/rpc/health_follower.h"
#include "libs/rpc/leader_hint.h"
#include "libs/rpc/log.h"
#include "libs/rpc/metrics.h"
#include "libs/rpc/parse_guard.h"
#include "libs/rpc/process_metrics.h"
#include "libs/rpc/tls.h"
#include "libs/store/rocksdb_store.h"
#include "services/registry/audit_service.h"
#include "services/registry/dispute_service.h"
#include "services/registry/evidence_service.h"
#include "services/registry/governance_service.h"
#include "services/registry/record_service.h"
#include "services/registry/replication_mode.h"
#include "services/registry/reuse_service.h"
#include "services/registry/rocksdb_replicated_store.h"

namespace {

struct Flags {
  std::string listen = "127.0.0.1:7400";
  std::string admin_listen = "127.0.0.1:7401";
  std::string data_dir = "./var/registry";
  bool insecure = false;
  bool insecure_allow_remote = false;
  collectonce::rpc::TlsFiles tls;
  int tls_reload_seconds = 60;
  std::string bootstrap_governance;
  std::string index_key_file;
  std::string audit_key_file;
  std::string evidence_key_file;
  std::string evidence_retired_jwks;
  std::string evidence_issuer = "urn:collectonce:registry";
  std::string evidence_status_base_url;
  std::string published_head_file;
  bool sync = true;
  int block_cache_mb = 256;
  int write_buffer_mb = 128;
  int max_message_mb = 16;
  int max_concurrent_calls = 256;
  int utc_offset_hours = collectonce::kDefaultUtcOffsetHours;
  std::string log_format = "json";
  collectonce::registry::ReplicationFlags replication;
};

// grpc.health.v1 service name that is SERVING on the replica that leads only (and on a
// single registryd): what a client or probe that needs the leader asks.
constexpr char kLeaderHealthService[] = "collectonce.registry.Leader";

void AddReplicationFlags(CLI::App& app, collectonce::registry::ReplicationFlags* r) {
  app.add_option("--replication", r->mode,
                 "none: one registryd on its own RocksDB; etcd: one replica of a group that "
                 "commits through an etcd log (docs/replication.md)")
      ->check(CLI::IsMember({"none", "etcd"}))
      ->envname("REGISTRYD_REPLICATION");
  app.add_option("--etcd-endpoints", r->etcd_endpoints,
                 "with --replication etcd: the etcd members, HOST:PORT,HOST:PORT,...")
      ->envname("REGISTRYD_ETCD_ENDPOINTS");
  app.add_option("--replica-id", r->replica_id,
                 "with --replication etcd: this replica's stable name (registry-0, ...)")
      ->envname("REGISTRYD_REPLICA_ID");
  app.add_option("--advertise-address", r->advertise_address,
                 "with --replication etcd: HOST:PORT callers reach this replica at, named to "
                 "them by followers while it leads (default: the bound --listen address)")
      ->envname("REGISTRYD_ADVERTISE_ADDRESS");
  app.add_option("--etcd-prefix", r->etcd_prefix, "the replica group's keys in etcd")
      ->envname("REGISTRYD_ETCD_PREFIX");
  app.add_option("--lease-seconds", r->lease_seconds,
                 "the leader lease: a leader that cannot renew it for this long stops leading, "
                 "and another replica takes over")
      ->check(CLI::Range(2, 60))
      ->envname("REGISTRYD_LEASE_SECONDS");
  app.add_option("--etcd-ca", r->etcd_ca, "TLS towards etcd: CA bundle (PEM)")
      ->envname("REGISTRYD_ETCD_CA");
  app.add_option("--etcd-cert", r->etcd_cert, "TLS towards etcd: client certificate (PEM)")
      ->envname("REGISTRYD_ETCD_CERT");
  app.add_option("--etcd-key", r->etcd_key, "TLS towards etcd: client key (PEM)")
      ->envname("REGISTRYD_ETCD_KEY");
  app.add_flag("--no-campaign", r->no_campaign,
               "follow only, never lead (a replica being drained or checked after a restore)")
      ->envname("REGISTRYD_NO_CAMPAIGN");
  app.add_option("--trim-interval-seconds", r->trim_interval_seconds,
                 "how often the leader trims log entries every replica applied; 0: never")
      ->check(CLI::Range(0, 86400))
      ->envname("REGISTRYD_TRIM_INTERVAL_SECONDS");
  app.add_flag("--trim-without-backup", r->trim_without_backup,
               "trim what every replica applied even when no verified backup covers it")
      ->envname("REGISTRYD_TRIM_WITHOUT_BACKUP");
}

// Store and RocksDB figures, read at scrape time. The names are documented in
// docs/operations.md.
void AddStoreMetrics(collectonce::store::RocksDbStore* store,
                     collectonce::rpc::RpcMetrics* metrics) {
  using collectonce::store::EngineStats;
  metrics->AddGauge("collectonce_store_commit_sequence", "Last committed change-set sequence.",
                    [store] { return static_cast<double>(store->Stats().last_commit_sequence); });
  metrics->AddGauge("collectonce_audit_log_size", "Entries in the audit log.",
                    [store] { return static_cast<double>(store->Stats().audit_size); });
  metrics->AddCounterFunction(
      "collectonce_store_altered_values_refused_total",
      "Reads refused because a stored value did not match its seal (changed outside the "
      "registry) since start.",
      [store] { return static_cast<double>(store->Stats().altered_values_refused); });
  metrics->AddGauge("collectonce_store_healthy",
                    "1 while the store accepts writes; 0 after a failed write until restart.",
                    [store] { return store->Health().ok() ? 1.0 : 0.0; });
  struct Figure {
    const char* name;
    const char* help;
    uint64_t EngineStats::*field;
  };
  static const Figure kGauges[] = {
      {"collectonce_rocksdb_live_data_bytes", "Estimated size of live data, all column families.",
       &EngineStats::live_data_bytes},
      {"collectonce_rocksdb_sst_files_bytes", "Size of all SST files on disk.",
       &EngineStats::sst_files_bytes},
      {"collectonce_rocksdb_memtable_bytes", "Size of active and unflushed memtables.",
       &EngineStats::memtable_bytes},
      {"collectonce_rocksdb_block_cache_usage_bytes",
       "Block cache in use (memtables are charged to it too).",
       &EngineStats::block_cache_usage_bytes},
      {"collectonce_rocksdb_block_cache_capacity_bytes", "Configured block cache size.",
       &EngineStats::block_cache_capacity_bytes},
      {"collectonce_rocksdb_pending_compaction_bytes",
       "Estimated bytes compaction must rewrite to settle.",
       &EngineStats::pending_compaction_bytes},
      {"collectonce_rocksdb_running_compactions", "Compactions running now.",
       &EngineStats::running_compactions},
      {"collectonce_rocksdb_estimated_keys", "Estimated number of keys, all column families.",
       &EngineStats::estimated_keys},
  };
  for (const Figure& g : kGauges) {
    metrics->AddGauge(g.name, g.help, [store, field = g.field] {
      return static_cast<double>(store->Engine().*field);
    });
  }
  metrics->AddCounterFunction(
      "collectonce_rocksdb_background_errors_total",
      "RocksDB background errors (flush, compaction) since start.",
      [store] { return static_cast<double>(store->Engine().background_errors); });
}

// Exit code of a start refused because the store is older than (or diverges from) the newest
// tree head this registry has published: docs/operations.md.
constexpr int kExitStoreBehindPublishedHead = 3;
// Exit code of a start on a data disk with no room to open the store: docs/operations.md.
constexpr int kExitNoSpace = 4;

int UsageError(const std::string& message) {
  std::cerr << "registryd: " << message << " (see --help)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app{
      "registryd: the collect-once registry daemon (records, history, governance, "
      "audit log) on an embedded RocksDB.\n"
      "Example: registryd --insecure --data-dir ./var/registry "
      "--bootstrap-governance registryctl"};
  app.option_defaults()->always_capture_default();
  app.add_option("--listen", f.listen, "gRPC API address HOST:PORT (port 0: any free port)")
      ->envname("REGISTRYD_LISTEN");
  app.add_option("--admin-listen", f.admin_listen,
                 "plaintext admin address for /healthz and /metrics (loopback or pod-local)")
      ->envname("REGISTRYD_ADMIN_LISTEN");
  app.add_option("--data-dir", f.data_dir, "RocksDB directory")->envname("REGISTRYD_DATA_DIR");
  app.add_flag("--insecure", f.insecure,
               "local mode: no TLS; callers name themselves in the x-principal header")
      ->envname("REGISTRYD_INSECURE");
  app.add_flag("--insecure-allow-remote", f.insecure_allow_remote,
               "with --insecure, allow a non-loopback listen address")
      ->envname("REGISTRYD_INSECURE_ALLOW_REMOTE");
  app.add_option("--tls-cert", f.tls.cert,
                 "mutual TLS: the registry's certificate chain (PEM), re-read when replaced")
      ->envname("REGISTRYD_TLS_CERT");
  app.add_option("--tls-key", f.tls.key, "mutual TLS: the registry's private key (PEM)")
      ->envname("REGISTRYD_TLS_KEY");
  app.add_option("--tls-client-ca", f.tls.ca,
                 "mutual TLS: CA bundle (PEM) that every client certificate must chain to")
      ->envname("REGISTRYD_TLS_CLIENT_CA");
  app.add_option("--tls-reload-seconds", f.tls_reload_seconds,
                 "how often the TLS files are checked for replacements")
      ->check(CLI::Range(1, 86400))
      ->envname("REGISTRYD_TLS_RELOAD_SECONDS");
  app.add_option("--bootstrap-governance", f.bootstrap_governance,
                 "an identity that always has the governance and auditor roles (for set-up)")
      ->envname("REGISTRYD_BOOTSTRAP_GOVERNANCE");
  app.add_option("--index-key-file", f.index_key_file,
                 "key of the person index (default DATA_DIR/keys/index.key, created only with "
                 "--insecure)")
      ->envname("REGISTRYD_INDEX_KEY_FILE");
  app.add_option("--audit-key-file", f.audit_key_file,
                 "Ed25519 key (PKCS#8 PEM) that signs audit tree heads (default "
                 "DATA_DIR/keys/audit-signing.pem, created only with --insecure)")
      ->envname("REGISTRYD_AUDIT_KEY_FILE");
  app.add_option("--evidence-key-file", f.evidence_key_file,
                 "Ed25519 key (PKCS#8 PEM) that signs evidence and status lists, separate from "
                 "the audit key (default DATA_DIR/keys/evidence-signing.pem, created only with "
                 "--insecure; without one no evidence is issued)")
      ->envname("REGISTRYD_EVIDENCE_KEY_FILE");
  app.add_option("--evidence-retired-jwks", f.evidence_retired_jwks,
                 "a JWK Set of retired evidence keys' public keys, still published so that "
                 "credentials they signed keep verifying")
      ->envname("REGISTRYD_EVIDENCE_RETIRED_JWKS");
  app.add_option("--evidence-issuer", f.evidence_issuer, "the iss of issued credentials")
      ->envname("REGISTRYD_EVIDENCE_ISSUER");
  app.add_option("--evidence-status-base-url", f.evidence_status_base_url,
                 "credentials name their status list as URL/status-lists/N (default: "
                 "http:// and the admin address)")
      ->envname("REGISTRYD_EVIDENCE_STATUS_BASE_URL");
  app.add_option("--published-head-file", f.published_head_file,
                 "where the newest signed tree head handed out is kept, outside the data "
                 "directory's database (default: published-tree-head beside the audit key); a "
                 "store behind it is refused at start (exit 3)")
      ->envname("REGISTRYD_PUBLISHED_HEAD_FILE");
  app.add_flag("--sync,!--no-sync", f.sync,
               "sync the WAL before acknowledging a write (default on)")
      ->envname("REGISTRYD_SYNC");
  app.add_option("--block-cache-mb", f.block_cache_mb, "RocksDB block cache")
      ->check(CLI::Range(8, 1 << 20))
      ->envname("REGISTRYD_BLOCK_CACHE_MB");
  app.add_option("--write-buffer-mb", f.write_buffer_mb, "RocksDB memtables, all together")
      ->check(CLI::Range(8, 1 << 20))
      ->envname("REGISTRYD_WRITE_BUFFER_MB");
  app.add_option("--utc-offset-hours", f.utc_offset_hours,
                 "the city's calendar, hours east of UTC: what \"today\" is for valid-from "
                 "defaults and dates that may not lie in the future")
      ->check(CLI::Range(-12, 14))
      ->envname("REGISTRYD_UTC_OFFSET_HOURS");
  app.add_option("--max-message-mb", f.max_message_mb, "largest request message accepted")
      ->check(CLI::Range(1, 256))
      ->envname("REGISTRYD_MAX_MESSAGE_MB");
  app.add_option("--max-concurrent-calls", f.max_concurrent_calls,
                 "calls in progress (open watch streams included) past which new calls get "
                 "RESOURCE_EXHAUSTED at once; 0: no limit")
      ->check(CLI::Range(0, 1 << 20))
      ->envname("REGISTRYD_MAX_CONCURRENT_CALLS");
  app.add_option("--log-format", f.log_format,
                 "json: one JSON object per line on stderr; text: for a terminal")
      ->check(CLI::IsMember({"json", "text"}))
      ->envname("REGISTRYD_LOG_FORMAT");
  AddReplicationFlags(app, &f.replication);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  const collectonce::rpc::Logger log("registryd", *collectonce::rpc::ParseLogFormat(f.log_format));
  auto Fail = [&log](const std::string& message) {
    log.Error(message);
    return 1;
  };

  // SIGTERM and SIGINT are taken by a waiting thread, not a handler.
  collectonce::rpc::BlockTerminationSignals();
  collectonce::rpc::SkipMutexDeadlockDetection();
  collectonce::rpc::InstallProtobufLogHandler(&log);

  const bool insecure = f.insecure;
  auto listen = collectonce::rpc::SplitHostPort(f.listen);
  if (!listen.ok()) return Fail(std::string(listen.status().message()));
  if (auto s = collectonce::rpc::CheckDaemonSecurityFlags(insecure, f.insecure_allow_remote, f.tls);
      !s.ok()) {
    return UsageError(std::string(s.message()));
  }
  const bool replicated = f.replication.mode == "etcd";
  if (auto s = collectonce::registry::CheckReplicationFlags(&f.replication, f.listen); !s.ok()) {
    return UsageError(std::string(s.message()));
  }
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (insecure) {
    if (!collectonce::rpc::IsLoopbackHost(listen->first) && !f.insecure_allow_remote) {
      return Fail("--insecure listens on loopback only; add --insecure-allow-remote to override");
    }
    log.Warning("insecure mode: no TLS, callers are trusted to name themselves (x-principal)");
    credentials = grpc::InsecureServerCredentials();
  } else {
    if (auto s = collectonce::rpc::CheckTlsFiles(f.tls); !s.ok()) {
      return Fail(std::string(s.message()));
    }
    credentials = collectonce::rpc::MutualTlsServerCredentials(
        f.tls, static_cast<unsigned>(f.tls_reload_seconds));
    log.Info(absl::StrCat("mutual TLS: client certificates must chain to ", f.tls.ca,
                          "; files re-read every ", f.tls_reload_seconds, " s"));
  }

  const std::string data_dir = f.data_dir;
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Fail(absl::StrCat("cannot create ", data_dir, ": ", ec.message()));
  if (f.index_key_file.empty() || f.audit_key_file.empty() || f.evidence_key_file.empty()) {
    std::filesystem::create_directories(data_dir + "/keys", ec);
    chmod((data_dir + "/keys").c_str(), 0700);
  }
  const std::string key_file =
      f.index_key_file.empty() ? data_dir + "/keys/index.key" : f.index_key_file;
  const bool had_index_key = std::filesystem::exists(key_file, ec);
  auto index_hash = collectonce::store::KeyedHash::LoadOrCreate(key_file, insecure);
  if (!index_hash.ok()) return Fail(std::string(index_hash.status().message()));
  if (!had_index_key) {
    // A new index key finds no person an older key indexed: the store refuses to open with
    // it unless the store is new too.
    log.Warning(absl::StrCat("created a new person-index key at ", key_file),
                {{"key_file", key_file}});
  }
  std::string audit_key =
      f.audit_key_file.empty() ? data_dir + "/keys/audit-signing.pem" : f.audit_key_file;
  const bool had_audit_key = std::filesystem::exists(audit_key, ec);
  auto signer = collectonce::audit::Signer::LoadOrCreate(audit_key, insecure);
  if (!signer.ok()) return Fail(std::string(signer.status().message()));
  if (!had_audit_key) {
    log.Warning(absl::StrCat("created a new audit signing key at ", audit_key,
                             "; tree heads signed with any earlier key do not verify against it "
                             "(after a restore, copy the original key instead)"),
                {{"key_file", audit_key}});
  }

  const std::string evidence_key =
      f.evidence_key_file.empty() ? data_dir + "/keys/evidence-signing.pem" : f.evidence_key_file;
  const bool had_evidence_key = std::filesystem::exists(evidence_key, ec);
  auto evidence_signer = collectonce::audit::Signer::LoadOrCreate(evidence_key, insecure);
  if (!evidence_signer.ok() &&
      !(absl::IsNotFound(evidence_signer.status()) && !insecure && f.evidence_key_file.empty())) {
    return Fail(std::string(evidence_signer.status().message()));
  }
  collectonce::registry::EvidenceSettings evidence_settings;
  evidence_settings.issuer = f.evidence_issuer;
  if (evidence_signer.ok()) {
    evidence_settings.key = &*evidence_signer;
    evidence_settings.jwks.Add(evidence_signer->PublicKeyRaw());
    if (!had_evidence_key) {
      log.Warning(absl::StrCat("created a new evidence signing key at ", evidence_key,
                               "; publish it to verifiers (registryctl evidence keys)"),
                  {{"key_file", evidence_key}});
    }
  } else {
    log.Warning(absl::StrCat("no evidence signing key at ", evidence_key,
                             "; this registry issues no evidence"),
                {{"key_file", evidence_key}});
  }
  if (!f.evidence_retired_jwks.empty()) {
    std::ifstream in(f.evidence_retired_jwks);
    std::stringstream text;
    text << in.rdbuf();
    auto retired = collectonce::jose::Jwks::Parse(text.str());
    if (!in || !retired.ok()) {
      return Fail(absl::StrCat(f.evidence_retired_jwks, ": not a readable JWK Set"));
    }
    for (const auto& k : retired->keys()) evidence_settings.jwks.Add(k.public_key_raw);
  }

  // Page tokens are sealed under a key derived from the index key: as secret, and the same
  // after a restart or on another replica of this store.
  std::string page_token_key = index_hash->Hash("collectonce page tokens v1");
  collectonce::store::RocksDbStoreOptions options;
  options.data_dir = data_dir;
  options.sync = f.sync;
  options.block_cache_bytes = static_cast<size_t>(f.block_cache_mb) << 20;
  options.write_buffer_bytes = static_cast<size_t>(f.write_buffer_mb) << 20;
  options.index_hash = *std::move(index_hash);
  const collectonce::Clock clock(collectonce::ZoneAtUtcOffset(f.utc_offset_hours));
  options.clock = clock;
  // RocksDB's warnings and errors as the daemon's own log lines, never a file on the data
  // disk (whose logger aborts the process when that disk fills).
  options.info_log = [&log](bool error, std::string line) {
    if (error) {
      log.Error(absl::StrCat("rocksdb: ", line));
    } else {
      log.Warning(absl::StrCat("rocksdb: ", line));
    }
  };
  // A replica starts following: it writes nothing of its own until it leads.
  options.start_following = replicated;
  auto store = collectonce::store::RocksDbStore::Open(std::move(options));
  if (!store.ok() && collectonce::ReasonOf(store.status()) == "NO_SPACE") {
    log.Error(absl::StrCat("refusing to start: ", store.status().message(),
                           "; nothing was changed. Free space on that disk (or grow the volume) "
                           "and start again"),
              {{"reason", "NO_SPACE"}, {"data_dir", data_dir}});
    return kExitNoSpace;
  }
  if (!store.ok()) return Fail(std::string(store.status().message()));

  // The newest tree head this registry handed out, kept beside the signing key: a store
  // behind it (a data directory rolled back, an older backup restored) or one whose log
  // hashes to another root is refused before it serves anything.
  const std::string head_file =
      !f.published_head_file.empty()
          ? f.published_head_file
          : std::filesystem::path(audit_key).replace_filename("published-tree-head").string();
  auto published = collectonce::audit::ReadPublishedHead(head_file);
  if (!published.ok()) return Fail(std::string(published.status().message()));
  const uint64_t audit_size = (*store)->Stats().audit_size;
  if (published->has_value() && replicated) {
    // A replica behind the head it published (restored from a backup, or wiped) catches up
    // from the group's log, which is the authority here; a rollback of the whole group is
    // still seen by any client holding a later signed head.
    if (audit_size < (*published)->head.size) {
      log.Info("the store is behind the tree head this replica published; following the log",
               {{"published_size", static_cast<int64_t>((*published)->head.size)},
                {"store_audit_size", static_cast<int64_t>(audit_size)}});
    }
  } else if (published->has_value()) {
    if (auto s = collectonce::audit::CheckAgainstPublishedHead(**published, signer->PublicKeyRaw(),
                                                               audit_size, (*store)->AuditNodes());
        !s.ok()) {
      log.Error(absl::StrCat("refusing to start: ", s.message(),
                             " (to start from an older copy on purpose, move ", head_file,
                             " aside first: clients holding newer heads will see a fork)"),
                {{"published_head_file", head_file},
                 {"published_size", static_cast<int64_t>((*published)->head.size)},
                 {"store_audit_size", static_cast<int64_t>(audit_size)},
                 {"reason", collectonce::ReasonOf(s)}});
      return kExitStoreBehindPublishedHead;
    }
  } else if (audit_size > 0) {
    log.Warning(absl::StrCat("no published tree head at ", head_file,
                             "; keeping one from now on (a rollback before this start cannot be "
                             "told from here)"),
                {{"published_head_file", head_file}});
  }
  collectonce::audit::HeadPublisher publisher(&*signer, head_file,
                                              published->has_value() ? (*published)->head.size : 0);
  // Publish the head the store starts from, and again at a clean stop: a later rollback to
  // any state before either is refused even if no client asked for a head in between.
  auto publish_current = [&]() -> absl::Status {
    collectonce::audit::TreeHead head;
    head.size = (*store)->Stats().audit_size;
    if (head.size == 0) return absl::OkStatus();
    ASSIGN_OR_RETURN(head.root, collectonce::audit::RootAt((*store)->AuditNodes(), head.size));
    head.timestamp_us = clock.NowMicros();
    return publisher.Publish(head).status();
  };
  if (auto s = publish_current(); !s.ok()) return Fail(std::string(s.message()));

  collectonce::registry::RegistryContext context(store->get(), insecure, f.bootstrap_governance);
  context.set_data_dir(data_dir);
  context.set_clock(clock);
  context.set_page_token_key(std::move(page_token_key));
  if (auto s = context.ReloadPolicy(); !s.ok()) return Fail(std::string(s.message()));
  collectonce::rpc::Admission admission(f.max_concurrent_calls);
  context.set_admission(&admission);
  // Set once the replicated mode runs (after the server listens, so that it can advertise
  // the bound address); until then a replica leads nothing.
  std::atomic<collectonce::registry::ReplicationMode*> replication_mode{nullptr};
  if (replicated) {
    context.set_leading([&replication_mode] {
      auto* m = replication_mode.load();
      return m != nullptr && m->Leading();
    });
    context.set_backup_recorder(
        [&replication_mode](const std::string& dir, const collectonce::store::BackupInfo& info) {
          if (auto* m = replication_mode.load()) m->RecordBackup(dir, info);
        });
  }
  auto hub = std::make_unique<collectonce::registry::WatchHub>(store->get());
  collectonce::registry::RecordServiceImpl records(&context, hub.get(), &publisher);
  collectonce::registry::GovernanceServiceImpl governance(&context);
  collectonce::registry::ReuseLedgerImpl reuse(&context);
  evidence_settings.log_heads = &publisher;
  collectonce::registry::EvidenceServiceImpl evidence(&context, std::move(evidence_settings));
  collectonce::registry::DisputeServiceImpl disputes(&context);
  collectonce::registry::AuditServiceImpl audit_service(&context, &*signer, &publisher);
  collectonce::rpc::RpcMetrics metrics;
  AddStoreMetrics(store->get(), &metrics);
  collectonce::rpc::AddAdmissionMetrics(&metrics, &admission);
  collectonce::rpc::AddProcessMetrics(&metrics, "registryd");

  collectonce::rpc::EnableHealthAndReflection();
  grpc::ServerBuilder builder;
  collectonce::rpc::RefusePortSharing(&builder);
  int port = 0;
  builder.AddListeningPort(f.listen, credentials, &port);
  builder.RegisterService(&records);
  builder.RegisterService(&governance);
  builder.RegisterService(&reuse);
  builder.RegisterService(&audit_service);
  builder.RegisterService(&evidence);
  builder.RegisterService(&disputes);
  builder.SetMaxReceiveMessageSize(f.max_message_mb << 20);
  builder.SetMaxSendMessageSize(64 << 20);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(admission.InterceptorFactory());
  // Before the call observer, so that the access log shows the status the caller gets.
  interceptors.push_back(collectonce::rpc::ParseGuardFactory(collectonce::rpc::kRegistryDomain));
  if (replicated) {
    interceptors.push_back(collectonce::rpc::LeaderHintFactory([&replication_mode] {
      auto* m = replication_mode.load();
      return m != nullptr ? m->Hint() : collectonce::rpc::LeaderHint{};
    }));
  }
  interceptors.push_back(collectonce::rpc::CallObserverFactory({&metrics, &log, insecure}));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    return Fail(collectonce::rpc::ListenFailure("gRPC address", listen->first, listen->second));
  }

  const std::string grpc_address = absl::StrCat(listen->first, ":", port);
  std::unique_ptr<collectonce::registry::RocksDbReplicatedStore> replicated_store;
  std::unique_ptr<collectonce::registry::ReplicationMode> replication;
  std::atomic<bool> policy_stale{false};
  absl::Notification stopping_reloader;
  std::thread policy_reloader;
  if (replicated) {
    if (f.replication.advertise_address.empty()) f.replication.advertise_address = grpc_address;
    // A follower takes the governance objects it applies into its access policy (at most
    // every 200 ms); a replica about to lead, at once.
    replicated_store = std::make_unique<collectonce::registry::RocksDbReplicatedStore>(
        store->get(), [&policy_stale] { policy_stale = true; },
        [&context, &log] {
          if (auto s = context.ReloadPolicy(); !s.ok()) log.Error(std::string(s.message()));
        });
    policy_reloader = std::thread([&] {
      while (!stopping_reloader.WaitForNotificationWithTimeout(absl::Milliseconds(200))) {
        if (!policy_stale.exchange(false)) continue;
        if (auto s = context.ReloadPolicy(); !s.ok()) log.Error(std::string(s.message()));
      }
    });
    auto m = collectonce::registry::ReplicationMode::Start(f.replication, replicated_store.get());
    if (!m.ok()) return Fail(std::string(m.status().message()));
    replication = *std::move(m);
    replication->AddMetrics(&metrics);
    replication_mode = replication.get();
    log.Info(
        absl::StrCat("replica ", f.replication.replica_id, " of the group at ",
                     f.replication.etcd_prefix, " in etcd ", f.replication.etcd_endpoints,
                     "; callers are sent to ", f.replication.advertise_address, " while it leads"),
        {{"replica_id", f.replication.replica_id},
         {"advertise_address", f.replication.advertise_address}});
  }

  collectonce::rpc::AdminServer::Handlers handlers;
  handlers.health = [s = store->get()] { return s->Health(); };
  handlers.metrics = [&metrics, &replication] {
    return metrics.Render() + (replication ? replication->etcd_calls().Render() : "");
  };
  // The evidence keys and status lists are public: verifiers fetch them without a client
  // certificate (docs/evidence.md).
  handlers.documents.push_back({"/.well-known/jwks.json", "application/jwk-set+json",
                                [&evidence](const std::string&) -> absl::StatusOr<std::string> {
                                  return evidence.settings().jwks.ToJson();
                                }});
  handlers.documents.push_back(
      {"/status-lists/", "application/statuslist+jwt",
       [&evidence](const std::string& number) -> absl::StatusOr<std::string> {
         uint64_t list = 0;
         if (!absl::SimpleAtoi(number, &list)) return absl::NotFoundError("no such status list");
         auto token = evidence.StatusListToken(list);
         if (!token.ok()) return token.status();
         return token->token();
       }});
  auto admin = collectonce::rpc::AdminServer::Start(f.admin_listen, handlers);
  if (!admin.ok()) return Fail(std::string(admin.status().message()));

  auto* health = server->GetHealthCheckService();
  // NOT_SERVING once the store has failed a write (it then takes none until restarted).
  auto follower = std::make_unique<collectonce::rpc::HealthFollower>(
      health, [s = store->get()] { return s->Health(); });
  // The leader's own service name follows the role (always SERVING on a single registryd).
  auto leader_follower = std::make_unique<collectonce::rpc::HealthFollower>(
      health,
      [s = store->get(), &context] {
        if (!context.leading()) return absl::FailedPreconditionError("follows");
        return s->Health();
      },
      absl::Milliseconds(100), kLeaderHealthService);
  const std::string admin_address =
      absl::StrCat(collectonce::rpc::SplitHostPort(f.admin_listen)->first, ":", (*admin)->port());
  evidence.set_status_base_url(f.evidence_status_base_url.empty()
                                   ? absl::StrCat("http://", admin_address)
                                   : f.evidence_status_base_url);
  // tests/daemon.cc and operators' scripts read the two addresses from this message.
  log.Info(absl::StrCat("serving gRPC on ", grpc_address, ", admin on ", admin_address),
           {{"grpc_address", grpc_address},
            {"admin_address", admin_address},
            {"data_dir", data_dir},
            {"sync", f.sync ? "on" : "off"},
            {"last_commit_sequence", (*store)->Stats().last_commit_sequence}});

  const int sig = collectonce::rpc::WaitForTerminationSignal();
  log.Info("draining", {{"signal", sig}});
  follower.reset();
  leader_follower.reset();
  health->SetServingStatus(false);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(10));
  server->Wait();
  admin->reset();
  hub.reset();
  if (auto s = publish_current(); !s.ok()) {
    log.Warning(absl::StrCat("could not keep the final tree head: ", s.message()));
  }
  replication_mode = nullptr;
  replication.reset();  // resigns if it leads, so that another replica need not wait
  stopping_reloader.Notify();
  if (policy_reloader.joinable()) policy_reloader.join();
  replicated_store.reset();
  store->reset();  // the committer finishes what is queued; RocksDB closes cleanly
  log.Info("stopped");
  return 0;
}
