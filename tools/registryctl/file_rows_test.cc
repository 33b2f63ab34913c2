#include "tools/registryctl/file_rows.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/registryctl/duplicate_keys.h"

namespace collectonce::registryctl {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

std::string Write(const std::string& name, const std::string& text) {
  const std::string path =
      (std::filesystem::path(::testing::TempDir()) / absl::StrCat("file_rows_test_", name))
          .string();
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

std::string Describe(const ReadResult& r, const std::vector<RawRow>& rows) {
  std::string out = absl::StrCat("header ", r.header_line, ":");
  for (const auto& c : r.columns) absl::StrAppend(&out, " [", c, "]");
  for (const auto& row : rows) {
    absl::StrAppend(&out, "\nline ", row.line, " named");
    for (int k : row.named) absl::StrAppend(&out, " ", k);
    for (const auto& [k, text] : row.cells) absl::StrAppend(&out, " ", k, "=[", text, "]");
  }
  for (const auto& p : r.problems) absl::StrAppend(&out, "\n", p.ToString());
  return out;
}

// Reads the whole file through FileRows, twice (after a rewind), with the given block size.
std::string Streamed(const std::string& path, InputFormat format, size_t block) {
  auto rows = FileRows::Open(path, format, block);
  EXPECT_TRUE(rows.ok()) << rows.status();
  std::string first;
  for (int pass = 0; pass < 2; ++pass) {
    EXPECT_TRUE((*rows)->Rewind().ok());
    std::vector<RawRow> got;
    RawRow row;
    while ((*rows)->Next(&row)) got.push_back(row);
    EXPECT_TRUE((*rows)->status().ok());
    const std::string text = Describe((*rows)->info(), got);
    if (pass == 0) first = text;
    EXPECT_EQ(text, first) << "the second reading differs";
  }
  return first;
}

// Records cut at every place a block can end: inside quotes, between \r and \n, between
// the two quotes of a doubled quote, inside a multi-byte character, and the byte order mark.
const char kTrickyCsv[] =
    "\xEF\xBB\xBFid_number,name,household_address\r\n"
    "a,\"张三\",\"三明市, 三元区\"\r\n"
    "\n"
    "b,\"李\"\"四\",\"第一行\r\n第二行\"\n"
    "c,王五,\n"
    "1,2,3,4\n"
    "x\"y,2,3\n"
    "\"ok\"z,2,3\n"
    "d,\"\",\"\"\"\"\r\n"
    "\r\n"
    "e,赵六,\"never closed\n";

TEST(FileRowsTest, CsvReadInAnyBlockSizeIsTheWholeTextRead) {
  const std::string path = Write("tricky.csv", kTrickyCsv);
  const ReadResult whole = ReadCsv(kTrickyCsv);
  const std::string expected = Describe(whole, whole.rows);
  ASSERT_EQ(whole.rows.size(), 4u) << expected;
  for (size_t block : {1, 2, 3, 5, 7, 16, 64, 4096}) {
    EXPECT_EQ(Streamed(path, InputFormat::kCsv, block), expected) << "block " << block;
  }
}

TEST(FileRowsTest, CsvWithoutAHeaderOrANewlineAtTheEnd) {
  for (const char* raw : {"", "\n\n", "a,b\n1,2"}) {
    const std::string text = raw;
    const std::string path = Write("short.csv", text);
    const ReadResult whole = ReadCsv(text);
    for (size_t block : {1, 2, 4096}) {
      EXPECT_EQ(Streamed(path, InputFormat::kCsv, block), Describe(whole, whole.rows))
          << "[" << text << "] block " << block;
    }
  }
}

TEST(FileRowsTest, JsonLinesReadInAnyBlockSizeIsTheWholeTextRead) {
  const std::string text =
      "\xEF\xBB\xBF{\"id_number\": \"x\", \"name\": \"张三\"}\n"
      "\n"
      "not json\n"
      "{\"id_number\": \"y\", \"gender\": null, \"name\": \"\", \"employer\": \"三明\"}\r\n"
      "{\"name\": \"no newline at the end\"}";
  const std::string path = Write("lines.jsonl", text);
  const ReadResult whole = ReadJsonLines(text);
  const std::string expected = Describe(whole, whole.rows);
  ASSERT_EQ(whole.rows.size(), 3u) << expected;
  for (size_t block : {1, 2, 3, 7, 4096}) {
    EXPECT_EQ(Streamed(path, InputFormat::kJsonLines, block), expected) << "block " << block;
  }
}

TEST(FileRowsTest, AMissingFileOrADirectoryIsRefused) {
  EXPECT_EQ(FileRows::Open(Write("x", "") + ".absent", InputFormat::kCsv).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(FileRows::Open(::testing::TempDir(), InputFormat::kCsv).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DuplicateKeysTest, KeysSharedAcrossBlocksAreSuspectsAndOnlyEqualKeysAreDuplicates) {
  DuplicateKeys keys(/*block=*/2);  // five blocks
  for (const char* k : {"a", "b", "c", "d", "e", "b", "f", "g", "a", "h"}) keys.Add(k);
  ASSERT_TRUE(keys.Finish());
  EXPECT_TRUE(keys.Suspect("a"));
  EXPECT_TRUE(keys.Suspect("b"));
  EXPECT_FALSE(keys.Suspect("c"));
  EXPECT_FALSE(keys.Suspect("h"));

  DuplicateKeys unique(2);
  for (const char* k : {"a", "b", "c"}) unique.Add(k);
  EXPECT_FALSE(unique.Finish());
  EXPECT_FALSE(unique.Suspect("a"));

  // Confirm compares the keys themselves: a shared hash alone is no duplicate.
  EXPECT_THAT(DuplicateKeys::Confirm({{"b", 7}, {"a", 10}, {"b", 3}, {"a", 2}, {"z", 4}}),
              ElementsAre(Pair(7, 3), Pair(10, 2)));
  EXPECT_THAT(DuplicateKeys::Confirm({{"x", 1}, {"y", 2}}), IsEmpty());
  EXPECT_THAT(DuplicateKeys::Confirm({{"k", 9}, {"k", 5}, {"k", 1}}),
              ElementsAre(Pair(5, 1), Pair(9, 1)));
}

}  // namespace
}  // namespace collectonce::registryctl
