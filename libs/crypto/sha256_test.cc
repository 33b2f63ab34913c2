#include "libs/crypto/sha256.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace collectonce::crypto {
namespace {

std::string Hex(absl::string_view bytes) { return absl::BytesToHexString(bytes); }

// FIPS 180-2 appendix B vectors.
TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, PartsHashAsTheirConcatenation) {
  const Sha256Digest d = Sha256Of({"a", "", "bc"});
  EXPECT_EQ(Hex(absl::string_view(reinterpret_cast<const char*>(d.data()), d.size())),
            Hex(Sha256("abc")));
}

// RFC 4231 test cases 1 and 2.
TEST(Sha256Test, HmacKnownVectors) {
  EXPECT_EQ(Hex(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Sha256Test, SafeFromManyThreads) {
  const std::string want = Sha256("collect once");
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) mismatches[t] += Sha256("collect once") != want;
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace collectonce::crypto
