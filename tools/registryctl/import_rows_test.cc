#include "tools/registryctl/import_rows.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "libs/catalog/value_text.h"
#include "libs/ident/resident_id.h"
#include "tools/registryctl/json_line.h"

namespace collectonce::registryctl {
namespace {

namespace v1 = ::collectonce::registry::v1;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

const absl::CivilDay kToday(2024, 6, 1);

std::shared_ptr<const catalog::Catalog> LoadCatalog(const std::string& file) {
  std::ifstream in(std::string(COLLECTONCE_SOURCE_DIR) + "/deploy/examples/catalog/" + file);
  std::stringstream ss;
  ss << in.rdbuf();
  auto proto = catalog::ParseCatalogText(ss.str());
  EXPECT_TRUE(proto.ok()) << proto.status();
  auto cat = catalog::Catalog::Compile(*proto);
  EXPECT_TRUE(cat.ok()) << cat.status();
  return *cat;
}

std::string Id(int year, int month, int day, int seq) {
  return ident::MakeResidentId("350402", absl::CivilDay(year, month, day), seq);
}

std::vector<std::string> Lines(const std::vector<RowProblem>& problems) {
  std::vector<std::string> out;
  for (const auto& p : problems) out.push_back(p.ToString());
  return out;
}

// ---- CSV ----

TEST(ReadCsvTest, ReadsQuotedFieldsAndCountsLinesFromWhereARowStarts) {
  ReadResult r = ReadCsv(
      "\xEF\xBB\xBFid_number,name,household_address\r\n"
      "a,\"张三\",\"三明市, 三元区\"\r\n"
      "\n"
      "b,\"李\"\"四\",\"第一行\n第二行\"\n"
      "c,王五,\n");
  EXPECT_THAT(r.problems, IsEmpty());
  EXPECT_EQ(r.header_line, 1);
  EXPECT_THAT(r.columns, ElementsAre("id_number", "name", "household_address"));
  ASSERT_THAT(r.rows, SizeIs(3));
  EXPECT_EQ(r.rows[0].line, 2);
  EXPECT_EQ(r.rows[0].cells[2].second, "三明市, 三元区");
  EXPECT_EQ(r.rows[1].line, 4);
  EXPECT_EQ(r.rows[1].cells[1].second, "李\"四");
  EXPECT_EQ(r.rows[1].cells[2].second, "第一行\n第二行");
  EXPECT_EQ(r.rows[2].line, 6);  // the quoted newline moved it down a line
  // An empty cell is absent but the column is still named.
  EXPECT_THAT(r.rows[2].cells, SizeIs(2));
  EXPECT_THAT(r.rows[2].named, ElementsAre(0, 1, 2));
}

TEST(ReadCsvTest, ReportsColumnCountsQuotesAndAnUnclosedQuote) {
  ReadResult r = ReadCsv(
      "a,b\n"
      "1,2,3\n"
      "1\n"
      "x\"y,2\n"
      "\"ok\"z,2\n"
      "\"never closed,2\n");
  EXPECT_THAT(r.rows, IsEmpty());
  EXPECT_THAT(Lines(r.problems),
              ElementsAre("line 2: expected 2 columns as in the header, found 3",
                          "line 3: expected 2 columns as in the header, found 1",
                          HasSubstr("line 4: a double quote inside an unquoted field"),
                          "line 5: text after the closing quote of a field",
                          "line 6: a quoted field is not closed before the end of the file"));
}

TEST(ReadCsvTest, AnEmptyFileHasNoHeader) {
  ReadResult r = ReadCsv("");
  EXPECT_THAT(Lines(r.problems), ElementsAre(HasSubstr("expected a header row")));
}

// ---- JSON Lines ----

TEST(JsonLineTest, KeepsNumbersAsWrittenAndDecodesEscapes) {
  auto o = ParseFlatJsonObject(
      R"({"a": "\u4e2d\u6587\ud83d\ude00\n", "b": 12345678901234567890, "c": -0.10, "d": true,)"
      R"( "e": null, "f": 1e3})");
  ASSERT_TRUE(o.ok()) << o.status();
  ASSERT_THAT(*o, SizeIs(6));
  EXPECT_EQ((*o)[0].second, "中文\xF0\x9F\x98\x80\n");
  EXPECT_EQ((*o)[1].second, "12345678901234567890");
  EXPECT_EQ((*o)[2].second, "-0.10");
  EXPECT_EQ((*o)[3].second, "true");
  EXPECT_FALSE((*o)[4].second.has_value());
  EXPECT_EQ((*o)[5].second, "1e3");
}

TEST(JsonLineTest, RefusesWhatIsNotAFlatObject) {
  for (const char* bad :
       {R"([1,2])", R"({"a": {"b": 1}})", R"({"a": [1]})", R"({"a": 1,})", R"({"a": 01})",
        R"({"a": "x", "a": "y"})", R"({"a": "\ud800"})", R"({"a": "unterminated)",
        R"({"a": 1} trailing)", "{\"a\": \"tab\tin\"}"}) {
    EXPECT_FALSE(ParseFlatJsonObject(bad).ok()) << bad;
  }
}

// Each refusal says what is wrong in words and never repeats the text it read, which may be
// a person's data.
TEST(JsonLineTest, SaysWhatIsWrongWithoutQuotingTheLine) {
  const std::pair<std::string, std::string> cases[] = {
      {R"([1,2])", "each line is one JSON object"},
      {R"({"a": {"b": 1}})", "nested objects and arrays are not supported"},
      {R"({"a": ["secret"]})", "nested objects and arrays are not supported"},
      {R"({"a": "x", "a": "secret"})", "a key appears twice"},
      {R"({"a": "secret)", "not closed"},
      {"{\"a\": \"sec\tret\"}", "control character"},
      {"{\"a\": \"secr\xff\"}", "not valid UTF-8"},
      {R"({"a": "secret"} secret)", "unexpected text after the object"},
      {R"({"a": secret})", "expected a string, a number, true, false or null"},
      {R"({"a": "secret")", "not closed"},
      {R"({"a" "secret"})", "expected ':' after a key"},
      {R"({secret: 1})", "expected a key in double quotes"},
      {R"({"a": 01})", "column "},
  };
  for (const auto& [line, want] : cases) {
    auto o = ParseFlatJsonObject(line);
    ASSERT_FALSE(o.ok()) << line;
    EXPECT_THAT(o.status().message(), HasSubstr(want)) << line;
    EXPECT_THAT(o.status().message(), Not(HasSubstr("secret"))) << line;
    EXPECT_THAT(o.status().message(), Not(HasSubstr("last read"))) << line;
  }
}

TEST(JsonLineTest, AnEmptyObjectAndStringsOfAnyLengthParse) {
  auto empty = ParseFlatJsonObject("  {}  ");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_THAT(*empty, SizeIs(0));
  const std::string long_value(100000, 'x');
  auto o = ParseFlatJsonObject(absl::StrCat(R"({"a":")", long_value, R"(","b":-7,"c":0})"));
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ((*o)[0].second, long_value);
  EXPECT_EQ((*o)[1].second, "-7");
  EXPECT_EQ((*o)[2].second, "0");
}

TEST(ReadJsonLinesTest, EachLineNamesItsOwnKeys) {
  ReadResult r = ReadJsonLines(
      "{\"id_number\": \"x\", \"name\": \"张三\"}\n"
      "\n"
      "not json\n"
      "{\"id_number\": \"y\", \"gender\": null, \"name\": \"\"}\n");
  EXPECT_EQ(r.header_line, 0);
  EXPECT_THAT(Lines(r.problems), ElementsAre(HasSubstr("line 3: not a JSON object")));
  ASSERT_THAT(r.rows, SizeIs(2));
  EXPECT_EQ(r.rows[1].line, 4);
  EXPECT_THAT(r.rows[1].named, SizeIs(3));
  EXPECT_THAT(r.rows[1].cells, SizeIs(1));  // null and "" are absent
}

// ---- validation ----

v1::UpdateRecordRequest Parsed(const PreparedRow& row) {
  v1::UpdateRecordRequest r;
  EXPECT_TRUE(r.ParseFromString(row.request)) << "line " << row.line;
  return r;
}

TEST(ValidateRowsTest, GoodPersonRowsBecomeRequestsByIdNumber) {
  auto cat = LoadCatalog("person.txtpb");
  const std::string id = Id(1990, 1, 1, 123);  // odd sequence: male
  ReadResult r = ReadCsv(absl::StrCat("id_number,name,gender,birth_date\n", id,
                                      ",张三,1,1990-01-01\n", Id(1985, 5, 6, 124), ",李四,,\n"));
  ValidationResult v = ValidateRows(*cat, r, kToday);
  EXPECT_THAT(Lines(v.problems), IsEmpty());
  EXPECT_EQ(v.bad_rows, 0);
  ASSERT_THAT(v.rows, SizeIs(2));
  const v1::UpdateRecordRequest req = Parsed(v.rows[0]);
  EXPECT_EQ(req.name(), "");
  EXPECT_EQ(req.kind(), v1::PERSON);
  EXPECT_EQ(req.values().at("id_number").string_value(), id);
  EXPECT_EQ(req.values().at("gender").code_value(), "1");
  EXPECT_EQ(req.values().at("birth_date").date_value().day(), 1);
  EXPECT_THAT(Parsed(v.rows[1]).values(), SizeIs(2));
  EXPECT_FALSE(req.has_provenance()) << "no stamp given";
}

// Each row carries the file's source and reason, and a batch is the rows' bytes as they
// are: the registry reads exactly the requests that were checked.
TEST(ValidateRowsTest, RowsAreStampedAndBatchedAsTheyWereChecked) {
  auto cat = LoadCatalog("person.txtpb");
  std::string csv = "id_number,name\n";
  for (int i = 0; i < 5; ++i) absl::StrAppend(&csv, Id(1990, 1, 1 + i, 100 + i), ",张", i, "\n");
  ValidationResult v = ValidateRows(*cat, ReadCsv(csv), kToday, [] {
    RowStamp stamp;
    stamp.source = "public-security.household";
    stamp.reason = "户籍导入";
    return stamp;
  }());
  ASSERT_THAT(v.rows, SizeIs(5));
  for (const auto& row : v.rows) {
    const v1::UpdateRecordRequest r = Parsed(row);
    EXPECT_EQ(r.provenance().source(), "public-security.household");
    EXPECT_EQ(r.reason(), "户籍导入");
  }
  v1::BatchUpdateRecordsRequest batch;
  ASSERT_TRUE(batch.ParseFromString(BatchRequestBytes(v.rows, 1, 4)));
  EXPECT_EQ(batch.view(), v1::UPDATE_RESPONSE_VIEW_BASIC);
  ASSERT_THAT(batch.requests(), SizeIs(3));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(batch.requests(i),
                                                                   Parsed(v.rows[1 + i])))
        << i;
    EXPECT_EQ(batch.requests(i).values().at("name").string_value(), absl::StrCat("张", 1 + i));
  }
  ASSERT_TRUE(batch.ParseFromString(BatchRequestBytes(v.rows, 4, 99)));
  EXPECT_THAT(batch.requests(), SizeIs(1)) << "the end is clamped to the rows there are";
}

