#include "libs/rpc/log.h"

#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"

namespace collectonce::rpc {

namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// A JSON string of `s`. Bytes that are not UTF-8 (a log field may carry what a caller sent)
// become U+FFFD, so that every line stays valid JSON.
void AppendJsonString(std::string* out, absl::string_view s) {
  *out +=
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Text values with spaces or quotes are quoted so that key=value stays splittable.
void AppendTextValue(std::string* out, absl::string_view s) {
  bool plain = !s.empty();
  for (char c : s) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) plain = false;
  }
  if (plain) {
    out->append(s.data(), s.size());
  } else {
    AppendJsonString(out, s);
  }
}

}  // namespace

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name) {
  if (name == "json") return LogFormat::kJson;
  if (name == "text") return LogFormat::kText;
  return absl::InvalidArgumentError(absl::StrCat("log format '", name, "' is not json or text"));
}

LogField::LogField(std::string k, double v)
    : key(std::move(k)), number(true), text(absl::StrFormat("%.3f", v)) {}

std::string MaskDigitRuns(absl::string_view text) {
  std::string out(text);
  size_t i = 0;
  while (i < out.size()) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(out[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < out.size() && (absl::ascii_isdigit(static_cast<unsigned char>(out[j])) ||
                              out[j] == 'X' || out[j] == 'x')) {
      ++j;
    }
    if (j - i >= 11) {
      for (size_t k = i + 3; k < j - 2; ++k) out[k] = '*';
    }
    i = j;
  }
  return out;
}

Logger::Logger(std::string component, LogFormat format, int fd)
    : component_(std::move(component)), format_(format), fd_(fd) {}

std::string Logger::Format(LogLevel level, absl::string_view message,
                           const std::vector<LogField>& fields, absl::Time time) const {
  std::string out;
  const std::string when = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
  if (format_ == LogFormat::kJson) {
    absl::StrAppend(&out, "{\"time\":\"", when, "\",\"level\":\"", LevelName(level),
                    "\",\"component\":");
    AppendJsonString(&out, component_);
    out += ",\"msg\":";
    AppendJsonString(&out, MaskDigitRuns(message));
    for (const auto& f : fields) {
      out.push_back(',');
      AppendJsonString(&out, f.key);
      out.push_back(':');
      if (f.number) {
        out += f.text;
      } else if (f.verbatim) {
        AppendJsonString(&out, f.text);
      } else {
        AppendJsonString(&out, MaskDigitRuns(f.text));
      }
    }
    out.push_back('}');
  } else {
    absl::StrAppend(&out, when, " ", absl::AsciiStrToUpper(LevelName(level)), " ", component_, ": ",
                    MaskDigitRuns(message));
    for (const auto& f : fields) {
      absl::StrAppend(&out, " ", f.key, "=");
      AppendTextValue(&out, f.number || f.verbatim ? f.text : MaskDigitRuns(f.text));
    }
  }
  return out;
}

void Logger::Log(LogLevel level, absl::string_view message, const std::vector<LogField>& fields,
                 absl::Time time) const {
  std::string line = Format(level, message, fields, time);
  line.push_back('\n');
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n <= 0) return;  // nowhere to report a failing log
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace collectonce::rpc
