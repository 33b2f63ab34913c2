// The console under mutual TLS, end to end: the real registryd, reuse-gatewayd and console
// with certificates made at test time by deploy/pki/make-pki.sh. A staff member is the
// identity of the browser's client certificate (no choice at sign-in); the console calls the
// registry and the gateway with its own certificate for that staff member, and the registry
// records the staff member as the accessor; a browser without a certificate, or with one
// from another CA, is refused. Also the registry's enterprise name filter (ListRecords
// filter) over gRPC and through the console's find page.
#include <sys/wait.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "libs/rpc/errors.h"
#include "tests/daemon.h"
#include "tests/examples.h"

namespace collectonce {
namespace {

namespace v1 = ::collectonce::registry::v1;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const char kExamples[] = COLLECTONCE_SOURCE_DIR "/deploy/examples";
const char kMakePki[] = COLLECTONCE_SOURCE_DIR "/deploy/pki/make-pki.sh";
const char kSongId[] = "350403194503120012";
const char kRegistryctl[] = "spiffe://sanming.gov.cn/registryctl";
const char kHomeVisit[] = "bundles/elderly-home-property-transfer";
const char kInfoChange[] = "bundles/enterprise-info-change";
const char kWindowLabel[] = "市行政服务中心综合窗口（一件事、帮办代办、上门服务）";
// Three steel-structure companies and a textile mill of deploy/examples/demo.
const char* const kEnterprises[][2] = {
    {"91350400MAKTP9P469", "福建远峰钢结构股份有限公司"},
    {"9135042771369329XJ", "三明市沙县区辉禾钢结构有限公司"},
    {"91350424MATDN7H0D5", "宁化县正利钢结构有限公司"},
    {"91350424MANCET9EP5", "宁化县恒成纺织厂"},
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A browser: one client certificate (a directory of the PKI; empty: none) and the session
// cookie the console set.
class Browser {
 public:
  Browser(const std::string& url, const std::string& pki, const std::string& who) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(url, m, std::regex(R"(https://([0-9.]+):([0-9]+)/)"))) << url;
    const std::string host = m[1];
    const int port = std::stoi(m[2]);
    client_ = who.empty() ? std::make_unique<httplib::SSLClient>(host, port)
                          : std::make_unique<httplib::SSLClient>(
                                host, port, absl::StrCat(pki, "/", who, "/cert.pem"),
                                absl::StrCat(pki, "/", who, "/key.pem"));
    client_->set_ca_cert_path(absl::StrCat(pki, "/ca.pem"));
    client_->enable_server_certificate_verification(true);
    client_->set_connection_timeout(10);
    client_->set_read_timeout(20);
  }

  // "<status> <body>", or "error" when no answer came (the handshake failed).
  std::string Get(const std::string& path) { return Take(client_->Get(path.c_str(), Headers())); }
  std::string Post(const std::string& path, httplib::Params params) {
    params.emplace("csrf", csrf_);
    return Take(client_->Post(path.c_str(), Headers(), params));
  }
  const std::string& cookie() const { return cookie_; }
  void set_cookie(const std::string& c) { cookie_ = c; }
  const std::string& location() const { return location_; }

