// ListRecords' name filter: the subset of AIP-160 it accepts, what it refuses and why, and a
// scan that examines no more records per page than it is given, resuming where it stopped.
#include "services/registry/record_filter.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/error_reason.h"
#include "libs/store/test_util.h"

namespace collectonce::registry {
namespace {

namespace st = ::collectonce::store::testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(NameFilterTest, EqualsAndHas) {
  catalog::Violations v;
  auto eq = ParseNameFilter(R"(name = "福建远峰钢结构股份有限公司")", &v);
  ASSERT_TRUE(eq.ok()) << eq.status();
  EXPECT_FALSE(eq->substring);
  EXPECT_TRUE(eq->Matches("福建远峰钢结构股份有限公司"));
  EXPECT_FALSE(eq->Matches("福建远峰钢结构股份有限公司三明分公司"));
  auto has = ParseNameFilter(R"(name:"钢结构")", &v);
  ASSERT_TRUE(has.ok()) << has.status();
  EXPECT_TRUE(has->substring);
  EXPECT_TRUE(has->Matches("宁化县正利钢结构有限公司"));
  EXPECT_FALSE(has->Matches("宁化县恒成纺织厂"));
  auto escaped = ParseNameFilter(R"(  name : "a\"b\\c"  )", &v);
  ASSERT_TRUE(escaped.ok()) << escaped.status();
  EXPECT_EQ(escaped->text, "a\"b\\c");
  EXPECT_TRUE(v.empty());
}

TEST(NameFilterTest, RefusesWhatIsNotOneNameCondition) {
  for (const char* bad :
       {R"(legal_representative_name = "吴秀英")", R"(name != "x")", R"(name = 钢结构)",
        R"(name = "钢结构)", R"(name = "钢结构" AND name = "有限")", R"(name = "  ")",
        R"(name = "a\nb")", "name", R"(name ~ "x")"}) {
    catalog::Violations v;
    auto f = ParseNameFilter(bad, &v);
    EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(ReasonOf(f.status()), "INVALID_FILTER") << bad;
    ASSERT_EQ(v.size(), 1u) << bad;
    EXPECT_EQ(v[0].field, "filter");
    EXPECT_THAT(v[0].message, HasSubstr(" ")) << bad;
  }
  catalog::Violations v;
  EXPECT_FALSE(ParseNameFilter(absl::StrCat("name : \"", std::string(201, 'x'), "\""), &v).ok());
}

class NameScanTest : public st::StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    // Ten enterprises in key order; the 2nd, 5th and 9th are steel-structure companies.
    for (int i = 1; i <= 10; ++i) {
      store::WriteRequest r = Req(st::Enterprise(i));
      const bool steel = i == 2 || i == 5 || i == 9;
      r.changes = {{"name", st::Str(absl::StrCat("三明市测试", i,
                                                 steel ? "钢结构有限公司" : "纺织有限公司"))}};
      ASSERT_TRUE(store_->WriteAndWait(r).ok());
    }
  }
  std::vector<std::string> Ids(const NameScan& scan) {
    std::vector<std::string> out;
    for (const auto& s : scan.matches) out.push_back(s.ToString());
    return out;
  }
};

TEST_F(NameScanTest, FindsEveryMatchAndStopsAtTheEnd) {
  catalog::Violations v;
  auto f = ParseNameFilter(R"(name : "钢结构")", &v);
  ASSERT_TRUE(f.ok());
  auto scan = ScanEnterprisesByName(store_.get(), store::AsOf::Current(), *f, "", 50, 1000);
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_THAT(Ids(*scan), ElementsAre(st::Enterprise(2), st::Enterprise(5), st::Enterprise(9)));
  EXPECT_EQ(scan->resume_after, "");
  auto none = ParseNameFilter(R"(name = "三明市测试2")", &v);
  scan = ScanEnterprisesByName(store_.get(), store::AsOf::Current(), *none, "", 50, 1000);
  ASSERT_TRUE(scan.ok());
  EXPECT_TRUE(scan->matches.empty());
  EXPECT_EQ(scan->resume_after, "");
}

TEST_F(NameScanTest, ExaminesABoundedNumberPerPageAndResumes) {
  catalog::Violations v;
  auto f = ParseNameFilter(R"(name : "钢结构")", &v);
  ASSERT_TRUE(f.ok());
  // Three records a page: [1,2,3] finds 2; [4,5,6] finds 5; [7,8,9] finds 9; [10] ends.
  std::vector<std::vector<std::string>> pages;
  std::string after;
  for (int i = 0; i < 10; ++i) {
    auto scan = ScanEnterprisesByName(store_.get(), store::AsOf::Current(), *f, after, 50, 3);
    ASSERT_TRUE(scan.ok()) << scan.status();
    pages.push_back(Ids(*scan));
    if (scan->resume_after.empty()) break;
    after = scan->resume_after;
  }
  EXPECT_THAT(pages, ElementsAre(ElementsAre(st::Enterprise(2)), ElementsAre(st::Enterprise(5)),
                                 ElementsAre(st::Enterprise(9)), ElementsAre()));
  // A page stops at `want` matches and resumes after the last one.
  auto first = ScanEnterprisesByName(store_.get(), store::AsOf::Current(), *f, "", 1, 1000);
  ASSERT_TRUE(first.ok());
  EXPECT_THAT(Ids(*first), ElementsAre(st::Enterprise(2)));
  auto second =
      ScanEnterprisesByName(store_.get(), store::AsOf::Current(), *f, first->resume_after, 1, 1000);
  ASSERT_TRUE(second.ok());
  EXPECT_THAT(Ids(*second), ElementsAre(st::Enterprise(5)));
}

}  // namespace
}  // namespace collectonce::registry
