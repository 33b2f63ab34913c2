#include "tests/pii/pii_scan.h"

#include <filesystem>
#include <fstream>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/ident/resident_id.h"

namespace collectonce::pii {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::string kId = ident::MakeResidentId("350403", absl::CivilDay(1945, 3, 12), 1);

TEST(PiiScanTest, FindsAResidentIdNumberAndMasksIt) {
  auto found = ScanText("lookup failed for " + kId + ": not found");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, Finding::Kind::kResidentId);
  EXPECT_EQ(found[0].offset, 18u);
  EXPECT_EQ(found[0].masked, ident::MaskResidentId(kId));
  EXPECT_THAT(found[0].ToString(), Not(HasSubstr(kId)));
}

TEST(PiiScanTest, FindsALowerCaseCheckCharacter) {
  // 11010519491231002X is the standard's own example.
  EXPECT_EQ(ScanText("id=11010519491231002x").size(), 1u);
  EXPECT_EQ(ScanText("id=11010519491231002X").size(), 1u);
}

TEST(PiiScanTest, IgnoresAWrongCheckCharacterAndMaskedForms) {
  std::string wrong = kId;
  wrong[17] = wrong[17] == '0' ? '1' : '0';
  EXPECT_THAT(ScanText(wrong), IsEmpty());
  EXPECT_THAT(ScanText(ident::MaskResidentId(kId)), IsEmpty());
  EXPECT_THAT(ScanText("mobile 139****3312"), IsEmpty());
}

TEST(PiiScanTest, IgnoresARightCheckCharacterOnANumberWithNoBirthDate) {
  // As an etcd member id printed in decimal can be: month 13 is no date.
  const std::string first17 = "35040319451312001";
  const std::string no_date = first17 + ident::ResidentIdCheckChar(first17);
  EXPECT_THAT(ScanText("member " + no_date + " joined"), IsEmpty());
  const std::string first17b = "00000019450312001";
  EXPECT_THAT(ScanText(first17b + ident::ResidentIdCheckChar(first17b)), IsEmpty());
}

TEST(PiiScanTest, IgnoresDigitsInsideLongerTokens) {
  EXPECT_THAT(ScanText("sha256 a" + kId), IsEmpty());
  EXPECT_THAT(ScanText(kId + "7"), IsEmpty());
  EXPECT_THAT(ScanText("t=1713905983312001"), IsEmpty());
}

TEST(PiiScanTest, FindsAMobileNumber) {
  auto found = ScanText("contact 13905983312, retry");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, Finding::Kind::kMobile);
  EXPECT_EQ(found[0].masked, "139****3312");
  EXPECT_THAT(ScanText("landline 05988236688 and 12345678901"), IsEmpty());
}

TEST(PiiScanTest, ScanDirectoryNamesFileAndLineOfAPlantedLeak) {
  const auto dir = std::filesystem::temp_directory_path() / "collectonce-pii-scan-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "sub");
  std::ofstream(dir / "clean.log")
      << "serving gRPC on 127.0.0.1:1234\nmasked " << ident::MaskResidentId(kId) << "\n";
  std::ofstream(dir / "sub" / "registryd.log")
      << "line one\nGetRecord persons: id_number " << kId << " refused\n";
  auto found = ScanDirectory(dir.string());
  EXPECT_THAT(found, ElementsAre((dir / "sub" / "registryd.log").string() +
                                 ":2: resident ID number " + ident::MaskResidentId(kId)));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace collectonce::pii
