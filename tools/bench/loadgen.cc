// loadgen: a gRPC load generator for the registry, the gateway and the echo baseline, on the
// callback API.
//
// Closed loop (--inflight N: N calls always in flight, for peak throughput) or open loop
// (--rate R: calls sent at fixed times; a call's latency runs from its scheduled send time,
// so a stalled server or client is not hidden). A warm-up, then the measurement. Prints one
// line of key=value pairs: achieved rate, latency percentiles, errors, the mean response size
// and, with --server-pid, the server's CPU microseconds per call (utime+stime from /proc).
//
//   loadgen --target 127.0.0.1:7400 --call get --subjects persons.txt
//     --principal spiffe://sanming.gov.cn/approval/housing-fund
//     --purpose matters/housing-fund-account --inflight 64 --seconds 3
//
// Subjects: one a line; "enterprises/…" or "persons/…" is a record name, anything else a
// resident ID number (sent in the request body, never printed).
//
// The etcd peer: --call etcd-range reads one subject's key from etcd (a serializable KV
// Range); --call etcd-put --count N puts the first N subjects' keys in order, each with a
// value of --value-bytes, to load it first.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "collectonce/gateway/v1/gateway.grpc.pb.h"
#include "collectonce/registry/v1/evidence.grpc.pb.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/byte_buffer.h"
#include "tools/bench/etcd_calls.h"

namespace {

namespace v1 = collectonce::registry::v1;
namespace gw = collectonce::gateway::v1;
using Clock = std::chrono::steady_clock;

// Log-linear latency histogram in microseconds: 64 sub-buckets per power of two (≤1.6%
// error), lock-free.
class Histogram {
 public:
  static constexpr int kSub = 64;
  static constexpr int kBuckets = 40 * kSub;
  void Add(int64_t us) {
    if (us < 0) us = 0;
    buckets_[Index(us)].fetch_add(1, std::memory_order_relaxed);
    int64_t m = max_.load(std::memory_order_relaxed);
    while (us > m && !max_.compare_exchange_weak(m, us, std::memory_order_relaxed)) {
    }
  }
  void Reset() {
    for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
    max_.store(0);
  }
  int64_t Count() const {
    int64_t n = 0;
    for (const auto& b : buckets_) n += b.load(std::memory_order_relaxed);
    return n;
  }
  double Percentile(double p) const {
    const int64_t total = Count();
    if (total == 0) return 0;
    const int64_t want = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(p * total)));
    int64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += buckets_[i].load(std::memory_order_relaxed);
      if (seen >= want) return std::min(UpperBound(i), static_cast<double>(max_.load()));
    }
    return static_cast<double>(max_.load());
  }
  int64_t Max() const { return max_.load(); }

 private:
  static int Index(int64_t us) {
    if (us < kSub) return static_cast<int>(us);
    const int msb = 63 - __builtin_clzll(static_cast<uint64_t>(us));
    const int shift = msb - 6;  // kSub == 1 << 6
    const int idx = (shift + 1) * kSub + static_cast<int>((us >> shift) - kSub);
    return std::min(idx, kBuckets - 1);
  }
  static double UpperBound(int i) {
    if (i < kSub) return i;
    const int shift = i / kSub - 1;
    const int64_t base = static_cast<int64_t>(i % kSub + kSub) << shift;
    return static_cast<double>(base + (int64_t{1} << shift) - 1);
  }
  std::atomic<int64_t> buckets_[kBuckets] = {};
  std::atomic<int64_t> max_{0};
};

struct Options {
  std::string target;
  std::string call = "get";
  std::string subjects_file;
  std::vector<std::string> subjects;
  std::string principal = "spiffe://sanming.gov.cn/approval/housing-fund";
  std::string purpose = "matters/housing-fund-account";
  std::string form;           // prefill; default: the purpose
  std::string evidence_type;  // evidence
  std::string source = "public-security.household";
  std::string field = "residential_address";
  std::vector<std::string> read_mask;  // get: catalog fields asked for (empty: all)
  int64_t asof_revision = 0;
  bool asof_now = false;
  bool receipt = false;
  int page_size = 1000;
  int inflight = 64;
  double rate = 0;  // > 0: open loop
  double warmup = 1;
  double seconds = 3;
  int channels = 2;
  int server_pid = 0;
  uint64_t seed = 1;
  double timeout = 10;
  int64_t count = 0;      // > 0: exactly this many calls, closed loop, no measurement window
  int value_bytes = 600;  // etcd-put
};

