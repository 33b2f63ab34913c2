// GetRecord's read receipts over an in-process channel, on a real RocksDB: the receipt
// verifies with the audit key, its entry names the revision and the policy versions, the
// batch reads refuse to give one, and a registry that cannot sign heads says so.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/receipt/verifier.h"
#include "libs/rpc/errors.h"
#include "libs/store/rocksdb_store.h"
#include "libs/store/test_util.h"
#include "services/registry/governance_service.h"
#include "services/registry/record_service.h"

namespace collectonce::registry {
namespace {

namespace st = ::collectonce::store::testing;

template <typename T>
T Text(const std::string& text) {
  T m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

class ReadReceiptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = st::MakeTempDir("read-receipt");
    store::RocksDbStoreOptions o;
    o.data_dir = dir_;
    o.sync = false;
    o.index_hash = store::KeyedHash::FromKey("0123456789abcdef0123456789abcdef");
    auto s = store::RocksDbStore::Open(std::move(o));
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
    auto signer = audit::Signer::LoadOrCreate(dir_ + "-audit.pem", true);
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = std::make_unique<audit::Signer>(*std::move(signer));
    publisher_ = std::make_unique<audit::HeadPublisher>(signer_.get(), dir_ + "-head");
    context_ = std::make_unique<RegistryContext>(store_.get(), /*insecure=*/true, "bootstrap");
    hub_ = std::make_unique<WatchHub>(store_.get());
    records_ = std::make_unique<RecordServiceImpl>(context_.get(), hub_.get(), publisher_.get());
    unsigned_records_ = std::make_unique<RecordServiceImpl>(context_.get(), hub_.get());
    governance_ = std::make_unique<GovernanceServiceImpl>(context_.get());
    grpc::ServerBuilder b;
    b.RegisterService(records_.get());
    b.RegisterService(governance_.get());
    server_ = b.BuildAndStart();
    grpc::ServerBuilder u;
    u.RegisterService(unsigned_records_.get());
    unsigned_server_ = u.BuildAndStart();
    rec_ = v1::RecordService::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
    unsigned_rec_ =
        v1::RecordService::NewStub(unsigned_server_->InProcessChannel(grpc::ChannelArguments()));
    auto gov = v1::GovernanceService::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));

    v1::ApplyCatalogRequest cat;
    *cat.mutable_catalog() = st::ExampleCatalog("person");
    v1::ApplyCatalogResponse cat_resp;
    ASSERT_TRUE(gov->ApplyCatalog(Ctx("bootstrap"), cat, &cat_resp).ok());
    v1::ApplyMatterRequest matter;
    *matter.mutable_matter() = Text<v1::Matter>(R"tp(
        name: "matters/real-estate-transfer" title: "不动产转移登记" subject_kind: PERSON
        purpose: "房产过户" source: "natural-resources.real-estate"
        form_fields { key: "xm" catalog_field: "name" use: PREFILL }
        form_fields { key: "hyzk" catalog_field: "marital_status" use: PREFILL_MASKED })tp");
    v1::Matter matter_resp;
    ASSERT_TRUE(gov->ApplyMatter(Ctx("bootstrap"), matter, &matter_resp).ok());
    for (const char* p :
         {R"tp(name: "principals/governance" identity: "registryctl" roles: GOVERNANCE)tp",
          R"tp(name: "principals/real-estate" identity: "real-estate" roles: APPROVAL_SYSTEM
               grants { matter: "matters/real-estate-transfer" clear_fields: "name" })tp"}) {
      v1::ApplyPrincipalRequest req;
      *req.mutable_principal() = Text<v1::Principal>(p);
      v1::Principal resp;
      ASSERT_TRUE(gov->ApplyPrincipal(Ctx("bootstrap"), req, &resp).ok());
    }
    auto put = Text<v1::UpdateRecordRequest>(absl::StrCat(R"tp(
      kind: PERSON provenance { source: "public-security.household" }
      values { key: "id_number" value { string_value: ")tp",
                                                          st::kSongId, R"tp(" } }
      values { key: "name" value { string_value: "宋文富" } }
      values { key: "marital_status" value { code_value: "30" } })tp"));
    v1::UpdateRecordResponse put_resp;
    grpc::Status ps = rec_->UpdateRecord(Ctx("registryctl"), put, &put_resp);
    ASSERT_TRUE(ps.ok()) << ps.error_message();
    song_ = put_resp.record().name();
  }
  void TearDown() override {
    server_->Shutdown();
    unsigned_server_->Shutdown();
    server_->Wait();
    unsigned_server_->Wait();
    records_.reset();
    unsigned_records_.reset();
    hub_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
    std::filesystem::remove(dir_ + "-audit.pem");
    std::filesystem::remove(dir_ + "-head");
  }
  grpc::ClientContext* Ctx(const std::string& principal) {
    contexts_.push_back(std::make_unique<grpc::ClientContext>());
    contexts_.back()->AddMetadata("x-principal", principal);
    contexts_.back()->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return contexts_.back().get();
  }
  v1::GetRecordRequest ReadWithReceipt() {
    v1::GetRecordRequest q;
    q.set_name(song_);
    q.mutable_options()->set_purpose("matters/real-estate-transfer");
    q.mutable_options()->set_case_id("BDC-1");
    q.mutable_options()->set_receipt(true);
    return q;
  }

