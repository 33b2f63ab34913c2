#include "libs/store/change_builder.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "libs/base/error_reason.h"
#include "libs/catalog/timestamp.h"
#include "libs/catalog/value_text.h"

namespace collectonce::store {

namespace {
const absl::CivilDay kEpoch(1970, 1, 1);

int64_t DayNumber(const google::type::Date& d) { return ToCivilDay(d) - kEpoch; }

using ViolationKey = std::pair<std::string, std::string>;

absl::flat_hash_set<ViolationKey> RecordViolations(const catalog::Catalog& catalog,
                                                   const storage::v1::RecordState* state,
                                                   absl::CivilDay today, catalog::Violations* all) {
  catalog::Catalog::FieldValues fields;
  if (state != nullptr) {
    for (const auto& f : state->fields()) {
      if (f.has_value()) fields[f.field()] = &f.value();
    }
  }
  catalog::Violations v;
  catalog.CheckRecord(fields, today, &v);
  absl::flat_hash_set<ViolationKey> keys;
  for (auto& x : v) {
    keys.insert({x.field, x.rule});
    if (all) all->push_back(std::move(x));
  }
  return keys;
}

}  // namespace

const v1::Provenance& ProvenanceOf(const storage::v1::RecordState& state,
                                   const v1::FieldValue& field) {
  // Every full provenance has a commit time; a format 3 field names only its revision.
  if (field.provenance().has_commit_time()) return field.provenance();
  for (const auto& p : state.provenances()) {
    if (p.revision() == field.provenance().revision()) return p;
  }
  return field.provenance();  // a state without its table: show what there is
}

void ExpandField(const storage::v1::RecordState& state, const v1::FieldValue& field,
                 v1::FieldValue* out) {
  out->set_field(field.field());
  if (field.has_value()) *out->mutable_value() = field.value();
  *out->mutable_provenance() = ProvenanceOf(state, field);
  out->set_masked(field.masked());
}

absl::CivilDay ToCivilDay(const google::type::Date& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

google::type::Date ToDate(absl::CivilDay day) {
  google::type::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

bool SameValue(const v1::Value& a, const v1::Value& b) {
  if (a.kind_case() != b.kind_case()) return false;
  switch (a.kind_case()) {
    case v1::Value::kStringValue:
      return a.string_value() == b.string_value();
    case v1::Value::kInt64Value:
      return a.int64_value() == b.int64_value();
    case v1::Value::kDecimalValue:
      return a.decimal_value() == b.decimal_value();
    case v1::Value::kDateValue:
      return a.date_value().year() == b.date_value().year() &&
             a.date_value().month() == b.date_value().month() &&
             a.date_value().day() == b.date_value().day();
    case v1::Value::kTimestampValue:
      return a.timestamp_value().seconds() == b.timestamp_value().seconds() &&
             a.timestamp_value().nanos() == b.timestamp_value().nanos();
    case v1::Value::kBoolValue:
      return a.bool_value() == b.bool_value();
    case v1::Value::kCodeValue:
      return a.code_value() == b.code_value();
    case v1::Value::kReferenceValue:
      return a.reference_value() == b.reference_value();
    case v1::Value::kListValue: {
      const auto& x = a.list_value().values();
      const auto& y = b.list_value().values();
      if (x.size() != y.size()) return false;
      for (int i = 0; i < x.size(); ++i) {
        if (!SameValue(x[i], y[i])) return false;
      }
      return true;
    }
    default:
      return true;
  }
}

void CheckRequestValues(const catalog::Catalog& catalog, absl::CivilDay today,
                        WriteRequest* request, catalog::Violations* out) {
  absl::flat_hash_set<absl::string_view> seen;  // views of the request's own names
  for (auto& change : request->changes) {
    const v1::FieldDefinition* def = catalog.FindField(change.field);
    if (def == nullptr) {
      out->push_back({change.field, "UNKNOWN_FIELD",
                      absl::StrCat("the ", catalog::KindName(catalog.kind()),
                                   " catalog has no field '", change.field.substr(0, 64), "'")});
      continue;
    }
    if (!seen.insert(change.field).second) {
      out->push_back({change.field, "DUPLICATE", "the field is changed twice in one request"});
      continue;
    }
    if (def->deprecated()) {
      out->push_back(
          {change.field, "DEPRECATED", "the field is deprecated; it takes no new values"});
      continue;
    }
    if (!change.value.has_value()) continue;  // clearing: checked against the record
    catalog::NormalizeValue(*def, &*change.value);
    catalog.CheckValue(*def, *change.value, today, change.field, out);
  }
  if (request->provenance.source().empty()) {
    out->push_back({"provenance.source", "REQUIRED", "every write names its source"});
  } else if (request->provenance.source().size() > 128) {
    out->push_back({"provenance.source", "LENGTH", "a source name is at most 128 characters"});
  }
  if (request->provenance.has_valid_from()) {
    const auto& d = request->provenance.valid_from();
    absl::CivilDay day(d.year(), d.month(), d.day());
    if (d.year() < 1 || d.year() > 9999 || day.year() != d.year() || day.month() != d.month() ||
        day.day() != d.day()) {
      out->push_back({"provenance.valid_from", "FORMAT", "is not a calendar date"});
    } else if (day > today) {
      out->push_back({"provenance.valid_from", "RANGE",
                      "is in the future; record a change when it takes effect"});
    }
  }
  if (request->changes.empty()) {
    out->push_back({"changes", "REQUIRED", "a write changes at least one field"});
  }
  if (request->reason.size() > 1024) {
    out->push_back({"reason", "LENGTH", "a reason is at most 1024 characters"});
  }
}

absl::Status BuildChange(const catalog::Catalog& catalog, const storage::v1::RecordState* current,
                         const WriteRequest& request, absl::CivilDay today, int64_t commit_time_us,
                         int64_t revision, BuiltChange* out, catalog::Violations* violations) {
  // `out` may be reused from call to call (the committer does, so that the messages'
  // allocations are reused too): reset every part of it.
  out->unchanged = false;
  out->lookup_changed = false;
  out->old_lookup.clear();
  out->new_lookup.clear();
  out->assertions.clear();
  const google::type::Date valid_from =
      request.provenance.has_valid_from() ? request.provenance.valid_from() : ToDate(today);
  const int64_t valid_day = DayNumber(valid_from);

  // Current fields by name, for lookups while building (views of names that outlive it).
  absl::flat_hash_map<absl::string_view, int> index;
  if (current != nullptr) {
    out->next = *current;
    index.reserve(out->next.fields_size() + request.changes.size());
    for (int i = 0; i < out->next.fields_size(); ++i) index[out->next.fields(i).field()] = i;
  } else {
    out->next.Clear();
    out->next.set_create_time_us(commit_time_us);
  }

  v1::Provenance prov;
  prov.set_source(request.provenance.source());
  prov.set_operator_(request.provenance.operator_());
  prov.set_matter(request.provenance.matter());
  prov.set_evidence_ref(request.provenance.evidence_ref());
  *prov.mutable_commit_time() = catalog::MicrosToTimestamp(commit_time_us);
  *prov.mutable_valid_from() = valid_from;
  prov.set_revision(revision);
  prov.set_principal(request.principal);

  catalog::Violations found;
  std::vector<v1::FieldValue> detached;  // retroactive assertions, not part of `next`
  v1::ChangeSet& cs = out->change_set;
  cs.Clear();

  for (const FieldChange& change : request.changes) {
    const v1::FieldDefinition& def = *catalog.FindField(change.field);
    auto it = index.find(change.field);
    v1::FieldValue* cur = it == index.end() ? nullptr : out->next.mutable_fields(it->second);
    const bool cur_has_value = cur != nullptr && cur->has_value();
    const bool clearing = !change.value.has_value();

    if (clearing && !cur_has_value) continue;  // nothing to clear
    // The provenance of this value: the write's, or the same with another source when
    // another department vouches for this field (stored in full with the field).
    std::optional<v1::Provenance> other_source;
    if (!change.source.empty() && change.source != prov.source()) {
      other_source.emplace(prov);
      other_source->set_source(change.source);
    }
    const v1::Provenance& value_prov = other_source ? *other_source : prov;
    bool retroactive = false;
    // Source authority is checked against the current value only: a retroactive assertion
    // does not replace it, and the assertions it may supersede in valid time are not in
    // hand here. Refusing back-dated values from lower-ranked sources is a known gap.
    const v1::Provenance* cur_prov = cur != nullptr ? &ProvenanceOf(out->next, *cur) : nullptr;
    if (cur != nullptr) {
      const int64_t cur_day = DayNumber(cur_prov->valid_from());
      retroactive = valid_day < cur_day;
      if (!retroactive) {
        const int cur_rank = catalog.Precedence(def, cur_prov->source());
        const int new_rank = catalog.Precedence(def, value_prov.source());
        const bool same = !clearing && cur_has_value && SameValue(cur->value(), *change.value);
        if (same && new_rank >= cur_rank) continue;  // confirmed, nothing new
        if (new_rank > cur_rank) {
          found.push_back(
              {change.field, "SOURCE_AUTHORITY",
               absl::StrCat(
                   def.label(), " is held by '", cur_prov->source(), "' (precedence ", cur_rank,
                   "); source '", value_prov.source(), "' (",
                   new_rank == INT32_MAX ? "not listed" : absl::StrCat("precedence ", new_rank),
                   ") may not replace it")});
          continue;
        }
      }
    }
    if (clearing && def.required() && !retroactive) {
      found.push_back({change.field, "REQUIRED", absl::StrCat(def.label(), " cannot be cleared")});
      continue;
    }

    v1::FieldChange* fc = cs.add_changes();
    fc->set_field(change.field);
    if (cur_has_value) *fc->mutable_old_value() = cur->value();
    if (cur != nullptr) fc->set_old_source(cur_prov->source());
    if (!clearing) *fc->mutable_new_value() = *change.value;
    fc->set_cleared(clearing);
    fc->set_retroactive(retroactive);
    if (other_source) fc->set_source(other_source->source());

    if (retroactive) {
      // Kept in history and the valid-time index only; the current value stays.
      v1::FieldValue& a = detached.emplace_back();
      a.set_field(change.field);
      if (!clearing) *a.mutable_value() = *change.value;
      *a.mutable_provenance() = value_prov;
      continue;
    }
    if (cur == nullptr) {
      cur = out->next.add_fields();
      cur->set_field(change.field);
      index[change.field] = out->next.fields_size() - 1;
    }
    if (clearing) {
      cur->clear_value();  // a tombstone keeps the provenance of the clearing
    } else {
      *cur->mutable_value() = *change.value;
    }
    // The field names this revision; its provenance goes into the state's table once. A
    // value another source vouches for keeps its whole provenance.
    v1::Provenance* own = cur->mutable_provenance();
    if (other_source) {
      *own = *std::move(other_source);
    } else {
      own->Clear();
      own->set_revision(revision);
    }
  }

  if (!found.empty()) {
    bool authority = std::all_of(found.begin(), found.end(), [](const catalog::Violation& v) {
      return v.rule == "SOURCE_AUTHORITY";
    });
    violations->insert(violations->end(), found.begin(), found.end());
    if (authority) {
      return WithReason(
          absl::FailedPreconditionError(catalog::ViolationsToStatus(found, "the write").message()),
          "SOURCE_AUTHORITY");
    }
    return catalog::ViolationsToStatus(found, "the write");
  }

  if (cs.changes_size() == 0) {
    out->unchanged = true;
    return absl::OkStatus();
  }

  std::sort(out->next.mutable_fields()->begin(), out->next.mutable_fields()->end(),
            [](const v1::FieldValue& a, const v1::FieldValue& b) { return a.field() < b.field(); });
  // The table keeps the revisions some field still names, and gains this one (a write that
  // only adds retroactive values names none).
  {
    auto* table = out->next.mutable_provenances();
    auto named = [&](int64_t rev) {
      for (const auto& f : out->next.fields()) {
        if (!f.provenance().has_commit_time() && f.provenance().revision() == rev) return true;
      }
      return false;
    };
    for (int i = table->size() - 1; i >= 0; --i) {
      if (!named(table->Get(i).revision())) table->DeleteSubrange(i, 1);
    }
    if (named(revision)) *table->Add() = prov;
  }

  // Record-level rules: report only what this change makes newly wrong, so that an old
  // record that predates a catalog rule can still be corrected field by field.
  catalog::Violations after;
  absl::flat_hash_set<ViolationKey> before;
  if (current != nullptr) before = RecordViolations(catalog, current, today, nullptr);
  RecordViolations(catalog, &out->next, today, &after);
  catalog::Violations fresh;
  for (auto& v : after) {
    if (!before.contains(ViolationKey{v.field, v.rule})) fresh.push_back(std::move(v));
  }
  if (!fresh.empty()) {
    violations->insert(violations->end(), fresh.begin(), fresh.end());
    return catalog::ViolationsToStatus(fresh, "the record");
  }

  out->next.set_update_time_us(commit_time_us);
  out->next.set_revision(revision);

  // Every new assertion, current or retroactive, for the valid-time index. A new subject
  // has none: revision 1's values are read from its snapshot, and building a copy of every
  // field here only to drop it was a fifth of a bulk load's commit work.
  const auto& final_fields = out->next.fields();  // sorted by name now
  auto find_final = [&final_fields](absl::string_view name) -> const v1::FieldValue* {
    auto it = std::lower_bound(
        final_fields.begin(), final_fields.end(), name,
        [](const v1::FieldValue& f, absl::string_view n) { return f.field() < n; });
    return it != final_fields.end() && it->field() == name ? &*it : nullptr;
  };
  out->assertions = std::move(detached);
  if (current != nullptr) {
    for (const auto& fc : cs.changes()) {
      if (fc.retroactive()) continue;
      v1::FieldValue& a = out->assertions.emplace_back();
      ExpandField(out->next, *find_final(fc.field()), &a);
    }
  }

  // The lookup field (a person's ID number) moves the person index.
  const std::string& lookup = catalog.proto().lookup_field();
  if (!lookup.empty()) {
    std::string old_v, new_v;
    if (current != nullptr) {
      for (const auto& f : current->fields()) {
        if (f.field() == lookup && f.has_value()) old_v = f.value().string_value();
      }
    }
    if (const v1::FieldValue* f = find_final(lookup); f != nullptr && f->has_value()) {
      new_v = f->value().string_value();
    }
    if (old_v != new_v) {
      out->lookup_changed = true;
      out->old_lookup = old_v;
      out->new_lookup = new_v;
    }
  }

  cs.set_principal(request.principal);
  cs.set_source(request.provenance.source());
  cs.set_operator_(request.provenance.operator_());
  cs.set_matter(request.provenance.matter());
  cs.set_evidence_ref(request.provenance.evidence_ref());
  cs.set_reason(request.reason);
  *cs.mutable_valid_from() = valid_from;
  cs.set_request_id(request.request_id);
  cs.set_revision(revision);
  *cs.mutable_commit_time() = catalog::MicrosToTimestamp(commit_time_us);
  cs.set_catalog_version(catalog.version());
  return absl::OkStatus();
}

}  // namespace collectonce::store
