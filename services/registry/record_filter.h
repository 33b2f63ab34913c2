// ListRecords' `filter`: finding enterprises by name (企业名称), the one search the registry
// offers. A small subset of AIP-160 — `name = "…"` (the whole name) or `name : "…"` (the
// name contains the text) — over a scan in key order that examines a bounded number of
// records per page, so that a page costs the same however rare the matches are; the caller
// pages on with the token (AIP-158 allows short pages, even empty ones).
#ifndef COLLECTONCE_SERVICES_REGISTRY_RECORD_FILTER_H_
#define COLLECTONCE_SERVICES_REGISTRY_RECORD_FILTER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/catalog/subject.h"
#include "libs/catalog/violation.h"
#include "libs/store/store.h"

namespace collectonce::registry {

// The catalog field a filter may name.
inline constexpr char kFilterField[] = "name";
// Records examined for one page of a filtered listing.
inline constexpr int kMaxExaminedPerPage = 1000;
// The longest text a filter may give, in bytes.
inline constexpr int kMaxFilterText = 200;

struct NameFilter {
  std::string text;
  bool substring = false;  // `:` (has); otherwise `=` (equals)

  bool Matches(absl::string_view name) const;
};

// Parses `name = "text"` or `name : "text"` (spaces optional; in the text \" is a quote and
// \\ a backslash). INVALID_ARGUMENT with reason INVALID_FILTER and a violation of `filter`
// saying what is wrong otherwise.
[[nodiscard]] absl::StatusOr<NameFilter> ParseNameFilter(absl::string_view filter,
                                                         catalog::Violations* violations);

struct NameScan {
  // The matching enterprises, in key order.
  std::vector<catalog::SubjectName> matches;
  // The last enterprise examined: the next page starts after it. Empty when the scan
  // reached the end.
  std::string resume_after;
};

// Examines the enterprises after `after_id` as of `as_of` (at most `max_examined`, stopping
// at `want` matches) and keeps those whose name matches. Reads only the name, which the
// caller must be allowed to read in clear; nothing read here is released.
[[nodiscard]] absl::StatusOr<NameScan> ScanEnterprisesByName(store::Store* store,
                                                             const store::AsOf& as_of,
                                                             const NameFilter& filter,
                                                             const std::string& after_id, int want,
                                                             int max_examined);

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_RECORD_FILTER_H_
