// DisputeService with RecordService over an in-process channel, on a real RocksDB: the
// state machine, routing, permissions, CONTESTED marks and notifications on correction.
#include "services/registry/dispute_service.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/base/clock.h"
#include "libs/rpc/errors.h"
#include "libs/store/rocksdb_store.h"
#include "libs/store/test_util.h"
#include "services/registry/governance_service.h"
#include "services/registry/record_service.h"

namespace collectonce::registry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace st = ::collectonce::store::testing;

template <typename T>
T Text(const std::string& text) {
  T m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

const char kMatters[][900] = {
    R"tp(name: "matters/home-visit" title: "上门服务" subject_kind: PERSON purpose: "上门服务"
         source: "service-center"
         form_fields { key: "xm" catalog_field: "name" use: PREFILL }
         form_fields { key: "xjzdz" catalog_field: "residential_address" use: PREFILL })tp",
    R"tp(name: "matters/real-estate-transfer" title: "不动产转移登记" subject_kind: PERSON
         purpose: "房产过户" source: "natural-resources.real-estate"
         form_fields { key: "xm" catalog_field: "name" use: PREFILL }
         form_fields { key: "xjzdz" catalog_field: "residential_address" use: PREFILL })tp",
    R"tp(name: "matters/governance-person" title: "数据治理核查" subject_kind: PERSON
         purpose: "核查" form_fields { key: "a" catalog_field: "name" use: PREFILL }
         form_fields { key: "b" catalog_field: "residential_address" use: PREFILL })tp",
};

const char kPrincipals[][500] = {
    R"tp(name: "principals/governance" identity: "registryctl" roles: GOVERNANCE roles: AUDITOR
         source: "data-governance"
         grants { matter: "matters/governance-person" write_back: true })tp",
    R"tp(name: "principals/window" identity: "window" roles: APPROVAL_SYSTEM roles: WINDOW
         source: "service-center"
         grants { matter: "matters/home-visit" clear_fields: "residential_address" })tp",
    R"tp(name: "principals/household" identity: "household" roles: APPROVAL_SYSTEM
         source: "public-security.household")tp",
    R"tp(name: "principals/real-estate" identity: "real-estate" roles: APPROVAL_SYSTEM
         source: "natural-resources.real-estate"
         grants { matter: "matters/real-estate-transfer" clear_fields: "residential_address" })tp",
    R"tp(name: "principals/gateway" identity: "gateway" roles: GATEWAY)tp",
};

constexpr char kOldAddress[] = "三明市三元区富文新村12幢301室";
constexpr char kNewAddress[] = "三明市三元区富兴路8号2幢501室";

class DisputeServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = st::MakeTempDir("disputes");
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
    disputes_ = std::make_unique<DisputeServiceImpl>(context_.get());
    grpc::ServerBuilder b;
    b.RegisterService(records_.get());
    b.RegisterService(governance_.get());
    b.RegisterService(disputes_.get());
    server_ = b.BuildAndStart();
    channel_ = server_->InProcessChannel(grpc::ChannelArguments());
    rec_ = v1::RecordService::NewStub(channel_);
    gov_ = v1::GovernanceService::NewStub(channel_);
    dis_ = v1::DisputeService::NewStub(channel_);

    v1::ApplyCatalogRequest cat;
    *cat.mutable_catalog() = st::ExampleCatalog("person");
    v1::ApplyCatalogResponse cat_resp;
    ASSERT_TRUE(
        Call("bootstrap", &v1::GovernanceService::Stub::ApplyCatalog, gov_.get(), cat, &cat_resp)
            .ok());
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
    song_ = WriteSong();
  }
  void TearDown() override {
    server_->Shutdown();
    server_->Wait();
    hub_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  template <typename Stub, typename Req, typename Resp>
  grpc::Status Call(const std::string& principal,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    Stub* stub, const Req& req, Resp* resp) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-principal", principal);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return (stub->*method)(&ctx, req, resp);
  }
  grpc::Status Open(const std::string& who, const std::string& text, v1::Dispute* out) {
    return Call(who, &v1::DisputeService::Stub::OpenDispute, dis_.get(),
                Text<v1::OpenDisputeRequest>(text), out);
  }
  std::string OpenAddress(const std::string& request_id = "") {
    v1::Dispute d;
    grpc::Status s = Open("window",
                          absl::StrCat(R"(dispute { subject: ")", song_, R"("
        field: "residential_address" matter: "matters/home-visit" case_id: "SM-2026-0001"
        reason: "已搬至富兴路" operator: "w-017" } request_id: ")",
                                       request_id, "\""),
                          &d);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return d.name();
  }
  grpc::Status Decide(const std::string& who, const std::string& text, v1::Dispute* out) {
    return Call(who, &v1::DisputeService::Stub::DecideDispute, dis_.get(),
                Text<v1::DecideDisputeRequest>(text), out);
  }
  v1::Record Read(const std::string& who, const std::string& matter) {
    v1::GetRecordRequest req;
    req.set_name(song_);
    req.mutable_options()->set_purpose(matter);
    v1::Record r;
    grpc::Status s = Call(who, &v1::RecordService::Stub::GetRecord, rec_.get(), req, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r;
  }
  // The revision written.
  int64_t WriteAddress(const std::string& address) {
    v1::UpdateRecordRequest req;
    req.set_name(song_);
    (*req.mutable_values())["residential_address"].set_string_value(address);
    req.mutable_provenance()->set_source("data-governance");
    req.set_reason("异议核实后更正");
    v1::UpdateRecordResponse resp;
    grpc::Status s =
        Call("registryctl", &v1::RecordService::Stub::UpdateRecord, rec_.get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.record().revision();
  }
  std::string WriteSong() { return WritePerson(st::kSongId, "宋文富", kOldAddress); }
  std::string WritePerson(const std::string& id, const std::string& name,
                          const std::string& address) {
    auto req = Text<v1::UpdateRecordRequest>(absl::StrCat(R"tp(
      kind: PERSON provenance { source: "public-security.household" }
      values { key: "id_number" value { string_value: ")tp",
                                                          id, R"tp(" } }
      values { key: "name" value { string_value: ")tp",
                                                          name, R"tp(" } }
      values { key: "residential_address" value { string_value: ")tp",
                                                          address, R"(" } })"));
    v1::UpdateRecordResponse resp;
    grpc::Status s =
        Call("registryctl", &v1::RecordService::Stub::UpdateRecord, rec_.get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.record().name();
  }
  static std::string Reason(const grpc::Status& s) { return rpc::FromGrpc(s).reason; }
  static bool Contested(const v1::Record& r, const std::string& field) {
    for (const auto& f : r.fields()) {
      if (f.field() == field) return f.contested();
    }
    return false;
  }

  std::string dir_, song_;
  std::unique_ptr<store::RocksDbStore> store_;
  std::unique_ptr<RegistryContext> context_;
  std::unique_ptr<WatchHub> hub_;
  std::unique_ptr<RecordServiceImpl> records_;
  std::unique_ptr<GovernanceServiceImpl> governance_;
  std::unique_ptr<DisputeServiceImpl> disputes_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RecordService::Stub> rec_;
  std::unique_ptr<v1::GovernanceService::Stub> gov_;
  std::unique_ptr<v1::DisputeService::Stub> dis_;
};

TEST_F(DisputeServiceTest, OpenRoutesTheFieldAndMarksItContested) {
  EXPECT_FALSE(
      Contested(Read("real-estate", "matters/real-estate-transfer"), "residential_address"));
  v1::Dispute d;
  grpc::Status s = Open("window", absl::StrCat(R"(dispute { subject: ")", song_, R"("
      field: "residential_address" matter: "matters/home-visit" case_id: "SM-2026-0001"
      reason: "已搬至富兴路" operator: "w-017"
      claimed_value { string_value: "三明市三元区富兴路8号2幢501室" } })"),
                        &d);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(d.name(), song_ + "/disputes/residential-address-1");
  // No authoritative source in the catalog: data governance decides.
  EXPECT_EQ(d.department(), "data-governance");
  EXPECT_EQ(d.state(), v1::Dispute::OPEN);
  EXPECT_EQ(d.disputed_revision(), 1);
  EXPECT_EQ(d.opened_by(), "principals/window");
  EXPECT_FALSE(d.overdue());
  // Five working days: never less than five calendar days, never more than nine.
  const int64_t days = (d.decide_by().seconds() - d.create_time().seconds()) / 86400;
  EXPECT_GE(days, 4);
  EXPECT_LE(days, 9);
  ASSERT_EQ(d.steps_size(), 1);
  EXPECT_EQ(d.steps(0).principal(), "principals/window");
  EXPECT_EQ(d.steps(0).reason(), "已搬至富兴路");

  // The value is still served, marked, to every reader.
  v1::Record r = Read("real-estate", "matters/real-estate-transfer");
  EXPECT_TRUE(Contested(r, "residential_address"));
  EXPECT_FALSE(Contested(r, "name"));

  // A name field routes to the household authority.
  v1::Dispute name;
  ASSERT_TRUE(
      Open("registryctl",
           absl::StrCat(R"(dispute { subject: ")", song_, R"(" field: "name" reason: "错字" })"),
           &name)
          .ok());
  EXPECT_EQ(name.department(), "public-security.household");

  // One pending dispute per field.
  v1::Dispute again;
  s = Open("window", absl::StrCat(R"(dispute { subject: ")", song_, R"("
      field: "residential_address" matter: "matters/home-visit" reason: "again" })"),
           &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Reason(s), "DISPUTE_ALREADY_OPEN");
}

// Times come from the registry's clock and zone (registryd --utc-offset-hours), not from the
// system clock and a constant: the dispute opens at the clock's moment, and its deadline is
// the end of a working day in that zone. Friday 2026-03-06 13:00 at UTC-5 is Saturday 02:00
// in UTC+8; five working days there end on Friday 2026-03-13 at midnight, UTC-5.
TEST_F(DisputeServiceTest, TimesComeFromTheRegistrysClockAndZone) {
  const absl::TimeZone west = ZoneAtUtcOffset(-5);
  const absl::Time opened = absl::FromCivil(absl::CivilSecond(2026, 3, 6, 13, 0, 0), west);
  context_->set_clock(Clock(west, [opened] { return opened; }));
  v1::Dispute d;
  grpc::Status s = Open("window", absl::StrCat(R"(dispute { subject: ")", song_, R"("
      field: "residential_address" matter: "matters/home-visit" reason: "已搬至富兴路" })"),
                        &d);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(d.create_time().seconds(), absl::ToUnixSeconds(opened));
  EXPECT_EQ(d.steps(0).time().seconds(), absl::ToUnixSeconds(opened));
  EXPECT_EQ(d.decide_by().seconds(),
            absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2026, 3, 14), west)) - 1);
  EXPECT_EQ(d.decide_by().nanos(), 999999000);
}

