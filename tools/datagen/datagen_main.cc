// datagen: fictitious Sanming persons or enterprises as CSV or JSON Lines on stdout, in the
// shape the registry's import takes (catalog field names; the subject key column is
// id_number for persons and uscc for enterprises).
//
//   datagen --kind enterprise --count 1000 --seed 7 > enterprises.csv
//   datagen --kind person --count 100000 --seed 7 --enterprises 1000 > persons.csv
//
// The same seed always gives the same rows. With --enterprises M a person's employer is one
// of the M enterprises that `--kind enterprise --count M` prints for the same seed.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "CLI/CLI.hpp"
#include "tools/datagen/population.h"

namespace {

using collectonce::datagen::AppendCsvHeader;
using collectonce::datagen::EnterpriseRow;
using collectonce::datagen::PersonRow;
using collectonce::datagen::PopulationGenerator;

constexpr size_t kChunk = 1 << 20;

bool Flush(std::string* buffer) {
  if (!buffer->empty() &&
      std::fwrite(buffer->data(), 1, buffer->size(), stdout) != buffer->size()) {
    return false;
  }
  buffer->clear();
  return true;
}

template <typename Row, typename Next>
int Write(int64_t count, bool csv, Next next) {
  std::string buffer;
  buffer.reserve(kChunk + 64 * 1024);
  if (csv) AppendCsvHeader(Row::FieldNames(), &buffer);
  Row row;
  for (int64_t i = 0; i < count; ++i) {
    next(&row);
    if (csv) {
      row.AppendCsv(&buffer);
    } else {
      row.AppendJsonl(&buffer);
    }
    if (buffer.size() >= kChunk && !Flush(&buffer)) break;
  }
  if (!Flush(&buffer) || std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "datagen: writing the output failed: %s\n", std::strerror(errno));
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Fictitious Sanming persons (一人一档) or enterprises (一企一档) for import, "
      "as CSV or JSON Lines on stdout. Deterministic for a given seed."};
  std::string kind;
  int64_t count = 0;
  uint64_t seed = 1;
  std::string format = "csv";
  int64_t enterprises = 0;
  app.add_option("--kind", kind, "What to generate")
      ->required()
      ->check(CLI::IsMember({"person", "enterprise"}));
  app.add_option("--count", count, "How many rows")->required()->check(CLI::NonNegativeNumber);
  app.add_option("--seed", seed, "Seed of the generator; the same seed gives the same rows")
      ->capture_default_str();
  app.add_option("--format", format, "csv (header row, RFC 4180 quoting) or jsonl")
      ->capture_default_str()
      ->check(CLI::IsMember({"csv", "jsonl"}));
  app.add_option("--enterprises", enterprises,
                 "Persons only: employers are drawn from the first M enterprises of the same "
                 "seed (datagen --kind enterprise --count M --seed S); 0 = no employers")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);

  if (kind == "enterprise" && enterprises != 0) {
    std::fprintf(stderr, "datagen: --enterprises applies to --kind person only\n");
    return 2;
  }
  const bool csv = format == "csv";
  PopulationGenerator gen(seed, kind == "person" ? enterprises : 0);
  if (kind == "person") {
    return Write<PersonRow>(count, csv, [&gen](PersonRow* row) { gen.NextPerson(row); });
  }
  return Write<EnterpriseRow>(count, csv, [&gen](EnterpriseRow* row) { gen.NextEnterprise(row); });
}
