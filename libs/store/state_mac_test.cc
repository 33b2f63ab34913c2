#include "libs/store/state_mac.h"

#include <string>

#include "gtest/gtest.h"
#include "libs/base/error_reason.h"

namespace collectonce::store {
namespace {

const KeyedHash kIndexKey = KeyedHash::FromKey(std::string(32, '\x07'));

TEST(StateMacTest, ASealedValueOpensUnderItsKindAndContext) {
  const StateMac mac = StateMac::FromIndexKey(kIndexKey);
  const std::string stored = mac.Seal(SealedKind::kState, "\x02p1", "state bytes");
  EXPECT_EQ(stored.size(), StateMac::kOverhead + 11);
  EXPECT_TRUE(StateMac::IsSealed(stored));
  absl::string_view value;
  ASSERT_TRUE(mac.Open(SealedKind::kState, "\x02p1", stored, &value));
  EXPECT_EQ(value, "state bytes");
}

TEST(StateMacTest, AnEditedByteAnywhereIsRefused) {
  const StateMac mac = StateMac::FromIndexKey(kIndexKey);
  const std::string stored = mac.Seal(SealedKind::kChangeSet, "\x01uscc", "change set bytes");
  for (size_t i = 0; i < stored.size(); ++i) {
    std::string edited = stored;
    edited[i] ^= 0x20;
    absl::string_view value;
    EXPECT_FALSE(mac.Open(SealedKind::kChangeSet, "\x01uscc", edited, &value)) << "byte " << i;
  }
  absl::string_view value;
  EXPECT_FALSE(
      mac.Open(SealedKind::kChangeSet, "\x01uscc", stored.substr(0, stored.size() - 1), &value));
  EXPECT_FALSE(mac.Open(SealedKind::kChangeSet, "\x01uscc", stored + "x", &value));
}

// A value moved to another subject (a swap) or read as another kind does not open.
TEST(StateMacTest, AValueDoesNotOpenForAnotherSubjectOrKind) {
  const StateMac mac = StateMac::FromIndexKey(kIndexKey);
  const std::string stored = mac.Seal(SealedKind::kState, std::string("\x02p1\0", 4), "v");
  absl::string_view value;
  EXPECT_FALSE(mac.Open(SealedKind::kState, std::string("\x02p2\0", 4), stored, &value));
  EXPECT_FALSE(mac.Open(SealedKind::kChangeSet, std::string("\x02p1\0", 4), stored, &value));
  EXPECT_FALSE(mac.Open(SealedKind::kAssertion, std::string("\x02p1\0", 4), stored, &value));
  // The context is length-prefixed: a byte moved from the context to the value is not the
  // same input.
  const std::string a = mac.Seal(SealedKind::kState, "ab", "c");
  EXPECT_FALSE(
      mac.Open(SealedKind::kState, "a", a.substr(0, 2 + StateMac::kMacBytes) + "bc", &value));
}

TEST(StateMacTest, AnotherIndexKeyOpensNothing) {
  const StateMac mac = StateMac::FromIndexKey(kIndexKey);
  const StateMac other = StateMac::FromIndexKey(KeyedHash::FromKey(std::string(32, '\x08')));
  const std::string stored = mac.Seal(SealedKind::kState, "k", "v");
  absl::string_view value;
  EXPECT_FALSE(other.Open(SealedKind::kState, "k", stored, &value));
  // The MAC key is derived, not the index key itself: a MAC is not an index entry.
  EXPECT_NE(stored.substr(2, StateMac::kMacBytes),
            kIndexKey.Hash({"S", std::string("\0\0\0\x01", 4), "k", "v"}).substr(0, 16));
}

// Values of stores before format 6 are bare protobuf bytes: never taken for sealed ones.
TEST(StateMacTest, AnUnsealedValueIsNotSealed) {
  const StateMac mac = StateMac::FromIndexKey(kIndexKey);
  EXPECT_FALSE(StateMac::IsSealed("\x08\x01\x10\x02"));
  EXPECT_FALSE(StateMac::IsSealed(""));
  absl::string_view value;
  EXPECT_FALSE(mac.Open(SealedKind::kState, "k", "\x08\x01\x10\x02", &value));
}

TEST(StateMacTest, TheRefusalNamesSubjectAndRevisionAndItsReason) {
  const absl::Status s = StoredDataAltered("current state", "persons/p1", 3);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ReasonOf(s), "STORED_DATA_ALTERED");
  EXPECT_NE(s.message().find("persons/p1"), absl::string_view::npos);
  EXPECT_NE(s.message().find("revision 3"), absl::string_view::npos);
}

}  // namespace
}  // namespace collectonce::store
