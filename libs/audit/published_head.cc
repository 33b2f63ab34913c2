#include "libs/audit/published_head.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/base/error_reason.h"
#include "libs/base/secret_file.h"
#include "libs/crypto/sha256.h"

namespace collectonce::audit {
namespace {

constexpr absl::string_view kMagicV1 = "collectonce-published-head-v1";
constexpr absl::string_view kMagicV2 = "collectonce-published-head-v2";
constexpr size_t kSlotSize = 512;
constexpr size_t kFileSize = 2 * kSlotSize;
constexpr absl::string_view kDigestLine = "sha256 ";

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

// The lines after the header: "" when they make a head, else what is wrong.
std::string ParseLines(absl::string_view text, SignedHead* out) {
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  bool have_size = false, have_time = false, have_root = false, have_sig = false;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(lines[i], ' ');
    if (kv.first == "size") {
      have_size = absl::SimpleAtoi(kv.second, &out->head.size);
      if (!have_size) return "size";
    } else if (kv.first == "timestamp_us") {
      have_time = absl::SimpleAtoi(kv.second, &out->head.timestamp_us);
      if (!have_time) return "timestamp_us";
    } else if (kv.first == "root") {
      if (!IsHex(kv.second, out->head.root.size())) return "root";
      const std::string raw = absl::HexStringToBytes(kv.second);
      std::copy(raw.begin(), raw.end(), out->head.root.begin());
      have_root = true;
    } else if (kv.first == "signature") {
      if (!IsHex(kv.second, 64)) return "signature";
      out->signature = absl::HexStringToBytes(kv.second);
      have_sig = true;
    }
  }
  if (!have_size || !have_time || !have_root || !have_sig) return "a line missing";
  return "";
}

// The head in one slot of a version 2 file; nullopt when its digest does not hold (never
// written, or torn by a crash).
std::optional<SignedHead> ParseSlot(absl::string_view slot) {
  slot = slot.substr(0, slot.find('\0'));
  if (!absl::StartsWith(slot, absl::StrCat(kMagicV2, "\n"))) return std::nullopt;
  const size_t at = slot.rfind(absl::StrCat("\n", kDigestLine));
  if (at == absl::string_view::npos) return std::nullopt;
  const absl::string_view body = slot.substr(0, at + 1);
  absl::string_view digest = slot.substr(at + 1 + kDigestLine.size());
  absl::ConsumeSuffix(&digest, "\n");
  if (!IsHex(digest, 32) || absl::HexStringToBytes(digest) != crypto::Sha256(body)) {
    return std::nullopt;
  }
  SignedHead out;
  if (!ParseLines(body, &out).empty()) return std::nullopt;
  return out;
}

std::string SlotText(const SignedHead& head) {
  std::string body = absl::StrCat(kMagicV2, "\nsize ", head.head.size, "\ntimestamp_us ",
                                  head.head.timestamp_us, "\nroot ", Hex(head.head.root),
                                  "\nsignature ", absl::BytesToHexString(head.signature), "\n");
  absl::StrAppend(&body, kDigestLine, absl::BytesToHexString(crypto::Sha256(body)), "\n");
  body.resize(kSlotSize, '\0');
  return body;
}

// The newest head of a version 2 file and its slot, or nullopt when no slot holds one.
std::optional<std::pair<SignedHead, int>> NewestSlot(absl::string_view file) {
  std::optional<std::pair<SignedHead, int>> best;
  for (int i = 0; i < 2; ++i) {
    std::optional<SignedHead> h = ParseSlot(file.substr(i * kSlotSize, kSlotSize));
    if (h && (!best || h->head.size > best->first.head.size)) best.emplace(*std::move(h), i);
  }
  return best;
}

absl::StatusOr<std::optional<std::string>> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::optional<std::string>();
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot read ", path));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return std::optional<std::string>(ss.str());
}

}  // namespace

absl::StatusOr<std::optional<SignedHead>> ReadPublishedHead(const std::string& path) {
  auto text = ReadWhole(path);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return std::optional<SignedHead>();
  const std::string& file = **text;
  if (absl::StartsWith(file, absl::StrCat(kMagicV1, "\n"))) {
    SignedHead out;
    if (std::string why = ParseLines(file, &out); !why.empty()) return Malformed(path, why);
    return std::optional<SignedHead>(std::move(out));
  }
  if (file.size() != kFileSize) return Malformed(path, "no header");
  auto newest = NewestSlot(file);
  if (!newest) return Malformed(path, "neither slot holds a head");
  return std::optional<SignedHead>(std::move(newest->first));
}

absl::Status WritePublishedHead(const std::string& path, const SignedHead& head) {
  return WriteSecretFileAtomically(path, SlotText(head) + std::string(kSlotSize, '\0'));
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

HeadPublisher::~HeadPublisher() {
  absl::MutexLock lock(&mu_);
  if (fd_ >= 0) ::close(fd_);
}

absl::Status HeadPublisher::WriteSlot(const SignedHead& head) {
  if (fd_ < 0) {
    auto file = ReadWhole(path_);
    if (!file.ok()) return file.status();
    std::optional<std::pair<SignedHead, int>> newest;
    if (file->has_value() && (*file)->size() == kFileSize) newest = NewestSlot(**file);
    if (!newest) {
      // No file, a version 1 file or one with no valid slot: a new file, with this head.
      if (absl::Status s = WritePublishedHead(path_, head); !s.ok()) return s;
      newest.emplace(head, 0);
    }
    const int fd = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return ErrnoError(errno, "cannot open", path_);
    fd_ = fd;
    next_slot_ = 1 - newest->second;
    if (newest->first.head.size >= head.head.size) return absl::OkStatus();
  }
  const std::string slot = SlotText(head);
  const ssize_t n = ::pwrite(fd_, slot.data(), slot.size(), next_slot_ * kSlotSize);
  if (n != static_cast<ssize_t>(slot.size())) {
    return n < 0 ? ErrnoError(errno, "cannot write", path_)
                 : absl::DataLossError(absl::StrCat("short write to ", path_));
  }
  if (::fdatasync(fd_) != 0) {
    // What reached the disk is unknown: the next head reopens the file and reads again
    // which slot holds the newest head.
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    return ErrnoError(err, "cannot sync", path_);
  }
  next_slot_ = 1 - next_slot_;
  return absl::OkStatus();
}

absl::StatusOr<SignedHead> HeadPublisher::Publish(const TreeHead& head) {
  SignedHead out{head, signer_->Sign(SigningInput(head))};
  if (path_.empty()) return out;
  absl::MutexLock lock(&mu_);
  if (head.size > published_size_) {
    if (absl::Status s = WriteSlot(out); !s.ok()) {
      return WithReason(absl::UnavailableError(
                            absl::StrCat("cannot keep the published tree head: ", s.message())),
                        "PUBLISHED_HEAD_UNWRITABLE");
    }
    published_size_ = head.size;
  }
  return out;
}

}  // namespace collectonce::audit
