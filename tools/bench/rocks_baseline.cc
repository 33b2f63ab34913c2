// rocks_baseline: what raw RocksDB does on this machine, the yardstick of the write, import
// and history goals. Each mode opens a fresh database in --dir (removed afterwards):
//
//   sync     --writers N --value-bytes B --seconds S : N threads, each Put with sync=true in a
//            loop (RocksDB's own group commit), puts per second.
//   bulk     --rows R --value-bytes B [--batch K]  : R rows in WriteBatches of K, one synced
//            write per batch, rows per second (the same bytes as an import).
//   iterate  --entries E --value-bytes B             : E entries under one prefix written and
//            flushed, then read back with an iterator over the prefix; entries per second
//            (median of --repeat passes, block cache warm). With --parse each entry is a
//            serialized change set (collectonce.registry.v1.ChangeSet) of about B bytes, and
//            the pass also parses every entry into a page (ListRecordRevisionsResponse) and
//            serializes the page: the least work a history read that masks values can do.
//
// Prints "rocks_baseline: mode=… rate=… unit=…".
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_format.h"
#include "collectonce/registry/v1/registry_service.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<rocksdb::DB> Open(const std::string& dir) {
  std::filesystem::remove_all(dir);
  rocksdb::Options o;
  o.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(o, dir, &db);
  if (!s.ok()) {
    std::fprintf(stderr, "rocks_baseline: %s\n", s.ToString().c_str());
    std::exit(1);
  }
  return std::unique_ptr<rocksdb::DB>(db);
}

std::string Value(size_t bytes, uint64_t n) {
  std::string v = absl::StrFormat("%016x", n * 0x9E3779B97F4A7C15ull);
  while (v.size() < bytes) v += v;
  v.resize(bytes);
  return v;
}

double Sync(const std::string& dir, int writers, size_t value_bytes, double seconds) {
  auto db = Open(dir);
  std::atomic<bool> measuring{false}, stop{false};
  std::atomic<int64_t> done{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      rocksdb::WriteOptions wo;
      wo.sync = true;
      for (uint64_t n = 0; !stop.load(std::memory_order_relaxed); ++n) {
        const std::string key = absl::StrFormat("w%04d/%012d", w, n);
        if (db->Put(wo, key, Value(value_bytes, n)).ok() && measuring.load()) ++done;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds / 4));
  measuring = true;
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const double n = static_cast<double>(done.load());
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  stop = true;
  for (auto& t : threads) t.join();
  db.reset();
  std::filesystem::remove_all(dir);
  return n / elapsed;
}

