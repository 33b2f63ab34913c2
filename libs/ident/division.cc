#include "libs/ident/division.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace collectonce::ident {
namespace {

// Current county-level divisions, after the 2021 reorganisation approved by the State
// Council, which merged 梅列区 and the old 三元区 into a new 三元区 (350404) and turned 沙县
// into 沙县区 (350405).
constexpr Division kCurrentCounties[] = {
    {"350404", "三元区", false, ""}, {"350405", "沙县区", false, ""},
    {"350421", "明溪县", false, ""}, {"350423", "清流县", false, ""},
    {"350424", "宁化县", false, ""}, {"350425", "大田县", false, ""},
    {"350426", "尤溪县", false, ""}, {"350428", "将乐县", false, ""},
    {"350429", "泰宁县", false, ""}, {"350430", "建宁县", false, ""},
    {"350481", "永安市", false, ""},
};

// The city itself, its statistical 市辖区 code, and the codes retired in 2021.
constexpr Division kOtherDivisions[] = {
    {"350400", "三明市", false, ""},      {"350401", "市辖区", false, ""},
    {"350402", "梅列区", true, "350404"}, {"350403", "三元区", true, "350404"},
    {"350427", "沙县", true, "350405"},
};

}  // namespace

const Division* FindDivision(absl::string_view code) {
  for (const Division& d : kCurrentCounties) {
    if (d.code == code) return &d;
  }
  for (const Division& d : kOtherDivisions) {
    if (d.code == code) return &d;
  }
  return nullptr;
}

absl::Span<const Division> SanmingDivisions() { return kCurrentCounties; }

std::string CurrentDivisionProblem(absl::string_view code, std::string* rule) {
  if (code.substr(0, 4) != "3504") return "";
  const Division* d = FindDivision(code);
  if (d == nullptr) {
    *rule = "CODE";
    return absl::StrCat(code, " is not a Sanming division (GB/T 2260)");
  }
  if (!d->retired) return "";
  const Division* successor = FindDivision(d->successor);
  *rule = "DEPRECATED";
  return absl::StrCat(code, " (", d->name, ") was retired in 2021; write ", d->successor, " (",
                      successor != nullptr ? successor->name : "", ")");
}

bool IsPlausibleDivisionCode(absl::string_view code) {
  if (code.size() != 6) return false;
  for (char c : code) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  const int province = (code[0] - '0') * 10 + (code[1] - '0');
  switch (province / 10) {
    case 1:
      return province >= 11 && province <= 15;  // 北京 .. 内蒙古
    case 2:
      return province >= 21 && province <= 23;
    case 3:
      return province >= 31 && province <= 37;
    case 4:
      return province >= 41 && province <= 46;
    case 5:
      return province >= 50 && province <= 54;
    case 6:
      return province >= 61 && province <= 65;
    case 7:
      return province == 71;
    case 8:
      return province >= 81 && province <= 83;
    default:
      return false;
  }
}

}  // namespace collectonce::ident
