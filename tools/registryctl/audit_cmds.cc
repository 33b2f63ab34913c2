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
#include "tools/registryctl/flag_values.h"
#include "tools/registryctl/globals.h"
#include "tools/registryctl/output.h"
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
  // A head is saved to a file and read back by `audit verify --since-head`: always JSON.
  return PrintJson(head, std::cout) ? kExitOk : kExitInternal;
}

int Verify(const Globals& g, const std::string& since_head_file) {
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
  if (earlier && earlier->public_key() != head.public_key()) {
    std::cerr << "error: the saved head was signed with another key than the registry's now\n";
    return kExitVerifyFailed;
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
        std::cerr << "error: entry " << e.index() << " cannot be read\n";
        return kExitVerifyFailed;
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
        std::cerr << "error: " << st.message() << "\n";
        return kExitVerifyFailed;
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
  if (!st.ok()) {
    std::cerr << "error: " << st.message() << "\n";
    return kExitVerifyFailed;
  }
  std::cout << "ok: " << head.tree_size() << " entries verified against the signed head"
            << (earlier ? absl::StrCat(", consistent with the saved head of ", earlier->tree_size(),
                                       " entries")
                        : std::string())
            << "\n";
  return kExitOk;
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
  if (g.format() == OutputFormat::kJson) return PrintJson(r, std::cout) ? kExitOk : kExitInternal;
  Table t({"#", "time", "principal", "event"});
  for (const auto& e : r.entries()) {
    t.AddRow(
        {absl::StrCat(e.index()), FormatTimestamp(e.time()), e.principal(), Describe(e, g.reveal)});
  }
  t.Print(std::cout);
  if (!r.next_page_token().empty())
    std::cerr << "(more: use --page-token " << r.next_page_token() << ")\n";
  return kExitOk;
}

}  // namespace

void AddAuditCommands(CLI::App& app, const Globals& globals, Action* action) {
  CLI::App* audit = app.add_subcommand("audit", "Check and query the tamper-evident audit log");
  audit->require_subcommand(1);

  CLI::App* head = audit->add_subcommand("head", "Print the signed tree head (JSON) to save it");
  head->footer("Example: registryctl audit head > head-2026-03-05.json");
  head->callback([&globals, action] { *action = [&globals] { return Head(globals); }; });

  static std::string since_head;
  CLI::App* verify = audit->add_subcommand(
      "verify",
      "Recompute the log from its entries and check the signed head; exit 3 naming "
      "the first bad entry if it does not hold");
  verify->add_option("--since-head", since_head,
                     "a head saved earlier with `audit head`: the log must still extend it");
  verify->footer("Example: registryctl audit verify --since-head head-2026-03-05.json");
  verify->callback(
      [&globals, action] { *action = [&globals] { return Verify(globals, since_head); }; });

  static v1::ListChangesRequest changes_req;
  static std::string since, until, subject;
  static int page_size = 50;
  CLI::App* changes = audit->add_subcommand("changes", "Change events, newest first");
  changes->add_option("NAME", subject, "only this subject (enterprises/... or persons/...)");
  changes->add_option("--field", *changes_req.mutable_field(), "only change sets touching it");
  changes->add_option("--principal", *changes_req.mutable_principal(), "principals/...");
  changes->add_option("--source", *changes_req.mutable_source(), "a catalog source");
  changes->add_option("--since", since, "RFC 3339");
  changes->add_option("--until", until, "RFC 3339");
  changes->add_option("--page-size", page_size, "entries per page (at most 1000)");
  changes->add_option("--page-token", *changes_req.mutable_page_token(), "continue a listing");
  changes->footer(
      "Example: registryctl audit changes enterprises/91350400MA2YQ8KX1E --field "
      "legal_representative_name");
  changes->callback([&globals, action] {
    *action = [&globals]() -> int {
      v1::ListChangesRequest req = changes_req;
      req.set_subject(subject);
      req.set_page_size(page_size);
      if (!since.empty()) {
        auto t = ParseTimestampFlag("--since", since);
        if (!t.ok()) return UsageError(t.status().message());
        *req.mutable_start_time() = *t;
      }
      if (!until.empty()) {
        auto t = ParseTimestampFlag("--until", until);
        if (!t.ok()) return UsageError(t.status().message());
        *req.mutable_end_time() = *t;
      }
      Client client(globals, globals.registry);
      auto stub = v1::AuditService::NewStub(client.channel());
      v1::ListChangesResponse resp;
      grpc::ClientContext ctx;
      client.Prepare(&ctx);
      grpc::Status s = stub->ListChanges(&ctx, req, &resp);
      if (!s.ok()) return ReportRpcError(s);
      return PrintEntries(globals, resp);
    };
  });

  static std::string access_subject, access_token;
  CLI::App* access = audit->add_subcommand("access", "Who read which fields of one subject");
  access->add_option("NAME", access_subject, "enterprises/... or persons/...")->required();
  access->add_option("--page-token", access_token, "continue a listing");
  access->footer("Example: registryctl audit access persons/abcdefghij2345672345");
  access->callback([&globals, action] {
    *action = [&globals]() -> int {
      v1::ListAccessEventsRequest req;
      req.set_subject(access_subject);
      req.set_page_token(access_token);
      Client client(globals, globals.registry);
      auto stub = v1::AuditService::NewStub(client.channel());
      v1::ListAccessEventsResponse resp;
      grpc::ClientContext ctx;
      client.Prepare(&ctx);
      grpc::Status s = stub->ListAccessEvents(&ctx, req, &resp);
      if (!s.ok()) return ReportRpcError(s);
      return PrintEntries(globals, resp);
    };
  });
}

}  // namespace collectonce::registryctl