 private:
  httplib::Headers Headers() const {
    httplib::Headers h;
    if (!cookie_.empty()) h.emplace("Cookie", absl::StrCat("cs=", cookie_));
    return h;
  }
  std::string Take(const httplib::Result& r) {
    if (!r) return "error";
    std::smatch m;
    const std::string set = r->get_header_value("Set-Cookie");
    if (std::regex_search(set, m, std::regex("cs=([^;]+)"))) cookie_ = m[1];
    if (std::regex_search(r->body, m, std::regex(R"(name="csrf" value="([^"]+)\")"))) csrf_ = m[1];
    location_ = r->get_header_value("Location");
    return absl::StrCat(r->status, " ", r->body);
  }

  std::unique_ptr<httplib::SSLClient> client_;
  std::string cookie_, csrf_, location_;
};

class ConsoleTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A refused handshake closes the socket under the client's write.
    std::signal(SIGPIPE, SIG_IGN);
    char tmpl[] = "/tmp/collectonce-console-tls-XXXXXX";
    dir_ = new std::string(mkdtemp(tmpl));
    pki_ = new std::string(*dir_ + "/pki");
    testing::ShellResult made = testing::RunShell(absl::StrCat(
        kMakePki, " -o ", *pki_, " --other-ca && mkdir -p ", *dir_, "/keys && cd ", *dir_,
        "/keys && openssl rand -hex 32 >index.key && chmod 600 index.key && "
        "openssl genpkey -algorithm ed25519 -out audit-signing.pem"));
    ASSERT_EQ(made.exit_code, 0) << made.out;
    auto r = testing::Daemon::Start(
        REGISTRYD_BINARY,
        {"--no-sync", "--index-key-file", *dir_ + "/keys/index.key", "--audit-key-file",
         *dir_ + "/keys/audit-signing.pem", "--data-dir", *dir_ + "/data", "--bootstrap-governance",
         kRegistryctl, "--tls-cert", Pki("registry/cert.pem"), "--tls-key", Pki("registry/key.pem"),
         "--tls-client-ca", Pki("ca.pem")},
        *dir_ + "/registryd.log");
    ASSERT_TRUE(r.ok()) << r.status();
    registry_ = new testing::Daemon(*std::move(r));
    auto g = testing::Daemon::Start(
        GATEWAYD_BINARY,
        {"--registry", registry_->grpc_address(), "--tls-cert", Pki("reuse-gateway/cert.pem"),
         "--tls-key", Pki("reuse-gateway/key.pem"), "--tls-client-ca", Pki("ca.pem")},
        *dir_ + "/gateway.log");
    ASSERT_TRUE(g.ok()) << g.status();
    gateway_ = new testing::Daemon(*std::move(g));
    LoadData();
    auto c = testing::Daemon::StartConsole(
        CONSOLE_BINARY,
        {"--registry", registry_->grpc_address(), "--gateway", gateway_->grpc_address(),
         "--tls-cert", Pki("console/cert.pem"), "--tls-key", Pki("console/key.pem"),
         "--tls-client-ca", Pki("ca.pem")},
        *dir_ + "/console.log");
    ASSERT_TRUE(c.ok()) << c.status();
    console_ = new testing::Daemon(*std::move(c));
  }
  static void TearDownTestSuite() {
    delete console_;
    delete gateway_;
    delete registry_;
    std::filesystem::remove_all(*dir_);
    delete pki_;
    delete dir_;
  }

  static std::string Pki(const std::string& rel) { return absl::StrCat(*pki_, "/", rel); }

