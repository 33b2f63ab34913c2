// The data catalog, compiled for validation: every value written to the registry is checked
// here against its field's definition, and every record against the cross-field rules.
#ifndef COLLECTONCE_LIBS_CATALOG_CATALOG_H_
#define COLLECTONCE_LIBS_CATALOG_CATALOG_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "collectonce/registry/v1/catalog.pb.h"
#include "collectonce/registry/v1/values.pb.h"
#include "libs/catalog/violation.h"

namespace re2 {
class RE2;
}

namespace collectonce::catalog {

namespace v1 = ::collectonce::registry::v1;

// An immutable, validated catalog of one subject kind. Thread-safe (const after Compile).
class Catalog {
 public:
  // Checks the catalog itself (names, types, bounds, patterns, code lists, rules) and
  // compiles it. On failure the error lists every problem found.
  [[nodiscard]] static absl::StatusOr<std::shared_ptr<const Catalog>> Compile(
      const v1::Catalog& proto, Violations* violations = nullptr);

  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  const v1::Catalog& proto() const { return proto_; }
  v1::SubjectKind kind() const { return proto_.kind(); }
  int64_t version() const { return proto_.version(); }

  // nullptr when the catalog has no such field.
  const v1::FieldDefinition* FindField(absl::string_view name) const;

  // Checks one value against its field: type, length, pattern, format, range, code list,
  // reference kind, repeated-ness. `today` bounds dates such as a birth date in an ID
  // number. Appends to *out with `path` as the violation's field.
  void CheckValue(const v1::FieldDefinition& def, const v1::Value& value, absl::CivilDay today,
                  absl::string_view path, Violations* out) const;

  // A record's values by field name; the names are views into the caller's storage.
  using FieldValues = absl::flat_hash_map<absl::string_view, const v1::Value*>;
  // Checks a complete record: required fields and cross-field rules.
  void CheckRecord(const FieldValues& fields, absl::CivilDay today, Violations* out) const;

  // The precedence of `source` for `field`; lower wins. Sources the field does not list
  // rank below every listed one.
  int Precedence(const v1::FieldDefinition& def, absl::string_view source) const;

  // The label of a code in a code list, or empty.
  absl::string_view CodeLabel(absl::string_view code_list, absl::string_view code) const;

  // Rules for replacing `old_catalog` with this one: no field removed, renamed or retyped
  // (deprecate instead), no change of the kind. Appends what breaks them.
  void CheckEvolutionFrom(const Catalog& old_catalog, Violations* out) const;

 private:
  explicit Catalog(v1::Catalog proto);
  struct FieldInfo;

  v1::Catalog proto_;
  absl::flat_hash_map<std::string, std::unique_ptr<FieldInfo>> fields_;
  absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, std::string>> code_lists_;
};

// Reads a catalog from protobuf text format (the format of the shipped catalog files).
// Errors name the line and column.
[[nodiscard]] absl::StatusOr<v1::Catalog> ParseCatalogText(absl::string_view text);

// Names a field as its type for messages: "string", "date", "repeated code".
std::string TypeName(const v1::FieldDefinition& def);

// Which Value member a field type uses, as the name of its case.
v1::Value::KindCase ExpectedKind(v1::FieldType type);

}  // namespace collectonce::catalog

#endif  // COLLECTONCE_LIBS_CATALOG_CATALOG_H_
