// The fixture of the registry service tests: RecordService, GovernanceService and
// AuditService over an in-process channel, on a real RocksDB, with the example-like matters
// and principals below. (Named namespace: gtest needs one fixture type across the files.)
#ifndef COLLECTONCE_SERVICES_REGISTRY_REGISTRY_SERVICE_TEST_FIXTURE_H_
#define COLLECTONCE_SERVICES_REGISTRY_REGISTRY_SERVICE_TEST_FIXTURE_H_

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

namespace collectonce::registry::service_testing {

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

}  // namespace collectonce::registry::service_testing

#endif  // COLLECTONCE_SERVICES_REGISTRY_REGISTRY_SERVICE_TEST_FIXTURE_H_
