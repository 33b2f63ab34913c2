// The limits of docs/api.md at their boundary.
#include "services/registry/registry_service_test_fixture.h"

namespace collectonce::registry::service_testing {
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
}  // namespace collectonce::registry::service_testing
