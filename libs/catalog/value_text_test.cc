#include "libs/catalog/value_text.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/status_matchers.h"
#include "libs/catalog/catalog_test_util.h"

namespace collectonce::catalog {
namespace {

namespace v1 = ::collectonce::registry::v1;

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using test::Str;
using test::Ts;
using ::testing::HasSubstr;
using ::testing::Not;

google::type::Date MakeDate(int year, int month, int day) {
  google::type::Date d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

v1::FieldDefinition Def(v1::FieldType type, bool repeated = false,
                        v1::FieldFormat format = v1::FIELD_FORMAT_UNSPECIFIED) {
  v1::FieldDefinition def;
  def.set_name("f");
  def.set_label("字段");
  def.set_type(type);
  def.set_repeated(repeated);
  def.set_format(format);
  return def;
}

v1::MaskRule Rule(v1::MaskRule::Kind kind, int keep_prefix = 0, int keep_suffix = 0) {
  v1::MaskRule r;
  r.set_kind(kind);
  r.set_keep_prefix(keep_prefix);
  r.set_keep_suffix(keep_suffix);
  return r;
}

// ---------------------------------------------------------------------------------------
// Dates

TEST(ParseDateTextTest, ParsesCalendarDates) {
  auto d = ParseDateText("2024-02-29");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->year(), 2024);
  EXPECT_EQ(d->month(), 2);
  EXPECT_EQ(d->day(), 29);

  d = ParseDateText("0001-01-01");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->year(), 1);
  d = ParseDateText("9999-12-31");
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->year(), 9999);
  EXPECT_EQ(d->month(), 12);
  EXPECT_EQ(d->day(), 31);
}