int64_t ServerCpuTicks(int pid) {
  if (pid <= 0) return 0;
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the ")" of the command name: state is field 3; utime 14, stime 15.
  const auto close = all.rfind(')');
  if (close == std::string::npos) return 0;
  std::vector<std::string> f;
  size_t pos = close + 2;
  while (pos < all.size() && f.size() < 14) {
    const size_t sp = all.find(' ', pos);
    f.push_back(all.substr(pos, sp - pos));
    if (sp == std::string::npos) break;
    pos = sp + 1;
  }
  if (f.size() < 14) return 0;
  return std::stoll(f[11]) + std::stoll(f[12]);
}

// The change sets in a serialized ListRecordRevisionsResponse (field 1), counted on the
// wire: the load generator shares the machine with the registry, and parsing a page of 1,000
// change sets would take CPU from the server it measures. -1 if the bytes do not parse.
int CountChangeSets(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return -1;
  std::string bytes;
  bytes.reserve(buffer.Length());
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  int n = 0;
  while (const uint32_t tag = in.ReadTag()) {
    if (google::protobuf::internal::WireFormatLite::GetTagFieldNumber(tag) == 1) ++n;
    if (!google::protobuf::internal::WireFormatLite::SkipField(&in, tag)) return -1;
  }
  return in.ConsumedEntireMessage() ? n : -1;
}

class Load {
 public:
  explicit Load(Options o) : o_(std::move(o)), rng_(o_.seed) {
    for (int i = 0; i < o_.channels; ++i) {
      grpc::ChannelArguments args;
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one connection per channel
      args.SetInt("collectonce.bench.channel", i);
      args.SetMaxReceiveMessageSize(64 << 20);
      auto ch = grpc::CreateCustomChannel(o_.target, grpc::InsecureChannelCredentials(), args);
      records_.push_back(v1::RecordService::NewStub(ch));
      gateways_.push_back(gw::ReuseGateway::NewStub(ch));
      evidence_.push_back(v1::EvidenceService::NewStub(ch));
      generic_.push_back(std::make_unique<grpc::GenericStub>(ch));
      channels_.push_back(std::move(ch));
    }
    etcd_ = std::make_unique<collectonce::bench::EtcdCalls>(channels_);
  }

