#include "libs/store/keyed_hash.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace collectonce::store {
namespace {

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

// RFC 4231, HMAC-SHA256 test cases 1, 2 and 6 (a key longer than the block).
TEST(KeyedHashTest, MatchesRfc4231) {
  EXPECT_EQ(Hex(KeyedHash::FromKey(std::string(20, '\x0b')).Hash("Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(Hex(KeyedHash::FromKey("Jefe").Hash("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(Hex(KeyedHash::FromKey(std::string(131, '\xaa'))
                    .Hash("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(KeyedHashTest, SameAnswerFromManyThreadsAndCopies) {
  const KeyedHash h = KeyedHash::FromKey("0123456789abcdef0123456789abcdef");
  const std::string want = h.Hash("350402199001011234");
  const KeyedHash copy = h;
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        if ((i % 2 ? copy : h).Hash("350402199001011234") != want) ++mismatches[t];
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
  EXPECT_NE(h.Hash("350402199001011235"), want);
  EXPECT_NE(KeyedHash::FromKey("another key, another index......").Hash("350402199001011234"),
            want);
}

// The local mode creates its key once: a complete file of mode 0600 and nothing else in
// the directory; loading it again gives the same key; a key others may read is refused.
TEST(KeyedHashTest, ACreatedKeyIsPrivateCompleteAndLoadsBack) {
  char tmpl[] = "/tmp/collectonce-key-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string path = dir + "/index.key";
  auto created = KeyedHash::LoadOrCreate(path, /*create_if_missing=*/true);
  ASSERT_TRUE(created.ok()) << created.status();
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 65);  // 64 hex characters and a newline
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    ++entries;
    EXPECT_EQ(e.path().filename(), "index.key");
  }
  EXPECT_EQ(entries, 1);
  auto loaded = KeyedHash::LoadOrCreate(path, /*create_if_missing=*/false);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->Hash("350402199001011234"), created->Hash("350402199001011234"));

  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  auto refused = KeyedHash::LoadOrCreate(path, false);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("chmod 600"), std::string::npos);
  EXPECT_FALSE(KeyedHash::LoadOrCreate(dir + "/missing.key", false).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace collectonce::store
