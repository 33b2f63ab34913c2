// `registryctl audit verify` against the real registryd, with the RocksDB directory edited
// behind the stopped daemon's back.
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "collectonce/storage/v1/storage.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/catalog/subject.h"
#include "libs/store/keys.h"
#include "libs/store/test_util.h"
#include "rocksdb/db.h"
#include "tests/daemon.h"

namespace collectonce {
namespace {

namespace v1 = ::collectonce::registry::v1;
using catalog::SubjectName;
using ::testing::HasSubstr;

using CmdResult = testing::ShellResult;

class AuditVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/collectonce-audit-XXXXXX";
    dir_ = mkdtemp(tmpl);
    Start();
    auto ch = grpc::CreateChannel(daemon_->grpc_address(), grpc::InsecureChannelCredentials());
    ASSERT_EQ(Ctl(absl::StrCat("catalog apply -f ", COLLECTONCE_SOURCE_DIR,
                               "/deploy/examples/catalog/enterprise.txtpb"))
                  .exit_code,
              0);
    for (int i = 0; i < 4; ++i) {
      CmdResult r =
          Ctl(absl::StrCat("record put enterprises/91350400MA2YQ8KX1E --set name=测试企业", i,
                           "有限公司 --source market-regulation --reason 登记"));
      ASSERT_EQ(r.exit_code, 0) << r.out;
    }
  }
  void TearDown() override {
    daemon_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Start() {
    auto d = testing::Daemon::Start(REGISTRYD_BINARY,
                                    {"--insecure", "--no-sync", "--data-dir", dir_ + "/data",
                                     "--bootstrap-governance", "registryctl"},
                                    dir_ + "/registryd.log");
    ASSERT_TRUE(d.ok()) << d.status();
    daemon_ = std::make_unique<testing::Daemon>(*std::move(d));
  }
  CmdResult Ctl(const std::string& args) {
    return testing::RunShell(
        absl::StrCat(REGISTRYCTL_BINARY, " --registry ", daemon_->grpc_address(), " ", args));
  }
  // Stops the daemon, edits the audit column family directly, starts it again.
  void TamperWhileStopped(const std::function<void(store::testing::RawDb&)>& f) {
    auto st = daemon_->Stop(SIGTERM);
    ASSERT_TRUE(st.ok());
    daemon_.reset();
    {
      store::testing::RawDb raw(dir_ + "/data");
      f(raw);
    }
    Start();
  }
  std::string dir_;
  std::unique_ptr<testing::Daemon> daemon_;
};

TEST_F(AuditVerifyTest, AnIntactLogVerifiesAndExtendsASavedHead) {
  CmdResult head = Ctl("audit head");
  ASSERT_EQ(head.exit_code, 0) << head.out;
  const std::string saved = dir_ + "/head.json";
  { std::ofstream(saved) << head.out; }
  ASSERT_EQ(Ctl("record put enterprises/91350400MA2YQ8KX1E --set name=后来的名称有限公司 "
                "--source market-regulation --reason 更名")
                .exit_code,
            0);
  CmdResult v = Ctl(absl::StrCat("audit verify --since-head ", saved));
  EXPECT_EQ(v.exit_code, 0) << v.out;
  EXPECT_THAT(v.out, HasSubstr("ok: 6 entries verified"));
}

TEST_F(AuditVerifyTest, AnEntryEditedWhileTheDaemonWasStoppedIsNamed) {
  TamperWhileStopped([](store::testing::RawDb& raw) {
    raw.EditAuditEntry(2, [](v1::AuditEntry* e) { e->set_principal("principals/nobody"); });
  });
  CmdResult v = Ctl("audit verify");
  EXPECT_EQ(v.exit_code, 3) << v.out;
  EXPECT_THAT(v.out, HasSubstr("entry 2 was changed"));
}

TEST_F(AuditVerifyTest, DeletedAndReorderedEntriesAreNamed) {
  TamperWhileStopped([](store::testing::RawDb& raw) {
    rocksdb::DB* db = raw.db();
    rocksdb::ColumnFamilyHandle* audit = raw.cf(store::keys::kAuditCf);
    std::string a, b;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), audit, store::keys::AuditIndex(3), &a).ok());
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), audit, store::keys::AuditIndex(4), &b).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), audit, store::keys::AuditIndex(3), b).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), audit, store::keys::AuditIndex(4), a).ok());
  });
  CmdResult v = Ctl("audit verify");
  EXPECT_EQ(v.exit_code, 3) << v.out;
  EXPECT_THAT(v.out, HasSubstr("entry 3"));
  TamperWhileStopped([](store::testing::RawDb& raw) {
    ASSERT_TRUE(raw.db()
                    ->Delete(rocksdb::WriteOptions(), raw.cf(store::keys::kAuditCf),
                             store::keys::AuditIndex(1))
                    .ok());
  });
  v = Ctl("audit verify");
  EXPECT_EQ(v.exit_code, 3) << v.out;
  EXPECT_THAT(v.out, HasSubstr("entry 1 is missing"));
}

