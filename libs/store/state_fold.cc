#include "libs/store/state_fold.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "libs/catalog/timestamp.h"
#include "libs/store/change_builder.h"

namespace collectonce::store {
namespace {

namespace v1 = ::collectonce::registry::v1;

}  // namespace

ServedState ServedView(const storage::v1::RecordState& state) {
  ServedState out;
  out.revision = state.revision();
  out.commit_sequence = state.commit_sequence();
  out.create_time_us = state.create_time_us();
  out.update_time_us = state.update_time_us();
  for (const auto& f : state.fields()) {
    if (!f.has_value()) continue;
    ExpandField(state, f, &out.fields[f.field()]);
  }
  return out;
}

ServedState Fold(const ServedState* before, const v1::ChangeSet& cs) {
  ServedState out;
  if (before != nullptr) out = *before;
  const int64_t time = catalog::TimestampToMicros(cs.commit_time());
  out.revision = cs.revision();
  out.commit_sequence = cs.commit_sequence();
  out.update_time_us = time;
  if (before == nullptr) out.create_time_us = time;
  v1::Provenance prov;
  prov.set_source(cs.source());
  prov.set_operator_(cs.operator_());
  prov.set_matter(cs.matter());
  prov.set_evidence_ref(cs.evidence_ref());
  *prov.mutable_commit_time() = cs.commit_time();
  *prov.mutable_valid_from() = cs.valid_from();
  prov.set_revision(cs.revision());
  prov.set_principal(cs.principal());
  for (const auto& c : cs.changes()) {
    if (c.retroactive()) continue;
    if (c.cleared() || !c.has_new_value()) {
      out.fields.erase(c.field());
      continue;
    }
    v1::FieldValue& f = out.fields[c.field()];
    f.Clear();
    f.set_field(c.field());
    *f.mutable_value() = c.new_value();
    *f.mutable_provenance() = prov;
    if (!c.source().empty()) f.mutable_provenance()->set_source(c.source());
  }
  return out;
}

std::string Difference(const ServedState& folded, const ServedState& stored) {
  if (folded.revision != stored.revision) {
    return absl::StrCat("holds revision ", stored.revision, " where its change sets give ",
                        folded.revision);
  }
  if (folded.commit_sequence != stored.commit_sequence) return "its commit sequence differs";
  if (folded.create_time_us != stored.create_time_us) return "its create time differs";
  if (folded.update_time_us != stored.update_time_us) return "its update time differs";
  for (const auto& [name, f] : folded.fields) {
    auto it = stored.fields.find(name);
    if (it == stored.fields.end()) return absl::StrCat("field ", name, " is missing");
    if (!google::protobuf::util::MessageDifferencer::Equals(f.value(), it->second.value())) {
      return absl::StrCat("field ", name, ": the value differs from its change sets");
    }
    if (!google::protobuf::util::MessageDifferencer::Equals(f.provenance(),
                                                            it->second.provenance())) {
      return absl::StrCat("field ", name, ": the provenance differs from its change sets");
    }
  }
  for (const auto& [name, f] : stored.fields) {
    if (folded.fields.count(name) == 0) {
      return absl::StrCat("field ", name, " is in no change set");
    }
  }
  return "";
}

}  // namespace collectonce::store
