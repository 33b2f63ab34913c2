// `registryctl dispute` against the real registryd on ephemeral loopback ports, with the
// shipped examples: a window opens a dispute, the approval system sees the value contested,
// governance corrects it and the system that was served the old value is notified.
#include <filesystem>
#include <fstream>
#include <regex>

#include "absl/strings/str_cat.h"
#include "collectonce/registry/v1/dispute.pb.h"
#include "collectonce/registry/v1/record.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/daemon.h"

namespace collectonce {
namespace {

namespace v1 = ::collectonce::registry::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kExitUsage = 2;
constexpr int kExitPermissionDenied = 64 + 7;
constexpr int kExitFailedPrecondition = 64 + 9;

// 宋文富 of the demo data (deploy/examples/demo).
constexpr char kSongId[] = "350403194503120012";
constexpr char kWindow[] = "spiffe://sanming.gov.cn/service-center/window";
constexpr char kRealEstate[] = "spiffe://sanming.gov.cn/approval/real-estate";
constexpr char kOldAddress[] = "三明市三元区富文新村12幢301室";
constexpr char kNewAddress[] = "三明市三元区富兴路8号2幢501室";

class DisputeCtlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/collectonce-dispute-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto d = testing::Daemon::Start(REGISTRYD_BINARY,
                                    {"--insecure", "--no-sync", "--data-dir", dir_ + "/data",
                                     "--bootstrap-governance", "registryctl"},
                                    dir_ + "/registryd.log");
    ASSERT_TRUE(d.ok()) << d.status();
    daemon_ = std::make_unique<testing::Daemon>(*std::move(d));
    const std::string examples = std::string(COLLECTONCE_SOURCE_DIR) + "/deploy/examples/";
    for (const char* what : {"catalog", "matters", "bundles", "principals"}) {
      std::string cmd = std::string(what) == "catalog" ? "catalog" : std::string(what);
      if (cmd != "catalog") cmd.pop_back();  // matters -> matter
      auto r = Ctl("", absl::StrCat(cmd, " apply -f ", examples, what));
      ASSERT_EQ(r.exit_code, 0) << r.out;
    }
    std::ofstream(dir_ + "/id.txt") << kSongId << "\n";
    auto put =
        Ctl("", absl::StrCat("record put --kind person --id-number-file ", dir_,
                             "/id.txt --set name=宋文富 --set residential_address=", kOldAddress,
                             " --source public-security.household --reason 户籍登记"));
    ASSERT_EQ(put.exit_code, 0) << put.out;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(put.out, m, std::regex("(persons/[a-z0-9-]+): revision 1")))
        << put.out;
    song_ = m[1];
  }
  void TearDown() override {
    daemon_.reset();
    std::filesystem::remove_all(dir_);
  }
  // registryctl as `as` (empty: registryctl's own governance principal).
  testing::ShellResult Ctl(const std::string& as, const std::string& args) {
    auto r =
        testing::RunShell(absl::StrCat(REGISTRYCTL_BINARY, " --registry ", daemon_->grpc_address(),
                                       as.empty() ? "" : absl::StrCat(" --as ", as), " ", args));
    return r;
  }
  v1::Record ReadAsRealEstate() {
    auto r = Ctl(kRealEstate, absl::StrCat("-o json record get ", song_,
                                           " --purpose matters/real-estate-transfer"));
    EXPECT_EQ(r.exit_code, 0) << r.out;
    v1::Record record;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &record).ok()) << r.out;
    return record;
  }
  static bool Contested(const v1::Record& r, const std::string& field) {
    for (const auto& f : r.fields()) {
      if (f.field() == field) return f.contested();
    }
    return false;
  }

  std::string dir_, song_;
  std::unique_ptr<testing::Daemon> daemon_;
};

