#include "libs/rpc/trace.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace collectonce::rpc {

namespace {

// Trace and span ids must be unique, not secret: a per-thread generator seeded from the
// operating system's entropy is enough, and far cheaper per call than OpenSSL's DRBG.
std::string RandomHex(size_t bytes) {
  thread_local absl::BitGen gen;
  std::string raw(bytes, '\0');
  do {
    for (size_t i = 0; i < bytes; i += 8) {
      const uint64_t r = absl::Uniform<uint64_t>(gen);
      std::memcpy(raw.data() + i, &r, std::min<size_t>(8, bytes - i));
    }
  } while (raw.find_first_not_of('\0') == std::string::npos);  // all zero is invalid
  return absl::BytesToHexString(raw);
}

bool IsLowerHex(absl::string_view s, size_t length) {
  if (s.size() != length) return false;
  bool nonzero = false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    if (c != '0') nonzero = true;
  }
  return nonzero;
}

struct Bindings {
  absl::Mutex mu;
  absl::flat_hash_map<const grpc::ServerContextBase*, TraceContext> calls ABSL_GUARDED_BY(mu);
};

Bindings& CallBindings() {
  static Bindings* bindings = new Bindings;  // never destroyed: calls may outlive main
  return *bindings;
}

}  // namespace

std::string TraceContext::Traceparent() const {
  return absl::StrCat("00-", trace_id, "-", span_id, sampled ? "-01" : "-00");
}

std::optional<TraceContext> TraceContext::Parse(absl::string_view h) {
  // version "-" trace-id "-" parent-id "-" flags: 2+1+32+1+16+1+2 = 55 characters.
  if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  absl::string_view version = h.substr(0, 2);
  if (!IsLowerHex(version, 2) && version != "00") return std::nullopt;
  if (version == "ff") return std::nullopt;
  if (version == "00" && h.size() != 55) return std::nullopt;
  if (h.size() > 55 && h[55] != '-') return std::nullopt;
  absl::string_view flags = h.substr(53, 2);
  if (!IsLowerHex(flags, 2) && flags != "00") return std::nullopt;
  TraceContext t;
  if (!IsLowerHex(h.substr(3, 32), 32) || !IsLowerHex(h.substr(36, 16), 16)) return std::nullopt;
  t.trace_id = std::string(h.substr(3, 32));
  t.span_id = std::string(h.substr(36, 16));
  const int f = (flags[1] >= 'a' ? flags[1] - 'a' + 10 : flags[1] - '0');
  t.sampled = (f & 1) != 0;
  return t;
}

TraceContext TraceContext::Start() {
  TraceContext t;
  t.trace_id = RandomHex(16);
  t.span_id = RandomHex(8);
  t.sampled = true;
  return t;
}

TraceContext TraceContext::Child() const {
  TraceContext t;
  t.trace_id = trace_id;
  t.parent_span_id = span_id;
  t.span_id = RandomHex(8);
  t.sampled = sampled;
  return t;
}

TraceContext CallTrace(const grpc::ServerContextBase& context) {
  Bindings& b = CallBindings();
  absl::MutexLock lock(&b.mu);
  auto it = b.calls.find(&context);
  if (it != b.calls.end()) return it->second;
  return TraceContext::Start();
}

namespace internal {

void BindCallTrace(const grpc::ServerContextBase* context, const TraceContext& trace) {
  Bindings& b = CallBindings();
  absl::MutexLock lock(&b.mu);
  b.calls[context] = trace;
}

void UnbindCallTrace(const grpc::ServerContextBase* context) {
  Bindings& b = CallBindings();
  absl::MutexLock lock(&b.mu);
  b.calls.erase(context);
}

}  // namespace internal

}  // namespace collectonce::rpc
