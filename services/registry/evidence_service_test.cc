// EvidenceService over an in-process channel, on a real RocksDB with the shipped examples:
// evidence types as governance data, issuing under the read policy, the audit leaf, the
// status list that a change or a withdrawal turns invalid, and the refusals.
#include "services/registry/evidence_service.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/audit/published_head.h"
#include "libs/evidence/credential.h"
#include "libs/evidence/verifier.h"
#include "libs/jose/base64url.h"
#include "libs/rpc/errors.h"
#include "libs/store/rocksdb_store.h"
#include "libs/store/test_util.h"
#include "services/registry/audit_service.h"
#include "services/registry/governance_service.h"
#include "services/registry/record_service.h"
#include "tests/examples.h"

namespace collectonce::registry {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;
namespace st = ::collectonce::store::testing;

constexpr char kRealEstate[] = "spiffe://sanming.gov.cn/approval/real-estate";
constexpr char kTax[] = "spiffe://sanming.gov.cn/approval/tax";
constexpr char kMarital[] = "evidence-types/marital-status";
constexpr char kTransfer[] = "matters/real-estate-transfer";

class EvidenceServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = st::MakeTempDir("evidence");
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
    auto key = audit::Signer::LoadOrCreate(dir_ + "-evidence.pem", true);
    ASSERT_TRUE(key.ok()) << key.status();
    key_ = std::make_unique<audit::Signer>(*std::move(key));
    EvidenceSettings settings;
    settings.key = key_.get();
    settings.jwks.Add(key_->PublicKeyRaw());
    settings.status_base_url = "http://registry.test";
    auto audit_key = audit::Signer::LoadOrCreate(dir_ + "-audit.pem", true);
    ASSERT_TRUE(audit_key.ok()) << audit_key.status();
    audit_key_ = std::make_unique<audit::Signer>(*std::move(audit_key));
    heads_ = std::make_unique<audit::HeadPublisher>(audit_key_.get(), dir_ + "-head");
    settings.log_heads = heads_.get();
    evidence_ = std::make_unique<EvidenceServiceImpl>(context_.get(), std::move(settings));
    grpc::ServerBuilder b;
    b.RegisterService(records_.get());
    b.RegisterService(governance_.get());
    b.RegisterService(evidence_.get());
    server_ = b.BuildAndStart();
    channel_ = server_->InProcessChannel(grpc::ChannelArguments());
    rec_ = v1::RecordService::NewStub(channel_);
    gov_ = v1::GovernanceService::NewStub(channel_);
    ev_ = v1::EvidenceService::NewStub(channel_);
    const std::string examples = std::string(COLLECTONCE_SOURCE_DIR) + "/deploy/examples";
    auto as_bootstrap = [](grpc::ClientContext* c) { c->AddMetadata("x-principal", "bootstrap"); };
    ASSERT_TRUE(testing::ApplyExamples(*gov_, examples, as_bootstrap).ok());
    absl::Status applied = testing::ApplyEvidenceTypeExamples(*ev_, examples, as_bootstrap);
    ASSERT_TRUE(applied.ok()) << applied;
    song_ = Write("", "public-security.household", R"tp(
      values { key: "id_number" value { string_value: "350403194503120012" } }
      values { key: "name" value { string_value: "宋文富" } }
      values { key: "gender" value { code_value: "1" } }
      values { key: "ethnicity" value { code_value: "01" } }
      values { key: "birth_date" value { date_value { year: 1945 month: 3 day: 12 } } }
      values { key: "household_address" value { string_value: "三明市三元区富文新村12幢301室" } }
      values { key: "mobile_phone" value { string_value: "13905983312" } }
      values { key: "marital_status" value { code_value: "20" } })tp");
  }
  void TearDown() override {
    server_->Shutdown();
    server_->Wait();
    hub_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
    std::filesystem::remove(dir_ + "-evidence.pem");
    std::filesystem::remove(dir_ + "-audit.pem");
    std::filesystem::remove(dir_ + "-head");
  }

  void Prepare(grpc::ClientContext* ctx, const std::string& principal) {
    ctx->AddMetadata("x-principal", principal);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  }

  // A governance write of `values` (text format) to `name` (empty: a new person).
  std::string Write(const std::string& name, const std::string& source, const std::string& values) {
    v1::UpdateRecordRequest req;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(values, &req));
    if (name.empty()) {
      req.set_kind(v1::PERSON);
    } else {
      req.set_name(name);
    }
    req.mutable_provenance()->set_source(source);
    v1::UpdateRecordResponse resp;
    grpc::ClientContext ctx;
    Prepare(&ctx, "registryctl");
    grpc::Status s = rec_->UpdateRecord(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.record().name();
  }

  grpc::Status Issue(const std::string& principal, const std::string& type,
                     const std::string& subject, const std::string& matter,
                     v1::IssueEvidenceResponse* out) {
    v1::IssueEvidenceRequest req;
    req.set_evidence_type(type);
    req.set_subject(subject);
    req.set_matter(matter);
    req.set_case_id("BDC-2026-000123");
    grpc::ClientContext ctx;
    Prepare(&ctx, principal);
    return ev_->IssueEvidence(&ctx, req, out);
  }

  jose::Jwks Keys() {
    v1::EvidenceKeys keys;
    grpc::ClientContext ctx;
    Prepare(&ctx, kRealEstate);
    EXPECT_TRUE(ev_->GetEvidenceKeys(&ctx, {}, &keys).ok());
    auto jwks = jose::Jwks::Parse(keys.jwks());
    EXPECT_TRUE(jwks.ok()) << jwks.status();
    return *jwks;
  }

  std::string StatusList(uint64_t list) {
    v1::GetStatusListRequest req;
    req.set_list(list);
    v1::StatusList resp;
    grpc::ClientContext ctx;
    Prepare(&ctx, kRealEstate);
    grpc::Status s = ev_->GetStatusList(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.token();
  }

  // The credential checked as a department would, with the current status list.
  evidence::Verification Verify(const std::string& credential) {
    evidence::VerifyOptions o;
    o.now = absl::Now();
    o.status_list = StatusList(0);
    return evidence::VerifyEvidence(credential, Keys(), o);
  }

  std::string dir_;
  std::unique_ptr<store::RocksDbStore> store_;
  std::unique_ptr<RegistryContext> context_;
  std::unique_ptr<WatchHub> hub_;
  std::unique_ptr<RecordServiceImpl> records_;
  std::unique_ptr<GovernanceServiceImpl> governance_;
  std::unique_ptr<audit::Signer> key_, audit_key_;
  std::unique_ptr<audit::HeadPublisher> heads_;
  std::unique_ptr<EvidenceServiceImpl> evidence_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RecordService::Stub> rec_;
  std::unique_ptr<v1::GovernanceService::Stub> gov_;
  std::unique_ptr<v1::EvidenceService::Stub> ev_;
  std::string song_;
};

