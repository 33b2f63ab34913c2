#include "tools/registryctl/file_rows.h"

#include <filesystem>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace collectonce::registryctl {

absl::StatusOr<std::unique_ptr<FileRows>> FileRows::Open(const std::string& path,
                                                         InputFormat format, size_t block_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is a directory"));
  }
  std::unique_ptr<FileRows> rows(new FileRows(path, format, block_bytes < 1 ? 1 : block_bytes));
  if (absl::Status s = rows->Rewind(); !s.ok()) return s;
  return rows;
}

absl::Status FileRows::Rewind() {
  in_.close();
  in_.clear();
  in_.open(path_, std::ios::binary);
  if (!in_) return absl::NotFoundError(absl::StrCat("cannot read ", path_));
  buf_.clear();
  pos_ = 0;
  eof_ = started_ = false;
  line_ = format_ == InputFormat::kCsv ? 1 : 0;
  json_columns_.clear();
  info_ = ReadResult();
  status_ = absl::OkStatus();
  return absl::OkStatus();
}

bool FileRows::Refill() {
  if (eof_) return false;
  buf_.erase(0, pos_);
  pos_ = 0;
  const size_t had = buf_.size();
  buf_.resize(had + block_);
  in_.read(buf_.data() + had, static_cast<std::streamsize>(block_));
  const auto got = static_cast<size_t>(in_.gcount());
  buf_.resize(had + got);
  if (in_.bad()) {
    status_ = absl::DataLossError(absl::StrCat("error reading ", path_));
    eof_ = true;
  } else if (got < block_) {
    eof_ = true;
  }
  return got > 0;
}

bool FileRows::Next(RawRow* row) {
  if (!started_) {
    // The byte order mark, as the whole-text readers skip it.
    while (!eof_ && buf_.size() < kUtf8Bom.size()) Refill();
    if (absl::StartsWith(buf_, kUtf8Bom)) pos_ = kUtf8Bom.size();
    started_ = true;
  }
  return format_ == InputFormat::kCsv ? NextCsv(row) : NextJsonLine(row);
}

bool FileRows::NextCsv(RawRow* row) {
  for (;;) {
    if (pos_ >= buf_.size()) {
      if (eof_) {
        if (status_.ok() && line_ >= 0) FinishCsv(&info_);
        line_ = -1;  // finished: FinishCsv once
        return false;
      }
      Refill();
      continue;
    }
    size_t p = pos_;
    int line = line_;
    ParseCsvRecord(buf_, &p, &line, &record_);
    // A record that reaches the end of what is read may go on in the next block (and its
    // end may need one more byte: "\r\n", a doubled quote): read on, parse it again.
    if (p >= buf_.size() && !eof_) {
      Refill();
      continue;
    }
    pos_ = p;
    line_ = line;
    if (TakeCsvRecord(record_, &info_, row)) return true;
  }
}

bool FileRows::NextJsonLine(RawRow* row) {
  for (;;) {
    if (pos_ >= buf_.size() && eof_) return false;
    size_t end = buf_.find('\n', pos_);
    if (end == std::string::npos && !eof_) {
      Refill();
      continue;
    }
    if (end == std::string::npos) end = buf_.size();
    const absl::string_view content(buf_.data() + pos_, end - pos_);
    pos_ = end + 1;
    ++line_;
    if (TakeJsonLine(content, line_, &json_columns_, &info_, row)) return true;
  }
}

}  // namespace collectonce::registryctl
