#include "libs/store/keyed_hash.h"

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

}  // namespace
}  // namespace collectonce::store
