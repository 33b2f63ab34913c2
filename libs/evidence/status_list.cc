#include "libs/evidence/status_list.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"
#include "libs/base/status_macros.h"
#include "libs/jose/base64url.h"
#include "libs/jose/jws.h"

namespace collectonce::evidence {

namespace {

// Status lists are at most kStatusListSize bits; a larger inflated list is refused.
constexpr size_t kMaxListBytes = kStatusListSize / 8;

absl::StatusOr<std::string> Deflate(const std::string& bytes) {
  uLongf size = compressBound(bytes.size());
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                reinterpret_cast<const Bytef*>(bytes.data()), bytes.size(),
                Z_BEST_COMPRESSION) != Z_OK) {
    return absl::InternalError("status list: compression failed");
  }
  out.resize(size);
  return out;
}

absl::StatusOr<std::string> Inflate(const std::string& compressed) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return absl::InternalError("status list: zlib init failed");
  std::string out(kMaxListBytes + 1, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&zs, Z_FINISH);
  const size_t produced = out.size() - zs.avail_out;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || produced > kMaxListBytes) {
    return absl::InvalidArgumentError("status list: lst is not a zlib stream of a status list");
  }
  out.resize(produced);
  return out;
}

}  // namespace

std::string StatusListUri(absl::string_view base, uint64_t list) {
  return absl::StrCat(base, "/status-lists/", list);
}

absl::StatusOr<std::string> SignStatusList(const audit::Signer& key, absl::string_view uri,
                                           const std::vector<uint64_t>& invalid, absl::Time now) {
  std::string bits(kMaxListBytes, '\0');
  for (uint64_t i : invalid) {
    if (i >= kStatusListSize) return absl::InvalidArgumentError("status list: index out of range");
    bits[i / 8] = static_cast<char>(static_cast<unsigned char>(bits[i / 8]) | (1u << (i % 8)));
  }
  ASSIGN_OR_RETURN(std::string lst, Deflate(bits));
  nlohmann::json payload = {
      {"sub", std::string(uri)},
      {"iat", absl::ToUnixSeconds(now)},
      {"exp", absl::ToUnixSeconds(now + kStatusListValidity)},
      {"ttl", absl::ToInt64Seconds(kStatusListTtl)},
      {"status_list", {{"bits", 1}, {"lst", jose::Base64UrlEncode(lst)}}},
  };
  ASSIGN_OR_RETURN(std::string text, jose::DumpJson(payload));
  nlohmann::json header = {{"typ", kStatusListTyp},
                           {"kid", jose::Ed25519Thumbprint(key.PublicKeyRaw())}};
  return jose::SignCompact(key, std::move(header), text);
}

absl::StatusOr<int> StatusAt(absl::string_view token, const jose::Jwks& jwks, absl::string_view uri,
                             uint64_t idx, absl::Time now) {
  ASSIGN_OR_RETURN(jose::VerifiedJws jws, jose::VerifyCompact(token, jwks));
  if (jws.header.value("typ", "") != kStatusListTyp) {
    return absl::InvalidArgumentError(absl::StrCat("status list: typ is not ", kStatusListTyp));
  }
  nlohmann::json p = nlohmann::json::parse(jws.payload, nullptr, /*allow_exceptions=*/false);
  if (p.is_discarded() || !p.is_object()) {
    return absl::InvalidArgumentError("status list: payload is not a JSON object");
  }
  if (!p.contains("sub") || !p["sub"].is_string() || p["sub"] != std::string(uri)) {
    return absl::InvalidArgumentError("status list: sub is not the credential's status uri");
  }
  if (p.contains("exp") && p["exp"].is_number() &&
      p["exp"].get<double>() <= absl::ToDoubleSeconds(now - absl::UnixEpoch())) {
    return absl::InvalidArgumentError("status list: the status list token has expired");
  }
  const nlohmann::json& sl = p.value("status_list", nlohmann::json::object());
  if (!sl.is_object() || !sl.contains("bits") || !sl["bits"].is_number_integer() ||
      !sl.contains("lst") || !sl["lst"].is_string()) {
    return absl::InvalidArgumentError("status list: no status_list with bits and lst");
  }
  const int bits = sl["bits"].get<int>();
  if (bits != 1 && bits != 2 && bits != 4 && bits != 8) {
    return absl::InvalidArgumentError("status list: bits is not 1, 2, 4 or 8");
  }
  auto compressed = jose::Base64UrlDecode(sl["lst"].get<std::string>());
  if (!compressed.ok()) return absl::InvalidArgumentError("status list: lst is not base64url");
  ASSIGN_OR_RETURN(std::string list, Inflate(*compressed));
  const uint64_t bit = idx * static_cast<uint64_t>(bits);
  if (bit / 8 >= list.size()) {
    return absl::InvalidArgumentError("status list: the index is beyond the list");
  }
  const unsigned byte = static_cast<unsigned char>(list[bit / 8]);
  return static_cast<int>((byte >> (bit % 8)) & ((1u << bits) - 1));
}

}  // namespace collectonce::evidence
