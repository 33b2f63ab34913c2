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
#include "libs/ident/resident_id.h"

namespace collectonce::catalog {

// Readable failure output for violation lists.
void PrintTo(const Violation& v, std::ostream* os) {
  *os << "{" << v.field << ", " << v.rule << ", \"" << v.message << "\"}";
}

namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Matcher;
using ::testing::Not;
using ::testing::SizeIs;

constexpr absl::CivilDay kToday(2026, 11, 26);

// A violation of `rule` at `field`.
Matcher<const Violation&> V(const std::string& field, const std::string& rule) {
  return AllOf(Field("field", &Violation::field, field), Field("rule", &Violation::rule, rule));
}

// The same, with a message matcher.
Matcher<const Violation&> V(const std::string& field, const std::string& rule,
                            Matcher<const std::string&> message) {
  return AllOf(V(field, rule), Field("message", &Violation::message, message));
}

std::string ReadExample(const std::string& kind) {
  const std::string path =
      absl::StrCat(COLLECTONCE_SOURCE_DIR, "/deploy/examples/catalog/", kind, ".txtpb");
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

v1::Catalog ParseOrDie(const std::string& text) {
  auto proto = ParseCatalogText(text);
  EXPECT_THAT(proto, IsOk());
  return proto.ok() ? *proto : v1::Catalog();
}

std::shared_ptr<const Catalog> CompileOrDie(const v1::Catalog& proto) {
  Violations violations;
  auto cat = Catalog::Compile(proto, &violations);
  EXPECT_THAT(cat, IsOk());
  EXPECT_THAT(violations, IsEmpty());
  return cat.ok() ? *cat : nullptr;
}

const Catalog& Example(const std::string& kind) {
  static const auto* const kPerson =
      new std::shared_ptr<const Catalog>(CompileOrDie(ParseOrDie(ReadExample("person"))));
  static const auto* const kEnterprise =
      new std::shared_ptr<const Catalog>(CompileOrDie(ParseOrDie(ReadExample("enterprise"))));
  const auto& cat = kind == "person" ? *kPerson : *kEnterprise;
  if (cat == nullptr) {
    ADD_FAILURE() << "example catalog " << kind << " does not compile";
    std::abort();
  }
  return *cat;
}

// A catalog with a field of every type and most validation options.
constexpr char kTestCatalog[] = R"tp(
  name: "catalogs/enterprise"
  kind: ENTERPRISE
  sources { name: "market-regulation" label: "市场监管" }
  sources { name: "tax" label: "税务" }
  sources { name: "service-center" label: "窗口" }
  fields { name: "text" label: "文本" type: STRING max_length: 3 }
  fields { name: "free_text" label: "备注" type: STRING }
  fields {
    name: "short_code"
    label: "简码"
    type: STRING
    min_length: 2
    max_length: 4
    required: true
  }
  fields { name: "nickname" label: "简称" type: STRING required: true }
  fields { name: "industry_code" label: "行业代码" type: STRING pattern: "[A-T][0-9]{0,4}" }
  fields { name: "id_number" label: "身份号码" type: STRING format: RESIDENT_ID_NUMBER }
  fields { name: "credit_code" label: "信用代码" type: STRING format: UNIFIED_SOCIAL_CREDIT_CODE }
  fields { name: "mobile" label: "手机" type: STRING format: MOBILE_PHONE }
  fields { name: "phone" label: "电话" type: STRING format: PHONE }
  fields { name: "division" label: "区划" type: STRING format: DIVISION_CODE pattern: "35[0-9]{4}" }
  fields { name: "count" label: "人数" type: INT64 minimum: "0" maximum: "100" }
  fields { name: "any_int" label: "整数" type: INT64 }
  fields {
    name: "capital"
    label: "注册资本"
    type: DECIMAL
    scale: 2
    minimum: "0"
    maximum: "1000000"
  }
  fields { name: "ratio" label: "比例" type: DECIMAL minimum: "-0.3" maximum: "0.3" }
  fields {
    name: "founded"
    label: "成立日期"
    type: DATE
    minimum: "1850-01-01"
    maximum: "2030-12-31"
  }
  fields { name: "any_date" label: "日期" type: DATE }
  fields { name: "seen_at" label: "时间" type: TIMESTAMP }
  fields { name: "active" label: "有效" type: BOOL }
  fields { name: "status" label: "状态" type: CODE code_list: "status" }
  fields { name: "representative" label: "法定代表人" type: REFERENCE reference_kind: PERSON }
  fields { name: "parent" label: "上级" type: REFERENCE reference_kind: ENTERPRISE }
  fields { name: "tags" label: "标签" type: STRING repeated: true max_items: 2 max_length: 3 }
  fields {
    name: "branches"
    label: "分支机构"
    type: REFERENCE
    repeated: true
    reference_kind: ENTERPRISE
  }
  fields { name: "amounts" label: "金额" type: DECIMAL repeated: true scale: 1 }
  fields {
    name: "ranked"
    label: "排序"
    type: STRING
    sources { source: "tax" precedence: 10 }
    sources { source: "service-center" precedence: 5 }
  }
  code_lists {
    name: "status"
    label: "状态"
    codes { code: "1" label: "存续" }
    codes { code: "2" label: "吊销" }
  }
)tp";

const Catalog& TestCatalog() {
  static const auto* const kCat =
      new std::shared_ptr<const Catalog>(CompileOrDie(ParseOrDie(kTestCatalog)));
  if (*kCat == nullptr) {
    ADD_FAILURE() << "the test catalog does not compile";
    std::abort();
  }
  return **kCat;
}

// Checks `value` against field `name` of `cat`, with the field name as the path.
Violations Check(const Catalog& cat, const std::string& name, const v1::Value& value) {
  Violations out;
  const v1::FieldDefinition* def = cat.FindField(name);
  if (def == nullptr) {
    ADD_FAILURE() << "no field " << name;
    return out;
  }
  cat.CheckValue(*def, value, kToday, name, &out);
  return out;
}

Violations Check(const std::string& name, const v1::Value& value) {
  return Check(TestCatalog(), name, value);
}

v1::Value Str(std::string s) {
  v1::Value v;
  v.set_string_value(std::move(s));
  return v;
}
v1::Value Int(int64_t n) {
  v1::Value v;
  v.set_int64_value(n);
  return v;
}
v1::Value Dec(std::string s) {
  v1::Value v;
  v.set_decimal_value(std::move(s));
  return v;
}
v1::Value Date(int year, int month, int day) {
  v1::Value v;
  v.mutable_date_value()->set_year(year);
  v.mutable_date_value()->set_month(month);
  v.mutable_date_value()->set_day(day);
  return v;
}
v1::Value Ts(int64_t seconds, int32_t nanos) {
  v1::Value v;
  v.mutable_timestamp_value()->set_seconds(seconds);
  v.mutable_timestamp_value()->set_nanos(nanos);
  return v;
}
v1::Value Bool(bool b) {
  v1::Value v;
  v.set_bool_value(b);
  return v;
}
v1::Value Code(std::string c) {
  v1::Value v;
  v.set_code_value(std::move(c));
  return v;
}
v1::Value Ref(std::string r) {
  v1::Value v;
  v.set_reference_value(std::move(r));
  return v;
}
v1::Value List(std::vector<v1::Value> items) {
  v1::Value v;
  auto* list = v.mutable_list_value();
  for (auto& item : items) *list->add_values() = std::move(item);
  return v;
}

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

TEST(CheckValueTest, UnknownField) {
  v1::FieldDefinition def;
  def.set_name("nope");
  def.set_type(v1::STRING);
  Violations out;
  TestCatalog().CheckValue(def, Str("x"), kToday, "nope", &out);
  EXPECT_THAT(out, ElementsAre(V("nope", "UNKNOWN_FIELD")));
}

TEST(CheckValueTest, AppendsToExistingViolations) {
  Violations out = {{"x", "RULE", "m"}};
  const Catalog& cat = TestCatalog();
  cat.CheckValue(*cat.FindField("count"), Int(101), kToday, "records[3].count", &out);
  EXPECT_THAT(out, ElementsAre(V("x", "RULE"), V("records[3].count", "RANGE")));
}

TEST(CheckValueTest, StringLengthCountsCodePoints) {
  EXPECT_THAT(Check("text", Str("")), IsEmpty());
  EXPECT_THAT(Check("text", Str("abc")), IsEmpty());
  EXPECT_THAT(Check("text", Str("三明市")), IsEmpty());  // 9 bytes, 3 characters
  EXPECT_THAT(Check("text", Str("é😀x")), IsEmpty());
  EXPECT_THAT(Check("text", Str("abcd")),
              ElementsAre(V("text", "LENGTH", "must be 0 to 3 characters, got 4")));
  EXPECT_THAT(Check("text", Str("三明市a")),
              ElementsAre(V("text", "LENGTH", "must be 0 to 3 characters, got 4")));

  EXPECT_THAT(Check("short_code", Str("a")),
              ElementsAre(V("short_code", "LENGTH", "must be 2 to 4 characters, got 1")));
  EXPECT_THAT(Check("short_code", Str("")), ElementsAre(V("short_code", "LENGTH")));
  EXPECT_THAT(Check("short_code", Str("ab")), IsEmpty());
  EXPECT_THAT(Check("short_code", Str("三明")), IsEmpty());
  EXPECT_THAT(Check("short_code", Str("abcde")), ElementsAre(V("short_code", "LENGTH")));
}

TEST(CheckValueTest, StringsHaveADefaultMaximumLength) {
  EXPECT_THAT(Check("free_text", Str(std::string(4096, 'a'))), IsEmpty());
  EXPECT_THAT(Check("free_text", Str(std::string(4097, 'a'))),
              ElementsAre(V("free_text", "LENGTH", "must be 0 to 4096 characters, got 4097")));
  std::string chinese;
  for (int i = 0; i < 4096; ++i) chinese += "明";
  EXPECT_THAT(Check("free_text", Str(chinese)), IsEmpty());
  EXPECT_THAT(Check("free_text", Str(chinese + "明")), ElementsAre(V("free_text", "LENGTH")));
}

TEST(CheckValueTest, RequiredStringMustNotBeEmpty) {
  EXPECT_THAT(Check("nickname", Str("")), ElementsAre(V("nickname", "REQUIRED")));
  EXPECT_THAT(Check("nickname", Str("沙县小吃")), IsEmpty());
}

TEST(CheckValueTest, StringsMustBeValidUtf8) {
  for (const char* bad : {
           "\xff",              // never valid
           "ab\xe4\xb8",        // truncated three-byte sequence
           "\xe4\xb8\x61",      // bad continuation ('a')
           "\x80",              // lone continuation byte
           "\xc3\x28",          // bad continuation
           "\xc0\xaf",          // overlong '/'
           "\xe0\x80\xaf",      // overlong '/'
           "\xed\xa0\x80",      // UTF-16 surrogate
           "\xf4\x90\x80\x80",  // beyond U+10FFFF
           "\xf8\x88\x80\x80\x80",
       }) {
    SCOPED_TRACE(::testing::PrintToString(std::string(bad)));
    EXPECT_THAT(Check("free_text", Str(bad)), ElementsAre(V("free_text", "ENCODING")));
  }
  // The largest code point and the last before the surrogates are fine.
  EXPECT_THAT(Check("free_text", Str("\xf4\x8f\xbf\xbf\xed\x9f\xbf\xc2\x80")), IsEmpty());
}

TEST(CheckValueTest, PatternMustMatchTheWholeString) {
  for (const char* good : {"C3130", "C", "A0511", "T9"}) {
    SCOPED_TRACE(good);
    EXPECT_THAT(Check("industry_code", Str(good)), IsEmpty());
  }
  for (const char* bad : {"c3130", "C31301", "xC3130", "C3130x", "U1", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(Check("industry_code", Str(bad)),
                ElementsAre(V("industry_code", "PATTERN", HasSubstr("行业代码"))));
  }
  // The shipped enterprise catalog says the same.
  EXPECT_THAT(Check(Example("enterprise"), "industry_code", Str("C3130")), IsEmpty());
  EXPECT_THAT(Check(Example("enterprise"), "industry_code", Str("c3130")),
              ElementsAre(V("industry_code", "PATTERN")));
}

TEST(CheckValueTest, ResidentIdNumberFormat) {
  for (const char* good : {"350403194503120012", "350481199208152048", "11010519491231002X"}) {
    SCOPED_TRACE(good);
    EXPECT_THAT(Check("id_number", Str(good)), IsEmpty());
  }
  const std::string bad_check = "350403194503120013";
  auto out = Check("id_number", Str(bad_check));
  EXPECT_THAT(out, ElementsAre(V(
                       "id_number", "FORMAT",
                       AllOf(HasSubstr("check character is '3', expected '2'"),
                             Not(HasSubstr(bad_check)), Not(HasSubstr(bad_check.substr(0, 17)))))));

  EXPECT_THAT(Check("id_number", Str("35040319450312001")),
              ElementsAre(V("id_number", "FORMAT", HasSubstr("must be 18 characters"))));
  // Born after `today`.
  const std::string future = ident::MakeResidentId("350403", absl::CivilDay(2027, 1, 1), 1);
  ASSERT_EQ(future.size(), 18u);
  EXPECT_THAT(Check("id_number", Str(future)),
              ElementsAre(V("id_number", "FORMAT", Not(HasSubstr(future)))));
  // The shipped person catalog.
  EXPECT_THAT(Check(Example("person"), "id_number", Str("350403194503120012")), IsEmpty());
  EXPECT_THAT(Check(Example("person"), "id_number", Str(bad_check)),
              ElementsAre(V("id_number", "FORMAT")));
}

TEST(CheckValueTest, CreditCodeFormat) {
  for (const char* good :
       {"91350400MA2YQ8KX1E", "91350404MA31GY5T0Y", "91110000802100433B", "913504000000000390"}) {
    SCOPED_TRACE(good);
    EXPECT_THAT(Check("credit_code", Str(good)), IsEmpty());
  }
  EXPECT_THAT(Check("credit_code", Str("91350400MA2YQ8KX1F")),
              ElementsAre(V("credit_code", "FORMAT", HasSubstr("expected 'E'"))));
  EXPECT_THAT(Check("credit_code", Str("9135040MA2YQ8KX1E")),
              ElementsAre(V("credit_code", "FORMAT", HasSubstr("must be 18 characters"))));
}

TEST(CheckValueTest, PhoneFormats) {
  for (const char* good : {"13812345678", "19912345678", "13000000000"}) {
    SCOPED_TRACE(good);
    EXPECT_THAT(Check("mobile", Str(good)), IsEmpty());
    EXPECT_THAT(Check("phone", Str(good)), IsEmpty());
  }
  for (const char* bad : {"12812345678", "1381234567", "138123456789", "138-1234-5678",
                          "+8613812345678", "0598-8234567", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(Check("mobile", Str(bad)), ElementsAre(V("mobile", "FORMAT")));
  }
  for (const char* good : {"0598-8234567", "05988234567", "010-12345678", "021-1234567"}) {
    SCOPED_TRACE(good);
    EXPECT_THAT(Check("phone", Str(good)), IsEmpty());
  }
  for (const char* bad :
       {"8234567", "0598-823456", "1381234567", "0598 8234567", "598-8234567", "0598-123456789"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(Check("phone", Str(bad)), ElementsAre(V("phone", "FORMAT")));
  }
  EXPECT_THAT(Check(Example("enterprise"), "contact_phone", Str("0598-8234567")), IsEmpty());
}

TEST(CheckValueTest, DivisionCodeFormatThenPattern) {
  EXPECT_THAT(Check("division", Str("350404")), IsEmpty());
  for (const char* bad : {"050404", "950404", "35040", "3504041", "35040a"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(Check("division", Str(bad)), ElementsAre(V("division", "FORMAT")));
  }
  // A valid division code outside the field's own pattern.
  EXPECT_THAT(Check("division", Str("110105")), ElementsAre(V("division", "PATTERN")));
  // Within Sanming: codes that do not exist, and retired codes (naming the successor).
  EXPECT_THAT(Check("division", Str("350499")),
              ElementsAre(V("division", "CODE", "350499 is not a Sanming division (GB/T 2260)")));
  EXPECT_THAT(Check("division", Str("350402")),
              ElementsAre(V("division", "DEPRECATED",
                            "350402 (梅列区) was retired in 2021; write 350404 (三元区)")));
  EXPECT_THAT(Check("division", Str("350427")), ElementsAre(V("division", "DEPRECATED")));
  // Elsewhere in Fujian nothing is judged: unknown here, not wrong.
  EXPECT_THAT(Check("division", Str("359999")), IsEmpty());
  EXPECT_THAT(Check("division", Str("350102")), IsEmpty());
}

TEST(CheckValueTest, Int64Range) {
  for (int64_t good : {0, 1, 100}) {
    EXPECT_THAT(Check("count", Int(good)), IsEmpty()) << good;
  }
  EXPECT_THAT(Check("count", Int(-1)),
              ElementsAre(V("count", "RANGE", "must be between 0 and 100")));
  EXPECT_THAT(Check("count", Int(101)), ElementsAre(V("count", "RANGE")));
  EXPECT_THAT(Check("count", Int(INT64_MIN)), ElementsAre(V("count", "RANGE")));
  EXPECT_THAT(Check("any_int", Int(INT64_MIN)), IsEmpty());
  EXPECT_THAT(Check("any_int", Int(INT64_MAX)), IsEmpty());
  EXPECT_THAT(Check(Example("enterprise"), "employee_count", Int(10000001)),
              ElementsAre(V("employee_count", "RANGE")));
}

TEST(CheckValueTest, DecimalsMustBeCanonical) {
  for (const char* good : {"0", "5000", "0.05", "1000000", "999999.99"}) {
    SCOPED_TRACE(good);
    EXPECT_THAT(Check("capital", Dec(good)), IsEmpty());
  }
  for (const char* bad : {"5000.00", "05", "+5", "-0", "0.50"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(Check("capital", Dec(bad)),
                ElementsAre(V("capital", "FORMAT", HasSubstr("canonical form"))));
  }
  EXPECT_THAT(Check("capital", Dec("abc")),
              ElementsAre(V("capital", "FORMAT", HasSubstr("character 1"))));
  EXPECT_THAT(Check("capital", Dec("")), ElementsAre(V("capital", "FORMAT")));
  EXPECT_THAT(Check("capital", Dec("1.")), ElementsAre(V("capital", "FORMAT")));
}

TEST(CheckValueTest, DecimalScaleAndRange) {
  EXPECT_THAT(Check("capital", Dec("0.001")),
              ElementsAre(V("capital", "SCALE", "at most 2 digits after the point")));
  EXPECT_THAT(Check("capital", Dec("-0.01")),
              ElementsAre(V("capital", "RANGE", "must be between 0 and 1000000")));
  EXPECT_THAT(Check("capital", Dec("1000000.01")), ElementsAre(V("capital", "RANGE")));
  EXPECT_THAT(Check("capital", Dec("-0.001")),
              ElementsAre(V("capital", "SCALE"), V("capital", "RANGE")));

  // Exact comparison, where floating point would round.
  EXPECT_THAT(Check("ratio", Dec("0.3")), IsEmpty());
  EXPECT_THAT(Check("ratio", Dec("-0.3")), IsEmpty());
  EXPECT_THAT(Check("ratio", Dec("0.29999999999999999")), IsEmpty());
  EXPECT_THAT(Check("ratio", Dec("0.30000000000000001")), ElementsAre(V("ratio", "RANGE")));
  EXPECT_THAT(Check("ratio", Dec("-0.30000000000000001")), ElementsAre(V("ratio", "RANGE")));

  // The shipped catalog: registered capital is at least "0", scale 6.
  const Catalog& ent = Example("enterprise");
  EXPECT_THAT(Check(ent, "registered_capital", Dec("0.1")), IsEmpty());
  EXPECT_THAT(Check(ent, "registered_capital", Dec("0")), IsEmpty());
  EXPECT_THAT(Check(ent, "registered_capital", Dec("-0.1")),
              ElementsAre(V("registered_capital", "RANGE")));
  EXPECT_THAT(Check(ent, "registered_capital", Dec("5000.00")),
              ElementsAre(V("registered_capital", "FORMAT")));
  EXPECT_THAT(Check(ent, "registered_capital", Dec("0.000001")), IsEmpty());
  EXPECT_THAT(Check(ent, "registered_capital", Dec("0.0000001")),
              ElementsAre(V("registered_capital", "SCALE")));
}

TEST(CheckValueTest, Dates) {
  EXPECT_THAT(Check("founded", Date(1850, 1, 1)), IsEmpty());
  EXPECT_THAT(Check("founded", Date(2030, 12, 31)), IsEmpty());
  EXPECT_THAT(Check("founded", Date(2024, 2, 29)), IsEmpty());
  EXPECT_THAT(Check("founded", Date(1849, 12, 31)),
              ElementsAre(V("founded", "RANGE", "must be between 1850-01-01 and 2030-12-31")));
  EXPECT_THAT(Check("founded", Date(2031, 1, 1)), ElementsAre(V("founded", "RANGE")));
  EXPECT_THAT(Check("founded", Date(2023, 2, 30)),
              ElementsAre(V("founded", "FORMAT", "is not a calendar date (2023-2-30)")));
  EXPECT_THAT(Check("founded", Date(2023, 2, 29)), ElementsAre(V("founded", "FORMAT")));
  EXPECT_THAT(Check("founded", Date(2024, 13, 1)), ElementsAre(V("founded", "FORMAT")));
  EXPECT_THAT(Check("founded", Date(2024, 1, 0)), ElementsAre(V("founded", "FORMAT")));
  EXPECT_THAT(Check("any_date", Date(0, 1, 1)), ElementsAre(V("any_date", "FORMAT")));
  EXPECT_THAT(Check("any_date", Date(10000, 1, 1)), ElementsAre(V("any_date", "FORMAT")));
  EXPECT_THAT(Check("any_date", Date(0, 0, 0)), ElementsAre(V("any_date", "FORMAT")));
  EXPECT_THAT(Check("any_date", Date(1, 1, 1)), IsEmpty());
  EXPECT_THAT(Check("any_date", Date(9999, 12, 31)), IsEmpty());

  const Catalog& person = Example("person");
  EXPECT_THAT(Check(person, "birth_date", Date(1850, 1, 1)), IsEmpty());
  EXPECT_THAT(Check(person, "birth_date", Date(1849, 12, 31)),
              ElementsAre(V("birth_date", "RANGE", HasSubstr("1850-01-01"))));
}

TEST(CheckValueTest, TimestampBounds) {
  EXPECT_THAT(Check("seen_at", Ts(0, 0)), IsEmpty());
  EXPECT_THAT(Check("seen_at", Ts(-62135596800, 0)), IsEmpty());          // 0001-01-01T00:00:00Z
  EXPECT_THAT(Check("seen_at", Ts(253402300799, 999999999)), IsEmpty());  // 9999-12-31T23:59:59Z
  EXPECT_THAT(Check("seen_at", Ts(-62135596801, 0)), ElementsAre(V("seen_at", "FORMAT")));
  EXPECT_THAT(Check("seen_at", Ts(253402300800, 0)), ElementsAre(V("seen_at", "FORMAT")));
  EXPECT_THAT(Check("seen_at", Ts(0, -1)), ElementsAre(V("seen_at", "FORMAT")));
  EXPECT_THAT(Check("seen_at", Ts(0, 1000000000)), ElementsAre(V("seen_at", "FORMAT")));
}

TEST(CheckValueTest, Bools) {
  EXPECT_THAT(Check("active", Bool(true)), IsEmpty());
  EXPECT_THAT(Check("active", Bool(false)), IsEmpty());
  EXPECT_THAT(Check("active", Str("true")),
              ElementsAre(V("active", "TYPE", "expected a bool value")));
}

TEST(CheckValueTest, Codes) {
  EXPECT_THAT(Check("status", Code("1")), IsEmpty());
  EXPECT_THAT(Check("status", Code("2")), IsEmpty());
  EXPECT_THAT(Check("status", Code("3")),
              ElementsAre(V("status", "CODE", "is not a code of the list 'status'")));
  EXPECT_THAT(Check("status", Code("")), ElementsAre(V("status", "CODE")));
  EXPECT_THAT(Check("status", Code("存续")), ElementsAre(V("status", "CODE")));
  EXPECT_THAT(Check(Example("person"), "gender", Code("9")), IsEmpty());
  EXPECT_THAT(Check(Example("person"), "gender", Code("3")), ElementsAre(V("gender", "CODE")));
}

TEST(CheckValueTest, References) {
  EXPECT_THAT(Check("representative", Ref("persons/p-7f3a9c")), IsEmpty());
  EXPECT_THAT(Check("representative", Ref("enterprises/91350400MA2YQ8KX1E")),
              ElementsAre(V("representative", "REFERENCE", "must refer to a person")));
  EXPECT_THAT(Check("representative", Ref("persons/350403194503120012")),
              ElementsAre(V("representative", "REFERENCE", Not(HasSubstr("350403194503120012")))));
  EXPECT_THAT(Check("representative", Ref("350403194503120012")),
              ElementsAre(V("representative", "REFERENCE", Not(HasSubstr("350403194503120012")))));

  EXPECT_THAT(Check("parent", Ref("enterprises/91350400MA2YQ8KX1E")), IsEmpty());
  EXPECT_THAT(Check("parent", Ref("enterprises/913504000000000390")), IsEmpty());
  EXPECT_THAT(Check("parent", Ref("persons/abc")),
              ElementsAre(V("parent", "REFERENCE", HasSubstr("enterprise"))));
  EXPECT_THAT(Check("parent", Ref("enterprises/91350400MA2YQ8KX1F")),
              ElementsAre(V("parent", "REFERENCE", HasSubstr("check character"))));
  EXPECT_THAT(Check("parent", Ref("enterprises/91350400ma2yq8kx1e")),
              ElementsAre(V("parent", "REFERENCE", HasSubstr("canonical form"))));
  EXPECT_THAT(Check("parent", Ref("")), ElementsAre(V("parent", "REFERENCE")));

  EXPECT_THAT(Check(Example("person"), "employer", Ref("enterprises/91350404MA31GY5T0Y")),
              IsEmpty());
  EXPECT_THAT(Check(Example("enterprise"), "legal_representative", Ref("persons/p-1")), IsEmpty());
}

TEST(CheckValueTest, WrongValueKind) {
  struct Case {
    const char* field;
    v1::Value value;
    const char* message;
  };
  const Case kCases[] = {
      {"text", Code("1"), "expected a string value"},
      {"text", v1::Value(), "expected a string value"},
      {"text", List({Str("a")}), "expected a string value"},
      {"count", Str("5"), "expected a int64 value"},
      {"count", Dec("5"), "expected a int64 value"},
      {"capital", Str("5"), "expected a decimal value"},
      {"capital", Int(5), "expected a decimal value"},
      {"founded", Str("2024-01-01"), "expected a date value"},
      {"seen_at", Date(2024, 1, 1), "expected a timestamp value"},
      {"active", Int(1), "expected a bool value"},
      {"status", Str("1"), "expected a code value"},
      {"parent", Str("enterprises/91350400MA2YQ8KX1E"), "expected a reference value"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(absl::StrCat(c.field, " <- ", c.value.ShortDebugString()));
    EXPECT_THAT(Check(c.field, c.value), ElementsAre(V(c.field, "TYPE", c.message)));
  }
}

TEST(CheckValueTest, RepeatedFields) {
  EXPECT_THAT(Check("tags", List({})), IsEmpty());
  EXPECT_THAT(Check("tags", List({Str("ab"), Str("三明市")})), IsEmpty());
  EXPECT_THAT(Check("tags", Str("ab")),
              ElementsAre(V("tags", "TYPE", "expected a list (repeated string)")));
  EXPECT_THAT(Check("tags", v1::Value()), ElementsAre(V("tags", "TYPE")));
  EXPECT_THAT(Check("tags", List({Str("ab"), Str("abcd")})),
              ElementsAre(V("tags[1]", "LENGTH", "must be 0 to 3 characters, got 4")));
  EXPECT_THAT(Check("tags", List({Int(1), Str("\xff")})),
              ElementsAre(V("tags[0]", "TYPE"), V("tags[1]", "ENCODING")));
  EXPECT_THAT(Check("tags", List({Str("a"), Str("b"), Str("c")})),
              ElementsAre(V("tags", "LENGTH", "at most 2 items, got 3")));
  // Lists of lists are not values of a repeated field.
  EXPECT_THAT(Check("tags", List({List({Str("a")})})), ElementsAre(V("tags[0]", "TYPE")));

  EXPECT_THAT(Check("branches", List({Ref("enterprises/91350400MA2YQ8KX1E"), Ref("persons/abc"),
                                      Ref("enterprises/91350400MA2YQ8KX1F")})),
              ElementsAre(V("branches[1]", "REFERENCE"), V("branches[2]", "REFERENCE")));
  EXPECT_THAT(Check("amounts", List({Dec("1.5"), Dec("1.25"), Dec("1.50")})),
              ElementsAre(V("amounts[1]", "SCALE"), V("amounts[2]", "FORMAT")));
}

TEST(CheckValueTest, RepeatedFieldsHaveADefaultMaximum) {
  std::vector<v1::Value> items(256, Ref("enterprises/91350400MA2YQ8KX1E"));
  EXPECT_THAT(Check("branches", List(items)), IsEmpty());
  items.push_back(Ref("enterprises/91350400MA2YQ8KX1E"));
  EXPECT_THAT(Check("branches", List(items)),
              ElementsAre(V("branches", "LENGTH", "at most 256 items, got 257")));
}

// ---------------------------------------------------------------------------------------
// CheckRecord

class CheckRecordTest : public ::testing::Test {
 protected:
  Violations CheckRecord() {
    Catalog::FieldValues fields;
    for (const auto& [name, value] : values_) fields[name] = &value;
    Violations out;
    Example("person").CheckRecord(fields, kToday, &out);
    return out;
  }

  void Person(const std::string& id, v1::Value birth, const std::string& gender) {
    values_.clear();
    values_["id_number"] = Str(id);
    values_["name"] = Str("宋文富");
    values_["birth_date"] = std::move(birth);
    values_["gender"] = Code(gender);
  }

  absl::flat_hash_map<std::string, v1::Value> values_;
};

TEST_F(CheckRecordTest, RequiredFields) {
  EXPECT_THAT(CheckRecord(), ElementsAre(V("id_number", "REQUIRED", "公民身份号码 is required"),
                                         V("name", "REQUIRED", "姓名 is required")));
  values_["name"] = Str("宋文富");
  EXPECT_THAT(CheckRecord(), ElementsAre(V("id_number", "REQUIRED")));
  values_["id_number"] = Str("350403194503120012");
  EXPECT_THAT(CheckRecord(), IsEmpty());
}

TEST_F(CheckRecordTest, IdNumberAgreesWithBirthDateAndGender) {
  Person("350403194503120012", Date(1945, 3, 12), "1");
  EXPECT_THAT(CheckRecord(), IsEmpty());
  Person("350481199208152048", Date(1992, 8, 15), "2");
  EXPECT_THAT(CheckRecord(), IsEmpty());
  Person("11010519491231002X", Date(1949, 12, 31), "2");
  EXPECT_THAT(CheckRecord(), IsEmpty());
}

TEST_F(CheckRecordTest, DisagreementIsReportedOnEachField) {
  const std::string number = "350403194503120012";
  Person(number, Date(1945, 3, 13), "2");
  auto out = CheckRecord();
  EXPECT_THAT(out, ElementsAre(V("birth_date", "CROSS_FIELD",
                                 AllOf(HasSubstr("id_number"), HasSubstr("1945-03-12"))),
                               V("gender", "CROSS_FIELD", HasSubstr("(code 1)"))));
  for (const auto& v : out) EXPECT_THAT(v.message, Not(HasSubstr(number)));

  Person("350481199208152048", Date(1992, 8, 15), "1");
  EXPECT_THAT(CheckRecord(), ElementsAre(V("gender", "CROSS_FIELD", HasSubstr("(code 2)"))));
  Person("350481199208152048", Date(1992, 8, 16), "2");
  EXPECT_THAT(CheckRecord(), ElementsAre(V("birth_date", "CROSS_FIELD")));
}

TEST_F(CheckRecordTest, UnknownAndUnstatedGenderAreNotChecked) {
  for (const char* code : {"0", "9"}) {
    SCOPED_TRACE(code);
    Person("350403194503120012", Date(1945, 3, 12), code);
    EXPECT_THAT(CheckRecord(), IsEmpty());
    Person("350481199208152048", Date(1992, 8, 15), code);
    EXPECT_THAT(CheckRecord(), IsEmpty());
  }
}

TEST_F(CheckRecordTest, AgreementNeedsAValidIdNumberAndTheOtherFields) {
  // An invalid number is CheckValue's to report.
  Person("350403194503120013", Date(1990, 1, 1), "2");
  EXPECT_THAT(CheckRecord(), IsEmpty());
  // Without birth date and gender there is nothing to compare.
  Person("350403194503120012", Date(1945, 3, 12), "1");
  values_.erase("birth_date");
  values_.erase("gender");
  EXPECT_THAT(CheckRecord(), IsEmpty());
  // An impossible birth date is CheckValue's to report too.
  Person("350403194503120012", Date(1945, 2, 30), "1");
  EXPECT_THAT(CheckRecord(), IsEmpty());
}

// ---------------------------------------------------------------------------------------
// Precedence

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
