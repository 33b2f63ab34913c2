#include "libs/rpc/daemon.h"

#include "gtest/gtest.h"

namespace collectonce::rpc {
namespace {

// The insecure mode listens on loopback only unless told otherwise: an address in
// 127.0.0.0/8 or ::1, or "localhost"; never a name that merely starts like one.
TEST(IsLoopbackHostTest, AddressesNotNames) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"127.example.org", "127.0.0.1.nip.io", "0.0.0.0", "10.0.0.1",
                           "::", "[::]", "128.0.0.1", "", "127.0.0.256"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

}  // namespace
}  // namespace collectonce::rpc
