#include "services/console/routes.h"

#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/rpc/caller.h"
#include "openssl/ssl.h"
#include "services/console/render.h"

namespace collectonce::console {

namespace {

constexpr char kCookie[] = "cs";

using Handler = std::function<Reply(const Input&, Session*)>;

bool IsLoopback(const std::string& addr) {
  return addr == "127.0.0.1" || addr == "::1" || absl::StartsWith(addr, "127.") ||
         addr == "::ffff:127.0.0.1";
}

std::string SessionCookie(const httplib::Request& req) {
  for (absl::string_view part : absl::StrSplit(req.get_header_value("Cookie"), ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, "cs=")) return std::string(part);
  }
  return "";
}

void SetCookie(httplib::Response& res, const std::string& id) {
  res.set_header("Set-Cookie",
                 absl::StrCat(kCookie, "=", id, "; Path=/; HttpOnly; SameSite=Strict"));
}

void Send(httplib::Response& res, const Reply& r) {
  res.status = r.status;
  if (!r.location.empty()) {
    res.set_header("Location", r.location);
    return;
  }
  res.set_content(r.html, "text/html; charset=utf-8");
}

// The identity of the browser's client certificate ("" without one).
std::string CertificateIdentity(const httplib::Request& req) {
  if (req.ssl == nullptr) return "";
  const X509* cert = SSL_get0_peer_certificate(req.ssl);
  return rpc::IdentityFromAltNames(rpc::CertificateAltNames(cert));
}

// Runs `handler` for one request: session, CSRF (POST), sign-in (unless `open`).
class Router {
 public:
  Router(Pages* pages, Sessions* sessions, Identity identity)
      : pages_(pages), sessions_(sessions), identity_(identity) {}

  bool certificates() const { return identity_ == Identity::kClientCertificate; }

  void Serve(const httplib::Request& req, httplib::Response& res, bool post, bool open,
             const Handler& handler) {
    std::string certified;
    if (identity_ == Identity::kChosenOnLoopback && !IsLoopback(req.remote_addr)) {
      res.status = 403;
      res.set_content("local mode: loopback only", "text/plain; charset=utf-8");
      return;
    }
    if (certificates()) {
      // The TLS handshake already required a certificate from the staff CA.
      certified = CertificateIdentity(req);
      if (certified.empty() || certified.size() > 512) {
        Send(res, Pages::ErrorPage(Session(), 403, "客户端证书中没有可识别的身份", "NO_IDENTITY"));
        return;
      }
    }
    std::optional<Session> found = sessions_->Find(SessionCookie(req));
    // A session belongs to the certificate it was made for: another certificate with the
    // same cookie starts afresh (and leaves that session alone).
    if (found && certificates() && found->signed_in() && found->identity != certified) {
      found.reset();
    }
    Session s = found ? *found : sessions_->Create();
    s.certificate = certificates();
    if (certificates() && !s.signed_in()) {
      pages_->SignInAs(certified, &s);
      s = sessions_->Rotate(s);
    }
    const std::string id_before = found ? found->id : "";
    Input in;
    for (const auto& [k, v] : req.params) in.params.emplace(k, v);
    if (post && (!found || !SameToken(in.Get("csrf"), s.csrf))) {
      if (s.id != id_before) SetCookie(res, s.id);
      Send(res, Pages::ErrorPage(s, 403, "页面已过期或来源不明，请返回重新操作", "CSRF"));
      return;
    }
    Reply r;
    if (!open && !s.signed_in()) {
      r = Reply::Redirect("/login");
    } else {
      r = handler(in, &s);
      sessions_->Save(s);
    }
    if (s.id != id_before) SetCookie(res, s.id);
    Send(res, r);
  }

  Pages* pages() { return pages_; }
  Sessions* sessions() { return sessions_; }

 private:
  Pages* pages_;
  Sessions* sessions_;
  Identity identity_;
};

}  // namespace

