#include "libs/disputes/dispute_store.h"

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_matchers.h"
#include "libs/store/rocksdb_store.h"
#include "libs/store/test_util.h"

namespace collectonce::disputes {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

class DisputeStoreTest : public store::testing::StoreFixture {
 protected:
  absl::StatusOr<v1::Dispute> Save(v1::Dispute d, int64_t expected, const std::string& action) {
    absl::Notification done;
    absl::StatusOr<v1::Dispute> out = absl::UnknownError("");
    DisputeStore(store_.get())
        .Save(std::move(d), expected, "principals/window", action,
              [&](absl::StatusOr<v1::Dispute> r) {
                out = std::move(r);
                done.Notify();
              });
    done.WaitForNotification();
    return out;
  }
  static v1::Dispute Make(const std::string& subject, const std::string& id,
                          const std::string& field, const std::string& department,
                          v1::Dispute::State state) {
    v1::Dispute d;
    d.set_name(subject + "/disputes/" + id);
    d.set_subject(subject);
    d.set_field(field);
    d.set_department(department);
    d.set_state(state);
    d.mutable_decide_by()->set_seconds(2000);
    return d;
  }
  static std::vector<std::string> Names(const std::vector<v1::Dispute>& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds) out.push_back(d.name());
    return out;
  }
};

TEST_F(DisputeStoreTest, EachStepIsAConditionalWriteWithItsAuditLeaf) {
  const uint64_t audit_before = store_->Stats().audit_size;
  auto d = Make("persons/p-one", "residential-address-1", "residential_address", "data-governance",
                v1::Dispute::OPEN);
  auto first = Save(d, 0, "DISPUTE_OPEN");
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->version(), 1);
  EXPECT_EQ(first->etag(), "1");

  // A second open of the same name, and a step based on a stale version, write nothing.
  auto again = Save(d, 0, "DISPUTE_OPEN");
  EXPECT_THAT(again, StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(ReasonOf(again.status()), "OBJECT_CHANGED");
  d.set_state(v1::Dispute::UNDER_REVIEW);
  auto reviewed = Save(d, 1, "DISPUTE_REVIEW");
  ASSERT_THAT(reviewed, IsOk());
  EXPECT_EQ(reviewed->version(), 2);
  d.set_state(v1::Dispute::UPHELD);
  EXPECT_THAT(Save(d, 1, "DISPUTE_DECIDE"), StatusIs(absl::StatusCode::kAborted));

  auto stored = DisputeStore(store_.get()).Get(d.name(), 0);
  ASSERT_THAT(stored, IsOk());
  EXPECT_EQ(stored->state(), v1::Dispute::UNDER_REVIEW);

  // Two leaves, with the principal and the step's action.
  ASSERT_EQ(store_->Stats().audit_size, audit_before + 2);
  auto leaf = store_->ReadAuditEntry(audit_before + 1);
  ASSERT_THAT(leaf, IsOk());
  EXPECT_EQ(leaf->principal(), "principals/window");
  EXPECT_EQ(leaf->governance().resource(), d.name());
  EXPECT_EQ(leaf->governance().action(), "DISPUTE_REVIEW");
  EXPECT_EQ(leaf->governance().version(), 2);
}

