// registryd killed with SIGKILL at random moments while concurrent writers go through the
// gRPC API, and restarted on the same data directory many times. After every restart each
// acknowledged write is there at its revision, each subject's revisions run without a gap,
// and `registryctl audit verify` accepts the log.
//
// The moments are drawn from a seeded generator; the seed is printed on failure and can be
// set with COLLECTONCE_CRASH_SEED (rounds with COLLECTONCE_CRASH_ROUNDS).
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/catalog/catalog.h"
#include "libs/ident/uscc.h"
#include "tests/daemon.h"

namespace collectonce {
namespace {

namespace v1 = ::collectonce::registry::v1;
using ::testing::HasSubstr;

constexpr char kPurpose[] = "matters/governance-enterprise";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

struct Acked {
  std::string subject;
  std::string value;
  int64_t revision;
};

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/collectonce-crash-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "registryd log of the last round:\n" << ReadFile(dir_ + "/registryd.log");
    }
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<testing::Daemon> Start() {
    auto d = testing::Daemon::Start(
        REGISTRYD_BINARY,
        {"--insecure", "--data-dir", dir_ + "/data", "--bootstrap-governance", "registryctl"},
        dir_ + "/registryd.log");
    EXPECT_TRUE(d.ok()) << d.status();
    if (!d.ok()) return nullptr;
    return std::make_unique<testing::Daemon>(*std::move(d));
  }
  static grpc::ClientContext* Ctx(grpc::ClientContext* ctx) {
    ctx->AddMetadata("x-principal", "registryctl");
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

  // The catalog, a matter to read under and a principal granted it.
  void SetUpGovernance(const std::shared_ptr<grpc::Channel>& channel) {
    auto gov = v1::GovernanceService::NewStub(channel);
    auto cat = catalog::ParseCatalogText(ReadFile(std::string(COLLECTONCE_SOURCE_DIR) +
                                                  "/deploy/examples/catalog/enterprise.txtpb"));
    ASSERT_TRUE(cat.ok());
    v1::ApplyCatalogRequest creq;
    *creq.mutable_catalog() = *cat;
    v1::ApplyCatalogResponse cresp;
    grpc::ClientContext c1;
    grpc::Status s = gov->ApplyCatalog(Ctx(&c1), creq, &cresp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    v1::ApplyMatterRequest mreq;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"tp(matter {
      name: "matters/governance-enterprise" title: "数据治理核查" subject_kind: ENTERPRISE
      purpose: "核查" form_fields { key: "a" catalog_field: "name" use: PREFILL } })tp",
                                                              &mreq));
    v1::Matter mout;
    grpc::ClientContext c2;
    s = gov->ApplyMatter(Ctx(&c2), mreq, &mout);
    ASSERT_TRUE(s.ok()) << s.error_message();
    v1::ApplyPrincipalRequest preq;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"tp(principal {
      name: "principals/registryctl" identity: "registryctl" roles: GOVERNANCE
      grants { matter: "matters/governance-enterprise" } })tp",
                                                              &preq));
    v1::Principal pout;
    grpc::ClientContext c3;
    s = gov->ApplyPrincipal(Ctx(&c3), preq, &pout);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Reads `subject` at `revision` (0: current) through the API.
  grpc::Status Read(v1::RecordService::Stub* rec, const std::string& subject, int64_t revision,
                    v1::Record* out) {
    v1::GetRecordRequest get;
    get.set_name(subject);
    get.mutable_options()->set_purpose(kPurpose);
    if (revision > 0) get.mutable_options()->set_revision(revision);
    grpc::ClientContext ctx;
    return rec->GetRecord(Ctx(&ctx), get, out);
  }

  // Every acknowledged write is there; revisions above what earlier rounds checked run
  // without a gap up to the current one.
  void VerifyAfterRestart(const std::shared_ptr<grpc::Channel>& channel,
                          const std::vector<Acked>& acked) {
    auto rec = v1::RecordService::NewStub(channel);
    std::map<std::string, int64_t> highest;
    for (const Acked& a : acked) {
      v1::Record r;
      grpc::Status s = Read(rec.get(), a.subject, a.revision, &r);
      ASSERT_TRUE(s.ok()) << "acknowledged " << a.subject << " revision " << a.revision
                          << " is gone: " << s.error_message();
      ASSERT_EQ(r.fields_size(), 1);
      EXPECT_EQ(r.fields(0).value().string_value(), a.value)
          << a.subject << " revision " << a.revision;
      highest[a.subject] = std::max(highest[a.subject], a.revision);
    }
    for (const auto& [subject, top] : highest) {
      v1::Record current;
      grpc::Status s = Read(rec.get(), subject, 0, &current);
      ASSERT_TRUE(s.ok()) << s.error_message();
      EXPECT_GE(current.revision(), top) << subject;
      for (int64_t r = checked_[subject] + 1; r <= current.revision(); ++r) {
        v1::Record at;
        EXPECT_TRUE(Read(rec.get(), subject, r, &at).ok())
            << subject << " has no revision " << r << " below " << current.revision();
        EXPECT_EQ(at.revision(), r);
      }
      checked_[subject] = current.revision();
    }
  }

  int AuditVerify(const std::string& address, std::string* out) {
    testing::ShellResult r = testing::RunShell(
        absl::StrCat(REGISTRYCTL_BINARY, " --registry ", address, " audit verify"));
    *out += r.out;
    return r.exit_code;
  }

  std::string dir_;
  std::map<std::string, int64_t> checked_;
};

