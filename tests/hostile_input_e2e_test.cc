// Requests sent as raw bytes to the real daemons: every method of every service, the
// gateway's included. A string field whose bytes are not UTF-8 gets INVALID_ARGUMENT with
// reason INVALID_VALUES and an ENCODING violation naming the field; bytes that do not parse
// at all get MALFORMED_REQUEST; nothing is written either way.
#include <sys/wait.h>

#include <filesystem>
#include <regex>

#include "absl/strings/str_cat.h"
#include "collectonce/gateway/v1/gateway.grpc.pb.h"
#include "collectonce/registry/v1/dispute.grpc.pb.h"
#include "collectonce/registry/v1/evidence.grpc.pb.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "grpcpp/impl/codegen/sync_stream.h"
#include "gtest/gtest.h"
#include "libs/rpc/errors.h"
#include "tests/daemon.h"

namespace collectonce {
namespace {

namespace pb = ::google::protobuf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kNotUtf8[] = "\xff\xfe\xc3";

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

std::string LengthDelimited(int field_number, const std::string& bytes) {
  return absl::StrCat(Varint((static_cast<uint64_t>(field_number) << 3) | 2), Varint(bytes.size()),
                      bytes);
}

// The bytes of a `type` message whose first string field, depth first, holds kNotUtf8, and
// that field's path as the guard names it (a map by its field's name). False when no string
// field is reachable.
bool WithBadString(const pb::Descriptor* type, std::string* bytes, std::string* path,
                   int depth = 0) {
  if (depth > 4) return false;
  for (int i = 0; i < type->field_count(); ++i) {
    const pb::FieldDescriptor* f = type->field(i);
    if (f->type() == pb::FieldDescriptor::TYPE_STRING) {
      *bytes = LengthDelimited(f->number(), kNotUtf8);
      *path = f->name();
      return true;
    }
  }
  for (int i = 0; i < type->field_count(); ++i) {
    const pb::FieldDescriptor* f = type->field(i);
    if (f->type() != pb::FieldDescriptor::TYPE_MESSAGE) continue;
    std::string inner, inner_path;
    if (!WithBadString(f->message_type(), &inner, &inner_path, depth + 1)) continue;
    *bytes = LengthDelimited(f->number(), inner);
    const bool map_key = f->is_map() && inner_path == "key";
    *path = map_key ? f->name() : absl::StrCat(f->name(), ".", inner_path);
    return true;
  }
  return false;
}

grpc::Status CallRaw(grpc::Channel* channel, const pb::MethodDescriptor* m,
                     const std::string& bytes, const std::string& principal) {
  const std::string name = absl::StrCat("/", m->service()->full_name(), "/", m->name());
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-principal", principal);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  if (m->server_streaming()) {
    grpc::internal::RpcMethod method(name.c_str(), grpc::internal::RpcMethod::SERVER_STREAMING);
    std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(
        grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(channel, method, &ctx,
                                                                      request));
    grpc::ByteBuffer ignored;
    while (reader->Read(&ignored)) {
    }
    return reader->Finish();
  }
  grpc::internal::RpcMethod method(name.c_str(), grpc::internal::RpcMethod::NORMAL_RPC);
  grpc::ByteBuffer response;
  return grpc::internal::BlockingUnaryCall(channel, method, &ctx, request, &response);
}

// The value of an unlabelled series on /metrics.
std::string Series(const testing::Daemon& d, const std::string& name) {
  auto m = testing::HttpGet(d.admin_address(), "/metrics");
  if (!m.ok()) return "?";
  std::smatch match;
  std::regex re(absl::StrCat("\n", name, " ([0-9.e+]+)\n"));
  return std::regex_search(*m, match, re) ? match[1].str() : "?";
}

class HostileInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/collectonce-hostile-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Every method of `services`: not UTF-8 in a string field, then bytes that do not parse.
  void ExpectEveryMethodRefuses(grpc::Channel* channel, const std::vector<std::string>& services,
                                const std::string& domain, int* methods_checked) {
    for (const std::string& service : services) {
      const pb::ServiceDescriptor* s =
          pb::DescriptorPool::generated_pool()->FindServiceByName(service);
      ASSERT_NE(s, nullptr) << service;
      for (int i = 0; i < s->method_count(); ++i) {
        const pb::MethodDescriptor* m = s->method(i);
        SCOPED_TRACE(m->full_name());
        std::string bytes, path;
        if (WithBadString(m->input_type(), &bytes, &path)) {
          grpc::Status st = CallRaw(channel, m, bytes, "registryctl");
          EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
          rpc::RpcError e = rpc::FromGrpc(st);
          EXPECT_EQ(e.reason, "INVALID_VALUES");
          ASSERT_EQ(e.violations.size(), 1u) << st.error_message();
          EXPECT_EQ(e.violations[0].field, path);
          EXPECT_EQ(e.violations[0].rule, "ENCODING");
          google::rpc::Status rich;
          ASSERT_TRUE(rich.ParseFromString(st.error_details()));
          EXPECT_THAT(rich.DebugString(), HasSubstr(domain));
        }
        // A varint field with its value cut off.
        grpc::Status cut = CallRaw(channel, m, "\x08", "registryctl");
        EXPECT_EQ(cut.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << cut.error_message();
        EXPECT_EQ(rpc::FromGrpc(cut).reason, "MALFORMED_REQUEST");
        ++*methods_checked;
      }
    }
  }
  std::string dir_;
};

TEST_F(HostileInputTest, EveryRegistryAndGatewayMethodRefusesBytesThatAreNotUtf8) {
  // Links the generated files in, so that their services are in the generated pool.
  (void)registry::v1::GetRecordRequest::descriptor();
  (void)registry::v1::IssueEvidenceRequest::descriptor();
  (void)registry::v1::OpenDisputeRequest::descriptor();
  (void)gateway::v1::PrefillFormRequest::descriptor();
  auto registry = testing::Daemon::Start(
      REGISTRYD_BINARY,
      {"--insecure", "--data-dir", dir_ + "/data", "--bootstrap-governance", "registryctl"},
      dir_ + "/registryd.log");
  ASSERT_TRUE(registry.ok()) << registry.status();
  auto gateway = testing::Daemon::Start(GATEWAYD_BINARY,
                                        {"--insecure", "--registry", registry->grpc_address()},
                                        dir_ + "/gateway.log");
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  const std::string sequence = Series(*registry, "collectonce_store_commit_sequence");
  const std::string audit_size = Series(*registry, "collectonce_audit_log_size");

  auto reg = grpc::CreateChannel(registry->grpc_address(), grpc::InsecureChannelCredentials());
  int checked = 0;
  ExpectEveryMethodRefuses(
      reg.get(),
      {"collectonce.registry.v1.RecordService", "collectonce.registry.v1.GovernanceService",
       "collectonce.registry.v1.ReuseLedger", "collectonce.registry.v1.AuditService",
       "collectonce.registry.v1.EvidenceService", "collectonce.registry.v1.DisputeService"},
      "registry.collectonce", &checked);
  auto gw = grpc::CreateChannel(gateway->grpc_address(), grpc::InsecureChannelCredentials());
  ExpectEveryMethodRefuses(gw.get(), {"collectonce.gateway.v1.ReuseGateway"}, "gateway.collectonce",
                           &checked);
  EXPECT_GE(checked, 32);

  // The cases of the report: a value, a reason, a key of the values map, one level down.
  const pb::MethodDescriptor* update = pb::DescriptorPool::generated_pool()->FindMethodByName(
      "collectonce.registry.v1.RecordService.UpdateRecord");
  ASSERT_NE(update, nullptr);
  const std::string name = LengthDelimited(1, "enterprises/91350400MA2YQ8KX1E");
  const std::string value_entry =
      LengthDelimited(1, "name") + LengthDelimited(2, LengthDelimited(1, kNotUtf8));
  const std::string key_entry =
      LengthDelimited(1, kNotUtf8) + LengthDelimited(2, LengthDelimited(1, "x"));
  const int values = update->input_type()->FindFieldByName("values")->number();
  const int reason = update->input_type()->FindFieldByName("reason")->number();
  const int provenance = update->input_type()->FindFieldByName("provenance")->number();
  const int source = update->input_type()
                         ->FindFieldByName("provenance")
                         ->message_type()
                         ->FindFieldByName("source")
                         ->number();
  const struct {
    std::string bytes, path;
  } cases[] = {
      {name + LengthDelimited(values, value_entry), "values.string_value"},
      {name + LengthDelimited(reason, kNotUtf8), "reason"},
      {name + LengthDelimited(values, key_entry), "values"},
      {name + LengthDelimited(provenance, LengthDelimited(source, kNotUtf8)), "provenance.source"},
  };
  for (const auto& c : cases) {
    grpc::Status st = CallRaw(reg.get(), update, c.bytes, "registryctl");
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.path;
    rpc::RpcError e = rpc::FromGrpc(st);
    EXPECT_EQ(e.reason, "INVALID_VALUES") << c.path;
    ASSERT_EQ(e.violations.size(), 1u) << c.path;
    EXPECT_EQ(e.violations[0].field, c.path);
  }

  // Nothing was written, and every refusal is in the access log with its reason.
  EXPECT_EQ(Series(*registry, "collectonce_store_commit_sequence"), sequence);
  EXPECT_EQ(Series(*registry, "collectonce_audit_log_size"), audit_size);
  EXPECT_THAT(registry->Log(), HasSubstr("\"reason\":\"INVALID_VALUES\""));
  EXPECT_THAT(registry->Log(), HasSubstr("\"reason\":\"MALFORMED_REQUEST\""));
  // protobuf's own complaint does not reach stderr as a line of its own.
  EXPECT_THAT(registry->Log(), Not(HasSubstr("[libprotobuf")));
  for (auto* d : {&*gateway, &*registry}) {
    auto st = d->Stop(SIGTERM);
    ASSERT_TRUE(st.ok()) << st.status();
    EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0);
  }
}

}  // namespace
}  // namespace collectonce
