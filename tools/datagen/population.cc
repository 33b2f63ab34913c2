#include "tools/datagen/population.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "libs/ident/division.h"
#include "libs/ident/uscc.h"
#include "nlohmann/json.hpp"

namespace collectonce::datagen {

using absl::string_view;

// ---------------------------------------------------------------------------------------
// Randomness: std::mt19937_64 and our own reductions, identical on every standard library.

namespace {
// Running sums of weights, for choosing from larger tables by binary search.
struct Cumulative {
  std::vector<uint64_t> sums;
};
template <typename W>
Cumulative MakeCumulative(absl::Span<const W> items) {
  Cumulative c;
  uint64_t total = 0;
  for (const W& w : items) c.sums.push_back(total += w.weight);
  return c;
}
}  // namespace

namespace internal {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform in [0, n); n > 0. Lemire's multiply-shift with rejection, so unbiased. Small
  // ranges use 32 bits, each 64-bit draw of the engine serving two of them.
  uint64_t Below(uint64_t n) {
    if (n <= 0xffffffffu) return Below32(static_cast<uint32_t>(n));
    uint64_t x = engine_();
    unsigned __int128 m = static_cast<unsigned __int128>(x) * n;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        x = engine_();
        m = static_cast<unsigned __int128>(x) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }
  // Uniform in [lo, hi].
  int Range(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // True with probability per_mille / 1000.
  bool Chance(uint32_t per_mille) { return Below(1000) < per_mille; }

  template <typename T>
  const T& Pick(absl::Span<const T> items) {
    return items[Below(items.size())];
  }
  // An index chosen with probability proportional to `weights` (not all zero).
  template <typename W>
  size_t Weighted(absl::Span<const W> items) {
    uint64_t total = 0;
    for (const W& w : items) total += w.weight;
    uint64_t r = Below(total);
    for (size_t i = 0; i < items.size(); ++i) {
      if (r < items[i].weight) return i;
      r -= items[i].weight;
    }
    return items.size() - 1;
  }
  // The same choice as Weighted() over the items the sums were made from, in log time.
  size_t Weighted(const Cumulative& c) {
    const uint64_t r = Below(c.sums.back());
    return static_cast<size_t>(std::upper_bound(c.sums.begin(), c.sums.end(), r) - c.sums.begin());
  }

 private:
  uint32_t Next32() {
    if (have_half_) {
      have_half_ = false;
      return half_;
    }
    const uint64_t x = engine_();
    half_ = static_cast<uint32_t>(x >> 32);
    have_half_ = true;
    return static_cast<uint32_t>(x);
  }
  uint32_t Below32(uint32_t n) {
    uint64_t m = static_cast<uint64_t>(Next32()) * n;
    uint32_t low = static_cast<uint32_t>(m);
    if (low < n) {
      const uint32_t threshold = (0u - n) % n;
      while (low < threshold) {
        m = static_cast<uint64_t>(Next32()) * n;
        low = static_cast<uint32_t>(m);
      }
    }
    return static_cast<uint32_t>(m >> 32);
  }

  std::mt19937_64 engine_;
  uint32_t half_ = 0;
  bool have_half_ = false;
};

// Walker's alias method in integers: an index with probability weight / total, with two
// draws and no search, and exactly the distribution of the weights.
class AliasTable {
 public:
  AliasTable() = default;
  explicit AliasTable(const std::vector<uint64_t>& weights) {
    const size_t n = weights.size();
    for (uint64_t w : weights) total_ += w;
    if (total_ == 0) return;
    threshold_.assign(n, total_);
    alias_.resize(n);
    std::vector<uint64_t> scaled(n);
    std::vector<uint32_t> small, large;
    for (size_t i = 0; i < n; ++i) {
      alias_[i] = static_cast<uint32_t>(i);
      scaled[i] = weights[i] * n;
      (scaled[i] < total_ ? small : large).push_back(static_cast<uint32_t>(i));
    }
    while (!small.empty() && !large.empty()) {
      const uint32_t l = small.back(), g = large.back();
      small.pop_back();
      large.pop_back();
      threshold_[l] = scaled[l];
      alias_[l] = g;
      scaled[g] = scaled[g] + scaled[l] - total_;
      (scaled[g] < total_ ? small : large).push_back(g);
    }
  }
  bool empty() const { return total_ == 0; }
  size_t Sample(Rng& rng) const {
    const size_t i = static_cast<size_t>(rng.Below(threshold_.size()));
    return rng.Below(total_) < threshold_[i] ? i : alias_[i];
  }

