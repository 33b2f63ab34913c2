// The paging arguments of the governance, evidence and dispute listings against the real
// daemon with the shipped examples: a negative page size is INVALID_VALUES with a page_size
// violation, and a token with any one byte edited, or one another listing issued, is
// INVALID_PAGE_TOKEN with a page_token violation (tokens are under the server's MAC). The
// record and audit listings are checked the same way in services/registry/registry_service_test.cc.
#include <filesystem>
#include <functional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "collectonce/registry/v1/dispute.grpc.pb.h"
#include "collectonce/registry/v1/evidence.grpc.pb.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/rpc/errors.h"
#include "tests/daemon.h"
#include "tests/examples.h"

namespace collectonce {
namespace {

namespace v1 = ::collectonce::registry::v1;
using ::testing::ElementsAre;

// size, token -> status, next token.
using Lister =
    std::function<grpc::Status(int32_t size, const std::string& token, std::string* next)>;

void Prepare(grpc::ClientContext* ctx) {
  ctx->AddMetadata("x-principal", "registryctl");
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
}

template <typename Stub, typename Request, typename Response>
Lister MakeLister(Stub* stub,
                  grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*)) {
  return [stub, method](int32_t size, const std::string& token, std::string* next) {
    Request r;
    r.set_page_size(size);
    r.set_page_token(token);
    Response resp;
    grpc::ClientContext ctx;
    Prepare(&ctx);
    grpc::Status st = (stub->*method)(&ctx, r, &resp);
    *next = resp.next_page_token();
    return st;
  };
}

std::vector<std::string> Violated(const grpc::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : rpc::FromGrpc(s).violations) out.push_back(v.field + "/" + v.rule);
  return out;
}

void ExpectRefusedToken(const Lister& call, const std::string& token, const std::string& what) {
  std::string ignored;
  grpc::Status refused = call(1, token, &ignored);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << what;
  EXPECT_EQ(rpc::FromGrpc(refused).reason, "INVALID_PAGE_TOKEN") << what;
  EXPECT_THAT(Violated(refused), ElementsAre("page_token/TOKEN")) << what;
}

TEST(ListPagingTest, EveryGovernanceEvidenceAndDisputeListingChecksItsPagingArguments) {
  char tmpl[] = "/tmp/collectonce-paging-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  {
    auto d = testing::Daemon::Start(REGISTRYD_BINARY,
                                    {"--insecure", "--no-sync", "--data-dir", dir + "/data",
                                     "--bootstrap-governance", "registryctl"},
                                    dir + "/registryd.log");
    ASSERT_TRUE(d.ok()) << d.status();
    auto ch = grpc::CreateChannel(d->grpc_address(), grpc::InsecureChannelCredentials());
    auto gov = v1::GovernanceService::NewStub(ch);
    auto evidence = v1::EvidenceService::NewStub(ch);
    auto disputes = v1::DisputeService::NewStub(ch);
    const std::string examples = std::string(COLLECTONCE_SOURCE_DIR) + "/deploy/examples";
    absl::Status applied = testing::ApplyExamples(*gov, examples, Prepare);
    ASSERT_TRUE(applied.ok()) << applied;
    applied = testing::ApplyEvidenceTypeExamples(*evidence, examples, Prepare);
    ASSERT_TRUE(applied.ok()) << applied;

    // Listings with a second page in the examples.
    const std::vector<std::pair<std::string, Lister>> paged = {
        {"ListMatters", MakeLister(gov.get(), &v1::GovernanceService::Stub::ListMatters)},
        {"ListBundles", MakeLister(gov.get(), &v1::GovernanceService::Stub::ListBundles)},
        {"ListPrincipals", MakeLister(gov.get(), &v1::GovernanceService::Stub::ListPrincipals)},
        {"ListEvidenceTypes",
         MakeLister(evidence.get(), &v1::EvidenceService::Stub::ListEvidenceTypes)},
    };
    // Listings that are empty here: their sizes and forged tokens are checked all the same.
    const std::vector<std::pair<std::string, Lister>> empty = {
        {"ListDisputes", MakeLister(disputes.get(), &v1::DisputeService::Stub::ListDisputes)},
        {"ListNotifications",
         MakeLister(disputes.get(), &v1::DisputeService::Stub::ListNotifications)},
    };
    std::vector<std::string> first_tokens;
    for (const auto* lists : {&paged, &empty}) {
      for (const auto& [name, call] : *lists) {
        SCOPED_TRACE(name);
        std::string next;
        grpc::Status negative = call(-1, "", &next);
        EXPECT_EQ(negative.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
        EXPECT_EQ(rpc::FromGrpc(negative).reason, "INVALID_VALUES");
        EXPECT_THAT(Violated(negative), ElementsAre("page_size/RANGE"));
        ExpectRefusedToken(call, absl::WebSafeBase64Escape("matters/not-issued"), "forged");
        if (lists == &empty) continue;

        grpc::Status first = call(1, "", &next);
        ASSERT_TRUE(first.ok()) << first.error_message();
        ASSERT_FALSE(next.empty()) << "no second page to test with";
        first_tokens.push_back(next);
        std::string ignored;
        ASSERT_TRUE(call(1, next, &ignored).ok());
        std::string raw;
        ASSERT_TRUE(absl::WebSafeBase64Unescape(next, &raw));
        for (size_t at : {size_t{0}, raw.size() / 2, raw.size() - 1}) {
          std::string edited = raw;
          edited[at] ^= 0x01;
          ExpectRefusedToken(call, absl::WebSafeBase64Escape(edited), absl::StrCat("byte ", at));
        }
      }
    }
    // A token of one listing is refused by every other.
    for (size_t i = 0; i < paged.size(); ++i) {
      for (size_t j = 0; j < paged.size(); ++j) {
        if (i == j) continue;
        ExpectRefusedToken(paged[j].second, first_tokens[i],
                           paged[i].first + "'s token in " + paged[j].first);
      }
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace collectonce
