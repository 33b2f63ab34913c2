#include "services/registry/record_filter.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/base/error_reason.h"

namespace collectonce::registry {

namespace {

absl::Status Refuse(catalog::Violations* violations, const std::string& why) {
  violations->push_back({"filter", "INVALID_FILTER", why});
  return WithReason(absl::InvalidArgumentError(absl::StrCat("filter: ", why)), "INVALID_FILTER");
}

}  // namespace

bool NameFilter::Matches(absl::string_view name) const {
  return substring ? absl::StrContains(name, text) : name == text;
}

absl::StatusOr<NameFilter> ParseNameFilter(absl::string_view filter,
                                           catalog::Violations* violations) {
  constexpr char kForm[] = "the form is name = \"…\" (the whole name) or name : \"…\" (contains)";
  absl::string_view rest = absl::StripAsciiWhitespace(filter);
  if (!absl::ConsumePrefix(&rest, kFilterField)) {
    return Refuse(violations, absl::StrCat("only the enterprise name can be filtered on; ", kForm));
  }
  rest = absl::StripLeadingAsciiWhitespace(rest);
  NameFilter f;
  if (absl::ConsumePrefix(&rest, "=")) {
    f.substring = false;
  } else if (absl::ConsumePrefix(&rest, ":")) {
    f.substring = true;
  } else {
    return Refuse(violations, absl::StrCat("the operator is = or :; ", kForm));
  }
  rest = absl::StripLeadingAsciiWhitespace(rest);
  if (!absl::ConsumePrefix(&rest, "\"")) {
    return Refuse(violations, absl::StrCat("the text is in double quotes; ", kForm));
  }
  bool closed = false;
  while (!rest.empty()) {
    const char c = rest.front();
    rest.remove_prefix(1);
    if (c == '"') {
      closed = true;
      break;
    }
    if (c == '\\') {
      if (rest.empty() || (rest.front() != '"' && rest.front() != '\\')) {
        return Refuse(violations, "in the text only \\\" and \\\\ are escapes");
      }
      f.text.push_back(rest.front());
      rest.remove_prefix(1);
      continue;
    }
    f.text.push_back(c);
  }
  if (!closed) return Refuse(violations, "the quoted text is not closed");
  if (!absl::StripAsciiWhitespace(rest).empty()) {
    return Refuse(violations, "nothing may follow the quoted text (one condition only)");
  }
  if (absl::StripAsciiWhitespace(f.text).empty()) {
    return Refuse(violations, "the text is empty");
  }
  if (f.text.size() > kMaxFilterText) {
    return Refuse(violations, absl::StrCat("the text is longer than ", kMaxFilterText, " bytes"));
  }
  return f;
}

absl::StatusOr<NameScan> ScanEnterprisesByName(store::Store* store, const store::AsOf& as_of,
                                               const NameFilter& filter,
                                               const std::string& after_id, int want,
                                               int max_examined) {
  NameScan scan;
  std::string after = after_id;
  int examined = 0;
  const std::vector<std::string> fields = {kFilterField};
  auto full = [&] { return static_cast<int>(scan.matches.size()) >= want; };
  while (examined < max_examined && !full()) {
    const int batch = std::min(200, max_examined - examined);
    auto subjects = store->ListSubjects(registry::v1::ENTERPRISE, after, batch);
    if (!subjects.ok()) return subjects.status();
    for (const auto& subject : *subjects) {
      ++examined;
      after = subject.id;
      auto record = store->GetRecord(subject, as_of, fields);
      if (absl::IsNotFound(record.status())) continue;  // created after the listing's moment
      if (!record.ok()) return record.status();
      for (const auto& f : record->fields()) {
        if (f.field() == kFilterField && filter.Matches(f.value().string_value())) {
          scan.matches.push_back(subject);
        }
      }
      if (full()) break;
    }
    // The end of the enterprises (a page that stops on its last match exactly may still be
    // followed by an empty one).
    if (!full() && static_cast<int>(subjects->size()) < batch) return scan;
  }
  scan.resume_after = after;
  return scan;
}

}  // namespace collectonce::registry