// When the values took effect: the file's date, a date column of the file, or a valid_from
// column that dates each row itself (and wins); a bad one is the row's problem.
TEST(ValidateRowsTest, ValidFromComesFromTheFileADateColumnOrTheRowItself) {
  auto cat = LoadCatalog("enterprise.txtpb");
  ReadResult r = ReadCsv(
      "uscc,name,establishment_date,valid_from\n"
      "91350400MA2YQ8KX1E,钢源,2017-11-08,\n"
      "91350405MAWPTTWQUM,荣民,2021-10-16,2022-01-01\n");
  RowStamp fixed;
  fixed.valid_from = *catalog::ParseDateText("2020-02-02");
  ValidationResult v = ValidateRows(*cat, r, kToday, fixed);
  ASSERT_THAT(Lines(v.problems), IsEmpty());
  ASSERT_THAT(v.rows, SizeIs(2));
  EXPECT_EQ(catalog::FormatDate(Parsed(v.rows[0]).provenance().valid_from()), "2020-02-02");
  EXPECT_EQ(catalog::FormatDate(Parsed(v.rows[1]).provenance().valid_from()), "2022-01-01");
  EXPECT_FALSE(Parsed(v.rows[0]).values().contains("valid_from")) << "not a catalog field";

  RowStamp by_column;
  by_column.valid_from_column = "establishment_date";
  v = ValidateRows(*cat, r, kToday, by_column);
  ASSERT_THAT(v.rows, SizeIs(2));
  EXPECT_EQ(catalog::FormatDate(Parsed(v.rows[0]).provenance().valid_from()), "2017-11-08");
  EXPECT_EQ(catalog::FormatDate(Parsed(v.rows[1]).provenance().valid_from()), "2022-01-01");

  v = ValidateRows(*cat, ReadCsv("uscc,name,valid_from\n91350400MA2YQ8KX1E,钢源,2017-13-01\n"),
                   kToday);
  EXPECT_THAT(Lines(v.problems), ElementsAre(HasSubstr("line 2: field valid_from: FORMAT: ")));
}

