#include "libs/disputes/served.h"

#include <algorithm>
#include <map>

namespace collectonce::disputes {

namespace {

bool Names(const v1::AccessEvent& e, const std::string& field) {
  return std::find(e.fields().begin(), e.fields().end(), field) != e.fields().end() ||
         std::find(e.masked_fields().begin(), e.masked_fields().end(), field) !=
             e.masked_fields().end();
}

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

}  // namespace

absl::StatusOr<std::vector<Served>> ServedField(store::Store* store,
                                                const store::SubjectName& subject,
                                                const std::string& field, int64_t since_us,
                                                int64_t until_us) {
  std::map<std::string, Served> latest;
  std::string before;
  int searched = 0;
  bool older = false;
  while (!older && searched < kMaxAccessEventsSearched) {
    auto page = store->ListAccessEvents(subject, before, 256);
    if (!page.ok()) return page.status();
    for (uint64_t index : page->first) {
      ++searched;
      auto entry = store->ReadAuditEntry(index);
      if (!entry.ok()) return entry.status();
      const int64_t t = Micros(entry->time());
      if (t < since_us) {
        older = true;  // newest first: the rest are older still
        break;
      }
      if (t > until_us || !entry->has_access() || !Names(entry->access(), field)) continue;
      Served& s = latest[entry->principal()];
      if (s.principal.empty()) {  // the first seen is the latest
        s.principal = entry->principal();
        s.last_time_us = t;
        s.matter = entry->access().purpose();
      }
    }
    if (page->second.empty()) break;
    before = page->second;
  }
  std::vector<Served> out;
  for (auto& [name, s] : latest) out.push_back(std::move(s));
  return out;
}

}  // namespace collectonce::disputes