  static std::shared_ptr<grpc::Channel> Channel(const std::string& who) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ReadFile(Pki("ca.pem"));
    o.pem_cert_chain = ReadFile(Pki(who + "/cert.pem"));
    o.pem_private_key = ReadFile(Pki(who + "/key.pem"));
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(registry_->grpc_address(), grpc::SslCredentials(o), args);
  }
  static grpc::ClientContext* Ctx(grpc::ClientContext* ctx) {
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

  static void LoadData() {
    auto ch = Channel("registryctl");
    auto gov = v1::GovernanceService::NewStub(ch);
    absl::Status applied =
        testing::ApplyExamples(*gov, kExamples, [](grpc::ClientContext* ctx) { Ctx(ctx); });
    ASSERT_TRUE(applied.ok()) << applied;
    auto rec = v1::RecordService::NewStub(ch);
    v1::UpdateRecordRequest song;
    // clang-format off
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(absl::StrCat(R"tp(
      kind: PERSON provenance { source: "public-security.household" }
      values { key: "id_number" value { string_value: ")tp", kSongId, R"tp(" } }
      values { key: "name" value { string_value: "宋文富" } }
      values { key: "gender" value { code_value: "1" } }
      values { key: "birth_date" value { date_value { year: 1945 month: 3 day: 12 } } }
      values { key: "household_address" value { string_value: "三明市三元区富文新村12幢301室" } })tp"),
      &song));
    // clang-format on
    v1::UpdateRecordResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = rec->UpdateRecord(Ctx(&ctx), song, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    *song_name_ = resp.record().name();
    for (const auto& [uscc, name] : kEnterprises) {
      v1::UpdateRecordRequest e;
      e.set_name(absl::StrCat("enterprises/", uscc));
      e.mutable_provenance()->set_source("market-regulation");
      (*e.mutable_values())["name"].set_string_value(name);
      grpc::ClientContext ectx;
      s = rec->UpdateRecord(Ctx(&ectx), e, &resp);
      ASSERT_TRUE(s.ok()) << uscc << ": " << s.error_message();
    }
  }

  static grpc::Status ListByName(const std::string& who, const std::string& filter,
                                 const std::string& token, int page_size,
                                 v1::ListRecordsResponse* out) {
    auto stub = v1::RecordService::NewStub(Channel(who));
    v1::ListRecordsRequest q;
    q.set_parent("enterprises");
    q.set_filter(filter);
    q.set_page_size(page_size);
    q.set_page_token(token);
    q.mutable_options()->set_purpose(kInfoChange);
    q.mutable_options()->mutable_read_mask()->add_paths("name");
    grpc::ClientContext ctx;
    return stub->ListRecords(Ctx(&ctx), q, out);
  }

  static std::string* dir_;
  static std::string* pki_;
  static std::string* song_name_;
  static testing::Daemon* registry_;
  static testing::Daemon* gateway_;
  static testing::Daemon* console_;
};

std::string* ConsoleTlsTest::dir_ = nullptr;
std::string* ConsoleTlsTest::pki_ = nullptr;
std::string* ConsoleTlsTest::song_name_ = new std::string();
testing::Daemon* ConsoleTlsTest::registry_ = nullptr;
testing::Daemon* ConsoleTlsTest::gateway_ = nullptr;
testing::Daemon* ConsoleTlsTest::console_ = nullptr;

TEST_F(ConsoleTlsTest, TheCertificateIsTheStaffMemberAndTheRegistryRecordsThem) {
  Browser window(console_->url(), *pki_, "window");
  // No sign-in page: the first page already knows who is there.
  std::string page = window.Get("/login");
  EXPECT_THAT(page, StartsWith("303 ")) << page;
  page = window.Get("/find");
  ASSERT_THAT(page, StartsWith("200 ")) << page;
  EXPECT_THAT(page, HasSubstr(kWindowLabel));
  EXPECT_THAT(page, HasSubstr("身份由浏览器的客户端证书确认"));
  EXPECT_THAT(page, Not(HasSubstr("切换身份")));

  page = window.Post("/find", {{"id_number", kSongId},
                               {"matter", kHomeVisit},
                               {"case_id", "SM-2026-0417"},
                               {"subject", ""}});
  ASSERT_THAT(page, StartsWith("303 ")) << page;
  EXPECT_EQ(window.location(), absl::StrCat("/file?s=", *song_name_));
  page = window.Get(window.location());
  ASSERT_THAT(page, StartsWith("200 ")) << page;
  EXPECT_THAT(page, HasSubstr("宋文富"));
  EXPECT_THAT(page, HasSubstr("字段变更历史"));
  EXPECT_THAT(page, Not(HasSubstr(kSongId)));
  page = window.Get(absl::StrCat("/preview?s=", *song_name_, "&form=", kHomeVisit));
  ASSERT_THAT(page, StartsWith("200 ")) << page;
  EXPECT_THAT(page, HasSubstr("已预填"));

  // The registry names the staff member as the accessor, and the systems between.
  auto audit = v1::AuditService::NewStub(Channel("registryctl"));
  v1::ListAccessEventsRequest q;
  q.set_subject(*song_name_);
  q.set_page_size(100);
  v1::ListAccessEventsResponse events;
  grpc::ClientContext ctx;
  grpc::Status s = audit->ListAccessEvents(Ctx(&ctx), q, &events);
  ASSERT_TRUE(s.ok()) << s.error_message();
  bool direct = false, through_gateway = false;
  for (const auto& e : events.entries()) {
    EXPECT_NE(e.principal(), "principals/console") << "the console never reads for itself";
    if (e.principal() != "principals/service-center-window") continue;
    if (e.access().via() == "principals/console") direct = true;
    if (e.access().via() == "principals/console,principals/reuse-gateway") through_gateway = true;
  }
  EXPECT_TRUE(direct) << "the file page's GetRecord";
  EXPECT_TRUE(through_gateway) << "the preview's PrefillForm";
}

TEST_F(ConsoleTlsTest, AnotherCertificateIsAnotherSessionAndSignOutEndsTheSessionOnly) {
  Browser window(console_->url(), *pki_, "window");
  ASSERT_THAT(window.Get("/find"), StartsWith("200 "));
  const std::string window_cookie = window.cookie();
  ASSERT_FALSE(window_cookie.empty());
  // The real-estate system's certificate with the window's cookie gets its own session.
  Browser other(console_->url(), *pki_, "approval-real-estate");
  other.set_cookie(window_cookie);
  std::string page = other.Get("/find");
  ASSERT_THAT(page, StartsWith("200 ")) << page;
  EXPECT_THAT(page, HasSubstr("市不动产登记中心审批系统"));
  EXPECT_THAT(page, Not(HasSubstr(kWindowLabel)));
  EXPECT_NE(other.cookie(), window_cookie);
  // No principal can be chosen.
  EXPECT_THAT(window.Post("/login", {{"principal", kRegistryctl}}), StartsWith("404 "));

  page = window.Post("/logout", {});
  ASSERT_THAT(page, StartsWith("200 ")) << page;
  EXPECT_THAT(page, HasSubstr("已退出"));
  EXPECT_NE(window.cookie(), window_cookie);
  // The old session is gone; the certificate still opens a new one.
  Browser again(console_->url(), *pki_, "window");
  again.set_cookie(window_cookie);
  page = again.Get("/find");
  ASSERT_THAT(page, StartsWith("200 ")) << page;
  EXPECT_NE(again.cookie(), window_cookie);
  EXPECT_THAT(page, HasSubstr(kWindowLabel));
}

TEST_F(ConsoleTlsTest, NoCertificateOrAForeignOneIsRefused) {
  for (const char* who : {"", "other-ca"}) {
    Browser b(console_->url(), *pki_, who);
    EXPECT_EQ(b.Get("/find"), "error") << "with '" << who << "'";
  }
  // Plain HTTP at the HTTPS port gets no page.
  auto port = console_->url().substr(console_->url().rfind(':') + 1);
  port.pop_back();
  httplib::Client plain("127.0.0.1", std::stoi(port));
  plain.set_read_timeout(5);
  auto r = plain.Get("/find");
  EXPECT_TRUE(!r || r->status != 200);
}

TEST_F(ConsoleTlsTest, IncompleteOrContradictoryFlagsAreUsageErrors) {
  testing::ShellResult r = testing::RunShell(absl::StrCat(
      CONSOLE_BINARY, " --tls-cert ", Pki("console/cert.pem"), " --listen 127.0.0.1:0"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("--tls-key"));
  r = testing::RunShell(absl::StrCat(CONSOLE_BINARY, " --insecure --tls-cert ",
                                     Pki("console/cert.pem"), " --tls-key ", Pki("console/key.pem"),
                                     " --tls-client-ca ", Pki("ca.pem")));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  r = testing::RunShell(CONSOLE_BINARY);
  EXPECT_EQ(r.exit_code, 2) << r.out;
}

TEST_F(ConsoleTlsTest, TheRegistryFindsEnterprisesByName) {
  // Page by page, one match a page, until the token runs out.
  std::vector<std::string> names;
  std::string token;
  for (int i = 0; i < 10; ++i) {
    v1::ListRecordsResponse r;
    grpc::Status s = ListByName("window", R"(name : "钢结构")", token, 1, &r);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_LE(r.records_size(), 1);
    for (const auto& rec : r.records()) names.push_back(rec.fields(0).value().string_value());
    token = r.next_page_token();
    if (token.empty()) break;
  }
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("福建远峰钢结构股份有限公司",
                                                     "三明市沙县区辉禾钢结构有限公司",
                                                     "宁化县正利钢结构有限公司"));
  EXPECT_TRUE(token.empty());
  // The whole name, and a name nobody has.
  v1::ListRecordsResponse r;
  ASSERT_TRUE(ListByName("window", R"(name = "宁化县恒成纺织厂")", "", 50, &r).ok());
  ASSERT_EQ(r.records_size(), 1);
  EXPECT_EQ(r.records(0).name(), "enterprises/91350424MANCET9EP5");
  ASSERT_TRUE(ListByName("window", R"(name = "宁化县")", "", 50, &r).ok());
  EXPECT_EQ(r.records_size(), 0);
  EXPECT_TRUE(r.next_page_token().empty());
  // A bad filter: INVALID_ARGUMENT, reason INVALID_FILTER, a violation of `filter`.
  grpc::Status s = ListByName("window", R"(legal_representative_name = "吴秀英")", "", 50, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  rpc::RpcError e = rpc::FromGrpc(s);
  EXPECT_EQ(e.reason, "INVALID_FILTER");
  ASSERT_EQ(e.violations.size(), 1u);
  EXPECT_EQ(e.violations[0].field, "filter");
  // A token of another filter is refused.
  ASSERT_TRUE(ListByName("window", R"(name : "钢结构")", "", 1, &r).ok());
  ASSERT_FALSE(r.next_page_token().empty());
  s = ListByName("window", R"(name : "纺织")", r.next_page_token(), 1, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  // Without a filter, listing stays with data governance; a purpose that does not release
  // the name refuses the filter.
  auto stub = v1::RecordService::NewStub(Channel("window"));
  v1::ListRecordsRequest all;
  all.set_parent("enterprises");
  all.mutable_options()->set_purpose(kInfoChange);
  grpc::ClientContext ctx;
  s = stub->ListRecords(Ctx(&ctx), all, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(rpc::FromGrpc(s).reason, "ROLE_MAY_NOT_LIST");
  s = ListByName("approval-real-estate", R"(name : "钢结构")", "", 50, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
}

TEST_F(ConsoleTlsTest, TheConsoleFindsEnterprisesByName) {
  Browser window(console_->url(), *pki_, "window");
  ASSERT_THAT(window.Get("/find"), StartsWith("200 "));
  std::string page = window.Post(
      "/find", {{"enterprise_name", "钢结构"}, {"matter", kInfoChange}, {"case_id", "QY-1"}});
  ASSERT_THAT(page, StartsWith("200 ")) << page;
  for (const char* uscc : {"91350400MAKTP9P469", "9135042771369329XJ", "91350424MATDN7H0D5"}) {
    EXPECT_THAT(page, HasSubstr(absl::StrCat("href=\"/file?s=enterprises/", uscc, "\"")));
  }
  EXPECT_THAT(page, Not(HasSubstr("宁化县恒成纺织厂")));
  page = window.Post(
      "/find", {{"enterprise_name", "不存在的企业"}, {"matter", kInfoChange}, {"case_id", ""}});
  ASSERT_THAT(page, StartsWith("200 ")) << page;
  EXPECT_THAT(page, HasSubstr("没有找到名称包含"));
  // Too short, and two ways at once: a Chinese message, nothing looked up.
  page = window.Post("/find", {{"enterprise_name", "钢"}, {"matter", kInfoChange}});
  EXPECT_THAT(page, StartsWith("400 "));
  EXPECT_THAT(page, HasSubstr("至少输入两个字"));
  page = window.Post(
      "/find", {{"enterprise_name", "钢结构"}, {"id_number", kSongId}, {"matter", kInfoChange}});
  EXPECT_THAT(page, StartsWith("400 "));
  EXPECT_THAT(page, HasSubstr("中的一项"));
  // A file found by name opens.
  page = window.Get("/file?s=enterprises/91350400MAKTP9P469");
  ASSERT_THAT(page, StartsWith("200 ")) << page;
  EXPECT_THAT(page, HasSubstr("福建远峰钢结构股份有限公司"));
}

}  // namespace
}  // namespace collectonce
