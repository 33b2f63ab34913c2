// Reuse receipts end to end with the real registryd, reuse-gatewayd and registryctl: the
// real-estate transfer system pre-fills its form for a demo person and saves the receipt;
// the receipt verifies offline with registryctl against the audit key saved from a tree head
// and through the gateway's VerifyReceipt; the log's entry holds the salted digest and never
// a value; an auditor's replay at the served revision gives the same values, also after the
// record has moved on; tampering with a served value, the entry or the key fails, naming the
// check; a stored state edited behind the registry's back makes the replay fail; malformed
// input gets a specific error.
#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "collectonce/gateway/v1/gateway.grpc.pb.h"
#include "collectonce/registry/v1/audit.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "libs/catalog/subject.h"
#include "libs/store/keys.h"
#include "libs/store/test_util.h"
#include "tests/daemon.h"

namespace collectonce {
namespace {

namespace v1 = ::collectonce::registry::v1;
namespace gw = ::collectonce::gateway::v1;
using ::testing::HasSubstr;
using ::testing::Not;

const char kExamples[] = COLLECTONCE_SOURCE_DIR "/deploy/examples";
const char kRealEstate[] = "--as spiffe://sanming.gov.cn/approval/real-estate";
const char kSongId[] = "350403194503120012";  // 宋文富 of the demo data
const char kSongName[] = "宋文富";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

class ReceiptE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/collectonce-receipt-XXXXXX";
    dir_ = mkdtemp(tmpl);
    StartRegistry();
    WriteFile(dir_ + "/id.txt", std::string(kSongId) + "\n");
    for (const std::string& args :
         {absl::StrCat("catalog apply -f ", kExamples, "/catalog"),
          absl::StrCat("matter apply -f ", kExamples, "/matters"),
          absl::StrCat("bundle apply -f ", kExamples, "/bundles"),
          absl::StrCat("principal apply -f ", kExamples, "/principals"),
          absl::StrCat("import --kind person ", kExamples,
                       "/demo/persons.csv --source public-security.household --report ", dir_,
                       "/report.txt"),
          absl::StrCat("audit head > ", dir_, "/head.json")}) {
      testing::ShellResult r = Ctl(args);
      ASSERT_EQ(r.exit_code, 0) << args << ": " << r.out;
    }
    StartGateway();
  }
  void StartRegistry() {
    auto d = testing::Daemon::Start(REGISTRYD_BINARY,
                                    {"--insecure", "--no-sync", "--data-dir", dir_ + "/data",
                                     "--bootstrap-governance", "registryctl"},
                                    dir_ + "/registryd.log");
    ASSERT_TRUE(d.ok()) << d.status();
    registry_ = std::make_unique<testing::Daemon>(*std::move(d));
  }
  void StartGateway() {
    // The gateway pins the audit key from the saved head, as a deployment would.
    auto g = testing::Daemon::Start(GATEWAYD_BINARY,
                                    {"--insecure", "--registry", registry_->grpc_address(),
                                     "--audit-public-key-file", dir_ + "/head.json"},
                                    dir_ + "/gateway.log");
    ASSERT_TRUE(g.ok()) << g.status();
    gateway_ = std::make_unique<testing::Daemon>(*std::move(g));
  }
  void TearDown() override {
    gateway_.reset();
    registry_.reset();
    std::filesystem::remove_all(dir_);
  }
  testing::ShellResult Ctl(const std::string& args) {
    testing::ShellResult r = testing::RunShell(
        absl::StrCat("REGISTRYCTL_REGISTRY=", registry_->grpc_address(), " REGISTRYCTL_GATEWAY=",
                     gateway_ ? gateway_->grpc_address() : "", " ", REGISTRYCTL_BINARY, " ", args));
    testing::KeepTestOutput("registryctl.txt", r.out);
    return r;
  }
  // The receipt file as JSON, to tamper with.
  nlohmann::json ReceiptJson(const std::string& path) {
    return nlohmann::json::parse(ReadFile(path));
  }
  gw::VerifyReceiptResponse VerifyThroughGateway(const std::string& path) {
    v1::ReadReceipt receipt;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(ReadFile(path), &receipt).ok());
    auto stub = gw::ReuseGateway::NewStub(
        grpc::CreateChannel(gateway_->grpc_address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-principal", "spiffe://sanming.gov.cn/approval/real-estate");
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    gw::VerifyReceiptRequest q;
    *q.mutable_receipt() = receipt;
    gw::VerifyReceiptResponse r;
    grpc::Status s = stub->VerifyReceipt(&ctx, q, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r;
  }

  std::string dir_;
  std::unique_ptr<testing::Daemon> registry_, gateway_;
};

TEST_F(ReceiptE2eTest, APrefillsReceiptVerifiesReplaysAndFailsAfterTampering) {
  const std::string receipt = dir_ + "/receipt.json";
  const std::string key = absl::StrCat(" --audit-key ", dir_, "/head.json");
  testing::ShellResult prefill =
      Ctl(absl::StrCat(kRealEstate, " prefill real-estate-transfer --id-number-file ", dir_,
                       "/id.txt --case-id BDC-2026-000321 --receipt-out ", receipt));
  ASSERT_EQ(prefill.exit_code, 0) << prefill.out;
  EXPECT_THAT(prefill.out, HasSubstr("receipt (audit leaf"));
  ASSERT_TRUE(std::filesystem::exists(receipt));

  // The log's entry holds the revision, the policy versions and the digest, never a value.
  v1::ReadReceipt parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(ReadFile(receipt), &parsed).ok());
  v1::AuditEntry entry;
  ASSERT_TRUE(entry.ParseFromString(parsed.entry()));
  ASSERT_TRUE(entry.access().has_served());
  EXPECT_EQ(entry.access().served().salted_sha256().size(), 32u);
  EXPECT_GE(entry.access().served().revision(), 1);
  EXPECT_GE(entry.access().served().catalog_version(), 1);
  EXPECT_GE(entry.access().served().purpose_version(), 1);
  EXPECT_GE(entry.access().served().principal_version(), 1);
  EXPECT_EQ(entry.access().case_id(), "BDC-2026-000321");
  EXPECT_THAT(parsed.entry(), Not(HasSubstr(kSongName)));
  EXPECT_THAT(parsed.entry(), Not(HasSubstr(kSongId)));
  EXPECT_EQ(parsed.salt().size(), 32u);
  EXPECT_GT(parsed.served_size(), 3);

  // Offline, against the key of the saved head.
  testing::ShellResult verify = Ctl(absl::StrCat("receipt verify ", receipt, key, " --offline"));
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_THAT(verify.out, HasSubstr("valid: principals/approval-real-estate was served"));
  EXPECT_THAT(verify.out, HasSubstr("for matters/real-estate-transfer (case BDC-2026-000321)"));
  gw::VerifyReceiptResponse through_gateway = VerifyThroughGateway(receipt);
  EXPECT_TRUE(through_gateway.valid()) << through_gateway.message();
  EXPECT_EQ(through_gateway.purpose(), "matters/real-estate-transfer");
  EXPECT_EQ(through_gateway.leaf_index(), entry.index());

  // The record moves on; the replay at the served revision still gives what was served.
  testing::ShellResult put =
      Ctl(absl::StrCat("record put --kind person --id-number-file ", dir_,
                       "/id.txt --set marital_status=22 --source civil-affairs --reason 再婚登记"));
  ASSERT_EQ(put.exit_code, 0) << put.out;
  testing::ShellResult replay = Ctl(absl::StrCat(kRealEstate, " receipt replay ", receipt, key));
  EXPECT_EQ(replay.exit_code, 0) << replay.out;
  EXPECT_THAT(replay.out, HasSubstr("match: the replayed values hash to the digest"));
  EXPECT_THAT(replay.out, HasSubstr("policy then: catalog v1, matters/real-estate-transfer v1, "
                                    "principals/approval-real-estate v1"));
  EXPECT_THAT(replay.out, Not(HasSubstr(kSongId)));
  EXPECT_THAT(replay.out, Not(HasSubstr(" NO")));

  // A served value changed: the digest no longer holds, here, through the gateway and in
  // the replay, which shows the field that differs.
  nlohmann::json doc = ReceiptJson(receipt);
  bool changed = false;
  for (auto& f : doc["served"]) {
    if (f["field"] == "name") {
      f["value"]["stringValue"] = "宋文贵";
      changed = true;
    }
  }
  ASSERT_TRUE(changed);
  const std::string tampered = dir_ + "/tampered.json";
  WriteFile(tampered, doc.dump());
  testing::ShellResult bad = Ctl(absl::StrCat("receipt verify ", tampered, key, " --offline"));
  EXPECT_EQ(bad.exit_code, 3) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("invalid: digest"));
  gw::VerifyReceiptResponse gateway_bad = VerifyThroughGateway(tampered);
  EXPECT_FALSE(gateway_bad.valid());
  EXPECT_EQ(gateway_bad.failed_check(), "digest");
  testing::ShellResult bad_replay =
      Ctl(absl::StrCat(kRealEstate, " receipt replay ", tampered, key));
  EXPECT_EQ(bad_replay.exit_code, 3) << bad_replay.out;
  EXPECT_THAT(bad_replay.out, HasSubstr("the receipt's own values do not hold: digest"));
  EXPECT_THAT(bad_replay.out, HasSubstr("NO"));

