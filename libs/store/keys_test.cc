// The key encodings are a storage format and carry the orders every store read relies on:
// SeekForPrev over revisions, commit times and valid days, and prefix scans per subject.
#include "libs/store/keys.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace collectonce::store::keys {
namespace {

namespace v1 = ::collectonce::registry::v1;
using catalog::SubjectName;

// RocksDB's bytewise comparator: unsigned bytes, then length.
bool ByteLess(const std::string& a, const std::string& b) {
  const size_t n = std::min(a.size(), b.size());
  const int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  return c < 0 || (c == 0 && a.size() < b.size());
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string Hex(const std::string& s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// Expects `keys` (in their intended order) to be strictly increasing bytewise.
void ExpectStrictlyIncreasing(const std::vector<std::string>& keys) {
  for (size_t i = 1; i < keys.size(); ++i) {
    EXPECT_TRUE(ByteLess(keys[i - 1], keys[i])) << "key " << i - 1 << " " << Hex(keys[i - 1])
                                                << " is not below key " << i << " " << Hex(keys[i]);
  }
}

SubjectName Person(std::string id) { return {v1::PERSON, std::move(id)}; }
SubjectName Enterprise(std::string id) { return {v1::ENTERPRISE, std::move(id)}; }

// Revisions chosen so that their big-endian bytes differ in every position, including
// values whose leading bytes are larger than any id character.
const std::vector<int64_t>& Revisions() {
  static const std::vector<int64_t> r = {0,
                                         1,
                                         2,
                                         9,
                                         10,
                                         255,
                                         256,
                                         257,
                                         65535,
                                         65536,
                                         0x2d000000,
                                         int64_t{1} << 32,
                                         int64_t{1} << 40,
                                         int64_t{0x2d} << 56,
                                         int64_t{0x64} << 56,
                                         std::numeric_limits<int64_t>::max()};
  return r;
}

TEST(KeysTest, GoldenBytesOfTheStoredFormat) {
  // docs/storage.md: these bytes are on disk; a change here breaks every existing store.
  using namespace std::string_literals;  // NOLINT
  EXPECT_EQ(Subject(Enterprise("91X")),
            "\x01"s
            "91X\0"s);
  EXPECT_EQ(Subject(Person("abc")),
            "\x02"s
            "abc\0"s);
  EXPECT_EQ(SubjectRevision(Person("abc"), 258),
            "\x02"
            "abc\0\0\0\0\0\0\0\x01\x02"s);
  EXPECT_EQ(Timeline(Person("abc"), -1, 3),
            "\x02"
            "abc\0\x7f\xff\xff\xff\xff\xff\xff\xff\0\0\0\0\0\0\0\x03"s);
  EXPECT_EQ(ValidTime(Person("abc"), "f", absl::CivilDay(1970, 1, 2), 1),
            "\x02"
            "abc\0f\0\x80\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\x01"s);
  EXPECT_EQ(ValidTimeFieldPrefix(Person("abc"), "f"),
            "\x02"
            "abc\0f\0"s);
  EXPECT_EQ(Sequence(1), "\0\0\0\0\0\0\0\x01"s);
  EXPECT_EQ(Request("p", "r1"), "p\0r1"s);
  EXPECT_EQ(AuditIndex(0x0102), "\0\0\0\0\0\0\x01\x02"s);
  EXPECT_EQ(AuditNode(3, 1), "\x03\0\0\0\0\0\0\0\x01"s);
  EXPECT_EQ(AccessIndex(Person("abc"), 0, 7),
            "\x02"
            "abc\0\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x07"s);
  EXPECT_EQ(Governance("catalogs", "person"), "ccatalogs\0person"s);
  EXPECT_EQ(GovernanceVersion("catalogs", "person", 2), "vcatalogs\0person\0\0\0\0\0\0\0\0\x02"s);
}

TEST(KeysTest, RevisionsOfOneSubjectSortNumerically) {
  for (const SubjectName& s : {Person("abc"), Enterprise("91350400MA2YQ8KX1E")}) {
    std::vector<std::string> keys;
    for (int64_t r : Revisions()) keys.push_back(SubjectRevision(s, r));
    ExpectStrictlyIncreasing(keys);
    // Every revision key is under the subject's prefix and its bound.
    const std::string prefix = Subject(s);
    const std::string end = PrefixSuccessor(prefix);
    for (const auto& k : keys) {
      EXPECT_TRUE(StartsWith(k, prefix));
      EXPECT_TRUE(ByteLess(k, end));
    }
  }
}

TEST(KeysTest, KeysOfASubjectNeverInterleaveWithAnother) {
  // Ids that are prefixes of each other, and ids whose next character sorts below any
  // revision byte ('-' is 0x2d) or above it.
  const std::vector<SubjectName> subjects = {Person("abc"),
                                             Person("abcd"),
                                             Person("abc-x"),
                                             Person("ab"),
                                             Person("abd"),
                                             Person("b"),
                                             Enterprise("abc"),
                                             Enterprise("abcd"),
                                             Enterprise("91350400MA2YQ8KX1E"),
                                             Enterprise("91350404MA31GY5T0Y")};
  struct Keyed {
    std::string key;
    size_t subject;
  };
  std::vector<Keyed> all;
  for (size_t i = 0; i < subjects.size(); ++i) {
    const SubjectName& s = subjects[i];
    for (int64_t r : Revisions()) {
      all.push_back({SubjectRevision(s, r), i});
      all.push_back({Timeline(s, static_cast<int64_t>(r) - (int64_t{1} << 62), r), i});
      all.push_back({Timeline(s, r, r), i});
      all.push_back({AccessIndex(s, -r, static_cast<uint64_t>(r)), i});
    }
    for (const char* field : {"", "a", "name", "status", "status_x", "\x7f"}) {
      for (int d : {-30000, -1, 0, 1, 20000}) {
        all.push_back({ValidTime(s, field, absl::CivilDay(1970, 1, 1) + d, 1), i});
        all.push_back({ValidTime(s, field, absl::CivilDay(1970, 1, 1) + d,
                                 std::numeric_limits<int64_t>::max()),
                       i});
      }
    }
  }
  std::sort(all.begin(), all.end(),
            [](const Keyed& a, const Keyed& b) { return ByteLess(a.key, b.key); });
  // Each subject's keys form one contiguous run.
  std::vector<int> runs(subjects.size(), 0);
  for (size_t i = 0; i < all.size(); ++i) {
    if (i == 0 || all[i].subject != all[i - 1].subject) ++runs[all[i].subject];
  }
  for (size_t i = 0; i < subjects.size(); ++i) {
    EXPECT_EQ(runs[i], 1) << "the keys of " << subjects[i].id << " (kind " << subjects[i].kind
                          << ") interleave with another subject's";
  }
  // The prefix and its successor bound exactly the subject's own keys.
  for (size_t i = 0; i < subjects.size(); ++i) {
    const std::string prefix = Subject(subjects[i]);
    const std::string end = PrefixSuccessor(prefix);
    for (const Keyed& k : all) {
      const bool inside = !ByteLess(k.key, prefix) && ByteLess(k.key, end);
      EXPECT_EQ(inside, k.subject == i) << Hex(k.key) << " against the range of " << subjects[i].id;
      EXPECT_EQ(StartsWith(k.key, prefix), k.subject == i) << Hex(k.key);
    }
  }
}

TEST(KeysTest, TimelineSortsByTimeThenRevisionIncludingNegativeTimes) {
  const SubjectName s = Enterprise("91350400MA2YQ8KX1E");
  const std::vector<int64_t> times = {std::numeric_limits<int64_t>::min(),
                                      -(int64_t{1} << 40),
                                      -5000000,
                                      -256,
                                      -255,
                                      -1,
                                      0,
                                      1,
                                      255,
                                      256,
                                      5000000,
                                      1772326800000000,  // 2026-03-01 01:00 UTC
                                      std::numeric_limits<int64_t>::max()};
  const std::vector<int64_t> revisions = {0, 1, 2, 256, std::numeric_limits<int64_t>::max()};
  std::vector<std::string> keys;
  for (int64_t t : times) {
    for (int64_t r : revisions) keys.push_back(Timeline(s, t, r));
  }
  ExpectStrictlyIncreasing(keys);
  // The store's commit-time read seeks for the greatest key <= Timeline(t, INT64_MAX): it
  // must cover every revision at t and nothing at t + 1.
  for (size_t i = 0; i + 1 < times.size(); ++i) {
    const std::string bound = Timeline(s, times[i], std::numeric_limits<int64_t>::max());
    EXPECT_FALSE(ByteLess(bound, Timeline(s, times[i], 12345)));
    EXPECT_TRUE(ByteLess(bound, Timeline(s, times[i + 1], 0)));
  }
  for (int64_t t : times) {
    for (int64_t r : revisions) EXPECT_EQ(RevisionSuffix(Timeline(s, t, r)), r);
  }
}

TEST(KeysTest, ValidTimeSortsByFieldThenDayThenRevision) {
  const SubjectName s = Person("abc");
  const std::vector<std::string> fields = {"", "a", "ab", "name", "status", "status_x", "z"};
  const std::vector<absl::CivilDay> days = {
      absl::CivilDay(1, 1, 1),      absl::CivilDay(1850, 1, 1),  absl::CivilDay(1949, 10, 1),
      absl::CivilDay(1969, 12, 31), absl::CivilDay(1970, 1, 1),  absl::CivilDay(1970, 1, 2),
      absl::CivilDay(1970, 9, 13),  absl::CivilDay(2026, 2, 28), absl::CivilDay(2026, 3, 1),
      absl::CivilDay(9999, 12, 31)};
  const std::vector<int64_t> revisions = {1, 2, 255, 256, std::numeric_limits<int64_t>::max()};
  std::vector<std::string> keys;
  for (const auto& f : fields) {
    for (const auto& d : days) {
      for (int64_t r : revisions) keys.push_back(ValidTime(s, f, d, r));
    }
  }
  ExpectStrictlyIncreasing(keys);
  for (const auto& f : fields) {
    const std::string prefix = ValidTimeFieldPrefix(s, f);
    EXPECT_TRUE(StartsWith(prefix, Subject(s)));
    for (const auto& g : fields) {
      for (const auto& d : days) {
        // Only the field's own keys carry its prefix ("status" vs "status_x").
        EXPECT_EQ(StartsWith(ValidTime(s, g, d, 1), prefix), f == g) << f << " / " << g;
      }
    }
  }
  for (const auto& d : days) {
    for (int64_t r : revisions) EXPECT_EQ(RevisionSuffix(ValidTime(s, "status", d, r)), r);
  }
}

TEST(KeysTest, PrefixSuccessor) {
  using namespace std::string_literals;  // NOLINT
  EXPECT_EQ(PrefixSuccessor("abc"), "abd");
  EXPECT_EQ(PrefixSuccessor("ab\xff"), "ac");
  EXPECT_EQ(PrefixSuccessor("a\xff\xff"), "b");
  EXPECT_EQ(PrefixSuccessor("\x7f"), "\x80");
  EXPECT_EQ(PrefixSuccessor("\x01"
                            "abc\0"s),
            "\x01"
            "abc\x01"s);
  EXPECT_EQ(PrefixSuccessor("\xff\xff"), "");  // no upper bound
  EXPECT_EQ(PrefixSuccessor(""), "");

  // Every extension of the prefix sorts below the successor; the successor is above the
  // prefix and does not start with it.
  for (const std::string& p : {"abc"s, "ab\xff"s,
                               "\x02"
                               "abc\0"s,
                               "\x7f\xff"s}) {
    const std::string succ = PrefixSuccessor(p);
    EXPECT_TRUE(ByteLess(p, succ));
    EXPECT_FALSE(StartsWith(succ, p));
    for (const std::string& tail : {""s, "\0"s, "\xff"s, "\xff\xff\xff\xff"s, "zzz"s}) {
      EXPECT_TRUE(ByteLess(p + tail, succ)) << Hex(p + tail);
    }
  }
}

TEST(KeysTest, ParseSubjectRoundTrip) {
  for (const SubjectName& s : {Person("abc"), Person("a1b2c3-def"), Enterprise("abcd"),
                               Enterprise("91350404MA31GY5T0Y")}) {
    for (const std::string& tail : {std::string(), std::string("\x00\x01rest", 6)}) {
      const std::string key = Subject(s) + tail;
      absl::string_view in = key;
      SubjectName parsed;
      ASSERT_TRUE(ParseSubject(&in, &parsed)) << Hex(key);
      EXPECT_EQ(parsed, s);
      EXPECT_EQ(std::string(in), tail);
    }
    // A revision key parses back to the subject, leaving the revision.
    const std::string rk = SubjectRevision(s, 77);
    absl::string_view in = rk;
    SubjectName parsed;
    ASSERT_TRUE(ParseSubject(&in, &parsed));
    EXPECT_EQ(parsed, s);
    EXPECT_EQ(in.size(), 8u);
    EXPECT_EQ(RevisionSuffix(rk), 77);
  }
}

TEST(KeysTest, ParseSubjectRejectsMalformedKeysAndLeavesInputAlone) {
  using namespace std::string_literals;  // NOLINT
  for (const std::string& bad : {""s,
                                 "\x03"
                                 "abc\0"s,
                                 "abc\0"s,
                                 "\x01"
                                 "abc"s,
                                 "\x02"s}) {
    absl::string_view in = bad;
    SubjectName parsed{v1::ENTERPRISE, "unchanged"};
    EXPECT_FALSE(ParseSubject(&in, &parsed)) << Hex(bad);
    EXPECT_EQ(in.size(), bad.size());
    EXPECT_EQ(parsed.id, "unchanged");
  }
}

TEST(KeysTest, SuffixAndSequenceRoundTrips) {
  const SubjectName s = Person("abcd");
  for (int64_t r : Revisions()) {
    EXPECT_EQ(RevisionSuffix(SubjectRevision(s, r)), r);
    EXPECT_EQ(ParseSequence(Sequence(r)), r);
  }
  for (uint64_t i : {uint64_t{0}, uint64_t{1}, uint64_t{255}, uint64_t{1} << 33,
                     std::numeric_limits<uint64_t>::max()}) {
    for (int64_t t : {std::numeric_limits<int64_t>::min(), int64_t{-1}, int64_t{0},
                      int64_t{1772326800000000}}) {
      EXPECT_EQ(AccessIndexAuditIndex(AccessIndex(s, t, i)), i);
    }
  }
  // Sequence keys sort numerically, so that reading changes after n is one seek.
  std::vector<std::string> seq;
  for (int64_t r : Revisions()) seq.push_back(Sequence(r));
  ExpectStrictlyIncreasing(seq);
}

TEST(KeysTest, AccessIndexSortsByTimeThenIndex) {
  const SubjectName s = Person("abc");
  std::vector<std::string> keys;
  for (int64_t t : {std::numeric_limits<int64_t>::min(), int64_t{-1000}, int64_t{-1}, int64_t{0},
                    int64_t{1}, int64_t{1772326800000000}}) {
    for (uint64_t i : {uint64_t{0}, uint64_t{1}, uint64_t{256}, uint64_t{1} << 40}) {
      keys.push_back(AccessIndex(s, t, i));
    }
  }
  ExpectStrictlyIncreasing(keys);
}

TEST(KeysTest, AuditAndGovernanceKeysSortByTheirNumbers) {
  std::vector<std::string> audit;
  for (uint64_t i : {uint64_t{0}, uint64_t{1}, uint64_t{255}, uint64_t{256}, uint64_t{1} << 40}) {
    audit.push_back(AuditIndex(i));
  }
  ExpectStrictlyIncreasing(audit);

  std::vector<std::string> nodes;
  for (int level : {0, 1, 2, 63}) {
    for (uint64_t i : {uint64_t{0}, uint64_t{1}, uint64_t{256}})
      nodes.push_back(AuditNode(level, i));
  }
  ExpectStrictlyIncreasing(nodes);

  // Versions of one object are contiguous and numeric; "person" does not interleave with
  // "persons", and current keys ('c') never mix with version keys ('v').
  std::vector<std::string> versions;
  for (const char* name : {"person", "persons"}) {
    for (int64_t v : {1, 2, 255, 256, 1 << 20}) {
      versions.push_back(GovernanceVersion("catalogs", name, v));
    }
  }
  ExpectStrictlyIncreasing(versions);
  EXPECT_TRUE(ByteLess(Governance("zzz", "zzz"), GovernanceVersion("", "", 0)));
  EXPECT_NE(Governance("catalogs", "person"), Governance("catalog", "sperson"));
}

TEST(KeysTest, RequestKeysSeparatePrincipalFromId) {
  EXPECT_NE(Request("ab", "c"), Request("a", "bc"));
  EXPECT_TRUE(ByteLess(Request("a", "zzz"), Request("ab", "")));
}

}  // namespace
}  // namespace collectonce::store::keys
