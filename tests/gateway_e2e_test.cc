// The reuse gateway end to end: the real registryd and reuse-gatewayd processes, the shipped
// example catalog, matters, bundles and principals.
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "collectonce/gateway/v1/gateway.grpc.pb.h"
#include "collectonce/registry/v1/audit.pb.h"
#include "collectonce/registry/v1/evidence.grpc.pb.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/rpc/errors.h"
#include "tests/daemon.h"
#include "tests/examples.h"

namespace collectonce {
namespace {

namespace v1 = ::collectonce::registry::v1;
namespace gw = ::collectonce::gateway::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

const char kExamples[] = COLLECTONCE_SOURCE_DIR "/deploy/examples";
const char kSteel[] = "enterprises/91350400MA2YQ8KX1E";
const char kSongId[] = "350403194503120012";
const char kMarket[] = "spiffe://sanming.gov.cn/approval/market-regulation";
const char kTax[] = "spiffe://sanming.gov.cn/approval/tax";
const char kWindow[] = "spiffe://sanming.gov.cn/service-center/window";
const char kHousingFund[] = "spiffe://sanming.gov.cn/approval/housing-fund";

class GatewayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/collectonce-gw-XXXXXX";
    dir_ = new std::string(mkdtemp(tmpl));
    auto r = testing::Daemon::Start(REGISTRYD_BINARY,
                                    {"--insecure", "--no-sync", "--data-dir", *dir_ + "/data",
                                     "--bootstrap-governance", "registryctl"},
                                    *dir_ + "/registryd.log");
    ASSERT_TRUE(r.ok()) << r.status();
    registry_ = new testing::Daemon(*std::move(r));
    auto g = testing::Daemon::Start(
        GATEWAYD_BINARY,
        {"--insecure", "--registry", registry_->grpc_address(), "--form-cache-seconds", "0"},
        *dir_ + "/gateway.log");
    ASSERT_TRUE(g.ok()) << g.status();
    gateway_ = new testing::Daemon(*std::move(g));
    ApplyExamplesAndCreateFiles();
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete registry_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  static grpc::ClientContext* Ctx(grpc::ClientContext* ctx, const std::string& principal) {
    ctx->AddMetadata("x-principal", principal);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  // Applies the shipped examples as data-governance staff would, and creates the files of
  // 福建省钢源粉体材料有限公司 and 宋大伯.
  static void ApplyExamplesAndCreateFiles() {
    auto ch = grpc::CreateChannel(registry_->grpc_address(), grpc::InsecureChannelCredentials());
    auto gov = v1::GovernanceService::NewStub(ch);
    auto rec = v1::RecordService::NewStub(ch);
    absl::Status applied = testing::ApplyExamples(
        *gov, kExamples, [](grpc::ClientContext* ctx) { Ctx(ctx, "registryctl"); });
    ASSERT_TRUE(applied.ok()) << applied;
    auto evidence = v1::EvidenceService::NewStub(ch);
    applied = testing::ApplyEvidenceTypeExamples(
        *evidence, kExamples, [](grpc::ClientContext* ctx) { Ctx(ctx, "registryctl"); });
    ASSERT_TRUE(applied.ok()) << applied;
    v1::UpdateRecordRequest steel;
    ASSERT_TRUE(
        google::protobuf::TextFormat::ParseFromString(absl::StrCat("name: \"", kSteel, R"tp("
      provenance { source: "market-regulation" } reason: "设立登记"
      values { key: "name" value { string_value: "福建省钢源粉体材料有限公司" } }
      values { key: "legal_representative_name" value { string_value: "吴秀英" } }
      values { key: "registered_capital" value { decimal_value: "5000" } }
      values { key: "registered_address" value { string_value: "三明市三元区荆西街道工业园1号" } }
      values { key: "industry_code" value { string_value: "C3130" } }
      values { key: "contact_phone" value { string_value: "0598-8234567" } }
      values { key: "status" value { code_value: "1" } })tp"),
                                                      &steel));
    v1::UpdateRecordRequest song;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(absl::StrCat(R"tp(
      kind: PERSON provenance { source: "public-security.household" }
      values { key: "id_number" value { string_value: ")tp",
                                                                           kSongId, R"tp(" } }
      values { key: "name" value { string_value: "宋文富" } }
      values { key: "gender" value { code_value: "1" } }
      values { key: "birth_date" value { date_value { year: 1945 month: 3 day: 12 } } }
      values { key: "household_address" value { string_value: "三明市三元区富文新村12幢301室" } }
      values { key: "marital_status" value { code_value: "30" } })tp"),
                                                              &song));
    for (auto* req : {&steel, &song}) {
      v1::UpdateRecordResponse resp;
      grpc::ClientContext ctx;
      grpc::Status s = rec->UpdateRecord(Ctx(&ctx, "registryctl"), *req, &resp);
      ASSERT_TRUE(s.ok()) << s.error_message();
      if (req == &song) *song_name_ = resp.record().name();
    }
  }