  std::string dir_, song_;
  std::unique_ptr<store::RocksDbStore> store_;
  std::unique_ptr<audit::Signer> signer_;
  std::unique_ptr<audit::HeadPublisher> publisher_;
  std::unique_ptr<RegistryContext> context_;
  std::unique_ptr<WatchHub> hub_;
  std::unique_ptr<RecordServiceImpl> records_, unsigned_records_;
  std::unique_ptr<GovernanceServiceImpl> governance_;
  std::unique_ptr<grpc::Server> server_, unsigned_server_;
  std::unique_ptr<v1::RecordService::Stub> rec_, unsigned_rec_;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts_;
};

TEST_F(ReadReceiptTest, AReceiptVerifiesAndItsEntryNamesTheRevisionAndPolicyVersions) {
  v1::Record record;
  grpc::Status s = rec_->GetRecord(Ctx("real-estate"), ReadWithReceipt(), &record);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(record.has_receipt());
  receipt::ReceiptVerification v =
      receipt::VerifyReceipt(record.receipt(), signer_->PublicKeyRaw());
  EXPECT_TRUE(v.valid) << v.failed_check << ": " << v.message;
  const v1::AccessEvent& a = v.entry.access();
  EXPECT_EQ(a.subject(), song_);
  EXPECT_EQ(a.case_id(), "BDC-1");
  EXPECT_THAT(a.fields(), ::testing::ElementsAre("name"));
  EXPECT_THAT(a.masked_fields(), ::testing::ElementsAre("marital_status"));
  EXPECT_EQ(a.served().revision(), record.revision());
  EXPECT_EQ(a.served().catalog_version(), 1);
  EXPECT_EQ(a.served().purpose_version(), 1);
  EXPECT_EQ(a.served().principal_version(), 1);
  ASSERT_EQ(record.receipt().served_size(), 2);
  EXPECT_EQ(record.receipt().served(0).field(), "marital_status");
  EXPECT_TRUE(record.receipt().served(0).masked());
  EXPECT_EQ(record.receipt().served(1).value().string_value(), "宋文富");
  // The entry is the one the log holds at that index.
  auto stored = store_->ReadAuditEntries(v.entry.index(), 1, false);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ((*stored)[0].bytes, record.receipt().entry());

  // A second read gets its own salt and digest.
  v1::Record again;
  ASSERT_TRUE(rec_->GetRecord(Ctx("real-estate"), ReadWithReceipt(), &again).ok());
  EXPECT_NE(again.receipt().salt(), record.receipt().salt());
  EXPECT_TRUE(receipt::VerifyReceipt(again.receipt(), signer_->PublicKeyRaw()).valid);
}

TEST_F(ReadReceiptTest, WithoutAReceiptTheAccessEventHasNoDigest) {
  v1::GetRecordRequest q = ReadWithReceipt();
  q.mutable_options()->set_receipt(false);
  v1::Record record;
  ASSERT_TRUE(rec_->GetRecord(Ctx("real-estate"), q, &record).ok());
  EXPECT_FALSE(record.has_receipt());
  auto last = store_->ReadAuditEntry(store_->Stats().audit_size - 1);
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->has_access());
  EXPECT_FALSE(last->access().has_served());
}

TEST_F(ReadReceiptTest, BatchReadsRefuseAndARegistryWithoutHeadsSaysSo) {
  v1::BatchGetRecordsRequest batch;
  batch.add_names(song_);
  *batch.mutable_options() = ReadWithReceipt().options();
  v1::BatchGetRecordsResponse batch_resp;
  grpc::Status s = rec_->BatchGetRecords(Ctx("real-estate"), batch, &batch_resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_EQ(rpc::FromGrpc(s).violations.size(), 1u);
  EXPECT_EQ(rpc::FromGrpc(s).violations[0].field, "options.receipt");

  v1::Record record;
  s = unsigned_rec_->GetRecord(Ctx("real-estate"), ReadWithReceipt(), &record);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "RECEIPTS_UNAVAILABLE");
}

}  // namespace
}  // namespace collectonce::registry
