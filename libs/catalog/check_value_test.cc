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
#include "libs/catalog/catalog.h"
#include "libs/catalog/catalog_test_util.h"
#include "libs/ident/resident_id.h"

namespace collectonce::catalog {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using test::Bool;
using test::Check;
using test::Code;
using test::Date;
using test::Dec;
using test::Example;
using test::Int;
using test::kToday;
using test::List;
using test::Ref;
using test::Str;
using test::TestCatalog;
using test::Ts;
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

}  // namespace
}  // namespace collectonce::catalog
