#include "tools/registryctl/output.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/registryctl/json_diff.h"

namespace collectonce::registryctl {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(DisplayWidthTest, CountsEastAsianWideTwiceAndCombiningMarksNotAtAll) {
  EXPECT_EQ(DisplayWidth("abc"), 3);
  EXPECT_EQ(DisplayWidth("福建省"), 6);
  EXPECT_EQ(DisplayWidth("（新）"), 6);     // full-width punctuation
  EXPECT_EQ(DisplayWidth("e\xCC\x81"), 1);  // e + combining acute accent
  EXPECT_EQ(DisplayWidth("ＡＢ"), 4);       // full-width Latin letters
  EXPECT_EQ(DisplayWidth("\xFF"), 1);       // a stray byte is one cell
}

TEST(TableTest, ColumnsLineUpWithMixedScripts) {
  Table t({"NAME", "VALUE"});
  t.AddRow({"钢源（三明）", "x"});
  t.AddRow({"abc", "y"});
  std::ostringstream out;
  t.Print(out);
  EXPECT_EQ(out.str(),
            "NAME          VALUE\n"
            "钢源（三明）  x\n"
            "abc           y\n");
}

TEST(DumpTest, OneJsonStyleAndYamlOfTheSameDocument) {
  Json doc = Json::parse(R"({"name":"matters/x","title":"标题","formFields":[{"key":"a",
      "required":true},{"key":"b"}],"empty":[],"n":3})");
  EXPECT_EQ(DumpJson(Json{{"a", 1}}), "{\n  \"a\": 1\n}\n");
  EXPECT_EQ(DumpYaml(doc),
            "name: \"matters/x\"\n"
            "title: \"标题\"\n"
            "formFields:\n"
            "- key: \"a\"\n"
            "  required: true\n"
            "- key: \"b\"\n"
            "empty: []\n"
            "n: 3\n");
}

TEST(JsonDiffTest, ListsOfObjectsAreMatchedByTheirKey) {
  Json before = Json::parse(R"({"title":"a","formFields":[{"key":"x","required":false},
      {"key":"y","required":true}],"roles":["AUDITOR"]})");
  Json after = Json::parse(R"({"title":"b","formFields":[{"key":"z","required":true},
      {"key":"x","required":true}],"roles":["AUDITOR","GOVERNANCE"]})");
  EXPECT_THAT(JsonDiff(before, after),
              ElementsAre("~ title: \"a\" -> \"b\"", "~ formFields[x].required: false -> true",
                          "- formFields[y]", "+ formFields[z]: {\"key\":\"z\",\"required\":true}",
                          "~ roles: [\"AUDITOR\"] -> [\"AUDITOR\",\"GOVERNANCE\"]"));
  EXPECT_THAT(JsonDiff(before, before), IsEmpty());
}

}  // namespace
}  // namespace collectonce::registryctl
