// audit_cost: what appending to the audit log costs durable write throughput.
//
// Runs the same closed-loop write load (N writers, each updating its own enterprise, default
// synced commits) against a fresh store with the audit log (A) and without it (B), rounds
// interleaved A B A B ..., and prints each round's writes/s and the median ratio B/A... as
// "audit_cost: with_log=… without_log=… ratio=…" (ratio = with / without).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/catalog/catalog.h"
#include "libs/ident/uscc.h"
#include "libs/store/rocksdb_store.h"

namespace {

using collectonce::store::RocksDbStore;
using collectonce::store::RocksDbStoreOptions;
using collectonce::store::WriteRequest;
namespace v1 = collectonce::registry::v1;

v1::Catalog MinimalCatalog() {
  v1::Catalog c;
  c.set_kind(v1::ENTERPRISE);
  auto* s = c.add_sources();
  s->set_name("market-regulation");
  for (const char* name : {"name", "registered_address"}) {
    auto* f = c.add_fields();
    f->set_name(name);
    f->set_label(name);
    f->set_type(v1::STRING);
  }
  return c;
}

double RunOnce(const std::string& dir, bool with_log, int writers, double seconds, bool sync) {
  std::filesystem::remove_all(dir);
  RocksDbStoreOptions o;
  o.data_dir = dir;
  o.sync = sync;
  o.benchmark_without_audit_log = !with_log;
  auto store = RocksDbStore::Open(std::move(o));
  if (!store.ok()) {
    std::fprintf(stderr, "audit_cost: %s\n", std::string(store.status().message()).c_str());
    std::exit(1);
  }
  if (!(*store)->ApplyCatalog(MinimalCatalog(), "bench", false, nullptr).ok()) std::exit(1);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> done{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      const std::string uscc = collectonce::ident::MakeUscc(absl::StrFormat("91350400MA%07d", w));
      int64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        WriteRequest r;
        r.subject = collectonce::catalog::SubjectName{v1::ENTERPRISE, uscc};
        r.provenance.set_source("market-regulation");
        r.principal = "principals/bench";
        v1::Value v;
        v.set_string_value(absl::StrCat("三明市三元区工业园", n++, "号"));
        r.changes = {{"registered_address", v}};
        if (n == 1) {
          v1::Value name;
          name.set_string_value("三明市测试企业有限公司");
          r.changes.push_back({"name", name});
        }
        if ((*store)->WriteAndWait(std::move(r)).ok()) done.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  // Warm-up, then measurement.
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds / 4));
  const int64_t start_count = done.load();
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const int64_t end_count = done.load();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stop = true;
  for (auto& t : threads) t.join();
  store->reset();
  std::filesystem::remove_all(dir);
  return static_cast<double>(end_count - start_count) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  int writers = 32, rounds = 3;
  double seconds = 3;
  bool no_sync = false;
  std::string dir = "/tmp/collectonce-audit-cost";
  CLI::App app{
      "audit_cost: durable write throughput with and without the audit log.\n"
      "Example: audit_cost --writers 32 --seconds 3 --rounds 3"};
  app.add_option("--writers", writers, "concurrent writers")->check(CLI::Range(1, 256));
  app.add_option("--seconds", seconds, "measured seconds per run")->check(CLI::Range(0.05, 600.0));
  app.add_option("--rounds", rounds, "A/B pairs")->check(CLI::Range(1, 50));
  app.add_option("--dir", dir, "scratch directory (removed)");
  app.add_flag("--no-sync", no_sync, "measure without WAL sync");
  CLI11_PARSE(app, argc, argv);
  std::vector<double> ratios;
  double with_sum = 0, without_sum = 0;
  for (int r = 0; r < rounds; ++r) {
    const double with_log = RunOnce(dir, true, writers, seconds, !no_sync);
    const double without_log = RunOnce(dir, false, writers, seconds, !no_sync);
    with_sum += with_log;
    without_sum += without_log;
    ratios.push_back(without_log > 0 ? with_log / without_log : 0);
    std::printf("round %d: with_log=%.0f/s without_log=%.0f/s ratio=%.3f\n", r + 1, with_log,
                without_log, ratios.back());
  }
  std::sort(ratios.begin(), ratios.end());
  std::printf(
      "audit_cost: writers=%d sync=%s with_log=%.0f/s without_log=%.0f/s "
      "median_ratio=%.3f min=%.3f max=%.3f\n",
      writers, no_sync ? "off" : "on", with_sum / rounds, without_sum / rounds,
      ratios[ratios.size() / 2], ratios.front(), ratios.back());
  return 0;
}