 private:
  uint64_t total_ = 0;
  std::vector<uint64_t> threshold_;
  std::vector<uint32_t> alias_;
};

// Persons' employers: among all enterprises, and per county (by index in Counties()) for
// people who work near home.
struct Employers {
  AliasTable all;
  std::vector<AliasTable> by_county;
  std::vector<std::vector<uint32_t>> county_members;  // indexes into the list of all
};

}  // namespace internal
using internal::Rng;

namespace {

// ---------------------------------------------------------------------------------------
// Places. Towns (乡镇、街道) are the real ones of each county; the streets and residential
// quarters of the county seats are a few real or typical names, enough for plausible text.

struct CountyPlaces {
  string_view code;
  uint32_t person_weight;             // roughly the population share
  uint32_t enterprise_weight;         // roughly the share of registered firms
  uint32_t urban_per_mille;           // persons living in the seat rather than in a village
  uint32_t she_per_mille;             // share of 畲族 among residents
  std::vector<string_view> quarters;  // 新村, 小区: "…12幢301室"
  std::vector<string_view> roads;     // "…路128号"
  std::vector<string_view> towns;
  string_view phone_first_digits;  // of 7-digit 0598 numbers
};

const std::vector<CountyPlaces>& CountyTable() {
  static const auto* table = new std::vector<CountyPlaces>{
      {"350404",
       36,
       30,
       800,
       15,
       {"富文新村", "徐碧新村", "梅岭新村", "崇桂新村", "碧湖新村", "三路口小区"},
       {"新市北路", "新市中路", "东新二路", "列东街", "工业中路", "乳山路"},
       {"列东街道", "列西街道", "徐碧街道", "城关街道", "白沙街道", "富兴堡街道", "荆西街道",
        "莘口镇", "岩前镇", "洋溪镇", "陈大镇", "中村乡"},
       "2345678"},
      {"350405",
       23,
       15,
       450,
       10,
       {"金沙新村", "府前小区", "翠绿新村"},
       {"府西路", "东大路", "北门路", "金沙路"},
       {"凤岗街道", "虬江街道", "夏茂镇", "高砂镇", "青州镇", "高桥镇", "富口镇", "大洛镇",
        "南霞乡", "南阳乡", "郑湖乡", "湖源乡"},
       "58"},
      {"350421",
       10,
       4,
       400,
       10,
       {"城关新村", "雪峰小区"},
       {"紫云路", "建设路"},
       {"雪峰镇", "盖洋镇", "胡坊镇", "瀚仙镇", "城关乡", "沙溪乡", "夏阳乡", "枫溪乡", "夏坊乡"},
       "2"},
      {"350423",
       12,
       4,
       400,
       10,
       {"龙津新村", "城西小区"},
       {"龙津路", "东大路"},
       {"龙津镇", "嵩溪镇", "嵩口镇", "灵地镇", "长校镇", "赖坊镇", "林畲镇", "温郊乡", "田源乡",
        "沙芜乡", "余朋乡", "李家乡"},
       "5"},
      {"350424",
       28,
       6,
       400,
       40,
       {"翠江新村", "客家小区"},
       {"中山路", "北大路", "南大街"},
       {"翠江镇", "泉上镇", "湖村镇", "石壁镇", "曹坊镇", "安远镇", "淮土镇", "安乐镇", "水茜镇",
        "城郊镇", "城南镇", "济村乡", "方田乡", "治平畲族乡", "中沙乡", "河龙乡"},
       "6"},
      {"350425",
       30,
       8,
       400,
       10,
       {"均溪新村", "玉田小区"},
       {"玉田路", "凤山路", "赤岩路"},
       {"均溪镇", "石牌镇", "上京镇", "广平镇", "桃源镇", "太华镇", "建设镇", "奇韬镇", "华兴镇",
        "吴山镇", "文江镇", "梅山镇", "屏山乡", "济阳乡", "武陵乡", "谢洋乡", "湖美乡", "前坪乡"},
       "7"},
      {"350426",
       35,
       8,
       400,
       10,
       {"水东新村", "城关小区"},
       {"沈郎路", "紫阳大道", "南滨路"},
       {"城关镇", "梅仙镇", "西滨镇", "洋中镇", "新阳镇", "管前镇", "西城镇", "尤溪口镇", "坂面镇",
        "联合镇", "中仙镇", "汤川乡", "溪尾乡", "台溪乡", "八字桥乡"},
       "6"},
      {"350428",
       15,
       4,
       450,
       10,
       {"古镛新村", "三华小区"},
       {"三华南路", "三华北路", "水南路"},
       {"古镛镇", "万安镇", "高唐镇", "白莲镇", "黄潭镇", "水南镇", "光明镇", "南口镇", "漠源乡",
        "万全乡", "安仁乡", "大源乡", "余坊乡"},
       "2"},
      {"350429",
       10,
       4,
       450,
       10,
       {"杉城新村", "状元小区"},
       {"状元街", "胜利街"},
       {"杉城镇", "朱口镇", "下渠镇", "大田乡", "梅口乡", "新桥乡", "上青乡", "大龙乡", "开善乡"},
       "7"},
      {"350430",
       11,
       4,
       450,
       10,
       {"濉城新村", "闽江源小区"},
       {"解放路", "濉溪路"},
       {"濉溪镇", "里心镇", "溪口镇", "均口镇", "伊家乡", "黄坊乡", "溪源乡", "客坊乡", "黄埠乡"},
       "3"},
      {"350481",
       26,
       15,
       650,
       40,
       {"燕江新村", "南门小区", "巴溪湾小区"},
       {"燕江中路", "新安路", "解放路", "南门路"},
       {"燕东街道", "燕西街道", "燕南街道", "燕北街道", "西洋镇", "贡川镇", "安砂镇", "小陶镇",
        "大湖镇", "曹远镇", "洪田镇", "槐南镇", "上坪乡", "罗坊乡", "青水畲族乡"},
       "3"},
  };
  return *table;
}

constexpr string_view kVillages[] = {"下洋", "上坪", "溪口", "坑头", "洋坊", "际头", "吉山", "桂口",
                                     "岭头", "高坪", "石门", "湖头", "后洋", "黄坑", "大坪", "梅林",
                                     "枫林", "竹洲", "中坊", "新桥", "龙湖", "岩头", "水口", "坂头",
                                     "东坑", "西坑", "南坑", "田背", "洋头", "上洋"};

// Codes retired in 2021, still in the ID numbers of people registered before.
constexpr string_view kRetiredCodes[] = {"350402", "350403", "350427"};
constexpr absl::CivilDay kReorganisation{2021, 5, 1};

// A county ready for use: its table row plus the names of the division library.
struct County {
  string_view code;
  string_view name;                  // "三元区"
  std::string address_prefix;        // "三明市三元区"
  std::vector<string_view> retired;  // older codes of the same territory
  std::vector<int> retired_index;    // their indexes in kRetiredCodes
  const CountyPlaces* places;
  uint32_t weight;  // persons
};

// ---------------------------------------------------------------------------------------
// Names.

struct Surname {
  string_view text;
  uint32_t weight;
};

constexpr Surname kSurnames[] = {
    {"陈", 110}, {"林", 100}, {"黄", 60}, {"张", 45}, {"吴", 45}, {"李", 45}, {"王", 40},
    {"刘", 40},  {"郑", 35},  {"杨", 30}, {"邱", 25}, {"罗", 25}, {"余", 25}, {"曾", 22},
    {"赖", 22},  {"肖", 20},  {"邓", 20}, {"宋", 15}, {"廖", 20}, {"谢", 20}, {"周", 18},
    {"徐", 15},  {"朱", 15},  {"何", 15}, {"江", 15}, {"魏", 12}, {"叶", 15}, {"詹", 10},
    {"卢", 12},  {"邹", 10},  {"池", 6},  {"熊", 8},  {"伍", 5},  {"严", 6},  {"范", 8},
    {"雷", 8},   {"蓝", 6},   {"钟", 10}, {"温", 8},  {"官", 5},  {"饶", 5},  {"傅", 8},
    {"巫", 6},   {"游", 8},   {"涂", 5},  {"姜", 6},  {"胡", 12}, {"高", 10}, {"马", 8},
    {"郭", 12},  {"许", 10},  {"苏", 10}, {"蔡", 8},  {"童", 4},  {"丁", 5},  {"邢", 3}};

// Common surnames among the She (畲族) of western Fujian.
constexpr Surname kSheSurnames[] = {{"雷", 40}, {"蓝", 35}, {"钟", 20}, {"李", 5}};

constexpr string_view kMaleOld[] = {"文", "富", "国", "建", "明", "华", "伟", "军", "强", "勇",
                                    "志", "永", "庆", "春", "德", "金", "荣", "清", "水", "长",
                                    "海", "林", "平", "福", "贵", "祥", "宏", "光", "忠", "生",
                                    "发", "兴", "财", "顺", "良", "才", "树", "根"};
constexpr string_view kMaleNew[] = {"杰", "涛", "鹏", "辉", "磊", "俊", "浩", "宇", "轩", "睿",
                                    "博", "晨", "子", "梓", "铭", "泽", "航", "旭", "东", "坤",
                                    "鑫", "昊", "宸", "然", "皓", "奕", "毅", "斌", "凯", "锦"};
constexpr string_view kFemaleOld[] = {"秀", "英", "玉", "兰", "梅", "珍", "芳", "凤", "琴",
                                      "霞", "美", "娟", "金", "莲", "桂", "香", "花", "月",
                                      "春", "妹", "丽", "华", "云", "菊", "素", "淑"};
constexpr string_view kFemaleNew[] = {"婷", "雪", "慧", "佳", "欣", "怡", "雨", "萱", "涵",
                                      "琳", "诗", "梦", "晓", "嘉", "思", "颖", "静", "燕",
                                      "敏", "丹", "倩", "璐", "可", "悦", "馨", "彤", "艳"};

// Trade names (字号) are two characters, one from each list.
constexpr string_view kTradeFirst[] = {"鑫", "恒", "华", "宏", "金", "永", "瑞", "泰", "建", "闽",
                                       "明", "盛", "佳", "同", "顺", "富", "新", "嘉", "德", "天",
                                       "荣", "正", "立", "绿", "翠", "福", "万", "益", "中", "聚",
                                       "鸿", "祥", "宝", "鼎", "铭", "远", "岩", "兴", "辉", "润"};
constexpr string_view kTradeSecond[] = {"源", "达", "盛", "远", "诚", "兴", "丰", "和", "辉",
                                        "发", "禾", "创", "华", "润", "成", "昌", "元", "信",
                                        "峰", "邦", "民", "力", "运", "瑞", "扬", "航", "泰",
                                        "隆", "鑫", "通", "利", "安", "康", "顺", "晟"};

// ---------------------------------------------------------------------------------------
// Codes.

struct Code {
  string_view code;
  uint32_t weight;
};

constexpr string_view kMobilePrefixes[] = {
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "176", "177", "178", "180",
    "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "198", "199"};

constexpr Code kOtherEthnicities[] = {{"08", 3}, {"06", 2}, {"03", 2}, {"11", 1},
                                      {"15", 1}, {"12", 1}, {"02", 1}, {"13", 1}};

// Marital status by age band (GB/T 2261.2: 10 未婚 20 已婚 30 丧偶 40 离婚).
struct MaritalBand {
  int max_age;  // inclusive
  Code codes[4];
};
constexpr MaritalBand kMarital[] = {
    {19, {{"10", 1000}, {"20", 0}, {"30", 0}, {"40", 0}}},
    {24, {{"10", 750}, {"20", 250}, {"30", 0}, {"40", 0}}},
    {29, {{"10", 400}, {"20", 580}, {"30", 0}, {"40", 20}}},
    {39, {{"10", 120}, {"20", 820}, {"30", 0}, {"40", 60}}},
    {59, {{"10", 30}, {"20", 860}, {"30", 30}, {"40", 80}}},
    {74, {{"10", 10}, {"20", 800}, {"30", 140}, {"40", 50}}},
    {200, {{"10", 0}, {"20", 550}, {"30", 430}, {"40", 20}}},
};

// Education by birth cohort (GB/T 4658: 10 研究生 20 本科 30 专科 40 中职 60 高中 70 初中
// 80 小学 90 其他).
struct EducationBand {
  int max_year;  // inclusive
  Code codes[8];
};
constexpr EducationBand kEducation[] = {
    {1949,
     {{"80", 500},
      {"70", 250},
      {"60", 80},
      {"90", 170},
      {"40", 0},
      {"30", 0},
      {"20", 0},
      {"10", 0}}},
    {1964,
     {{"80", 300},
      {"70", 400},
      {"60", 180},
      {"90", 10},
      {"40", 50},
      {"30", 40},
      {"20", 20},
      {"10", 0}}},
    {1979,
     {{"80", 100},
      {"70", 400},
      {"60", 220},
      {"90", 0},
      {"40", 120},
      {"30", 90},
      {"20", 60},
      {"10", 10}}},
    {1994,
     {{"80", 0},
      {"70", 220},
      {"60", 180},
      {"90", 0},
      {"40", 180},
      {"30", 200},
      {"20", 190},
      {"10", 30}}},
    {2003,
     {{"80", 0},
      {"70", 100},
      {"60", 120},
      {"90", 0},
      {"40", 200},
      {"30", 280},
      {"20", 260},
      {"10", 40}}},
    {9999,
     {{"80", 0},
      {"70", 250},
      {"60", 400},
      {"90", 0},
      {"40", 250},
      {"30", 100},
      {"20", 0},
      {"10", 0}}},
};

// Enterprise types of the catalog's code list, with the share of registrations.
enum class Form {
  kLimited,
  kSoleLimited,
  kJointStock,
  kNonCompany,
  kSole,
  kPartnership,
  kForeign,
  kCoop
};
struct EnterpriseType {
  string_view code;
  uint32_t weight;
  Form form;
  absl::CivilDay earliest;  // the law that made the form possible
  int min_employees, max_employees;
  std::array<int, 10> capitals;  // typical registered capital, 万元 (0 = unused slot)
};
const EnterpriseType kTypes[] = {
    {"1100",
     380,
     Form::kLimited,
     absl::CivilDay(1994, 7, 1),
     5,
     300,
     {10, 30, 50, 100, 200, 300, 500, 1000, 2000, 5000}},
    {"1151",
     260,
     Form::kSoleLimited,
     absl::CivilDay(2006, 1, 1),
     2,
     40,
     {3, 5, 10, 30, 50, 100, 200, 300, 500, 1000}},
    {"1200",
     20,
     Form::kJointStock,
     absl::CivilDay(1994, 7, 1),
     80,
     2000,
     {1000, 2000, 3000, 5000, 8000, 10000, 20000, 36000, 0, 0}},
    {"3100",
     20,
     Form::kNonCompany,
     absl::CivilDay(1958, 1, 1),
     20,
     500,
     {50, 100, 300, 500, 1000, 0, 0, 0, 0, 0}},
    {"4100",
     140,
     Form::kSole,
     absl::CivilDay(2000, 1, 1),
     1,
     10,
     {1, 3, 5, 10, 20, 30, 50, 100, 0, 0}},
    {"4500",
     40,
     Form::kPartnership,
     absl::CivilDay(2007, 6, 1),
     0,
     5,
     {100, 500, 1000, 3000, 5000, 10000, 0, 0, 0, 0}},
    {"5100",
     20,
     Form::kForeign,
     absl::CivilDay(1984, 1, 1),
     20,
     800,
     {100, 300, 500, 1000, 3000, 0, 0, 0, 0, 0}},
    {"9100",
     120,
     Form::kCoop,
     absl::CivilDay(2007, 7, 1),
     5,
     60,
     {5, 10, 20, 50, 100, 200, 300, 500, 0, 0}},
};

// GB/T 4754-2017 industries common in Sanming.
enum class Setting { kIndustrial, kUrban, kRural };
struct Industry {
  string_view code;
  uint32_t weight;
  Setting setting;
  string_view company_word;  // "机械制造" in "…鑫源机械制造有限公司"
  string_view sole_name;     // "机械加工厂" for a 个人独资企业
  string_view coop_word;     // "茶叶" in "…茶叶专业合作社"; empty when not farming
  string_view scope;
};
constexpr Industry kIndustries[] = {
    {"C3130", 8, Setting::kIndustrial, "钢材加工", "钢材加工厂", "",
     "钢压延加工；金属材料销售；金属制品销售。"},
    {"C3484", 10, Setting::kIndustrial, "机械制造", "机械加工厂", "",
     "机械零件、零部件加工；通用设备制造（不含特种设备制造）；机械设备销售。"},
    {"C3311", 6, Setting::kIndustrial, "钢结构", "钢结构加工厂", "",
     "金属结构制造；金属结构销售；建筑用钢筋产品销售。"},
    {"C2011", 10, Setting::kIndustrial, "木业", "木材加工厂", "",
     "木材加工；木材销售；林业产品销售。"},
    {"C2021", 5, Setting::kIndustrial, "人造板", "胶合板厂", "",
     "人造板制造；人造板销售；木材销售。"},
    {"C2110", 5, Setting::kIndustrial, "家具", "家具厂", "",
     "家具制造；家具销售；家具安装和维修服务。"},
    {"C1530", 6, Setting::kIndustrial, "茶业", "茶厂", "",
     "茶叶制品生产；初级农产品收购；食用农产品批发。"},
    {"C2221", 3, Setting::kIndustrial, "纸业", "纸品厂", "", "纸制品制造；纸制品销售。"},
    {"C2927", 4, Setting::kIndustrial, "塑料制品", "塑料制品厂", "",
     "塑料制品制造；塑料制品销售。"},
    {"C3021", 5, Setting::kIndustrial, "建材", "水泥制品厂", "",
     "水泥制品制造；水泥制品销售；建筑材料销售。"},
    {"C3032", 4, Setting::kIndustrial, "石材", "石材加工厂", "",
     "建筑用石加工；非金属矿及制品销售。"},
    {"C1711", 4, Setting::kIndustrial, "纺织", "纺织厂", "", "面料纺织加工；针纺织品及原料销售。"},
    {"C3670", 4, Setting::kIndustrial, "汽车配件", "汽配加工厂", "",
     "汽车零部件及配件制造；汽车零配件批发。"},
    {"E4710", 8, Setting::kUrban, "建筑工程", "", "",
     "建设工程施工；住宅室内装饰装修；建筑材料销售。"},
    {"F5165", 8, Setting::kUrban, "建材贸易", "建材商行", "",
     "建筑材料销售；五金产品批发；金属材料销售。"},
    {"F5212", 8, Setting::kUrban, "商贸", "超市", "", "日用百货销售；食品销售；烟草制品零售。"},
    {"F5227", 4, Setting::kUrban, "茶叶贸易", "茶庄", "", "茶具销售；食品销售；酒类经营。"},
    {"H6210", 6, Setting::kUrban, "餐饮管理", "饭店", "", "餐饮服务；餐饮管理；食品销售。"},
    {"H6220", 8, Setting::kUrban, "小吃餐饮", "小吃店", "",
     "餐饮服务；小餐饮、小食杂、食品小作坊经营。"},
    {"G5431", 6, Setting::kUrban, "物流", "货运部", "",
     "道路货物运输（不含危险货物）；装卸搬运；国内货物运输代理。"},
    {"I6513", 4, Setting::kUrban, "信息技术", "电脑经营部", "",
     "软件开发；信息技术咨询服务；信息系统集成服务。"},
    {"K7010", 3, Setting::kUrban, "房地产开发", "", "", "房地产开发经营；物业管理。"},
    {"M7484", 2, Setting::kUrban, "工程设计", "", "", "建设工程设计；工程管理服务。"},
    {"D4413", 3, Setting::kRural, "水电", "", "", "水力发电；发电业务、输电业务、供（配）电业务。"},
    {"A0164", 6, Setting::kRural, "茶业", "茶叶种植场", "茶叶",
     "茶叶种植；茶叶制品生产；农产品的生产、销售、加工、运输、贮藏及其他相关服务。"},
    {"A0142", 6, Setting::kRural, "菌业", "食用菌种植场", "食用菌",
     "食用菌种植；食用菌菌种生产；初级农产品收购。"},
    {"A0141", 5, Setting::kRural, "农业", "家庭农场", "蔬菜",
     "蔬菜种植；农产品的生产、销售、加工、运输、贮藏及其他相关服务。"},
    {"A0313", 4, Setting::kRural, "牧业", "养殖场", "生猪养殖",
     "牲畜饲养；饲料生产；畜禽粪污处理利用。"},
    {"A0212", 4, Setting::kRural, "林业", "苗圃", "林业", "林木种子生产；林木育苗；林业产品销售。"},
    {"A0111", 3, Setting::kRural, "农业", "家庭农场", "稻米", "谷物种植；粮食收购；农业机械服务。"},
};
constexpr Industry kInvestment = {"L7212",
                                  0,
                                  Setting::kUrban,
                                  "投资",
                                  "",
                                  "",
                                  "以自有资金从事投资活动；企业管理咨询；社会经济咨询服务。"};

constexpr string_view kLicensedNote = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）";

// Registration status by share (1 存续 2 吊销 3 注销 4 迁出 5 撤销 6 歇业).
constexpr Code kStatusOld[] = {{"1", 850}, {"2", 40}, {"3", 80}, {"4", 10}, {"5", 10}, {"6", 10}};
constexpr Code kStatusNew[] = {{"1", 970}, {"3", 30}};

// ---------------------------------------------------------------------------------------
// Text helpers.

// memcpy for the short pieces of text here, without a library call: fixed-size copies
// (overlapping for lengths in between) compile to a few moves.
inline void CopySmall(char* d, const char* p, size_t n) {
  if (n >= 8 && n <= 16) {
    uint64_t a, b;
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + n - 8, 8);
    std::memcpy(d, &a, 8);
    std::memcpy(d + n - 8, &b, 8);
  } else if (n >= 4 && n < 8) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    std::memcpy(d, &a, 4);
    std::memcpy(d + n - 4, &b, 4);
  } else if (n < 4) {
    for (size_t i = 0; i < n; ++i) d[i] = p[i];
  } else {
    std::memcpy(d, p, n);
  }
}

// A fixed buffer for building a short field without a call per piece; text past its
// capacity is dropped (no generated field comes near it).
class Text {
 public:
  void append(const char* p, size_t n) {
    n = std::min(n, kCapacity - size_);
    CopySmall(buf_ + size_, p, n);
    size_ += n;
  }
  void push_back(char c) {
    if (size_ < kCapacity) buf_[size_++] = c;
  }
  void clear() { size_ = 0; }
  string_view view() const { return string_view(buf_, size_); }

