#include "tests/pii/pii_scan.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "libs/ident/resident_id.h"

namespace collectonce::pii {
namespace {

// Later than any birth date a number in a log of this run can carry.
constexpr absl::CivilDay kLatestBirthDate{2200, 1, 1};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// True when text[begin, begin+len) has no letter or digit on either side.
bool StandsAlone(absl::string_view text, size_t begin, size_t len) {
  if (begin > 0 && IsAlnum(text[begin - 1])) return false;
  if (begin + len < text.size() && IsAlnum(text[begin + len])) return false;
  return true;
}

bool IsResidentIdAt(absl::string_view text, size_t i) {
  if (i + 18 > text.size()) return false;
  for (size_t k = 0; k < 17; ++k) {
    if (!IsDigit(text[i + k])) return false;
  }
  const char last = text[i + 17];
  if (!IsDigit(last) && last != 'X' && last != 'x') return false;
  const char check = ident::ResidentIdCheckChar(text.substr(i, 17));
  if (check != (last == 'x' ? 'X' : last)) return false;
  // One random 18-digit number in 11 has a right check character (etcd's member and lease
  // ids, for one); an ID number also has an address code and a real birth date.
  return ident::ParseResidentId(text.substr(i, 18), kLatestBirthDate).ok();
}

bool IsMobileAt(absl::string_view text, size_t i) {
  if (i + 11 > text.size()) return false;
  for (size_t k = 0; k < 11; ++k) {
    if (!IsDigit(text[i + k])) return false;
  }
  return text[i] == '1' && text[i + 1] >= '3' && text[i + 1] <= '9';
}

}  // namespace

std::string Finding::ToString() const {
  return absl::StrCat(kind == Kind::kResidentId ? "resident ID number " : "mobile number ", masked);
}

std::vector<Finding> ScanText(absl::string_view text) {
  std::vector<Finding> out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!IsDigit(text[i]) || (i > 0 && IsAlnum(text[i - 1]))) continue;
    if (IsResidentIdAt(text, i) && StandsAlone(text, i, 18)) {
      out.push_back({Finding::Kind::kResidentId, i, ident::MaskResidentId(text.substr(i, 18))});
      i += 17;
    } else if (IsMobileAt(text, i) && StandsAlone(text, i, 11)) {
      const std::string n(text.substr(i, 11));
      out.push_back({Finding::Kind::kMobile, i, absl::StrCat(n.substr(0, 3), "****", n.substr(7))});
      i += 10;
    }
  }
  return out;
}

std::vector<std::string> ScanDirectory(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      for (const Finding& f : ScanText(line)) {
        out.push_back(absl::StrCat(it->path().string(), ":", number, ": ", f.ToString()));
      }
    }
  }
  return out;
}

}  // namespace collectonce::pii
