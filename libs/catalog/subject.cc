#include "libs/catalog/subject.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/ident/uscc.h"

namespace collectonce::catalog {

namespace v1 = ::collectonce::registry::v1;

absl::string_view CollectionOf(v1::SubjectKind kind) {
  switch (kind) {
    case v1::ENTERPRISE:
      return "enterprises";
    case v1::PERSON:
      return "persons";
    default:
      return "";
  }
}

absl::string_view KindName(v1::SubjectKind kind) {
  switch (kind) {
    case v1::ENTERPRISE:
      return "enterprise";
    case v1::PERSON:
      return "person";
    default:
      return "unspecified";
  }
}

absl::StatusOr<v1::SubjectKind> ParseKindName(absl::string_view name) {
  if (name == "enterprise" || name == "enterprises") return v1::ENTERPRISE;
  if (name == "person" || name == "persons") return v1::PERSON;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown subject kind '", name.substr(0, 32), "'; use enterprise or person"));
}

std::string SubjectName::ToString() const { return absl::StrCat(CollectionOf(kind), "/", id); }

absl::StatusOr<SubjectName> ParseSubjectName(absl::string_view name) {
  SubjectName out;
  absl::string_view id;
  if (absl::StartsWith(name, "enterprises/")) {
    out.kind = v1::ENTERPRISE;
    id = name.substr(12);
    auto uscc = ident::ParseUscc(id);
    if (!uscc.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("enterprise name: ", uscc.status().message()));
    }
    out.id = uscc->code;
    return out;
  }
  if (absl::StartsWith(name, "persons/")) {
    out.kind = v1::PERSON;
    id = name.substr(8);
    if (id.size() < 3 || id.size() > 63) {
      return absl::InvalidArgumentError(
          absl::StrCat("person id must be 3 to 63 characters, got ", id.size(),
                       "; a person is named by an opaque id, never by the ID number"));
    }
    for (size_t i = 0; i < id.size(); ++i) {
      char c = id[i];
      bool letter = c >= 'a' && c <= 'z';
      bool ok = letter || (i > 0 && ((c >= '0' && c <= '9') || c == '-'));
      if (!ok) {
        return absl::InvalidArgumentError(absl::StrCat(
            "person id character ", i + 1,
            " is not allowed; a person id starts with a-z and continues with a-z, 0-9 or '-' "
            "(a person is named by an opaque id, never by the ID number)"));
      }
    }
    out.id = std::string(id);
    return out;
  }
  // The text is not echoed: a caller may have put an ID number where a name belongs.
  return absl::InvalidArgumentError(
      "not a subject name; expected enterprises/{uscc} or persons/{pid}");
}

}  // namespace collectonce::catalog
