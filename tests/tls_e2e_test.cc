// Mutual TLS end to end: the real registryd, reuse-gatewayd and registryctl with
// certificates made at test time by deploy/pki/make-pki.sh. Identity comes from the client
// certificate only; the gateway acts for its caller within that caller's grants; unknown,
// missing and expired certificates are refused; replaced files are picked up without a
// restart; and the daemons refuse contradictory or incomplete security flags.
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "collectonce/gateway/v1/gateway.grpc.pb.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/rpc/errors.h"
#include "tests/daemon.h"
#include "tests/examples.h"

namespace collectonce {
namespace {

namespace v1 = ::collectonce::registry::v1;
namespace gw = ::collectonce::gateway::v1;
using ::testing::HasSubstr;

const char kExamples[] = COLLECTONCE_SOURCE_DIR "/deploy/examples";
const char kMakePki[] = COLLECTONCE_SOURCE_DIR "/deploy/pki/make-pki.sh";
const char kSongId[] = "350403194503120012";
const char kRealEstate[] = "spiffe://sanming.gov.cn/approval/real-estate";
const char kSocialInsurance[] = "spiffe://sanming.gov.cn/approval/social-insurance";
const char kRegistryctl[] = "spiffe://sanming.gov.cn/registryctl";
const char kTransfer[] = "matters/real-estate-transfer";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp, std::ios::trunc) << content;
  std::filesystem::rename(tmp, path);
}

template <typename T>
T ReadText(const std::string& path) {
  T m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(ReadFile(path), &m)) << path;
  return m;
}

