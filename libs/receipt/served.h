// What a read released, in the receipt encoding (docs/evidence.md, "Reuse receipts"): the
// one definition the registry (which records the salted digest) and every verifier (which
// recomputes it) share. The encoding is a wire format: never change it; add a version.
#ifndef COLLECTONCE_LIBS_RECEIPT_SERVED_H_
#define COLLECTONCE_LIBS_RECEIPT_SERVED_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "collectonce/registry/v1/audit.pb.h"
#include "collectonce/registry/v1/receipt.pb.h"
#include "collectonce/registry/v1/record.pb.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace collectonce::receipt {

namespace v1 = ::collectonce::registry::v1;

// A receipt's salt: 32 random bytes.
inline constexpr size_t kSaltSize = 32;
// First bytes of every encoding; names the format and its version.
inline constexpr absl::string_view kServedPrefix = "collectonce-receipt-v1\n";

using ServedFields = google::protobuf::RepeatedPtrField<v1::ServedField>;

// The released fields of `record` (after masking) as a receipt lists them, by field name.
ServedFields ServedFieldsOf(const v1::Record& record);

// The bytes that are hashed: kServedPrefix, the salt, the subject and purpose, the revision,
// commit sequence and policy versions of `meta`, then each field (in the order given) as
// name, masked flag and value. Strings are length-prefixed (4 bytes, big-endian), integers
// 8 bytes big-endian; a value is its kind (the Value oneof's field number, 1 byte) and its
// text (libs/catalog/value_text.h FormatValue), a list its element count and elements.
std::string ServedEncoding(absl::string_view salt, absl::string_view subject,
                           absl::string_view purpose, const v1::ServedDigest& meta,
                           const ServedFields& served);

// SHA-256 of ServedEncoding, 32 bytes.
std::string SaltedDigest(absl::string_view salt, absl::string_view subject,
                         absl::string_view purpose, const v1::ServedDigest& meta,
                         const ServedFields& served);

// 32 fresh random bytes.
std::string NewSalt();

}  // namespace collectonce::receipt

#endif  // COLLECTONCE_LIBS_RECEIPT_SERVED_H_
