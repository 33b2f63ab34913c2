#include "libs/audit/published_head.h"

#include <cerrno>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/base/error_reason.h"
#include "libs/base/secret_file.h"

namespace collectonce::audit {
namespace {

constexpr absl::string_view kMagic = "collectonce-published-head-v1";

absl::Status Malformed(const std::string& path, absl::string_view why) {
  return absl::DataLossError(
      absl::StrCat("the published tree head file ", path, " is malformed (", why, ")"));
}

bool IsHex(absl::string_view s, size_t bytes) {
  if (s.size() != 2 * bytes) return false;
  for (char c : s) {
    if (!absl::ascii_isxdigit(c)) return false;
  }
  return true;
}

std::string Hex(const Hash& h) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

}  // namespace

absl::StatusOr<std::optional<SignedHead>> ReadPublishedHead(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::optional<SignedHead>();
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot read ", path));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  if (lines.empty() || lines[0] != kMagic) return Malformed(path, "no header");
  SignedHead out;
  bool have_size = false, have_time = false, have_root = false, have_sig = false;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(lines[i], ' ');
    if (kv.first == "size") {
      have_size = absl::SimpleAtoi(kv.second, &out.head.size);
      if (!have_size) return Malformed(path, "size");
    } else if (kv.first == "timestamp_us") {
      have_time = absl::SimpleAtoi(kv.second, &out.head.timestamp_us);
      if (!have_time) return Malformed(path, "timestamp_us");
    } else if (kv.first == "root") {
      if (!IsHex(kv.second, out.head.root.size())) return Malformed(path, "root");
      const std::string raw = absl::HexStringToBytes(kv.second);
      std::copy(raw.begin(), raw.end(), out.head.root.begin());
      have_root = true;
    } else if (kv.first == "signature") {
      if (!IsHex(kv.second, 64)) return Malformed(path, "signature");
      out.signature = absl::HexStringToBytes(kv.second);
      have_sig = true;
    }
  }
  if (!have_size || !have_time || !have_root || !have_sig) return Malformed(path, "a line missing");
  return std::optional<SignedHead>(std::move(out));
}

absl::Status WritePublishedHead(const std::string& path, const SignedHead& head) {
  return WriteSecretFileAtomically(
      path, absl::StrCat(kMagic, "\nsize ", head.head.size, "\ntimestamp_us ",
                         head.head.timestamp_us, "\nroot ", Hex(head.head.root), "\nsignature ",
                         absl::BytesToHexString(head.signature), "\n"));
}

absl::Status CheckAgainstPublishedHead(const SignedHead& published,
                                       absl::string_view public_key_raw, uint64_t store_size,
                                       const NodeReader& nodes) {
  if (!VerifySignature(public_key_raw, SigningInput(published.head), published.signature).ok()) {
    return WithReason(
        absl::FailedPreconditionError(
            "the published tree head file was not signed with this registry's audit key; start "
            "with the signing key that published it (or move the file away if the key was "
            "replaced on purpose)"),
        "PUBLISHED_HEAD_OTHER_KEY");
  }
  if (store_size < published.head.size) {
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat(
            "the store's audit log has ", store_size,
            " entries, but this registry has published "
            "a signed tree head of ",
            published.head.size,
            " entries: the data directory is older than what clients were shown (rolled back, or "
            "restored from an older backup). Restore the newest verified backup; a registry "
            "that served this store would contradict heads its clients hold")),
        "STORE_BEHIND_PUBLISHED_HEAD");
  }
  auto root = RootAt(nodes, published.head.size);
  if (!root.ok()) return root.status();
  if (*root != published.head.root) {
    return WithReason(
        absl::FailedPreconditionError(absl::StrCat(
            "the store's first ", published.head.size,
            " audit entries do not hash to the root of the tree head this registry published: "
            "the log was rewritten behind the registry's back. Restore the newest verified "
            "backup and run registryctl audit verify")),
        "LOG_DIVERGES_FROM_PUBLISHED_HEAD");
  }
  return absl::OkStatus();
}

absl::StatusOr<SignedHead> HeadPublisher::Publish(const TreeHead& head) {
  SignedHead out{head, signer_->Sign(SigningInput(head))};
  if (path_.empty()) return out;
  absl::MutexLock lock(&mu_);
  if (head.size > published_size_) {
    if (absl::Status s = WritePublishedHead(path_, out); !s.ok()) {
      return WithReason(absl::UnavailableError(
                            absl::StrCat("cannot keep the published tree head: ", s.message())),
                        "PUBLISHED_HEAD_UNWRITABLE");
    }
    published_size_ = head.size;
  }
  return out;
}

}  // namespace collectonce::audit
