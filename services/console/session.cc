#include "services/console/session.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "absl/time/clock.h"

namespace collectonce::console {

namespace {
// More sessions than this: the oldest idle ones are dropped first (a bound on memory).
constexpr size_t kMaxSessions = 10000;
}  // namespace

std::string RandomToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) abort();  // no randomness: no sessions
  std::string out;
  absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<char*>(bytes), sizeof(bytes)), &out);
  return out;
}

bool SameToken(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Session Sessions::Create() {
  Session s;
  s.id = RandomToken();
  s.csrf = RandomToken();
  s.last_used = absl::Now();
  absl::MutexLock lock(&mu_);
  if (sessions_.size() >= kMaxSessions) {
    const absl::Time now = absl::Now();
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (now - it->second.last_used > idle_timeout_ / 2) {
        sessions_.erase(it++);
      } else {
        ++it;
      }
    }
    if (sessions_.size() >= kMaxSessions) sessions_.erase(sessions_.begin());
  }
  sessions_[s.id] = s;
  return s;
}

std::optional<Session> Sessions::Find(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  const absl::Time now = absl::Now();
  if (now - it->second.last_used > idle_timeout_) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  return it->second;
}

void Sessions::Save(const Session& session) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(session.id);
  if (it != sessions_.end()) it->second = session;
}

Session Sessions::Rotate(const Session& session) {
  Session next = session;
  next.id = RandomToken();
  next.csrf = RandomToken();
  next.last_used = absl::Now();
  absl::MutexLock lock(&mu_);
  sessions_.erase(session.id);
  sessions_[next.id] = next;
  return next;
}

void Sessions::Drop(const std::string& id) {
  absl::MutexLock lock(&mu_);
  sessions_.erase(id);
}

}  // namespace collectonce::console