TEST(ValidateRowsTest, ReportsEveryBadRowWithItsLineAndNeverTheIdNumber) {
  auto cat = LoadCatalog("person.txtpb");
  const std::string good = Id(1990, 1, 1, 123);
  std::string bad_check = Id(1990, 1, 2, 125);
  bad_check.back() = bad_check.back() == '0' ? '1' : '0';
  const std::string first17 = "35040219900230123";  // 30 February
  const std::string bad_date = first17 + ident::ResidentIdCheckChar(first17);
  const std::string csv =
      absl::StrCat("id_number,name,gender,birth_date\n", good, ",张三,1,1990-01-01\n",  // 2: good
                   bad_check, ",李四,2,\n",            // 3: check character
                   bad_date, ",王五,1,\n",             // 4: impossible date in the number
                   Id(1991, 3, 3, 127), ",赵六,7,\n",  // 5: unknown code
                   Id(1992, 4, 4, 129), ",钱七,1\n",   // 6: wrong column count
                   Id(1993, 5, 5, 131), ",\xE5\xBC\xA0\xFF,1,\n",  // 7: invalid UTF-8
                   Id(1994, 6, 6, 133), ",,1,\n",                  // 8: empty required name
                   Id(1995, 7, 7, 135), ",孙八,1,1995-02-30\n",    // 9: impossible birth date
                   Id(1996, 8, 8, 137), ",周九,2,\n",  // 10: sex disagrees with the number
                   good, ",张三,1,\n");                // 11: the same person as line 2
  ValidationResult v = ValidateRows(*cat, ReadCsv(csv), kToday);
  const std::vector<std::string> lines = Lines(v.problems);
  EXPECT_THAT(lines, ElementsAre(HasSubstr("line 3: field id_number: FORMAT: "),
                                 HasSubstr("line 4: field id_number: FORMAT: "),
                                 "line 5: field gender: CODE: is not a code of the list 'gender'",
                                 HasSubstr("line 6: expected 4 columns"),
                                 "line 7: field name: ENCODING: is not valid UTF-8",
                                 "line 8: field name: REQUIRED: 姓名 is required",
                                 "line 9: field birth_date: TYPE: is not a calendar date",
                                 HasSubstr("line 10: field gender: CROSS_FIELD"),
                                 "line 11: field id_number: DUPLICATE: the same person as line 2"))
      << absl::StrJoin(lines, "\n");
  EXPECT_THAT(lines[0], HasSubstr("check character"));
  EXPECT_THAT(lines[1], HasSubstr("19900230 is not a calendar date"));
  EXPECT_EQ(v.bad_rows, 9);
  EXPECT_FALSE(v.file_problem);
  ASSERT_THAT(v.rows, SizeIs(1));
  EXPECT_EQ(v.rows[0].line, 2);
  for (const std::string& line : lines) {
    for (const std::string& id : {good, bad_check, bad_date}) EXPECT_THAT(line, Not(HasSubstr(id)));
  }
}

