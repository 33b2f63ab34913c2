// Shared set-up for the store's tests: a real RocksDB in a fresh temporary directory, the
// shipped example catalogs applied, and a clock the test moves.
#ifndef COLLECTONCE_LIBS_STORE_TEST_UTIL_H_
#define COLLECTONCE_LIBS_STORE_TEST_UTIL_H_

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "collectonce/storage/v1/storage.pb.h"
#include "gtest/gtest.h"
#include "libs/catalog/value_text.h"
#include "libs/ident/uscc.h"
#include "libs/store/audit_value.h"
#include "libs/store/keys.h"
#include "libs/store/rocksdb_store.h"
#include "rocksdb/db.h"

namespace collectonce::store::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline v1::Catalog ExampleCatalog(absl::string_view kind) {
  auto c = catalog::ParseCatalogText(ReadFile(absl::StrCat(
      COLLECTONCE_SOURCE_DIR, "/deploy/examples/catalog/", std::string(kind), ".txtpb")));
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : v1::Catalog();
}

inline std::string MakeTempDir(absl::string_view tag) {
  std::string tmpl = (std::filesystem::temp_directory_path() /
                      absl::StrCat("collectonce-", std::string(tag), "-XXXXXX"))
                         .string();
  char* dir = mkdtemp(tmpl.data());
  EXPECT_NE(dir, nullptr);
  return tmpl;
}

inline v1::Value Str(std::string s) {
  v1::Value v;
  v.set_string_value(std::move(s));
  return v;
}
inline v1::Value Code(std::string s) {
  v1::Value v;
  v.set_code_value(std::move(s));
  return v;
}
inline v1::Value Dec(std::string s) {
  v1::Value v;
  v.set_decimal_value(std::move(s));
  return v;
}
inline v1::Value Int(int64_t n) {
  v1::Value v;
  v.set_int64_value(n);
  return v;
}
// The string value of `field` in `record`, or "<absent>".
inline std::string FieldText(const v1::Record& record, const std::string& field) {
  for (const auto& f : record.fields()) {
    if (f.field() == field) return f.value().string_value();
  }
  return "<absent>";
}

// "enterprises/{uscc}" of the i-th numbered test enterprise (a valid credit code).
inline std::string Enterprise(int i) {
  return absl::StrCat("enterprises/", ident::MakeUscc(absl::StrFormat("91350400MA%07d", i)));
}

inline v1::Value DateV(int y, int m, int d) {
  v1::Value v;
  auto* date = v.mutable_date_value();
  date->set_year(y);
  date->set_month(m);
  date->set_day(d);
  return v;
}

// A store in a temporary directory with the example catalogs; the clock starts at
// 2026-03-01 09:00 China time and moves only when the test moves it.
class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("store");
    now_us_ = absl::ToUnixMicros(
        absl::FromCivil(absl::CivilSecond(2026, 3, 1, 9, 0, 0), DefaultCityZone()));
    Reopen();
    catalog::Violations v;
    ASSERT_TRUE(store_->ApplyCatalog(ExampleCatalog("enterprise"), "governance", false, &v).ok());
    ASSERT_TRUE(store_->ApplyCatalog(ExampleCatalog("person"), "governance", false, &v).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  RocksDbStoreOptions Options() {
    RocksDbStoreOptions o;
    o.data_dir = dir_;
    o.statistics = true;
    o.sync = sync_;
    o.index_hash = KeyedHash::FromKey("0123456789abcdef0123456789abcdef");
    o.clock = Clock(DefaultCityZone(), [this] { return absl::FromUnixMicros(now_us_.load()); });
    o.block_cache_bytes = 16 << 20;
    o.write_buffer_bytes = 32 << 20;
    return o;
  }
  void Reopen() {
    store_.reset();
    auto s = RocksDbStore::Open(Options());
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }
  void Advance(absl::Duration d) { now_us_ += absl::ToInt64Microseconds(d); }

  // A write as a data source would send it.
  static WriteRequest Req(absl::string_view name, absl::string_view source = "market-regulation") {
    WriteRequest r;
    if (!name.empty()) r.subject = *catalog::ParseSubjectName(name);
    r.provenance.set_source(std::string(source));
    r.principal = "test-principal";
    return r;
  }

  std::string dir_;
  bool sync_ = false;  // tests of durability turn it on
  std::atomic<int64_t> now_us_{0};
  std::unique_ptr<RocksDbStore> store_;
};

// Enterprises and persons of Sanming for tests (valid check characters).
inline constexpr char kSteel[] = "enterprises/91350400MA2YQ8KX1E";
inline constexpr char kPowder[] = "enterprises/91350404MA31GY5T0Y";
// 宋大伯, born 1945-03-12 in the old 三元区 (350403), male.
inline constexpr char kSongId[] = "350403194503120012";
// 吴女士, born 1992-08-15 in 永安市, female.
inline constexpr char kWuId[] = "350481199208152048";