 private:
  static constexpr size_t kCapacity = 240;
  char buf_[kCapacity];
  size_t size_ = 0;
};

template <typename Out>
void AppendDigits(Out* out, uint64_t v, int width) {
  char buf[20];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out->append(buf, width);
}

template <typename Out>
void AppendUint(Out* out, uint64_t v) {
  char buf[20];
  int n = 0;
  do {
    buf[19 - n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out->append(buf + 20 - n, n);
}

template <typename Out>
void AppendDate(Out* out, absl::CivilDay d) {
  AppendDigits(out, static_cast<uint64_t>(d.year()), 4);
  out->push_back('-');
  AppendDigits(out, static_cast<uint64_t>(d.month()), 2);
  out->push_back('-');
  AppendDigits(out, static_cast<uint64_t>(d.day()), 2);
}

template <typename Out>
void Append(Out* out, string_view s) {
  out->append(s.data(), s.size());
}
void Assign(std::string* out, string_view s) { out->assign(s.data(), s.size()); }

int AgeAt(absl::CivilDay birth, absl::CivilDay day) {
  int age = static_cast<int>(day.year() - birth.year());
  if (day.month() < birth.month() || (day.month() == birth.month() && day.day() < birth.day())) {
    --age;
  }
  return age;
}

// The GB 11714 check character of an 8-character organisation code body.
char OrgCodeCheck(string_view body) {
  static constexpr int kWeights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 8; ++i) {
    const char c = body[i];
    const int v = c >= '0' && c <= '9' ? c - '0' : c - 'A' + 10;
    sum += v * kWeights[i];
  }
  const int check = 11 - sum % 11;
  return check == 10 ? 'X' : check == 11 ? '0' : static_cast<char>('0' + check);
}

// GB 11643 MOD 11-2 over 17 digits, as ident::ResidentIdCheckChar (which the tests compare
// with) but without its input checks: the digits here are ours.
char IdCheckChar(string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kChecks[] = "10X98765432";
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kChecks[sum % 11];
}

constexpr string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

const std::vector<County>& Counties() {
  static const auto* counties = [] {
    auto* v = new std::vector<County>;
    for (const ident::Division& d : ident::SanmingDivisions()) {
      const CountyPlaces* places = nullptr;
      for (const CountyPlaces& p : CountyTable()) {
        if (p.code == d.code) places = &p;
      }
      if (places == nullptr) continue;  // a division without place names is left out
      County c;
      c.code = d.code;
      c.name = d.name;
      c.address_prefix = std::string("三明市") + std::string(d.name);
      for (size_t k = 0; k < std::size(kRetiredCodes); ++k) {
        const ident::Division* old = ident::FindDivision(kRetiredCodes[k]);
        if (old != nullptr && old->successor == d.code) {
          c.retired.push_back(old->code);
          c.retired_index.push_back(static_cast<int>(k));
        }
      }
      c.places = places;
      c.weight = places->person_weight;
      v->push_back(std::move(c));
    }
    return v;
  }();
  return *counties;
}

// The index of 三元区, the city proper, in Counties().
size_t CityProper() {
  static const size_t index = [] {
    const auto& counties = Counties();
    for (size_t i = 0; i < counties.size(); ++i) {
      if (counties[i].code == "350404") return i;
    }
    return size_t{0};
  }();
  return index;
}

// Person ID prefixes are kept as integers: division index, day number and sequence.
constexpr absl::CivilDay kEarliestBirth{1930, 1, 1};
constexpr absl::CivilDay kLatestBirth{2008, 12, 31};

struct BirthYear {
  absl::CivilDay jan1;
  int64_t days;  // in the year
  uint32_t weight;
};
const std::vector<BirthYear>& BirthYears() {
  static const auto* years = [] {
    auto* v = new std::vector<BirthYear>;
    for (int y = kEarliestBirth.year(); y <= kLatestBirth.year(); ++y) {
      const uint32_t w = y < 1940 ? 20 : y < 1950 ? 45 : y < 1960 ? 75 : y < 1990 ? 100 : 90;
      const absl::CivilDay jan1(y, 1, 1);
      v->push_back({jan1, absl::CivilDay(y + 1, 1, 1) - jan1, w});
    }
    return v;
  }();
  return *years;
}

struct Tables {
  Cumulative counties = MakeCumulative(absl::MakeConstSpan(Counties()));
  Cumulative years = MakeCumulative(absl::MakeConstSpan(BirthYears()));
  Cumulative surnames = MakeCumulative(absl::MakeConstSpan(kSurnames));
  Cumulative she_surnames = MakeCumulative(absl::MakeConstSpan(kSheSurnames));
};
const Tables& GetTables() {
  static const auto* tables = new Tables;
  return *tables;
}

// True when `s` holds ',', '"', CR or LF. Eight bytes at a time: a byte of x ^ pattern is
// zero exactly where x has the pattern's byte.
bool NeedsQuoting(const std::string& s) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  auto has_zero_byte = [](uint64_t x) { return ((x - kOnes) & ~x & kHighs) != 0; };
  const char* p = s.data();
  size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    if (has_zero_byte(x ^ (kOnes * ',')) || has_zero_byte(x ^ (kOnes * '"')) ||
        has_zero_byte(x ^ (kOnes * '\n')) || has_zero_byte(x ^ (kOnes * '\r'))) {
      return true;
    }
  }
  for (; n > 0; ++p, --n) {
    if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r') return true;
  }
  return false;
}

