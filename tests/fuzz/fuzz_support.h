// Shared set-up of the fuzz targets: the shipped example catalogs, loaded once, and the
// check that text shown to people carries no unmasked identifier.
#ifndef COLLECTONCE_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define COLLECTONCE_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/catalog/catalog.h"
#include "tests/pii/pii_scan.h"

namespace collectonce::fuzz {

// deploy/examples/catalog/<kind>.txtpb, compiled; aborts when it does not load.
inline std::shared_ptr<const catalog::Catalog> ExampleCatalog(absl::string_view kind) {
  const std::string path = absl::StrCat(COLLECTONCE_SOURCE_DIR, "/deploy/examples/catalog/",
                                        std::string(kind), ".txtpb");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  auto proto = catalog::ParseCatalogText(text.str());
  if (!proto.ok()) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), std::string(proto.status().message()).c_str());
    std::abort();
  }
  auto compiled = catalog::Catalog::Compile(*proto);
  if (!compiled.ok()) std::abort();
  return *compiled;
}

// No resident ID number or mobile number in `text`, masked or not in the input.
inline bool NoPersonalData(absl::string_view text) { return pii::ScanText(text).empty(); }

}  // namespace collectonce::fuzz

#endif  // COLLECTONCE_TESTS_FUZZ_FUZZ_SUPPORT_H_
