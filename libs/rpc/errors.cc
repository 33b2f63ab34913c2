#include "libs/rpc/errors.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/base/error_reason.h"
#include "libs/rpc/admission.h"
#include "libs/rpc/log.h"

namespace collectonce::rpc {

std::string DefaultReason(absl::StatusCode code) {
  return absl::AsciiStrToUpper(absl::StatusCodeToString(code));
}

grpc::Status ToGrpc(const absl::Status& status, const catalog::Violations& violations,
                    absl::string_view domain) {
  if (status.ok()) return grpc::Status::OK;
  std::string reason = ReasonOf(status);
  if (reason.empty()) {
    reason = !violations.empty() && status.code() == absl::StatusCode::kInvalidArgument
                 ? "INVALID_VALUES"
                 : DefaultReason(status.code());
  }
  // Nothing that looks like an ID number or a mobile number leaves in an error, whatever a
  // caller put where: a message, a violation's field path or its description (an ID number
  // given as a read-mask path comes back as `options.read_mask.350*************12`).
  const std::string message = MaskDigitRuns(status.message());
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(status.code()));
  rich.set_message(message);
  google::rpc::ErrorInfo info;
  info.set_reason(reason);
  info.set_domain(std::string(domain));
  status.ForEachPayload([&info](absl::string_view url, const absl::Cord& value) {
    if (absl::StartsWith(url, kMetadataPayloadPrefix)) {
      url.remove_prefix(sizeof(kMetadataPayloadPrefix) - 1);
      (*info.mutable_metadata())[std::string(url)] = MaskDigitRuns(std::string(value));
    }
  });
  rich.add_details()->PackFrom(info);
  if (!violations.empty()) {
    google::rpc::BadRequest bad;
    for (const auto& v : violations) {
      auto* fv = bad.add_field_violations();
      fv->set_field(MaskDigitRuns(v.field));
      fv->set_description(MaskDigitRuns(absl::StrCat(v.rule, ": ", v.message)));
    }
    rich.add_details()->PackFrom(bad);
  }
  if (auto retry_bytes = status.GetPayload(kRetryInfoUrl)) {
    google::rpc::RetryInfo retry;
    if (retry.ParseFromString(std::string(*retry_bytes))) rich.add_details()->PackFrom(retry);
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), message,
                      rich.SerializeAsString());
}

RpcError FromGrpc(const grpc::Status& status) {
  RpcError e;
  e.status =
      absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  google::rpc::Status rich;
  if (status.error_details().empty() || !rich.ParseFromString(status.error_details())) return e;
  for (const auto& any : rich.details()) {
    google::rpc::ErrorInfo info;
    google::rpc::BadRequest bad;
    google::rpc::RetryInfo retry;
    if (any.UnpackTo(&retry)) {
      e.retry_delay_ms =
          retry.retry_delay().seconds() * 1000 + retry.retry_delay().nanos() / 1000000;
    } else if (any.UnpackTo(&info)) {
      e.reason = info.reason();
      e.metadata.insert(info.metadata().begin(), info.metadata().end());
    } else if (any.UnpackTo(&bad)) {
      for (const auto& fv : bad.field_violations()) {
        std::string rule, message = fv.description();
        if (auto pos = message.find(": "); pos != std::string::npos) {
          rule = message.substr(0, pos);
          message = message.substr(pos + 2);
        }
        e.violations.push_back({fv.field(), rule, message});
      }
    }
  }
  if (!e.reason.empty()) e.status = WithReason(e.status, e.reason);
  for (const auto& [key, value] : e.metadata) e.status = WithMetadata(e.status, key, value);
  return e;
}

}  // namespace collectonce::rpc