// True when `s` holds '"', '\\' or a control character, eight bytes at a time as above
// (a byte below 0x20 is one whose subtraction of 0x20 borrows while its top bit is clear).
bool NeedsJsonEscape(string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  auto has_zero_byte = [](uint64_t x) { return ((x - kOnes) & ~x & kHighs) != 0; };
  const char* p = s.data();
  size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    if (has_zero_byte(x ^ (kOnes * '"')) || has_zero_byte(x ^ (kOnes * '\\')) ||
        ((x - kOnes * 0x20) & ~x & kHighs) != 0) {
      return true;
    }
  }
  for (; n > 0; ++p, --n) {
    if (*p == '"' || *p == '\\' || static_cast<unsigned char>(*p) < 0x20) return true;
  }
  return false;
}

// Generated text is UTF-8 from the generator's own tables: without anything to escape it is
// copied as it is (the common case, and the fast one); otherwise nlohmann::json quotes it.
void AppendJsonString(string_view s, std::string* out) {
  if (!NeedsJsonEscape(s)) {
    out->push_back('"');
    out->append(s.data(), s.size());
    out->push_back('"');
    return;
  }
  *out +=
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

template <size_t N>
std::vector<std::pair<std::string, std::string>> ToPairs(
    absl::Span<const string_view> names, const std::array<const std::string*, N>& values) {
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(N);
  for (size_t i = 0; i < N; ++i) pairs.emplace_back(std::string(names[i]), *values[i]);
  return pairs;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Rows.

absl::Span<const string_view> PersonRow::FieldNames() {
  static constexpr string_view kNames[kFieldCount] = {
      "id_number",           "name",         "gender",
      "ethnicity",           "birth_date",   "household_address",
      "residential_address", "mobile_phone", "marital_status",
      "education",           "employer"};
  return kNames;
}

std::array<const std::string*, PersonRow::kFieldCount> PersonRow::Values() const {
  return {&id_number,           &name,         &gender,
          &ethnicity,           &birth_date,   &household_address,
          &residential_address, &mobile_phone, &marital_status,
          &education,           &employer};
}

std::vector<std::pair<std::string, std::string>> PersonRow::Pairs() const {
  return ToPairs(FieldNames(), Values());
}
void PersonRow::AppendCsv(std::string* out) const { AppendCsvLine(Values(), out); }
void PersonRow::AppendJsonl(std::string* out) const {
  AppendJsonlLine(FieldNames(), Values(), out);
}

absl::Span<const string_view> EnterpriseRow::FieldNames() {
  static constexpr string_view kNames[kFieldCount] = {"uscc",
                                                      "name",
                                                      "enterprise_type",
                                                      "legal_representative_name",
                                                      "registered_capital",
                                                      "establishment_date",
                                                      "registered_address",
                                                      "business_scope",
                                                      "registration_authority",
                                                      "status",
                                                      "division_code",
                                                      "industry_code",
                                                      "contact_phone",
                                                      "employee_count"};
  return kNames;
}

std::array<const std::string*, EnterpriseRow::kFieldCount> EnterpriseRow::Values() const {
  return {&uscc,
          &name,
          &enterprise_type,
          &legal_representative_name,
          &registered_capital,
          &establishment_date,
          &registered_address,
          &business_scope,
          &registration_authority,
          &status,
          &division_code,
          &industry_code,
          &contact_phone,
          &employee_count};
}

std::vector<std::pair<std::string, std::string>> EnterpriseRow::Pairs() const {
  return ToPairs(FieldNames(), Values());
}
void EnterpriseRow::AppendCsv(std::string* out) const { AppendCsvLine(Values(), out); }
void EnterpriseRow::AppendJsonl(std::string* out) const {
  AppendJsonlLine(FieldNames(), Values(), out);
}

void AppendCsvHeader(absl::Span<const string_view> names, std::string* out) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out->push_back(',');
    Append(out, names[i]);
  }
  out->push_back('\n');
}