TEST(ParseDateTextTest, RejectsImpossibleDates) {
  for (const char* text : {"2023-02-29", "2024-02-30", "2024-04-31", "2024-13-01", "2024-00-10",
                           "2024-01-00", "2024-01-32"}) {
    SCOPED_TRACE(text);
    EXPECT_THAT(ParseDateText(text),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not a calendar date")));
  }
}

TEST(ParseDateTextTest, RejectsYearZero) {
  EXPECT_THAT(ParseDateText("0000-06-15"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("year must be 1 to 9999")));
}

TEST(ParseDateTextTest, RejectsOtherShapes) {
  for (const char* text :
       {"", "2024-2-29", "2024-02-9", "20240229", "2024/02/29", "2024.02.29", "29-02-2024",
        " 2024-02-29", "2024-02-29 ", "2024-02-29T00:00:00", "abcd-ef-gh", "2024年2月29日"}) {
    SCOPED_TRACE(text);
    EXPECT_THAT(ParseDateText(text), StatusIs(absl::StatusCode::kInvalidArgument,
                                              HasSubstr("expected a date as YYYY-MM-DD")));
  }
}

TEST(FormatDateTest, PadsFields) {
  EXPECT_EQ(FormatDate(MakeDate(2024, 2, 9)), "2024-02-09");
  EXPECT_EQ(FormatDate(MakeDate(5, 1, 2)), "0005-01-02");
}

TEST(FormatDateTest, RoundTripsThroughParseDateText) {
  for (const auto& date :
       {MakeDate(1, 1, 1), MakeDate(5, 1, 2), MakeDate(999, 12, 31), MakeDate(1000, 1, 1),
        MakeDate(1945, 3, 12), MakeDate(2000, 2, 29), MakeDate(9999, 12, 31)}) {
    const std::string text = FormatDate(date);
    SCOPED_TRACE(text);
    auto parsed = ParseDateText(text);
    ASSERT_THAT(parsed, IsOk());
    EXPECT_EQ(parsed->year(), date.year());
    EXPECT_EQ(parsed->month(), date.month());
    EXPECT_EQ(parsed->day(), date.day());
  }
}

// ---------------------------------------------------------------------------------------
// FormatValue

TEST(FormatValueTest, FormatsEachKind) {
  v1::Value v;
  EXPECT_EQ(FormatValue(v), "");  // no kind set

  EXPECT_EQ(FormatValue(Str("三明市三元区")), "三明市三元区");
  v.set_int64_value(-42);
  EXPECT_EQ(FormatValue(v), "-42");
  v.set_int64_value(INT64_MIN);
  EXPECT_EQ(FormatValue(v), "-9223372036854775808");
  v.set_decimal_value("5000.5");
  EXPECT_EQ(FormatValue(v), "5000.5");
  *v.mutable_date_value() = MakeDate(1945, 3, 12);
  EXPECT_EQ(FormatValue(v), "1945-03-12");
  EXPECT_EQ(FormatValue(Ts(0, 0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatValue(Ts(1709281800, 0)), "2024-03-01T08:30:00Z");
  EXPECT_EQ(FormatValue(Ts(1709281800, 500000000)), "2024-03-01T08:30:00.5Z");
  EXPECT_EQ(FormatValue(Ts(1709281800, 123456789)), "2024-03-01T08:30:00.123456789Z");
  EXPECT_EQ(FormatValue(Ts(-1, 500000000)), "1969-12-31T23:59:59.5Z");
  EXPECT_EQ(FormatValue(Ts(-62135596800, 0)), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatValue(Ts(253402300799, 999999999)), "9999-12-31T23:59:59.999999999Z");
  v.set_bool_value(true);
  EXPECT_EQ(FormatValue(v), "true");
  v.set_bool_value(false);
  EXPECT_EQ(FormatValue(v), "false");
  v.set_code_value("01");
  EXPECT_EQ(FormatValue(v), "01");
  v.set_reference_value("enterprises/91350400MA2YQ8KX1E");
  EXPECT_EQ(FormatValue(v), "enterprises/91350400MA2YQ8KX1E");

  v1::Value list;
  list.mutable_list_value();
  EXPECT_EQ(FormatValue(list), "");
  *list.mutable_list_value()->add_values() = Str("a");
  EXPECT_EQ(FormatValue(list), "a");
  *list.mutable_list_value()->add_values() = Str("乙");
  list.mutable_list_value()->add_values()->set_int64_value(3);
  EXPECT_EQ(FormatValue(list), "a|乙|3");
}

// ---------------------------------------------------------------------------------------
// ParseValueText

struct RoundTrip {
  v1::FieldType type;
  bool repeated;
  const char* text;
  v1::Value::KindCase kind;
};

TEST(ParseValueTextTest, RoundTripsEveryType) {
  const RoundTrip kCases[] = {
      {v1::STRING, false, "三明市三元区列东街道", v1::Value::kStringValue},
      {v1::STRING, false, "", v1::Value::kStringValue},
      {v1::INT64, false, "-42", v1::Value::kInt64Value},
      {v1::INT64, false, "9223372036854775807", v1::Value::kInt64Value},
      {v1::DECIMAL, false, "5000", v1::Value::kDecimalValue},
      {v1::DECIMAL, false, "-0.000001", v1::Value::kDecimalValue},
      {v1::DATE, false, "1945-03-12", v1::Value::kDateValue},
      {v1::DATE, false, "0001-01-01", v1::Value::kDateValue},
      {v1::TIMESTAMP, false, "2024-03-01T08:30:00Z", v1::Value::kTimestampValue},
      {v1::TIMESTAMP, false, "2024-03-01T08:30:00.123456789Z", v1::Value::kTimestampValue},
      {v1::TIMESTAMP, false, "1969-12-31T23:59:59.5Z", v1::Value::kTimestampValue},
      {v1::TIMESTAMP, false, "1900-01-01T00:00:00Z", v1::Value::kTimestampValue},
      {v1::TIMESTAMP, false, "0001-01-01T00:00:00Z", v1::Value::kTimestampValue},
      {v1::TIMESTAMP, false, "9999-12-31T23:59:59.999999999Z", v1::Value::kTimestampValue},
      {v1::BOOL, false, "true", v1::Value::kBoolValue},
      {v1::BOOL, false, "false", v1::Value::kBoolValue},
      {v1::CODE, false, "01", v1::Value::kCodeValue},
      {v1::REFERENCE, false, "enterprises/91350400MA2YQ8KX1E", v1::Value::kReferenceValue},
      {v1::REFERENCE, false, "persons/p-7f3a9c", v1::Value::kReferenceValue},
      {v1::STRING, true, "a|乙|c", v1::Value::kListValue},
      {v1::STRING, true, "", v1::Value::kListValue},
      {v1::INT64, true, "1|-2|3", v1::Value::kListValue},
      {v1::DECIMAL, true, "1.5|2", v1::Value::kListValue},
      {v1::DATE, true, "2024-01-01|2024-12-31", v1::Value::kListValue},
      {v1::TIMESTAMP, true, "2024-01-01T00:00:00Z|2024-12-31T23:59:59.25Z", v1::Value::kListValue},
      {v1::BOOL, true, "true|false|true", v1::Value::kListValue},
      {v1::CODE, true, "10|20", v1::Value::kListValue},
      {v1::REFERENCE, true, "enterprises/91350404MA31GY5T0Y|enterprises/913504000000000390",
       v1::Value::kListValue},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(
        absl::StrCat(v1::FieldType_Name(c.type), c.repeated ? " repeated: " : ": ", c.text));
    auto v = ParseValueText(Def(c.type, c.repeated), c.text);
    ASSERT_THAT(v, IsOk());
    EXPECT_EQ(v->kind_case(), c.kind);
    EXPECT_EQ(FormatValue(*v), c.text);
  }
}

TEST(ParseValueTextTest, ParsesIntoTheRightMembers) {
  auto v = ParseValueText(Def(v1::INT64), "-42");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->int64_value(), -42);

  v = ParseValueText(Def(v1::DATE), "1992-08-15");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->date_value().year(), 1992);
  EXPECT_EQ(v->date_value().month(), 8);
  EXPECT_EQ(v->date_value().day(), 15);

  v = ParseValueText(Def(v1::TIMESTAMP), "2024-03-01T08:30:00.25Z");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->timestamp_value().seconds(), 1709281800);
  EXPECT_EQ(v->timestamp_value().nanos(), 250000000);

  // Before the epoch, nanos stay non-negative and seconds round down.
  v = ParseValueText(Def(v1::TIMESTAMP), "1969-12-31T23:59:59.75Z");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->timestamp_value().seconds(), -1);
  EXPECT_EQ(v->timestamp_value().nanos(), 750000000);

  // The full range google.protobuf.Timestamp allows, beyond what int64 nanoseconds hold.
  v = ParseValueText(Def(v1::TIMESTAMP), "0001-01-01T00:00:00Z");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->timestamp_value().seconds(), -62135596800);
  EXPECT_EQ(v->timestamp_value().nanos(), 0);
  v = ParseValueText(Def(v1::TIMESTAMP), "9999-12-31T23:59:59.999999999Z");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->timestamp_value().seconds(), 253402300799);
  EXPECT_EQ(v->timestamp_value().nanos(), 999999999);

  v = ParseValueText(Def(v1::BOOL), "true");
  ASSERT_THAT(v, IsOk());
  EXPECT_TRUE(v->bool_value());

  v = ParseValueText(Def(v1::CODE), "1");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->code_value(), "1");

  v = ParseValueText(Def(v1::INT64, /*repeated=*/true), "7|8");
  ASSERT_THAT(v, IsOk());
  ASSERT_EQ(v->list_value().values_size(), 2);
  EXPECT_EQ(v->list_value().values(0).int64_value(), 7);
  EXPECT_EQ(v->list_value().values(1).int64_value(), 8);

  // Empty elements of a repeated string stay.
  v = ParseValueText(Def(v1::STRING, /*repeated=*/true), "a||b");
  ASSERT_THAT(v, IsOk());
  ASSERT_EQ(v->list_value().values_size(), 3);
  EXPECT_EQ(v->list_value().values(1).string_value(), "");
}

