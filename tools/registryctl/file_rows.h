// An import file read as a stream of rows (a RowSource), in blocks, so that no more of it is
// in memory than the record being read: CSV records may span blocks (a quoted field with
// line breaks), and a record that reaches the end of a block is parsed again once the next
// block is in, so the rows, lines and problems are exactly those of ReadCsv and
// ReadJsonLines over the whole text.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_FILE_ROWS_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_FILE_ROWS_H_

#include <fstream>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tools/registryctl/import_rows.h"

namespace collectonce::registryctl {

class FileRows final : public RowSource {
 public:
  // NOT_FOUND when the file cannot be opened; INVALID_ARGUMENT for a directory.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<FileRows>> Open(const std::string& path,
                                                                      InputFormat format,
                                                                      size_t block_bytes = size_t{1}
                                                                                           << 20);

  absl::Status Rewind() override;
  // False at the end of the file, or on a read error (then status() says so).
  bool Next(RawRow* row) override;
  const ReadResult& info() const override { return info_; }
  // DATA_LOSS after a read error.
  absl::Status status() const override { return status_; }

 private:
  FileRows(std::string path, InputFormat format, size_t block_bytes)
      : path_(std::move(path)), format_(format), block_(block_bytes) {}
  // Drops what was parsed and reads the next block; false at the end of the file.
  bool Refill();
  bool NextCsv(RawRow* row);
  bool NextJsonLine(RawRow* row);

  const std::string path_;
  const InputFormat format_;
  const size_t block_;
  std::ifstream in_;
  std::string buf_;  // from the first byte not yet parsed
  size_t pos_ = 0;   // into buf_
  bool eof_ = false;
  bool started_ = false;  // the byte order mark was looked for
  int line_ = 0;
  CsvRecord record_;
  JsonColumns json_columns_;
  ReadResult info_;
  absl::Status status_;
};

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_FILE_ROWS_H_
