// Catalog text and record validation. The input is protobuf text of a catalog: when it
// parses and compiles, its printed form parses and compiles again to the same catalog, and
// the demo record (deploy/examples/demo) is validated against it without a crash. Then the
// same input, read as "field=value" lines, is validated as a record against the example
// person catalog: values that parse are checked, the record's rules are checked, and no
// violation message repeats a resident ID or mobile number.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "libs/catalog/value_text.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_support.h"

namespace catalog = collectonce::catalog;
namespace v1 = collectonce::registry::v1;
using google::protobuf::util::MessageDifferencer;

namespace {

const absl::CivilDay kToday(2026, 11, 27);

// The first person of deploy/examples/demo/persons.csv, as field=value.
const std::map<std::string, std::string>& DemoPerson() {
  static const auto* row =
      new std::map<std::string, std::string>{{"id_number", "350403194503120012"},
                                             {"name", "宋文富"},
                                             {"gender", "1"},
                                             {"ethnicity", "01"},
                                             {"birth_date", "1945-03-12"},
                                             {"household_address", "三明市三元区富文新村12幢301室"},
                                             {"mobile_phone", "13905983312"},
                                             {"marital_status", "30"},
                                             {"education", "80"}};
  return *row;
}

// Parses every field=value the catalog knows and checks values and the whole record.
catalog::Violations Validate(const catalog::Catalog& cat,
                             const std::map<std::string, std::string>& row) {
  catalog::Violations out;
  std::map<std::string, v1::Value> values;
  for (const auto& [name, text] : row) {
    const v1::FieldDefinition* def = cat.FindField(name);
    if (def == nullptr) continue;
    auto v = catalog::ParseValueText(*def, text);
    if (!v.ok()) {
      out.push_back({name, "TYPE", std::string(v.status().message())});
      continue;
    }
    cat.CheckValue(*def, *v, kToday, name, &out);
    values[name] = *std::move(v);
  }
  catalog::Catalog::FieldValues record;  // names are views into `values`
  for (const auto& [name, v] : values) record[name] = &v;
  cat.CheckRecord(record, kToday, &out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto person = collectonce::fuzz::ExampleCatalog("person");
  const absl::string_view text(reinterpret_cast<const char*>(data), size);

  auto proto = catalog::ParseCatalogText(text);
  if (proto.ok()) {
    auto compiled = catalog::Catalog::Compile(*proto);
    std::string printed;
    FUZZ_CHECK(google::protobuf::TextFormat::PrintToString(*proto, &printed));
    auto reparsed = catalog::ParseCatalogText(printed);
    FUZZ_CHECK(reparsed.ok());
    FUZZ_CHECK(MessageDifferencer::Equals(*reparsed, *proto));
    FUZZ_CHECK(catalog::Catalog::Compile(*reparsed).ok() == compiled.ok());
    if (compiled.ok()) {
      (void)Validate(**compiled, DemoPerson());
      catalog::Violations evolution;
      (*compiled)->CheckEvolutionFrom(*person, &evolution);
    }
  }

  std::map<std::string, std::string> row;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits('=', 1));
    row[kv.first] = kv.second;
  }
  for (const auto& v : Validate(*person, row)) {
    FUZZ_CHECK(collectonce::fuzz::NoPersonalData(v.message));
  }
  return 0;
}
