#include "tests/examples.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"

namespace collectonce::testing {
namespace {

namespace v1 = ::collectonce::registry::v1;

std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

absl::Status ReadText(const std::string& path, google::protobuf::Message* m) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!google::protobuf::TextFormat::ParseFromString(ss.str(), m)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a valid text proto"));
  }
  return absl::OkStatus();
}

// Reads `path` into the request's message and makes the call.
template <typename Request, typename Response, typename Select, typename Call>
absl::Status Apply(const std::string& path, Select message,
                   const std::function<void(grpc::ClientContext*)>& prepare, Call call) {
  Request req;
  absl::Status read = ReadText(path, message(&req));
  if (!read.ok()) return read;
  Response resp;
  grpc::ClientContext ctx;
  prepare(&ctx);
  grpc::Status s = call(&ctx, req, &resp);
  if (!s.ok()) return absl::InternalError(absl::StrCat(path, ": ", s.error_message()));
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyExamples(v1::GovernanceService::Stub& gov, const std::string& examples_dir,
                           const std::function<void(grpc::ClientContext*)>& prepare) {
  auto with = [&gov](auto method) {
    return [&gov, method](auto* ctx, const auto& req, auto* resp) {
      return (gov.*method)(ctx, req, resp);
    };
  };
  for (const char* kind : {"enterprise", "person"}) {
    absl::Status s = Apply<v1::ApplyCatalogRequest, v1::ApplyCatalogResponse>(
        absl::StrCat(examples_dir, "/catalog/", kind, ".txtpb"),
        [](v1::ApplyCatalogRequest* r) -> google::protobuf::Message* {
          return r->mutable_catalog();
        },
        prepare, with(&v1::GovernanceService::Stub::ApplyCatalog));
    if (!s.ok()) return s;
  }
  for (const auto& f : Files(examples_dir + "/matters")) {
    absl::Status s = Apply<v1::ApplyMatterRequest, v1::Matter>(
        f,
        [](v1::ApplyMatterRequest* r) -> google::protobuf::Message* { return r->mutable_matter(); },
        prepare, with(&v1::GovernanceService::Stub::ApplyMatter));
    if (!s.ok()) return s;
  }
  for (const auto& f : Files(examples_dir + "/bundles")) {
    absl::Status s = Apply<v1::ApplyBundleRequest, v1::Bundle>(
        f,
        [](v1::ApplyBundleRequest* r) -> google::protobuf::Message* { return r->mutable_bundle(); },
        prepare, with(&v1::GovernanceService::Stub::ApplyBundle));
    if (!s.ok()) return s;
  }
  for (const auto& f : Files(examples_dir + "/principals")) {
    absl::Status s = Apply<v1::ApplyPrincipalRequest, v1::Principal>(
        f,
        [](v1::ApplyPrincipalRequest* r) -> google::protobuf::Message* {
          return r->mutable_principal();
        },
        prepare, with(&v1::GovernanceService::Stub::ApplyPrincipal));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ApplyEvidenceTypeExamples(v1::EvidenceService::Stub& evidence,
                                       const std::string& examples_dir,
                                       const std::function<void(grpc::ClientContext*)>& prepare) {
  for (const auto& f : Files(examples_dir + "/evidence-types")) {
    absl::Status s = Apply<v1::ApplyEvidenceTypeRequest, v1::EvidenceType>(
        f,
        [](v1::ApplyEvidenceTypeRequest* r) -> google::protobuf::Message* {
          return r->mutable_evidence_type();
        },
        prepare,
        [&evidence](auto* ctx, const auto& req, auto* resp) {
          return evidence.ApplyEvidenceType(ctx, req, resp);
        });
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace collectonce::testing