TEST_F(CrashTest, AcknowledgedWritesSurviveSigkillAtRandomMoments) {
  const int seed = EnvInt("COLLECTONCE_CRASH_SEED", 20261127);
  const int rounds = EnvInt("COLLECTONCE_CRASH_ROUNDS", 30);
  SCOPED_TRACE(absl::StrCat("COLLECTONCE_CRASH_SEED=", seed));
  std::mt19937 rng(seed);
  constexpr int kWriters = 4, kSubjectsPerWriter = 3;

  std::vector<Acked> acked;
  std::mutex mu;
  for (int round = 0; round <= rounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    auto d = Start();
    ASSERT_NE(d, nullptr);
    auto channel = grpc::CreateChannel(d->grpc_address(), grpc::InsecureChannelCredentials());
    if (round == 0) {
      SetUpGovernance(channel);
      if (HasFatalFailure()) return;
    } else {
      VerifyAfterRestart(channel, acked);
      if (HasFatalFailure()) return;
      std::string out;
      ASSERT_EQ(AuditVerify(d->grpc_address(), &out), 0) << out;
    }
    if (round == rounds) {
      channel.reset();
      auto st = d->Stop(SIGTERM);
      ASSERT_TRUE(st.ok()) << st.status();
      break;
    }

    // Writers until the kill; each owns its subjects.
    std::atomic<int> acked_this_round{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        auto rec = v1::RecordService::NewStub(channel);
        for (int i = 0;; ++i) {
          const std::string subject =
              absl::StrCat("enterprises/",
                           ident::MakeUscc(absl::StrFormat(
                               "91350400MA%07d", w * kSubjectsPerWriter + i % kSubjectsPerWriter)));
          const std::string value = absl::StrCat("企业", round, "-", w, "-", i);
          v1::UpdateRecordRequest up;
          up.set_name(subject);
          up.mutable_provenance()->set_source("market-regulation");
          (*up.mutable_values())["name"].set_string_value(value);
          up.set_request_id(absl::StrCat("crash-", seed, "-", round, "-", w, "-", i));
          v1::UpdateRecordResponse resp;
          grpc::ClientContext ctx;
          grpc::Status s = rec->UpdateRecord(Ctx(&ctx), up, &resp);
          if (!s.ok()) return;  // the daemon is gone: the outcome of this write is unknown
          std::lock_guard<std::mutex> lock(mu);
          acked.push_back({subject, value, resp.record().revision()});
          ++acked_this_round;
        }
      });
    }
    // A random moment: after a random number of acknowledgements, plus a random delay.
    const int after_acks = std::uniform_int_distribution<int>(1, 80)(rng);
    const int extra_us = std::uniform_int_distribution<int>(0, 20000)(rng);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (acked_this_round.load() < after_acks && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    ASSERT_GE(acked_this_round.load(), after_acks) << "the writers made no progress";
    std::this_thread::sleep_for(std::chrono::microseconds(extra_us));
    auto st = d->Stop(SIGKILL);
    for (auto& t : writers) t.join();
    ASSERT_TRUE(st.ok()) << st.status();
    ASSERT_TRUE(WIFSIGNALED(*st));
  }
  EXPECT_GT(acked.size(), static_cast<size_t>(rounds));
  std::cerr << "crash test: " << rounds << " kills, " << acked.size()
            << " acknowledged writes checked after each restart\n";
}

}  // namespace
}  // namespace collectonce
