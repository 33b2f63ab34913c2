#include "tools/datagen/population.h"

#include <cstdint>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/status_matchers.h"
#include "libs/catalog/catalog.h"
#include "libs/catalog/subject.h"
#include "libs/catalog/value_text.h"
#include "libs/ident/division.h"
#include "libs/ident/resident_id.h"
#include "libs/ident/uscc.h"

namespace collectonce::datagen {
namespace {

namespace v1 = ::collectonce::registry::v1;
using ::collectonce::testing::IsOk;
using Pairs = std::vector<std::pair<std::string, std::string>>;

// Fixed seeds, printed by every failure (SCOPED_TRACE).
constexpr uint64_t kSeed = 20250801;
// The shipped demo data: deploy/examples/demo/README.md gives the commands.
constexpr uint64_t kDemoSeed = 3504;
constexpr int kDemoEnterprises = 30;
constexpr int kDemoPersons = 100;

// Validation is as of the generator's reference day: birth dates must not be in the future.
constexpr absl::CivilDay kToday = kReferenceDay;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::shared_ptr<const catalog::Catalog> LoadCatalog(const std::string& kind) {
  const std::string text =
      ReadFile(absl::StrCat(COLLECTONCE_SOURCE_DIR, "/deploy/examples/catalog/", kind, ".txtpb"));
  auto proto = catalog::ParseCatalogText(text);
  EXPECT_THAT(proto, IsOk());
  if (!proto.ok()) return nullptr;
  auto compiled = catalog::Catalog::Compile(*proto);
  EXPECT_THAT(compiled, IsOk());
  return compiled.ok() ? *compiled : nullptr;
}

// Everything wrong with one import row, as the import would see it: the subject key, then
// every non-empty cell parsed as its field's text form, in canonical form, checked against
// the field, and the record against the catalog's rules. An empty cell means "no value".
std::vector<std::string> Problems(const catalog::Catalog& cat, const Pairs& row) {
  std::vector<std::string> problems;
  std::vector<v1::Value> values;
  values.reserve(row.size());
  catalog::Catalog::FieldValues record;  // names are views into `row`
  for (const auto& [field, text] : row) {
    if (field == "uscc") {  // the enterprise's key, not a catalog field
      auto uscc = ident::ParseUscc(text);
      if (!uscc.ok()) {
        problems.push_back(absl::StrCat("uscc: ", uscc.status().message()));
        continue;
      }
      if (uscc->code != text) problems.push_back("uscc: not upper case");
      if (!uscc->warnings.empty()) {
        problems.push_back(absl::StrCat("uscc: ", absl::StrJoin(uscc->warnings, "; ")));
      }
      auto name = catalog::ParseSubjectName(absl::StrCat("enterprises/", text));
      if (!name.ok()) problems.push_back(absl::StrCat("uscc: ", name.status().message()));
      continue;
    }
    if (text.empty()) continue;
    const v1::FieldDefinition* def = cat.FindField(field);
    if (def == nullptr) {
      problems.push_back(absl::StrCat(field, ": no such field in ", cat.proto().name()));
      continue;
    }
    auto value = catalog::ParseValueText(*def, text);
    if (!value.ok()) {
      problems.push_back(absl::StrCat(field, ": ", value.status().message()));
      continue;
    }
    v1::Value normalized = *value;
    catalog::NormalizeValue(*def, &normalized);
    if (normalized.SerializeAsString() != value->SerializeAsString()) {
      problems.push_back(absl::StrCat(field, ": not in canonical form"));
    }
    if (catalog::FormatValue(*value) != text) {
      problems.push_back(absl::StrCat(field, ": text form does not round-trip: '", text, "' -> '",
                                      catalog::FormatValue(*value), "'"));
    }
    catalog::Violations violations;
    cat.CheckValue(*def, *value, kToday, field, &violations);
    for (const auto& v : violations) {
      problems.push_back(absl::StrCat(v.field, ": ", v.rule, ": ", v.message, " ('", text, "')"));
    }
    if (def->format() == v1::RESIDENT_ID_NUMBER) {
      auto id = ident::ParseResidentId(text, kToday);
      if (id.ok() && !id->warnings.empty()) {
        problems.push_back(absl::StrCat(field, ": ", absl::StrJoin(id->warnings, "; ")));
      }
    }
    values.push_back(*std::move(value));
    record[field] = &values.back();
  }
  catalog::Violations violations;
  cat.CheckRecord(record, kToday, &violations);
  for (const auto& v : violations) {
    problems.push_back(absl::StrCat(v.field, ": ", v.rule, ": ", v.message));
  }
  return problems;
}

std::string Describe(const Pairs& row) {
  std::vector<std::string> parts;
  for (const auto& [f, t] : row) parts.push_back(absl::StrCat(f, "=", t));
  return absl::StrJoin(parts, ", ");
}

std::string Get(const Pairs& row, const std::string& field) {
  for (const auto& [f, t] : row) {
    if (f == field) return t;
  }
  ADD_FAILURE() << "no column " << field;
  return "";
}

// RFC 4180: fields separated by ',', optionally quoted with '"' (doubled inside); records
// end with LF or CRLF.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      record.push_back(std::move(field));
      field.clear();
      was_quoted = false;
      records.push_back(std::move(record));
      record.clear();
    } else {
      field.push_back(c);
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quoted field";
  if (!field.empty() || !record.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

std::vector<Pairs> ReadCsvRows(const std::string& path, absl::Span<const absl::string_view> names) {
  const auto records = ParseCsv(ReadFile(path));
  std::vector<Pairs> rows;
  if (records.empty()) {
    ADD_FAILURE() << path << " is empty";
    return rows;
  }
  EXPECT_EQ(records[0], std::vector<std::string>(names.begin(), names.end())) << path << ": header";
  for (size_t r = 1; r < records.size(); ++r) {
    EXPECT_EQ(records[r].size(), names.size()) << path << ": line " << r + 1;
    Pairs row;
    for (size_t i = 0; i < names.size() && i < records[r].size(); ++i) {
      row.emplace_back(std::string(names[i]), records[r][i]);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

class PopulationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    person_ = LoadCatalog("person");
    enterprise_ = LoadCatalog("enterprise");
    ASSERT_NE(person_, nullptr);
    ASSERT_NE(enterprise_, nullptr);
  }
  std::shared_ptr<const catalog::Catalog> person_, enterprise_;
};

TEST_F(PopulationTest, EveryGeneratedPersonValuePassesTheCatalog) {
  SCOPED_TRACE(absl::StrCat("seed ", kSeed));
  PopulationGenerator gen(kSeed, 300);
  absl::flat_hash_set<std::string> ids;
  std::set<std::string> codes, ethnicities, genders, marital, education;
  int employed = 0, failures = 0;
  for (int i = 0; i < 5000; ++i) {
    const PersonRow person = gen.NextPerson();
    const Pairs row = person.Pairs();
    const auto problems = Problems(*person_, row);
    if (!problems.empty() && ++failures <= 10) {
      ADD_FAILURE() << "person " << i << ": " << absl::StrJoin(problems, "; ") << "\n  "
                    << Describe(row);
    }
    EXPECT_TRUE(ids.insert(person.id_number).second) << "duplicate id_number at person " << i;
    auto id = ident::ParseResidentId(person.id_number, kToday);
    ASSERT_THAT(id, IsOk());
    EXPECT_EQ(person.id_number,
              ident::MakeResidentId(id->division_code, id->birth_date, id->sequence));
    codes.insert(person.id_number.substr(0, 6));
    ethnicities.insert(person.ethnicity);
    genders.insert(person.gender);
    marital.insert(person.marital_status);
    education.insert(person.education);
    if (!person.employer.empty()) ++employed;
    const int chars = static_cast<int>(person.name.size() / 3);
    EXPECT_TRUE(chars == 2 || chars == 3) << person.name;
    EXPECT_TRUE(absl::StartsWith(person.household_address, "三明市")) << person.household_address;
    EXPECT_GE(person.birth_date, "1930-01-01");
    EXPECT_LE(person.birth_date, "2008-12-31");
  }
  EXPECT_EQ(failures, 0);
  // Real county codes and the retired ones both occur.
  for (const ident::Division& d : ident::SanmingDivisions())
    EXPECT_TRUE(codes.count(std::string(d.code))) << d.code;
  for (const char* retired : {"350402", "350403", "350427"})
    EXPECT_TRUE(codes.count(retired)) << retired;
  EXPECT_TRUE(ethnicities.count("01"));
  EXPECT_TRUE(ethnicities.count("22"));
  EXPECT_EQ(genders, (std::set<std::string>{"1", "2"}));
  EXPECT_EQ(marital, (std::set<std::string>{"10", "20", "30", "40"}));
  EXPECT_EQ(education.size(), 8u);
  EXPECT_GT(employed, 1500);
  EXPECT_LT(employed, 4500);
}

TEST_F(PopulationTest, EveryGeneratedEnterpriseValuePassesTheCatalog) {
  SCOPED_TRACE(absl::StrCat("seed ", kSeed));
  PopulationGenerator gen(kSeed);
  absl::flat_hash_set<std::string> usccs;
  std::set<std::string> types, divisions;
  int failures = 0;
  for (int i = 0; i < 3000; ++i) {
    const EnterpriseRow enterprise = gen.NextEnterprise();
    const Pairs row = enterprise.Pairs();
    const auto problems = Problems(*enterprise_, row);
    if (!problems.empty() && ++failures <= 10) {
      ADD_FAILURE() << "enterprise " << i << ": " << absl::StrJoin(problems, "; ") << "\n  "
                    << Describe(row);
    }
    EXPECT_TRUE(usccs.insert(enterprise.uscc).second) << "duplicate uscc at enterprise " << i;
    EXPECT_TRUE(absl::StartsWith(enterprise.uscc, "91") || absl::StartsWith(enterprise.uscc, "93"))
        << enterprise.uscc;
    EXPECT_EQ(absl::StartsWith(enterprise.uscc, "93"), enterprise.enterprise_type == "9100");
    types.insert(enterprise.enterprise_type);
    divisions.insert(enterprise.division_code);
    EXPECT_NE(ident::FindDivision(enterprise.division_code), nullptr);
    EXPECT_FALSE(ident::FindDivision(enterprise.division_code)->retired);
    EXPECT_TRUE(absl::StartsWith(enterprise.registered_address, "三明市"));
  }
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(types.size(), 8u);
  EXPECT_EQ(divisions.size(), ident::SanmingDivisions().size());
}

TEST_F(PopulationTest, EmployersAreTheEnterprisesOfTheSameSeed) {
  SCOPED_TRACE(absl::StrCat("seed ", kSeed));
  constexpr int kEnterprises = 50;
  // What `datagen --kind enterprise --count 50 --seed kSeed` prints.
  PopulationGenerator enterprises(kSeed);
  std::vector<std::string> expected;
  for (int i = 0; i < kEnterprises; ++i) expected.push_back(enterprises.NextEnterprise().uscc);

  // What `datagen --kind person --enterprises 50 --seed kSeed` refers to.
  PopulationGenerator gen(kSeed, kEnterprises);
  EXPECT_EQ(gen.employer_usccs(), expected);
  const absl::flat_hash_set<std::string> allowed(expected.begin(), expected.end());
  std::set<std::string> used;
  for (int i = 0; i < 2000; ++i) {
    const PersonRow p = gen.NextPerson();
    if (p.employer.empty()) continue;
    ASSERT_TRUE(absl::StartsWith(p.employer, "enterprises/")) << p.employer;
    const std::string uscc = p.employer.substr(12);
    EXPECT_TRUE(allowed.contains(uscc)) << "person " << i << " works for unknown " << uscc;
    used.insert(uscc);
  }
  EXPECT_GT(used.size(), 10u);
  // Persons do not disturb the enterprise stream of the same generator.
  for (int i = 0; i < kEnterprises; ++i) EXPECT_EQ(gen.NextEnterprise().uscc, expected[i]);
}

// The validation above is not vacuous: broken rows are caught.
TEST_F(PopulationTest, ValidationCatchesBrokenRows) {
  PopulationGenerator gen(kSeed, 10);
  PersonRow person = gen.NextPerson();
  ASSERT_THAT(Problems(*person_, person.Pairs()), ::testing::IsEmpty());
  auto broken = [&](auto change) {
    PersonRow p = person;
    change(p);
    return Problems(*person_, p.Pairs());
  };
  using ::testing::Contains;
  using ::testing::HasSubstr;
  EXPECT_THAT(broken([](PersonRow& p) { p.gender = p.gender == "1" ? "2" : "1"; }),
              Contains(HasSubstr("CROSS_FIELD")));
  EXPECT_THAT(broken([](PersonRow& p) { p.birth_date = "1999-02-28"; }),
              Contains(HasSubstr("CROSS_FIELD")));
  EXPECT_THAT(
      broken([](PersonRow& p) { p.id_number.back() = p.id_number.back() == '1' ? '2' : '1'; }),
      Contains(HasSubstr("id_number")));
  EXPECT_THAT(broken([](PersonRow& p) { p.employer = "enterprises/91350400MA2YQ8KX1F"; }),
              Contains(HasSubstr("employer")));
  EXPECT_THAT(broken([](PersonRow& p) { p.ethnicity = "57"; }), Contains(HasSubstr("CODE")));
  EXPECT_THAT(broken([](PersonRow& p) { p.mobile_phone = "1234"; }), Contains(HasSubstr("FORMAT")));

  EnterpriseRow enterprise = gen.NextEnterprise();
  ASSERT_THAT(Problems(*enterprise_, enterprise.Pairs()), ::testing::IsEmpty());
  EnterpriseRow e = enterprise;
  e.registered_capital = "12.50";
  EXPECT_THAT(Problems(*enterprise_, e.Pairs()), Contains(HasSubstr("registered_capital")));
  e = enterprise;
  e.uscc.back() = e.uscc.back() == '0' ? '1' : '0';
  EXPECT_THAT(Problems(*enterprise_, e.Pairs()), Contains(HasSubstr("uscc")));
  e = enterprise;
  e.establishment_date = "1949-09-30";
  EXPECT_THAT(Problems(*enterprise_, e.Pairs()), Contains(HasSubstr("RANGE")));
  e = enterprise;
  e.industry_code = "C31301";
  EXPECT_THAT(Problems(*enterprise_, e.Pairs()), Contains(HasSubstr("PATTERN")));
}

TEST(PopulationGeneratorTest, SameSeedSameRowsOtherSeedOtherRows) {
  auto render = [](uint64_t seed) {
    PopulationGenerator gen(seed, 20);
    std::string out;
    for (int i = 0; i < 300; ++i) gen.NextPerson().AppendCsv(&out);
    for (int i = 0; i < 100; ++i) gen.NextEnterprise().AppendJsonl(&out);
    return out;
  };
  EXPECT_EQ(render(kSeed), render(kSeed));
  EXPECT_NE(render(kSeed), render(kSeed + 1));
}

TEST(PopulationGeneratorTest, IdNumbersStayUniqueInLargeRuns) {
  SCOPED_TRACE(absl::StrCat("seed ", kSeed));
  PopulationGenerator gen(kSeed);
  absl::flat_hash_set<std::string> ids;
  PersonRow row;
  for (int i = 0; i < 100000; ++i) {
    gen.NextPerson(&row);
    ASSERT_TRUE(ids.insert(row.id_number).second) << "duplicate at person " << i;
  }
}

TEST(CsvTest, QuotesOnlyWhereNeeded) {
  const std::string plain = "三明市三元区富文新村12幢301室", comma = "a,b", quote = "say \"hi\"",
                    newline = "line1\nline2", empty;
  const std::string* values[] = {&plain, &comma, &quote, &newline, &empty};
  std::string out;
  AppendCsvLine(values, &out);
  EXPECT_EQ(out, "三明市三元区富文新村12幢301室,\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\",\n");
  EXPECT_EQ(ParseCsv(out),
            (std::vector<std::vector<std::string>>{{plain, comma, quote, newline, empty}}));
}

TEST(JsonlTest, EscapesAndOmitsEmptyValues) {
  const absl::string_view names[] = {"a", "b", "c"};
  const std::string a = "宋\"文\\富\n", b, c = "1";
  const std::string* values[] = {&a, &b, &c};
  std::string out;
  AppendJsonlLine(names, values, &out);
  EXPECT_EQ(out, "{\"a\":\"宋\\\"文\\\\富\\n\",\"c\":\"1\"}\n");
}

TEST(EscapingTest, FindsSpecialCharactersAtEveryPosition) {
  // The checks look at eight bytes at a time; put the character at each position of a
  // 20-byte value, among UTF-8 bytes.
  for (size_t pos = 0; pos < 20; ++pos) {
    for (char special : {',', '"', '\n', '\r', '\t', '\\'}) {
      std::string v = "三明市三元区富文";  // 24 bytes
      v.resize(20);                        // cut mid-character: bytes are all that matter here
      v[pos] = special;
      const std::string* values[] = {&v};
      std::string csv;
      AppendCsvLine(values, &csv);
      const bool csv_special =
          special == ',' || special == '"' || special == '\n' || special == '\r';
      EXPECT_EQ(csv.front() == '"', csv_special) << "csv, position " << pos;
      const absl::string_view names[] = {"k"};
      std::string json;
      AppendJsonlLine(names, values, &json);
      const bool json_special = special != ',';
      // {"k":"…"} and a line end add 9 bytes unless something was escaped.
      EXPECT_EQ(json.size() != v.size() + 9, json_special)
          << "json, position " << pos << ": " << json;
    }
  }
}

// The shipped demo data: hand-written rows from the service center's story first, then the
// generator's rows for kDemoSeed, all of it valid, every employer among the enterprises.
TEST_F(PopulationTest, ShippedDemoFilesPassTheCatalogAndMatchTheGenerator) {
  SCOPED_TRACE(absl::StrCat("demo seed ", kDemoSeed));
  const std::string dir = absl::StrCat(COLLECTONCE_SOURCE_DIR, "/deploy/examples/demo/");
  const auto enterprises = ReadCsvRows(dir + "enterprises.csv", EnterpriseRow::FieldNames());
  const auto persons = ReadCsvRows(dir + "persons.csv", PersonRow::FieldNames());
  ASSERT_GT(enterprises.size(), static_cast<size_t>(kDemoEnterprises));
  ASSERT_GT(persons.size(), static_cast<size_t>(kDemoPersons));

  absl::flat_hash_set<std::string> usccs;
  for (size_t i = 0; i < enterprises.size(); ++i) {
    const auto problems = Problems(*enterprise_, enterprises[i]);
    EXPECT_TRUE(problems.empty()) << "enterprises.csv line " << i + 2 << ": "
                                  << absl::StrJoin(problems, "; ");
    EXPECT_TRUE(usccs.insert(Get(enterprises[i], "uscc")).second)
        << "enterprises.csv line " << i + 2 << ": duplicate uscc";
  }
  absl::flat_hash_set<std::string> ids;
  for (size_t i = 0; i < persons.size(); ++i) {
    const auto problems = Problems(*person_, persons[i]);
    EXPECT_TRUE(problems.empty()) << "persons.csv line " << i + 2 << ": "
                                  << absl::StrJoin(problems, "; ");
    EXPECT_TRUE(ids.insert(Get(persons[i], "id_number")).second)
        << "persons.csv line " << i + 2 << ": duplicate id_number";
    const std::string employer = Get(persons[i], "employer");
    if (!employer.empty()) {
      EXPECT_TRUE(absl::StartsWith(employer, "enterprises/") && usccs.contains(employer.substr(12)))
          << "persons.csv line " << i + 2 << ": employer " << employer
          << " is not in enterprises.csv";
    }
  }

  // The story's rows come first.
  EXPECT_EQ(Get(enterprises[0], "uscc"), "91350400MA2YQ8KX1E");
  EXPECT_EQ(Get(enterprises[0], "name"), "福建省钢源粉体材料有限公司");
  EXPECT_EQ(Get(enterprises[0], "legal_representative_name"), "吴秀英");
  EXPECT_EQ(Get(persons[0], "id_number"), "350403194503120012");
  EXPECT_EQ(Get(persons[0], "name"), "宋文富");
  EXPECT_EQ(Get(persons[0], "household_address"), "三明市三元区富文新村12幢301室");
  EXPECT_EQ(Get(persons[1], "id_number"), "350481199208152048");
  EXPECT_EQ(Get(persons[1], "name"), "吴丽华");

  // The rest is exactly what the README's datagen commands print.
  PopulationGenerator gen(kDemoSeed, kDemoEnterprises);
  const size_t hand_enterprises = enterprises.size() - kDemoEnterprises;
  for (int i = 0; i < kDemoEnterprises; ++i) {
    EXPECT_EQ(enterprises[hand_enterprises + i], gen.NextEnterprise().Pairs())
        << "enterprises.csv line " << hand_enterprises + i + 2
        << " differs from datagen --kind enterprise --count " << kDemoEnterprises << " --seed "
        << kDemoSeed;
  }
  const size_t hand_persons = persons.size() - kDemoPersons;
  for (int i = 0; i < kDemoPersons; ++i) {
    EXPECT_EQ(persons[hand_persons + i], gen.NextPerson().Pairs())
        << "persons.csv line " << hand_persons + i + 2 << " differs from datagen --kind person"
        << " --count " << kDemoPersons << " --seed " << kDemoSeed << " --enterprises "
        << kDemoEnterprises;
  }
}

}  // namespace
}  // namespace collectonce::datagen
