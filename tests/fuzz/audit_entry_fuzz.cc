// Audit entry decoding, as the store and an independent verifier read the log. The input is
// split into entries at each 0xff byte. Invariants: an entry that decodes re-encodes to bytes
// that decode to the same entry; the verifier accepts entries in their places and refuses a
// moved or changed one; its root equals a tree built from the same leaves; store keys that
// name a subject parse back to the same key.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "collectonce/registry/v1/audit.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "libs/audit/log_verifier.h"
#include "libs/audit/merkle.h"
#include "libs/audit/tree_head.h"
#include "libs/store/keys.h"
#include "tests/fuzz/fuzz_check.h"

namespace audit = collectonce::audit;
namespace keys = collectonce::store::keys;
namespace v1 = collectonce::registry::v1;
using google::protobuf::util::MessageDifferencer;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> entries = absl::StrSplit(input, '\xff');
  if (entries.size() > 64) entries.resize(64);

  audit::LogVerifier verifier;
  audit::MerkleAppender tree;
  for (size_t i = 0; i < entries.size(); ++i) {
    v1::AuditEntry entry;
    if (entry.ParseFromArray(entries[i].data(), static_cast<int>(entries[i].size()))) {
      const std::string bytes = entry.SerializeAsString();
      v1::AuditEntry again;
      FUZZ_CHECK(again.ParseFromString(bytes));
      FUZZ_CHECK(MessageDifferencer::Equals(again, entry));
    }
    const audit::Hash leaf = audit::LeafHash(entries[i]);
    const absl::string_view leaf_bytes(reinterpret_cast<const char*>(leaf.data()), leaf.size());
    // A moved entry and a changed one are refused; the right one is taken.
    FUZZ_CHECK(!verifier.Add(i + 1, i, entries[i], leaf_bytes).ok());
    FUZZ_CHECK(!verifier.Add(i, i + 1, entries[i], leaf_bytes).ok());
    if (i % 2 == 1) {
      const audit::Hash other = audit::LeafHash(std::string(entries[i]) + "x");
      FUZZ_CHECK(
          !verifier
               .Add(i, i, entries[i],
                    absl::string_view(reinterpret_cast<const char*>(other.data()), other.size()))
               .ok());
    }
    FUZZ_CHECK(verifier.Add(i, i, entries[i], i % 3 == 0 ? absl::string_view() : leaf_bytes).ok());
    tree.Append(leaf, nullptr);
  }
  FUZZ_CHECK(verifier.size() == tree.size());

  audit::TreeHead head;
  head.size = tree.size();
  head.root = tree.Root();
  head.timestamp_us = static_cast<int64_t>(size) * 1000003;
  FUZZ_CHECK(audit::SigningInput(head).size() == 73);

  // Store keys: a subject prefix read from the input re-encodes to the bytes it was read from.
  absl::string_view rest = input;
  collectonce::catalog::SubjectName subject;
  if (keys::ParseSubject(&rest, &subject)) {
    const std::string key = keys::Subject(subject);
    FUZZ_CHECK(input.substr(0, key.size()) == key);
    FUZZ_CHECK(key.size() + rest.size() == input.size());
  }
  return 0;
}