void AppendCsvLine(absl::Span<const std::string* const> values, std::string* out) {
  // The common case, nothing to quote: one resize and a copy per value.
  size_t total = values.size();  // separators and the line end
  bool plain = true;
  for (const std::string* v : values) {
    total += v->size();
    plain = plain && !NeedsQuoting(*v);
  }
  if (plain) {
    const size_t start = out->size();
    out->resize(start + total);
    char* p = &(*out)[start];
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) *p++ = ',';
      CopySmall(p, values[i]->data(), values[i]->size());
      p += values[i]->size();
    }
    *p = '\n';
    return;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out->push_back(',');
    const std::string& v = *values[i];
    if (!NeedsQuoting(v)) {
      out->append(v);
      continue;
    }
    out->push_back('"');
    for (char c : v) {
      if (c == '"') out->push_back('"');
      out->push_back(c);
    }
    out->push_back('"');
  }
  out->push_back('\n');
}

void AppendJsonlLine(absl::Span<const string_view> names,
                     absl::Span<const std::string* const> values, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (size_t i = 0; i < values.size() && i < names.size(); ++i) {
    if (values[i]->empty()) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(names[i], out);
    out->push_back(':');
    AppendJsonString(*values[i], out);
  }
  out->append("}\n");
}

// ---------------------------------------------------------------------------------------
// The generator.

