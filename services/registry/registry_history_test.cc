// History and watch over the registry service: paged, masked, scoped to the caller's
// grants, resumed without gaps.
#include "services/registry/registry_service_test_fixture.h"

namespace collectonce::registry::service_testing {
namespace {

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

}  // namespace
}  // namespace collectonce::registry::service_testing
