// Synthetic population data for Sanming (三明市): persons for 一人一档 and enterprises for
// 一企一档, with values that pass the shipped catalogs (deploy/examples/catalog). For demo
// data, load tests and benchmarks; every person and company is fictitious.
//
// Deterministic: the same seed gives the same rows on every platform. Persons come from a
// std::mt19937_64 seeded with the seed, enterprises from a second one seeded with a fixed
// mix of it, and no std::*_distribution is used (their output differs between standard
// libraries). Because the two streams are independent, the first M enterprises are the
// same whether or not persons were generated, which is how a person's employer refers to
// an enterprise that `datagen --kind enterprise --count M --seed S` also produces.
#ifndef COLLECTONCE_TOOLS_DATAGEN_POPULATION_H_
#define COLLECTONCE_TOOLS_DATAGEN_POPULATION_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"

namespace collectonce::datagen {

namespace internal {
class Rng;
struct Employers;
}  // namespace internal

// Ages, employment and education are reckoned at this day, never at the clock, so that a
// seed gives the same rows whenever it runs.
inline constexpr absl::CivilDay kReferenceDay{2026, 1, 1};

// One person, every value in its catalog text form (dates YYYY-MM-DD, codes as listed).
// `employer` is "enterprises/{uscc}" or empty (no employer: the cell is left empty and the
// JSON key omitted, meaning "no value").
struct PersonRow {
  static constexpr size_t kFieldCount = 11;
  // Column names in output order; the first, id_number, is the subject key.
  static absl::Span<const absl::string_view> FieldNames();

  std::string id_number;
  std::string name;
  std::string gender;
  std::string ethnicity;
  std::string birth_date;
  std::string household_address;
  std::string residential_address;
  std::string mobile_phone;
  std::string marital_status;
  std::string education;
  std::string employer;

  // Values in FieldNames() order.
  std::array<const std::string*, kFieldCount> Values() const;
  // (field, text) pairs in FieldNames() order, empty values included.
  std::vector<std::pair<std::string, std::string>> Pairs() const;
  void AppendCsv(std::string* out) const;
  void AppendJsonl(std::string* out) const;
};

// One enterprise. `uscc` is the subject key; legal_representative (a person reference) is
// never generated, since pids are assigned by the registry.
struct EnterpriseRow {
  static constexpr size_t kFieldCount = 14;
  // Column names in output order; the first, uscc, is the subject key.
  static absl::Span<const absl::string_view> FieldNames();

  std::string uscc;
  std::string name;
  std::string enterprise_type;
  std::string legal_representative_name;
  std::string registered_capital;
  std::string establishment_date;
  std::string registered_address;
  std::string business_scope;
  std::string registration_authority;
  std::string status;
  std::string division_code;
  std::string industry_code;
  std::string contact_phone;
  std::string employee_count;

  std::array<const std::string*, kFieldCount> Values() const;
  std::vector<std::pair<std::string, std::string>> Pairs() const;
  void AppendCsv(std::string* out) const;
  void AppendJsonl(std::string* out) const;
};

// The header line (names joined by ',', then '\n').
void AppendCsvHeader(absl::Span<const absl::string_view> names, std::string* out);
// One CSV line: RFC 4180 quoting of values holding ',', '"', CR or LF; lines end with '\n'.
void AppendCsvLine(absl::Span<const std::string* const> values, std::string* out);
// One JSON object on one line; every value a string, empty values omitted.
void AppendJsonlLine(absl::Span<const absl::string_view> names,
                     absl::Span<const std::string* const> values, std::string* out);

class PopulationGenerator {
 public:
  // `employer_enterprises` (M): persons' employers are drawn from the first M enterprises
  // of this seed (those NextEnterprise() returns first). 0: nobody has an employer.
  explicit PopulationGenerator(uint64_t seed, int64_t employer_enterprises = 0);
  ~PopulationGenerator();
  PopulationGenerator(const PopulationGenerator&) = delete;
  PopulationGenerator& operator=(const PopulationGenerator&) = delete;

  // The next person; ID numbers never repeat within one generator.
  PersonRow NextPerson();
  // The same, reusing the strings of *row (faster in loops).
  void NextPerson(PersonRow* row);

  // The next enterprise; credit codes never repeat within one generator.
  EnterpriseRow NextEnterprise();
  void NextEnterprise(EnterpriseRow* row);

  // The USCCs persons may work for (the first M enterprises), in order.
  const std::vector<std::string>& employer_usccs() const { return employer_usccs_; }

 private:
  std::unique_ptr<internal::Rng> person_rng_;
  std::unique_ptr<internal::Rng> enterprise_rng_;
  // Persons: id numbers' first 17 digits, as integers.
  absl::flat_hash_set<uint64_t> person_keys_;
  absl::flat_hash_set<std::string> usccs_;
  std::vector<std::string> employer_usccs_;
  std::vector<std::string> employer_refs_;  // "enterprises/" + uscc
  // How employers are chosen; null when there are none.
  std::unique_ptr<internal::Employers> employers_;
};

}  // namespace collectonce::datagen

#endif  // COLLECTONCE_TOOLS_DATAGEN_POPULATION_H_