namespace {
// A fixed, odd mixing constant: the enterprise stream must differ from the person stream.
constexpr uint64_t kEnterpriseStream = 0x9e3779b97f4a7c15ULL;
}  // namespace

PopulationGenerator::PopulationGenerator(uint64_t seed, int64_t employer_enterprises)
    : person_rng_(std::make_unique<Rng>(seed)),
      enterprise_rng_(std::make_unique<Rng>(seed ^ kEnterpriseStream)) {
  if (employer_enterprises <= 0) return;
  // The employers are the first M enterprises of this seed: generate them with a generator
  // of their own, so this one's enterprise stream still starts at the beginning.
  PopulationGenerator enterprises(seed, 0);
  EnterpriseRow row;
  const size_t m = static_cast<size_t>(employer_enterprises);
  employer_usccs_.reserve(m);
  employer_refs_.reserve(m);
  const std::vector<County>& counties = Counties();
  std::vector<uint64_t> weights;
  weights.reserve(m);
  std::vector<std::vector<uint64_t>> county_weights(counties.size());
  employers_ = std::make_unique<internal::Employers>();
  employers_->county_members.resize(counties.size());
  for (size_t i = 0; i < m; ++i) {
    enterprises.NextEnterprise(&row);
    // People work for firms in business, in proportion to their size.
    const uint64_t weight = row.status == "1" ? 1 + std::stoull(row.employee_count) : 0;
    weights.push_back(weight);
    for (size_t k = 0; k < counties.size(); ++k) {
      if (weight == 0 || counties[k].code != row.division_code) continue;
      county_weights[k].push_back(weight);
      employers_->county_members[k].push_back(static_cast<uint32_t>(i));
    }
    employer_refs_.push_back("enterprises/" + row.uscc);
    employer_usccs_.push_back(std::move(row.uscc));
  }
  employers_->all = internal::AliasTable(weights);
  if (employers_->all.empty()) {  // none in business: choose uniformly
    employers_->all = internal::AliasTable(std::vector<uint64_t>(m, 1));
  }
  for (const auto& w : county_weights) employers_->by_county.emplace_back(w);
}

PopulationGenerator::~PopulationGenerator() = default;

namespace {

template <typename Out>
void GivenName(Rng& rng, bool male, int birth_year, Out* out) {
  // The younger the person, the likelier the newer fashion of characters.
  const int per_mille_new = std::clamp((birth_year - 1960) * 25, 0, 950);
  const int chars = rng.Chance(850) ? 2 : 1;
  for (int i = 0; i < chars; ++i) {
    const bool modern = rng.Below(1000) < static_cast<uint64_t>(per_mille_new);
    if (male) {
      Append(out, modern ? rng.Pick(absl::MakeConstSpan(kMaleNew))
                         : rng.Pick(absl::MakeConstSpan(kMaleOld)));
    } else {
      Append(out, modern ? rng.Pick(absl::MakeConstSpan(kFemaleNew))
                         : rng.Pick(absl::MakeConstSpan(kFemaleOld)));
    }
  }
}

template <typename Out>
void PersonName(Rng& rng, bool male, int birth_year, bool she, Out* out) {
  out->clear();
  const Tables& t = GetTables();
  Append(out, she ? kSheSurnames[rng.Weighted(t.she_surnames)].text
                  : kSurnames[rng.Weighted(t.surnames)].text);
  GivenName(rng, male, birth_year, out);
}

template <typename Out>
void AppendPersonAddress(Rng& rng, size_t county, Out* out) {
  const County& c = Counties()[county];
  const CountyPlaces& p = *c.places;
  Append(out, c.address_prefix);
  if (rng.Chance(p.urban_per_mille)) {
    if (rng.Chance(600)) {
      Append(out, rng.Pick(absl::MakeConstSpan(p.quarters)));
      AppendUint(out, static_cast<uint64_t>(rng.Range(1, 40)));
      Append(out, "幢");
    } else {
      Append(out, rng.Pick(absl::MakeConstSpan(p.roads)));
      AppendUint(out, static_cast<uint64_t>(rng.Range(1, 300)));
      Append(out, "号");
    }
    const int floor = rng.Chance(800) ? rng.Range(1, 7) : rng.Range(8, 26);
    AppendUint(out, static_cast<uint64_t>(floor * 100 + rng.Range(1, 4)));
    Append(out, "室");
  } else {
    Append(out, rng.Pick(absl::MakeConstSpan(p.towns)));
    Append(out, rng.Pick(absl::MakeConstSpan(kVillages)));
    Append(out, "村");
    AppendUint(out, static_cast<uint64_t>(rng.Range(1, 180)));
    Append(out, "号");
  }
}

template <typename Out>
void AppendMobile(Rng& rng, Out* out) {
  Append(out, rng.Pick(absl::MakeConstSpan(kMobilePrefixes)));
  AppendDigits(out, rng.Below(100000000), 8);
}

}  // namespace