double Bulk(const std::string& dir, int64_t rows, size_t value_bytes, int batch) {
  auto db = Open(dir);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  const auto t0 = Clock::now();
  rocksdb::WriteBatch b;
  for (int64_t i = 0; i < rows; ++i) {
    b.Put(absl::StrFormat("r/%012d", (i * 7919) % rows), Value(value_bytes, i));
    if (static_cast<int>(b.Count()) >= batch || i + 1 == rows) {
      if (!db->Write(wo, &b).ok()) std::exit(1);
      b.Clear();
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  db.reset();
  std::filesystem::remove_all(dir);
  return static_cast<double>(rows) / elapsed;
}

namespace v1 = collectonce::registry::v1;

// A change set of one enterprise's address, padded to about `bytes` serialized.
std::string ChangeSetBytes(size_t bytes, int64_t n) {
  v1::ChangeSet cs;
  cs.set_subject("enterprises/91350400MA2XN0001X");
  cs.set_name(absl::StrFormat("%s/revisions/%d", cs.subject(), n + 1));
  cs.set_revision(n + 1);
  cs.set_commit_sequence(1000000 + n);
  cs.mutable_commit_time()->set_seconds(1764547200 + n);
  cs.set_principal("principals/registryctl");
  cs.set_source("market-regulation");
  cs.set_request_id(absl::StrFormat("req-%016x", n * 0x9E3779B97F4A7C15ull));
  cs.set_catalog_version(3);
  v1::FieldChange* c = cs.add_changes();
  c->set_field("registered_address");
  c->set_source("market-regulation");
  c->mutable_old_value()->set_string_value("三明市三元区列东街1号");
  const size_t so_far = cs.ByteSizeLong();
  c->mutable_new_value()->set_string_value(Value(bytes > so_far + 8 ? bytes - so_far - 8 : 1, n));
  return cs.SerializeAsString();
}

double Iterate(const std::string& dir, int64_t entries, size_t value_bytes, int repeat,
               bool parse) {
  auto db = Open(dir);
  rocksdb::WriteBatch b;
  for (int64_t i = 0; i < entries; ++i) {
    const std::string v = parse ? ChangeSetBytes(value_bytes, i) : Value(value_bytes, i);
    b.Put(absl::StrFormat("h/subject/%012d", i), v);
    b.Put(absl::StrFormat("z/other/%012d", i), v);
  }
  if (!db->Write(rocksdb::WriteOptions(), &b).ok() || !db->Flush(rocksdb::FlushOptions()).ok()) {
    std::exit(1);
  }
  std::vector<double> rates;
  for (int r = 0; r < repeat + 1; ++r) {
    const auto t0 = Clock::now();
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    int64_t n = 0;
    size_t bytes = 0;
    v1::ListRecordRevisionsResponse page;
    for (it->Seek("h/subject/"); it->Valid() && it->key().starts_with("h/subject/"); it->Next()) {
      if (parse && !page.add_change_sets()->ParseFromArray(it->value().data(),
                                                           static_cast<int>(it->value().size()))) {
        std::exit(1);
      }
      bytes += it->value().size();
      ++n;
    }
    if (parse) bytes = page.SerializeAsString().size();
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    if (n != entries || bytes == 0) std::exit(1);
    if (r > 0) rates.push_back(static_cast<double>(n) / elapsed);  // the first pass warms up
  }
  db.reset();
  std::filesystem::remove_all(dir);
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode, dir = "/tmp/collectonce-rocks-baseline";
  int writers = 32, batch = 1000, repeat = 20;
  bool parse = false;
  int64_t rows = 100000, entries = 10000;
  size_t value_bytes = 200;
  double seconds = 3;
  CLI::App app{"rocks_baseline: raw RocksDB sync write loop, WriteBatch bulk load or iterator."};
  app.add_option("mode", mode, "sync, bulk or iterate")
      ->required()
      ->check(CLI::IsMember({"sync", "bulk", "iterate"}));
  app.add_option("--dir", dir, "scratch directory (removed)");
  app.add_option("--writers", writers, "sync: threads")->check(CLI::Range(1, 1024));
  app.add_option("--seconds", seconds, "sync: measured seconds");
  app.add_option("--rows", rows, "bulk: rows")->check(CLI::Range(int64_t{1}, int64_t{1} << 32));
  app.add_option("--batch", batch, "bulk: rows per WriteBatch")->check(CLI::Range(1, 1 << 20));
  app.add_option("--entries", entries, "iterate: entries")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 28));
  app.add_option("--repeat", repeat, "iterate: passes")->check(CLI::Range(1, 10000));
  app.add_flag("--parse", parse,
               "iterate: entries are change sets, parsed into a page that is then serialized");
  app.add_option("--value-bytes", value_bytes, "bytes per value")->check(CLI::Range(1, 1 << 24));
  CLI11_PARSE(app, argc, argv);
  double rate = 0;
  const char* unit = "";
  if (mode == "sync") {
    rate = Sync(dir, writers, value_bytes, seconds);
    unit = "puts/s";
  } else if (mode == "bulk") {
    rate = Bulk(dir, rows, value_bytes, batch);
    unit = "rows/s";
  } else {
    rate = Iterate(dir, entries, value_bytes, repeat, parse);
    unit = "entries/s";
  }
  std::printf(
      "rocks_baseline: mode=%s rate=%.1f unit=%s writers=%d rows=%lld entries=%lld "
      "value_bytes=%zu parse=%d\n",
      mode.c_str(), rate, unit, writers, static_cast<long long>(rows),
      static_cast<long long>(entries), value_bytes, parse ? 1 : 0);
  return 0;
}
