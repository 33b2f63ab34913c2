#include "libs/audit/merkle.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/audit/node_cache.h"
#include "libs/base/status_matchers.h"  // NOLINT(build/include_order)

namespace collectonce::audit {
namespace {

using ::collectonce::testing::IsOk;
using ::collectonce::testing::StatusIs;
using ::testing::HasSubstr;

constexpr uint64_t kMaxSize = 300;
constexpr uint64_t kExhaustiveSize = 64;

Hash Flip(Hash h, int bit) {
  h[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  return h;
}

// The RFC 9162 section 2.1 definitions written out as directly as possible, over an
// in-memory leaf list, as the reference the storage-backed functions must agree with.
// MTH is memoised over [begin, end), which keeps the test fast without changing results.
class NaiveTree {
 public:
  explicit NaiveTree(std::vector<Hash> leaves) : leaves_(std::move(leaves)) {}

  Hash Mth(uint64_t begin, uint64_t end) {
    auto it = memo_.find({begin, end});
    if (it != memo_.end()) return it->second;
    Hash h;
    const uint64_t n = end - begin;
    if (n == 0) {
      h = EmptyTreeHash();
    } else if (n == 1) {
      h = leaves_[begin];
    } else {
      const uint64_t k = K(n);
      h = NodeHash(Mth(begin, begin + k), Mth(begin + k, end));
    }
    memo_[{begin, end}] = h;
    return h;
  }

  // PATH(m, D[begin:end]).
  std::vector<Hash> Path(uint64_t m, uint64_t begin, uint64_t end) {
    const uint64_t n = end - begin;
    if (n == 1) return {};
    const uint64_t k = K(n);
    std::vector<Hash> out;
    if (m < k) {
      out = Path(m, begin, begin + k);
      out.push_back(Mth(begin + k, end));
    } else {
      out = Path(m - k, begin + k, end);
      out.push_back(Mth(begin, begin + k));
    }
    return out;
  }

  // SUBPROOF(m, D[begin:end], b).
  std::vector<Hash> SubProof(uint64_t m, uint64_t begin, uint64_t end, bool b) {
    const uint64_t n = end - begin;
    if (m == n) {
      if (b) return {};
      return {Mth(begin, end)};
    }
    const uint64_t k = K(n);
    std::vector<Hash> out;
    if (m <= k) {
      out = SubProof(m, begin, begin + k, b);
      out.push_back(Mth(begin + k, end));
    } else {
      out = SubProof(m - k, begin + k, end, false);
      out.push_back(Mth(begin, begin + k));
    }
    return out;
  }

  const Hash& leaf(uint64_t i) const { return leaves_[i]; }

 private:
  // The largest power of two smaller than n.
  static uint64_t K(uint64_t n) {
    uint64_t k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }

  std::vector<Hash> leaves_;
  std::map<std::pair<uint64_t, uint64_t>, Hash> memo_;
};

class CountingReader : public NodeReader {
 public:
  explicit CountingReader(const NodeReader& inner) : inner_(inner) {}
  absl::StatusOr<Hash> Subtree(int level, uint64_t index) const override {
    ++reads_;
    return inner_.Subtree(level, index);
  }
  int reads() const { return reads_; }
  void Reset() { reads_ = 0; }

 private:
  const NodeReader& inner_;
  mutable int reads_ = 0;
};

// Answers for any node of a tree of `size` leaves with a made-up hash, so that read counts
// can be checked for sizes far too large to build. Any node outside the tree is an error,
// which also checks that the proof functions never look beyond the size they were given.
class SyntheticReader : public NodeReader {
 public:
  explicit SyntheticReader(uint64_t size) : size_(size) {}
  absl::StatusOr<Hash> Subtree(int level, uint64_t index) const override {
    ++reads_;
    if (level < 0 || level > 63 || index >= (size_ >> level)) {
      return absl::OutOfRangeError(absl::StrCat("node ", level, "/", index, " is outside"));
    }
    return LeafHash(absl::StrCat(level, "/", index));
  }
  int reads() const { return reads_; }
  void Reset() { reads_ = 0; }

 private:
  uint64_t size_;
  mutable int reads_ = 0;
};

int CeilLog2(uint64_t n) { return n <= 1 ? 0 : 64 - __builtin_clzll(n - 1); }

// The bound asserted for every proof: the proof has at most ceil(log2 n) + 1 hashes, each
// one read, except one right-edge hash that costs at most popcount <= log2(n) + 1 reads.
int ReadBound(uint64_t n) { return 2 * CeilLog2(n) + 2; }

// Shared fixture data: a log of kMaxSize leaves, appended one at a time.
struct Log {
  std::vector<Hash> leaves;
  MemoryNodeStore store;
  std::vector<Hash> roots;                     // roots[n] = appender root after n leaves
  std::vector<std::vector<NodeWrite>> writes;  // writes[n] = NodeWrites of leaf n

  Log() {
    MerkleAppender appender;
    roots.push_back(appender.Root());
    for (uint64_t i = 0; i < kMaxSize; ++i) {
      leaves.push_back(LeafHash(absl::StrCat("entry-", i)));
      std::vector<NodeWrite> w;
      appender.Append(leaves.back(), &w);
      store.Apply(w);
      writes.push_back(std::move(w));
      roots.push_back(appender.Root());
    }
  }
};

const Log& TheLog() {
  static const Log* log = new Log();
  return *log;
}

NaiveTree& TheNaive() {
  static NaiveTree* naive = new NaiveTree(TheLog().leaves);
  return *naive;
}

// Leaf indexes checked for a tree of size n: all of them up to kExhaustiveSize, otherwise
// the edges, the halves, the powers of two around them and a few random ones.
std::vector<uint64_t> SampleLeaves(uint64_t n, std::mt19937_64* rng) {
  if (n <= kExhaustiveSize) {
    std::vector<uint64_t> all(n);
    for (uint64_t i = 0; i < n; ++i) all[i] = i;
    return all;
  }
  std::set<uint64_t> s = {0, 1, n / 2, n - 2, n - 1};
  for (uint64_t p = 1; p < n; p *= 2) {
    s.insert(p - 1);
    s.insert(p);
  }
  for (int i = 0; i < 6; ++i) s.insert((*rng)() % n);
  return std::vector<uint64_t>(s.begin(), s.end());
}

// Old sizes checked against new size n (same idea as SampleLeaves, over 1..n).
std::vector<uint64_t> SampleOldSizes(uint64_t n, std::mt19937_64* rng) {
  if (n <= kExhaustiveSize) {
    std::vector<uint64_t> all;
    for (uint64_t m = 1; m <= n; ++m) all.push_back(m);
    return all;
  }
  std::set<uint64_t> s = {1, 2, 3, n / 2, n - 1, n};
  for (uint64_t p = 2; p < n; p *= 2) {
    s.insert(p - 1);
    s.insert(p);
    s.insert(p + 1);
  }
  for (int i = 0; i < 6; ++i) s.insert(1 + (*rng)() % n);
  return std::vector<uint64_t>(s.begin(), s.end());
}

TEST(MerkleHashTest, KnownValues) {
  EXPECT_EQ(HexHash(EmptyTreeHash()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexHash(LeafHash("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(MerkleAppender().Root(), EmptyTreeHash());
  MemoryNodeStore empty;
  EXPECT_THAT(RootAt(empty, 0), ::collectonce::testing::IsOkAndHolds(EmptyTreeHash()));
}

// The test vectors of the Certificate Transparency reference implementation (also used by
// transparency-dev/merkle): independent of both the code and the naive reference above.
TEST(MerkleHashTest, CertificateTransparencyVectors) {
  const std::vector<std::string> inputs = {"",
                                           "00",
                                           "10",
                                           "2021",
                                           "3031",
                                           "40414243",
                                           "5051525354555657",
                                           "606162636465666768696a6b6c6d6e6f"};
  const std::vector<std::string> roots = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  MerkleAppender appender;
  MemoryNodeStore store;
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<NodeWrite> w;
    appender.Append(LeafHash(absl::HexStringToBytes(inputs[i])), &w);
    store.Apply(w);
    EXPECT_EQ(HexHash(appender.Root()), roots[i]) << "size " << i + 1;
  }

  auto hexes = [](const absl::StatusOr<std::vector<Hash>>& proof) {
    std::vector<std::string> out;
    if (proof.ok()) {
      for (const Hash& h : *proof) out.push_back(HexHash(h));
    }
    return out;
  };
  const std::string a = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7";
  const std::string b = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e";
  const std::string c = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4";
  const std::string d = "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b";
  const std::string e = "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0";
  const std::string f = "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7";
  const std::string g = "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a";
  EXPECT_THAT(hexes(InclusionProof(store, 0, 8)), ::testing::ElementsAre(a, b, c));
  EXPECT_THAT(hexes(InclusionProof(store, 5, 8)), ::testing::ElementsAre(d, e, f));
  EXPECT_THAT(hexes(ConsistencyProof(store, 1, 8)), ::testing::ElementsAre(a, b, c));
  EXPECT_THAT(hexes(ConsistencyProof(store, 6, 8)), ::testing::ElementsAre(g, e, f));
  EXPECT_THAT(hexes(ConsistencyProof(store, 2, 5)), ::testing::ElementsAre(b, d));
  EXPECT_THAT(hexes(ConsistencyProof(store, 1, 1)), ::testing::IsEmpty());
}

TEST(MerkleAppenderTest, RootsAgreeForEverySize) {
  const Log& log = TheLog();
  NaiveTree& naive = TheNaive();
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    const Hash want = naive.Mth(0, n);
    EXPECT_EQ(log.roots[n], want) << "appender, size " << n;
    absl::StatusOr<Hash> at = RootAt(log.store, n);
    ASSERT_THAT(at, IsOk()) << "size " << n;
    EXPECT_EQ(*at, want) << "RootAt, size " << n;
  }
}

TEST(MerkleAppenderTest, WritesEachPerfectSubtreeOnce) {
  const Log& log = TheLog();
  std::set<std::pair<int, uint64_t>> seen;
  uint64_t total = 0;
  for (uint64_t i = 0; i < kMaxSize; ++i) {
    const std::vector<NodeWrite>& w = log.writes[i];
    ASSERT_FALSE(w.empty());
    EXPECT_EQ(w[0], (NodeWrite{0, i, log.leaves[i]}));
    for (const NodeWrite& nw : w) {
      EXPECT_TRUE(seen.insert({nw.level, nw.index}).second) << nw.level << "/" << nw.index;
      // Completed by leaf i: the subtree's last leaf is i.
      EXPECT_EQ(((nw.index + 1) << nw.level) - 1, i);
      EXPECT_EQ(nw.hash, TheNaive().Mth(nw.index << nw.level, (nw.index + 1) << nw.level));
    }
    total += w.size();
    const uint64_t n = i + 1;
    EXPECT_EQ(total, 2 * n - __builtin_popcountll(n)) << "after " << n << " leaves";
  }
  EXPECT_EQ(log.store.node_count(), total);
}

TEST(MerkleAppenderTest, LoadResumesFromStorage) {
  const Log& log = TheLog();
  for (uint64_t n = 0; n < kMaxSize; ++n) {
    CountingReader reader(log.store);
    absl::StatusOr<MerkleAppender> loaded = MerkleAppender::Load(reader, n);
    ASSERT_THAT(loaded, IsOk()) << "size " << n;
    EXPECT_EQ(reader.reads(), __builtin_popcountll(n));
    EXPECT_EQ(loaded->size(), n);
    EXPECT_EQ(loaded->Root(), log.roots[n]);
    // Appending after Load produces exactly the nodes of the uninterrupted run.
    std::vector<NodeWrite> w;
    loaded->Append(log.leaves[n], &w);
    EXPECT_EQ(w, log.writes[n]) << "size " << n;
    EXPECT_EQ(loaded->Root(), log.roots[n + 1]);
  }
  MemoryNodeStore small;
  MerkleAppender a;
  std::vector<NodeWrite> w;
  for (int i = 0; i < 5; ++i) a.Append(LeafHash("x"), &w);
  small.Apply(w);
  EXPECT_THAT(MerkleAppender::Load(small, 6), StatusIs(absl::StatusCode::kOutOfRange));
  a.Append(LeafHash("y"), nullptr);  // Null output is allowed.
  EXPECT_EQ(a.size(), 6u);
}

TEST(MerkleProofTest, InclusionProofsMatchReferenceAndVerify) {
  const Log& log = TheLog();
  NaiveTree& naive = TheNaive();
  std::mt19937_64 rng(9162);
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    for (uint64_t i : SampleLeaves(n, &rng)) {
      absl::StatusOr<std::vector<Hash>> proof = InclusionProof(log.store, i, n);
      ASSERT_THAT(proof, IsOk()) << i << " in " << n;
      ASSERT_EQ(*proof, naive.Path(i, 0, n)) << i << " in " << n;
      EXPECT_THAT(VerifyInclusion(log.leaves[i], i, n, *proof, log.roots[n]), IsOk())
          << i << " in " << n;
    }
  }
}

TEST(MerkleProofTest, ConsistencyProofsMatchReferenceAndVerify) {
  const Log& log = TheLog();
  NaiveTree& naive = TheNaive();
  std::mt19937_64 rng(6962);
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    for (uint64_t m : SampleOldSizes(n, &rng)) {
      absl::StatusOr<std::vector<Hash>> proof = ConsistencyProof(log.store, m, n);
      ASSERT_THAT(proof, IsOk()) << m << " -> " << n;
      ASSERT_EQ(*proof, naive.SubProof(m, 0, n, true)) << m << " -> " << n;
      EXPECT_THAT(VerifyConsistency(m, n, log.roots[m], log.roots[n], *proof), IsOk())
          << m << " -> " << n;
    }
  }
}

// Every way of damaging a valid inclusion proof must be rejected.
void ExpectInclusionTamperingFails(const Log& log, uint64_t i, uint64_t n,
                                   const std::vector<Hash>& proof) {
  const Hash& leaf = log.leaves[i];
  const Hash& root = log.roots[n];
  for (size_t k = 0; k < proof.size(); ++k) {
    for (int bit : {0, 7, 100, 255}) {
      std::vector<Hash> bad = proof;
      bad[k] = Flip(bad[k], bit);
      EXPECT_THAT(VerifyInclusion(leaf, i, n, bad, root), StatusIs(absl::StatusCode::kDataLoss))
          << i << " in " << n << ": element " << k << " bit " << bit;
    }
    std::vector<Hash> missing = proof;
    missing.erase(missing.begin() + k);
    EXPECT_THAT(VerifyInclusion(leaf, i, n, missing, root),
                StatusIs(absl::StatusCode::kDataLoss, HasSubstr("hashes")))
        << i << " in " << n << ": without element " << k;
  }
  for (bool front : {false, true}) {
    std::vector<Hash> extra = proof;
    extra.insert(front ? extra.begin() : extra.end(), root);
    EXPECT_THAT(VerifyInclusion(leaf, i, n, extra, root), StatusIs(absl::StatusCode::kDataLoss))
        << i << " in " << n << ": extra element, front=" << front;
  }
  EXPECT_THAT(VerifyInclusion(Flip(leaf, 3), i, n, proof, root),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("root")));
  EXPECT_THAT(VerifyInclusion(leaf, i, n, proof, Flip(root, 200)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("root")));
  for (uint64_t wrong_i : {i - 1, i + 1}) {
    if (wrong_i >= n) continue;  // Also skips i - 1 when i == 0 (wraps around).
    EXPECT_FALSE(VerifyInclusion(leaf, wrong_i, n, proof, root).ok())
        << i << " in " << n << " claimed as " << wrong_i;
  }
  // A wrong size, checked against the true root of that size.
  for (uint64_t wrong_n : {n - 1, n + 1}) {
    if (wrong_n <= i || wrong_n > kMaxSize) continue;
    EXPECT_FALSE(VerifyInclusion(leaf, i, wrong_n, proof, log.roots[wrong_n]).ok())
        << i << " in " << n << " claimed in " << wrong_n;
  }
  EXPECT_THAT(VerifyInclusion(leaf, n, n, proof, root),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyInclusion(leaf, UINT64_MAX, 0, proof, root),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MerkleProofTest, TamperedInclusionProofsFail) {
  const Log& log = TheLog();
  std::mt19937_64 rng(1);
  for (uint64_t n = 1; n <= kMaxSize; n += (n < kExhaustiveSize ? 1 : 17)) {
    for (uint64_t i : SampleLeaves(n, &rng)) {
      absl::StatusOr<std::vector<Hash>> proof = InclusionProof(log.store, i, n);
      ASSERT_THAT(proof, IsOk());
      ExpectInclusionTamperingFails(log, i, n, *proof);
    }
  }
}

void ExpectConsistencyTamperingFails(const Log& log, uint64_t m, uint64_t n,
                                     const std::vector<Hash>& proof) {
  const Hash& old_root = log.roots[m];
  const Hash& new_root = log.roots[n];
  for (size_t k = 0; k < proof.size(); ++k) {
    for (int bit : {0, 9, 128, 255}) {
      std::vector<Hash> bad = proof;
      bad[k] = Flip(bad[k], bit);
      EXPECT_THAT(VerifyConsistency(m, n, old_root, new_root, bad),
                  StatusIs(absl::StatusCode::kDataLoss))
          << m << " -> " << n << ": element " << k << " bit " << bit;
    }
    std::vector<Hash> missing = proof;
    missing.erase(missing.begin() + k);
    EXPECT_THAT(VerifyConsistency(m, n, old_root, new_root, missing),
                StatusIs(absl::StatusCode::kDataLoss))
        << m << " -> " << n << ": without element " << k;
  }
  for (bool front : {false, true}) {
    std::vector<Hash> extra = proof;
    extra.insert(front ? extra.begin() : extra.end(), new_root);
    EXPECT_THAT(VerifyConsistency(m, n, old_root, new_root, extra),
                StatusIs(absl::StatusCode::kDataLoss))
        << m << " -> " << n << ": extra element, front=" << front;
  }
  EXPECT_THAT(VerifyConsistency(m, n, Flip(old_root, 1), new_root, proof),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("root")));
  EXPECT_THAT(VerifyConsistency(m, n, old_root, Flip(new_root, 254), proof),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("root")));
  // Wrong sizes, checked against the true roots of those sizes.
  for (uint64_t wrong_m : {m - 1, m + 1}) {
    if (wrong_m == 0 || wrong_m > n) continue;
    EXPECT_FALSE(VerifyConsistency(wrong_m, n, log.roots[wrong_m], new_root, proof).ok())
        << m << " -> " << n << " claimed from " << wrong_m;
  }
  for (uint64_t wrong_n : {n - 1, n + 1}) {
    if (wrong_n < m || wrong_n > kMaxSize) continue;
    EXPECT_FALSE(VerifyConsistency(m, wrong_n, old_root, log.roots[wrong_n], proof).ok())
        << m << " -> " << n << " claimed to " << wrong_n;
  }
  // Swapped roots only verify when they are equal.
  if (m != n) {
    EXPECT_FALSE(VerifyConsistency(m, n, new_root, old_root, proof).ok());
  }
}

TEST(MerkleProofTest, TamperedConsistencyProofsFail) {
  const Log& log = TheLog();
  std::mt19937_64 rng(2);
  for (uint64_t n = 1; n <= kMaxSize; n += (n < kExhaustiveSize ? 1 : 13)) {
    for (uint64_t m : SampleOldSizes(n, &rng)) {
      absl::StatusOr<std::vector<Hash>> proof = ConsistencyProof(log.store, m, n);
      ASSERT_THAT(proof, IsOk());
      ExpectConsistencyTamperingFails(log, m, n, *proof);
    }
  }
}

TEST(MerkleProofTest, ArgumentErrors) {
  const Log& log = TheLog();
  EXPECT_THAT(InclusionProof(log.store, 5, 5), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(InclusionProof(log.store, 0, 0), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(InclusionProof(log.store, 0, kMaxSize + 1), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(RootAt(log.store, kMaxSize + 1), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(ConsistencyProof(log.store, 0, 5), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ConsistencyProof(log.store, 6, 5), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ConsistencyProof(log.store, 5, kMaxSize + 1),
              StatusIs(absl::StatusCode::kOutOfRange));

  const Hash r = log.roots[5];
  EXPECT_THAT(VerifyConsistency(0, 5, EmptyTreeHash(), r, {}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyConsistency(6, 5, r, r, {}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyConsistency(5, 5, r, r, {}), IsOk());
  EXPECT_THAT(VerifyConsistency(5, 5, r, log.roots[4], {}), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(VerifyConsistency(5, 5, r, r, {r}), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(VerifyConsistency(3, 5, log.roots[3], r, {}),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("hashes")));
}

// Malformed proofs, including for huge sizes: clean errors, no crash, no long loops.
TEST(MerkleProofTest, HostileInputsAreRejectedCleanly) {
  const Hash h = LeafHash("h");
  const Hash root = LeafHash("root");
  std::vector<Hash> filler(200, h);
  for (uint64_t n : {uint64_t{1}, uint64_t{2}, uint64_t{3}, UINT64_MAX - 1, UINT64_MAX}) {
    for (size_t len : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{200}}) {
      absl::Span<const Hash> p(filler.data(), len);
      EXPECT_FALSE(VerifyInclusion(h, n - 1, n, p, root).ok()) << n << " " << len;
      EXPECT_FALSE(VerifyInclusion(h, 0, n, p, root).ok()) << n << " " << len;
      EXPECT_FALSE(VerifyInclusion(h, n / 2, n, p, root).ok()) << n << " " << len;
      EXPECT_FALSE(VerifyConsistency(n - 1, n, h, root, p).ok()) << n << " " << len;
      EXPECT_FALSE(VerifyConsistency(1, n, h, root, p).ok()) << n << " " << len;
      EXPECT_FALSE(VerifyConsistency(n / 2 + 1, n, h, root, p).ok()) << n << " " << len;
    }
  }
}

TEST(MerkleProofTest, ReadsAreLogarithmic) {
  const Log& log = TheLog();
  CountingReader reader(log.store);
  std::mt19937_64 rng(3);
  for (uint64_t n = 1; n <= kMaxSize; ++n) {
    reader.Reset();
    ASSERT_THAT(RootAt(reader, n), IsOk());
    EXPECT_LE(reader.reads(), CeilLog2(n) + 1) << "RootAt " << n;
    for (uint64_t i : SampleLeaves(n, &rng)) {
      reader.Reset();
      ASSERT_THAT(InclusionProof(reader, i, n), IsOk());
      EXPECT_LE(reader.reads(), ReadBound(n)) << "inclusion " << i << " in " << n;
    }
    for (uint64_t m : SampleOldSizes(n, &rng)) {
      reader.Reset();
      ASSERT_THAT(ConsistencyProof(reader, m, n), IsOk());
      EXPECT_LE(reader.reads(), ReadBound(n)) << "consistency " << m << " -> " << n;
    }
  }
}

TEST(MerkleProofTest, ReadsAreLogarithmicForHugeTrees) {
  std::mt19937_64 rng(4);
  const std::vector<uint64_t> sizes = {(uint64_t{1} << 40) + 12345,
                                       (uint64_t{1} << 62) - 1,
                                       uint64_t{1} << 63,
                                       UINT64_MAX,
                                       UINT64_MAX - 1,
                                       0x5555555555555555ull};
  for (uint64_t n : sizes) {
    SyntheticReader reader(n);
    ASSERT_THAT(RootAt(reader, n), IsOk()) << n;
    EXPECT_LE(reader.reads(), 64);
    std::vector<uint64_t> leaves = {0, 1, n / 2, n - 2, n - 1};
    std::vector<uint64_t> olds = {1, 2, 3, n / 2, n / 2 + 1, n - 2, n - 1, n};
    for (int k = 0; k < 20; ++k) {
      leaves.push_back(rng() % n);
      olds.push_back(1 + rng() % n);
    }
    for (uint64_t i : leaves) {
      reader.Reset();
      absl::StatusOr<std::vector<Hash>> proof = InclusionProof(reader, i, n);
      ASSERT_THAT(proof, IsOk()) << i << " in " << n;
      EXPECT_LE(reader.reads(), ReadBound(n)) << i << " in " << n;
      EXPECT_LE(proof->size(), static_cast<size_t>(CeilLog2(n)));
    }
    for (uint64_t m : olds) {
      reader.Reset();
      absl::StatusOr<std::vector<Hash>> proof = ConsistencyProof(reader, m, n);
      ASSERT_THAT(proof, IsOk()) << m << " -> " << n;
      EXPECT_LE(reader.reads(), ReadBound(n)) << m << " -> " << n;
      EXPECT_LE(proof->size(), static_cast<size_t>(CeilLog2(n) + 1));
    }
  }
}

}  // namespace
// A batch of proofs against one tree through a NodeCache: the same proofs, each node read
// once, and an error passed through without being remembered.
TEST(NodeCacheTest, ProofsOfOneTreeShareTheirReads) {
  const uint64_t size = (uint64_t{1} << 20) + 12345;
  SyntheticReader direct(size), behind(size);
  NodeCache cache(behind);
  for (uint64_t leaf = size - 64; leaf < size; ++leaf) {
    auto want = InclusionProof(direct, leaf, size);
    auto got = InclusionProof(cache, leaf, size);
    ASSERT_TRUE(want.ok() && got.ok()) << leaf;
    EXPECT_EQ(*got, *want) << leaf;
  }
  EXPECT_EQ(cache.misses(), behind.reads());
  EXPECT_LT(behind.reads() * 4, direct.reads()) << behind.reads() << " vs " << direct.reads();
  EXPECT_FALSE(cache.Subtree(0, size).ok());
  EXPECT_FALSE(cache.Subtree(0, size).ok());
  EXPECT_EQ(cache.misses(), behind.reads());
}

}  // namespace collectonce::audit
