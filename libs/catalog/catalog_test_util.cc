#include "libs/catalog/catalog_test_util.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/base/status_matchers.h"

namespace collectonce::catalog {

void PrintTo(const Violation& v, std::ostream* os) {
  *os << "{" << v.field << ", " << v.rule << ", \"" << v.message << "\"}";
}

namespace test {

using ::collectonce::testing::IsOk;
using ::testing::AllOf;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::Matcher;

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

namespace {

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

}  // namespace

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

}  // namespace test
}  // namespace collectonce::catalog
