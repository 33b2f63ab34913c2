// GovernanceService: the catalog, matters, bundles and principals. Reading the catalog and
// matters is open to every registered principal (approval systems and gateways need them);
// principals are visible to governance and auditors; only governance applies changes.
#ifndef COLLECTONCE_SERVICES_REGISTRY_GOVERNANCE_SERVICE_H_
#define COLLECTONCE_SERVICES_REGISTRY_GOVERNANCE_SERVICE_H_

#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "services/registry/registry_context.h"

namespace collectonce::registry {

class GovernanceServiceImpl final : public v1::GovernanceService::CallbackService {
 public:
  explicit GovernanceServiceImpl(RegistryContext* ctx) : ctx_(ctx) {}

  grpc::ServerUnaryReactor* GetCatalog(grpc::CallbackServerContext*, const v1::GetCatalogRequest*,
                                       v1::Catalog*) override;
  grpc::ServerUnaryReactor* ApplyCatalog(grpc::CallbackServerContext*,
                                         const v1::ApplyCatalogRequest*,
                                         v1::ApplyCatalogResponse*) override;
  grpc::ServerUnaryReactor* ListMatters(grpc::CallbackServerContext*, const v1::ListMattersRequest*,
                                        v1::ListMattersResponse*) override;
  grpc::ServerUnaryReactor* GetMatter(grpc::CallbackServerContext*, const v1::GetMatterRequest*,
                                      v1::Matter*) override;
  grpc::ServerUnaryReactor* ApplyMatter(grpc::CallbackServerContext*, const v1::ApplyMatterRequest*,
                                        v1::Matter*) override;
  grpc::ServerUnaryReactor* ListBundles(grpc::CallbackServerContext*, const v1::ListBundlesRequest*,
                                        v1::ListBundlesResponse*) override;
  grpc::ServerUnaryReactor* GetBundle(grpc::CallbackServerContext*, const v1::GetBundleRequest*,
                                      v1::Bundle*) override;
  grpc::ServerUnaryReactor* ApplyBundle(grpc::CallbackServerContext*, const v1::ApplyBundleRequest*,
                                        v1::Bundle*) override;
  grpc::ServerUnaryReactor* ListPrincipals(grpc::CallbackServerContext*,
                                           const v1::ListPrincipalsRequest*,
                                           v1::ListPrincipalsResponse*) override;
  grpc::ServerUnaryReactor* GetPrincipal(grpc::CallbackServerContext*,
                                         const v1::GetPrincipalRequest*, v1::Principal*) override;
  grpc::ServerUnaryReactor* ApplyPrincipal(grpc::CallbackServerContext*,
                                           const v1::ApplyPrincipalRequest*,
                                           v1::Principal*) override;
  grpc::ServerUnaryReactor* CreateBackup(grpc::CallbackServerContext*,
                                         const v1::CreateBackupRequest*,
                                         v1::CreateBackupResponse*) override;

 private:
  RegistryContext* ctx_;
};

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_GOVERNANCE_SERVICE_H_
