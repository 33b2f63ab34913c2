// The shipped governance examples (deploy/examples), applied over gRPC as data-governance
// staff would, for end-to-end tests that need a registry with catalogs, matters, bundles
// and principals.
#ifndef COLLECTONCE_TESTS_EXAMPLES_H_
#define COLLECTONCE_TESTS_EXAMPLES_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "collectonce/registry/v1/evidence.grpc.pb.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"

namespace collectonce::testing {

// Applies the enterprise and person catalogs, then every file of matters/, bundles/ and
// principals/ below `examples_dir`, in name order. `prepare` readies each call's context
// (caller, deadline). The first failure is returned, naming its file.
absl::Status ApplyExamples(registry::v1::GovernanceService::Stub& governance,
                           const std::string& examples_dir,
                           const std::function<void(grpc::ClientContext*)>& prepare);

// Applies every file of evidence-types/ below `examples_dir`, in name order (after
// ApplyExamples: evidence types name matters and principals).
absl::Status ApplyEvidenceTypeExamples(registry::v1::EvidenceService::Stub& evidence,
                                       const std::string& examples_dir,
                                       const std::function<void(grpc::ClientContext*)>& prepare);

}  // namespace collectonce::testing

#endif  // COLLECTONCE_TESTS_EXAMPLES_H_
