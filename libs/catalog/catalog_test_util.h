// Helpers shared by the catalog's tests: the shipped example catalogs, a test catalog with
// a field of every type, value builders and violation matchers.
#ifndef COLLECTONCE_LIBS_CATALOG_CATALOG_TEST_UTIL_H_
#define COLLECTONCE_LIBS_CATALOG_CATALOG_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "libs/catalog/catalog.h"

namespace collectonce::catalog {

// Readable failure output for violation lists.
void PrintTo(const Violation& v, std::ostream* os);

namespace test {

inline constexpr absl::CivilDay kToday(2026, 11, 26);

// A violation of `rule` at `field`; the same, with a message matcher.
::testing::Matcher<const Violation&> V(const std::string& field, const std::string& rule);
::testing::Matcher<const Violation&> V(const std::string& field, const std::string& rule,
                                       ::testing::Matcher<const std::string&> message);

// deploy/examples/catalog/{kind}.txtpb, as text.
std::string ReadExample(const std::string& kind);
v1::Catalog ParseOrDie(const std::string& text);
std::shared_ptr<const Catalog> CompileOrDie(const v1::Catalog& proto);
// The shipped "person" or "enterprise" catalog, compiled once.
const Catalog& Example(const std::string& kind);
// A catalog with a field of every type and most validation options, compiled once.
const Catalog& TestCatalog();

// Checks `value` against field `name` of `cat` (or of TestCatalog()), with the field name as
// the path.
Violations Check(const Catalog& cat, const std::string& name, const v1::Value& value);
Violations Check(const std::string& name, const v1::Value& value);

v1::Value Str(std::string s);
v1::Value Int(int64_t n);
v1::Value Dec(std::string s);
v1::Value Date(int year, int month, int day);
v1::Value Ts(int64_t seconds, int32_t nanos);
v1::Value Bool(bool b);
v1::Value Code(std::string c);
v1::Value Ref(std::string r);
v1::Value List(std::vector<v1::Value> items);

}  // namespace test
}  // namespace collectonce::catalog

#endif  // COLLECTONCE_LIBS_CATALOG_CATALOG_TEST_UTIL_H_