// Runs a shell command; returns its exit code and leaves its stderr in *err.
int RunShell(const std::string& command, const std::string& err_path, std::string* err) {
  int status = std::system(absl::StrCat(command, " >/dev/null 2>", err_path).c_str());
  *err = ReadFile(err_path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/collectonce-tls-XXXXXX";
    dir_ = new std::string(mkdtemp(tmpl));
    pki_ = new std::string(*dir_ + "/pki");
    std::string err;
    ASSERT_EQ(RunShell(absl::StrCat(kMakePki, " -o ", *pki_, " --expired --other-ca"),
                       *dir_ + "/make-pki.err", &err),
              0)
        << err;
    // Outside the local mode the registry creates no keys of its own.
    ASSERT_EQ(RunShell(absl::StrCat("mkdir -p ", *dir_, "/keys && cd ", *dir_,
                                    "/keys && "
                                    "openssl rand -hex 32 >index.key && chmod 600 index.key && "
                                    "openssl genpkey -algorithm ed25519 -out audit-signing.pem"),
                       *dir_ + "/keys.err", &err),
              0)
        << err;
    auto r = testing::Daemon::Start(
        REGISTRYD_BINARY,
        {"--no-sync", "--index-key-file", *dir_ + "/keys/index.key", "--audit-key-file",
         *dir_ + "/keys/audit-signing.pem", "--data-dir", *dir_ + "/data", "--bootstrap-governance",
         kRegistryctl, "--tls-cert", Pki("registry/cert.pem"), "--tls-key", Pki("registry/key.pem"),
         "--tls-client-ca", Pki("ca.pem"), "--tls-reload-seconds", "1"},
        *dir_ + "/registryd.log");
    ASSERT_TRUE(r.ok()) << r.status();
    registry_ = new testing::Daemon(*std::move(r));
    auto g =
        testing::Daemon::Start(GATEWAYD_BINARY,
                               {"--registry", registry_->grpc_address(), "--form-cache-seconds",
                                "0", "--tls-cert", Pki("reuse-gateway/cert.pem"), "--tls-key",
                                Pki("reuse-gateway/key.pem"), "--tls-client-ca", Pki("ca.pem")},
                               *dir_ + "/gateway.log");
    ASSERT_TRUE(g.ok()) << g.status();
    gateway_ = new testing::Daemon(*std::move(g));
    ApplyExamplesAndCreateSong();
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete registry_;
    std::filesystem::remove_all(*dir_);
    delete pki_;
    delete dir_;
  }

  static std::string Pki(const std::string& rel) { return absl::StrCat(*pki_, "/", rel); }

  // A channel presenting `who`'s certificate (a directory of the PKI; empty: none) and
  // trusting the local CA. Its own subchannel pool, so no connection is shared with another
  // channel.
  static std::shared_ptr<grpc::Channel> Channel(const std::string& address,
                                                const std::string& who) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ReadFile(Pki("ca.pem"));
    if (!who.empty()) {
      o.pem_cert_chain = ReadFile(Pki(who + "/cert.pem"));
      o.pem_private_key = ReadFile(Pki(who + "/key.pem"));
    }
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(address, grpc::SslCredentials(o), args);
  }

  static grpc::ClientContext* Ctx(grpc::ClientContext* ctx) {
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

  static void ApplyExamplesAndCreateSong() {
    auto ch = Channel(registry_->grpc_address(), "registryctl");
    auto gov = v1::GovernanceService::NewStub(ch);
    auto rec = v1::RecordService::NewStub(ch);
    absl::Status applied =
        testing::ApplyExamples(*gov, kExamples, [](grpc::ClientContext* ctx) { Ctx(ctx); });
    ASSERT_TRUE(applied.ok()) << applied;
    v1::UpdateRecordRequest song;
    // clang-format off
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(absl::StrCat(R"tp(
      kind: PERSON provenance { source: "public-security.household" }
      values { key: "id_number" value { string_value: ")tp", kSongId, R"tp(" } }
      values { key: "name" value { string_value: "宋文富" } }
      values { key: "gender" value { code_value: "1" } }
      values { key: "birth_date" value { date_value { year: 1945 month: 3 day: 12 } } }
      values { key: "household_address" value { string_value: "三明市三元区富文新村12幢301室" } }
      values { key: "marital_status" value { code_value: "30" } })tp"), &song));
    // clang-format on
    v1::UpdateRecordResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = rec->UpdateRecord(Ctx(&ctx), song, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    *song_name_ = resp.record().name();
  }

  // Reads Song's record from the registry directly as `who`, for `purpose`, with extra
  // headers.
  static grpc::Status ReadSong(const std::string& who, const std::string& purpose, v1::Record* out,
                               const std::map<std::string, std::string>& headers = {}) {
    auto stub = v1::RecordService::NewStub(Channel(registry_->grpc_address(), who));
    v1::GetRecordRequest req;
    req.set_name(*song_name_);
    req.mutable_options()->set_purpose(purpose);
    grpc::ClientContext ctx;
    for (const auto& [k, v] : headers) ctx.AddMetadata(k, v);
    return stub->GetRecord(Ctx(&ctx), req, out);
  }

  static grpc::Status Prefill(const std::string& who, const std::string& form,
                              gw::PrefillFormResponse* out,
                              const std::map<std::string, std::string>& headers = {}) {
    auto stub = gw::ReuseGateway::NewStub(Channel(gateway_->grpc_address(), who));
    gw::PrefillFormRequest req;
    req.set_form(form);
    req.set_subject(*song_name_);
    req.set_case_id("BDC-2026-0417");
    grpc::ClientContext ctx;
    for (const auto& [k, v] : headers) ctx.AddMetadata(k, v);
    return stub->PrefillForm(Ctx(&ctx), req, out);
  }

  static std::map<std::string, gw::FormFieldValue> ByField(const gw::PrefillFormResponse& r) {
    std::map<std::string, gw::FormFieldValue> m;
    for (const auto& f : r.fields()) m[f.catalog_field()] = f;
    return m;
  }

  static std::string* dir_;
  static std::string* pki_;
  static std::string* song_name_;
  static testing::Daemon* registry_;
  static testing::Daemon* gateway_;
};

std::string* TlsTest::dir_ = nullptr;
std::string* TlsTest::pki_ = nullptr;
std::string* TlsTest::song_name_ = new std::string();
testing::Daemon* TlsTest::registry_ = nullptr;
testing::Daemon* TlsTest::gateway_ = nullptr;

TEST_F(TlsTest, ApprovalCertificateReadsOnlyItsGrantedFields) {
  // Directly from the registry: the real-estate certificate holds the transfer grant.
  v1::Record record;
  grpc::Status s = ReadSong("approval-real-estate", kTransfer, &record);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::map<std::string, v1::FieldValue> fields;
  for (const auto& f : record.fields()) fields[f.field()] = f;
  EXPECT_EQ(fields["name"].value().string_value(), "宋文富");
  EXPECT_FALSE(fields["name"].masked());
  EXPECT_TRUE(fields["marital_status"].masked());
  // The social-insurance certificate does not.
  s = ReadSong("approval-social-insurance", kTransfer, &record);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();

  // Through the gateway: the same split, field by field.
  gw::PrefillFormResponse form;
  s = Prefill("approval-real-estate", kTransfer, &form);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto f = ByField(form);
  EXPECT_EQ(f.at("name").state(), gw::FormFieldValue::PREFILLED);
  EXPECT_EQ(f.at("name").value().string_value(), "宋文富");
  // PREFILL_MASKED in the matter: never in clear, whatever the certificate.
  EXPECT_EQ(f.at("marital_status").state(), gw::FormFieldValue::MASKED);

  s = Prefill("approval-social-insurance", kTransfer, &form);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();

  // The access log names the end caller and the gateway it came through.
  auto audit = v1::AuditService::NewStub(Channel(registry_->grpc_address(), "registryctl"));
  v1::ListAccessEventsRequest areq;
  areq.set_subject(*song_name_);
  areq.set_page_size(50);
  v1::ListAccessEventsResponse events;
  grpc::ClientContext actx;
  s = audit->ListAccessEvents(Ctx(&actx), areq, &events);
  ASSERT_TRUE(s.ok()) << s.error_message();
  bool via_gateway = false;
  for (const auto& e : events.entries()) {
    if (e.principal() == "principals/approval-real-estate" &&
        e.access().via() == "principals/reuse-gateway" && e.access().purpose() == kTransfer) {
      via_gateway = true;
    }
  }
  EXPECT_TRUE(via_gateway);
}

TEST_F(TlsTest, ForgedPrincipalHeaderChangesNothing) {
  v1::Record record;
  // The social-insurance system claims to be the real-estate system, and then the
  // bootstrap governance identity: its certificate decides.
  for (const char* forged : {kRealEstate, kRegistryctl}) {
    grpc::Status s =
        ReadSong("approval-social-insurance", kTransfer, &record, {{"x-principal", forged}});
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << forged;
  }
  auto gov = v1::GovernanceService::NewStub(
      Channel(registry_->grpc_address(), "approval-social-insurance"));
  v1::ApplyPrincipalRequest req;
  *req.mutable_principal() =
      ReadText<v1::Principal>(absl::StrCat(kExamples, "/principals/approval-real-estate.txtpb"));
  v1::Principal out;
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-principal", kRegistryctl);
  grpc::Status s = gov->ApplyPrincipal(Ctx(&ctx), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();

  // The same through the gateway.
  gw::PrefillFormResponse form;
  s = Prefill("approval-social-insurance", kTransfer, &form, {{"x-principal", kRealEstate}});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
}

TEST_F(TlsTest, GatewayCannotWidenAGrant) {
  v1::Record record;
  // The gateway's own certificate acting for the social-insurance system: that system's
  // grants apply, and it has none for the transfer.
  grpc::Status s =
      ReadSong("reuse-gateway", kTransfer, &record, {{"x-on-behalf-of", kSocialInsurance}});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(rpc::FromGrpc(s).reason, "NO_GRANT_FOR_PURPOSE");
  // For itself the gateway holds no grant at all.
  s = ReadSong("reuse-gateway", kTransfer, &record);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  // Acting for the real-estate system it reads what that system may read.
  s = ReadSong("reuse-gateway", kTransfer, &record, {{"x-on-behalf-of", kRealEstate}});
  EXPECT_TRUE(s.ok()) << s.error_message();
  // Only a GATEWAY may act for someone else.
  s = ReadSong("approval-social-insurance", kTransfer, &record, {{"x-on-behalf-of", kRealEstate}});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(rpc::FromGrpc(s).reason, "NOT_A_GATEWAY");
  // A caller of the gateway cannot choose whom the gateway acts for: the gateway names it
  // as the one who asked (x-on-behalf-of-via), and the registry lets only a GATEWAY ask.
  gw::PrefillFormResponse form;
  s = Prefill("approval-social-insurance", kTransfer, &form, {{"x-on-behalf-of", kRealEstate}});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  EXPECT_EQ(rpc::FromGrpc(s).reason, "NOT_A_GATEWAY");
}

TEST_F(TlsTest, MissingForeignAndExpiredCertificatesAreRefused) {
  for (const std::string* address : {&registry_->grpc_address(), &gateway_->grpc_address()}) {
    for (const char* who : {"", "other-ca", "expired"}) {
      auto stub = v1::GovernanceService::NewStub(Channel(*address, who));
      v1::GetCatalogRequest req;
      req.set_name("catalogs/person");
      v1::Catalog out;
      grpc::ClientContext ctx;
      grpc::Status s = stub->GetCatalog(Ctx(&ctx), req, &out);
      EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE)
          << *address << " with '" << who << "': " << s.error_message();
    }
    // Plaintext is not spoken at all.
    auto plain = v1::GovernanceService::NewStub(
        grpc::CreateChannel(*address, grpc::InsecureChannelCredentials()));
    v1::GetCatalogRequest req;
    req.set_name("catalogs/person");
    v1::Catalog out;
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-principal", kRegistryctl);
    EXPECT_EQ(plain->GetCatalog(Ctx(&ctx), req, &out).error_code(), grpc::StatusCode::UNAVAILABLE);
  }
  // The registry with a good certificate answers (the refusals above are not a dead port).
  auto stub = v1::GovernanceService::NewStub(Channel(registry_->grpc_address(), "registryctl"));
  v1::GetCatalogRequest req;
  req.set_name("catalogs/person");
  v1::Catalog out;
  grpc::ClientContext ctx;
  EXPECT_TRUE(stub->GetCatalog(Ctx(&ctx), req, &out).ok());
}

// Calls GetCatalog as `who` every 100 ms until `done(status)` holds, for at most 20 s (the
// daemon re-reads its files every second). Returns the last status.
grpc::Status PollUntil(const std::function<std::shared_ptr<grpc::Channel>()>& channel,
                       const std::function<bool(const grpc::Status&)>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  grpc::Status s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto stub = v1::GovernanceService::NewStub(channel());
    v1::GetCatalogRequest req;
    req.set_name("catalogs/person");
    v1::Catalog out;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    s = stub->GetCatalog(&ctx, req, &out);
    if (done(s)) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return s;
}

TEST_F(TlsTest, ReplacedCertificatesAndCaArePickedUpWithoutRestart) {
  // A registry of its own whose files this test replaces: it starts with the other CA's
  // certificate as its server identity (which clients of the local CA refuse) and trusts
  // only the local CA.
  const std::string d = *dir_ + "/rotate";
  std::filesystem::create_directories(d);
  std::filesystem::copy_file(Pki("other-ca/cert.pem"), d + "/cert.pem");
  std::filesystem::copy_file(Pki("other-ca/key.pem"), d + "/key.pem");
  std::filesystem::copy_file(Pki("ca.pem"), d + "/ca.pem");
  auto r = testing::Daemon::Start(
      REGISTRYD_BINARY,
      {"--no-sync", "--index-key-file", *dir_ + "/keys/index.key", "--audit-key-file",
       *dir_ + "/keys/audit-signing.pem", "--data-dir", d + "/data", "--bootstrap-governance",
       kRegistryctl, "--tls-cert", d + "/cert.pem", "--tls-key", d + "/key.pem", "--tls-client-ca",
       d + "/ca.pem", "--tls-reload-seconds", "1"},
      d + "/registryd.log");
  ASSERT_TRUE(r.ok()) << r.status();
  const std::string address = r->grpc_address();
  auto as = [&](const std::string& who) { return [&, who] { return Channel(address, who); }; };
  auto answered = [](const grpc::Status& s) {
    return s.error_code() != grpc::StatusCode::UNAVAILABLE;
  };

  grpc::Status s = PollUntil(as("registryctl"), [](const grpc::Status&) { return true; });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << "the other CA's server certificate";

  // Server identity replaced on disk (key first, then certificate; a mismatched pair in
  // between is skipped by the daemon).
  WriteFileAtomically(d + "/key.pem", ReadFile(Pki("registry/key.pem")));
  WriteFileAtomically(d + "/cert.pem", ReadFile(Pki("registry/cert.pem")));
  s = PollUntil(as("registryctl"), answered);
  // Answered (this empty registry has no catalog yet): the handshake succeeded.
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND)
      << "the new server certificate was not picked up: " << s.error_message();

  // A client of the other CA is refused until that CA is added to the trusted bundle.
  s = PollUntil(as("other-ca"), [](const grpc::Status&) { return true; });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  WriteFileAtomically(d + "/ca.pem", ReadFile(Pki("ca.pem")) + ReadFile(Pki("other-ca/ca.pem")));
  s = PollUntil(as("other-ca"), answered);
  // Now the handshake succeeds; the identity is known to no principal of this empty registry.
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
  ASSERT_TRUE(r->Stop(SIGTERM).ok());
}

TEST_F(TlsTest, RegistryctlUsesItsCertificate) {
  const std::string tls = absl::StrCat(" --registry ", registry_->grpc_address(), " --tls-cert ",
                                       Pki("registryctl/cert.pem"), " --tls-key ",
                                       Pki("registryctl/key.pem"), " --tls-ca ", Pki("ca.pem"));
  std::string err;
  EXPECT_EQ(RunShell(absl::StrCat(REGISTRYCTL_BINARY, tls, " catalog get person"),
                     *dir_ + "/ctl.err", &err),
            0)
      << err;
  // --as only names the caller in the local mode.
  EXPECT_EQ(
      RunShell(absl::StrCat(REGISTRYCTL_BINARY, tls, " --as ", kRegistryctl, " catalog get person"),
               *dir_ + "/ctl.err", &err),
      2);
  EXPECT_THAT(err, HasSubstr("--as"));
  // All three or none.
  EXPECT_EQ(
      RunShell(absl::StrCat(REGISTRYCTL_BINARY, " --registry ", registry_->grpc_address(),
                            " --tls-cert ", Pki("registryctl/cert.pem"), " catalog get person"),
               *dir_ + "/ctl.err", &err),
      2);
  EXPECT_THAT(err, HasSubstr("missing: --tls-key, --tls-ca"));
  // A plaintext client at the TLS port is told what to try (64 + UNAVAILABLE).
  EXPECT_EQ(RunShell(absl::StrCat(REGISTRYCTL_BINARY, " --registry ", registry_->grpc_address(),
                                  " --timeout 5 catalog get person"),
                     *dir_ + "/ctl.err", &err),
            64 + 14);
  EXPECT_THAT(err,
              HasSubstr("the server may require TLS; give --tls-cert, --tls-key and --tls-ca"));
  // A bulk import sends its checked rows as they are, over the same authenticated channel.
  EXPECT_EQ(RunShell(absl::StrCat(REGISTRYCTL_BINARY, tls, " import --kind enterprise ", kExamples,
                                  "/demo/enterprises.csv --source market-regulation --report ",
                                  *dir_, "/import-report.txt"),
                     *dir_ + "/ctl.err", &err),
            0)
      << err;
  EXPECT_THAT(ReadFile(*dir_ + "/import-report.txt"),
              ::testing::ContainsRegex(" [1-9][0-9]* written, 0 unchanged, 0 failed"));
  // Another certificate is another caller: the social-insurance system may not apply a
  // principal (PERMISSION_DENIED = 64 + 7).
  const std::string as_si =
      absl::StrCat(" --registry ", registry_->grpc_address(), " --tls-cert ",
                   Pki("approval-social-insurance/cert.pem"), " --tls-key ",
                   Pki("approval-social-insurance/key.pem"), " --tls-ca ", Pki("ca.pem"));
  EXPECT_EQ(RunShell(absl::StrCat(REGISTRYCTL_BINARY, as_si, " principal apply -f ", kExamples,
                                  "/principals/approval-real-estate.txtpb"),
                     *dir_ + "/ctl.err", &err),
            64 + 7)
      << err;
}

struct FlagCase {
  std::string binary;
  std::string args;
  int exit_code;
  std::string message;
};

TEST_F(TlsTest, StartupRefusesIncompleteOrContradictorySecurityFlags) {
  const std::string cert = " --tls-cert " + Pki("registry/cert.pem");
  const std::string key = " --tls-key " + Pki("registry/key.pem");
  const std::string ca = " --tls-client-ca " + Pki("ca.pem");
  const std::string listen = " --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0";
  const std::vector<FlagCase> cases = {
      {REGISTRYD_BINARY, "", 2, "give --tls-cert, --tls-key and --tls-client-ca"},
      {REGISTRYD_BINARY, cert, 2, "missing: --tls-key, --tls-client-ca"},
      {REGISTRYD_BINARY, cert + key, 2, "missing: --tls-client-ca"},
      {REGISTRYD_BINARY, " --insecure" + cert + key + ca, 2, "cannot be combined"},
      {REGISTRYD_BINARY, cert + key + ca + " --insecure-allow-remote", 2, "only meaningful"},
      {REGISTRYD_BINARY, cert + " --tls-key " + Pki("auditor/key.pem") + ca, 1,
       "does not match the certificate"},
      {REGISTRYD_BINARY,
       " --tls-cert " + Pki("expired/cert.pem") + " --tls-key " + Pki("expired/key.pem") + ca, 1,
       "has expired"},
      {REGISTRYD_BINARY, cert + key + " --tls-client-ca " + *dir_ + "/absent.pem", 1,
       "cannot read"},
      {GATEWAYD_BINARY, "", 2, "give --tls-cert, --tls-key and --tls-client-ca"},
      {GATEWAYD_BINARY, key + ca, 2, "missing: --tls-cert"},
      {GATEWAYD_BINARY, " --insecure --registry-ca " + Pki("ca.pem"), 2, "only meaningful"},
  };
  for (const auto& c : cases) {
    std::string err;
    const std::string data =
        c.binary == REGISTRYD_BINARY ? " --data-dir " + *dir_ + "/flags-data" : "";
    const int code = RunShell(c.binary + listen + data + c.args, *dir_ + "/flags.err", &err);
    EXPECT_EQ(code, c.exit_code) << c.binary << c.args << "\n" << err;
    EXPECT_THAT(err, HasSubstr(c.message)) << c.binary << c.args;
  }
}

}  // namespace
}  // namespace collectonce