  void SetUp() override {
    channel_ = grpc::CreateChannel(gateway_->grpc_address(), grpc::InsecureChannelCredentials());
    gw_ = gw::ReuseGateway::NewStub(channel_);
    auto rch = grpc::CreateChannel(registry_->grpc_address(), grpc::InsecureChannelCredentials());
    rec_ = v1::RecordService::NewStub(rch);
  }

  grpc::Status Prefill(const std::string& as, const std::string& form, const std::string& subject,
                       gw::PrefillFormResponse* out, const std::string& id_number = "") {
    gw::PrefillFormRequest req;
    req.set_form(form);
    req.set_subject(subject);
    req.set_id_number(id_number);
    req.set_case_id("SM-2026-0001");
    grpc::ClientContext ctx;
    return gw_->PrefillForm(Ctx(&ctx, as), req, out);
  }
  grpc::Status Submit(const std::string& as, gw::SubmitFormRequest req,
                      gw::SubmitFormResponse* out) {
    grpc::ClientContext ctx;
    return gw_->SubmitForm(Ctx(&ctx, as), req, out);
  }
  // The form's reuse counts once `ready` holds for them, or (after 20 s) as they are.
  gw::GetReuseStatsResponse AwaitReuseStats(
      const std::string& as, const std::string& form,
      const std::function<bool(const gw::GetReuseStatsResponse&)>& ready) {
    gw::GetReuseStatsRequest q;
    q.set_form(form);
    gw::GetReuseStatsResponse stats;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
      grpc::ClientContext ctx;
      grpc::Status s = gw_->GetReuseStats(Ctx(&ctx, as), q, &stats);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok() || ready(stats) || std::chrono::steady_clock::now() > deadline) return stats;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  static std::map<std::string, const gw::FormFieldValue*> ByField(
      const gw::PrefillFormResponse& r) {
    std::map<std::string, const gw::FormFieldValue*> m;
    for (const auto& f : r.fields()) m[f.catalog_field()] = &f;
    return m;
  }
  v1::Record Read(const std::string& name, const std::string& purpose) {
    v1::GetRecordRequest req;
    req.set_name(name);
    req.mutable_options()->set_purpose(purpose);
    v1::Record r;
    grpc::ClientContext ctx;
    EXPECT_TRUE(rec_->GetRecord(Ctx(&ctx, "registryctl"), req, &r).ok());
    return r;
  }