TEST_F(DisputeServiceTest, ARetriedOpenReturnsTheFirstDispute) {
  const std::string first = OpenAddress("req-1");
  const std::string retry = OpenAddress("req-1");
  EXPECT_EQ(first, retry);
}

TEST_F(DisputeServiceTest, BadOpensWriteNothing) {
  const uint64_t before = store_->Stats().audit_size;
  v1::Dispute d;
  grpc::Status s = Open("window", absl::StrCat(R"(dispute { subject: ")", song_, R"("
      field: "no_such_field" matter: "matters/home-visit" })"),
                        &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Reason(s), "INVALID_VALUES");
  auto violations = rpc::FromGrpc(s).violations;
  ASSERT_EQ(violations.size(), 2u);  // the field and the missing reason
  EXPECT_EQ(violations[0].field, "dispute.field");
  EXPECT_EQ(violations[1].field, "dispute.reason");

  s = Open("window", R"(dispute { subject: "persons/nobody" field: "mobile_phone"
      matter: "matters/home-visit" reason: "x" })",
           &d);
  // The window is not served mobile_phone for the matter.
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reason(s), "FIELD_NOT_GRANTED");
  s = Open("window", R"(dispute { subject: "persons/nobody" field: "residential_address"
      matter: "matters/home-visit" reason: "x" })",
           &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Reason(s), "RECORD_NOT_FOUND");
  s = Open("window", absl::StrCat(R"(dispute { subject: ")", song_, R"("
      field: "residential_address" matter: "matters/home-visit" reason: "x"
      claimed_value { int64_value: 5 } })"),
           &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Approval systems and gateways do not open disputes, whatever they name.
  s = Open("real-estate", R"(dispute { subject: "persons/nobody" })", &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reason(s), "ROLE_MAY_NOT_OPEN_DISPUTE");
  EXPECT_EQ(store_->Stats().audit_size, before);
}