PersonRow PopulationGenerator::NextPerson() {
  PersonRow row;
  NextPerson(&row);
  return row;
}

void PopulationGenerator::NextPerson(PersonRow* row) {
  Rng& rng = *person_rng_;
  const std::vector<County>& counties = Counties();
  const Tables& tables = GetTables();
  const size_t county = rng.Weighted(tables.counties);
  const County& c = counties[county];
  const bool male = rng.Chance(510);

  // The ID number: where first registered, birth date, sequence with the sex's parity.
  string_view code = c.code;
  absl::CivilDay birth;
  int sequence = 0;
  const auto& years = BirthYears();
  for (;;) {
    // Everyone here was born before the 2021 reorganisation, so most people of 三元区 and
    // 沙县区 still carry the old codes. Codes are numbered for the key: the counties, then
    // the retired codes.
    code = c.code;
    size_t code_index = county;
    if (!c.retired.empty() && rng.Chance(800)) {
      const size_t k = rng.Below(c.retired.size());
      code = c.retired[k];
      code_index = counties.size() + static_cast<size_t>(c.retired_index[k]);
    }
    const BirthYear& year = years[rng.Weighted(tables.years)];
    const int64_t day_of_year = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(year.days)));
    birth = year.jan1 + day_of_year;
    sequence = static_cast<int>(rng.Below(500)) * 2 + (male ? 1 : 0);
    const uint64_t key = (static_cast<uint64_t>(code_index) * 100000 +
                          static_cast<uint64_t>(year.jan1 - kEarliestBirth + day_of_year)) *
                             1000 +
                         static_cast<uint64_t>(sequence);
    if (person_keys_.insert(key).second) break;
  }
  // As ident::MakeResidentId, without its formatting overhead: code, YYYYMMDD, sequence,
  // then the MOD 11-2 check character (the tests compare with MakeResidentId).
  {
    Text id;
    Append(&id, code);
    AppendDigits(&id, static_cast<uint64_t>(birth.year()), 4);
    AppendDigits(&id, static_cast<uint64_t>(birth.month()), 2);
    AppendDigits(&id, static_cast<uint64_t>(birth.day()), 2);
    AppendDigits(&id, static_cast<uint64_t>(sequence), 3);
    id.push_back(IdCheckChar(id.view()));
    Assign(&row->id_number, id.view());
  }

  const bool she = rng.Chance(c.places->she_per_mille);
  string_view ethnicity = "01";
  if (she) {
    ethnicity = "22";
  } else if (rng.Chance(6)) {
    ethnicity = kOtherEthnicities[rng.Weighted(absl::MakeConstSpan(kOtherEthnicities))].code;
  }
  Assign(&row->ethnicity, ethnicity);
  // Fields are built in a stack buffer and assigned once: far fewer calls than appending
  // piece by piece to the row's strings.
  Text text;
  PersonName(rng, male, static_cast<int>(birth.year()), she, &text);
  Assign(&row->name, text.view());
  Assign(&row->gender, male ? "1" : "2");
  text.clear();
  AppendDate(&text, birth);
  Assign(&row->birth_date, text.view());

  text.clear();
  AppendPersonAddress(rng, county, &text);
  Assign(&row->household_address, text.view());
  size_t residence = county;
  if (rng.Chance(700)) {
    Assign(&row->residential_address, text.view());
  } else {
    // Moved within the county, or to the city proper (三元区).
    text.clear();
    residence = rng.Chance(700) ? county : CityProper();
    AppendPersonAddress(rng, residence, &text);
    Assign(&row->residential_address, text.view());
  }
  text.clear();
  AppendMobile(rng, &text);
  Assign(&row->mobile_phone, text.view());

  const int age = AgeAt(birth, kReferenceDay);
  for (const MaritalBand& band : kMarital) {
    if (age <= band.max_age) {
      Assign(&row->marital_status, band.codes[rng.Weighted(absl::MakeConstSpan(band.codes))].code);
      break;
    }
  }
  for (const EducationBand& band : kEducation) {
    if (birth.year() <= band.max_year) {
      Assign(&row->education, band.codes[rng.Weighted(absl::MakeConstSpan(band.codes))].code);
      break;
    }
  }

  row->employer.clear();
  const uint32_t employed = age < 18 ? 0 : age < 60 ? 820 : age < 70 ? 120 : 0;
  if (employers_ != nullptr && rng.Chance(employed)) {
    // Most people work in the county they live in, when it has firms in business.
    const internal::AliasTable& local = employers_->by_county[residence];
    if (!local.empty() && rng.Chance(800)) {
      row->employer = employer_refs_[employers_->county_members[residence][local.Sample(rng)]];
    } else {
      row->employer = employer_refs_[employers_->all.Sample(rng)];
    }
  }
}

EnterpriseRow PopulationGenerator::NextEnterprise() {
  EnterpriseRow row;
  NextEnterprise(&row);
  return row;
}

