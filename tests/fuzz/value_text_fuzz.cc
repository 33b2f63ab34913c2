// Value text of every field of the example catalogs. The first byte picks the field, the
// rest is the text. Invariants: an accepted text formats to a text that parses to the same
// value (export then import is exact); normalising is idempotent; a refusal never repeats a
// sensitive value; validating and masking never crash, and a mask of an ID number shows
// no whole number.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "libs/catalog/value_text.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_support.h"

namespace catalog = collectonce::catalog;
namespace v1 = collectonce::registry::v1;
using google::protobuf::util::MessageDifferencer;

namespace {

struct Field {
  std::shared_ptr<const catalog::Catalog> cat;
  const v1::FieldDefinition* def;
};

const std::vector<Field>& Fields() {
  static const auto* fields = [] {
    auto* out = new std::vector<Field>;
    for (const char* kind : {"person", "enterprise"}) {
      auto cat = collectonce::fuzz::ExampleCatalog(kind);
      for (const auto& f : cat->proto().fields()) out->push_back({cat, cat->FindField(f.name())});
    }
    return out;
  }();
  return *fields;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Field& field = Fields()[data[0] % Fields().size()];
  const v1::FieldDefinition& def = *field.def;
  const absl::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const absl::CivilDay today(2026, 11, 27);

  auto value = catalog::ParseValueText(def, text);
  if (!value.ok()) {
    FUZZ_CHECK(collectonce::fuzz::NoPersonalData(value.status().message()));
    return 0;
  }
  v1::Value normal = *value;
  catalog::NormalizeValue(def, &normal);
  FUZZ_CHECK(MessageDifferencer::Equals(normal, *value));

  const std::string formatted = catalog::FormatValue(*value);
  auto again = catalog::ParseValueText(def, formatted);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(MessageDifferencer::Equals(*again, *value));
  FUZZ_CHECK(catalog::FormatValue(*again) == formatted);

  catalog::Violations violations;
  field.cat->CheckValue(def, *value, today, def.name(), &violations);
  if (def.sensitivity() >= v1::PERSONAL) {
    for (const auto& v : violations) FUZZ_CHECK(collectonce::fuzz::NoPersonalData(v.message));
  }

  const std::string masked = catalog::MaskValue(def, *value);
  if (def.sensitivity() == v1::SENSITIVE_PERSONAL) {
    FUZZ_CHECK(collectonce::fuzz::NoPersonalData(masked));
  }
  return 0;
}
