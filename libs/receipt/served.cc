#include "libs/receipt/served.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "libs/base/coding.h"
#include "libs/catalog/value_text.h"
#include "libs/crypto/sha256.h"
#include "openssl/rand.h"

namespace collectonce::receipt {

namespace {

void PutLength(std::string* out, size_t n) {
  const auto v = static_cast<uint32_t>(n);
  out->push_back(static_cast<char>(v >> 24));
  out->push_back(static_cast<char>(v >> 16));
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

void PutString(std::string* out, absl::string_view s) {
  PutLength(out, s.size());
  out->append(s.data(), s.size());
}

void PutInt(std::string* out, int64_t v) { PutFixed64BE(out, static_cast<uint64_t>(v)); }

void PutValue(std::string* out, const v1::Value& value) {
  out->push_back(static_cast<char>(value.kind_case()));
  if (value.has_list_value()) {
    PutLength(out, value.list_value().values_size());
    for (const auto& e : value.list_value().values()) PutValue(out, e);
    return;
  }
  PutString(out, catalog::FormatValue(value));
}

}  // namespace

ServedFields ServedFieldsOf(const v1::Record& record) {
  ServedFields out;
  for (const auto& f : record.fields()) {
    v1::ServedField* s = out.Add();
    s->set_field(f.field());
    *s->mutable_value() = f.value();
    s->set_masked(f.masked());
  }
  std::sort(out.begin(), out.end(), [](const v1::ServedField& a, const v1::ServedField& b) {
    return a.field() < b.field();
  });
  return out;
}

std::string ServedEncoding(absl::string_view salt, absl::string_view subject,
                           absl::string_view purpose, const v1::ServedDigest& meta,
                           const ServedFields& served) {
  std::string out(kServedPrefix);
  PutString(&out, salt);
  PutString(&out, subject);
  PutString(&out, purpose);
  PutInt(&out, meta.revision());
  PutInt(&out, meta.commit_sequence());
  PutInt(&out, meta.catalog_version());
  PutInt(&out, meta.purpose_version());
  PutInt(&out, meta.principal_version());
  PutLength(&out, served.size());
  for (const auto& f : served) {
    PutString(&out, f.field());
    out.push_back(f.masked() ? 1 : 0);
    PutValue(&out, f.value());
  }
  return out;
}

std::string SaltedDigest(absl::string_view salt, absl::string_view subject,
                         absl::string_view purpose, const v1::ServedDigest& meta,
                         const ServedFields& served) {
  return crypto::Sha256(ServedEncoding(salt, subject, purpose, meta, served));
}

std::string NewSalt() {
  std::string salt(kSaltSize, '\0');
  // Without randomness a receipt would let its digest be tested against guesses: never go on.
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) !=
      1) {
    std::abort();
  }
  return salt;
}

}  // namespace collectonce::receipt