void InstallRoutes(httplib::Server* server, Pages* pages, Sessions* sessions,
                   const rpc::Logger* log, Identity identity) {
  auto router = std::make_shared<Router>(pages, sessions, identity);
  const bool certificates = identity == Identity::kClientCertificate;
  auto get = [server, router](const std::string& path, bool open, Handler h) {
    server->Get(path, [router, open, h](const httplib::Request& req, httplib::Response& res) {
      router->Serve(req, res, false, open, h);
    });
  };
  auto post = [server, router](const std::string& path, bool open, Handler h) {
    server->Post(path, [router, open, h](const httplib::Request& req, httplib::Response& res) {
      router->Serve(req, res, true, open, h);
    });
  };

  get("/", true, [](const Input&, Session* s) {
    return Reply::Redirect(s->signed_in() ? "/find" : "/login");
  });
  if (certificates) {
    // The certificate is the sign-in; signing out ends the session, and the next request
    // with the certificate starts a new one.
    get("/login", true, [](const Input&, Session*) { return Reply::Redirect("/find"); });
    post("/logout", false, [sessions](const Input&, Session* s) {
      sessions->Drop(s->id);
      *s = sessions->Create();
      return Pages::SignedOut(*s);
    });
  } else {
    get("/login", true, [pages](const Input&, Session* s) { return pages->Login(*s); });
    post("/login", true, [pages, sessions](const Input& in, Session* s) {
      if (!pages->ChoosePrincipal(in, s)) return pages->Login(*s, "请选择列出的身份之一");
      *s = sessions->Rotate(*s);  // a new id and CSRF token once signed in
      return Reply::Redirect("/find");
    });
  }
  if (!certificates)
    post("/logout", false, [sessions](const Input&, Session* s) {
      Session cleared = *s;
      cleared.identity.clear();
      cleared.label.clear();
      cleared.matter.clear();
      cleared.case_id.clear();
      *s = sessions->Rotate(cleared);
      return Reply::Redirect("/login");
    });
  get("/find", false, [pages](const Input&, Session* s) { return pages->Find(*s); });
  post("/find", false, [pages](const Input& in, Session* s) { return pages->DoFind(in, s); });
  get("/file", false, [pages](const Input& in, Session* s) { return pages->File(in, *s); });
  get("/preview", false, [pages](const Input& in, Session* s) { return pages->Preview(in, *s); });
  get("/access", false, [pages](const Input& in, Session* s) { return pages->Access(in, *s); });
  get("/reuse", false, [pages](const Input& in, Session* s) { return pages->Reuse(in, *s); });
  get("/disputes", false, [pages](const Input& in, Session* s) { return pages->Disputes(in, *s); });
  get("/dispute", false, [pages](const Input& in, Session* s) { return pages->Dispute(in, *s); });
  get("/notifications", false,
      [pages](const Input&, Session* s) { return pages->Notifications(*s); });
  post("/disputes/open", false,
       [pages](const Input& in, Session* s) { return pages->OpenDispute(in, *s); });
  post("/disputes/correct", false,
       [pages](const Input& in, Session* s) { return pages->Correct(in, *s); });
  post("/disputes/uphold", false,
       [pages](const Input& in, Session* s) { return pages->Uphold(in, *s); });
  post("/disputes/withdraw", false,
       [pages](const Input& in, Session* s) { return pages->Withdraw(in, *s); });
  server->Get("/static/console.css", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(Stylesheet(), "text/css; charset=utf-8");
  });

  server->set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Security-Policy", kContentSecurityPolicy);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Cache-Control", "no-store");
  });
  // The path only: queries and bodies may hold what a log must not.
  server->set_logger([log](const httplib::Request& req, const httplib::Response& res) {
    log->Info("http", {{"method", req.method}, {"path", req.path}, {"status", res.status}});
  });
}

}  // namespace collectonce::console
