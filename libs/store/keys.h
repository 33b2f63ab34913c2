// RocksDB key layout of the store. Every key is built here and nowhere else.
// Do not change: these bytes are stored on disk (docs/storage.md describes each one).
#ifndef COLLECTONCE_LIBS_STORE_KEYS_H_
#define COLLECTONCE_LIBS_STORE_KEYS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "libs/catalog/subject.h"

namespace collectonce::store::keys {

// Column family names. Do not change.
inline constexpr char kMetaCf[] = "default";
inline constexpr char kCurrentCf[] = "current";
inline constexpr char kSnapshotsCf[] = "snapshots";
inline constexpr char kHistoryCf[] = "history";
inline constexpr char kTimelineCf[] = "timeline";
inline constexpr char kValidTimeCf[] = "valid_time";
inline constexpr char kSequenceCf[] = "sequence";
inline constexpr char kRequestsCf[] = "requests";
inline constexpr char kPersonIndexCf[] = "person_index";
inline constexpr char kAuditCf[] = "audit";
inline constexpr char kAuditNodesCf[] = "audit_nodes";
inline constexpr char kAccessIndexCf[] = "access_index";
inline constexpr char kGovernanceCf[] = "governance";
inline constexpr char kReuseCf[] = "reuse";

// Subject kind bytes. Do not change.
inline constexpr char kEnterpriseByte = 0x01;
inline constexpr char kPersonByte = 0x02;

inline constexpr char kMetaKey[] = "meta";

// kind byte | id | 0x00. Every per-subject key starts with this prefix.
std::string Subject(const catalog::SubjectName& subject);
bool ParseSubject(absl::string_view* in, catalog::SubjectName* subject);

// Subject | revision (u64 BE).
std::string SubjectRevision(const catalog::SubjectName& subject, int64_t revision);
int64_t RevisionSuffix(absl::string_view key);

// Subject | commit time µs (i64 ordered) | revision (u64 BE).
std::string Timeline(const catalog::SubjectName& subject, int64_t commit_time_us, int64_t revision);

// Subject | field | 0x00 | valid day (days since 1970-01-01, i64 ordered) | revision (u64 BE).
std::string ValidTime(const catalog::SubjectName& subject, absl::string_view field,
                      absl::CivilDay valid_day, int64_t revision);
// The prefix of every valid-time key of one field of a subject.
std::string ValidTimeFieldPrefix(const catalog::SubjectName& subject, absl::string_view field);

// commit sequence (u64 BE).
std::string Sequence(int64_t sequence);
int64_t ParseSequence(absl::string_view key);

// principal | 0x00 | request id.
std::string Request(absl::string_view principal, absl::string_view request_id);

// audit index (u64 BE).
std::string AuditIndex(uint64_t index);
// level (1 byte) | index (u64 BE).
std::string AuditNode(int level, uint64_t index);

// Subject | time µs (i64 ordered) | audit index (u64 BE).
std::string AccessIndex(const catalog::SubjectName& subject, int64_t time_us, uint64_t index);
uint64_t AccessIndexAuditIndex(absl::string_view key);

// 'c' | type | 0x00 | object name: the current version of a governance object.
std::string Governance(absl::string_view type, absl::string_view name);
// 'v' | type | 0x00 | object name | 0x00 | version (u64 BE): every version.
std::string GovernanceVersion(absl::string_view type, absl::string_view name, int64_t version);

// Governance column family, 'e' | subject | audit index (u64 BE): a credential about the
// subject that is still valid. The prefix is every such key of one subject.
std::string EvidenceBySubject(const catalog::SubjectName& subject, uint64_t index);
std::string EvidenceSubjectPrefix(const catalog::SubjectName& subject);
uint64_t EvidenceIndexSuffix(absl::string_view key);
// Governance column family, 's' | audit index (u64 BE): a credential invalidated by a change.
std::string EvidenceInvalid(uint64_t index);
inline constexpr char kEvidenceInvalidPrefix[] = "s";

// form | 0x00 | time µs (i64 ordered).
std::string Reuse(absl::string_view form, int64_t time_us);

// The smallest key greater than every key that starts with `prefix`.
std::string PrefixSuccessor(std::string prefix);

}  // namespace collectonce::store::keys

#endif  // COLLECTONCE_LIBS_STORE_KEYS_H_
