// seal_cost: what checking a stored value's seal costs a read (docs/audit.md).
//
// Writes --subjects enterprises of ten string fields (a state of about the size of a
// person's after a bulk load), then times --reads current reads (GetRecord) of random ones,
// and as many StateMac::Open calls on a sealed value of the same size, and prints
// "seal_cost: state_bytes=… read_us=… open_us=… share=…%". Under callgrind the two loops
// are StateMac::Open's inclusive cost and GetRecord's.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collectonce/storage/v1/storage.pb.h"
#include "libs/ident/uscc.h"
#include "libs/store/change_builder.h"
#include "libs/store/keys.h"
#include "libs/store/rocksdb_store.h"
#include "libs/store/state_mac.h"

namespace {

namespace v1 = collectonce::registry::v1;
using collectonce::catalog::SubjectName;
using collectonce::store::AsOf;
using collectonce::store::KeyedHash;
using collectonce::store::RocksDbStore;
using collectonce::store::RocksDbStoreOptions;
using collectonce::store::SealedKind;
using collectonce::store::StateMac;
using collectonce::store::WriteRequest;

constexpr int kFields = 10;

v1::Catalog TenFieldCatalog() {
  v1::Catalog c;
  c.set_kind(v1::ENTERPRISE);
  c.add_sources()->set_name("market-regulation");
  for (int i = 0; i < kFields; ++i) {
    auto* f = c.add_fields();
    f->set_name(absl::StrCat("f", i));
    f->set_label(f->name());
    f->set_type(v1::STRING);
  }
  return c;
}

SubjectName Subject(int i) {
  return SubjectName{v1::ENTERPRISE,
                     collectonce::ident::MakeUscc(absl::StrFormat("91350400MA%07d", i))};
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  int subjects = 1000, reads = 200000;
  std::string dir = "/tmp/collectonce-seal-cost";
  CLI::App app{
      "seal_cost: the cost of checking a stored state's seal against a whole current read.\n"
      "Example: seal_cost --subjects 1000 --reads 200000"};
  app.add_option("--subjects", subjects, "enterprises written")->check(CLI::Range(1, 1000000));
  app.add_option("--reads", reads, "reads timed")->check(CLI::Range(1, 100000000));
  app.add_option("--dir", dir, "scratch directory (removed)");
  CLI11_PARSE(app, argc, argv);

  std::filesystem::remove_all(dir);
  RocksDbStoreOptions o;
  o.data_dir = dir;
  o.sync = false;
  const KeyedHash index_key = KeyedHash::FromKey(std::string(32, '\x5a'));
  o.index_hash = index_key;
  auto store = RocksDbStore::Open(std::move(o));
  if (!store.ok() || !(*store)->ApplyCatalog(TenFieldCatalog(), "bench", false, nullptr).ok()) {
    std::fprintf(stderr, "seal_cost: cannot open a store in %s\n", dir.c_str());
    return 1;
  }
  for (int i = 0; i < subjects; ++i) {
    WriteRequest r;
    r.subject = Subject(i);
    r.provenance.set_source("market-regulation");
    r.principal = "principals/bench";
    r.return_values = false;
    for (int f = 0; f < kFields; ++f) {
      v1::Value v;
      v.set_string_value(absl::StrCat("三明市三元区工业园第", i, "号楼", f, "单元"));
      r.changes.push_back({absl::StrCat("f", f), v});
    }
    if (!(*store)->WriteAndWait(std::move(r)).ok()) return 1;
  }

  // A state of the same shape as the stored ones, for the seal alone.
  collectonce::storage::v1::RecordState state;
  {
    auto rec = (*store)->GetRecord(Subject(0), AsOf::Current());
    if (!rec.ok()) return 1;
    state.set_revision(rec->revision());
    state.set_create_time_us(1);
    state.set_update_time_us(1);
    *state.add_provenances() = rec->fields(0).provenance();
    for (const auto& f : rec->fields()) {
      auto* sf = state.add_fields();
      sf->set_field(f.field());
      *sf->mutable_value() = f.value();
      sf->mutable_provenance()->set_revision(1);
    }
  }
  const std::string bytes = state.SerializeAsString();
  const StateMac mac = StateMac::FromIndexKey(index_key);
  const std::string key = collectonce::store::keys::Subject(Subject(0));
  const std::string sealed = mac.Seal(SealedKind::kState, key, bytes);

  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pick(0, subjects - 1);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < reads; ++i) {
    if (!(*store)->GetRecord(Subject(pick(rng)), AsOf::Current()).ok()) return 1;
  }
  const double read_us = Seconds(start) * 1e6 / reads;
  start = std::chrono::steady_clock::now();
  size_t opened = 0;
  for (int i = 0; i < reads; ++i) {
    absl::string_view inner;
    opened += mac.Open(SealedKind::kState, key, sealed, &inner) ? inner.size() : 0;
  }
  const double open_us = Seconds(start) * 1e6 / reads;
  store->reset();
  std::filesystem::remove_all(dir);
  if (opened != bytes.size() * static_cast<size_t>(reads)) return 1;
  std::printf("seal_cost: state_bytes=%zu read_us=%.3f open_us=%.3f share=%.1f%%\n", sealed.size(),
              read_us, open_us, 100 * open_us / read_us);
  return 0;
}