TEST(ParseValueTextTest, AcceptsAlternativeSpellings) {
  struct Case {
    v1::FieldType type;
    const char* text;
    const char* formatted;
  };
  const Case kCases[] = {
      {v1::BOOL, "1", "true"},
      {v1::BOOL, "是", "true"},
      {v1::BOOL, "0", "false"},
      {v1::BOOL, "否", "false"},
      {v1::DECIMAL, "007.500", "7.5"},
      {v1::DECIMAL, "-0", "0"},
      {v1::DECIMAL, "+3", "3"},
      {v1::INT64, "+5", "5"},
      // An offset is converted to UTC.
      {v1::TIMESTAMP, "2024-03-01T08:30:00+08:00", "2024-03-01T00:30:00Z"},
      {v1::TIMESTAMP, "2024-03-01T08:30:00.500Z", "2024-03-01T08:30:00.5Z"},
      {v1::REFERENCE, "enterprises/91350400ma2yq8kx1e", "enterprises/91350400MA2YQ8KX1E"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(absl::StrCat(v1::FieldType_Name(c.type), ": ", c.text));
    auto v = ParseValueText(Def(c.type), c.text);
    ASSERT_THAT(v, IsOk());
    EXPECT_EQ(FormatValue(*v), c.formatted);
  }
}

TEST(ParseValueTextTest, RejectsTextNotOfTheType) {
  struct Case {
    v1::FieldType type;
    bool repeated;
    const char* text;
    const char* message;
  };
  const Case kCases[] = {
      {v1::INT64, false, "12a", "expected an integer"},
      {v1::INT64, false, "", "expected an integer"},
      {v1::INT64, false, "1.5", "expected an integer"},
      {v1::INT64, false, "9223372036854775808", "expected an integer"},
      {v1::DECIMAL, false, "1e5", "character 2 of a decimal is 'e'"},
      {v1::DECIMAL, false, "", "must not be empty"},
      {v1::DATE, false, "2024-02-30", "is not a calendar date"},
      {v1::DATE, false, "2024/02/28", "expected a date as YYYY-MM-DD"},
      {v1::TIMESTAMP, false, "2024-03-01 08:30:00", "expected an RFC 3339 timestamp"},
      {v1::TIMESTAMP, false, "2024-03-01T08:30:00", "expected an RFC 3339 timestamp"},
      {v1::TIMESTAMP, false, "2024-03-01", "expected an RFC 3339 timestamp"},
      {v1::TIMESTAMP, false, "infinite-future", "expected an RFC 3339 timestamp"},
      {v1::TIMESTAMP, false, "infinite-past", "expected an RFC 3339 timestamp"},
      {v1::BOOL, false, "yes", "expected true or false"},
      {v1::BOOL, false, "TRUE", "expected true or false"},
      {v1::BOOL, false, "", "expected true or false"},
      {v1::FIELD_TYPE_UNSPECIFIED, false, "x", "the field has no type"},
      {v1::INT64, true, "1|x|3", "expected an integer"},
      {v1::DATE, true, "2024-01-01|", "expected a date as YYYY-MM-DD"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(
        absl::StrCat(v1::FieldType_Name(c.type), c.repeated ? " repeated: " : ": ", c.text));
    EXPECT_THAT(ParseValueText(Def(c.type, c.repeated), c.text),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
  }
}

TEST(ParseValueTextTest, ErrorsDoNotRepeatTheText) {
  const char* kNumber = "35040319450312001X";
  for (v1::FieldType type : {v1::INT64, v1::DECIMAL, v1::DATE, v1::TIMESTAMP, v1::BOOL}) {
    SCOPED_TRACE(v1::FieldType_Name(type));
    auto v = ParseValueText(Def(type), kNumber);
    ASSERT_FALSE(v.ok());
    EXPECT_THAT(std::string(v.status().message()), Not(HasSubstr("3504031945")));
  }
}

TEST(ParseValueTextTest, NormalizesWhatItParses) {
  auto v = ParseValueText(Def(v1::STRING, false, v1::RESIDENT_ID_NUMBER), "11010519491231002x");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->string_value(), "11010519491231002X");

  v = ParseValueText(Def(v1::STRING, true, v1::UNIFIED_SOCIAL_CREDIT_CODE),
                     "91350400ma2yq8kx1e|91350404MA31GY5T0Y");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(FormatValue(*v), "91350400MA2YQ8KX1E|91350404MA31GY5T0Y");

  v = ParseValueText(Def(v1::REFERENCE, true), "enterprises/91350400ma2yq8kx1e|persons/abc");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(FormatValue(*v), "enterprises/91350400MA2YQ8KX1E|persons/abc");

  v = ParseValueText(Def(v1::DECIMAL, true), "1.50|-0.0|010");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(FormatValue(*v), "1.5|0|10");

  // A plain string is kept as typed.
  v = ParseValueText(Def(v1::STRING), "abc x");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(v->string_value(), "abc x");
}

// ---------------------------------------------------------------------------------------
// NormalizeValue

TEST(NormalizeValueTest, UpperCasesIdNumbersAndCreditCodes) {
  v1::Value v = Str("11010519491231002x");
  NormalizeValue(Def(v1::STRING, false, v1::RESIDENT_ID_NUMBER), &v);
  EXPECT_EQ(v.string_value(), "11010519491231002X");

  v = Str("91350400ma2yq8kx1e");
  NormalizeValue(Def(v1::STRING, false, v1::UNIFIED_SOCIAL_CREDIT_CODE), &v);
  EXPECT_EQ(v.string_value(), "91350400MA2YQ8KX1E");

  // Other strings keep their case.
  for (v1::FieldFormat format : {v1::FIELD_FORMAT_UNSPECIFIED, v1::MOBILE_PHONE, v1::PHONE}) {
    v = Str("abc");
    NormalizeValue(Def(v1::STRING, false, format), &v);
    EXPECT_EQ(v.string_value(), "abc");
  }
}

TEST(NormalizeValueTest, CanonicalisesDecimals) {
  v1::Value v;
  v.set_decimal_value("007.500");
  NormalizeValue(Def(v1::DECIMAL), &v);
  EXPECT_EQ(v.decimal_value(), "7.5");

  v.set_decimal_value("-0.00");
  NormalizeValue(Def(v1::DECIMAL), &v);
  EXPECT_EQ(v.decimal_value(), "0");

  // Not a decimal: left for validation to report.
  v.set_decimal_value("1,000.00");
  NormalizeValue(Def(v1::DECIMAL), &v);
  EXPECT_EQ(v.decimal_value(), "1,000.00");
}

TEST(NormalizeValueTest, CanonicalisesReferences) {
  v1::Value v;
  v.set_reference_value("enterprises/91350400ma2yq8kx1e");
  NormalizeValue(Def(v1::REFERENCE), &v);
  EXPECT_EQ(v.reference_value(), "enterprises/91350400MA2YQ8KX1E");

  // Not a valid name: left as it is.
  v.set_reference_value("enterprises/91350400ma2yq8kx1f");
  NormalizeValue(Def(v1::REFERENCE), &v);
  EXPECT_EQ(v.reference_value(), "enterprises/91350400ma2yq8kx1f");
  v.set_reference_value("persons/ABC");
  NormalizeValue(Def(v1::REFERENCE), &v);
  EXPECT_EQ(v.reference_value(), "persons/ABC");
}

TEST(NormalizeValueTest, NormalizesListElements) {
  v1::Value v;
  v.mutable_list_value()->add_values()->set_string_value("11010519491231002x");
  v.mutable_list_value()->add_values()->set_string_value("350403194503120012");
  NormalizeValue(Def(v1::STRING, true, v1::RESIDENT_ID_NUMBER), &v);
  EXPECT_EQ(FormatValue(v), "11010519491231002X|350403194503120012");
}

TEST(NormalizeValueTest, LeavesOtherKindsAlone) {
  v1::Value v;
  v.set_code_value("ab");
  NormalizeValue(Def(v1::CODE), &v);
  EXPECT_EQ(v.code_value(), "ab");
  v.set_int64_value(7);
  NormalizeValue(Def(v1::INT64), &v);
  EXPECT_EQ(v.int64_value(), 7);
}

// ---------------------------------------------------------------------------------------
// Masking

TEST(MaskTextTest, KeepEnds) {
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::KEEP_ENDS, 4, 4), "350403194503120012"),
            "3504**********0012");
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::KEEP_ENDS, 3, 4), "13812345678"), "138****5678");
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::KEEP_ENDS, 4, 0), "1945-03-12"), "1945******");
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::KEEP_ENDS, 0, 4), "1945-03-12"), "******3-12");
}

