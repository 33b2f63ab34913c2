// RecordService and GovernanceService over an in-process channel, on a real RocksDB.
#include <filesystem>
#include <functional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/audit/log_verifier.h"
#include "libs/audit/merkle.h"
#include "libs/ident/resident_id.h"
#include "libs/rpc/errors.h"
#include "libs/store/rocksdb_store.h"
#include "libs/store/test_util.h"
#include "services/registry/audit_service.h"
#include "services/registry/governance_service.h"
#include "services/registry/limits.h"
#include "services/registry/page_token.h"
#include "services/registry/record_service.h"

namespace collectonce::registry {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
namespace st = ::collectonce::store::testing;

template <typename T>
T Text(const std::string& text) {
  T m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

const char kMatters[][1200] = {
    R"tp(name: "matters/legal-representative-change" title: "企业法定代表人变更登记"
         subject_kind: ENTERPRISE purpose: "变更登记" source: "market-regulation"
         form_fields { key: "qymc" catalog_field: "name" use: PREFILL }
         form_fields { key: "zczb" catalog_field: "registered_capital" use: PREFILL }
         form_fields { key: "lxdh" catalog_field: "contact_phone" use: PREFILL_MASKED }
         form_fields { key: "fddbr" catalog_field: "legal_representative_name" use: COLLECT
                       write_back: true required: true })tp",
    R"tp(name: "matters/real-estate-transfer" title: "不动产转移登记" subject_kind: PERSON
         purpose: "房产过户" source: "natural-resources.real-estate"
         form_fields { key: "xm" catalog_field: "name" use: PREFILL }
         form_fields { key: "sfzh" catalog_field: "id_number" use: PREFILL }
         form_fields { key: "hjdz" catalog_field: "household_address" use: PREFILL }
         form_fields { key: "sjhm" catalog_field: "mobile_phone" use: PREFILL write_back: true }
         form_fields { key: "hyzk" catalog_field: "marital_status" use: PREFILL_MASKED })tp",
    R"tp(name: "matters/governance-person" title: "数据治理核查" subject_kind: PERSON
         purpose: "核查" form_fields { key: "a" catalog_field: "name" use: PREFILL }
         form_fields { key: "b" catalog_field: "id_number" use: PREFILL }
         form_fields { key: "c" catalog_field: "gender" use: PREFILL }
         form_fields { key: "d" catalog_field: "birth_date" use: PREFILL }
         form_fields { key: "e" catalog_field: "household_address" use: PREFILL }
         form_fields { key: "f" catalog_field: "mobile_phone" use: PREFILL })tp",
    R"tp(name: "matters/governance-enterprise" title: "数据治理核查" subject_kind: ENTERPRISE
         purpose: "核查" form_fields { key: "a" catalog_field: "name" use: PREFILL }
         form_fields { key: "b" catalog_field: "legal_representative_name" use: PREFILL }
         form_fields { key: "c" catalog_field: "registered_capital" use: PREFILL }
         form_fields { key: "d" catalog_field: "contact_phone" use: PREFILL }
         form_fields { key: "e" catalog_field: "status" use: PREFILL })tp",
};

const char kPrincipals[][600] = {
    R"tp(name: "principals/governance" identity: "registryctl" roles: GOVERNANCE roles: AUDITOR
         grants { matter: "matters/governance-person" write_back: true }
         grants { matter: "matters/governance-enterprise" write_back: true })tp",
    R"tp(name: "principals/auditor" identity: "auditor" roles: AUDITOR)tp",
    R"tp(name: "principals/gateway" identity: "gateway" roles: GATEWAY)tp",
    R"tp(name: "principals/market" identity: "market" roles: APPROVAL_SYSTEM
         source: "market-regulation"
         grants { matter: "matters/legal-representative-change" write_back: true })tp",
    R"tp(name: "principals/real-estate" identity: "real-estate" roles: APPROVAL_SYSTEM
         source: "natural-resources.real-estate"
         grants { matter: "matters/real-estate-transfer" write_back: true
                  clear_fields: "name" clear_fields: "id_number" })tp",
};

class RegistryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = st::MakeTempDir("registry");
    store::RocksDbStoreOptions o;
    o.data_dir = dir_;
    o.sync = false;
    o.index_hash = store::KeyedHash::FromKey("0123456789abcdef0123456789abcdef");
    o.block_cache_bytes = 16 << 20;
    o.write_buffer_bytes = 16 << 20;
    auto s = store::RocksDbStore::Open(std::move(o));
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
    context_ = std::make_unique<RegistryContext>(store_.get(), /*insecure=*/true, "bootstrap");
    hub_ = std::make_unique<WatchHub>(store_.get());
    records_ = std::make_unique<RecordServiceImpl>(context_.get(), hub_.get());
    governance_ = std::make_unique<GovernanceServiceImpl>(context_.get());
    auto signer = audit::Signer::LoadOrCreate(dir_ + "-audit.pem", true);
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = std::make_unique<audit::Signer>(*std::move(signer));
    audit_ = std::make_unique<AuditServiceImpl>(context_.get(), signer_.get());
    grpc::ServerBuilder b;
    b.RegisterService(records_.get());
    b.RegisterService(governance_.get());
    b.RegisterService(audit_.get());
    server_ = b.BuildAndStart();
    channel_ = server_->InProcessChannel(grpc::ChannelArguments());
    rec_ = v1::RecordService::NewStub(channel_);
    gov_ = v1::GovernanceService::NewStub(channel_);
    aud_ = v1::AuditService::NewStub(channel_);

    for (const char* kind : {"enterprise", "person"}) {
      v1::ApplyCatalogRequest req;
      *req.mutable_catalog() = st::ExampleCatalog(kind);
      v1::ApplyCatalogResponse resp;
      ASSERT_TRUE(
          Call("bootstrap", &v1::GovernanceService::Stub::ApplyCatalog, gov_.get(), req, &resp)
              .ok());
    }
    for (const char* m : kMatters) {
      v1::ApplyMatterRequest req;
      *req.mutable_matter() = Text<v1::Matter>(m);
      v1::Matter resp;
      grpc::Status s =
          Call("bootstrap", &v1::GovernanceService::Stub::ApplyMatter, gov_.get(), req, &resp);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    for (const char* p : kPrincipals) {
      v1::ApplyPrincipalRequest req;
      *req.mutable_principal() = Text<v1::Principal>(p);
      v1::Principal resp;
      grpc::Status s =
          Call("bootstrap", &v1::GovernanceService::Stub::ApplyPrincipal, gov_.get(), req, &resp);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }
  void TearDown() override {
    server_->Shutdown();
    server_->Wait();
    hub_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
    std::filesystem::remove(dir_ + "-audit.pem");
  }

  template <typename Stub, typename Req, typename Resp>
  grpc::Status Call(const std::string& principal,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    Stub* stub, const Req& req, Resp* resp, const std::string& on_behalf_of = "") {
    grpc::ClientContext ctx;
    if (!principal.empty()) ctx.AddMetadata("x-principal", principal);
    if (!on_behalf_of.empty()) ctx.AddMetadata("x-on-behalf-of", on_behalf_of);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return (stub->*method)(&ctx, req, resp);
  }
  grpc::Status Get(const std::string& principal, const v1::GetRecordRequest& req, v1::Record* out,
                   const std::string& on_behalf_of = "") {
    return Call(principal, &v1::RecordService::Stub::GetRecord, rec_.get(), req, out, on_behalf_of);
  }
  grpc::Status Update(const std::string& principal, const v1::UpdateRecordRequest& req,
                      v1::UpdateRecordResponse* out) {
    return Call(principal, &v1::RecordService::Stub::UpdateRecord, rec_.get(), req, out);
  }

  // 宋文富 and 福建省钢源粉体材料有限公司, written by governance.
  std::string CreateSong() {
    auto req = Text<v1::UpdateRecordRequest>(absl::StrCat(R"tp(
      kind: PERSON provenance { source: "public-security.household" }
      values { key: "id_number" value { string_value: ")tp",
                                                          st::kSongId, R"tp(" } }
      values { key: "name" value { string_value: "宋文富" } }
      values { key: "gender" value { code_value: "1" } }
      values { key: "household_address" value { string_value: "三明市三元区富文新村12幢301室" } }
      values { key: "mobile_phone" value { string_value: "13905981234" } }
      values { key: "marital_status" value { code_value: "30" } })tp"));
    v1::UpdateRecordResponse resp;
    grpc::Status s = Update("registryctl", req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.record().name();
  }
  void CreateSteel() {
    auto req = Text<v1::UpdateRecordRequest>(
        absl::StrCat("name: \"", st::kSteel, R"tp(" provenance { source: "market-regulation" }
      values { key: "name" value { string_value: "福建省钢源粉体材料有限公司" } }
      values { key: "legal_representative_name" value { string_value: "吴秀英" } }
      values { key: "registered_capital" value { decimal_value: "5000" } }
      values { key: "contact_phone" value { string_value: "0598-8234567" } })tp"));
    v1::UpdateRecordResponse resp;
    grpc::Status s = Update("registryctl", req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  std::map<std::string, const v1::FieldValue*> Fields(const v1::Record& r) {
    std::map<std::string, const v1::FieldValue*> m;
    for (const auto& f : r.fields()) m[f.field()] = &f;
    return m;
  }

  std::string dir_;
  std::unique_ptr<store::RocksDbStore> store_;
  std::unique_ptr<RegistryContext> context_;
  std::unique_ptr<WatchHub> hub_;
  std::unique_ptr<RecordServiceImpl> records_;
  std::unique_ptr<GovernanceServiceImpl> governance_;
  std::unique_ptr<audit::Signer> signer_;
  std::unique_ptr<AuditServiceImpl> audit_;
  std::unique_ptr<v1::AuditService::Stub> aud_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RecordService::Stub> rec_;
  std::unique_ptr<v1::GovernanceService::Stub> gov_;
};

TEST_F(RegistryServiceTest, ApprovalSystemSeesGrantedFieldsClearMaskedOrNotAtAll) {
  const std::string song = CreateSong();
  const uint64_t audit_before = store_->Stats().audit_size;
  v1::GetRecordRequest req;
  req.set_name(song);
  req.mutable_options()->set_purpose("matters/real-estate-transfer");
  req.mutable_options()->set_case_id("BDC-2026-000123");
  v1::Record r;
  grpc::Status s = Get("real-estate", req, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto f = Fields(r);
  EXPECT_EQ(f.at("name")->value().string_value(), "宋文富");
  EXPECT_FALSE(f.at("name")->masked());
  EXPECT_EQ(f.at("id_number")->value().string_value(), st::kSongId);
  // Conditionally shared and not named in the grant: masked.
  EXPECT_TRUE(f.at("household_address")->masked());
  EXPECT_EQ(f.at("mobile_phone")->value().string_value(), "139****1234");
  // The matter needs to know the marital status exists, not its value.
  EXPECT_TRUE(f.at("marital_status")->masked());
  EXPECT_EQ(f.at("marital_status")->value().string_value(), "**");
  // Not in the matter: not released at all.
  EXPECT_EQ(f.count("gender"), 0u);

  // The release was recorded before the reply.
  ASSERT_EQ(store_->Stats().audit_size, audit_before + 1);
  auto entry = store_->ReadAuditEntry(audit_before);
  ASSERT_TRUE(entry.ok());
  ASSERT_TRUE(entry->has_access());
  EXPECT_EQ(entry->principal(), "principals/real-estate");
  EXPECT_EQ(entry->access().subject(), song);
  EXPECT_EQ(entry->access().purpose(), "matters/real-estate-transfer");
  EXPECT_EQ(entry->access().case_id(), "BDC-2026-000123");
  EXPECT_THAT(entry->access().fields(), UnorderedElementsAre("name", "id_number"));
  EXPECT_THAT(entry->access().masked_fields(),
              UnorderedElementsAre("household_address", "mobile_phone", "marital_status"));
}

TEST_F(RegistryServiceTest, PersonIsFoundByIdNumberInTheBody) {
  const std::string song = CreateSong();
  v1::GetRecordRequest req;
  req.set_id_number(st::kSongId);
  req.mutable_options()->set_purpose("matters/real-estate-transfer");
  v1::Record r;
  ASSERT_TRUE(Get("real-estate", req, &r).ok());
  EXPECT_EQ(r.name(), song);
  auto entry = store_->ReadAuditEntry(store_->Stats().audit_size - 1);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->access().lookup(), "id_number");
  EXPECT_EQ(entry->SerializeAsString().find(st::kSongId), std::string::npos);
}

// Testing an ID number against the registry leaves a trace even when the caller may see
// none of the fields it asked for: the answer names the person's file.
TEST_F(RegistryServiceTest, LookupByIdNumberIsRecordedWhenNoFieldIsReleased) {
  const std::string song = CreateSong();
  v1::GetRecordRequest req;
  req.set_id_number(st::kSongId);
  req.mutable_options()->set_purpose("matters/real-estate-transfer");
  req.mutable_options()->mutable_read_mask()->add_paths("gender");  // outside the matter
  v1::Record r;
  const uint64_t before = store_->Stats().audit_size;
  ASSERT_TRUE(Get("real-estate", req, &r).ok());
  EXPECT_EQ(r.name(), song);
  EXPECT_EQ(r.fields_size(), 0);
  EXPECT_THAT(r.withheld_fields(), ElementsAre("gender"));
  ASSERT_EQ(store_->Stats().audit_size, before + 1);
  auto entry = store_->ReadAuditEntry(before);
  ASSERT_TRUE(entry.ok());
  ASSERT_TRUE(entry->has_access());
  EXPECT_EQ(entry->access().subject(), song);
  EXPECT_EQ(entry->access().lookup(), "id_number");
  EXPECT_THAT(entry->access().fields(), IsEmpty());
  EXPECT_THAT(entry->access().masked_fields(), IsEmpty());

  // The same read by name, releasing nothing, is not a release.
  req.clear_id_number();
  req.set_name(song);
  ASSERT_TRUE(Get("real-estate", req, &r).ok());
  EXPECT_EQ(store_->Stats().audit_size, before + 1);
}

TEST_F(RegistryServiceTest, BadIdNumberIsAFieldViolationWithoutTheNumber) {
  v1::GetRecordRequest req;
  std::string bad = st::kSongId;
  bad[17] = '9';
  req.set_id_number(bad);
  req.mutable_options()->set_purpose("matters/real-estate-transfer");
  v1::Record r;
  grpc::Status s = Get("real-estate", req, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  rpc::RpcError e = rpc::FromGrpc(s);
  ASSERT_EQ(e.violations.size(), 1u);
  EXPECT_EQ(e.violations[0].field, "id_number");
  EXPECT_THAT(e.violations[0].message, HasSubstr("check character"));
  EXPECT_EQ(s.error_message().find(bad.substr(0, 14)), std::string::npos);
  EXPECT_EQ(s.error_details().find(bad.substr(0, 14)), std::string::npos);
}

TEST_F(RegistryServiceTest, PermissionIsDecidedBeforeExistence) {
  v1::GetRecordRequest req;
  req.set_name("persons/nosuchperson");
  req.mutable_options()->set_purpose("matters/real-estate-transfer");
  v1::Record r;
  // The market regulator has no grant for real-estate transfers: denied, whether or not the
  // person exists.
  grpc::Status s = Get("market", req, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "NO_GRANT_FOR_PURPOSE");
  // With a grant, a missing person is NOT_FOUND.
  EXPECT_EQ(Get("real-estate", req, &r).error_code(), grpc::StatusCode::NOT_FOUND);
  // No purpose, no data.
  req.mutable_options()->clear_purpose();
  s = Get("real-estate", req, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "PURPOSE_REQUIRED");
  // Auditors read history, not records.
  req.mutable_options()->set_purpose("matters/real-estate-transfer");
  s = Get("auditor", req, &r);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "ROLE_MAY_NOT_READ_RECORDS");
  // Unknown and missing identities.
  EXPECT_EQ(rpc::FromGrpc(Get("stranger", req, &r)).reason, "UNKNOWN_PRINCIPAL");
  EXPECT_EQ(Get("", req, &r).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(RegistryServiceTest, GatewayCarriesTheEndCallersGrantsAndNoMore) {
  const std::string song = CreateSong();
  v1::GetRecordRequest req;
  req.set_name(song);
  req.mutable_options()->set_purpose("matters/real-estate-transfer");
  v1::Record r;
  grpc::Status s = Get("gateway", req, &r, "real-estate");
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(Fields(r).count("gender"), 0u);
  auto entry = store_->ReadAuditEntry(store_->Stats().audit_size - 1);
  EXPECT_EQ(entry->principal(), "principals/real-estate");
  EXPECT_EQ(entry->access().via(), "principals/gateway");
  // The gateway on its own has no grants; an approval system cannot act for another.
  EXPECT_EQ(Get("gateway", req, &r).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Get("market", req, &r, "real-estate");
  EXPECT_EQ(rpc::FromGrpc(s).reason, "NOT_A_GATEWAY");
  s = Get("gateway", req, &r, "market");
  EXPECT_EQ(rpc::FromGrpc(s).reason, "NO_GRANT_FOR_PURPOSE");
}

TEST_F(RegistryServiceTest, UpdateReportsEveryBadValueAndWritesNothing) {
  CreateSteel();
  const auto seq = store_->Stats().last_commit_sequence;
  auto req = Text<v1::UpdateRecordRequest>(
      absl::StrCat("name: \"", st::kSteel, R"tp(" provenance { source: "market-regulation" }
      values { key: "registered_capital" value { string_value: "five" } }
      values { key: "status" value { code_value: "42" } }
      values { key: "no_such_field" value { string_value: "x" } })tp"));
  v1::UpdateRecordResponse resp;
  grpc::Status s = Update("registryctl", req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  rpc::RpcError e = rpc::FromGrpc(s);
  EXPECT_EQ(e.reason, "INVALID_VALUES");
  std::vector<std::string> got;
  for (const auto& v : e.violations) got.push_back(v.field + "/" + v.rule);
  EXPECT_THAT(got, UnorderedElementsAre("registered_capital/TYPE", "status/CODE",
                                        "no_such_field/UNKNOWN_FIELD"));
  EXPECT_EQ(store_->Stats().last_commit_sequence, seq);
}

TEST_F(RegistryServiceTest, StaleEtagIsAbortedAndRetriesAreIdempotent) {
  CreateSteel();
  v1::GetRecordRequest get;
  get.set_name(st::kSteel);
  get.mutable_options()->set_purpose("matters/governance-enterprise");
  v1::Record r;
  ASSERT_TRUE(Get("registryctl", get, &r).ok());
  auto req = Text<v1::UpdateRecordRequest>(
      absl::StrCat("name: \"", st::kSteel, R"tp(" provenance { source: "market-regulation" }
      reason: "法定代表人变更" request_id: "req-1"
      values { key: "legal_representative_name" value { string_value: "林志强" } })tp"));
  req.set_etag(r.etag());
  v1::UpdateRecordResponse first, again;
  ASSERT_TRUE(Update("registryctl", req, &first).ok());
  EXPECT_EQ(first.record().revision(), 2);
  ASSERT_TRUE(Update("registryctl", req, &again).ok());
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.record().revision(), 2);

  req.set_request_id("req-2");
  req.mutable_values()->at("legal_representative_name").set_string_value("陈建华");
  grpc::Status s = Update("registryctl", req, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "ETAG_MISMATCH");
}

TEST_F(RegistryServiceTest, ApprovalSystemWritesBackOnlyItsMattersFields) {
  CreateSteel();
  auto req = Text<v1::UpdateRecordRequest>(absl::StrCat(
      "name: \"", st::kSteel, R"tp(" provenance { matter: "matters/legal-representative-change" }
      values { key: "legal_representative_name" value { string_value: "林志强" } })tp"));
  v1::UpdateRecordResponse resp;
  grpc::Status s = Update("market", req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.change_set().source(), "market-regulation");
  EXPECT_EQ(resp.change_set().matter(), "matters/legal-representative-change");
  EXPECT_FALSE(resp.change_set().changes(0).has_old_value());  // not for an approval system

  (*req.mutable_values())["registered_capital"].set_decimal_value("9000");
  s = Update("market", req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "FIELD_NOT_WRITABLE");
  s = Update("auditor", req, &resp);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "ROLE_MAY_NOT_WRITE");
}

TEST_F(RegistryServiceTest, AsOfReadsOverGrpc) {
  CreateSteel();
  v1::UpdateRecordRequest change = Text<v1::UpdateRecordRequest>(
      absl::StrCat("name: \"", st::kSteel, R"tp(" provenance { source: "market-regulation" }
      values { key: "legal_representative_name" value { string_value: "林志强" } })tp"));
  v1::UpdateRecordResponse resp;
  ASSERT_TRUE(Update("registryctl", change, &resp).ok());
  v1::GetRecordRequest get;
  get.set_name(st::kSteel);
  get.mutable_options()->set_purpose("matters/governance-enterprise");
  get.mutable_options()->set_revision(1);
  v1::Record r;
  ASSERT_TRUE(Get("registryctl", get, &r).ok());
  EXPECT_EQ(Fields(r).at("legal_representative_name")->value().string_value(), "吴秀英");
  get.mutable_options()->set_revision(0);
  *get.mutable_options()->mutable_commit_time() = resp.record().update_time();
  ASSERT_TRUE(Get("registryctl", get, &r).ok());
  EXPECT_EQ(Fields(r).at("legal_representative_name")->value().string_value(), "林志强");
  get.mutable_options()->mutable_commit_time()->set_seconds(resp.record().update_time().seconds() -
                                                            3600 * 24 * 365);
  EXPECT_EQ(Get("registryctl", get, &r).error_code(), grpc::StatusCode::NOT_FOUND);
  get.mutable_options()->set_revision(7);
  grpc::Status s = Get("registryctl", get, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);  // two as-of forms at once
  get.mutable_options()->clear_commit_time();
  EXPECT_EQ(Get("registryctl", get, &r).error_code(), grpc::StatusCode::NOT_FOUND);
  get.mutable_options()->set_revision(0);
  get.mutable_options()->mutable_read_mask()->add_paths("no_such_field");
  s = Get("registryctl", get, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rpc::FromGrpc(s).violations.at(0).rule, "UNKNOWN_FIELD");
}

TEST_F(RegistryServiceTest, BatchGetIsBoundedAndOrdered) {
  CreateSteel();
  v1::BatchGetRecordsRequest req;
  req.mutable_options()->set_purpose("matters/governance-enterprise");
  for (int i = 0; i < 1001; ++i) req.add_names(st::kSteel);
  v1::BatchGetRecordsResponse resp;
  grpc::Status s =
      Call("registryctl", &v1::RecordService::Stub::BatchGetRecords, rec_.get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "BATCH_TOO_LARGE");
  req.clear_names();
  req.add_names(st::kSteel);
  req.add_names(st::kPowder);
  EXPECT_EQ(Call("registryctl", &v1::RecordService::Stub::BatchGetRecords, rec_.get(), req, &resp)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  req.set_names(1, st::kSteel);
  ASSERT_TRUE(
      Call("registryctl", &v1::RecordService::Stub::BatchGetRecords, rec_.get(), req, &resp).ok());
  EXPECT_EQ(resp.records_size(), 2);
}

TEST_F(RegistryServiceTest, RevisionsArePagedWithOpaqueTokensAndMaskedForAuditors) {
  const std::string song = CreateSong();
  for (int i = 0; i < 4; ++i) {
    auto req = Text<v1::UpdateRecordRequest>(absl::StrCat(
        "name: \"", song, "\" provenance { source: \"public-security.household\" } ",
        "values { key: \"mobile_phone\" value { string_value: \"1390598000", i, "\" } }"));
    v1::UpdateRecordResponse resp;
    ASSERT_TRUE(Update("registryctl", req, &resp).ok());
  }
  v1::ListRecordRevisionsRequest req;
  req.set_parent(song);
  req.set_page_size(2);
  v1::ListRecordRevisionsResponse page;
  ASSERT_TRUE(
      Call("auditor", &v1::RecordService::Stub::ListRecordRevisions, rec_.get(), req, &page).ok());
  ASSERT_EQ(page.change_sets_size(), 2);
  EXPECT_EQ(page.change_sets(0).revision(), 5);
  EXPECT_EQ(page.change_sets(0).changes(0).new_value().string_value(), "139****0003");
  ASSERT_FALSE(page.next_page_token().empty());
  req.set_page_token(page.next_page_token());
  ASSERT_TRUE(
      Call("auditor", &v1::RecordService::Stub::ListRecordRevisions, rec_.get(), req, &page).ok());
  EXPECT_EQ(page.change_sets(0).revision(), 3);
  // A token from another query is refused.
  req.set_field("name");
  grpc::Status s =
      Call("auditor", &v1::RecordService::Stub::ListRecordRevisions, rec_.get(), req, &page);
  EXPECT_EQ(rpc::FromGrpc(s).violations.at(0).field, "page_token");
  req.set_page_token("!!!");
  EXPECT_EQ(Call("auditor", &v1::RecordService::Stub::ListRecordRevisions, rec_.get(), req, &page)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// An enterprise's legal representative is personal data: listing its history releases it
// as GetRecord does, and is recorded the same way.
TEST_F(RegistryServiceTest, EnterpriseHistoryOfPersonalFieldsIsAnAccess) {
  CreateSteel();
  v1::ListRecordRevisionsRequest req;
  req.set_parent(st::kSteel);
  req.set_purpose("matters/governance-enterprise");
  v1::ListRecordRevisionsResponse page;
  uint64_t before = store_->Stats().audit_size;
  ASSERT_TRUE(
      Call("registryctl", &v1::RecordService::Stub::ListRecordRevisions, rec_.get(), req, &page)
          .ok());
  ASSERT_EQ(page.change_sets_size(), 1);
  ASSERT_EQ(store_->Stats().audit_size, before + 1);
  auto entry = store_->ReadAuditEntry(before);
  ASSERT_TRUE(entry.ok());
  ASSERT_TRUE(entry->has_access());
  EXPECT_EQ(entry->access().subject(), st::kSteel);
  EXPECT_EQ(entry->access().lookup(), "history");
  EXPECT_THAT(entry->access().fields(),
              UnorderedElementsAre("name", "legal_representative_name", "registered_capital",
                                   "contact_phone"));

  // Masked for an auditor, and still a release of personal data.
  req.clear_purpose();
  before = store_->Stats().audit_size;
  ASSERT_TRUE(
      Call("auditor", &v1::RecordService::Stub::ListRecordRevisions, rec_.get(), req, &page).ok());
  EXPECT_EQ(store_->Stats().audit_size, before + 1);

  // A change set touching only public fields is not.
  auto change = Text<v1::UpdateRecordRequest>(
      absl::StrCat("name: \"", st::kSteel, R"tp(" provenance { source: "market-regulation" }
      values { key: "registered_capital" value { decimal_value: "6000" } })tp"));
  v1::UpdateRecordResponse resp;
  ASSERT_TRUE(Update("registryctl", change, &resp).ok());
  v1::ListRecordRevisionsRequest only_capital;
  only_capital.set_parent(st::kSteel);
  only_capital.set_field("registered_capital");
  only_capital.set_page_size(1);
  before = store_->Stats().audit_size;
  ASSERT_TRUE(Call("auditor", &v1::RecordService::Stub::ListRecordRevisions, rec_.get(),
                   only_capital, &page)
                  .ok());
  ASSERT_EQ(page.change_sets_size(), 1);
  EXPECT_EQ(page.change_sets(0).revision(), 2);
  EXPECT_EQ(store_->Stats().audit_size, before);
}

// A stream records no access events, so it releases no values, not even to governance.
TEST_F(RegistryServiceTest, WatchCarriesNoValuesWhoeverWatches) {
  CreateSteel();
  CreateSong();
  const uint64_t audit_before = store_->Stats().audit_size;
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-principal", "registryctl");
  v1::WatchChangesRequest req;
  auto reader = rec_->WatchChanges(&ctx, req);
  v1::WatchChangesResponse msg;
  int seen = 0;
  while (seen < 2 && reader->Read(&msg)) {
    for (const auto& cs : msg.change_sets()) {
      ++seen;
      ASSERT_GT(cs.changes_size(), 0);
      for (const auto& c : cs.changes()) {
        EXPECT_FALSE(c.has_new_value()) << cs.subject() << " " << c.field();
        EXPECT_FALSE(c.has_old_value()) << cs.subject() << " " << c.field();
      }
    }
  }
  ctx.TryCancel();
  EXPECT_EQ(seen, 2);
  EXPECT_EQ(store_->Stats().audit_size, audit_before);
}

// No purpose, no data: an approval system reads history only for a purpose its grants
// cover, with GetRecord's per-field release, and the release is recorded with that purpose.
TEST_F(RegistryServiceTest, ApprovalSystemsReadHistoryOnlyForAGrantedPurpose) {
  CreateSteel();
  const std::string song = CreateSong();
  auto history = [&](const std::string& principal, const std::string& parent,
                     const std::string& purpose, v1::ListRecordRevisionsResponse* page) {
    v1::ListRecordRevisionsRequest req;
    req.set_parent(parent);
    req.set_purpose(purpose);
    return Call(principal, &v1::RecordService::Stub::ListRecordRevisions, rec_.get(), req, page);
  };
  v1::ListRecordRevisionsResponse page;
  for (const std::string& parent : {std::string(st::kSteel), song}) {
    grpc::Status none = history("market", parent, "", &page);
    EXPECT_EQ(none.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << parent;
    EXPECT_EQ(rpc::FromGrpc(none).reason, "PURPOSE_REQUIRED") << parent;
    EXPECT_EQ(page.change_sets_size(), 0);
  }
  // The market regulator's grant is about enterprises; the person's history stays closed.
  grpc::Status other_kind = history("market", song, "matters/legal-representative-change", &page);
  EXPECT_EQ(other_kind.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(rpc::FromGrpc(other_kind).reason, "PURPOSE_NOT_FOR_THIS_KIND");
  EXPECT_EQ(
      rpc::FromGrpc(history("market", st::kSteel, "matters/real-estate-transfer", &page)).reason,
      "NO_GRANT_FOR_PURPOSE");

  const uint64_t before = store_->Stats().audit_size;
  grpc::Status ok = history("market", st::kSteel, "matters/legal-representative-change", &page);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  ASSERT_EQ(page.change_sets_size(), 1);
  std::map<std::string, const v1::FieldChange*> changes;
  for (const auto& c : page.change_sets(0).changes()) changes[c.field()] = &c;
  // As GetRecord releases them for that matter: the phone masked (PREFILL_MASKED), the
  // fields it pre-fills in clear, the one it only collects without a value.
  EXPECT_EQ(changes.at("name")->new_value().string_value(), "福建省钢源粉体材料有限公司");
  EXPECT_EQ(changes.at("contact_phone")->new_value().string_value(), "059*****4567");
  EXPECT_FALSE(changes.at("legal_representative_name")->has_new_value());
  ASSERT_EQ(store_->Stats().audit_size, before + 1);
  auto entry = store_->ReadAuditEntry(before);
  ASSERT_TRUE(entry.ok());
  ASSERT_TRUE(entry->has_access());
  EXPECT_EQ(entry->access().purpose(), "matters/legal-representative-change");
  EXPECT_EQ(entry->access().lookup(), "history");
  EXPECT_THAT(entry->access().masked_fields(), ElementsAre("contact_phone"));

  // Governance reads it under its role too (masked without a purpose), recorded.
  const uint64_t role_before = store_->Stats().audit_size;
  ASSERT_TRUE(history("registryctl", song, "", &page).ok());
  EXPECT_EQ(page.change_sets(0).changes_size() > 0, true);
  EXPECT_EQ(store_->Stats().audit_size, role_before + 1);
}

// An approval system's watch shows only the kinds and fields its grants release, and
// nothing of who wrote a change or why; governance and auditors see the whole feed.
TEST_F(RegistryServiceTest, WatchIsScopedToWhatTheWatcherMayRead) {
  CreateSteel();
  CreateSong();
  auto employees = Text<v1::UpdateRecordRequest>(
      absl::StrCat("name: \"", st::kSteel, R"tp(" provenance { source: "market-regulation" }
      reason: "年报" values { key: "employee_count" value { int64_value: 56 } })tp"));
  v1::UpdateRecordResponse resp;
  ASSERT_TRUE(Update("registryctl", employees, &resp).ok());
  auto watch = [&](const std::string& principal, size_t until_sequence) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-principal", principal);
    auto reader = rec_->WatchChanges(&ctx, v1::WatchChangesRequest());
    std::vector<v1::ChangeSet> seen;
    v1::WatchChangesResponse msg;
    while (reader->Read(&msg)) {
      for (const auto& cs : msg.change_sets()) seen.push_back(cs);
      if (msg.resume_after_sequence() >= static_cast<int64_t>(until_sequence)) break;
    }
    ctx.TryCancel();
    reader->Finish();
    return seen;
  };
  const std::vector<v1::ChangeSet> full = watch("auditor", 3);
  ASSERT_EQ(full.size(), 3u);
  EXPECT_EQ(full[0].principal(), "principals/governance");
  EXPECT_EQ(full[2].reason(), "年报");

  // The market regulator: the enterprise's first change set with the fields its matter
  // releases only; not the person; not the change of a field outside its matter.
  const std::vector<v1::ChangeSet> scoped = watch("market", 3);
  ASSERT_EQ(scoped.size(), 1u);
  EXPECT_EQ(scoped[0].subject(), st::kSteel);
  EXPECT_EQ(scoped[0].revision(), 1);
  std::vector<std::string> fields;
  for (const auto& c : scoped[0].changes()) {
    fields.push_back(c.field());
    EXPECT_FALSE(c.has_new_value());
    EXPECT_TRUE(c.old_source().empty());
  }
  // legal_representative_name is only collected by the matter, never released to it.
  EXPECT_THAT(fields, UnorderedElementsAre("name", "registered_capital", "contact_phone"));
  EXPECT_TRUE(scoped[0].principal().empty());
  EXPECT_TRUE(scoped[0].source().empty());
  EXPECT_TRUE(scoped[0].reason().empty());
  EXPECT_TRUE(scoped[0].request_id().empty());
}

TEST_F(RegistryServiceTest, WatchResumesWithoutGapOrDuplicate) {
  CreateSteel();
  const std::string song = CreateSong();
  std::vector<int64_t> seen;
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-principal", "auditor");
    v1::WatchChangesRequest req;
    auto reader = rec_->WatchChanges(&ctx, req);
    v1::WatchChangesResponse msg;
    while (seen.size() < 2 && reader->Read(&msg)) {
      for (const auto& cs : msg.change_sets()) {
        seen.push_back(cs.commit_sequence());
        EXPECT_FALSE(cs.changes(0).has_new_value());  // values are read through GetRecord
      }
    }
    ctx.TryCancel();  // the stream drops
  }
  ASSERT_EQ(seen.size(), 2u);
  // More changes while nobody watches, then a resumed watch from the last sequence seen.
  for (int i = 0; i < 3; ++i) {
    auto req = Text<v1::UpdateRecordRequest>(
        absl::StrCat("name: \"", st::kSteel, "\" provenance { source: \"market-regulation\" } ",
                     "values { key: \"employee_count\" value { int64_value: ", 10 + i, " } }"));
    v1::UpdateRecordResponse resp;
    ASSERT_TRUE(Update("registryctl", req, &resp).ok());
  }
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-principal", "auditor");
  v1::WatchChangesRequest req;
  req.set_after_sequence(seen.back());
  auto reader = rec_->WatchChanges(&ctx, req);
  v1::WatchChangesResponse msg;
  while (seen.size() < 5 && reader->Read(&msg)) {
    for (const auto& cs : msg.change_sets()) seen.push_back(cs.commit_sequence());
  }
  // One more commit arrives live.
  std::thread writer([&] {
    auto req = Text<v1::UpdateRecordRequest>(
        absl::StrCat("name: \"", st::kSteel, "\" provenance { source: \"market-regulation\" } ",
                     "values { key: \"employee_count\" value { int64_value: 99 } }"));
    v1::UpdateRecordResponse resp;
    EXPECT_TRUE(Update("registryctl", req, &resp).ok());
  });
  while (seen.size() < 6 && reader->Read(&msg)) {
    for (const auto& cs : msg.change_sets()) seen.push_back(cs.commit_sequence());
  }
  writer.join();
  ctx.TryCancel();
  EXPECT_THAT(seen, ::testing::ElementsAre(1, 2, 3, 4, 5, 6));
}

TEST_F(RegistryServiceTest, BatchUpdateReportsEachItemOnItsOwn) {
  v1::BatchUpdateRecordsRequest req;
  for (const char* id : {"350404198001011232", "350404198001011233", "350481199208152048"}) {
    *req.add_requests() = Text<v1::UpdateRecordRequest>(absl::StrCat(R"tp(
      kind: PERSON provenance { source: "public-security.household" }
      values { key: "id_number" value { string_value: ")tp",
                                                                     id, R"tp(" } }
      values { key: "name" value { string_value: "林秀兰" } })tp"));
  }
  v1::BatchUpdateRecordsResponse resp;
  grpc::Status s =
      Call("registryctl", &v1::RecordService::Stub::BatchUpdateRecords, rec_.get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.statuses_size(), 3);
  EXPECT_EQ(resp.statuses(0).code(), 0);
  EXPECT_EQ(resp.statuses(1).code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(resp.statuses(2).code(), 0);
  EXPECT_EQ(resp.responses(0).record().revision(), 1);
  EXPECT_TRUE(resp.responses(1).record().name().empty());
  EXPECT_EQ(store_->Stats().last_commit_sequence, 2);
  // The same batch again writes nothing new.
  ASSERT_TRUE(
      Call("registryctl", &v1::RecordService::Stub::BatchUpdateRecords, rec_.get(), req, &resp)
          .ok());
  EXPECT_TRUE(resp.responses(0).unchanged());
  EXPECT_EQ(store_->Stats().last_commit_sequence, 2);
}

TEST_F(RegistryServiceTest, BatchUpdateBasicViewReturnsOutcomesWithoutValues) {
  v1::BatchUpdateRecordsRequest req;
  *req.add_requests() = Text<v1::UpdateRecordRequest>(R"tp(
    kind: PERSON provenance { source: "public-security.household" }
    values { key: "id_number" value { string_value: "350404198001011232" } }
    values { key: "name" value { string_value: "林秀兰" } })tp");
  req.set_view(v1::UPDATE_RESPONSE_VIEW_BASIC);
  v1::BatchUpdateRecordsResponse resp;
  ASSERT_TRUE(
      Call("registryctl", &v1::RecordService::Stub::BatchUpdateRecords, rec_.get(), req, &resp)
          .ok());
  ASSERT_EQ(resp.responses_size(), 1);
  EXPECT_EQ(resp.responses(0).record().revision(), 1);
  EXPECT_FALSE(resp.responses(0).record().etag().empty());
  EXPECT_EQ(resp.responses(0).record().fields_size(), 0);
  EXPECT_FALSE(resp.responses(0).has_change_set());
  // The default view returns the values written and the change set.
  req.set_view(v1::UPDATE_RESPONSE_VIEW_UNSPECIFIED);
  req.mutable_requests(0)->mutable_values()->at("name").set_string_value("林秀英");
  ASSERT_TRUE(
      Call("registryctl", &v1::RecordService::Stub::BatchUpdateRecords, rec_.get(), req, &resp)
          .ok());
  EXPECT_EQ(resp.responses(0).record().fields_size(), 1);
  EXPECT_EQ(resp.responses(0).change_set().changes_size(), 1);
  // An unknown view is refused before anything is written.
  req.set_view(static_cast<v1::UpdateResponseView>(7));
  grpc::Status s =
      Call("registryctl", &v1::RecordService::Stub::BatchUpdateRecords, rec_.get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "INVALID_VIEW");
  EXPECT_EQ(store_->Stats().last_commit_sequence, 2);
}

TEST_F(RegistryServiceTest, ListRecordsPagesOneSnapshotToAnExactEnd) {
  // Five persons, then a listing of two per page; a person created between pages is not in
  // it (the pages are read as of the first page's moment), and it ends with an empty token.
  auto create = [&](const std::string& id, const std::string& name) {
    v1::UpdateRecordRequest req = Text<v1::UpdateRecordRequest>(absl::StrCat(R"tp(
      kind: PERSON provenance { source: "public-security.household" }
      values { key: "id_number" value { string_value: ")tp",
                                                                             id, R"tp(" } }
      values { key: "name" value { string_value: ")tp",
                                                                             name, R"tp(" } })tp"));
    v1::UpdateRecordResponse resp;
    grpc::Status s = Update("registryctl", req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.record().name();
  };
  std::vector<std::string> names;
  for (int i = 0; i < 5; ++i) {
    names.push_back(create(ident::MakeResidentId("350402", absl::CivilDay(1960 + i, 3, 1), 10 + i),
                           absl::StrCat("居民", i)));
  }
  std::sort(names.begin(), names.end());
  v1::ListRecordsRequest req;
  req.set_parent("persons");
  req.set_page_size(2);
  req.mutable_options()->set_purpose("matters/governance-person");
  std::vector<std::string> listed;
  google::protobuf::Timestamp read_time;
  for (int page = 0;; ++page) {
    v1::ListRecordsResponse resp;
    grpc::Status s =
        Call("registryctl", &v1::RecordService::Stub::ListRecords, rec_.get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    if (page == 0) {
      read_time = resp.read_time();
      create(ident::MakeResidentId("350402", absl::CivilDay(1990, 1, 1), 99), "后来者");
    }
    EXPECT_EQ(resp.read_time().seconds(), read_time.seconds());
    EXPECT_EQ(resp.read_time().nanos(), read_time.nanos());
    for (const auto& r : resp.records()) {
      listed.push_back(r.name());
      EXPECT_FALSE(r.fields().empty());
    }
    if (resp.next_page_token().empty()) break;
    ASSERT_LT(page, 5) << "the listing does not end";
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(listed, names);

  // A token is bound to its request; approval systems may not list.
  v1::ListRecordsResponse resp;
  req.clear_page_token();
  ASSERT_TRUE(
      Call("registryctl", &v1::RecordService::Stub::ListRecords, rec_.get(), req, &resp).ok());
  req.set_page_token(resp.next_page_token());
  req.mutable_options()->mutable_read_mask()->add_paths("name");
  grpc::Status s =
      Call("registryctl", &v1::RecordService::Stub::ListRecords, rec_.get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "INVALID_PAGE_TOKEN");
  req.set_page_token("!!");
  EXPECT_EQ(rpc::FromGrpc(
                Call("registryctl", &v1::RecordService::Stub::ListRecords, rec_.get(), req, &resp))
                .reason,
            "INVALID_PAGE_TOKEN");
  req.clear_page_token();
  s = Call("real-estate", &v1::RecordService::Stub::ListRecords, rec_.get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "ROLE_MAY_NOT_LIST");
  req.set_parent("people");
  req.set_page_size(-1);
  req.mutable_options()->set_revision(2);
  s = Call("registryctl", &v1::RecordService::Stub::ListRecords, rec_.get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rpc::FromGrpc(s).violations.size(), 3u);
}

TEST_F(RegistryServiceTest, AuditorsVerifyTheLogAndSeeWhoReadWhat) {
  const std::string song = CreateSong();
  v1::SignedTreeHead earlier;
  ASSERT_TRUE(Call("auditor", &v1::AuditService::Stub::GetTreeHead, aud_.get(),
                   v1::GetTreeHeadRequest(), &earlier)
                  .ok());
  v1::GetRecordRequest get;
  get.set_name(song);
  get.mutable_options()->set_purpose("matters/real-estate-transfer");
  v1::Record r;
  ASSERT_TRUE(Get("real-estate", get, &r).ok());
  CreateSteel();

  v1::SignedTreeHead head;
  ASSERT_TRUE(Call("auditor", &v1::AuditService::Stub::GetTreeHead, aud_.get(),
                   v1::GetTreeHeadRequest(), &head)
                  .ok());
  EXPECT_EQ(head.tree_size(), earlier.tree_size() + 2);
  // Recompute the whole log from its entries, as an outside verifier would.
  v1::ListAuditEntriesRequest lreq;
  v1::ListAuditEntriesResponse entries;
  ASSERT_TRUE(
      Call("auditor", &v1::AuditService::Stub::ListAuditEntries, aud_.get(), lreq, &entries).ok());
  auto to_head = [](const v1::SignedTreeHead& h) {
    audit::TreeHead t;
    t.size = h.tree_size();
    std::copy(h.root_hash().begin(), h.root_hash().end(), t.root.begin());
    t.timestamp_us = h.timestamp_us();
    return t;
  };
  audit::LogVerifier verifier(to_head(earlier));
  for (const auto& e : entries.entries()) {
    v1::AuditEntry parsed;
    ASSERT_TRUE(parsed.ParseFromString(e.entry()));
    ASSERT_TRUE(verifier.Add(e.index(), parsed.index(), e.entry(), e.stored_leaf_hash()).ok());
    if (parsed.has_change()) {
      EXPECT_EQ(parsed.change().change_set_sha256(), e.stored_change_set_sha256());
    }
  }
  absl::Status verified =
      verifier.Finish(to_head(head), head.signature(), head.public_key(), earlier.signature());
  EXPECT_TRUE(verified.ok()) << verified;

  // Consistency between the two heads, and inclusion of the access event.
  v1::GetConsistencyProofRequest creq;
  creq.set_old_size(earlier.tree_size());
  creq.set_new_size(head.tree_size());
  v1::ConsistencyProof cp;
  ASSERT_TRUE(
      Call("auditor", &v1::AuditService::Stub::GetConsistencyProof, aud_.get(), creq, &cp).ok());
  std::vector<audit::Hash> hashes;
  for (const auto& h : cp.hashes()) {
    audit::Hash x;
    std::copy(h.begin(), h.end(), x.begin());
    hashes.push_back(x);
  }
  EXPECT_TRUE(audit::VerifyConsistency(earlier.tree_size(), head.tree_size(), to_head(earlier).root,
                                       to_head(head).root, hashes)
                  .ok());

  v1::ListAccessEventsRequest areq;
  areq.set_subject(song);
  v1::ListAccessEventsResponse access;
  ASSERT_TRUE(
      Call("auditor", &v1::AuditService::Stub::ListAccessEvents, aud_.get(), areq, &access).ok());
  ASSERT_EQ(access.entries_size(), 1);
  EXPECT_EQ(access.entries(0).principal(), "principals/real-estate");
  EXPECT_THAT(access.entries(0).access().fields(), UnorderedElementsAre("name", "id_number"));

  v1::ListChangesRequest chreq;
  chreq.set_subject(st::kSteel);
  v1::ListChangesResponse changes;
  ASSERT_TRUE(
      Call("auditor", &v1::AuditService::Stub::ListChanges, aud_.get(), chreq, &changes).ok());
  ASSERT_EQ(changes.entries_size(), 1);
  EXPECT_EQ(changes.entries(0).change().source(), "market-regulation");
  chreq.set_field("status");
  ASSERT_TRUE(
      Call("auditor", &v1::AuditService::Stub::ListChanges, aud_.get(), chreq, &changes).ok());
  EXPECT_EQ(changes.entries_size(), 0);

  // Approval systems do not read the audit log.
  grpc::Status s =
      Call("real-estate", &v1::AuditService::Stub::ListAccessEvents, aud_.get(), areq, &access);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(RegistryServiceTest, AccessEventTokenOfAnotherSubjectIsAPageTokenViolation) {
  CreateSteel();
  const std::string song = CreateSong();
  v1::GetRecordRequest get;
  get.set_name(song);
  get.mutable_options()->set_purpose("matters/real-estate-transfer");
  v1::Record r;
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(Get("real-estate", get, &r).ok());
  v1::ListAccessEventsRequest req;
  req.set_subject(song);
  req.set_page_size(1);
  v1::ListAccessEventsResponse page;
  ASSERT_TRUE(
      Call("auditor", &v1::AuditService::Stub::ListAccessEvents, aud_.get(), req, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  req.set_page_token(page.next_page_token());
  ASSERT_TRUE(
      Call("auditor", &v1::AuditService::Stub::ListAccessEvents, aud_.get(), req, &page).ok());
  EXPECT_EQ(page.entries_size(), 1);

  req.set_subject(st::kSteel);
  grpc::Status s =
      Call("auditor", &v1::AuditService::Stub::ListAccessEvents, aud_.get(), req, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const auto e = rpc::FromGrpc(s);
  EXPECT_EQ(e.reason, "INVALID_PAGE_TOKEN");
  ASSERT_EQ(e.violations.size(), 1u);
  EXPECT_EQ(e.violations[0].field, "page_token");
}

// Times from callers are checked before any arithmetic: out of protobuf's range (or, for a
// read's moment, before 1970) they are field violations, never overflows.
TEST_F(RegistryServiceTest, TimesOutOfRangeAreFieldViolations) {
  CreateSteel();
  auto rule_of = [](const grpc::Status& s) {
    const auto e = rpc::FromGrpc(s);
    return e.violations.empty() ? std::string("(none)")
                                : absl::StrCat(e.violations[0].field, " ", e.violations[0].rule);
  };
  v1::GetRecordRequest get;
  get.set_name(st::kSteel);
  get.mutable_options()->set_purpose("matters/governance-enterprise");
  v1::Record r;
  for (int64_t seconds : {int64_t{-100}, int64_t{9200000000000}, INT64_MAX}) {
    get.mutable_options()->mutable_commit_time()->set_seconds(seconds);
    grpc::Status s = Get("registryctl", get, &r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << seconds;
    EXPECT_EQ(rule_of(s), "options.commit_time RANGE") << seconds;
  }

  v1::ListRecordsRequest list;
  list.set_parent("enterprises");
  list.mutable_options()->set_purpose("matters/governance-enterprise");
  list.mutable_options()->mutable_commit_time()->set_seconds(-100);
  v1::ListRecordsResponse listed;
  grpc::Status s =
      Call("registryctl", &v1::RecordService::Stub::ListRecords, rec_.get(), list, &listed);
  EXPECT_EQ(rule_of(s), "options.commit_time RANGE");

  v1::ListRecordRevisionsRequest history;
  history.set_parent(st::kSteel);
  history.mutable_start_time()->set_seconds(INT64_MAX);
  v1::ListRecordRevisionsResponse page;
  s = Call("auditor", &v1::RecordService::Stub::ListRecordRevisions, rec_.get(), history, &page);
  EXPECT_EQ(rule_of(s), "start_time RANGE");

  v1::ListChangesRequest changes;
  changes.mutable_end_time()->set_nanos(-1);
  v1::ListChangesResponse entries;
  s = Call("auditor", &v1::AuditService::Stub::ListChanges, aud_.get(), changes, &entries);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rule_of(s), "end_time RANGE");
}

TEST_F(RegistryServiceTest, OnlyGovernanceChangesGovernanceData) {
  v1::ApplyCatalogRequest cat;
  *cat.mutable_catalog() = st::ExampleCatalog("person");
  v1::ApplyCatalogResponse resp;
  grpc::Status s =
      Call("market", &v1::GovernanceService::Stub::ApplyCatalog, gov_.get(), cat, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Call("registryctl", &v1::GovernanceService::Stub::ApplyCatalog, gov_.get(), cat, &resp);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(resp.changed());

  v1::ApplyMatterRequest m;
  *m.mutable_matter() = Text<v1::Matter>(R"tp(name: "matters/bad" title: "x" subject_kind: PERSON
      purpose: "p" form_fields { key: "a" catalog_field: "shoe_size" use: PREFILL })tp");
  v1::Matter out;
  s = Call("registryctl", &v1::GovernanceService::Stub::ApplyMatter, gov_.get(), m, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rpc::FromGrpc(s).violations.at(0).rule, "UNKNOWN_FIELD");

  v1::ListMattersRequest list;
  list.set_page_size(3);
  v1::ListMattersResponse matters;
  ASSERT_TRUE(
      Call("market", &v1::GovernanceService::Stub::ListMatters, gov_.get(), list, &matters).ok());
  EXPECT_EQ(matters.matters_size(), 3);
  list.set_page_token(matters.next_page_token());
  ASSERT_TRUE(
      Call("market", &v1::GovernanceService::Stub::ListMatters, gov_.get(), list, &matters).ok());
  EXPECT_EQ(matters.matters_size(), 1);
  EXPECT_TRUE(matters.next_page_token().empty());

  v1::ListPrincipalsRequest lp;
  v1::ListPrincipalsResponse principals;
  EXPECT_EQ(
      Call("market", &v1::GovernanceService::Stub::ListPrincipals, gov_.get(), lp, &principals)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace collectonce::registry

namespace collectonce::registry {
namespace {

// The limits of docs/api.md at their boundary: the limit is accepted, one more is refused
// with its reason and writes nothing.
class RegistryLimitsTest : public RegistryServiceTest {
 protected:
  std::vector<std::string> Violated(const grpc::Status& s) {
    std::vector<std::string> out;
    for (const auto& v : rpc::FromGrpc(s).violations) out.push_back(v.field + "/" + v.rule);
    return out;
  }
  v1::UpdateRecordRequest SteelUpdate(const std::string& name_value) {
    v1::UpdateRecordRequest req = Text<v1::UpdateRecordRequest>(absl::StrCat(
        "name: \"", st::kSteel, R"tp(" provenance { source: "market-regulation" })tp"));
    (*req.mutable_values())["name"].set_string_value(name_value);
    return req;
  }
};

TEST_F(RegistryLimitsTest, BatchGetTakesAThousandNames) {
  CreateSteel();
  v1::BatchGetRecordsRequest req;
  req.mutable_options()->set_purpose("matters/governance-enterprise");
  for (int i = 0; i < kMaxBatchGet; ++i) req.add_names(st::kSteel);
  v1::BatchGetRecordsResponse resp;
  grpc::Status s =
      Call("registryctl", &v1::RecordService::Stub::BatchGetRecords, rec_.get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.records_size(), kMaxBatchGet);
  req.add_names(st::kSteel);
  s = Call("registryctl", &v1::RecordService::Stub::BatchGetRecords, rec_.get(), req, &resp);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "BATCH_TOO_LARGE");
}

TEST_F(RegistryLimitsTest, ReadMaskAndCaseIdLengths) {
  CreateSteel();
  v1::GetRecordRequest req;
  req.set_name(st::kSteel);
  req.mutable_options()->set_purpose("matters/governance-enterprise");
  req.mutable_options()->set_case_id(std::string(kMaxCaseIdLength, 'C'));
  for (int i = 0; i < kMaxMaskPaths; ++i)
    req.mutable_options()->mutable_read_mask()->add_paths("name");
  v1::Record r;
  grpc::Status s = Get("registryctl", req, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();

  req.mutable_options()->mutable_read_mask()->add_paths("name");
  s = Get("registryctl", req, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Violated(s), UnorderedElementsAre("options.read_mask/LENGTH"));

  req.mutable_options()->mutable_read_mask()->clear_paths();
  req.mutable_options()->set_case_id(std::string(kMaxCaseIdLength + 1, 'C'));
  s = Get("registryctl", req, &r);
  EXPECT_THAT(Violated(s), UnorderedElementsAre("options.case_id/LENGTH"));
}

TEST_F(RegistryLimitsTest, UpdateChangesAtMostTwoHundredFields) {
  CreateSteel();
  const auto seq = store_->Stats().last_commit_sequence;
  v1::UpdateRecordRequest req = SteelUpdate("三明钢源粉体有限公司");
  for (int i = 0; i < kMaxChangesPerUpdate; ++i) req.add_clear_fields(absl::StrCat("f", i));
  v1::UpdateRecordResponse resp;
  grpc::Status s = Update("registryctl", req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "TOO_MANY_CHANGES");
  req.mutable_clear_fields()->RemoveLast();
  s = Update("registryctl", req, &resp);
  EXPECT_NE(rpc::FromGrpc(s).reason, "TOO_MANY_CHANGES");  // unknown fields, but not too many
  EXPECT_EQ(store_->Stats().last_commit_sequence, seq);
}

TEST_F(RegistryLimitsTest, RequestIdReasonAndSourceLengths) {
  CreateSteel();
  auto seq = store_->Stats().last_commit_sequence;
  v1::UpdateRecordRequest req = SteelUpdate("三明钢源粉体有限公司");
  req.set_request_id(std::string(129, 'r'));
  req.set_reason(std::string(1025, 'x'));
  req.mutable_provenance()->set_source(std::string(129, 's'));
  v1::UpdateRecordResponse resp;
  grpc::Status s = Update("registryctl", req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Violated(s), ::testing::IsSupersetOf({"reason/LENGTH", "provenance.source/LENGTH"}));
  EXPECT_EQ(store_->Stats().last_commit_sequence, seq);

  req.mutable_provenance()->set_source("market-regulation");
  req.set_reason(std::string(1024, 'x'));
  s = Update("registryctl", req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "request id of 129";
  EXPECT_EQ(store_->Stats().last_commit_sequence, seq);

  req.set_request_id(std::string(128, 'r'));
  s = Update("registryctl", req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_GT(store_->Stats().last_commit_sequence, seq);
}

TEST_F(RegistryLimitsTest, PageTokensAreBoundedAndNeverEchoed) {
  v1::ListMattersRequest req;
  req.set_page_token(std::string(kMaxPageTokenLength + 1, 'A'));
  v1::ListMattersResponse resp;
  grpc::Status s =
      Call("registryctl", &v1::GovernanceService::Stub::ListMatters, gov_.get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "INVALID_PAGE_TOKEN");
  EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("AAAA")));
  req.set_page_size(-1);
  req.clear_page_token();
  s = Call("registryctl", &v1::GovernanceService::Stub::ListMatters, gov_.get(), req, &resp);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "INVALID_VALUES");
  req.set_page_size(kMaxPageSize + 1);
  s = Call("registryctl", &v1::GovernanceService::Stub::ListMatters, gov_.get(), req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

// Every List method pages one way: a negative page size is INVALID_VALUES with a page_size
// violation, and its own next_page_token with any one byte edited is INVALID_PAGE_TOKEN with
// a page_token violation (the token is under the server's MAC).
TEST_F(RegistryLimitsTest, EveryListRefusesAnEditedTokenAndANegativePageSize) {
  CreateSteel();
  const std::string song = CreateSong();
  auto more = Text<v1::UpdateRecordRequest>(
      absl::StrCat("name: \"", song, R"tp(" provenance { source: "public-security.household" }
      values { key: "mobile_phone" value { string_value: "13905987777" } })tp"));
  v1::UpdateRecordResponse updated;
  ASSERT_TRUE(Update("registryctl", more, &updated).ok());
  for (int i = 0; i < 2; ++i) {  // two access events of the person
    v1::GetRecordRequest get;
    get.set_name(song);
    get.mutable_options()->set_purpose("matters/governance-person");
    v1::Record r;
    ASSERT_TRUE(Get("registryctl", get, &r).ok());
  }
  using Lister =
      std::function<grpc::Status(int32_t size, const std::string& token, std::string* next)>;
  std::vector<std::pair<std::string, Lister>> lists;
  auto add = [&](const std::string& name, auto method, auto* stub, auto req, auto resp_type) {
    lists.emplace_back(
        name, [this, method, stub, req](int32_t size, const std::string& token, std::string* next) {
          auto r = req;
          r.set_page_size(size);
          r.set_page_token(token);
          decltype(resp_type) resp;
          grpc::Status st = Call("registryctl", method, stub, r, &resp);
          *next = resp.next_page_token();
          return st;
        });
  };
  v1::ListRecordsRequest records;
  records.set_parent("persons");
  records.mutable_options()->set_purpose("matters/governance-person");
  add("ListRecords", &v1::RecordService::Stub::ListRecords, rec_.get(), records,
      v1::ListRecordsResponse());
  v1::ListRecordRevisionsRequest revisions;
  revisions.set_parent(song);
  add("ListRecordRevisions", &v1::RecordService::Stub::ListRecordRevisions, rec_.get(), revisions,
      v1::ListRecordRevisionsResponse());
  add("ListMatters", &v1::GovernanceService::Stub::ListMatters, gov_.get(),
      v1::ListMattersRequest(), v1::ListMattersResponse());
  add("ListPrincipals", &v1::GovernanceService::Stub::ListPrincipals, gov_.get(),
      v1::ListPrincipalsRequest(), v1::ListPrincipalsResponse());
  add("ListChanges", &v1::AuditService::Stub::ListChanges, aud_.get(), v1::ListChangesRequest(),
      v1::ListChangesResponse());
  v1::ListAccessEventsRequest accesses;
  accesses.set_subject(song);
  add("ListAccessEvents", &v1::AuditService::Stub::ListAccessEvents, aud_.get(), accesses,
      v1::ListAccessEventsResponse());
  // A second person, so that ListRecords has a second page.
  {
    auto second = Text<v1::UpdateRecordRequest>(R"tp(
      kind: PERSON provenance { source: "public-security.household" }
      values { key: "id_number" value { string_value: "350404198001011232" } }
      values { key: "name" value { string_value: "林秀兰" } })tp");
    v1::UpdateRecordResponse created;
    grpc::Status st = Update("registryctl", second, &created);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  for (auto& [name, call] : lists) {
    SCOPED_TRACE(name);
    std::string next;
    grpc::Status negative = call(-1, "", &next);
    EXPECT_EQ(negative.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(rpc::FromGrpc(negative).reason, "INVALID_VALUES");
    EXPECT_THAT(Violated(negative), ElementsAre("page_size/RANGE"));

    grpc::Status first = call(1, "", &next);
    ASSERT_TRUE(first.ok()) << first.error_message();
    ASSERT_FALSE(next.empty()) << "no second page to test with";
    std::string ignored;
    ASSERT_TRUE(call(1, next, &ignored).ok());
    std::string raw;
    ASSERT_TRUE(absl::WebSafeBase64Unescape(next, &raw));
    for (size_t at : {size_t{0}, raw.size() / 2, raw.size() - 1}) {
      std::string edited = raw;
      edited[at] ^= 0x01;
      grpc::Status refused = call(1, absl::WebSafeBase64Escape(edited), &ignored);
      EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << "byte " << at;
      EXPECT_EQ(rpc::FromGrpc(refused).reason, "INVALID_PAGE_TOKEN") << "byte " << at;
      EXPECT_THAT(Violated(refused), ElementsAre("page_token/TOKEN")) << "byte " << at;
    }
  }
  // A token of one list is refused by another.
  std::string matters_token, ignored;
  ASSERT_TRUE(lists[2].second(1, "", &matters_token).ok());
  EXPECT_EQ(rpc::FromGrpc(lists[3].second(1, matters_token, &ignored)).reason,
            "INVALID_PAGE_TOKEN");
  // ListAuditEntries has no token, and refuses a negative size the same way.
  v1::ListAuditEntriesRequest entries;
  entries.set_page_size(-1);
  v1::ListAuditEntriesResponse entries_resp;
  grpc::Status s = Call("registryctl", &v1::AuditService::Stub::ListAuditEntries, aud_.get(),
                        entries, &entries_resp);
  EXPECT_THAT(Violated(s), ElementsAre("page_size/RANGE"));
}

}  // namespace
}  // namespace collectonce::registry