// The newest signed head the registry handed out is kept beside its signing key (here
// DATA_DIR/keys, the local mode's default), outside RocksDB: a data directory put back to an
// older copy is refused at start with exit 3, the database's own files being consistent.
TEST_F(AuditVerifyTest, ADataDirectoryRolledBackToAnOlderCopyIsRefusedAtStart) {
  const std::string data = dir_ + "/data";
  ASSERT_TRUE(daemon_->Stop(SIGTERM).ok());
  daemon_.reset();
  EXPECT_TRUE(std::filesystem::exists(data + "/keys/published-tree-head"));
  // The copy an attacker (or a careless restore) puts back later: everything but the keys.
  ASSERT_EQ(testing::RunShell(absl::StrCat("mkdir ", dir_, "/old && cd ", data,
                                           " && tar --exclude=./keys -cf - . | tar -xf - -C ", dir_,
                                           "/old"))
                .exit_code,
            0);
  Start();
  ASSERT_EQ(Ctl("record put enterprises/91350404MA31GY5T0Y --set name=后来的企业有限公司 "
                "--source market-regulation --reason 登记")
                .exit_code,
            0);
  CmdResult head = Ctl("audit head");
  ASSERT_EQ(head.exit_code, 0) << head.out;
  ASSERT_TRUE(daemon_->Stop(SIGTERM).ok());
  daemon_.reset();
  ASSERT_EQ(testing::RunShell(absl::StrCat("cd ", data,
                                           " && find . -mindepth 1 -maxdepth 1 ! -name "
                                           "keys -exec rm -rf {} + && cp -a ",
                                           dir_, "/old/. ", data, "/"))
                .exit_code,
            0);

  const std::string start = absl::StrCat(
      "timeout 30 ", REGISTRYD_BINARY, " --insecure --no-sync --data-dir ", data,
      " --bootstrap-governance registryctl --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 2>&1");
  CmdResult refused = testing::RunShell(start);
  EXPECT_EQ(refused.exit_code, 3) << refused.out;
  EXPECT_THAT(refused.out, HasSubstr("refusing to start"));
  EXPECT_THAT(refused.out, HasSubstr("has 5 entries, but this registry has published a signed "
                                     "tree head of 6 entries"));
  EXPECT_THAT(refused.out, HasSubstr("STORE_BEHIND_PUBLISHED_HEAD"));

  // Put back on purpose: with the file moved aside the older copy starts (and a client holding
  // the newer head would see the fork).
  std::filesystem::rename(data + "/keys/published-tree-head", dir_ + "/published-tree-head.old");
  Start();
  EXPECT_EQ(Ctl("audit verify").exit_code, 0);
}

// A matter edited on the stopped registry's disk (its fields decide what a read releases) is
// part of the policy, read at start: the edited object does not open, and registryd exits 1
// naming it instead of releasing fields under a matter nobody applied.
TEST_F(AuditVerifyTest, AnEditedMatterStopsTheRegistryFromStarting) {
  CmdResult applied = Ctl(std::string("matter apply -f ") + COLLECTONCE_SOURCE_DIR +
                          "/deploy/examples/matters/data-governance-review-enterprise.txtpb");
  ASSERT_EQ(applied.exit_code, 0) << applied.out;
  ASSERT_TRUE(daemon_->Stop(SIGTERM).ok());
  daemon_.reset();
  {
    store::testing::RawDb raw(dir_ + "/data");
    raw.EditSealed<storage::v1::GovernanceObject>(
        store::keys::kGovernanceCf,
        store::keys::Governance("matters", "matters/data-governance-review-enterprise"),
        [](storage::v1::GovernanceObject* o) { o->set_payload(o->payload() + "x"); });
  }
  const std::string start = absl::StrCat(
      "timeout 30 ", REGISTRYD_BINARY, " --insecure --no-sync --data-dir ", dir_,
      "/data --bootstrap-governance registryctl --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 "
      "2>&1");
  CmdResult refused = testing::RunShell(start);
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_THAT(refused.out,
              HasSubstr("the stored governance object matters/data-governance-review-enterprise "
                        "(version 1) does not match its seal"));
}