TEST_F(DisputeStoreTest, ListsBySubjectDepartmentStateAndOverdue) {
  DisputeStore ds(store_.get());
  ASSERT_THAT(Save(Make("persons/p-one", "name-1", "name", "public-security.household",
                        v1::Dispute::CORRECTED),
                   0, "DISPUTE_OPEN"),
              IsOk());
  ASSERT_THAT(Save(Make("persons/p-one", "residential-address-1", "residential_address",
                        "data-governance", v1::Dispute::OPEN),
                   0, "DISPUTE_OPEN"),
              IsOk());
  // p-one0 sorts right after p-one's disputes: a subject's scan must stop before it.
  ASSERT_THAT(
      Save(Make("persons/p-one0", "name-1", "name", "public-security.household", v1::Dispute::OPEN),
           0, "DISPUTE_OPEN"),
      IsOk());
  ASSERT_THAT(Save(Make("persons/p-two", "mobile-phone-1", "mobile_phone", "data-governance",
                        v1::Dispute::UNDER_REVIEW),
                   0, "DISPUTE_OPEN"),
              IsOk());

  auto subject = ds.ForSubject("persons/p-one", 0);
  ASSERT_THAT(subject, IsOk());
  EXPECT_THAT(Names(*subject), ElementsAre("persons/p-one/disputes/name-1",
                                           "persons/p-one/disputes/residential-address-1"));
  auto contested = ds.ContestedFields("persons/p-one");
  ASSERT_THAT(contested, IsOk());
  EXPECT_THAT(*contested, UnorderedElementsAre("residential_address"));

  DisputeFilter governance;
  governance.department = "data-governance";
  auto page = ds.List(governance, "", 10, 100, 0);
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(Names(page->disputes), ElementsAre("persons/p-one/disputes/residential-address-1",
                                                 "persons/p-two/disputes/mobile-phone-1"));
  EXPECT_EQ(page->next_after, "");

  // Paging: one at a time, each page continuing after the last name.
  auto first = ds.List(governance, "", 1, 100, 0);
  ASSERT_THAT(first, IsOk());
  ASSERT_EQ(first->disputes.size(), 1u);
  ASSERT_FALSE(first->next_after.empty());
  auto second = ds.List(governance, first->next_after, 1, 100, 0);
  ASSERT_THAT(second, IsOk());
  EXPECT_THAT(Names(second->disputes), ElementsAre("persons/p-two/disputes/mobile-phone-1"));

  // A bounded scan may return fewer, with a position to continue from.
  DisputeFilter review;
  review.state = v1::Dispute::UNDER_REVIEW;
  auto bounded = ds.List(review, "", 10, 2, 0);
  ASSERT_THAT(bounded, IsOk());
  EXPECT_TRUE(bounded->disputes.empty());
  EXPECT_EQ(bounded->next_after, "persons/p-one/disputes/residential-address-1");

  // Overdue: pending and past decide_by (2000 s) as of the read.
  DisputeFilter overdue;
  overdue.overdue_only = true;
  auto late = ds.List(overdue, "", 10, 100, 2001'000'000);
  ASSERT_THAT(late, IsOk());
  EXPECT_THAT(Names(late->disputes), ElementsAre("persons/p-one/disputes/residential-address-1",
                                                 "persons/p-one0/disputes/name-1",
                                                 "persons/p-two/disputes/mobile-phone-1"));
  auto early = ds.List(overdue, "", 10, 100, 1999'000'000);
  ASSERT_THAT(early, IsOk());
  EXPECT_TRUE(early->disputes.empty());
}

TEST_F(DisputeStoreTest, NotificationsArePerPrincipalAndIdempotent) {
  DisputeStore ds(store_.get());
  auto make = [](const std::string& principal) {
    v1::Notification n;
    n.set_name(NotificationName(principal, "persons/p-one/disputes/residential-address-1"));
    n.set_principal(principal);
    n.set_subject("persons/p-one");
    n.set_field("residential_address");
    return n;
  };
  auto save = [&](std::vector<v1::Notification> ns) {
    absl::Notification done;
    absl::Status out;
    ds.SaveNotifications(std::move(ns), "principals/gov", [&](absl::Status s) {
      out = s;
      done.Notify();
    });
    done.WaitForNotification();
    return out;
  };
  const uint64_t before = store_->Stats().audit_size;
  ASSERT_THAT(save({make("principals/real-estate"), make("principals/tax")}), IsOk());
  ASSERT_THAT(save({make("principals/real-estate")}), IsOk());  // the same again: no new leaf
  EXPECT_EQ(store_->Stats().audit_size, before + 2);
  auto mine = ds.Notifications("principals/real-estate", "", 10);
  ASSERT_THAT(mine, IsOk());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].name(),
            "principals/real-estate/notifications/persons.p-one.residential-address-1");
  auto none = ds.Notifications("principals/real", "", 10);
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace collectonce::disputes
