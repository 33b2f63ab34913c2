// Subject resource names: "enterprises/{uscc}" and "persons/{pid}".
#ifndef COLLECTONCE_LIBS_CATALOG_SUBJECT_H_
#define COLLECTONCE_LIBS_CATALOG_SUBJECT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectonce/registry/v1/values.pb.h"

namespace collectonce::catalog {

struct SubjectName {
  registry::v1::SubjectKind kind = registry::v1::SUBJECT_KIND_UNSPECIFIED;
  // The USCC (upper case, check character verified) or the pid.
  std::string id;

  std::string ToString() const;
  bool operator==(const SubjectName& o) const { return kind == o.kind && id == o.id; }
};

// Parses and checks a subject name. An enterprise's USCC is checked (GB 32100-2015) and
// normalised to upper case; a pid is 3-63 characters of [a-z0-9-] starting with a letter,
// so that an ID number can never pass for one. Errors never repeat the input.
[[nodiscard]] absl::StatusOr<SubjectName> ParseSubjectName(absl::string_view name);

// "enterprises" / "persons"; the collection of a kind.
absl::string_view CollectionOf(registry::v1::SubjectKind kind);

// "enterprise" / "person"; the short name used in catalog names and flags.
absl::string_view KindName(registry::v1::SubjectKind kind);

// Parses "enterprise"/"person" (or the collection names). INVALID_ARGUMENT otherwise.
[[nodiscard]] absl::StatusOr<registry::v1::SubjectKind> ParseKindName(absl::string_view name);

}  // namespace collectonce::catalog

#endif  // COLLECTONCE_LIBS_CATALOG_SUBJECT_H_
