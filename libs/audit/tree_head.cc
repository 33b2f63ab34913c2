#include "libs/audit/tree_head.h"

#include "libs/base/coding.h"

namespace collectonce::audit {

std::string SigningInput(const TreeHead& head) {
  std::string out;
  out.reserve(kTreeHeadSigningPrefix.size() + 8 + 8 + head.root.size());
  out.append(kTreeHeadSigningPrefix.data(), kTreeHeadSigningPrefix.size());
  PutFixed64BE(&out, head.size);
  // Plain two's complement, so that verifiers in other languages read a standard int64.
  PutFixed64BE(&out, static_cast<uint64_t>(head.timestamp_us));
  out.append(reinterpret_cast<const char*>(head.root.data()), head.root.size());
  return out;
}

}  // namespace collectonce::audit
