#include "tools/registryctl/files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "libs/base/clock.h"
#include "libs/ident/resident_id.h"
#include "libs/receipt/audit_key.h"

namespace collectonce::registryctl {

absl::StatusOr<std::string> ReadFileText(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is a directory"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("error reading ", path));
  return ss.str();
}

absl::StatusOr<std::vector<std::string>> ListApplyFiles(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return absl::NotFoundError(absl::StrCat(path, " does not exist"));
  }
  if (!std::filesystem::is_directory(path, ec)) return std::vector<std::string>{path};
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".txtpb") {
      files.push_back(entry.path().string());
    }
  }
  if (ec) return absl::InternalError(absl::StrCat("cannot list ", path, ": ", ec.message()));
  if (files.empty()) return absl::NotFoundError(absl::StrCat("no *.txtpb files in ", path));
  std::sort(files.begin(), files.end());
  return files;
}

absl::Status ParseTextProto(absl::string_view text, google::protobuf::Message* message) {
  class Collector : public google::protobuf::io::ErrorCollector {
   public:
    void AddError(int line, int column, const std::string& m) override {
      if (error.empty()) error = absl::StrCat("line ", line + 1, " column ", column + 1, ": ", m);
    }
    std::string error;
  };
  Collector collector;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&collector);
  if (!parser.ParseFromString(std::string(text), message)) {
    return absl::InvalidArgumentError(collector.error.empty() ? "not valid text format"
                                                              : collector.error);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadIdNumber(const std::string& path, absl::CivilDay today) {
  const std::string where = path == "-" ? "standard input" : path;
  std::error_code ec;
  if (path != "-" && std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is a directory"));
  }
  std::ifstream file;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  }
  std::istream& in = path == "-" ? std::cin : file;
  // Only the first line is read, and only as much of it as an ID number with some spaces
  // could take: a wrong path (a device, a large file) fails fast instead of being read whole.
  constexpr size_t kLongestLine = 64;
  std::string line;
  for (char c; line.size() <= kLongestLine && in.get(c) && c != '\n';) line.push_back(c);
  if (in.bad()) return absl::DataLossError(absl::StrCat("error reading ", where));
  if (line.size() > kLongestLine) {
    return absl::InvalidArgumentError(
        absl::StrCat("the first line of ", where,
                     " is too long to be an ID number; put the number alone "
                     "on the first line"));
  }
  absl::string_view first = absl::StripAsciiWhitespace(line);
  if (first.empty()) return absl::InvalidArgumentError(absl::StrCat("no ID number in ", where));
  auto id = ident::ParseResidentId(first, today);
  if (!id.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ID number in ", where, " is not valid: ", id.status().message()));
  }
  return id->number;
}

absl::CivilDay CityToday() { return Clock().Today(); }

absl::StatusOr<std::string> LoadAuditKey(const std::string& path) {
  auto text = ReadFileText(path);
  if (!text.ok()) return text.status();
  auto key = receipt::ParseAuditPublicKey(*text);
  if (!key.ok())
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", key.status().message()));
  return key;
}

}  // namespace collectonce::registryctl
