#include "libs/store/keys.h"

#include "libs/base/coding.h"

namespace collectonce::store::keys {

namespace v1 = ::collectonce::registry::v1;

std::string Subject(const catalog::SubjectName& subject) {
  std::string k;
  k.reserve(subject.id.size() + 2);
  k.push_back(subject.kind == v1::ENTERPRISE ? kEnterpriseByte : kPersonByte);
  PutTerminated(&k, subject.id);
  return k;
}

bool ParseSubject(absl::string_view* in, catalog::SubjectName* subject) {
  if (in->empty()) return false;
  char kind = (*in)[0];
  if (kind != kEnterpriseByte && kind != kPersonByte) return false;
  absl::string_view rest = in->substr(1), id;
  if (!GetTerminated(&rest, &id)) return false;
  subject->kind = kind == kEnterpriseByte ? v1::ENTERPRISE : v1::PERSON;
  subject->id = std::string(id);
  *in = rest;
  return true;
}

std::string SubjectRevision(const catalog::SubjectName& subject, int64_t revision) {
  std::string k = Subject(subject);
  PutFixed64BE(&k, static_cast<uint64_t>(revision));
  return k;
}

int64_t RevisionSuffix(absl::string_view key) {
  absl::string_view tail = key.substr(key.size() - 8);
  uint64_t r = 0;
  GetFixed64BE(&tail, &r);
  return static_cast<int64_t>(r);
}

std::string Timeline(const catalog::SubjectName& subject, int64_t commit_time_us,
                     int64_t revision) {
  std::string k = Subject(subject);
  PutInt64Ordered(&k, commit_time_us);
  PutFixed64BE(&k, static_cast<uint64_t>(revision));
  return k;
}

std::string ValidTimeFieldPrefix(const catalog::SubjectName& subject, absl::string_view field) {
  std::string k = Subject(subject);
  PutTerminated(&k, field);
  return k;
}

std::string ValidTime(const catalog::SubjectName& subject, absl::string_view field,
                      absl::CivilDay valid_day, int64_t revision) {
  std::string k = ValidTimeFieldPrefix(subject, field);
  PutInt64Ordered(&k, valid_day - absl::CivilDay(1970, 1, 1));
  PutFixed64BE(&k, static_cast<uint64_t>(revision));
  return k;
}

std::string Sequence(int64_t sequence) {
  std::string k;
  PutFixed64BE(&k, static_cast<uint64_t>(sequence));
  return k;
}

int64_t ParseSequence(absl::string_view key) {
  uint64_t s = 0;
  GetFixed64BE(&key, &s);
  return static_cast<int64_t>(s);
}

std::string Request(absl::string_view principal, absl::string_view request_id) {
  std::string k;
  PutTerminated(&k, principal);
  k.append(request_id.data(), request_id.size());
  return k;
}

std::string AuditIndex(uint64_t index) {
  std::string k;
  PutFixed64BE(&k, index);
  return k;
}

std::string AuditNode(int level, uint64_t index) {
  std::string k(1, static_cast<char>(level));
  PutFixed64BE(&k, index);
  return k;
}

std::string AccessIndex(const catalog::SubjectName& subject, int64_t time_us, uint64_t index) {
  std::string k = Subject(subject);
  PutInt64Ordered(&k, time_us);
  PutFixed64BE(&k, index);
  return k;
}

uint64_t AccessIndexAuditIndex(absl::string_view key) {
  absl::string_view tail = key.substr(key.size() - 8);
  uint64_t i = 0;
  GetFixed64BE(&tail, &i);
  return i;
}

std::string Governance(absl::string_view type, absl::string_view name) {
  std::string k(1, 'c');
  PutTerminated(&k, type);
  k.append(name.data(), name.size());
  return k;
}

std::string GovernanceVersion(absl::string_view type, absl::string_view name, int64_t version) {
  std::string k(1, 'v');
  PutTerminated(&k, type);
  PutTerminated(&k, name);
  PutFixed64BE(&k, static_cast<uint64_t>(version));
  return k;
}

std::string EvidenceSubjectPrefix(const catalog::SubjectName& subject) {
  return std::string(1, 'e') + Subject(subject);
}

std::string EvidenceBySubject(const catalog::SubjectName& subject, uint64_t index) {
  std::string k = EvidenceSubjectPrefix(subject);
  PutFixed64BE(&k, index);
  return k;
}

uint64_t EvidenceIndexSuffix(absl::string_view key) {
  if (key.size() < 8) return 0;
  absl::string_view tail = key.substr(key.size() - 8);
  uint64_t i = 0;
  GetFixed64BE(&tail, &i);
  return i;
}

std::string EvidenceInvalid(uint64_t index) {
  std::string k(kEvidenceInvalidPrefix);
  PutFixed64BE(&k, index);
  return k;
}

std::string Reuse(absl::string_view form, int64_t time_us) {
  std::string k;
  PutTerminated(&k, form);
  PutInt64Ordered(&k, time_us);
  return k;
}

std::string PrefixSuccessor(std::string prefix) {
  for (size_t i = prefix.size(); i > 0; --i) {
    const unsigned char c = static_cast<unsigned char>(prefix[i - 1]);
    if (c != 0xff) {
      prefix[i - 1] = static_cast<char>(c + 1);
      prefix.resize(i);
      return prefix;
    }
  }
  return std::string();  // all 0xff (or empty): no upper bound
}

}  // namespace collectonce::store::keys
