#include "libs/catalog/catalog.h"

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/status_matchers.h"
#include "libs/catalog/catalog_test_util.h"
#include "libs/ident/resident_id.h"

namespace collectonce::catalog {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using test::CompileOrDie;
using test::Example;
using test::ParseOrDie;
using test::ReadExample;
using test::TestCatalog;
using test::V;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Matcher;
using ::testing::Not;
using ::testing::SizeIs;

// ---------------------------------------------------------------------------------------
// The shipped catalogs and the text format

TEST(CatalogTest, ShippedExamplesCompile) {
  const Catalog& person = Example("person");
  EXPECT_EQ(person.kind(), v1::PERSON);
  EXPECT_EQ(person.proto().name(), "catalogs/person");
  EXPECT_EQ(person.proto().lookup_field(), "id_number");
  EXPECT_EQ(person.proto().fields_size(), 11);
  ASSERT_NE(person.FindField("id_number"), nullptr);
  EXPECT_EQ(person.FindField("id_number")->format(), v1::RESIDENT_ID_NUMBER);
  EXPECT_EQ(person.FindField("nope"), nullptr);
  EXPECT_EQ(person.CodeLabel("gender", "1"), "男");
  EXPECT_EQ(person.CodeLabel("ethnicity", "22"), "畲族");
  EXPECT_EQ(person.CodeLabel("gender", "3"), "");
  EXPECT_EQ(person.CodeLabel("nope", "1"), "");

  const Catalog& enterprise = Example("enterprise");
  EXPECT_EQ(enterprise.kind(), v1::ENTERPRISE);
  EXPECT_EQ(enterprise.proto().name(), "catalogs/enterprise");
  EXPECT_EQ(enterprise.proto().fields_size(), 14);
  ASSERT_NE(enterprise.FindField("registered_capital"), nullptr);
  EXPECT_EQ(enterprise.FindField("registered_capital")->type(), v1::DECIMAL);
  EXPECT_EQ(enterprise.CodeLabel("registration_authority", "350481"), "永安市市场监督管理局");
}

TEST(CatalogTest, CompileFillsInTheNameAndKeepsTheVersion) {
  v1::Catalog proto = ParseOrDie(ReadExample("enterprise"));
  proto.clear_name();
  proto.set_version(7);
  auto cat = CompileOrDie(proto);
  ASSERT_NE(cat, nullptr);
  EXPECT_EQ(cat->proto().name(), "catalogs/enterprise");
  EXPECT_EQ(cat->version(), 7);
}

TEST(ParseCatalogTextTest, ErrorsNameLineAndColumn) {
  // Lines and columns count from 1. Protobuf places a name or enum error at the token that
  // follows it: the ':' after an unknown field name, the next token after an unknown value.
  EXPECT_THAT(ParseCatalogText("name: \"catalogs/person\"\nkind: PERSON\nfields { nme: \"x\" }\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("catalog text: line 3 column 13: "),
                             HasSubstr("no field named \"nme\""))));
  EXPECT_THAT(ParseCatalogText("name: \"catalogs/person\"\nkind: ALIEN version: 1\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("line 2 column 13: "), HasSubstr("\"ALIEN\""))));
  EXPECT_THAT(ParseCatalogText("name: \"catalogs/person\"\n\n  version: x\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 3 column 12: ")));
  EXPECT_THAT(ParseCatalogText("fields {\n  name: \"a\"\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("line 3 column 1: ")));
  // Only the first error is reported.
  EXPECT_THAT(ParseCatalogText("nme: 1\nkinds: 2\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("line 1 column 4: "), Not(HasSubstr("line 2")))));
}

TEST(ParseCatalogTextTest, ParsesText) {
  auto proto = ParseCatalogText("kind: ENTERPRISE fields { name: \"a\" label: \"甲\" type: BOOL }");
  ASSERT_THAT(proto, IsOk());
  EXPECT_EQ(proto->kind(), v1::ENTERPRISE);
  ASSERT_EQ(proto->fields_size(), 1);
  EXPECT_EQ(proto->fields(0).label(), "甲");
  EXPECT_EQ(proto->fields(0).type(), v1::BOOL);
}

TEST(CatalogTest, TypeNameAndExpectedKind) {
  v1::FieldDefinition def;
  def.set_type(v1::STRING);
  EXPECT_EQ(TypeName(def), "string");
  def.set_type(v1::CODE);
  def.set_repeated(true);
  EXPECT_EQ(TypeName(def), "repeated code");

  EXPECT_EQ(ExpectedKind(v1::STRING), v1::Value::kStringValue);
  EXPECT_EQ(ExpectedKind(v1::INT64), v1::Value::kInt64Value);
  EXPECT_EQ(ExpectedKind(v1::DECIMAL), v1::Value::kDecimalValue);
  EXPECT_EQ(ExpectedKind(v1::DATE), v1::Value::kDateValue);
  EXPECT_EQ(ExpectedKind(v1::TIMESTAMP), v1::Value::kTimestampValue);
  EXPECT_EQ(ExpectedKind(v1::BOOL), v1::Value::kBoolValue);
  EXPECT_EQ(ExpectedKind(v1::CODE), v1::Value::kCodeValue);
  EXPECT_EQ(ExpectedKind(v1::REFERENCE), v1::Value::kReferenceValue);
  EXPECT_EQ(ExpectedKind(v1::FIELD_TYPE_UNSPECIFIED), v1::Value::KIND_NOT_SET);
}

TEST(ViolationsToStatusTest, ListsEveryViolation) {
  EXPECT_THAT(ViolationsToStatus({}, "record"), IsOk());
  EXPECT_THAT(
      ViolationsToStatus({{"name", "REQUIRED", "姓名 is required"}}, "record"),
      StatusIs(absl::StatusCode::kInvalidArgument, "record has 1 problem: name: 姓名 is required"));
  EXPECT_THAT(ViolationsToStatus({{"a", "TYPE", "x"}, {"", "RANGE", "y"}}, "record"),
              StatusIs(absl::StatusCode::kInvalidArgument, "record has 2 problems: a: x; y"));
}

// ---------------------------------------------------------------------------------------
// Compile: problems of the catalog itself

TEST(CompileTest, ListsEveryProblemAtOnce) {
  const v1::Catalog proto = ParseOrDie(R"tp(
    name: "catalogs/enterprise"
    kind: ENTERPRISE
    sources { name: "tax" }
    sources { name: "tax" }
    code_lists {
      name: "colours"
      codes { code: "r" label: "红" }
      codes { code: "r" label: "赤" }
    }
    code_lists {
      name: "Colours"
      codes { code: "x" }
    }
    code_lists { name: "empty" }
    fields { name: "Bad-Name" label: "坏名" type: STRING }
    fields { name: "ok" label: "好" type: STRING }
    fields { name: "ok" label: "重复" type: STRING }
    fields { name: "no_type" label: "无类型" }
    fields { name: "no_label" type: STRING }
    fields { name: "int_pattern" label: "整数" type: INT64 pattern: "[0-9]+" }
    fields { name: "bad_pattern" label: "坏模式" type: STRING pattern: "[a-" }
    fields { name: "int_format" label: "整数格式" type: INT64 format: MOBILE_PHONE }
    fields { name: "bad_bound" label: "坏界" type: INT64 minimum: "ten" }
    fields { name: "inverted" label: "倒置" type: DECIMAL minimum: "10" maximum: "9.5" }
    fields {
      name: "inverted_date"
      label: "倒置日期"
      type: DATE
      minimum: "2020-01-01"
      maximum: "2019-12-31"
    }
    fields { name: "big_scale" label: "大刻度" type: DECIMAL scale: 19 }
    fields { name: "int_scale" label: "整数刻度" type: INT64 scale: 2 }
    fields { name: "colour" label: "颜色" type: CODE code_list: "missing" }
    fields { name: "ref" label: "引用" type: REFERENCE }
    fields { name: "single" label: "单值" type: STRING max_items: 3 }
    fields {
      name: "sourced"
      label: "来源"
      type: STRING
      sources { source: "police" precedence: 1 }
    }
    fields { name: "bad_date_bound" label: "坏日期" type: DATE maximum: "2023-02-30" }
    fields { name: "string_bound" label: "字符串界" type: STRING minimum: "1" }
    fields { name: "inverted_int" label: "倒置整数" type: INT64 minimum: "5" maximum: "4" }
    fields { name: "bad_decimal_bound" label: "坏小数" type: DECIMAL maximum: "1e3" }
    fields { name: "negative_scale" label: "负刻度" type: DECIMAL scale: -1 }
    fields { name: "string_code_list" label: "字符串码表" type: STRING code_list: "colours" }
    fields {
      name: "twice_sourced"
      label: "两次来源"
      type: STRING
      sources { source: "tax" precedence: 1 }
      sources { source: "tax" precedence: 2 }
    }
    fields { name: "huge" label: "巨大" type: STRING max_length: 65537 }
    fields { name: "short_long" label: "长短" type: STRING min_length: 5 max_length: 4 }
    rules {
      name: "r0"
      resident_id_agreement { id_number_field: "missing" }
    }
    rules { name: "r1" }
  )tp");
  Violations violations = {{"earlier", "KEPT", "a violation found before"}};
  auto cat = Catalog::Compile(proto, &violations);
  EXPECT_THAT(cat, StatusIs(absl::StatusCode::kInvalidArgument,
                            AllOf(HasSubstr("catalog has 31 problems: "),
                                  HasSubstr("sources[1].name: source 'tax' is listed twice"),
                                  HasSubstr("pattern does not compile"), Not(HasSubstr("KEPT")))));
  EXPECT_THAT(
      violations,
      ElementsAre(
          V("earlier", "KEPT"),  // appended to, not replaced
          V("sources[1].name", "DUPLICATE"), V("code_lists[0].codes[1].code", "DUPLICATE"),
          V("code_lists[1].name", "NAME"), V("code_lists[2].codes", "REQUIRED"),
          V("fields[0].name", "NAME"), V("fields[2].name", "DUPLICATE", HasSubstr("'ok'")),
          V("fields[3] (no_type).type", "REQUIRED"), V("fields[4] (no_label).label", "REQUIRED"),
          V("fields[5] (int_pattern).pattern", "TYPE"),
          V("fields[6] (bad_pattern).pattern", "PATTERN", HasSubstr("does not compile")),
          V("fields[7] (int_format).format", "TYPE"), V("fields[8] (bad_bound).minimum", "RANGE"),
          V("fields[9] (inverted).minimum", "RANGE", "minimum is greater than maximum"),
          V("fields[10] (inverted_date).minimum", "RANGE", "minimum is greater than maximum"),
          V("fields[11] (big_scale).scale", "RANGE"), V("fields[12] (int_scale).scale", "RANGE"),
          V("fields[13] (colour).code_list", "REFERENCE", HasSubstr("'missing'")),
          V("fields[14] (ref).reference_kind", "REQUIRED"),
          V("fields[15] (single).max_items", "TYPE"),
          V("fields[16] (sourced).sources[0]", "REFERENCE", HasSubstr("'police'")),
          V("fields[17] (bad_date_bound).maximum", "RANGE", HasSubstr("not a calendar date")),
          V("fields[18] (string_bound).minimum", "TYPE"),
          V("fields[19] (inverted_int).minimum", "RANGE", "minimum is greater than maximum"),
          V("fields[20] (bad_decimal_bound).maximum", "RANGE", HasSubstr("character 2")),
          V("fields[21] (negative_scale).scale", "RANGE"),
          V("fields[22] (string_code_list).code_list", "TYPE"),
          V("fields[23] (twice_sourced).sources[1]", "DUPLICATE"),
          V("fields[24] (huge).max_length", "RANGE"),
          V("fields[25] (short_long).max_length", "RANGE"),
          V("rules[0].id_number_field", "REFERENCE", HasSubstr("'missing'")),
          V("rules[1]", "REQUIRED")));
}

TEST(CompileTest, WithoutAViolationsListTheStatusStillListsEverything) {
  auto cat = Catalog::Compile(ParseOrDie(R"tp(
    kind: ENTERPRISE
    fields { name: "a" type: STRING }
    fields { name: "b" label: "乙" }
  )tp"));
  EXPECT_THAT(cat, StatusIs(absl::StatusCode::kInvalidArgument,
                            "catalog has 2 problems: fields[0] (a).label: every field needs a "
                            "label; fields[1] (b).type: type must be set"));
}

TEST(CompileTest, FieldNames) {
  for (const std::string& name : std::vector<std::string>{"", "1abc", "_abc", "Abc", "a-b", "a.b",
                                                          "a b", "名字", std::string(64, 'a')}) {
    SCOPED_TRACE(name);
    v1::Catalog proto;
    proto.set_kind(v1::ENTERPRISE);
    auto* f = proto.add_fields();
    f->set_name(name);
    f->set_label("字段");
    f->set_type(v1::STRING);
    Violations violations;
    EXPECT_FALSE(Catalog::Compile(proto, &violations).ok());
    EXPECT_THAT(violations, ElementsAre(V("fields[0].name", "NAME")));
  }
  for (const std::string& name :
       std::vector<std::string>{"a", "a1", "a_b_", "registered_capital", std::string(63, 'a')}) {
    SCOPED_TRACE(name);
    v1::Catalog proto;
    proto.set_kind(v1::ENTERPRISE);
    auto* f = proto.add_fields();
    f->set_name(name);
    f->set_label("字段");
    f->set_type(v1::STRING);
    EXPECT_NE(CompileOrDie(proto), nullptr);
  }
}

TEST(CompileTest, KindMustBeSet) {
  Violations violations;
  EXPECT_THAT(Catalog::Compile(ParseOrDie(R"tp(name: "catalogs/person")tp"), &violations),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(violations, ElementsAre(V("kind", "REQUIRED")));
}

TEST(CompileTest, DisputeWorkingDaysAreBounded) {
  Violations violations;
  EXPECT_THAT(Catalog::Compile(ParseOrDie(R"tp(kind: ENTERPRISE
      fields { name: "a" label: "甲" type: STRING dispute_working_days: 10 }
      fields { name: "b" label: "乙" type: STRING dispute_working_days: 61 }
      fields { name: "c" label: "丙" type: STRING dispute_working_days: -1 })tp"),
                               &violations),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(violations, ElementsAre(V("fields[1] (b).dispute_working_days", "RANGE"),
                                      V("fields[2] (c).dispute_working_days", "RANGE")));
}

TEST(CompileTest, NameMustMatchTheKind) {
  Violations violations;
  EXPECT_FALSE(Catalog::Compile(ParseOrDie(R"tp(
            name: "catalogs/enterprise"
            kind: PERSON
            lookup_field: "id_number"
            fields { name: "id_number" label: "身份号码" type: STRING format: RESIDENT_ID_NUMBER }
          )tp"),
                                &violations)
                   .ok());
  EXPECT_THAT(violations, ElementsAre(V("name", "NAME", HasSubstr("'catalogs/person'"))));

  violations.clear();
  EXPECT_FALSE(
      Catalog::Compile(ParseOrDie(R"tp(name: "enterprise" kind: ENTERPRISE)tp"), &violations).ok());
  EXPECT_THAT(violations, ElementsAre(V("name", "NAME", HasSubstr("'catalogs/enterprise'"))));
}

TEST(CompileTest, PersonCatalogNeedsALookupField) {
  Violations violations;
  EXPECT_FALSE(Catalog::Compile(ParseOrDie(R"tp(
            kind: PERSON
            fields { name: "id_number" label: "身份号码" type: STRING format: RESIDENT_ID_NUMBER }
          )tp"),
                                &violations)
                   .ok());
  EXPECT_THAT(violations, ElementsAre(V("lookup_field", "REQUIRED")));
}

TEST(CompileTest, LookupFieldMustBeASingleIdNumberString) {
  constexpr char kFields[] = R"tp(
    kind: PERSON
    fields { name: "id_number" label: "身份号码" type: STRING format: RESIDENT_ID_NUMBER }
    fields { name: "mobile" label: "手机" type: STRING format: MOBILE_PHONE }
    fields { name: "plain" label: "文本" type: STRING }
    fields { name: "code" label: "代码" type: CODE code_list: "c" }
    fields {
      name: "ids"
      label: "身份号码列表"
      type: STRING
      format: RESIDENT_ID_NUMBER
      repeated: true
    }
    code_lists {
      name: "c"
      codes { code: "1" }
    }
  )tp";
  struct Case {
    const char* lookup;
    const char* rule;
  };
  for (const Case& c : {Case{"mobile", "TYPE"}, Case{"plain", "TYPE"}, Case{"code", "TYPE"},
                        Case{"ids", "TYPE"}, Case{"nope", "REFERENCE"}}) {
    SCOPED_TRACE(c.lookup);
    v1::Catalog proto = ParseOrDie(kFields);
    proto.set_lookup_field(c.lookup);
    Violations violations;
    EXPECT_FALSE(Catalog::Compile(proto, &violations).ok());
    EXPECT_THAT(violations, ElementsAre(V("lookup_field", c.rule, HasSubstr(c.lookup))));
  }
  v1::Catalog proto = ParseOrDie(kFields);
  proto.set_lookup_field("mobile");
  Violations violations;
  EXPECT_FALSE(Catalog::Compile(proto, &violations).ok());
  EXPECT_THAT(
      violations,
      ElementsAre(V("lookup_field", "TYPE",
                    "field 'mobile' must be a single string with format RESIDENT_ID_NUMBER")));

  proto.set_lookup_field("id_number");
  EXPECT_NE(CompileOrDie(proto), nullptr);
}

TEST(CompileTest, RulesMustNameFieldsOfTheRightType) {
  Violations violations;
  EXPECT_FALSE(Catalog::Compile(ParseOrDie(R"tp(
            kind: PERSON
            lookup_field: "id_number"
            fields { name: "id_number" label: "身份号码" type: STRING format: RESIDENT_ID_NUMBER }
            fields { name: "birth_text" label: "出生" type: STRING }
            fields { name: "plain_id" label: "号码" type: STRING }
            rules {
              resident_id_agreement {
                id_number_field: "id_number"
                birth_date_field: "birth_text"
                gender_field: "sex"
              }
            }
            rules { resident_id_agreement { id_number_field: "plain_id" } }
          )tp"),
                                &violations)
                   .ok());
  EXPECT_THAT(violations, ElementsAre(V("rules[0].birth_date_field", "TYPE",
                                        "field 'birth_text' must be a single date"),
                                      V("rules[0].gender_field", "REFERENCE", HasSubstr("'sex'")),
                                      V("rules[1].id_number_field", "TYPE")));
}

// ---------------------------------------------------------------------------------------
// CheckValue, type by type

TEST(PrecedenceTest, ListedSourcesByNumberOthersLast) {
  const Catalog& person = Example("person");
  const v1::FieldDefinition& employer = *person.FindField("employer");
  EXPECT_EQ(person.Precedence(employer, "human-resources.social-insurance"), 1);
  EXPECT_EQ(person.Precedence(employer, "housing-fund"), 2);
  EXPECT_EQ(person.Precedence(employer, "tax"), INT32_MAX);  // a source, not listed here
  EXPECT_EQ(person.Precedence(employer, "nope"), INT32_MAX);
  EXPECT_EQ(person.Precedence(employer, ""), INT32_MAX);
  const v1::FieldDefinition& address = *person.FindField("residential_address");
  EXPECT_EQ(person.Precedence(address, "public-security.household"), INT32_MAX);

  const Catalog& cat = TestCatalog();
  const v1::FieldDefinition& ranked = *cat.FindField("ranked");
  EXPECT_EQ(cat.Precedence(ranked, "service-center"), 5);
  EXPECT_EQ(cat.Precedence(ranked, "tax"), 10);
  EXPECT_EQ(cat.Precedence(ranked, "market-regulation"), INT32_MAX);
  EXPECT_LT(cat.Precedence(ranked, "service-center"), cat.Precedence(ranked, "tax"));

  v1::FieldDefinition stranger = ranked;
  stranger.set_name("stranger");
  EXPECT_EQ(cat.Precedence(stranger, "tax"), INT32_MAX);
}

// ---------------------------------------------------------------------------------------
// CheckEvolutionFrom

class EvolutionTest : public ::testing::Test {
 protected:
  void SetUp() override { proto_ = ParseOrDie(ReadExample("person")); }

  v1::FieldDefinition* FieldNamed(const std::string& name) {
    for (auto& f : *proto_.mutable_fields()) {
      if (f.name() == name) return &f;
    }
    ADD_FAILURE() << "no field " << name;
    return proto_.add_fields();
  }

  Violations Evolve() {
    auto next = CompileOrDie(proto_);
    if (next == nullptr) return {{"", "DOES_NOT_COMPILE", ""}};
    Violations out;
    next->CheckEvolutionFrom(Example("person"), &out);
    return out;
  }

  v1::Catalog proto_;
};

TEST_F(EvolutionTest, SameCatalogIsFine) { EXPECT_THAT(Evolve(), IsEmpty()); }

TEST_F(EvolutionTest, AddingDeprecatingAndRelabellingAreFine) {
  auto* f = proto_.add_fields();
  f->set_name("nickname");
  f->set_label("曾用名");
  f->set_type(v1::STRING);
  FieldNamed("education")->set_deprecated(true);
  FieldNamed("name")->set_label("姓名（中文）");
  FieldNamed("name")->set_max_length(60);
  EXPECT_THAT(Evolve(), IsEmpty());
}

TEST_F(EvolutionTest, RemovingAField) {
  auto* fields = proto_.mutable_fields();
  for (int i = 0; i < fields->size(); ++i) {
    if (fields->Get(i).name() == "education") {
      fields->DeleteSubrange(i, 1);
      break;
    }
  }
  EXPECT_THAT(Evolve(), ElementsAre(V("education", "FIELD_REMOVED", HasSubstr("deprecated"))));
}

TEST_F(EvolutionTest, RenamingAFieldRemovesIt) {
  FieldNamed("education")->set_name("education_level");
  EXPECT_THAT(Evolve(), ElementsAre(V("education", "FIELD_REMOVED")));
}

TEST_F(EvolutionTest, RetypingAField) {
  auto* f = FieldNamed("household_address");
  f->set_type(v1::CODE);
  f->set_code_list("education");
  f->clear_max_length();
  EXPECT_THAT(Evolve(), ElementsAre(V("household_address", "TYPE_CHANGED",
                                      HasSubstr("from string to code"))));
}

TEST_F(EvolutionTest, ChangingRepeatedness) {
  FieldNamed("education")->set_repeated(true);
  EXPECT_THAT(Evolve(),
              ElementsAre(V("education", "TYPE_CHANGED", HasSubstr("from code to repeated code"))));
}

TEST_F(EvolutionTest, ChangingTheReferenceKind) {
  FieldNamed("employer")->set_reference_kind(v1::PERSON);
  EXPECT_THAT(Evolve(), ElementsAre(V("employer", "TYPE_CHANGED", HasSubstr("kind"))));
}

TEST_F(EvolutionTest, ChangingTheLookupField) {
  auto* f = proto_.add_fields();
  f->set_name("id_number_2");
  f->set_label("新身份号码");
  f->set_type(v1::STRING);
  f->set_format(v1::RESIDENT_ID_NUMBER);
  proto_.set_lookup_field("id_number_2");
  EXPECT_THAT(Evolve(), ElementsAre(V("lookup_field", "IMMUTABLE")));
}

TEST(EvolutionKindTest, ChangingTheKind) {
  Violations out;
  Example("enterprise").CheckEvolutionFrom(Example("person"), &out);
  EXPECT_THAT(out, Contains(V("kind", "IMMUTABLE")));
  EXPECT_THAT(out, Contains(V("id_number", "FIELD_REMOVED")));
  EXPECT_THAT(out, Contains(V("lookup_field", "IMMUTABLE")));
  EXPECT_THAT(out, Not(Contains(V("name", "FIELD_REMOVED"))));  // both have a string name
  EXPECT_THAT(out, SizeIs(1 + 10 + 1));  // kind, 10 person-only fields, lookup field
}

}  // namespace
}  // namespace collectonce::catalog
