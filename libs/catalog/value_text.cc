#include "libs/catalog/value_text.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "libs/catalog/decimal.h"
#include "libs/catalog/subject.h"

namespace collectonce::catalog {

namespace v1 = ::collectonce::registry::v1;

absl::StatusOr<google::type::Date> ParseDateText(absl::string_view text) {
  // Digits by hand: absl::ParseCivilTime rejects 30 February as malformed, and
  // absl::FormatCivilTime does not pad years before 1000 ("5-01-02").
  auto digits = [text](size_t pos, size_t n) {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || digits(0, 4) < 0 ||
      digits(5, 2) < 0 || digits(8, 2) < 0) {
    return absl::InvalidArgumentError("expected a date as YYYY-MM-DD");
  }
  const int year = digits(0, 4), month = digits(5, 2), day_of_month = digits(8, 2);
  if (year < 1) return absl::InvalidArgumentError("year must be 1 to 9999");
  const absl::CivilDay day(year, month, day_of_month);
  if (day.year() != year || day.month() != month || day.day() != day_of_month) {
    return absl::InvalidArgumentError("is not a calendar date");
  }
  google::type::Date d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day_of_month);
  return d;
}

std::string FormatDate(const google::type::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

std::string FormatValue(const v1::Value& value) {
  switch (value.kind_case()) {
    case v1::Value::kStringValue:
      return value.string_value();
    case v1::Value::kInt64Value:
      return absl::StrCat(value.int64_value());
    case v1::Value::kDecimalValue:
      return value.decimal_value();
    case v1::Value::kDateValue:
      return FormatDate(value.date_value());
    case v1::Value::kTimestampValue: {
      absl::Time t = absl::FromUnixSeconds(value.timestamp_value().seconds()) +
                     absl::Nanoseconds(value.timestamp_value().nanos());
      // %E4Y: RFC 3339 years have four digits, also before 1000.
      return absl::FormatTime("%E4Y-%m-%d%ET%H:%M:%E*SZ", t, absl::UTCTimeZone());
    }
    case v1::Value::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case v1::Value::kCodeValue:
      return value.code_value();
    case v1::Value::kReferenceValue:
      return value.reference_value();
    case v1::Value::kListValue: {
      std::vector<std::string> parts;
      for (const auto& v : value.list_value().values()) parts.push_back(FormatValue(v));
      return absl::StrJoin(parts, "|");
    }
    default:
      return "";
  }
}

namespace {

absl::StatusOr<v1::Value> ParseScalar(const v1::FieldDefinition& def, absl::string_view text) {
  v1::Value v;
  switch (def.type()) {
    case v1::STRING:
      v.set_string_value(std::string(text));
      return v;
    case v1::INT64: {
      int64_t n;
      if (!absl::SimpleAtoi(text, &n)) return absl::InvalidArgumentError("expected an integer");
      v.set_int64_value(n);
      return v;
    }
    case v1::DECIMAL: {
      auto d = ParseDecimal(text);
      if (!d.ok()) return d.status();
      v.set_decimal_value(d->ToString());
      return v;
    }
    case v1::DATE: {
      auto d = ParseDateText(text);
      if (!d.ok()) return d.status();
      *v.mutable_date_value() = *d;
      return v;
    }
    case v1::TIMESTAMP: {
      absl::Time t;
      std::string err;
      if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &err) ||
          t == absl::InfiniteFuture() || t == absl::InfinitePast()) {
        return absl::InvalidArgumentError("expected an RFC 3339 timestamp");
      }
      // Not through int64 nanoseconds, which only reach 1677 to 2262.
      const int64_t seconds = absl::ToUnixSeconds(t);  // rounds down
      auto* ts = v.mutable_timestamp_value();
      ts->set_seconds(seconds);
      ts->set_nanos(
          static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
      return v;
    }
    case v1::BOOL:
      if (text == "true" || text == "1" || text == "是") {
        v.set_bool_value(true);
      } else if (text == "false" || text == "0" || text == "否") {
        v.set_bool_value(false);
      } else {
        return absl::InvalidArgumentError("expected true or false");
      }
      return v;
    case v1::CODE:
      v.set_code_value(std::string(text));
      return v;
    case v1::REFERENCE:
      v.set_reference_value(std::string(text));
      return v;
    default:
      return absl::InvalidArgumentError("the field has no type");
  }
}

}  // namespace

absl::StatusOr<v1::Value> ParseValueText(const v1::FieldDefinition& def, absl::string_view text) {
  if (!def.repeated()) {
    auto v = ParseScalar(def, text);
    if (v.ok()) NormalizeValue(def, &*v);
    return v;
  }
  v1::Value out;
  auto* list = out.mutable_list_value();
  if (text.empty()) return out;
  for (absl::string_view part : absl::StrSplit(text, '|')) {
    auto v = ParseScalar(def, part);
    if (!v.ok()) return v.status();
    *list->add_values() = *std::move(v);
  }
  NormalizeValue(def, &out);
  return out;
}

void NormalizeValue(const v1::FieldDefinition& def, v1::Value* value) {
  switch (value->kind_case()) {
    case v1::Value::kListValue:
      for (auto& v : *value->mutable_list_value()->mutable_values()) NormalizeValue(def, &v);
      return;
    case v1::Value::kDecimalValue: {
      auto d = ParseDecimal(value->decimal_value());
      if (d.ok()) value->set_decimal_value(d->ToString());
      return;
    }
    case v1::Value::kStringValue:
      if (def.format() == v1::RESIDENT_ID_NUMBER ||
          def.format() == v1::UNIFIED_SOCIAL_CREDIT_CODE) {
        absl::AsciiStrToUpper(value->mutable_string_value());
      }
      return;
    case v1::Value::kReferenceValue: {
      auto name = ParseSubjectName(value->reference_value());
      if (name.ok()) value->set_reference_value(name->ToString());
      return;
    }
    default:
      return;
  }
}

std::string MaskText(const v1::MaskRule& rule, absl::string_view text) {
  // Work on code points so that Chinese text is masked per character.
  std::vector<absl::string_view> chars;
  for (size_t i = 0; i < text.size();) {
    unsigned char c = text[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : 4;
    len = std::min(len, text.size() - i);
    chars.push_back(text.substr(i, len));
    i += len;
  }
  size_t n = chars.size();
  size_t keep_prefix = 0, keep_suffix = 0;
  switch (rule.kind()) {
    case v1::MaskRule::KEEP_ENDS:
      keep_prefix = static_cast<size_t>(std::max(0, rule.keep_prefix()));
      keep_suffix = static_cast<size_t>(std::max(0, rule.keep_suffix()));
      // A value too short to keep at least four characters hidden is hidden whole.
      if (keep_prefix + keep_suffix + 4 > n) keep_prefix = keep_suffix = 0;
      break;
    case v1::MaskRule::NAME:
      keep_prefix = n >= 2 ? 1 : 0;
      break;
    default:
      break;
  }
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i < keep_prefix || i >= n - keep_suffix) {
      out.append(chars[i].data(), chars[i].size());
    } else {
      out.push_back('*');
    }
  }
  return out;
}

std::string MaskValue(const v1::FieldDefinition& def, const v1::Value& value) {
  return MaskText(def.mask(), FormatValue(value));
}

}  // namespace collectonce::catalog