TEST(MaskTextTest, KeepEndsHidesShortValuesWhole) {
  // Keeping 3 + 4 of 10 characters would hide only 3: everything is hidden.
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::KEEP_ENDS, 3, 4), "1381234567"), "**********");
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::KEEP_ENDS, 4, 4), "1234567"), "*******");
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::KEEP_ENDS, 1, 0), "abcd"), "****");
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::KEEP_ENDS, 1, 0), "abcde"), "a****");
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::KEEP_ENDS, 4, 4), ""), "");
  // Negative counts are treated as zero.
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::KEEP_ENDS, -2, -2), "abcdef"), "******");
}

TEST(MaskTextTest, Name) {
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::NAME), "宋文富"), "宋**");
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::NAME), "欧阳娜娜"), "欧***");
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::NAME), "张三"), "张*");
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::NAME), "宋"), "*");
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::NAME), "Li Lei"), "L*****");
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::NAME), ""), "");
}

TEST(MaskTextTest, FullAndUnspecified) {
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::FULL), "abc"), "***");
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::FULL), "汉族"), "**");
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::FULL, 2, 2), "abcdefgh"), "********");
  EXPECT_EQ(MaskText(v1::MaskRule(), "13812345678"), "***********");
}

TEST(MaskTextTest, MasksPerCharacter) {
  // 13 characters (39 bytes): 6 kept, 7 hidden.
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::KEEP_ENDS, 6, 0), "福建省三明市三元区列东街道"),
            "福建省三明市*******");
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::KEEP_ENDS, 1, 1), "三明市a三元区"), "三*****区");
  // Two-byte and four-byte characters count as one each.
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::FULL), "é😀x"), "***");
  EXPECT_EQ(MaskText(Rule(v1::MaskRule::KEEP_ENDS, 1, 1), "😀abcd😀"), "😀****😀");
}

