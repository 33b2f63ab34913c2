#include "libs/store/audit_value.h"

#include "gtest/gtest.h"

namespace collectonce::store {
namespace {

TEST(AuditValueTest, CarriesTheLeafHashBeforeTheEntry) {
  const std::string entry = "\x08\x01\x10\x07 an entry";
  const audit::Hash leaf = audit::LeafHash(entry);
  const std::string value = EncodeAuditValue(leaf, entry);
  ASSERT_EQ(value.size(), 1 + 32 + entry.size());
  EXPECT_EQ(value[0], '\0');
  const AuditValue decoded = DecodeAuditValue(value);
  EXPECT_EQ(decoded.entry, entry);
  EXPECT_EQ(decoded.leaf_hash, value.substr(1, 32));
  EXPECT_EQ(LeafHashOf(decoded), leaf);
}

TEST(AuditValueTest, AnEntryWrittenBeforeFormatFourIsItsBytesAlone) {
  const std::string entry = "\x08\x01\x10\x07 an entry";  // a protobuf tag first, never 0x00
  const AuditValue decoded = DecodeAuditValue(entry);
  EXPECT_EQ(decoded.entry, entry);
  EXPECT_TRUE(decoded.leaf_hash.empty());
  EXPECT_EQ(LeafHashOf(decoded), audit::LeafHash(entry));
}

TEST(AuditValueTest, AValueTooShortForAHashHasNone) {
  const std::string value("\0short", 6);
  const AuditValue decoded = DecodeAuditValue(value);
  EXPECT_EQ(decoded.entry, value);
  EXPECT_TRUE(decoded.leaf_hash.empty());
}

}  // namespace
}  // namespace collectonce::store