  // The entry changed: it no longer hashes to the proven leaf.
  v1::AuditEntry edited = entry;
  edited.mutable_access()->set_case_id("BDC-2026-000999");
  doc = ReceiptJson(receipt);
  doc["entry"] = absl::Base64Escape(edited.SerializeAsString());
  WriteFile(tampered, doc.dump());
  bad = Ctl(absl::StrCat("receipt verify ", tampered, key, " --offline"));
  EXPECT_EQ(bad.exit_code, 3) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("invalid: entry"));

  // Another key: the signature check says so.
  WriteFile(dir_ + "/other.key", std::string(64, 'a') + "\n");
  bad = Ctl(absl::StrCat("receipt verify ", receipt, " --audit-key ", dir_, "/other.key"));
  EXPECT_EQ(bad.exit_code, 3) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("invalid: signature: the tree head is not signed by the audit "
                                 "key given"));
}

// The registry's history at the served revision edited while it was stopped: the as-of read
// of the replay is refused (the stored state no longer matches its seal), so a receipt cannot
// be made to agree with a rewritten history.
TEST_F(ReceiptE2eTest, AReplayOfAnEditedStoredStateFails) {
  const std::string receipt = dir_ + "/receipt.json";
  const std::string key = absl::StrCat(" --audit-key ", dir_, "/head.json");
  testing::ShellResult prefill =
      Ctl(absl::StrCat(kRealEstate, " prefill real-estate-transfer --id-number-file ", dir_,
                       "/id.txt --receipt-out ", receipt));
  ASSERT_EQ(prefill.exit_code, 0) << prefill.out;
  ASSERT_EQ(Ctl(absl::StrCat("record put --kind person --id-number-file ", dir_,
                             "/id.txt --set marital_status=22 --source civil-affairs --reason "
                             "再婚登记"))
                .exit_code,
            0);
  v1::ReadReceipt parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(ReadFile(receipt), &parsed).ok());
  v1::AuditEntry entry;
  ASSERT_TRUE(entry.ParseFromString(parsed.entry()));
  const auto subject = catalog::ParseSubjectName(entry.access().subject());
  ASSERT_TRUE(subject.ok());
  const int64_t revision = entry.access().served().revision();

  gateway_.reset();
  ASSERT_TRUE(registry_->Stop(SIGTERM).ok());
  registry_.reset();
  {
    store::testing::RawDb raw(dir_ + "/data");
    raw.EditSealed<storage::v1::RecordState>(store::keys::kSnapshotsCf,
                                             store::keys::SubjectRevision(*subject, revision),
                                             [](storage::v1::RecordState* s) {
                                               for (auto& f : *s->mutable_fields()) {
                                                 if (f.field() == "name")
                                                   f.mutable_value()->set_string_value("宋文贵");
                                               }
                                             });
  }
  StartRegistry();
  StartGateway();

  // The receipt itself still verifies: the log was not touched.
  EXPECT_EQ(Ctl(absl::StrCat("receipt verify ", receipt, key, " --offline")).exit_code, 0);
  testing::ShellResult replay = Ctl(absl::StrCat(kRealEstate, " receipt replay ", receipt, key));
  EXPECT_EQ(replay.exit_code, 64 + static_cast<int>(grpc::StatusCode::DATA_LOSS)) << replay.out;
  EXPECT_THAT(replay.out, HasSubstr("STORED_DATA_ALTERED"));
}

TEST_F(ReceiptE2eTest, BadInputGetsASpecificError) {
  WriteFile(dir_ + "/junk.json", "not a receipt\n");
  testing::ShellResult r =
      Ctl(absl::StrCat("receipt verify ", dir_, "/junk.json --audit-key ", dir_, "/head.json"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("is not a receipt saved with `registryctl prefill --receipt-out`"));
  r = Ctl(absl::StrCat("receipt verify ", dir_, "/missing.json --offline"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  WriteFile(dir_ + "/empty.json", "{}\n");
  r = Ctl(absl::StrCat("receipt verify ", dir_, "/empty.json --audit-key ", dir_, "/head.json"));
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_THAT(r.out, HasSubstr("invalid: format: receipt format 0 is not known"));
  WriteFile(dir_ + "/bad.key", "hello\n");
  r = Ctl(absl::StrCat("receipt verify ", dir_, "/empty.json --audit-key ", dir_, "/bad.key"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("expected a tree head saved with `registryctl audit head`"));
  r = Ctl(absl::StrCat("receipt verify ", dir_, "/empty.json --offline"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("--offline needs --audit-key FILE"));
}

}  // namespace
}  // namespace collectonce