TEST_F(DisputeServiceTest, OnlyTheDepartmentOrGovernanceDecides) {
  const std::string name = OpenAddress();
  v1::Dispute d;
  const std::string uphold =
      absl::StrCat("name: \"", name, "\" outcome: UPHELD reason: \"核实无误\"");
  grpc::Status s = Decide("window", uphold, &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reason(s), "NOT_DISPUTE_DEPARTMENT");
  s = Decide("household", uphold, &d);  // another department's field
  EXPECT_EQ(Reason(s), "NOT_DISPUTE_DEPARTMENT");
  s = Decide("gateway", uphold, &d);
  EXPECT_EQ(Reason(s), "ROLE_MAY_NOT_READ_DISPUTES");
  // A department that does not see a dispute cannot tell a missing one from it.
  s = Decide("household",
             absl::StrCat("name: \"", song_, "/disputes/none-1\" outcome: UPHELD reason: \"x\""),
             &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Decide("registryctl",
             absl::StrCat("name: \"", song_, "/disputes/none-1\" outcome: UPHELD reason: \"x\""),
             &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Reason(s), "DISPUTE_NOT_FOUND");

  // UPHELD needs a reason; a stale etag is refused; then it is decided once.
  s = Decide("registryctl", absl::StrCat("name: \"", name, "\" outcome: UPHELD"), &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = Decide("registryctl", uphold + " etag: \"7\"", &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Reason(s), "ETAG_MISMATCH");
  s = Decide("registryctl", uphold + " etag: \"1\"", &d);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(d.state(), v1::Dispute::UPHELD);
  EXPECT_EQ(d.decision_reason(), "核实无误");
  EXPECT_EQ(d.steps_size(), 2);
  EXPECT_FALSE(
      Contested(Read("real-estate", "matters/real-estate-transfer"), "residential_address"));
  s = Decide("registryctl", uphold, &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Reason(s), "DISPUTE_CLOSED");

  // The household authority decides its own fields.
  v1::Dispute on_name;
  ASSERT_TRUE(
      Open("registryctl",
           absl::StrCat(R"(dispute { subject: ")", song_, R"(" field: "name" reason: "错字" })"),
           &on_name)
          .ok());
  v1::ReviewDisputeRequest review;
  review.set_name(on_name.name());
  s = Call("household", &v1::DisputeService::Stub::ReviewDispute, dis_.get(), review, &d);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(d.state(), v1::Dispute::UNDER_REVIEW);
  s = Call("household", &v1::DisputeService::Stub::ReviewDispute, dis_.get(), review, &d);
  EXPECT_EQ(Reason(s), "DISPUTE_UNDER_REVIEW");
  s = Decide(
      "household",
      absl::StrCat("name: \"", on_name.name(), "\" outcome: UPHELD reason: \"户籍记录一致\""), &d);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(DisputeServiceTest, AWindowWithdrawsAndANewDisputeMayFollow) {
  const std::string name = OpenAddress();
  v1::WithdrawDisputeRequest w;
  w.set_name(name);
  w.set_reason("申请人撤回");
  v1::Dispute d;
  grpc::Status s =
      Call("real-estate", &v1::DisputeService::Stub::WithdrawDispute, dis_.get(), w, &d);
  EXPECT_EQ(Reason(s), "ROLE_MAY_NOT_WITHDRAW_DISPUTE");
  s = Call("window", &v1::DisputeService::Stub::WithdrawDispute, dis_.get(), w, &d);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(d.state(), v1::Dispute::WITHDRAWN);
  EXPECT_FALSE(
      Contested(Read("real-estate", "matters/real-estate-transfer"), "residential_address"));
  EXPECT_EQ(OpenAddress(), song_ + "/disputes/residential-address-2");
}

TEST_F(DisputeServiceTest, ACorrectionNotifiesEverySystemServedTheOldValue) {
  // real-estate was served the address; household never read it.
  Read("real-estate", "matters/real-estate-transfer");
  const int64_t before_dispute = WriteAddress("三明市三元区富文新村12幢302室");
  const std::string name = OpenAddress();
  v1::Dispute d;
  // A change set from before the dispute, or one that did not touch the field, is no correction.
  grpc::Status s = Decide("registryctl",
                          absl::StrCat("name: \"", name, "\" outcome: CORRECTED corrected_by: \"",
                                       song_, "/revisions/", before_dispute, "\""),
                          &d);
  EXPECT_EQ(Reason(s), "NOT_A_CORRECTION");
  s = Decide("registryctl",
             absl::StrCat("name: \"", name,
                          "\" outcome: CORRECTED corrected_by: \"persons/other/revisions/1\""),
             &d);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Served again after the dispute opened: still the old value.
  Read("real-estate", "matters/real-estate-transfer");
  Read("window", "matters/home-visit");
  const int64_t fixed = WriteAddress(kNewAddress);
  s = Decide("registryctl",
             absl::StrCat("name: \"", name, "\" outcome: CORRECTED corrected_by: \"", song_,
                          "/revisions/", fixed, "\" reason: \"核实\""),
             &d);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(d.state(), v1::Dispute::CORRECTED);
  EXPECT_EQ(d.corrected_by(), absl::StrCat(song_, "/revisions/", fixed));
  EXPECT_EQ(d.notified_count(), 2);
  EXPECT_FALSE(
      Contested(Read("real-estate", "matters/real-estate-transfer"), "residential_address"));

  v1::ListNotificationsRequest req;
  v1::ListNotificationsResponse mine;
  s = Call("real-estate", &v1::DisputeService::Stub::ListNotifications, dis_.get(), req, &mine);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(mine.notifications_size(), 1);
  const v1::Notification& n = mine.notifications(0);
  EXPECT_EQ(n.principal(), "principals/real-estate");
  EXPECT_EQ(n.field(), "residential_address");
  EXPECT_EQ(n.dispute(), name);
  EXPECT_EQ(n.matter(), "matters/real-estate-transfer");
  EXPECT_EQ(n.corrected_by(), d.corrected_by());
  // No value in it, old or new.
  EXPECT_THAT(n.DebugString(), Not(HasSubstr("富")));
  v1::ListNotificationsResponse none;
  ASSERT_TRUE(
      Call("household", &v1::DisputeService::Stub::ListNotifications, dis_.get(), req, &none).ok());
  EXPECT_EQ(none.notifications_size(), 0);
  // Only governance and auditors read another principal's.
  req.set_parent("principals/real-estate");
  s = Call("household", &v1::DisputeService::Stub::ListNotifications, dis_.get(), req, &none);
  EXPECT_EQ(Reason(s), "ROLE_MAY_NOT_READ_NOTIFICATIONS");
  s = Call("registryctl", &v1::DisputeService::Stub::ListNotifications, dis_.get(), req, &none);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(none.notifications_size(), 1);
}

TEST_F(DisputeServiceTest, ListsPageByDepartmentAndRefuseForeignTokens) {
  OpenAddress();
  v1::Dispute d;
  ASSERT_TRUE(
      Open("registryctl",
           absl::StrCat(R"(dispute { subject: ")", song_, R"(" field: "name" reason: "错字" })"),
           &d)
          .ok());
  const std::string wu = WritePerson(st::kWuId, "吴丽华", "永安市燕江中路1号");
  ASSERT_TRUE(Open("registryctl",
                   absl::StrCat(R"(dispute { subject: ")", wu,
                                R"(" field: "residential_address" reason: "x" })"),
                   &d)
                  .ok());
  v1::ListDisputesRequest req;
  req.set_department("data-governance");
  req.set_page_size(1);
  v1::ListDisputesResponse page;
  grpc::Status s =
      Call("registryctl", &v1::DisputeService::Stub::ListDisputes, dis_.get(), req, &page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(page.disputes_size(), 1);
  EXPECT_EQ(page.disputes(0).department(), "data-governance");
  ASSERT_FALSE(page.next_page_token().empty());
  const std::string first = page.disputes(0).name();
  req.set_page_token(page.next_page_token());
  v1::ListDisputesResponse second;
  s = Call("registryctl", &v1::DisputeService::Stub::ListDisputes, dis_.get(), req, &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(second.disputes_size(), 1);
  EXPECT_EQ(second.disputes(0).department(), "data-governance");
  EXPECT_NE(second.disputes(0).name(), first);

  // The token belongs to this query only.
  v1::ListDisputesRequest other;
  other.set_department("public-security.household");
  other.set_page_token(page.next_page_token());
  v1::ListDisputesResponse refused;
  s = Call("registryctl", &v1::DisputeService::Stub::ListDisputes, dis_.get(), other, &refused);
  EXPECT_EQ(Reason(s), "INVALID_PAGE_TOKEN");
  std::string edited = page.next_page_token();
  edited[3] = edited[3] == 'A' ? 'B' : 'A';
  req.set_page_token(edited);
  s = Call("registryctl", &v1::DisputeService::Stub::ListDisputes, dis_.get(), req, &refused);
  EXPECT_EQ(Reason(s), "INVALID_PAGE_TOKEN");

  // A department reads its own queue, by default and only.
  v1::ListDisputesRequest own;
  v1::ListDisputesResponse queue;
  ASSERT_TRUE(
      Call("household", &v1::DisputeService::Stub::ListDisputes, dis_.get(), own, &queue).ok());
  ASSERT_EQ(queue.disputes_size(), 1);
  EXPECT_EQ(queue.disputes(0).field(), "name");
  own.set_department("data-governance");
  s = Call("household", &v1::DisputeService::Stub::ListDisputes, dis_.get(), own, &queue);
  EXPECT_EQ(Reason(s), "NOT_DISPUTE_DEPARTMENT");

  // By subject and state.
  v1::ListDisputesRequest by_subject;
  by_subject.set_subject(song_);
  by_subject.set_state(v1::Dispute::OPEN);
  v1::ListDisputesResponse all;
  ASSERT_TRUE(
      Call("window", &v1::DisputeService::Stub::ListDisputes, dis_.get(), by_subject, &all).ok());
  EXPECT_GE(all.disputes_size(), 2);
  for (const auto& x : all.disputes()) EXPECT_EQ(x.subject(), song_);
}

}  // namespace
}  // namespace collectonce::registry