TEST(MaskValueTest, UsesTheFieldsRuleOnTheTextForm) {
  v1::FieldDefinition id = Def(v1::STRING, false, v1::RESIDENT_ID_NUMBER);
  *id.mutable_mask() = Rule(v1::MaskRule::KEEP_ENDS, 4, 4);
  EXPECT_EQ(MaskValue(id, Str("350403194503120012")), "3504**********0012");

  v1::FieldDefinition birth = Def(v1::DATE);
  *birth.mutable_mask() = Rule(v1::MaskRule::KEEP_ENDS, 4, 0);
  v1::Value date;
  *date.mutable_date_value() = MakeDate(1945, 3, 12);
  EXPECT_EQ(MaskValue(birth, date), "1945******");

  // Without a rule everything is hidden, keeping the length.
  v1::Value ref;
  ref.set_reference_value("enterprises/91350400MA2YQ8KX1E");
  EXPECT_EQ(MaskValue(Def(v1::REFERENCE), ref), std::string(30, '*'));

  v1::FieldDefinition names = Def(v1::STRING, true);
  *names.mutable_mask() = Rule(v1::MaskRule::FULL);
  v1::Value list;
  *list.mutable_list_value()->add_values() = Str("甲");
  *list.mutable_list_value()->add_values() = Str("乙");
  EXPECT_EQ(MaskValue(names, list), "***");
}

}  // namespace
}  // namespace collectonce::catalog