TEST(ValidateRowsTest, UnknownColumnsAndAMissingKeyColumnAreProblemsOfTheFile) {
  auto cat = LoadCatalog("person.txtpb");
  ValidationResult v = ValidateRows(
      *cat, ReadCsv(absl::StrCat("id_number,name,shoe_size\n", Id(1990, 1, 1, 1), ",张三,42\n")),
      kToday);
  EXPECT_TRUE(v.file_problem);
  EXPECT_THAT(
      Lines(v.problems),
      ElementsAre("line 1: field shoe_size: UNKNOWN_FIELD: not a field of the person catalog"));
  v = ValidateRows(*cat, ReadCsv("name\n张三\n"), kToday);
  EXPECT_TRUE(v.file_problem);
  EXPECT_THAT(Lines(v.problems), ElementsAre(HasSubstr("line 1: field id_number: REQUIRED")));
}

TEST(ValidateRowsTest, AHeaderThatIsReallyDataIsReportedMasked) {
  // A file without its header row: the first person's ID and mobile numbers become column
  // names, and the problems about them must not print them.
  auto cat = LoadCatalog("person.txtpb");
  const std::string id = Id(1990, 1, 1, 1);
  ValidationResult v = ValidateRows(
      *cat,
      ReadCsv(absl::StrCat(id, ",张三,13905983312\n", Id(1991, 2, 2, 2), ",李四,13905983313\n")),
      kToday);
  EXPECT_TRUE(v.file_problem);
  for (const std::string& line : Lines(v.problems)) {
    EXPECT_THAT(line, Not(HasSubstr(id.substr(4, 10))));
    EXPECT_THAT(line, Not(HasSubstr("13905983312")));
  }
  EXPECT_THAT(Lines(v.problems), Contains(HasSubstr("field 139****3312: UNKNOWN_FIELD")));
}

