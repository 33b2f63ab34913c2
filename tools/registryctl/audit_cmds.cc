// registryctl audit head | verify | changes | access — the auditor's commands.
#include <fstream>
#include <iostream>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "libs/audit/log_verifier.h"
#include "libs/audit/tree_head.h"
#include "tools/registryctl/client.h"
#include "tools/registryctl/commands.h"
#include "tools/registryctl/files.h"
#include "tools/registryctl/flag_values.h"
#include "tools/registryctl/globals.h"
#include "tools/registryctl/output.h"
#include "tools/registryctl/paging.h"
#include "tools/registryctl/progress.h"
#include "tools/registryctl/redact.h"

namespace collectonce::registryctl {

namespace {

// Exit status of `audit verify` when the log does not hold (distinct from a refused call).
constexpr int kExitVerifyFailed = 3;

audit::TreeHead ToHead(const v1::SignedTreeHead& h) {
  audit::TreeHead t;
  t.size = h.tree_size();
  if (h.root_hash().size() == t.root.size()) {
    std::copy(h.root_hash().begin(), h.root_hash().end(), t.root.begin());
  }
  t.timestamp_us = h.timestamp_us();
  return t;
}

int FetchHead(Client& client, v1::SignedTreeHead* head) {
  auto stub = v1::AuditService::NewStub(client.channel());
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  grpc::Status s = stub->GetTreeHead(&ctx, v1::GetTreeHeadRequest(), head);
  return s.ok() ? kExitOk : ReportRpcError(s);
}

int Head(const Globals& g) {
  Client client(g, g.registry);
  v1::SignedTreeHead head;
  if (int rc = FetchHead(client, &head); rc != kExitOk) return rc;
  // A head is saved to a file and read back by `audit verify --since-head`: JSON, also for
  // -o table (-o yaml and -o name as asked).
  return EmitMessage(g, head);
}

// `audit verify --states`: after the log holds, every subject's stored states must be the
// fold of its change sets (whose digests the log holds), a page of subjects per call.
struct StatesOutcome {
  int rc = kExitOk;     // not kExitOk: the check could not run (an RPC failed, reported)
  std::string problem;  // the first subject and revision whose state is not the fold
  int64_t subjects = 0, states = 0;
};

StatesOutcome VerifyStates(Client& client) {
  auto stub = v1::AuditService::NewStub(client.channel());
  Progress progress("verifying stored states of subjects", 0);
  v1::VerifyStoredStatesRequest req;
  StatesOutcome out;
  do {
    v1::VerifyStoredStatesResponse page;
    grpc::ClientContext ctx;
    client.Prepare(&ctx);
    grpc::Status s = stub->VerifyStoredStates(&ctx, req, &page);
    if (!s.ok()) {
      progress.Done();
      out.rc = ReportRpcError(s);
      return out;
    }
    out.subjects += page.subjects_checked();
    out.states += page.states_checked();
    progress.Update(out.subjects);
    if (!page.first_bad_subject().empty()) {
      out.problem = absl::StrCat(page.first_bad_subject(), " revision ", page.first_bad_revision(),
                                 ": ", page.problem());
      break;
    }
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  progress.Done();
  return out;
}

int Verify(const Globals& g, const std::string& since_head_file, bool states) {
  std::optional<v1::SignedTreeHead> earlier;
  if (!since_head_file.empty()) {
    std::ifstream in(since_head_file);
    if (!in) return UsageError(absl::StrCat("cannot read ", since_head_file));
    std::stringstream ss;
    ss << in.rdbuf();
    earlier.emplace();
    if (!google::protobuf::util::JsonStringToMessage(ss.str(), &*earlier).ok()) {
      return UsageError(
          absl::StrCat(since_head_file, " is not a tree head saved with `registryctl audit head`"));
    }
  }
  Client client(g, g.registry);
  v1::SignedTreeHead head;
  if (int rc = FetchHead(client, &head); rc != kExitOk) return rc;
  std::optional<StatesOutcome> folded;  // with --states, once the log holds
  // The outcome on stderr, and as a document for -o json|yaml; exit 3 when it does not hold.
  auto outcome = [&](const std::string& problem) {
    if (!problem.empty()) std::cerr << "error: " << problem << "\n";
    if (g.structured()) {
      Json doc;
      doc["verified"] = problem.empty();
      doc["treeSize"] = absl::StrCat(head.tree_size());
      if (earlier) doc["savedHeadTreeSize"] = absl::StrCat(earlier->tree_size());
      if (folded) {
        doc["storedStatesVerified"] = folded->problem.empty();
        doc["subjectsChecked"] = absl::StrCat(folded->subjects);
        doc["statesChecked"] = absl::StrCat(folded->states);
      }
      if (!problem.empty()) doc["error"] = problem;
      if (int rc = EmitDocument(g, doc); rc != kExitOk) return rc;
    }
    return problem.empty() ? kExitOk : kExitVerifyFailed;
  };
  if (earlier && earlier->public_key() != head.public_key()) {
    return outcome("the saved head was signed with another key than the registry's now");
  }
  auto stub = v1::AuditService::NewStub(client.channel());
  audit::LogVerifier verifier(earlier ? std::optional<audit::TreeHead>(ToHead(*earlier))
                                      : std::nullopt);
  Progress progress("verifying audit entries", static_cast<int64_t>(head.tree_size()));
  uint64_t next = 0;
  while (next < head.tree_size()) {
    v1::ListAuditEntriesRequest req;
    req.set_start_index(next);
    req.set_page_size(1000);
    v1::ListAuditEntriesResponse page;
    grpc::ClientContext ctx;
    client.Prepare(&ctx);
    grpc::Status s = stub->ListAuditEntries(&ctx, req, &page);
    if (!s.ok()) return ReportRpcError(s);
    if (page.entries_size() == 0) break;
    const uint64_t page_start = next;
    for (const auto& e : page.entries()) {
      if (e.index() >= head.tree_size()) break;
      v1::AuditEntry parsed;
      if (!parsed.ParseFromString(e.entry())) {
        return outcome(absl::StrCat("entry ", e.index(), " cannot be read"));
      }
      absl::Status st = verifier.Add(e.index(), parsed.index(), e.entry(), e.stored_leaf_hash());
      if (st.ok() && parsed.has_change() &&
          parsed.change().change_set_sha256() != e.stored_change_set_sha256()) {
        st = absl::DataLossError(absl::StrCat(
            "entry ", e.index(), ": the change set of ", parsed.change().subject(), " revision ",
            parsed.change().revision(), " no longer matches the digest the log committed to"));
      }
      if (!st.ok()) {
        progress.Done();
        return outcome(std::string(st.message()));
      }
      next = e.index() + 1;
    }
    progress.Update(static_cast<int64_t>(next));
    // The page began past the head: the entries from `next` to the head's size are gone
    // (the log has grown since, so the registry still lists later ones). The check below
    // reports them missing.
    if (next == page_start) break;
  }
  progress.Done();
  absl::Status st = verifier.Finish(ToHead(head), head.signature(), head.public_key(),
                                    earlier ? earlier->signature() : std::string());
  if (!st.ok()) return outcome(std::string(st.message()));
  if (!g.structured()) {
    std::cout << "ok: " << head.tree_size() << " entries verified against the signed head"
              << (earlier ? absl::StrCat(", consistent with the saved head of ",
                                         earlier->tree_size(), " entries")
                          : std::string())
              << "\n";
  }
  if (states) {
    folded = VerifyStates(client);
    if (folded->rc != kExitOk) return folded->rc;
    if (folded->problem.empty() && !g.structured()) {
      std::cout << "ok: " << folded->states << " stored states of " << folded->subjects
                << " subjects are the fold of their logged change sets\n";
    }
  }
  return outcome(folded ? folded->problem : "");
}

// Free text (a change's reason) may quote an ID or mobile number: masked unless --reveal.
std::string Describe(const v1::AuditEntry& e, bool reveal) {
  if (e.has_change()) {
    std::string fields;
    for (const auto& f : e.change().fields())
      absl::StrAppend(&fields, fields.empty() ? "" : ",", f);
    return absl::StrCat(
        e.change().subject(), " r", e.change().revision(), " [", fields, "] ", e.change().source(),
        e.change().reason().empty()
            ? ""
            : absl::StrCat(" — ", reveal ? e.change().reason()
                                         : RedactPersonalNumbers(e.change().reason())));
  }
  if (e.has_access()) {
    std::string fields;
    for (const auto& f : e.access().fields())
      absl::StrAppend(&fields, fields.empty() ? "" : ",", f);
    for (const auto& f : e.access().masked_fields()) {
      absl::StrAppend(&fields, fields.empty() ? "" : ",", f, "(masked)");
    }
    return absl::StrCat(e.access().subject(), " [", fields, "] for ", e.access().purpose(),
                        e.access().via().empty() ? "" : absl::StrCat(" via ", e.access().via()));
  }
  if (e.has_governance()) {
    return absl::StrCat(e.governance().action(), " ", e.governance().resource(), " v",
                        e.governance().version());
  }
  return "";
}

template <typename Response>
int PrintEntries(const Globals& g, const Response& r) {
  if (g.structured()) return EmitMessage(g, r);
  Table t({"#", "TIME", "PRINCIPAL", "EVENT"});
  for (const auto& e : r.entries()) {
    t.AddRow(
        {absl::StrCat(e.index()), FormatTimestamp(e.time()), e.principal(), Describe(e, g.reveal)});
  }
  t.Print(std::cout);
  return kExitOk;
}

struct ChangesOpts {
  v1::ListChangesRequest request;
  std::string since, until, subject;
  PageFlags paging;
};

int RunChanges(const Globals& g, const ChangesOpts& o) {
  v1::ListChangesRequest req = o.request;
  req.set_subject(o.subject);
  if (!o.since.empty()) {
    auto t = ParseTimestampFlag("--since", o.since);
    if (!t.ok()) return UsageError(t.status().message());
    *req.mutable_start_time() = *t;
  }
  if (!o.until.empty()) {
    auto t = ParseTimestampFlag("--until", o.until);
    if (!t.ok()) return UsageError(t.status().message());
    *req.mutable_end_time() = *t;
  }
  Client client(g, g.registry);
  auto stub = v1::AuditService::NewStub(client.channel());
  v1::ListChangesResponse all;
  int rc = ListAll(
      o.paging, &all, [](auto* r) { return r->mutable_entries(); },
      [&](int32_t size, const std::string& token, v1::ListChangesResponse* page) {
        req.set_page_size(size);
        req.set_page_token(token);
        grpc::ClientContext ctx;
        client.Prepare(&ctx);
        return stub->ListChanges(&ctx, req, page);
      });
  return rc != kExitOk ? rc : PrintEntries(g, all);
}

struct AccessOpts {
  std::string subject, id_file;
  PageFlags paging;
};

int RunAccess(const Globals& g, const AccessOpts& o) {
  if (o.subject.empty() == o.id_file.empty()) {
    return UsageError(
        "give NAME (enterprises/... or persons/...) or --id-number-file, one of them");
  }
  v1::ListAccessEventsRequest req;
  req.set_subject(o.subject);
  if (!o.id_file.empty()) {
    auto id = ReadIdNumber(o.id_file, CityToday());
    if (!id.ok()) return UsageError(id.status().message());
    req.set_id_number(*id);
  }
  Client client(g, g.registry);
  auto stub = v1::AuditService::NewStub(client.channel());
  v1::ListAccessEventsResponse all;
  int rc = ListAll(
      o.paging, &all, [](auto* r) { return r->mutable_entries(); },
      [&](int32_t size, const std::string& token, v1::ListAccessEventsResponse* page) {
        req.set_page_size(size);
        req.set_page_token(token);
        grpc::ClientContext ctx;
        client.Prepare(&ctx);
        grpc::Status s = stub->ListAccessEvents(&ctx, req, page);
        // Later pages name the subject found on the first.
        if (s.ok() && !req.id_number().empty()) all.set_subject(page->subject());
        return s;
      });
  if (rc != kExitOk) return rc;
  // Found by ID number: the file's name is the answer an auditor needs first.
  if (!o.id_file.empty() && !g.structured()) std::cout << all.subject() << "\n\n";
  return PrintEntries(g, all);
}

}  // namespace

void AddAuditCommands(CLI::App& app, const Globals& globals, Action* action) {
  CLI::App* audit = app.add_subcommand("audit", "check and query the tamper-evident audit log");
  audit->require_subcommand(1);
  audit->footer("Example: registryctl audit verify");

  CLI::App* head = audit->add_subcommand("head", "print the signed tree head (JSON) to save it");
  head->footer("Example: registryctl audit head > head.json");
  head->callback([&globals, action] { *action = [&globals] { return Head(globals); }; });

  auto since_head = std::make_shared<std::string>();
  CLI::App* verify = audit->add_subcommand(
      "verify",
      "recompute the log from its entries and check the signed head; exit 3 naming "
      "the first bad entry if it does not hold");
  verify->add_option("--since-head", *since_head,
                     "a head saved earlier with `audit head`: the log must still extend it");
  auto states = std::make_shared<bool>(false);
  verify->add_flag("--states", *states,
                   "also prove that every subject's stored states are the fold of its logged "
                   "change sets (reads the whole store)");
  verify->footer("Example: registryctl audit verify --states --since-head head.json");
  verify->callback([&globals, action, since_head, states] {
    *action = [&globals, since_head, states] { return Verify(globals, *since_head, *states); };
  });

  auto c = std::make_shared<ChangesOpts>();
  CLI::App* changes = audit->add_subcommand("changes", "change events, newest first");
  changes->add_option("NAME", c->subject, "only this subject (enterprises/... or persons/...)");
  changes->add_option("--field", *c->request.mutable_field(), "only change sets touching it");
  changes->add_option("--principal", *c->request.mutable_principal(), "principals/...");
  changes->add_option("--source", *c->request.mutable_source(), "a catalog source");
  changes->add_option("--since", c->since, "RFC 3339");
  changes->add_option("--until", c->until, "RFC 3339");
  AddPageFlags(changes, &c->paging, "entries", /*with_page_size=*/true);
  changes->footer(
      "Example: registryctl audit changes enterprises/91350400MA2YQ8KX1E --field "
      "legal_representative_name --limit 20");
  changes->callback(
      [&globals, action, c] { *action = [&globals, c] { return RunChanges(globals, *c); }; });

  auto a = std::make_shared<AccessOpts>();
  CLI::App* access = audit->add_subcommand("access", "who read which fields of one subject");
  access->add_option("NAME", a->subject, "enterprises/... or persons/...");
  access->add_option("--id-number-file", a->id_file,
                     "a person by the ID number in FILE ('-': stdin); the lookup is recorded");
  AddPageFlags(access, &a->paging, "entries", /*with_page_size=*/true);
  access->footer(
      "Example: registryctl audit access enterprises/91350400MA2YQ8KX1E --limit 20\n"
      "         registryctl --as auditor audit access --id-number-file id.txt");
  access->callback(
      [&globals, action, a] { *action = [&globals, a] { return RunAccess(globals, *a); }; });
}

REGISTRYCTL_COMMAND_GROUP(AddAuditCommands, 60);

}  // namespace collectonce::registryctl
