// RecordService and GovernanceService over an in-process channel, on a real RocksDB: reads,
// writes, batches, listings, the audit service and governance.
#include "services/registry/registry_service_test_fixture.h"

namespace collectonce::registry::service_testing {
namespace {

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
}  // namespace collectonce::registry::service_testing