TEST(ValidateRowsTest, ARequiredColumnTheFileLacksIsLeftToTheRegistry) {
  // Updating the phone numbers of known persons needs no name column.
  auto cat = LoadCatalog("person.txtpb");
  ValidationResult v = ValidateRows(
      *cat, ReadCsv(absl::StrCat("id_number,mobile_phone\n", Id(1990, 1, 1, 1), ",13800000000\n")),
      kToday);
  EXPECT_THAT(Lines(v.problems), IsEmpty());
  EXPECT_THAT(v.rows, SizeIs(1));
}

TEST(ValidateRowsTest, EnterprisesAreNamedByTheirCreditCode) {
  auto cat = LoadCatalog("enterprise.txtpb");
  ValidationResult v = ValidateRows(
      *cat,
      ReadJsonLines("{\"uscc\": \"91350400ma2yq8kx1e\", \"name\": \"福建省钢源粉体材料有限公司\", "
                    "\"registered_capital\": 5000.50}\n"
                    "{\"uscc\": \"91350400MA2YQ8KX1F\", \"name\": \"某公司\"}\n"
                    "{\"name\": \"无代码公司\"}\n"
                    "{\"uscc\": \"91350400MA2YQ8KX1E\", \"name\": \"x\", \"colour\": \"red\"}\n"
                    "{\"uscc\": null, \"name\": \"空代码公司\"}\n"
                    "{\"uscc\": \"\", \"name\": \"空代码公司\"}\n"),
      kToday);
  EXPECT_THAT(Lines(v.problems),
              ElementsAre(HasSubstr("line 2: field uscc: FORMAT: "),
                          "line 3: field uscc: REQUIRED: every line names its enterprise by uscc",
                          HasSubstr("line 4: field colour: UNKNOWN_FIELD"),
                          HasSubstr("line 4: field name: LENGTH"),
                          "line 4: field uscc: DUPLICATE: the same enterprise as line 1",
                          "line 5: field uscc: REQUIRED: every line names its enterprise by uscc",
                          "line 6: field uscc: REQUIRED: every line names its enterprise by uscc"));
  ASSERT_THAT(v.rows, SizeIs(1));
  const v1::UpdateRecordRequest req = Parsed(v.rows[0]);
  EXPECT_EQ(req.name(), "enterprises/91350400MA2YQ8KX1E");
  EXPECT_EQ(req.values().at("registered_capital").decimal_value(), "5000.5");
  EXPECT_FALSE(req.values().contains("uscc"));
}

TEST(DetectFormatTest, ByExtensionOrFlag) {
  EXPECT_EQ(*DetectFormat("a.CSV", ""), InputFormat::kCsv);
  EXPECT_EQ(*DetectFormat("a.ndjson", ""), InputFormat::kJsonLines);
  EXPECT_EQ(*DetectFormat("a.txt", "jsonl"), InputFormat::kJsonLines);
  EXPECT_FALSE(DetectFormat("a.txt", "").ok());
  EXPECT_FALSE(DetectFormat("a.csv", "xml").ok());
}

}  // namespace
}  // namespace collectonce::registryctl
