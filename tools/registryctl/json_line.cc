#include "tools/registryctl/json_line.h"

#include <cstdint>
#include <exception>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace collectonce::registryctl {

namespace {

using json = nlohmann::json;

// Builds the flat object from nlohmann's SAX events; anything nested stops the parse. A
// floating-point or out-of-range number arrives with the text it was written with; an
// integer arrives as a value whose decimal form is that text (JSON allows no leading zeros
// or plus sign).
class FlatObjectSax : public nlohmann::json_sax<json> {
 public:
  bool null() override { return Value(std::nullopt); }
  bool boolean(bool v) override { return Value(std::string(v ? "true" : "false")); }
  bool number_integer(number_integer_t v) override { return Value(absl::StrCat(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Value(absl::StrCat(v)); }
  bool number_float(number_float_t, const string_t& text) override { return Value(text); }
  bool string(string_t& v) override { return Value(std::move(v)); }
  bool binary(binary_t&) override { return Nested(); }

  bool start_object(std::size_t) override {
    if (depth_++ > 0) return Nested();
    started_ = true;
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    return depth_ == 0 ? Fail("expected '{': each line is one JSON object") : Nested();
  }
  bool end_array() override { return true; }

  bool key(string_t& k) override {
    if (!seen_.insert(k).second) return Fail("a key appears twice in the object");
    key_ = std::move(k);
    return true;
  }

  // nlohmann's own message quotes the text last read, which may be a person's data: only
  // the kind of error is kept.
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    column_ = position == 0 ? 1 : position;
    if (!error_.empty()) return false;
    error_ = started_ ? Describe(ex.what()) : "expected '{': each line is one JSON object";
    return false;
  }

  absl::StatusOr<FlatJsonObject> Result(bool ok) && {
    if (!ok || !error_.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("column ", column_, ": ", error_.empty() ? "not valid JSON" : error_));
    }
    return std::move(out_);
  }

 private:
  bool Value(std::optional<std::string> v) {
    if (depth_ == 0) return Fail("expected '{': each line is one JSON object");
    out_.emplace_back(std::move(key_), std::move(v));
    return true;
  }
  bool Nested() {
    return Fail("nested objects and arrays are not supported; give the value's text form");
  }
  bool Fail(absl::string_view what) {
    error_ = std::string(what);
    return false;
  }

  static std::string Describe(absl::string_view what) {
    if (absl::StrContains(what, "control character")) {
      return "a control character in a string must be escaped";
    }
    if (absl::StrContains(what, "UTF-8")) return "a string is not valid UTF-8";
    if (absl::StrContains(what, "surrogate")) return "a UTF-16 surrogate is not paired";
    if (absl::StrContains(what, "\\u")) return "\\u needs four hex digits";
    if (absl::StrContains(what, "backslash")) return "unknown escape in a string";
    if (absl::StrContains(what, "closing quote")) return "a string is not closed";
    if (absl::StrContains(what, "end of input; expected")) return "the object is not closed";
    if (absl::StrContains(what, "expected end of input")) {
      return "unexpected text after the object";
    }
    if (absl::StrContains(what, "invalid number")) return "a number is not written as JSON";
    if (absl::StrContains(what, "object key")) return "expected a key in double quotes";
    if (absl::StrContains(what, "object separator")) return "expected ':' after a key";
    if (absl::StrContains(what, "parsing object")) return "expected ',' or '}'";
    if (absl::StrContains(what, "parsing value")) {
      return "expected a string, a number, true, false or null";
    }
    return "not valid JSON";
  }

  FlatJsonObject out_;
  absl::flat_hash_set<std::string> seen_;
  std::string key_;
  int depth_ = 0;
  bool started_ = false;
  std::string error_;
  std::size_t column_ = 1;
};

}  // namespace

absl::StatusOr<FlatJsonObject> ParseFlatJsonObject(absl::string_view line) {
  FlatObjectSax sax;
  bool ok;
  try {
    ok = json::sax_parse(line.begin(), line.end(), &sax);
  } catch (const std::exception&) {  // sax_parse reports through parse_error; kept as a guard
    ok = false;
  }
  return std::move(sax).Result(ok);
}

}  // namespace collectonce::registryctl
