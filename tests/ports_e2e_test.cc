// A port that another daemon already holds fails the start (exit 1, a message naming the
// port) instead of being shared through SO_REUSEPORT, for both daemons' gRPC and admin
// ports, and for the console's HTTP port.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/daemon.h"

namespace collectonce {
namespace {

using ::testing::HasSubstr;

std::string PortOf(const std::string& address) { return address.substr(address.rfind(':') + 1); }

class PortsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/collectonce-ports-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs a second daemon on `listen` / `admin`, bounded: a daemon that starts and shares
  // the port is stopped by timeout (exit 124) and fails the test.
  testing::ShellResult RunSecond(const std::string& command) {
    testing::ShellResult r = testing::RunShell(absl::StrCat("timeout 20 ", command));
    testing::KeepTestOutput("second-daemon.log", r.out);
    return r;
  }
  std::string Registry(const std::string& data, const std::string& listen,
                       const std::string& admin) {
    return absl::StrCat(REGISTRYD_BINARY, " --insecure --data-dir ", dir_, "/", data,
                        " --bootstrap-governance registryctl --listen ", listen, " --admin-listen ",
                        admin);
  }
  std::string Gateway(const std::string& registry, const std::string& listen,
                      const std::string& admin) {
    return absl::StrCat(GATEWAYD_BINARY, " --insecure --registry ", registry, " --listen ", listen,
                        " --admin-listen ", admin);
  }
  std::string dir_;
};

TEST_F(PortsTest, SecondRegistrydOnATakenPortExitsNamingThePort) {
  auto first = testing::Daemon::Start(
      REGISTRYD_BINARY,
      {"--insecure", "--data-dir", dir_ + "/first", "--bootstrap-governance", "registryctl"},
      dir_ + "/first.log");
  ASSERT_TRUE(first.ok()) << first.status();

  // Each second daemon has its own data directory, so that only the port can stop it.
  testing::ShellResult grpc_taken =
      RunSecond(Registry("second-grpc", first->grpc_address(), "127.0.0.1:0"));
  EXPECT_EQ(grpc_taken.exit_code, 1) << grpc_taken.out;
  EXPECT_THAT(grpc_taken.out, HasSubstr(absl::StrCat("gRPC address ", first->grpc_address())));
  EXPECT_THAT(grpc_taken.out,
              HasSubstr(absl::StrCat("port ", PortOf(first->grpc_address()), " is in use")));

  testing::ShellResult admin_taken =
      RunSecond(Registry("second-admin", "127.0.0.1:0", first->admin_address()));
  EXPECT_EQ(admin_taken.exit_code, 1) << admin_taken.out;
  EXPECT_THAT(admin_taken.out, HasSubstr(absl::StrCat("admin address ", first->admin_address())));
  EXPECT_THAT(admin_taken.out,
              HasSubstr(absl::StrCat("port ", PortOf(first->admin_address()), " is in use")));

  // The first daemon still answers alone.
  auto healthz = testing::HttpGet(first->admin_address(), "/healthz");
  ASSERT_TRUE(healthz.ok()) << healthz.status();
  EXPECT_EQ(*healthz, "200 ok\n");
}

TEST_F(PortsTest, SecondGatewayOnATakenPortExitsNamingThePort) {
  // The gateway starts without its registry; the port check is the gateway's own.
  auto first = testing::Daemon::Start(GATEWAYD_BINARY, {"--insecure", "--registry", "127.0.0.1:1"},
                                      dir_ + "/first.log");
  ASSERT_TRUE(first.ok()) << first.status();

  testing::ShellResult grpc_taken =
      RunSecond(Gateway("127.0.0.1:1", first->grpc_address(), "127.0.0.1:0"));
  EXPECT_EQ(grpc_taken.exit_code, 1) << grpc_taken.out;
  EXPECT_THAT(grpc_taken.out,
              HasSubstr(absl::StrCat("port ", PortOf(first->grpc_address()), " is in use")));

  testing::ShellResult admin_taken =
      RunSecond(Gateway("127.0.0.1:1", "127.0.0.1:0", first->admin_address()));
  EXPECT_EQ(admin_taken.exit_code, 1) << admin_taken.out;
  EXPECT_THAT(admin_taken.out,
              HasSubstr(absl::StrCat("port ", PortOf(first->admin_address()), " is in use")));
}

TEST_F(PortsTest, ConsoleOnAPortHeldWithSoReusePortExitsInsteadOfSharingIt) {
  // The holder sets SO_REUSEPORT, as cpp-httplib's default does: a console that set it too
  // would bind beside it and run (stopped by the timeout, exit 124).
  const int holder = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(holder, 0);
  const int yes = 1;
  ASSERT_EQ(setsockopt(holder, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes), 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(holder, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(holder, 4), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(holder, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string listen_at = absl::StrCat("127.0.0.1:", ntohs(addr.sin_port));

  testing::ShellResult r = RunSecond(absl::StrCat(
      CONSOLE_BINARY, " --insecure --registry 127.0.0.1:1 --gateway 127.0.0.1:1 --listen ",
      listen_at));
  close(holder);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("cannot listen on ", listen_at)));
}

}  // namespace
}  // namespace collectonce