// Stored states edited on the stopped registry's disk, as a tester with RocksDB would: the
// API refuses them with DATA_LOSS (never the edited bytes), the metric counts them, and
// `audit verify --states` names the first one. The log itself still verifies: it never
// committed to the states, only to the change sets.
TEST_F(AuditVerifyTest, AlteredStatesAreRefusedOverTheApiAndNamedByVerifyStates) {
  // registryctl reads under the governance matters its principal is granted.
  for (const std::string& apply :
       {std::string("catalog apply -f ") + COLLECTONCE_SOURCE_DIR +
            "/deploy/examples/catalog/person.txtpb",
        std::string("matter apply -f ") + COLLECTONCE_SOURCE_DIR +
            "/deploy/examples/matters/data-governance-review-enterprise.txtpb",
        std::string("matter apply -f ") + COLLECTONCE_SOURCE_DIR +
            "/deploy/examples/matters/data-governance-review-person.txtpb",
        std::string("principal apply -f ") + COLLECTONCE_SOURCE_DIR +
            "/deploy/examples/principals/registryctl.txtpb"}) {
    CmdResult r = Ctl(apply);
    ASSERT_EQ(r.exit_code, 0) << apply << ": " << r.out;
  }
  const std::string steel = "enterprises/91350400MA2YQ8KX1E";
  CmdResult intact = Ctl("audit verify --states");
  EXPECT_EQ(intact.exit_code, 0) << intact.out;
  EXPECT_THAT(intact.out, HasSubstr("4 stored states of 1 subjects"));
  CmdResult intact_json = Ctl("audit verify --states -o json");
  EXPECT_EQ(intact_json.exit_code, 0) << intact_json.out;
  EXPECT_THAT(intact_json.out, HasSubstr("\"statesChecked\": \"4\"")) << intact_json.out;

  const SubjectName subject = *catalog::ParseSubjectName(steel);
  auto rename = [](storage::v1::RecordState* s) {
    for (auto& f : *s->mutable_fields()) {
      if (f.field() == "name") f.mutable_value()->set_string_value("改过的名称有限公司");
    }
  };
  TamperWhileStopped([&](store::testing::RawDb& raw) {
    raw.EditSealed<storage::v1::RecordState>(store::keys::kSnapshotsCf,
                                             store::keys::SubjectRevision(subject, 3), rename);
  });
  CmdResult verify = Ctl("audit verify --states");
  EXPECT_EQ(verify.exit_code, 3) << verify.out;
  EXPECT_THAT(verify.out,
              HasSubstr(absl::StrCat(steel, " revision 3: the snapshot does not match its seal")));
  // As a document too: -o json reports the states' outcome, not only the log's.
  CmdResult as_json = Ctl("audit verify --states -o json");
  EXPECT_EQ(as_json.exit_code, 3) << as_json.out;
  EXPECT_THAT(as_json.out, HasSubstr("\"storedStatesVerified\": false")) << as_json.out;

  TamperWhileStopped([&](store::testing::RawDb& raw) {
    raw.EditSealed<storage::v1::RecordState>(store::keys::kCurrentCf, store::keys::Subject(subject),
                                             rename);
    raw.EditSealed<v1::ChangeSet>(store::keys::kHistoryCf, store::keys::SubjectRevision(subject, 2),
                                  [](v1::ChangeSet* cs) { cs->set_reason("nothing happened"); });
  });
  constexpr int kExitDataLoss = 64 + 15;
  for (const std::string& read :
       {std::string("record get ") + steel, absl::StrCat("record get ", steel, " --revision 4"),
        absl::StrCat("record get ", steel, " --revision 3")}) {
    CmdResult r = Ctl(read);
    EXPECT_EQ(r.exit_code, kExitDataLoss) << read << ": " << r.out;
    EXPECT_THAT(r.out, HasSubstr("STORED_DATA_ALTERED")) << read;
    EXPECT_THAT(r.out, HasSubstr(steel)) << read;
    EXPECT_THAT(r.out, ::testing::Not(HasSubstr("改过的名称"))) << read;
  }
  CmdResult history = Ctl(absl::StrCat("record history ", steel));
  EXPECT_EQ(history.exit_code, kExitDataLoss) << history.out;
  EXPECT_THAT(history.out, HasSubstr("change set of " + steel + " at revision 2"));
  auto metrics = testing::HttpGet(daemon_->admin_address(), "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_THAT(*metrics, HasSubstr("collectonce_store_altered_values_refused_total "));
  EXPECT_THAT(*metrics,
              ::testing::Not(HasSubstr("collectonce_store_altered_values_refused_total 0\n")));
  // The edited change set no longer matches the digest the log holds.
  EXPECT_EQ(Ctl("audit verify").exit_code, 3);
}

}  // namespace
}  // namespace collectonce