  static std::string* dir_;
  static testing::Daemon* registry_;
  static testing::Daemon* gateway_;
  static std::string* song_name_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<gw::ReuseGateway::Stub> gw_;
  std::unique_ptr<v1::RecordService::Stub> rec_;
};

std::string* GatewayTest::dir_ = nullptr;
testing::Daemon* GatewayTest::registry_ = nullptr;
testing::Daemon* GatewayTest::gateway_ = nullptr;
std::string* GatewayTest::song_name_ = new std::string();

TEST_F(GatewayTest, LegalRepresentativeChangeIsCollectedOnceAndReusedByTheNextMatter) {
  gw::PrefillFormResponse form;
  grpc::Status s = Prefill(kMarket, "matters/legal-representative-change", kSteel, &form);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto f = ByField(form);
  EXPECT_EQ(f.at("name")->state(), gw::FormFieldValue::PREFILLED);
  EXPECT_EQ(f.at("name")->value().string_value(), "福建省钢源粉体材料有限公司");
  EXPECT_EQ(f.at("name")->provenance().source(), "market-regulation");
  // The new representative is what this matter collects.
  EXPECT_EQ(f.at("legal_representative_name")->state(), gw::FormFieldValue::MISSING);
  EXPECT_TRUE(f.at("legal_representative_name")->write_back());
  EXPECT_EQ(form.requested_count(), form.fields_size());

  gw::SubmitFormRequest submit;
  submit.set_form("matters/legal-representative-change");
  submit.set_subject(kSteel);
  submit.set_case_id("SCJG-2026-0388");
  submit.set_etag(form.etag());
  (*submit.mutable_values())["legal_representative_name"].set_string_value("林志强");
  gw::SubmitFormResponse done;
  s = Submit(kMarket, submit, &done);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(done.revision(), form.revision() + 1);
  EXPECT_THAT(done.written_fields(), ElementsAre("legal_representative_name"));

  // The tax bureau's change of the same enterprise finds the new representative pre-filled.
  gw::PrefillFormResponse tax;
  s = Prefill(kTax, "matters/enterprise-tax-change", kSteel, &tax);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto t = ByField(tax);
  EXPECT_EQ(t.at("legal_representative_name")->state(), gw::FormFieldValue::PREFILLED);
  EXPECT_EQ(t.at("legal_representative_name")->value().string_value(), "林志强");
  EXPECT_EQ(t.at("legal_representative_name")->provenance().matter(),
            "matters/legal-representative-change");

  // The reuse ledger counted both forms and the collected value. The gateway reports to
  // the ledger after it has answered, so the counts are awaited (bounded).
  gw::GetReuseStatsResponse stats = AwaitReuseStats(
      kMarket, "matters/legal-representative-change", [](const gw::GetReuseStatsResponse& r) {
        return r.forms_served() >= 1 && r.fields_collected() >= 1;
      });
  EXPECT_EQ(stats.forms_served(), 1);
  EXPECT_EQ(stats.fields_requested(), form.requested_count());
  EXPECT_EQ(stats.fields_prefilled(), form.prefilled_count());
  EXPECT_EQ(stats.fields_collected(), 1);
  EXPECT_NEAR(stats.reuse_rate(),
              static_cast<double>(form.prefilled_count()) / form.requested_count(), 1e-9);
  stats = AwaitReuseStats(kTax, "matters/enterprise-tax-change",
                          [](const gw::GetReuseStatsResponse& r) { return r.forms_served() >= 1; });
  EXPECT_EQ(stats.forms_served(), 1);
  EXPECT_EQ(stats.fields_prefilled(), tax.prefilled_count());
}

// The one-thing window submits what two departments' matters collect in one go: one change
// set, and each value vouched for by the department whose matter collects it.
TEST_F(GatewayTest, BundleSubmissionRecordsEachValueUnderItsDepartment) {
  gw::SubmitFormRequest submit;
  submit.set_form("bundles/enterprise-info-change");
  submit.set_subject(kSteel);
  submit.set_case_id("YJS-2026-0117");
  (*submit.mutable_values())["contact_phone"].set_string_value("0598-8234568");
  (*submit.mutable_values())["employee_count"].set_int64_value(86);
  gw::SubmitFormResponse done;
  grpc::Status s = Submit(kWindow, submit, &done);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(done.written_fields(), UnorderedElementsAre("contact_phone", "employee_count"));

  const v1::Record r = Read(kSteel, "matters/data-governance-review-enterprise");
  EXPECT_EQ(r.revision(), done.revision());
  std::map<std::string, v1::Provenance> provenance;
  for (const auto& f : r.fields()) provenance[f.field()] = f.provenance();
  EXPECT_EQ(provenance.at("contact_phone").source(), "tax");
  EXPECT_EQ(provenance.at("employee_count").source(), "human-resources.social-insurance");
  for (const char* field : {"contact_phone", "employee_count"}) {
    EXPECT_EQ(provenance.at(field).revision(), done.revision()) << field;
    EXPECT_EQ(provenance.at(field).matter(), "bundles/enterprise-info-change") << field;
  }

  // History shows the one change set, under the first matter's source, and which value
  // another department vouched for.
  v1::ListRecordRevisionsRequest hreq;
  hreq.set_parent(kSteel);
  hreq.set_page_size(1);
  v1::ListRecordRevisionsResponse history;
  grpc::ClientContext ctx;
  ASSERT_TRUE(rec_->ListRecordRevisions(Ctx(&ctx, "registryctl"), hreq, &history).ok());
  ASSERT_EQ(history.change_sets_size(), 1);
  const v1::ChangeSet& cs = history.change_sets(0);
  EXPECT_EQ(cs.revision(), done.revision());
  EXPECT_EQ(cs.source(), "tax");
  for (const auto& c : cs.changes()) {
    EXPECT_EQ(c.source(), c.field() == "employee_count" ? "human-resources.social-insurance" : "")
        << c.field();
  }
}

TEST_F(GatewayTest, HomeVisitBundleIsOnePrefillWithEachFieldOnce) {
  gw::PrefillFormResponse form;
  grpc::Status s = Prefill(kWindow, "bundles/elderly-home-property-transfer", "", &form, kSongId);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(form.subject(), *song_name_);
  std::vector<std::string> names;
  for (const auto& f : form.fields()) names.push_back(f.catalog_field());
  std::vector<std::string> unique = names;
  std::sort(unique.begin(), unique.end());
  EXPECT_EQ(std::unique(unique.begin(), unique.end()), unique.end()) << "a field is listed twice";
  auto f = ByField(form);
  // Needed by both matters, listed once with both.
  EXPECT_THAT(f.at("name")->matters(),
              UnorderedElementsAre("matters/land-transfer-fee", "matters/real-estate-transfer"));
  EXPECT_EQ(f.at("name")->value().string_value(), "宋文富");
  EXPECT_EQ(f.at("household_address")->state(), gw::FormFieldValue::PREFILLED);
  EXPECT_EQ(f.at("marital_status")->state(), gw::FormFieldValue::MASKED);
  EXPECT_EQ(f.at("mobile_phone")->state(), gw::FormFieldValue::MISSING);
}

// The receipt lists exactly the values the form shows (in clear or masked), by catalog field,
// and this gateway, started without a pinned audit key, does not verify receipts.
TEST_F(GatewayTest, APersonsFormCarriesAReceiptOfExactlyWhatItShows) {
  gw::PrefillFormResponse form;
  grpc::Status s = Prefill(kWindow, "bundles/elderly-home-property-transfer", "", &form, kSongId);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(form.has_receipt());
  std::map<std::string, const v1::ServedField*> served;
  for (const auto& f : form.receipt().served()) served[f.field()] = &f;
  size_t shown = 0;
  for (const auto& f : form.fields()) {
    if (!f.has_value()) {
      EXPECT_FALSE(served.count(f.catalog_field())) << f.catalog_field();
      continue;
    }
    ++shown;
    ASSERT_TRUE(served.count(f.catalog_field())) << f.catalog_field();
    EXPECT_EQ(served[f.catalog_field()]->value().SerializeAsString(), f.value().SerializeAsString())
        << f.catalog_field();
    EXPECT_EQ(served[f.catalog_field()]->masked(), f.state() == gw::FormFieldValue::MASKED)
        << f.catalog_field();
  }
  EXPECT_EQ(shown, served.size());
  v1::AuditEntry entry;
  ASSERT_TRUE(entry.ParseFromString(form.receipt().entry()));
  EXPECT_EQ(entry.access().served().revision(), form.revision());
  EXPECT_EQ(entry.access().purpose(), "bundles/elderly-home-property-transfer");

  gw::VerifyReceiptRequest q;
  *q.mutable_receipt() = form.receipt();
  gw::VerifyReceiptResponse r;
  grpc::ClientContext ctx;
  s = gw_->VerifyReceipt(Ctx(&ctx, kWindow), q, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  EXPECT_EQ(rpc::FromGrpc(s).reason, "AUDIT_KEY_NOT_CONFIGURED");
}

TEST_F(GatewayTest, CallerWithoutAGrantGetsDeniedFieldsAndTheAccessLogShowsOnlyWhatWasReleased) {
  // The tax bureau holds the land-transfer-fee grant, not the real-estate one.
  gw::PrefillFormResponse form;
  grpc::Status s = Prefill(kTax, "bundles/elderly-home-property-transfer", *song_name_, &form);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto f = ByField(form);
  EXPECT_EQ(f.at("name")->state(), gw::FormFieldValue::PREFILLED);
  EXPECT_EQ(f.at("gender")->state(), gw::FormFieldValue::DENIED);
  EXPECT_FALSE(f.at("gender")->has_value());
  EXPECT_EQ(f.at("marital_status")->state(), gw::FormFieldValue::DENIED);

  for (const auto& field : form.fields()) {
    if (field.state() == gw::FormFieldValue::DENIED) {
      EXPECT_FALSE(field.has_value());
    }
  }
  // The registry's access log holds exactly what was released, to whom, through whom.
  auto ach = grpc::CreateChannel(registry_->grpc_address(), grpc::InsecureChannelCredentials());
  auto audit = v1::AuditService::NewStub(ach);
  v1::ListAccessEventsRequest areq;
  areq.set_subject(*song_name_);
  areq.set_page_size(1);
  v1::ListAccessEventsResponse events;
  grpc::ClientContext actx;
  ASSERT_TRUE(audit->ListAccessEvents(Ctx(&actx, "auditor"), areq, &events).ok());
  ASSERT_EQ(events.entries_size(), 1);
  const v1::AccessEvent& ev = events.entries(0).access();
  EXPECT_EQ(events.entries(0).principal(), "principals/approval-tax");
  EXPECT_EQ(ev.via(), "principals/reuse-gateway");
  EXPECT_EQ(ev.purpose(), "bundles/elderly-home-property-transfer");
  EXPECT_THAT(ev.fields(), UnorderedElementsAre("id_number", "name", "household_address"));
  EXPECT_THAT(ev.masked_fields(), ::testing::IsEmpty());
  // Without any grant: PERMISSION_DENIED from the registry, passed through.
  s = Prefill(kMarket, "bundles/elderly-home-property-transfer", *song_name_, &form);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "NO_GRANT_FOR_PURPOSE");
}

TEST_F(GatewayTest, InvalidSubmittedValuesLeaveTheRecordUnchanged) {
  const v1::Record before = Read(*song_name_, "matters/data-governance-review-person");
  gw::SubmitFormRequest submit;
  submit.set_form("bundles/elderly-home-property-transfer");
  submit.set_subject(*song_name_);
  (*submit.mutable_values())["mobile_phone"].set_string_value("12345");
  (*submit.mutable_values())["residential_address"].set_string_value("三元区富文新村12幢");
  gw::SubmitFormResponse done;
  grpc::Status s = Submit(kWindow, submit, &done);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  rpc::RpcError e = rpc::FromGrpc(s);
  ASSERT_EQ(e.violations.size(), 1u);
  EXPECT_EQ(e.violations[0].field, "mobile_phone");
  EXPECT_EQ(e.violations[0].rule, "FORMAT");
  // A field the form does not collect is refused by the gateway itself.
  submit.mutable_values()->erase("mobile_phone");
  (*submit.mutable_values())["gender"].set_code_value("2");
  s = Submit(kWindow, submit, &done);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(rpc::FromGrpc(s).violations.at(0).field, "values.gender");
  EXPECT_EQ(Read(*song_name_, "matters/data-governance-review-person").revision(),
            before.revision());
}

// An approval system asks the gateway for evidence instead of a certificate: the registry
// decides as for the caller itself (the housing fund is a requester of marital-status evidence
// for its account matter, the tax office is not), signs it, and records the issuance as the
// caller's; an incomplete request is refused at the gateway with a violation per field.
TEST_F(GatewayTest, AnApprovalSystemGetsEvidenceThroughTheGatewayUnderItsOwnStanding) {
  v1::IssueEvidenceRequest req;
  req.set_evidence_type("evidence-types/marital-status");
  req.set_id_number(kSongId);
  req.set_matter("matters/housing-fund-account");
  req.set_case_id("GJJ-2026-0042");
  v1::IssueEvidenceResponse issued;
  {
    grpc::ClientContext ctx;
    grpc::Status s = gw_->IssueEvidence(Ctx(&ctx, kHousingFund), req, &issued);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // An SD-JWT: the issuer-signed JWT, then one disclosure per attested field.
  EXPECT_EQ(std::count(issued.credential().begin(), issued.credential().end(), '~'), 4)
      << issued.credential();
  EXPECT_GT(issued.audit_index(), 0u);
  EXPECT_FALSE(issued.status_list_uri().empty());

  v1::IssueEvidenceResponse refused_out;
  {
    grpc::ClientContext ctx;
    grpc::Status s = gw_->IssueEvidence(Ctx(&ctx, kTax), req, &refused_out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
    EXPECT_EQ(rpc::FromGrpc(s).reason, "EVIDENCE_NOT_ALLOWED");
  }
  v1::IssueEvidenceRequest empty;
  {
    grpc::ClientContext ctx;
    grpc::Status s = gw_->IssueEvidence(Ctx(&ctx, kHousingFund), empty, &refused_out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    std::vector<std::string> fields;
    for (const auto& v : rpc::FromGrpc(s).violations) fields.push_back(v.field);
    EXPECT_THAT(fields, ElementsAre("evidence_type", "matter", "subject"));
  }
}

TEST_F(GatewayTest, ReuseStatsOverATimeOutOfRangeAreRefused) {
  gw::GetReuseStatsRequest q;
  q.set_form("matters/legal-representative-change");
  q.mutable_end_time()->set_seconds(INT64_MAX);
  gw::GetReuseStatsResponse stats;
  grpc::ClientContext ctx;
  grpc::Status s = gw_->GetReuseStats(Ctx(&ctx, kMarket), q, &stats);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_EQ(rpc::FromGrpc(s).reason, "INVALID_VALUES");
}

// Which forms exist is told only to callers the registry knows: an unknown caller is refused
// before the gateway says whether the form exists, and a known one learns it is missing.
TEST_F(GatewayTest, UnknownCallerIsRefusedBeforeAMissingFormIsReported) {
  gw::PrefillFormResponse out;
  for (const char* form : {"matters/no-such-matter", "bundles/no-such-bundle"}) {
    grpc::Status s = Prefill("spiffe://sanming.gov.cn/approval/unknown", form, kSteel, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << form;
    EXPECT_EQ(rpc::FromGrpc(s).reason, "UNKNOWN_PRINCIPAL") << form;
    gw::SubmitFormRequest submit;
    submit.set_form(form);
    submit.set_subject(kSteel);
    (*submit.mutable_values())["contact_phone"].set_string_value("0598-8234569");
    gw::SubmitFormResponse done;
    s = Submit("spiffe://sanming.gov.cn/approval/unknown", submit, &done);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << form;

    s = Prefill(kMarket, form, kSteel, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << form;
  }
}

TEST_F(GatewayTest, RegistryDownIsUnavailableWithinTheDeadline) {
  auto g = testing::Daemon::Start(GATEWAYD_BINARY, {"--insecure", "--registry", "127.0.0.1:1"},
                                  *dir_ + "/gateway-orphan.log");
  ASSERT_TRUE(g.ok()) << g.status();
  auto ch = grpc::CreateChannel(g->grpc_address(), grpc::InsecureChannelCredentials());
  auto stub = gw::ReuseGateway::NewStub(ch);
  gw::PrefillFormRequest req;
  req.set_form("matters/legal-representative-change");
  req.set_subject(kSteel);
  gw::PrefillFormResponse out;
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-principal", kMarket);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  const auto start = std::chrono::steady_clock::now();
  grpc::Status s = stub->PrefillForm(&ctx, req, &out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(6));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(s.error_message(), HasSubstr("registry at 127.0.0.1:1"));
  EXPECT_EQ(rpc::FromGrpc(s).reason, "REGISTRY_UNAVAILABLE");
}

}  // namespace
}  // namespace collectonce
