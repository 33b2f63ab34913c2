#include "libs/rpc/parse_guard.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/stubs/logging.h"
#include "libs/base/error_reason.h"
#include "libs/rpc/errors.h"

namespace collectonce::rpc {

namespace {

namespace pb = ::google::protobuf;
using Hook = grpc::experimental::InterceptionHookPoints;

// The field a failed UTF-8 check named on this thread since the guard last looked. gRPC
// parses a request and runs the call's interceptors on the same thread, one after the
// other, so the guard reads what the parse of its own request left here.
thread_local std::string t_utf8_field;

const Logger* g_protobuf_log = nullptr;
bool g_handler_installed = false;

void ProtobufLog(pb::LogLevel level, const char* filename, int line, const std::string& message) {
  // protobuf: "String field 'pkg.Message.field' contains invalid UTF-8 data when parsing a
  // protocol buffer. ..."
  constexpr absl::string_view kPrefix = "String field '";
  constexpr absl::string_view kParsing = "' contains invalid UTF-8 data when parsing";
  if (absl::string_view(message).substr(0, kPrefix.size()) == kPrefix) {
    const size_t end = absl::string_view(message).find(kParsing);
    if (end != std::string::npos) {
      t_utf8_field = message.substr(kPrefix.size(), end - kPrefix.size());
      return;  // the call's own status and access-log line say it
    }
  }
  if (g_protobuf_log == nullptr) {
    fprintf(stderr, "[libprotobuf %d %s:%d] %s\n", static_cast<int>(level), filename, line,
            message.c_str());
    return;
  }
  const LogLevel ours = level == pb::LOGLEVEL_INFO      ? LogLevel::kInfo
                        : level == pb::LOGLEVEL_WARNING ? LogLevel::kWarning
                                                        : LogLevel::kError;
  g_protobuf_log->Log(ours, absl::StrCat("protobuf: ", message),
                      {{"file", filename}, {"line", line}});
}

// Every path from `from` to a field of message `to`, as fields, at most two (one is the
// answer; two make it ambiguous). A type already on the path is not entered again.
void FindPaths(const pb::Descriptor* from, const pb::Descriptor* to,
               std::vector<const pb::FieldDescriptor*>* path,
               std::vector<const pb::Descriptor*>* seen,
               std::vector<std::vector<const pb::FieldDescriptor*>>* found) {
  if (found->size() > 1) return;
  if (from == to) {
    found->push_back(*path);
    return;
  }
  for (const pb::Descriptor* s : *seen) {
    if (s == from) return;
  }
  seen->push_back(from);
  for (int i = 0; i < from->field_count(); ++i) {
    const pb::FieldDescriptor* f = from->field(i);
    if (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    path->push_back(f);
    FindPaths(f->message_type(), to, path, seen, found);
    path->pop_back();
  }
  seen->pop_back();
}

class ParseGuard : public grpc::experimental::Interceptor {
 public:
  ParseGuard(const std::string* domain, grpc::experimental::ServerRpcInfo* info)
      : domain_(domain), method_(info->method()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(Hook::POST_RECV_MESSAGE)) {
      std::string field;
      field.swap(t_utf8_field);
      if (methods->GetRecvMessage() == nullptr) {
        failed_ = true;
        utf8_field_ = std::move(field);
      }
    }
    if (failed_ && methods->QueryInterceptionHookPoint(Hook::PRE_SEND_STATUS)) {
      methods->ModifySendStatus(Refusal());
    }
    methods->Proceed();
  }

 private:
  grpc::Status Refusal() const {
    // "/pkg.Service/Method" -> "pkg.Service.Method".
    std::string full = method_.substr(method_.empty() ? 0 : 1);
    if (auto slash = full.find('/'); slash != std::string::npos) full[slash] = '.';
    const pb::MethodDescriptor* m = pb::DescriptorPool::generated_pool()->FindMethodByName(full);
    const std::string type = m != nullptr ? m->input_type()->full_name() : "request";
    const std::string path = m != nullptr && !utf8_field_.empty()
                                 ? internal::FieldPath(m->input_type(), utf8_field_)
                                 : "";
    if (path.empty()) {
      return ToGrpc(WithReason(absl::InvalidArgumentError(absl::StrCat(
                                   "the request is not a valid ", type,
                                   ": its bytes do not parse (a string field that is not "
                                   "UTF-8, or a malformed message)")),
                               "MALFORMED_REQUEST"),
                    {}, *domain_);
    }
    return ToGrpc(
        WithReason(absl::InvalidArgumentError(
                       absl::StrCat(path,
                                    " holds bytes that are not UTF-8; text is sent as "
                                    "UTF-8 (nothing was read or written)")),
                   "INVALID_VALUES"),
        {{path, "ENCODING", absl::StrCat("is not UTF-8 (", utf8_field_, "); send text as UTF-8")}},
        *domain_);
  }

  const std::string* domain_;
  const std::string method_;
  bool failed_ = false;
  std::string utf8_field_;
};

class Factory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(std::string domain) : domain_(std::move(domain)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new ParseGuard(&domain_, info);
  }

 private:
  const std::string domain_;
};

}  // namespace

namespace internal {

std::string FieldPath(const pb::Descriptor* request, absl::string_view field_full_name) {
  const pb::FieldDescriptor* field =
      pb::DescriptorPool::generated_pool()->FindFieldByName(std::string(field_full_name));
  if (request == nullptr || field == nullptr) return "";
  std::vector<const pb::FieldDescriptor*> path;
  std::vector<const pb::Descriptor*> seen;
  std::vector<std::vector<const pb::FieldDescriptor*>> found;
  FindPaths(request, field->containing_type(), &path, &seen, &found);
  if (found.empty()) return "";
  if (found.size() > 1) {
    // Reachable along several paths: the message and field as protobuf names them.
    return absl::StrCat(field->containing_type()->name(), ".", field->name());
  }
  found[0].push_back(field);
  // A map is written by its field's name: its key is that name, its value continues below
  // it (`values.string_value`).
  std::vector<std::string> names;
  for (size_t i = 0; i < found[0].size(); ++i) {
    const pb::FieldDescriptor* f = found[0][i];
    if (f->containing_type()->options().map_entry()) continue;
    names.push_back(f->name());
  }
  return absl::StrJoin(names, ".");
}

}  // namespace internal

void InstallProtobufLogHandler(const Logger* log) {
  g_protobuf_log = log;
  g_handler_installed = true;
  pb::SetLogHandler(&ProtobufLog);
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> ParseGuardFactory(
    std::string domain) {
  if (!g_handler_installed) InstallProtobufLogHandler(nullptr);
  return std::make_unique<Factory>(std::move(domain));
}

}  // namespace collectonce::rpc
