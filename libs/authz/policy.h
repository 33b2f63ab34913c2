// Who may read or write which fields, for which purpose. Built from the principals and
// matters stored in the registry; immutable once built, so readers share one snapshot and a
// governance change swaps in a new one.
#ifndef COLLECTONCE_LIBS_AUTHZ_POLICY_H_
#define COLLECTONCE_LIBS_AUTHZ_POLICY_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "collectonce/registry/v1/governance.pb.h"
#include "libs/catalog/catalog.h"

namespace collectonce::authz {

namespace v1 = ::collectonce::registry::v1;

// How a field may be released to a caller.
enum class Release { kDenied = 0, kMasked = 1, kClear = 2 };

// Catalog field name -> release; fields not present are denied.
using FieldReleases = absl::flat_hash_map<std::string, Release>;

struct WriteAuthority {
  // The catalog source the change set is recorded under.
  std::string source;
  // The matter, when the write serves one.
  std::string matter;
  // Fields whose values another source vouches for (a bundle whose matters belong to
  // several departments): field -> that matter's source.
  std::vector<std::pair<std::string, std::string>> field_sources;
};

class Policy {
 public:
  // `bootstrap_governance` (may be empty) names an identity that always has the governance
  // and auditor roles, so that a new registry can be set up before any principal exists.
  static std::shared_ptr<const Policy> Build(const std::vector<v1::Principal>& principals,
                                             const std::vector<v1::Matter>& matters,
                                             const std::vector<v1::Bundle>& bundles,
                                             const std::string& bootstrap_governance);

  // The principal with this authenticated identity, or nullptr.
  const v1::Principal* FindIdentity(absl::string_view identity) const;
  const v1::Matter* FindMatter(absl::string_view name) const;
  const v1::Bundle* FindBundle(absl::string_view name) const;
  static bool HasRole(const v1::Principal& principal, v1::Role role);

  // What `principal` may see of a subject of `kind` for `purpose`: a matter, or a bundle
  // (the union over the bundle's matters the principal is granted, directly or through a
  // grant naming the bundle).
  // INVALID_ARGUMENT: no purpose or an unknown matter. PERMISSION_DENIED (with an ErrorInfo
  // reason): the role may not read records, no grant for the matter, or the matter is not
  // about this kind of subject. Decided without looking at any record.
  [[nodiscard]] absl::StatusOr<FieldReleases> AuthorizeRead(const v1::Principal& principal,
                                                            absl::string_view purpose,
                                                            v1::SubjectKind kind,
                                                            const catalog::Catalog& catalog) const;

  // Whether `principal` may write `fields` of a subject of `kind`, with `matter` (may be
  // empty) and the caller's declared `source`. Governance writes any field under the source
  // it declares; an approval system writes only the write-back fields of a matter (or the
  // matters of a bundle) it is granted, under the source of the matter that collects them
  // (else its own source).
  [[nodiscard]] absl::StatusOr<WriteAuthority> AuthorizeWrite(
      const v1::Principal& principal, absl::string_view matter, absl::string_view source,
      v1::SubjectKind kind, absl::Span<const absl::string_view> fields) const;

  // Roles that may list a record's revisions (values masked unless a purpose allows more).
  static bool MayReadHistory(const v1::Principal& principal);

 private:
  Policy() = default;
  absl::flat_hash_map<std::string, v1::Principal> by_identity_;
  // The grant that lets `principal` use `matter` within `purpose` (the matter itself or a
  // bundle containing it), or nullptr.
  const v1::Grant* GrantFor(const v1::Principal& principal, absl::string_view purpose,
                            absl::string_view matter) const;
  // The matters a purpose stands for; empty if it is neither a matter nor a bundle.
  std::vector<const v1::Matter*> MattersOf(absl::string_view purpose) const;

  absl::flat_hash_map<std::string, v1::Matter> matters_;
  absl::flat_hash_map<std::string, v1::Bundle> bundles_;
};

}  // namespace collectonce::authz

#endif  // COLLECTONCE_LIBS_AUTHZ_POLICY_H_