TEST_F(DisputeCtlTest, OpenContestCorrectNotify) {
  // The real-estate system is served the address before anyone disputes it.
  EXPECT_FALSE(Contested(ReadAsRealEstate(), "residential_address"));

  auto opened = Ctl(kWindow, absl::StrCat("-o json dispute open ", song_,
                                          " residential_address --reason 已搬至富兴路 "
                                          "--matter bundles/elderly-home-property-transfer "
                                          "--case-id SM-2026-0001 --operator w-017"));
  ASSERT_EQ(opened.exit_code, 0) << opened.out;
  v1::Dispute d;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(opened.out, &d).ok()) << opened.out;
  EXPECT_EQ(d.name(), song_ + "/disputes/residential-address-1");
  EXPECT_EQ(d.department(), "data-governance");
  EXPECT_EQ(d.state(), v1::Dispute::OPEN);

  // While it is open the value is served marked.
  EXPECT_TRUE(Contested(ReadAsRealEstate(), "residential_address"));
  EXPECT_FALSE(Contested(ReadAsRealEstate(), "name"));

  auto queue = Ctl("", "dispute list --department data-governance");
  ASSERT_EQ(queue.exit_code, 0) << queue.out;
  EXPECT_THAT(queue.out, HasSubstr(d.name()));
  EXPECT_THAT(queue.out, HasSubstr("OPEN"));
  auto none = Ctl("", "dispute list --state corrected");
  ASSERT_EQ(none.exit_code, 0) << none.out;
  EXPECT_THAT(none.out, Not(HasSubstr(d.name())));

  // The approval system is not the department; the window does not decide.
  auto refused = Ctl(kRealEstate,
                     absl::StrCat("dispute decide ", d.name(), " --outcome upheld --reason 无误"));
  EXPECT_EQ(refused.exit_code, kExitPermissionDenied) << refused.out;
  EXPECT_THAT(refused.out, HasSubstr("NOT_DISPUTE_DEPARTMENT"));
  refused = Ctl(kWindow, absl::StrCat("dispute decide ", d.name(), " --outcome upheld --reason x"));
  EXPECT_EQ(refused.exit_code, kExitPermissionDenied) << refused.out;
  auto usage = Ctl("", absl::StrCat("dispute decide ", d.name()));
  EXPECT_EQ(usage.exit_code, kExitUsage) << usage.out;

  // Governance takes it up, corrects the value and names the change set.
  auto review = Ctl("", absl::StrCat("dispute review ", d.name(), " --operator g-3"));
  ASSERT_EQ(review.exit_code, 0) << review.out;
  EXPECT_THAT(review.out, HasSubstr("UNDER_REVIEW"));
  auto fix = Ctl("", absl::StrCat("record put ", song_, " --set residential_address=", kNewAddress,
                                  " --source data-governance --reason 异议核实更正"));
  ASSERT_EQ(fix.exit_code, 0) << fix.out;
  auto decided = Ctl(
      "", absl::StrCat("-o json dispute decide ", d.name(), " --outcome corrected --corrected-by ",
                       song_, "/revisions/2 --reason 入户核实"));
  ASSERT_EQ(decided.exit_code, 0) << decided.out;
  v1::Dispute corrected;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(decided.out, &corrected).ok());
  EXPECT_EQ(corrected.state(), v1::Dispute::CORRECTED);
  EXPECT_EQ(corrected.corrected_by(), song_ + "/revisions/2");
  EXPECT_EQ(corrected.notified_count(), 1);
  EXPECT_FALSE(Contested(ReadAsRealEstate(), "residential_address"));

  // The real-estate system learns that a value it was served was corrected, not the value.
  auto notices = Ctl(kRealEstate, "dispute notifications");
  ASSERT_EQ(notices.exit_code, 0) << notices.out;
  EXPECT_THAT(notices.out, HasSubstr(song_));
  EXPECT_THAT(notices.out, HasSubstr("residential_address"));
  EXPECT_THAT(notices.out, HasSubstr("matters/real-estate-transfer"));
  EXPECT_THAT(notices.out, Not(HasSubstr("富")));
  auto get = Ctl("", absl::StrCat("dispute get ", d.name()));
  ASSERT_EQ(get.exit_code, 0) << get.out;
  for (const char* step : {"OPEN", "UNDER_REVIEW", "CORRECTED", "入户核实",
                           "principals/registryctl", "principals/service-center-window"}) {
    EXPECT_THAT(get.out, HasSubstr(step));
  }

  // Decided once.
  auto again = Ctl("", absl::StrCat("dispute decide ", d.name(), " --outcome upheld --reason x"));
  EXPECT_EQ(again.exit_code, kExitFailedPrecondition) << again.out;
  EXPECT_THAT(again.out, HasSubstr("DISPUTE_CLOSED"));

  // A new dispute on the corrected value, withdrawn by the window.
  auto second = Ctl(kWindow, absl::StrCat("dispute open ", song_,
                                          " residential_address --reason 门牌号有误 "
                                          "--matter bundles/elderly-home-property-transfer"));
  ASSERT_EQ(second.exit_code, 0) << second.out;
  EXPECT_THAT(second.out, HasSubstr("residential-address-2"));
  auto withdrawn =
      Ctl(kWindow, absl::StrCat("dispute withdraw ", song_,
                                "/disputes/residential-address-2 --reason 申请人撤回"));
  ASSERT_EQ(withdrawn.exit_code, 0) << withdrawn.out;
  EXPECT_THAT(withdrawn.out, HasSubstr("WITHDRAWN"));
}

}  // namespace
}  // namespace collectonce
