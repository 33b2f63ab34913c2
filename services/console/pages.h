// The console's pages: each handler parses the form or query, calls the registry or the
// gateway as the signed-in principal, fills a view and renders it. No rule of the registry
// is repeated here: what a principal may see or do is what the registry answers.
#ifndef COLLECTONCE_SERVICES_CONSOLE_PAGES_H_
#define COLLECTONCE_SERVICES_CONSOLE_PAGES_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "libs/base/clock.h"
#include "services/console/backend.h"
#include "services/console/render.h"
#include "services/console/session.h"

namespace collectonce::console {

// A request as the handlers see it: form or query parameters by name.
struct Input {
  std::map<std::string, std::string> params;
  const std::string& Get(const std::string& name) const;
};

// What a handler answers: a page, or a redirect (303 to `location`).
struct Reply {
  int status = 200;
  std::string html;
  std::string location;
  static Reply Redirect(std::string to) { return Reply{303, "", std::move(to)}; }
};

// The principals offered at sign-in in the local mode: identity and label.
using PrincipalChoices = std::vector<std::pair<std::string, std::string>>;

class Pages {
 public:
  // Times are shown in the city's zone `zone` (console --utc-offset-hours).
  Pages(Backend* backend, PrincipalChoices principals, absl::TimeZone zone = DefaultCityZone())
      : backend_(backend), principals_(std::move(principals)), zone_(zone) {}

  Reply Login(const Session& s, const std::string& error = "");
  // Signs in as one of the offered principals (the caller rotates the session).
  bool ChoosePrincipal(const Input& in, Session* s) const;
  // Under mutual TLS: signs in as the certificate's identity, labelled as --principal
  // labels it, or by the identity itself.
  void SignInAs(const std::string& identity, Session* s) const;
  // After signing out under mutual TLS.
  static Reply SignedOut(const Session& s);
  Reply Find(const Session& s);
  Reply DoFind(const Input& in, Session* s);
  Reply File(const Input& in, const Session& s);
  Reply Preview(const Input& in, const Session& s);
  Reply Access(const Input& in, const Session& s);
  // reuse_pages.cc
  Reply Reuse(const Input& in, const Session& s);
  // dispute_pages.cc
  Reply Disputes(const Input& in, const Session& s);
  Reply Dispute(const Input& in, const Session& s);
  Reply OpenDispute(const Input& in, const Session& s);
  Reply Correct(const Input& in, const Session& s);
  Reply Uphold(const Input& in, const Session& s);
  Reply Withdraw(const Input& in, const Session& s);
  Reply Notifications(const Session& s);
  // The reuse rate (pre-filled / requested) below which the dashboard marks a form.
  void set_reuse_target(double target) { reuse_target_ = target; }
  // A page that only says what went wrong.
  static Reply ErrorPage(const Session& s, int status, const std::string& message,
                         const std::string& reason = "");

 private:
  // The matters and bundles to choose from, `selected` marked.
  void AddForms(const Session& s, const std::string& selected, ctemplate::TemplateDictionary* d,
                const std::string& section);
  // The enterprises whose name contains the form's enterprise_name (find_pages.cc).
  Reply FindEnterprises(const Input& in, const Session& s);
  // Each field's change sets, newest first, as TIMELINES of the file page (file_pages.cc).
  void AddTimeline(const Session& s, const std::string& subject, const v1::Catalog& catalog,
                   ctemplate::TemplateDictionary* d);
  // The catalog of the subject's kind (empty on failure: labels fall back to field names).
  v1::Catalog CatalogOf(const Session& s, const std::string& subject);

  Backend* backend_;
  PrincipalChoices principals_;
  absl::TimeZone zone_;
  double reuse_target_ = 0.8;
};

// For the page's error box: a Chinese message for the call's code and the registry's reason.
std::pair<std::string, std::string> Describe(const grpc::Status& status);
// "2026-03-01 09:00:05" in the city's time (`zone`); "" when unset.
std::string CityTime(const google::protobuf::Timestamp& t, absl::TimeZone zone);
// The Chinese name of a dispute's state.
std::string StateText(v1::Dispute::State state);
// A value as a page shows it: as served, but an ID number (the catalog's lookup field)
// always masked by its field's rule.
std::string DisplayValue(const v1::Catalog& catalog, const std::string& field,
                         const v1::Value& value, bool masked);
// "persons/…" or "enterprises/…".
bool IsSubjectName(const std::string& s);
// The field's label in the catalog, or its name.
std::string LabelOf(const v1::Catalog& catalog, const std::string& field);

}  // namespace collectonce::console

#endif  // COLLECTONCE_SERVICES_CONSOLE_PAGES_H_