// Opens the store's directory behind its back (the store must be closed).
class RawDb {
 public:
  explicit RawDb(const std::string& dir) {
    std::vector<std::string> names;
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    EXPECT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir, cfs, &handles, &db).ok());
    db_.reset(db);
    for (size_t i = 0; i < names.size(); ++i) cf_[names[i]] = handles[i];
  }
  ~RawDb() {
    if (db_)
      for (auto& [name, h] : cf_) db_->DestroyColumnFamilyHandle(h);
  }
  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf(const std::string& name) { return cf_.at(name); }
  std::vector<std::string> Keys(const std::string& name) {
    std::vector<std::string> out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(name)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) out.push_back(it->key().ToString());
    return out;
  }
  // Rewrites audit entry `index` with `edit`, leaving the leaf hash stored with it as it
  // was: what someone changing the entry behind the log's back would leave.
  void EditAuditEntry(uint64_t index, const std::function<void(registry::v1::AuditEntry*)>& edit) {
    std::string value;
    ASSERT_TRUE(
        db_->Get(rocksdb::ReadOptions(), cf(keys::kAuditCf), keys::AuditIndex(index), &value).ok());
    const AuditValue decoded = DecodeAuditValue(value);
    registry::v1::AuditEntry e;
    ASSERT_TRUE(e.ParseFromArray(decoded.entry.data(), static_cast<int>(decoded.entry.size())));
    edit(&e);
    ASSERT_EQ(decoded.leaf_hash.size(), sizeof(audit::Hash));
    audit::Hash logged;
    std::copy(decoded.leaf_hash.begin(), decoded.leaf_hash.end(), logged.begin());
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), cf(keys::kAuditCf), keys::AuditIndex(index),
                         EncodeAuditValue(logged, e.SerializeAsString()))
                    .ok());
  }
  // The value at `key` of column family `cf`, as it is stored.
  std::string Get(const std::string& cf_name, const std::string& key) {
    std::string value;
    EXPECT_TRUE(db_->Get(rocksdb::ReadOptions(), cf(cf_name), key, &value).ok()) << cf_name;
    return value;
  }
  void Put(const std::string& cf_name, const std::string& key, const std::string& value) {
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), cf(cf_name), key, value).ok());
  }
  // Parses the message inside a sealed value (format 6: 18 bytes of seal, then the
  // message), lets `edit` change it and puts it back behind the same seal: what someone
  // editing a value on the data disk, without the key, would leave.
  template <typename Message>
  void EditSealed(const std::string& cf_name, const std::string& key,
                  const std::function<void(Message*)>& edit) {
    const std::string value = Get(cf_name, key);
    ASSERT_GE(value.size(), 18u);
    ASSERT_EQ(value[0], '\0');
    Message m;
    ASSERT_TRUE(m.ParseFromString(value.substr(18)));
    edit(&m);
    Put(cf_name, key, value.substr(0, 18) + m.SerializeAsString());
  }
  // Makes the store what a build of format `version` (older than today's) would have left:
  // the values sealed since are unsealed (states, change sets and valid-time entries since
  // 6, governance objects since 7), then the meta says `version`.
  void MakeOlderFormat(int32_t version) {
    std::vector<std::string> families;
    if (version < 6) {
      families = {keys::kCurrentCf, keys::kSnapshotsCf, keys::kHistoryCf, keys::kValidTimeCf};
    }
    if (version < 7) families.push_back(keys::kGovernanceCf);
    for (const std::string& f : families) {
      for (const std::string& key : Keys(f)) {
        const std::string v = Get(f, key);
        const bool object = key[0] == 'c' || key[0] == 'v';
        if (f == keys::kGovernanceCf && !object) continue;
        if (v.size() >= 18 && v[0] == '\0' && v[1] == '\x01') Put(f, key, v.substr(18));
      }
    }
    SetFormatVersion(version);
  }
  void SetFormatVersion(int32_t version) {
    std::string bytes;
    EXPECT_TRUE(db_->Get(rocksdb::ReadOptions(), cf("default"), keys::kMetaKey, &bytes).ok());
    storage::v1::StoreMeta meta;
    EXPECT_TRUE(meta.ParseFromString(bytes));
    meta.set_format_version(version);
    EXPECT_TRUE(
        db_->Put(rocksdb::WriteOptions(), cf("default"), keys::kMetaKey, meta.SerializeAsString())
            .ok());
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> cf_;
};

}  // namespace collectonce::store::testing

#endif  // COLLECTONCE_LIBS_STORE_TEST_UTIL_H_