TEST_F(EvidenceServiceTest, TypesAreListedAndReadByEveryPrincipal) {
  v1::ListEvidenceTypesResponse list;
  grpc::ClientContext ctx;
  Prepare(&ctx, kTax);
  ASSERT_TRUE(ev_->ListEvidenceTypes(&ctx, {}, &list).ok());
  std::vector<std::string> names;
  for (const auto& t : list.evidence_types()) names.push_back(t.name());
  EXPECT_THAT(names, ElementsAre("evidence-types/enterprise-registration",
                                 "evidence-types/household-registration", kMarital));
  v1::GetEvidenceTypeRequest get;
  get.set_name(kMarital);
  v1::EvidenceType t;
  grpc::ClientContext ctx2;
  Prepare(&ctx2, kTax);
  ASSERT_TRUE(ev_->GetEvidenceType(&ctx2, get, &t).ok());
  EXPECT_THAT(t.fields(), ElementsAre("name", "id_number", "marital_status"));
  EXPECT_EQ(t.version(), 1);
}

TEST_F(EvidenceServiceTest, OnlyGovernanceAppliesAndABadTypeIsNotStored) {
  v1::ApplyEvidenceTypeRequest req;
  req.mutable_evidence_type()->set_name("evidence-types/shoe-size");
  req.mutable_evidence_type()->set_title("鞋码证明");
  req.mutable_evidence_type()->set_subject_kind(v1::PERSON);
  req.mutable_evidence_type()->add_fields("shoe_size");
  v1::EvidenceType out;
  grpc::ClientContext ctx;
  Prepare(&ctx, kRealEstate);
  grpc::Status s = ev_->ApplyEvidenceType(&ctx, req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "ROLE_MAY_NOT_GOVERN");
  grpc::ClientContext ctx2;
  Prepare(&ctx2, "registryctl");
  s = ev_->ApplyEvidenceType(&ctx2, req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  rpc::RpcError e = rpc::FromGrpc(s);
  EXPECT_EQ(e.reason, "INVALID_EVIDENCE_TYPE");
  std::vector<std::string> rules;
  for (const auto& v : e.violations) rules.push_back(v.field + ":" + v.rule);
  EXPECT_THAT(rules, UnorderedElementsAre("legal_basis:REQUIRED", "validity:RANGE",
                                          "fields[0]:UNKNOWN_FIELD", "requesters:REQUIRED"));
  v1::GetEvidenceTypeRequest get;
  get.set_name("evidence-types/shoe-size");
  grpc::ClientContext ctx3;
  Prepare(&ctx3, "registryctl");
  EXPECT_EQ(ev_->GetEvidenceType(&ctx3, get, &out).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(EvidenceServiceTest, IssuesAMaskedCredentialRecordedInTheAuditLog) {
  const uint64_t before = store_->Stats().audit_size;
  v1::IssueEvidenceResponse r;
  grpc::Status s = Issue(kRealEstate, kMarital, song_, kTransfer, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(r.audit_index(), before);
  EXPECT_EQ(r.audit_tree_size(), before + 1);
  EXPECT_EQ(r.status_list_uri(), "http://registry.test/status-lists/0");
  EXPECT_EQ(r.status_index(), before);
  EXPECT_THAT(r.fields(), ElementsAre("name", "id_number", "marital_status"));
  // The real-estate transfer matter pre-fills marital status masked: so does its evidence.
  EXPECT_THAT(r.masked_fields(), ElementsAre("marital_status"));
  evidence::Verification v = Verify(r.credential());
  ASSERT_TRUE(v.valid) << v.failed_check << ": " << v.message;
  EXPECT_TRUE(v.status_checked);
  EXPECT_EQ(v.claims["name"], "宋文富");
  EXPECT_EQ(v.claims["sub"], song_);
  EXPECT_EQ(v.claims["case_id"], "BDC-2026-000123");
  EXPECT_NE(v.claims["marital_status"], "20");
  EXPECT_EQ(v.claims["audit"]["index"], before);

  // The leaf names the credential and commits to its payload, and holds no value.
  auto raw = store_->ReadAuditEntries(before, 1, false);
  ASSERT_TRUE(raw.ok() && raw->size() == 1);
  EXPECT_THAT((*raw)[0].bytes, Not(HasSubstr("宋文富")));
  EXPECT_THAT((*raw)[0].bytes, Not(HasSubstr("350403194503120012")));
  auto entry = store_->ReadAuditEntry(before);
  ASSERT_TRUE(entry.ok());
  const auto& ev = entry->access().evidence();
  EXPECT_EQ(ev.evidence_type(), kMarital);
  EXPECT_EQ(ev.credential_id(), r.credential_id());
  EXPECT_EQ(v.claims["jti"], r.credential_id());
  const std::string jwt = r.credential().substr(0, r.credential().find('~'));
  const size_t dot = jwt.find('.');
  auto payload = jose::Base64UrlDecode(jwt.substr(dot + 1, jwt.rfind('.') - dot - 1));
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(*evidence::PayloadDigest(nlohmann::json::parse(*payload)), ev.payload_sha256());
  EXPECT_EQ(entry->access().purpose(), kTransfer);
  EXPECT_THAT(entry->access().masked_fields(), ElementsAre("marital_status"));
  EXPECT_EQ(entry->principal(), "principals/approval-real-estate");
}

TEST_F(EvidenceServiceTest, RefusesAndRecordsNothingOnBadInput) {
  const uint64_t before = store_->Stats().audit_size;
  v1::IssueEvidenceResponse r;
  grpc::Status s = Issue(kRealEstate, "evidence-types/no-such-type", song_, kTransfer, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "EVIDENCE_TYPE_NOT_FOUND");
  // The tax system may not request it, nor the real-estate system for another matter.
  s = Issue(kTax, kMarital, song_, "matters/land-transfer-fee", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "EVIDENCE_NOT_ALLOWED");
  s = Issue(kRealEstate, kMarital, song_, "matters/planning-verification", &r);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "EVIDENCE_NOT_ALLOWED");
  // A person without a recorded marital status gets no partial credential.
  const std::string wu = Write("", "public-security.household", R"tp(
      values { key: "id_number" value { string_value: "350481199208152048" } }
      values { key: "name" value { string_value: "吴丽华" } })tp");
  const uint64_t after_write = store_->Stats().audit_size;
  s = Issue(kRealEstate, kMarital, wu, kTransfer, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  rpc::RpcError e = rpc::FromGrpc(s);
  EXPECT_EQ(e.reason, "EVIDENCE_FIELDS_MISSING");
  EXPECT_THAT(std::string(e.status.message()), HasSubstr("marital_status"));
  ASSERT_EQ(e.violations.size(), 1u);
  EXPECT_EQ(e.violations[0].field, "fields.marital_status");
  EXPECT_EQ(store_->Stats().audit_size, after_write);
  EXPECT_EQ(after_write, before + 1);  // the write's leaf only
  // A person is not an enterprise.
  s = Issue("registryctl", "evidence-types/enterprise-registration", song_,
            "matters/data-governance-review-enterprise", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(EvidenceServiceTest, AnAppliedTypeIsInForceForTheNextIssuance) {
  v1::GetEvidenceTypeRequest get;
  get.set_name(kMarital);
  v1::EvidenceType type;
  grpc::ClientContext ctx;
  Prepare(&ctx, "registryctl");
  ASSERT_TRUE(ev_->GetEvidenceType(&ctx, get, &type).ok());
  auto apply = [&](const v1::EvidenceType& t) {
    v1::ApplyEvidenceTypeRequest req;
    *req.mutable_evidence_type() = t;
    v1::EvidenceType out;
    grpc::ClientContext c;
    Prepare(&c, "registryctl");
    grpc::Status s = ev_->ApplyEvidenceType(&c, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
  };
  // The real-estate system is taken off the type's requesters: its next request is refused.
  v1::EvidenceType narrowed = type;
  narrowed.mutable_requesters()->DeleteSubrange(0, 1);
  ASSERT_EQ(narrowed.requesters(0).principal(), "principals/approval-housing-fund");
  apply(narrowed);
  v1::IssueEvidenceResponse r;
  grpc::Status s = Issue(kRealEstate, kMarital, song_, kTransfer, &r);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "EVIDENCE_NOT_ALLOWED");
  // Put back, it may again; a shorter validity applies at once too.
  v1::EvidenceType shorter = type;
  shorter.mutable_validity()->set_seconds(3600);
  apply(shorter);
  s = Issue(kRealEstate, kMarital, song_, kTransfer, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(r.expire_time().seconds() - r.issue_time().seconds(), 3600);
}

TEST_F(EvidenceServiceTest, TheRegistrationStatusIsCarriedBesideTheStatusList) {
  // 营业执照信息: the enterprise's 登记状态 (catalog field "status") is its own claim, so
  // that the credential's status-list claim stays the only "status" and verifiers accept it.
  const std::string steel = Write("enterprises/91350400MA2YQ8KX1E", "market-regulation", R"tp(
      values { key: "name" value { string_value: "福建省钢源粉体材料有限公司" } }
      values { key: "enterprise_type" value { code_value: "1100" } }
      values { key: "legal_representative_name" value { string_value: "吴秀英" } }
      values { key: "registered_capital" value { decimal_value: "5000" } }
      values { key: "establishment_date" value { date_value { year: 2016 month: 4 day: 8 } } }
      values { key: "registered_address" value { string_value: "三明市三元区荆西路1号" } }
      values { key: "status" value { code_value: "1" } })tp");
  v1::IssueEvidenceResponse r;
  grpc::Status s = Issue("registryctl", "evidence-types/enterprise-registration", steel,
                         "matters/data-governance-review-enterprise", &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(r.fields(), Contains("status"));
  evidence::Verification v = Verify(r.credential());
  ASSERT_TRUE(v.valid) << v.failed_check << ": " << v.message;
  EXPECT_EQ(v.claims["registration_status"], "1");
  EXPECT_EQ(v.claims["status"]["status_list"]["idx"], r.status_index());
  EXPECT_THAT(v.disclosed, Contains("registration_status"));
}

TEST_F(EvidenceServiceTest, AChangedMaritalStatusInvalidatesEarlierCredentials) {
  v1::IssueEvidenceResponse marital, household;
  ASSERT_TRUE(Issue(kRealEstate, kMarital, song_, kTransfer, &marital).ok());
  ASSERT_TRUE(Issue("registryctl", "evidence-types/household-registration", song_,
                    "matters/data-governance-review-person", &household)
                  .ok());
  ASSERT_TRUE(Verify(marital.credential()).valid);
  // A new mobile phone number changes nothing either attests.
  Write(song_, "public-security.household",
        R"tp(values { key: "mobile_phone" value { string_value: "13905980000" } })tp");
  EXPECT_TRUE(Verify(marital.credential()).valid);
  EXPECT_TRUE(Verify(household.credential()).valid);
  // Widowed: the marital-status credential no longer holds; the household one still does.
  Write(song_, "civil-affairs",
        R"tp(values { key: "marital_status" value { code_value: "30" } })tp");
  evidence::Verification v = Verify(marital.credential());
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.failed_check, "status");
  EXPECT_TRUE(Verify(household.credential()).valid);
  // One issued now attests the new revision and is valid.
  v1::IssueEvidenceResponse fresh;
  ASSERT_TRUE(Issue(kRealEstate, kMarital, song_, kTransfer, &fresh).ok());
  EXPECT_GT(fresh.revision(), marital.revision());
  EXPECT_TRUE(Verify(fresh.credential()).valid);
}

TEST_F(EvidenceServiceTest, GovernanceWithdrawsACredential) {
  v1::IssueEvidenceResponse r;
  ASSERT_TRUE(Issue(kRealEstate, kMarital, song_, kTransfer, &r).ok());
  v1::WithdrawEvidenceRequest req;
  req.set_audit_index(r.audit_index());
  req.set_reason("issued for the wrong case");
  v1::EvidenceWithdrawal w;
  grpc::ClientContext ctx;
  Prepare(&ctx, kRealEstate);
  EXPECT_EQ(ev_->WithdrawEvidence(&ctx, req, &w).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Verify(r.credential()).valid);
  grpc::ClientContext ctx2;
  Prepare(&ctx2, "registryctl");
  grpc::Status s = ev_->WithdrawEvidence(&ctx2, req, &w);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(w.credential_id(), r.credential_id());
  EXPECT_EQ(Verify(r.credential()).failed_check, "status");
  // An index that holds no credential.
  req.set_audit_index(0);
  grpc::ClientContext ctx3;
  Prepare(&ctx3, "registryctl");
  s = ev_->WithdrawEvidence(&ctx3, req, &w);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "EVIDENCE_NOT_FOUND");
}

// Whoever holds a credential (its payload digest) gets its issuance proof, which verifies
// offline under the audit key; a wrong digest, a leaf that is no issuance and a leaf beyond
// the log get one and the same NOT_FOUND, so that nothing is learnt without the credential.
TEST_F(EvidenceServiceTest, TheIssuanceProofIsForWhoeverHoldsTheCredential) {
  v1::IssueEvidenceResponse issued;
  ASSERT_TRUE(Issue(kRealEstate, kMarital, song_, kTransfer, &issued).ok());
  const evidence::Verification v = Verify(issued.credential());
  ASSERT_TRUE(v.valid) << v.message;
  ASSERT_EQ(v.payload_sha256.size(), 32u);
  EXPECT_EQ(v.audit_index, issued.audit_index());
  auto ask = [&](uint64_t index, const std::string& digest, v1::IssuanceProof* proof) {
    v1::GetIssuanceProofRequest q;
    q.set_audit_index(index);
    q.set_payload_sha256(digest);
    grpc::ClientContext ctx;
    Prepare(&ctx, kTax);  // not the principal it was issued to
    return ev_->GetIssuanceProof(&ctx, q, proof);
  };
  v1::IssuanceProof proof;
  grpc::Status s = ask(issued.audit_index(), v.payload_sha256, &proof);
  ASSERT_TRUE(s.ok()) << s.error_message();
  evidence::VerifyOptions o;
  o.now = absl::Now();
  o.log = evidence::VerifyOptions::LogProof{proof, audit_key_->PublicKeyRaw()};
  evidence::Verification logged = evidence::VerifyEvidence(issued.credential(), Keys(), o);
  ASSERT_TRUE(logged.valid) << logged.failed_check << ": " << logged.message;
  EXPECT_TRUE(logged.log_checked);
  EXPECT_EQ(logged.log_entry.principal(), "principals/approval-real-estate");
  EXPECT_EQ(logged.log_entry.access().case_id(), "BDC-2026-000123");
  EXPECT_GT(logged.log_tree_size, issued.audit_index());
  // Under another key the same proof fails, naming the log.
  o.log->audit_public_key = key_->PublicKeyRaw();
  logged = evidence::VerifyEvidence(issued.credential(), Keys(), o);
  EXPECT_FALSE(logged.valid);
  EXPECT_EQ(logged.failed_check, "log");

  std::string other = v.payload_sha256;
  other[0] ^= 1;
  for (const auto& [index, digest] : std::vector<std::pair<uint64_t, std::string>>{
           {issued.audit_index(), other},
           {0, v.payload_sha256},
           {issued.audit_index() + 1000, v.payload_sha256}}) {
    v1::IssuanceProof none;
    s = ask(index, digest, &none);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << index;
    EXPECT_EQ(rpc::FromGrpc(s).reason, "EVIDENCE_NOT_FOUND") << index;
  }
  s = ask(issued.audit_index(), "short", &proof);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "INVALID_VALUES");
}

}  // namespace
}  // namespace collectonce::registry
