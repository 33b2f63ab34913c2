#include "libs/catalog/catalog.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "libs/catalog/decimal.h"
#include "libs/catalog/subject.h"
#include "libs/catalog/value_text.h"
#include "libs/ident/division.h"
#include "libs/ident/resident_id.h"
#include "libs/ident/uscc.h"
#include "re2/re2.h"

namespace collectonce::catalog {

namespace {

// Strings without a max_length are still bounded: hostile input must not grow records.
constexpr int kDefaultMaxLength = 4096;
constexpr int kDefaultMaxItems = 256;

bool IsIdentifier(absl::string_view s) {
  if (s.empty() || s.size() > 63 || s[0] < 'a' || s[0] > 'z') return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// Counts code points; returns -1 for invalid UTF-8.
int Utf8Length(absl::string_view s) {
  int n = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xe  ? 3
                 : (c >> 3) == 0x1e ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return -1;
    uint32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return -1;
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 either.
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return -1;
    i += len;
    ++n;
  }
  return n;
}

std::optional<absl::CivilDay> ToCivilDay(const google::type::Date& d) {
  if (d.year() < 1 || d.year() > 9999 || d.month() < 1 || d.month() > 12 || d.day() < 1) {
    return std::nullopt;
  }
  absl::CivilDay day(d.year(), d.month(), d.day());
  if (day.year() != d.year() || day.month() != d.month() || day.day() != d.day()) {
    return std::nullopt;  // normalised: 31 February became 3 March
  }
  return day;
}

}  // namespace

struct Catalog::FieldInfo {
  const v1::FieldDefinition* def = nullptr;
  std::unique_ptr<re2::RE2> pattern;
  std::optional<int64_t> min_int, max_int;
  std::optional<Decimal> min_dec, max_dec;
  std::optional<absl::CivilDay> min_date, max_date;
  absl::flat_hash_map<std::string, int> precedence;
};

v1::Value::KindCase ExpectedKind(v1::FieldType type) {
  switch (type) {
    case v1::STRING:
      return v1::Value::kStringValue;
    case v1::INT64:
      return v1::Value::kInt64Value;
    case v1::DECIMAL:
      return v1::Value::kDecimalValue;
    case v1::DATE:
      return v1::Value::kDateValue;
    case v1::TIMESTAMP:
      return v1::Value::kTimestampValue;
    case v1::BOOL:
      return v1::Value::kBoolValue;
    case v1::CODE:
      return v1::Value::kCodeValue;
    case v1::REFERENCE:
      return v1::Value::kReferenceValue;
    default:
      return v1::Value::KIND_NOT_SET;
  }
}

std::string TypeName(const v1::FieldDefinition& def) {
  std::string base = absl::AsciiStrToLower(v1::FieldType_Name(def.type()));
  return def.repeated() ? absl::StrCat("repeated ", base) : base;
}

Catalog::Catalog(v1::Catalog proto) : proto_(std::move(proto)) {}
Catalog::~Catalog() = default;

absl::StatusOr<std::shared_ptr<const Catalog>> Catalog::Compile(const v1::Catalog& proto,
                                                                Violations* violations) {
  Violations local;
  Violations& out = violations ? *violations : local;
  const size_t first = out.size();
  auto add = [&out](std::string field, std::string rule, std::string message) {
    out.push_back({std::move(field), std::move(rule), std::move(message)});
  };

  std::shared_ptr<Catalog> cat(new Catalog(proto));
  const v1::Catalog& p = cat->proto_;
  if (p.kind() != v1::ENTERPRISE && p.kind() != v1::PERSON) {
    add("kind", "REQUIRED", "kind must be ENTERPRISE or PERSON");
  } else {
    std::string expected = absl::StrCat("catalogs/", KindName(p.kind()));
    if (p.name().empty()) {
      cat->proto_.set_name(expected);
    } else if (p.name() != expected) {
      add("name", "NAME",
          absl::StrCat("name must be '", expected, "' for kind ", v1::SubjectKind_Name(p.kind())));
    }
  }

  absl::flat_hash_map<std::string, bool> sources;
  for (int i = 0; i < p.sources_size(); ++i) {
    const auto& s = p.sources(i);
    std::string path = absl::StrCat("sources[", i, "].name");
    if (s.name().empty() || s.name().size() > 128) {
      add(path, "REQUIRED", "a source needs a name of 1 to 128 characters");
    } else if (!sources.emplace(s.name(), true).second) {
      add(path, "DUPLICATE", absl::StrCat("source '", s.name(), "' is listed twice"));
    }
  }

  for (int i = 0; i < p.code_lists_size(); ++i) {
    const auto& cl = p.code_lists(i);
    std::string path = absl::StrCat("code_lists[", i, "]");
    if (!IsIdentifier(cl.name())) {
      add(path + ".name", "NAME", "a code list name is lower_snake_case, 1 to 63 characters");
      continue;
    }
    auto [it, inserted] = cat->code_lists_.try_emplace(cl.name());
    if (!inserted) {
      add(path + ".name", "DUPLICATE",
          absl::StrCat("code list '", cl.name(), "' is defined twice"));
      continue;
    }
    if (cl.codes_size() == 0) add(path + ".codes", "REQUIRED", "a code list needs codes");
    for (int k = 0; k < cl.codes_size(); ++k) {
      const auto& c = cl.codes(k);
      if (c.code().empty() || c.code().size() > 32) {
        add(absl::StrCat(path, ".codes[", k, "].code"), "REQUIRED", "a code is 1 to 32 characters");
      } else if (!it->second.emplace(c.code(), c.label()).second) {
        add(absl::StrCat(path, ".codes[", k, "].code"), "DUPLICATE",
            absl::StrCat("code '", c.code(), "' appears twice in '", cl.name(), "'"));
      }
    }
  }

  for (int i = 0; i < p.fields_size(); ++i) {
    const v1::FieldDefinition& f = p.fields(i);
    const std::string path = absl::StrCat("fields[", i, "]");
    if (!IsIdentifier(f.name())) {
      add(path + ".name", "NAME",
          "a field name is lower_snake_case: a-z first, then a-z, 0-9 or '_', at most 63");
      continue;
    }
    if (cat->fields_.contains(f.name())) {
      add(path + ".name", "DUPLICATE", absl::StrCat("field '", f.name(), "' is defined twice"));
      continue;
    }
    auto info = std::make_unique<FieldInfo>();
    info->def = &f;
    const std::string fp = absl::StrCat(path, " (", f.name(), ")");
    if (f.label().empty()) add(fp + ".label", "REQUIRED", "every field needs a label");
    if (ExpectedKind(f.type()) == v1::Value::KIND_NOT_SET) {
      add(fp + ".type", "REQUIRED", "type must be set");
    }
    if (f.min_length() < 0 || f.max_length() < 0 ||
        (f.max_length() > 0 && f.min_length() > f.max_length())) {
      add(fp + ".max_length", "RANGE", "lengths must be non-negative and min <= max");
    }
    if (f.max_length() > 65536) add(fp + ".max_length", "RANGE", "max_length is at most 65536");
    if (!f.pattern().empty()) {
      if (f.type() != v1::STRING) {
        add(fp + ".pattern", "TYPE", "a pattern applies to string fields only");
      } else {
        re2::RE2::Options opts;
        opts.set_log_errors(false);
        info->pattern = std::make_unique<re2::RE2>(f.pattern(), opts);
        if (!info->pattern->ok()) {
          add(fp + ".pattern", "PATTERN",
              absl::StrCat("pattern does not compile: ", info->pattern->error()));
        }
      }
    }
    if (f.format() != v1::FIELD_FORMAT_UNSPECIFIED && f.type() != v1::STRING) {
      add(fp + ".format", "TYPE", "a format applies to string fields only");
    }
    auto bound = [&](const std::string& text, absl::string_view which) {
      if (text.empty()) return;
      std::string bp = absl::StrCat(fp, ".", which);
      switch (f.type()) {
        case v1::INT64: {
          int64_t v;
          if (!absl::SimpleAtoi(text, &v)) {
            add(bp, "RANGE", "bound must be an integer");
          } else {
            (which == "minimum" ? info->min_int : info->max_int) = v;
          }
          break;
        }
        case v1::DECIMAL: {
          auto d = ParseDecimal(text);
          if (!d.ok()) {
            add(bp, "RANGE", absl::StrCat("bound: ", d.status().message()));
          } else {
            (which == "minimum" ? info->min_dec : info->max_dec) = *d;
          }
          break;
        }
        case v1::DATE: {
          auto d = ParseDateText(text);
          if (!d.ok()) {
            add(bp, "RANGE", absl::StrCat("bound: ", d.status().message()));
          } else {
            (which == "minimum" ? info->min_date : info->max_date) = *ToCivilDay(*d);
          }
          break;
        }
        default:
          add(bp, "TYPE", "bounds apply to int64, decimal and date fields only");
      }
    };
    bound(f.minimum(), "minimum");
    bound(f.maximum(), "maximum");
    if ((info->min_int && info->max_int && *info->min_int > *info->max_int) ||
        (info->min_dec && info->max_dec && CompareDecimal(*info->min_dec, *info->max_dec) > 0) ||
        (info->min_date && info->max_date && *info->min_date > *info->max_date)) {
      add(fp + ".minimum", "RANGE", "minimum is greater than maximum");
    }
    if (f.scale() != 0 && (f.type() != v1::DECIMAL || f.scale() < 0 || f.scale() > 18)) {
      add(fp + ".scale", "RANGE", "scale applies to decimal fields and is 0 to 18");
    }
    if (f.type() == v1::CODE) {
      if (!cat->code_lists_.contains(f.code_list())) {
        add(fp + ".code_list", "REFERENCE",
            absl::StrCat("code list '", f.code_list(), "' is not defined in this catalog"));
      }
    } else if (!f.code_list().empty()) {
      add(fp + ".code_list", "TYPE", "a code list applies to code fields only");
    }
    if (f.type() == v1::REFERENCE && f.reference_kind() != v1::ENTERPRISE &&
        f.reference_kind() != v1::PERSON) {
      add(fp + ".reference_kind", "REQUIRED", "a reference field names the kind it refers to");
    }
    if (f.max_items() != 0 && (!f.repeated() || f.max_items() < 0)) {
      add(fp + ".max_items", "TYPE", "max_items applies to repeated fields and is positive");
    }
    if (f.mask().kind() == v1::MaskRule::KEEP_ENDS &&
        (f.mask().keep_prefix() < 0 || f.mask().keep_suffix() < 0)) {
      add(fp + ".mask", "RANGE", "keep_prefix and keep_suffix are non-negative");
    }
    if (f.freshness().seconds() < 0) add(fp + ".freshness", "RANGE", "freshness is not negative");
    if (f.dispute_working_days() < 0 || f.dispute_working_days() > 60) {
      add(fp + ".dispute_working_days", "RANGE", "0 (the default of 5) to 60 working days");
    }
    for (int k = 0; k < f.sources_size(); ++k) {
      const auto& s = f.sources(k);
      if (!sources.contains(s.source())) {
        add(absl::StrCat(fp, ".sources[", k, "]"), "REFERENCE",
            absl::StrCat("source '", s.source(), "' is not in the catalog's sources"));
      }
      if (!info->precedence.emplace(s.source(), s.precedence()).second) {
        add(absl::StrCat(fp, ".sources[", k, "]"), "DUPLICATE",
            absl::StrCat("source '", s.source(), "' is listed twice"));
      }
    }
    cat->fields_.emplace(f.name(), std::move(info));
  }

  auto field_of_type = [&](absl::string_view path, absl::string_view name, v1::FieldType type,
                           v1::FieldFormat format) {
    const v1::FieldDefinition* f = cat->FindField(name);
    if (f == nullptr) {
      add(std::string(path), "REFERENCE", absl::StrCat("field '", name, "' is not defined"));
    } else if (f->type() != type || f->repeated() ||
               (format != v1::FIELD_FORMAT_UNSPECIFIED && f->format() != format)) {
      add(std::string(path), "TYPE",
          absl::StrCat("field '", name, "' must be a single ",
                       absl::AsciiStrToLower(v1::FieldType_Name(type)),
                       format != v1::FIELD_FORMAT_UNSPECIFIED
                           ? absl::StrCat(" with format ", v1::FieldFormat_Name(format))
                           : ""));
    }
  };
  if (!p.lookup_field().empty()) {
    field_of_type("lookup_field", p.lookup_field(), v1::STRING, v1::RESIDENT_ID_NUMBER);
  } else if (p.kind() == v1::PERSON) {
    add("lookup_field", "REQUIRED", "a person catalog names the ID number field in lookup_field");
  }
  for (int i = 0; i < p.rules_size(); ++i) {
    const auto& r = p.rules(i);
    std::string path = absl::StrCat("rules[", i, "]");
    if (r.has_resident_id_agreement()) {
      const auto& a = r.resident_id_agreement();
      field_of_type(path + ".id_number_field", a.id_number_field(), v1::STRING,
                    v1::RESIDENT_ID_NUMBER);
      if (!a.birth_date_field().empty()) {
        field_of_type(path + ".birth_date_field", a.birth_date_field(), v1::DATE,
                      v1::FIELD_FORMAT_UNSPECIFIED);
      }
      if (!a.gender_field().empty()) {
        field_of_type(path + ".gender_field", a.gender_field(), v1::CODE,
                      v1::FIELD_FORMAT_UNSPECIFIED);
      }
    } else {
      add(path, "REQUIRED", "a rule must say which rule it is");
    }
  }

  if (out.size() > first) {
    return ViolationsToStatus(Violations(out.begin() + first, out.end()), "catalog");
  }
  return std::shared_ptr<const Catalog>(std::move(cat));
}

const v1::FieldDefinition* Catalog::FindField(absl::string_view name) const {
  auto it = fields_.find(name);
  return it == fields_.end() ? nullptr : it->second->def;
}

int Catalog::Precedence(const v1::FieldDefinition& def, absl::string_view source) const {
  auto it = fields_.find(def.name());
  if (it == fields_.end()) return INT32_MAX;
  auto p = it->second->precedence.find(source);
  return p == it->second->precedence.end() ? INT32_MAX : p->second;
}

absl::string_view Catalog::CodeLabel(absl::string_view code_list, absl::string_view code) const {
  auto it = code_lists_.find(code_list);
  if (it == code_lists_.end()) return {};
  auto c = it->second.find(code);
  return c == it->second.end() ? absl::string_view() : absl::string_view(c->second);
}

void Catalog::CheckValue(const v1::FieldDefinition& def, const v1::Value& value,
                         absl::CivilDay today, absl::string_view path, Violations* out) const {
  auto add = [&](std::string rule, std::string message) {
    out->push_back({std::string(path), std::move(rule), std::move(message)});
  };
  auto it = fields_.find(def.name());
  if (it == fields_.end()) {
    add("UNKNOWN_FIELD", "the catalog has no such field");
    return;
  }
  const FieldInfo& info = *it->second;
  if (def.repeated()) {
    if (value.kind_case() != v1::Value::kListValue) {
      add("TYPE", absl::StrCat("expected a list (", TypeName(def), ")"));
      return;
    }
    int max_items = def.max_items() > 0 ? def.max_items() : kDefaultMaxItems;
    const auto& items = value.list_value().values();
    if (items.size() > max_items) {
      add("LENGTH", absl::StrCat("at most ", max_items, " items, got ", items.size()));
      return;
    }
    v1::FieldDefinition element = def;
    element.set_repeated(false);
    // The element definition shares this field's name, so FieldInfo lookups still work.
    for (int i = 0; i < items.size(); ++i) {
      CheckValue(element, items[i], today, absl::StrCat(path, "[", i, "]"), out);
    }
    return;
  }
  if (value.kind_case() != ExpectedKind(def.type())) {
    add("TYPE", absl::StrCat("expected a ", TypeName(def), " value"));
    return;
  }
  switch (def.type()) {
    case v1::STRING: {
      const std::string& s = value.string_value();
      int len = Utf8Length(s);
      if (len < 0) {
        add("ENCODING", "is not valid UTF-8");
        return;
      }
      int max_len = def.max_length() > 0 ? def.max_length() : kDefaultMaxLength;
      if (len < def.min_length() || len > max_len) {
        add("LENGTH",
            absl::StrCat("must be ", def.min_length(), " to ", max_len, " characters, got ", len));
        return;
      }
      if (def.required() && len == 0) {
        add("REQUIRED", "must not be empty");
        return;
      }
      switch (def.format()) {
        case v1::RESIDENT_ID_NUMBER: {
          auto id = ident::ParseResidentId(s, today);
          if (!id.ok()) add("FORMAT", std::string(id.status().message()));
          return;  // the format is stricter than any pattern
        }
        case v1::UNIFIED_SOCIAL_CREDIT_CODE: {
          auto u = ident::ParseUscc(s);
          if (!u.ok()) add("FORMAT", std::string(u.status().message()));
          return;
        }
        case v1::MOBILE_PHONE: {
          static const re2::RE2 kMobile("1[3-9][0-9]{9}");
          if (!re2::RE2::FullMatch(s, kMobile)) {
            add("FORMAT", "is not a mobile number (11 digits starting 13-19)");
            return;
          }
          break;
        }
        case v1::PHONE: {
          static const re2::RE2 kPhone("1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}");
          if (!re2::RE2::FullMatch(s, kPhone)) {
            add("FORMAT", "is not a phone number (a mobile number, or 0598-8234567)");
            return;
          }
          break;
        }
        case v1::DIVISION_CODE: {
          static const re2::RE2 kDivision("[1-8][0-9]{5}");
          if (!re2::RE2::FullMatch(s, kDivision)) {
            add("FORMAT", "is not a six-digit GB/T 2260 division code");
            return;
          }
          // A division code field says where the subject is now: within Sanming it must
          // exist and be current (docs/api.md).
          std::string rule;
          if (std::string problem = ident::CurrentDivisionProblem(s, &rule); !problem.empty()) {
            add(rule, problem);
            return;
          }
          break;
        }
        default:
          break;
      }
      if (info.pattern && !re2::RE2::FullMatch(s, *info.pattern)) {
        add("PATTERN", absl::StrCat("does not match the pattern of ", def.label()));
      }
      return;
    }
    case v1::INT64: {
      int64_t v = value.int64_value();
      if ((info.min_int && v < *info.min_int) || (info.max_int && v > *info.max_int)) {
        add("RANGE",
            absl::StrCat("must be between ", def.minimum().empty() ? "-inf" : def.minimum(),
                         " and ", def.maximum().empty() ? "+inf" : def.maximum()));
      }
      return;
    }
    case v1::DECIMAL: {
      auto d = ParseDecimal(value.decimal_value());
      if (!d.ok()) {
        add("FORMAT", std::string(d.status().message()));
        return;
      }
      if (d->ToString() != value.decimal_value()) {
        add("FORMAT", "a decimal must be in canonical form (no leading or trailing zeros)");
        return;
      }
      if (def.scale() > 0 && d->scale() > def.scale()) {
        add("SCALE", absl::StrCat("at most ", def.scale(), " digits after the point"));
      }
      if ((info.min_dec && CompareDecimal(*d, *info.min_dec) < 0) ||
          (info.max_dec && CompareDecimal(*d, *info.max_dec) > 0)) {
        add("RANGE",
            absl::StrCat("must be between ", def.minimum().empty() ? "-inf" : def.minimum(),
                         " and ", def.maximum().empty() ? "+inf" : def.maximum()));
      }
      return;
    }
    case v1::DATE: {
      auto day = ToCivilDay(value.date_value());
      if (!day) {
        add("FORMAT", absl::StrCat("is not a calendar date (", value.date_value().year(), "-",
                                   value.date_value().month(), "-", value.date_value().day(), ")"));
        return;
      }
      if ((info.min_date && *day < *info.min_date) || (info.max_date && *day > *info.max_date)) {
        add("RANGE",
            absl::StrCat("must be between ", def.minimum().empty() ? "any date" : def.minimum(),
                         " and ", def.maximum().empty() ? "any date" : def.maximum()));
      }
      return;
    }
    case v1::TIMESTAMP: {
      const auto& t = value.timestamp_value();
      // 0001-01-01 to 9999-12-31, as google.protobuf.Timestamp allows.
      if (t.seconds() < -62135596800 || t.seconds() > 253402300799 || t.nanos() < 0 ||
          t.nanos() > 999999999) {
        add("FORMAT", "is not a valid timestamp");
      }
      return;
    }
    case v1::BOOL:
      return;
    case v1::CODE: {
      auto cl = code_lists_.find(def.code_list());
      if (cl == code_lists_.end() || !cl->second.contains(value.code_value())) {
        add("CODE", absl::StrCat("is not a code of the list '", def.code_list(), "'"));
      }
      return;
    }
    case v1::REFERENCE: {
      auto name = ParseSubjectName(value.reference_value());
      if (!name.ok()) {
        add("REFERENCE", std::string(name.status().message()));
      } else if (name->kind != def.reference_kind()) {
        add("REFERENCE", absl::StrCat("must refer to a ", KindName(def.reference_kind())));
      } else if (name->ToString() != value.reference_value()) {
        add("REFERENCE", "must be in canonical form (upper-case credit code)");
      }
      return;
    }
    default:
      add("TYPE", "the field has no type");
  }
}

void Catalog::CheckRecord(const FieldValues& fields, absl::CivilDay today, Violations* out) const {
  for (const auto& f : proto_.fields()) {
    if (f.required() && !fields.contains(f.name())) {
      out->push_back({f.name(), "REQUIRED", absl::StrCat(f.label(), " is required")});
    }
  }
  for (const auto& rule : proto_.rules()) {
    if (!rule.has_resident_id_agreement()) continue;
    const auto& a = rule.resident_id_agreement();
    auto id_it = fields.find(a.id_number_field());
    if (id_it == fields.end()) continue;
    auto id = ident::ParseResidentId(id_it->second->string_value(), today);
    if (!id.ok()) continue;  // reported by CheckValue
    if (auto b = fields.find(a.birth_date_field());
        !a.birth_date_field().empty() && b != fields.end()) {
      auto day = ToCivilDay(b->second->date_value());
      if (day && *day != id->birth_date) {
        out->push_back({a.birth_date_field(), "CROSS_FIELD",
                        absl::StrCat("does not agree with the birth date in ", a.id_number_field(),
                                     " (", absl::FormatCivilTime(id->birth_date), ")")});
      }
    }
    if (auto g = fields.find(a.gender_field()); !a.gender_field().empty() && g != fields.end()) {
      const std::string expected = id->gender == ident::Gender::kMale ? "1" : "2";
      const std::string& code = g->second->code_value();
      if ((code == "1" || code == "2") && code != expected) {
        out->push_back({a.gender_field(), "CROSS_FIELD",
                        absl::StrCat("does not agree with the sex encoded in ", a.id_number_field(),
                                     " (code ", expected, ")")});
      }
    }
  }
}

void Catalog::CheckEvolutionFrom(const Catalog& old_catalog, Violations* out) const {
  if (old_catalog.kind() != kind()) {
    out->push_back({"kind", "IMMUTABLE", "the kind of a catalog cannot change"});
  }
  for (int i = 0; i < old_catalog.proto_.fields_size(); ++i) {
    const auto& of = old_catalog.proto_.fields(i);
    const v1::FieldDefinition* nf = FindField(of.name());
    if (nf == nullptr) {
      out->push_back({of.name(), "FIELD_REMOVED",
                      "a field cannot be removed or renamed; set deprecated: true instead"});
      continue;
    }
    if (nf->type() != of.type() || nf->repeated() != of.repeated()) {
      out->push_back({of.name(), "TYPE_CHANGED",
                      absl::StrCat("type cannot change from ", TypeName(of), " to ", TypeName(*nf),
                                   "; add a new field instead")});
    }
    if (nf->type() == v1::REFERENCE && nf->reference_kind() != of.reference_kind()) {
      out->push_back({of.name(), "TYPE_CHANGED", "the kind a reference refers to cannot change"});
    }
  }
  if (old_catalog.proto_.lookup_field() != proto_.lookup_field()) {
    out->push_back({"lookup_field", "IMMUTABLE", "the lookup field cannot change"});
  }
}

absl::StatusOr<v1::Catalog> ParseCatalogText(absl::string_view text) {
  class Collector : public google::protobuf::io::ErrorCollector {
   public:
    void AddError(int line, int column, const std::string& message) override {
      if (errors.empty()) {
        errors = absl::StrCat("line ", line + 1, " column ", column + 1, ": ", message);
      }
    }
    std::string errors;
  };
  Collector collector;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&collector);
  v1::Catalog catalog;
  if (!parser.ParseFromString(std::string(text), &catalog)) {
    return absl::InvalidArgumentError(absl::StrCat("catalog text: ", collector.errors));
  }
  return catalog;
}

absl::Status ViolationsToStatus(const Violations& violations, absl::string_view what) {
  if (violations.empty()) return absl::OkStatus();
  std::vector<std::string> parts;
  for (const auto& v : violations) {
    parts.push_back(v.field.empty() ? v.message : absl::StrCat(v.field, ": ", v.message));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      what, " has ", violations.size(),
      violations.size() == 1 ? " problem: " : " problems: ", absl::StrJoin(parts, "; ")));
}

}  // namespace collectonce::catalog