void PopulationGenerator::NextEnterprise(EnterpriseRow* row) {
  Rng& rng = *enterprise_rng_;
  const std::vector<County>& counties = Counties();
  struct CountyWeight {
    uint32_t weight;
  };
  std::vector<CountyWeight> county_weights;
  county_weights.reserve(counties.size());
  for (const County& c : counties) county_weights.push_back({c.places->enterprise_weight});
  const size_t county = rng.Weighted(absl::MakeConstSpan(county_weights));
  const County& c = counties[county];
  const CountyPlaces& places = *c.places;

  const EnterpriseType& type = kTypes[rng.Weighted(absl::MakeConstSpan(kTypes))];
  const Industry* industry = &kIndustries[0];
  if (type.form == Form::kPartnership) {
    industry = &kInvestment;
  } else {
    for (;;) {
      industry = &kIndustries[rng.Weighted(absl::MakeConstSpan(kIndustries))];
      if (type.form == Form::kCoop && industry->coop_word.empty()) continue;
      if (type.form == Form::kSole && industry->sole_name.empty()) continue;
      break;
    }
  }

  // Establishment: from the law that made the form possible to the end of 2025, most of
  // the registrations recent.
  const absl::CivilDay latest(2025, 12, 31);
  const int first_year = static_cast<int>(type.earliest.year());
  const int span = static_cast<int>(latest.year()) - first_year + 1;
  // The integer square root of a uniform draw from [0, span^2) leans towards later years.
  const uint64_t draw = rng.Below(static_cast<uint64_t>(span) * static_cast<uint64_t>(span));
  uint64_t offset = 0;
  while ((offset + 1) * (offset + 1) <= draw) ++offset;
  const int year = first_year + static_cast<int>(offset);
  const absl::CivilDay from = std::max(type.earliest, absl::CivilDay(year, 1, 1));
  const absl::CivilDay established =
      from + static_cast<int64_t>(
                 rng.Below(static_cast<uint64_t>(absl::CivilDay(year, 12, 31) - from + 1)));

  // Registration authority and the credit code. Firms older than the codes (2015-10-01)
  // were given one by 2017, carrying their old organisation code; codes issued in 三元区
  // or 沙县区 before the 2021 reorganisation carry the retired division codes.
  const bool city_level = type.form == Form::kJointStock ? rng.Chance(700)
                          : (type.form == Form::kLimited || type.form == Form::kForeign)
                              ? rng.Chance(150)
                              : false;
  const string_view authority = city_level ? string_view("350400") : c.code;
  const absl::CivilDay codes_began(2015, 10, 1);
  const absl::CivilDay issued =
      established >= codes_began ? established : codes_began + static_cast<int64_t>(rng.Below(820));
  string_view uscc_division = authority;
  if (!city_level && issued < kReorganisation && !c.retired.empty()) {
    uscc_division = rng.Pick(absl::MakeConstSpan(c.retired));
  }
  std::string first17;
  for (;;) {
    first17.assign("9");
    first17.push_back(type.form == Form::kCoop ? '3' : '1');
    Append(&first17, uscc_division);
    if (established < codes_began) {
      const size_t body_start = first17.size();
      for (int i = 0; i < 8; ++i) first17.push_back(static_cast<char>('0' + rng.Below(10)));
      first17.push_back(OrgCodeCheck(string_view(first17).substr(body_start, 8)));
    } else {
      first17.append("MA");
      for (int i = 0; i < 7; ++i) first17.push_back(kUsccAlphabet[rng.Below(kUsccAlphabet.size())]);
    }
    row->uscc = ident::MakeUscc(first17);
    if (usccs_.insert(row->uscc).second) break;
  }

  // Name: place + trade name + industry + form.
  std::string trade;
  Append(&trade, rng.Pick(absl::MakeConstSpan(kTradeFirst)));
  Append(&trade, rng.Pick(absl::MakeConstSpan(kTradeSecond)));
  const bool district = c.code == "350404" || c.code == "350405";
  std::string place;
  const uint64_t roll = rng.Below(100);
  if (type.form == Form::kJointStock) {
    place = roll < 60 ? "福建" : "三明";
  } else if (type.form == Form::kForeign || type.form == Form::kPartnership) {
    place = roll < 70 ? "三明" : "福建";
  } else if (type.form == Form::kCoop || type.form == Form::kSole) {
    place = district ? c.address_prefix : std::string(c.name);
  } else if (roll < 70) {
    place = district ? c.address_prefix : std::string(c.name);
  } else if (roll < 88) {
    place = "三明";
  } else {
    place = "福建";
  }
  std::string& name = row->name;
  name = place;
  name += trade;
  switch (type.form) {
    case Form::kLimited:
    case Form::kSoleLimited:
    case Form::kForeign:
      Append(&name, industry->company_word);
      name += "有限公司";
      break;
    case Form::kJointStock:
      Append(&name, industry->company_word);
      name += "股份有限公司";
      break;
    case Form::kNonCompany:
      Append(&name, industry->company_word);
      name += industry->setting == Setting::kIndustrial ? "厂" : "公司";
      break;
    case Form::kSole:
      Append(&name, industry->sole_name);
      break;
    case Form::kPartnership:
      name += "投资合伙企业（有限合伙）";
      break;
    case Form::kCoop:
      Append(&name, industry->coop_word);
      name += "专业合作社";
      break;
  }

  row->enterprise_type.assign(type.code.data(), type.code.size());
  const bool rep_male = rng.Chance(720);
  PersonName(rng, rep_male, rng.Range(1950, 2000), rng.Chance(places.she_per_mille),
             &row->legal_representative_name);

  // Capital in 万元: mostly a round figure, sometimes an odd one such as 1250.5.
  std::vector<int> capitals;
  for (int v : type.capitals) {
    if (v > 0) capitals.push_back(v);
  }
  const int base = rng.Pick(absl::MakeConstSpan(capitals));
  row->registered_capital.clear();
  if (rng.Chance(150)) {
    AppendUint(
        &row->registered_capital,
        static_cast<uint64_t>(base / 2 + static_cast<int>(rng.Below(static_cast<uint64_t>(base)))));
    std::string fraction;
    AppendDigits(&fraction, rng.Below(100), 2);
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    if (!fraction.empty()) {
      row->registered_capital.push_back('.');
      row->registered_capital += fraction;
    }
  } else {
    AppendUint(&row->registered_capital, static_cast<uint64_t>(base));
  }

  row->establishment_date.clear();
  AppendDate(&row->establishment_date, established);

  std::string& address = row->registered_address;
  address = c.address_prefix;
  const Setting setting = industry->setting;
  if (setting == Setting::kUrban || (setting == Setting::kIndustrial && rng.Chance(250))) {
    Append(&address, rng.Pick(absl::MakeConstSpan(places.roads)));
    AppendUint(&address, static_cast<uint64_t>(rng.Range(1, 300)));
    address += "号";
    if (rng.Chance(300)) {
      AppendUint(&address, static_cast<uint64_t>(rng.Range(2, 20)));
      address += "层";
    }
  } else if (setting == Setting::kIndustrial) {
    Append(&address, rng.Pick(absl::MakeConstSpan(places.towns)));
    address += "工业园区";
    AppendUint(&address, static_cast<uint64_t>(rng.Range(1, 60)));
    address += "号";
  } else {
    Append(&address, rng.Pick(absl::MakeConstSpan(places.towns)));
    Append(&address, rng.Pick(absl::MakeConstSpan(kVillages)));
    address += "村";
    AppendUint(&address, static_cast<uint64_t>(rng.Range(1, 180)));
    address += "号";
  }

  row->business_scope.assign(industry->scope.data(), industry->scope.size());
  if (established >= absl::CivilDay(2014, 3, 1)) Append(&row->business_scope, kLicensedNote);

  row->registration_authority.assign(authority.data(), authority.size());
  const bool recent = established >= absl::CivilDay(2023, 1, 1);
  Assign(&row->status, recent ? kStatusNew[rng.Weighted(absl::MakeConstSpan(kStatusNew))].code
                              : kStatusOld[rng.Weighted(absl::MakeConstSpan(kStatusOld))].code);
  row->division_code.assign(c.code.data(), c.code.size());
  row->industry_code.assign(industry->code.data(), industry->code.size());

  row->contact_phone.clear();
  if (rng.Chance(550)) {
    AppendMobile(rng, &row->contact_phone);
  } else {
    row->contact_phone = "0598-";
    row->contact_phone.push_back(
        places.phone_first_digits[rng.Below(places.phone_first_digits.size())]);
    AppendDigits(&row->contact_phone, rng.Below(1000000), 6);
  }

  // Employees: within the type's range, small firms far more common (integer arithmetic
  // only, so the same on every platform); none once out of business.
  int employees = 0;
  if (row->status == "1") {
    const uint64_t range = static_cast<uint64_t>(type.max_employees - type.min_employees);
    const uint64_t r = rng.Below(range + 1);
    const uint64_t r2 = range == 0 ? 0 : r * r / range;
    employees = type.min_employees + static_cast<int>(range == 0 ? 0 : r2 * r / range);
  }
  row->employee_count.clear();
  AppendUint(&row->employee_count, static_cast<uint64_t>(employees));
}

}  // namespace collectonce::datagen