  // Starts one call; `done` runs on a gRPC thread with ok and the response size.
  void Issue(uint64_t n, std::function<void(bool, size_t)> done) {
    const size_t c = n % channels_.size();
    // A load puts every key once, in order; everything else picks subjects at random.
    const std::string& subject =
        o_.call == "etcd-put" ? o_.subjects[n % o_.subjects.size()] : o_.subjects[Pick()];
    auto ctx = std::make_shared<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::microseconds(static_cast<int64_t>(o_.timeout * 1e6)));
    ctx->AddMetadata("x-principal", o_.principal);
    const bool is_name = subject.rfind("enterprises/", 0) == 0 || subject.rfind("persons/", 0) == 0;
    if (o_.call == "get") {
      auto req = std::make_shared<v1::GetRecordRequest>();
      auto resp = std::make_shared<v1::Record>();
      if (is_name)
        req->set_name(subject);
      else
        req->set_id_number(subject);
      req->mutable_options()->set_purpose(o_.purpose);
      for (const auto& f : o_.read_mask) req->mutable_options()->mutable_read_mask()->add_paths(f);
      if (o_.asof_revision > 0) req->mutable_options()->set_revision(o_.asof_revision);
      if (o_.receipt) req->mutable_options()->set_receipt(true);
      if (o_.asof_now) {
        const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        req->mutable_options()->mutable_commit_time()->set_seconds(now / 1000000);
        req->mutable_options()->mutable_commit_time()->set_nanos(now % 1000000 * 1000);
      }
      records_[c]->async()->GetRecord(ctx.get(), req.get(), resp.get(),
                                      [ctx, req, resp, done](grpc::Status s) {
                                        done(s.ok(), s.ok() ? resp->ByteSizeLong() : 0);
                                      });
    } else if (o_.call == "prefill") {
      auto req = std::make_shared<gw::PrefillFormRequest>();
      auto resp = std::make_shared<gw::PrefillFormResponse>();
      req->set_form(o_.form.empty() ? o_.purpose : o_.form);
      if (is_name)
        req->set_subject(subject);
      else
        req->set_id_number(subject);
      gateways_[c]->async()->PrefillForm(ctx.get(), req.get(), resp.get(),
                                         [ctx, req, resp, done](grpc::Status s) {
                                           done(s.ok(), s.ok() ? resp->ByteSizeLong() : 0);
                                         });
    } else if (o_.call == "update") {
      auto req = std::make_shared<v1::UpdateRecordRequest>();
      auto resp = std::make_shared<v1::UpdateRecordResponse>();
      if (is_name) {
        req->set_name(subject);
      } else {
        req->set_kind(v1::PERSON);
        (*req->mutable_values())["id_number"].set_string_value(subject);
      }
      (*req->mutable_values())[o_.field].set_string_value(
          absl::StrCat("三明市三元区列东街", n % 1000, "号", n, "室"));
      req->mutable_provenance()->set_source(o_.source);
      records_[c]->async()->UpdateRecord(ctx.get(), req.get(), resp.get(),
                                         [ctx, req, resp, done](grpc::Status s) {
                                           done(s.ok(), s.ok() ? resp->ByteSizeLong() : 0);
                                         });
    } else if (o_.call == "evidence") {
      auto req = std::make_shared<v1::IssueEvidenceRequest>();
      auto resp = std::make_shared<v1::IssueEvidenceResponse>();
      req->set_evidence_type(o_.evidence_type);
      if (is_name)
        req->set_subject(subject);
      else
        req->set_id_number(subject);
      req->set_matter(o_.purpose);
      evidence_[c]->async()->IssueEvidence(ctx.get(), req.get(), resp.get(),
                                           [ctx, req, resp, done](grpc::Status s) {
                                             done(s.ok(), s.ok() ? resp->ByteSizeLong() : 0);
                                           });
    } else if (o_.call == "etcd-range") {
      etcd_->Range(c, std::move(ctx), subject, std::move(done));
    } else if (o_.call == "etcd-put") {
      etcd_->Put(c, std::move(ctx), subject,
                 std::string(static_cast<size_t>(o_.value_bytes), static_cast<char>('a' + n % 26)),
                 std::move(done));
    } else {  // history
      v1::ListRecordRevisionsRequest req;
      req.set_parent(subject);
      req.set_page_size(o_.page_size);
      req.set_purpose(o_.purpose);
      const std::string bytes = req.SerializeAsString();
      grpc::Slice slice(bytes.data(), bytes.size());
      auto req_buf = std::make_shared<grpc::ByteBuffer>(&slice, 1);
      auto resp_buf = std::make_shared<grpc::ByteBuffer>();
      generic_[c]->UnaryCall(ctx.get(),
                             "/collectonce.registry.v1.RecordService/ListRecordRevisions",
                             grpc::StubOptions(), req_buf.get(), resp_buf.get(),
                             [this, ctx, req_buf, resp_buf, done](grpc::Status s) {
                               const int n = s.ok() ? CountChangeSets(*resp_buf) : -1;
                               if (n >= 0) entries_.fetch_add(n, std::memory_order_relaxed);
                               done(n >= 0, n >= 0 ? resp_buf->Length() : 0);
                             });
    }
  }

  // Records a completed call that started (or was scheduled) at `start`.
  void Complete(Clock::time_point start, bool ok, size_t bytes) {
    if (!measuring_.load(std::memory_order_relaxed)) return;
    if (ok) {
      hist_.Add(
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
      bytes_.fetch_add(static_cast<int64_t>(bytes), std::memory_order_relaxed);
    } else {
      errors_.fetch_add(1, std::memory_order_relaxed);
    }
  }

  int Run() {
    std::atomic<bool> stop{false};
    std::atomic<int64_t> outstanding{0};
    std::atomic<uint64_t> counter{0};
    std::mutex mu;
    std::condition_variable cv;
    auto finished = [&] {
      if (outstanding.fetch_sub(1) == 1) {
        std::lock_guard<std::mutex> l(mu);
        cv.notify_all();
      }
    };
    std::thread pacer;
    // The closed loop's next-call function. It lives until every call has finished (Run
    // waits for outstanding == 0 at the end), so completions may call it; a shared_ptr that
    // captured itself would never be freed.
    std::function<void()> issue_fn;
    if (o_.rate <= 0) {
      // Closed loop: each slot issues its next call when the previous one completes.
      std::function<void()>* issue = &issue_fn;
      issue_fn = [&, issue] {
        if (stop.load(std::memory_order_relaxed)) return finished();
        const uint64_t n = counter.fetch_add(1);
        if (o_.count > 0 && n >= static_cast<uint64_t>(o_.count)) return finished();
        const auto start = Clock::now();
        Issue(n, [&, issue, start](bool ok, size_t bytes) {
          Complete(start, ok, bytes);
          (*issue)();
        });
      };
      outstanding = o_.inflight;
      if (o_.count > 0) {
        measuring_ = true;
        const auto t0 = Clock::now();
        for (int i = 0; i < o_.inflight; ++i) (*issue)();
        {
          std::unique_lock<std::mutex> l(mu);
          cv.wait(l, [&] { return outstanding.load() == 0; });
        }
        const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
        std::printf("loadgen: call=%s count=%lld ok=%lld errors=%lld rate=%.1f\n", o_.call.c_str(),
                    static_cast<long long>(o_.count), static_cast<long long>(hist_.Count()),
                    static_cast<long long>(errors_.load()),
                    static_cast<double>(hist_.Count()) / elapsed);
        return errors_.load() == 0 ? 0 : 1;
      }
      for (int i = 0; i < o_.inflight; ++i) (*issue)();
      Measure();
      stop = true;
    } else {
      // Open loop: call i is due at t0 + i / rate, whatever happened to earlier calls.
      outstanding = 1;  // the pacer itself
      pacer = std::thread([&] {
        const auto t0 = Clock::now();
        const double interval_us = 1e6 / o_.rate;
        for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
          const auto due = t0 + std::chrono::microseconds(
                                    static_cast<int64_t>(static_cast<double>(i) * interval_us));
          std::this_thread::sleep_until(due);
          if (outstanding.load(std::memory_order_relaxed) > 100000) {  // hopelessly behind
            errors_.fetch_add(1, std::memory_order_relaxed);
            continue;
          }
          outstanding.fetch_add(1);
          Issue(i, [&, due](bool ok, size_t bytes) {
            Complete(due, ok, bytes);
            finished();
          });
        }
        finished();
      });
      Measure();
      stop = true;
      pacer.join();
    }
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] { return outstanding.load() == 0; });
    return 0;
  }

  void Measure() {
    std::this_thread::sleep_for(std::chrono::duration<double>(o_.warmup));
    hist_.Reset();
    errors_ = 0;
    bytes_ = 0;
    entries_ = 0;
    const int64_t cpu0 = ServerCpuTicks(o_.server_pid);
    const auto t0 = Clock::now();
    measuring_ = true;
    std::this_thread::sleep_for(std::chrono::duration<double>(o_.seconds));
    measuring_ = false;
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    const int64_t cpu1 = ServerCpuTicks(o_.server_pid);
    const int64_t ok = hist_.Count();
    const double cpu_us = static_cast<double>(cpu1 - cpu0) * 1e6 / sysconf(_SC_CLK_TCK);
    std::printf(
        "loadgen: call=%s mode=%s inflight=%d target_rate=%.0f rate=%.1f ok=%lld errors=%lld "
        "p50_us=%.0f p90_us=%.0f p99_us=%.0f p999_us=%.0f max_us=%lld resp_bytes=%.0f "
        "entries_per_s=%.0f cpu_us_per_call=%.1f\n",
        o_.call.c_str(), o_.rate > 0 ? "open" : "closed", o_.rate > 0 ? 0 : o_.inflight, o_.rate,
        static_cast<double>(ok) / elapsed, static_cast<long long>(ok),
        static_cast<long long>(errors_.load()), hist_.Percentile(0.50), hist_.Percentile(0.90),
        hist_.Percentile(0.99), hist_.Percentile(0.999), static_cast<long long>(hist_.Max()),
        ok ? static_cast<double>(bytes_.load()) / static_cast<double>(ok) : 0.0,
        static_cast<double>(entries_.load()) / elapsed,
        o_.server_pid > 0 && ok ? cpu_us / static_cast<double>(ok) : 0.0);
    std::fflush(stdout);
  }

 private:
  size_t Pick() {
    std::lock_guard<std::mutex> l(rng_mu_);
    return std::uniform_int_distribution<size_t>(0, o_.subjects.size() - 1)(rng_);
  }

  Options o_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<v1::RecordService::Stub>> records_;
  std::vector<std::unique_ptr<gw::ReuseGateway::Stub>> gateways_;
  std::vector<std::unique_ptr<v1::EvidenceService::Stub>> evidence_;
  std::vector<std::unique_ptr<grpc::GenericStub>> generic_;  // history, counted on the wire
  std::unique_ptr<collectonce::bench::EtcdCalls> etcd_;
  Histogram hist_;
  std::atomic<bool> measuring_{false};
  std::atomic<int64_t> errors_{0};
  std::atomic<int64_t> bytes_{0};
  std::atomic<int64_t> entries_{0};
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::vector<std::string> subject_args;
  CLI::App app{
      "loadgen: closed- or open-loop gRPC load on the registry, the gateway or the "
      "echo baseline; prints rate, latency percentiles, errors and server CPU per call."};
  app.add_option("--target", o.target, "HOST:PORT")->required();
  app.add_option("--call", o.call,
                 "get, prefill, update, history, evidence, etcd-range or etcd-put")
      ->check(CLI::IsMember(
          {"get", "prefill", "update", "history", "evidence", "etcd-range", "etcd-put"}));
  app.add_option("--evidence-type", o.evidence_type,
                 "evidence: evidence-types/… to issue (--purpose is the matter)");
  app.add_option("--subjects", o.subjects_file,
                 "file, one subject a line (a record name, or a resident ID number)");
  app.add_option("--subject", subject_args, "a subject (repeatable), instead of --subjects");
  app.add_option("--principal", o.principal, "x-principal of the caller");
  app.add_option("--purpose", o.purpose, "the matter the reads serve");
  app.add_option("--form", o.form, "prefill: matters/… or bundles/… (default: --purpose)");
  app.add_option("--source", o.source, "update: provenance source");
  app.add_option("--field", o.field, "update: the field written (a string field)");
  app.add_option("--read-mask", o.read_mask,
                 "get: the catalog fields to read (comma-separated; default: every field)")
      ->delimiter(',');
  app.add_option("--asof-revision", o.asof_revision, "get: read as of this revision");
  app.add_flag("--asof-now", o.asof_now, "get: read as of the current time (a time-based read)");
  app.add_flag("--receipt", o.receipt, "get: ask for a read receipt (what a pre-fill does)");
  app.add_option("--page-size", o.page_size, "history: entries per page");
  app.add_option("--inflight", o.inflight, "closed loop: calls in flight")
      ->check(CLI::Range(1, 100000));
  app.add_option("--rate", o.rate, "open loop: calls per second (0: closed loop)");
  app.add_option("--warmup", o.warmup, "seconds before measuring");
  app.add_option("--seconds", o.seconds, "seconds measured");
  app.add_option("--channels", o.channels, "connections")->check(CLI::Range(1, 64));
  app.add_option("--server-pid", o.server_pid, "process whose CPU time is charged to the calls");
  app.add_option("--seed", o.seed, "seed of the subject choice");
  app.add_option("--timeout", o.timeout, "per-call deadline in seconds");
  app.add_option("--count", o.count, "make exactly this many calls (closed loop) and stop");
  app.add_option("--value-bytes", o.value_bytes, "etcd-put: bytes of each value")
      ->check(CLI::Range(1, 1 << 20));
  CLI11_PARSE(app, argc, argv);
  o.subjects = subject_args;
  if (!o.subjects_file.empty()) {
    std::ifstream in(o.subjects_file);
    if (!in) {
      std::fprintf(stderr, "loadgen: cannot read %s\n", o.subjects_file.c_str());
      return 2;
    }
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) o.subjects.push_back(line);
    }
  }
  if (o.subjects.empty()) o.subjects.push_back("enterprises/none");
  Load load(std::move(o));
  return load.Run();
}
