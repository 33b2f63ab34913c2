// Console sessions: an opaque random id in an HttpOnly, SameSite=Strict cookie, a CSRF token
// every form carries, the principal chosen and the matter and case a lookup serves. Nothing
// personal is kept here; sessions end after an idle timeout. Thread-safe.
#ifndef COLLECTONCE_SERVICES_CONSOLE_SESSION_H_
#define COLLECTONCE_SERVICES_CONSOLE_SESSION_H_

#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace collectonce::console {

struct Session {
  std::string id;
  std::string csrf;
  // The principal's identity (x-principal) and its label; empty until one is chosen.
  std::string identity, label;
  // The purpose and case of the file being worked on.
  std::string matter, case_id;
  absl::Time last_used;
  // The identity is the browser's client certificate's (mutual TLS), not a choice.
  bool certificate = false;

  bool signed_in() const { return !identity.empty(); }
};

// 32 random bytes, base64url without padding.
std::string RandomToken();

// Compares in time that does not depend on where the strings differ.
bool SameToken(const std::string& a, const std::string& b);

class Sessions {
 public:
  explicit Sessions(absl::Duration idle_timeout) : idle_timeout_(idle_timeout) {}

  // A new session, not signed in, with its own CSRF token.
  Session Create();
  // The session with this id, unless unknown or idle past the timeout (then dropped).
  std::optional<Session> Find(const std::string& id);
  // Stores changes to a session found or created here.
  void Save(const Session& session);
  // The same session under a new id and CSRF token (on signing in or out), the old id gone.
  Session Rotate(const Session& session);
  void Drop(const std::string& id);

 private:
  const absl::Duration idle_timeout_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Session> sessions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace collectonce::console

#endif  // COLLECTONCE_SERVICES_CONSOLE_SESSION_H_
