#include "libs/ident/division.h"

#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace collectonce::ident {
namespace {

TEST(DivisionTest, FindsCurrentCounties) {
  const std::pair<const char*, const char*> expected[] = {
      {"350404", "三元区"}, {"350405", "沙县区"}, {"350421", "明溪县"}, {"350423", "清流县"},
      {"350424", "宁化县"}, {"350425", "大田县"}, {"350426", "尤溪县"}, {"350428", "将乐县"},
      {"350429", "泰宁县"}, {"350430", "建宁县"}, {"350481", "永安市"},
  };
  for (const auto& [code, name] : expected) {
    const Division* d = FindDivision(code);
    ASSERT_NE(d, nullptr) << code;
    EXPECT_EQ(d->code, code);
    EXPECT_EQ(d->name, name);
    EXPECT_FALSE(d->retired);
    EXPECT_TRUE(d->successor.empty());
  }
}

TEST(DivisionTest, FindsCityAndMunicipalDistricts) {
  const Division* city = FindDivision("350400");
  ASSERT_NE(city, nullptr);
  EXPECT_EQ(city->name, "三明市");
  EXPECT_FALSE(city->retired);
  const Division* districts = FindDivision("350401");
  ASSERT_NE(districts, nullptr);
  EXPECT_EQ(districts->name, "市辖区");
}

TEST(DivisionTest, RetiredCodesPointToCurrentSuccessors) {
  const std::tuple<const char*, const char*, const char*> retired[] = {
      {"350402", "梅列区", "350404"}, {"350403", "三元区", "350404"}, {"350427", "沙县", "350405"}};
  for (const auto& [code, name, successor] : retired) {
    const Division* d = FindDivision(code);
    ASSERT_NE(d, nullptr) << code;
    EXPECT_EQ(d->name, name);
    EXPECT_TRUE(d->retired);
    EXPECT_EQ(d->successor, successor);
    const Division* next = FindDivision(d->successor);
    ASSERT_NE(next, nullptr) << successor;
    EXPECT_FALSE(next->retired);
  }
}

TEST(DivisionTest, UnknownCodesAreNotFound) {
  for (const char* code : {"350406", "350422", "110105", "350100", "", "3504", "3504040"}) {
    EXPECT_EQ(FindDivision(code), nullptr) << code;
  }
}

TEST(DivisionTest, SanmingDivisionsAreTheElevenCurrentCounties) {
  const auto all = SanmingDivisions();
  ASSERT_EQ(all.size(), 11u);
  std::set<absl::string_view> codes;
  for (const Division& d : all) {
    EXPECT_EQ(d.code.substr(0, 4), "3504") << d.code;
    EXPECT_NE(d.code, "350400");
    EXPECT_NE(d.code, "350401");
    EXPECT_FALSE(d.retired) << d.code;
    EXPECT_FALSE(d.name.empty());
    EXPECT_EQ(FindDivision(d.code), &d) << d.code;
    EXPECT_TRUE(IsPlausibleDivisionCode(d.code));
    codes.insert(d.code);
  }
  EXPECT_EQ(codes.size(), all.size());
}

// Where a subject is now: within Sanming only existing, current codes; a retired one names
// its successor; outside Sanming nothing is judged.
TEST(DivisionTest, CurrentDivisionProblem) {
  std::string rule;
  for (const Division& d : SanmingDivisions()) {
    EXPECT_EQ(CurrentDivisionProblem(d.code, &rule), "") << d.code;
  }
  EXPECT_EQ(CurrentDivisionProblem("350400", &rule), "");
  EXPECT_EQ(CurrentDivisionProblem("350402", &rule),
            "350402 (梅列区) was retired in 2021; write 350404 (三元区)");
  EXPECT_EQ(rule, "DEPRECATED");
  EXPECT_EQ(CurrentDivisionProblem("350403", &rule),
            "350403 (三元区) was retired in 2021; write 350404 (三元区)");
  EXPECT_EQ(CurrentDivisionProblem("350427", &rule),
            "350427 (沙县) was retired in 2021; write 350405 (沙县区)");
  for (const char* missing : {"350499", "350422", "350406", "350482"}) {
    rule.clear();
    EXPECT_EQ(CurrentDivisionProblem(missing, &rule),
              absl::StrCat(missing, " is not a Sanming division (GB/T 2260)"));
    EXPECT_EQ(rule, "CODE");
  }
  for (const char* elsewhere : {"359999", "350102", "110105", "440524"}) {
    EXPECT_EQ(CurrentDivisionProblem(elsewhere, &rule), "") << elsewhere;
  }
}

TEST(DivisionTest, PlausibleCodes) {
  for (const char* code : {"110105", "150000", "350404", "440524", "460000", "500000", "650000",
                           "710000", "810000", "820000", "830000"}) {
    EXPECT_TRUE(IsPlausibleDivisionCode(code)) << code;
  }
  for (const char* code :
       {"000000", "100000", "160000", "240000", "380000", "470000", "550000", "660000", "700000",
        "720000", "840000", "910000", "35040", "3504041", "35040A", ""}) {
    EXPECT_FALSE(IsPlausibleDivisionCode(code)) << code;
  }
}

}  // namespace
}  // namespace collectonce::ident
