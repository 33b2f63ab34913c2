// Structured logs on stderr: one JSON object per line (the default for daemons) or a short
// text line for people at a terminal. Each line is written with one write(2), so lines
// from different threads never interleave.
//
// Personal data never reaches a log line whole: every value passes through
// MaskDigitRuns, which keeps only the ends of any long run of digits (ID numbers, phone
// numbers, bank accounts).
#ifndef COLLECTONCE_LIBS_RPC_LOG_H_
#define COLLECTONCE_LIBS_RPC_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace collectonce::rpc {

enum class LogFormat { kJson, kText };
enum class LogLevel { kInfo, kWarning, kError };

// "json" or "text"; INVALID_ARGUMENT otherwise.
[[nodiscard]] absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name);

// One key and value of a log line. Numbers stay numbers in JSON.
struct LogField {
  LogField(std::string k, std::string v) : key(std::move(k)), text(std::move(v)) {}
  LogField(std::string k, const char* v) : key(std::move(k)), text(v) {}
  LogField(std::string k, int64_t v) : key(std::move(k)), number(true), text(std::to_string(v)) {}
  LogField(std::string k, int v) : LogField(std::move(k), static_cast<int64_t>(v)) {}
  LogField(std::string k, double v);
  // A value the daemon produced or validated itself (trace and span ids): written as is,
  // since masking could cut a hex id that happens to hold a long run of digits.
  static LogField Verbatim(std::string k, std::string v) {
    LogField f(std::move(k), std::move(v));
    f.verbatim = true;
    return f;
  }
  std::string key;
  bool number = false;
  bool verbatim = false;
  std::string text;
};

// Replaces the middle of every run of 11 or more characters from [0-9Xx] that starts with
// a digit (mainland phone numbers have 11 digits, ID numbers 15 or 18) with '*', keeping
// the first 3 and last 2: "35040319450312001X" -> "350*************1X".
std::string MaskDigitRuns(absl::string_view text);

class Logger {
 public:
  // `component` names the daemon ("registryd"); `fd` is where lines go (2: stderr).
  Logger(std::string component, LogFormat format, int fd = 2);

  void Log(LogLevel level, absl::string_view message, const std::vector<LogField>& fields = {},
           absl::Time time = absl::Now()) const;
  void Info(absl::string_view message, const std::vector<LogField>& fields = {}) const {
    Log(LogLevel::kInfo, message, fields);
  }
  void Warning(absl::string_view message, const std::vector<LogField>& fields = {}) const {
    Log(LogLevel::kWarning, message, fields);
  }
  void Error(absl::string_view message, const std::vector<LogField>& fields = {}) const {
    Log(LogLevel::kError, message, fields);
  }

  // The line Log would write, without the newline (for tests).
  std::string Format(LogLevel level, absl::string_view message, const std::vector<LogField>& fields,
                     absl::Time time) const;

 private:
  std::string component_;
  LogFormat format_;
  int fd_;
};

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_LOG_H_
