// registryctl receipt verify|replay: the receipt of a pre-fill (docs/evidence.md, "Reuse
// receipts"), saved with `registryctl prefill --receipt-out`. `verify` works offline with a
// pinned audit key; the check itself is libs/receipt/verifier.h, which the gateway shares.
// `replay` (auditors) reads the record again as of the served revision and compares.
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "libs/catalog/timestamp.h"
#include "libs/receipt/served.h"
#include "libs/receipt/verifier.h"
#include "tools/registryctl/client.h"
#include "tools/registryctl/commands.h"
#include "tools/registryctl/files.h"
#include "tools/registryctl/output.h"

namespace collectonce::registryctl {

namespace {

// `receipt verify`: the receipt does not hold (which check failed is on stderr); `receipt
// replay`: what the registry holds now at that revision is not what was served.
constexpr int kExitInvalid = 3;

struct ReceiptOpts {
  std::string file, audit_key;
  bool offline = false;
};

absl::StatusOr<v1::ReadReceipt> LoadReceipt(const std::string& path) {
  auto text = ReadFileText(path);
  if (!text.ok()) return text.status();
  v1::ReadReceipt r;
  auto st = google::protobuf::util::JsonStringToMessage(*text, &r);
  if (!st.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not a receipt saved with `registryctl prefill --receipt-out` (",
                     st.message().substr(0, 120).ToString(), ")"));
  }
  return r;
}

// The pinned key (--audit-key), or the registry's own when online (auditors may ask).
absl::StatusOr<std::string> AuditKey(const Globals& g, const ReceiptOpts& o, int* rc) {
  if (!o.audit_key.empty()) return LoadAuditKey(o.audit_key);
  if (o.offline) {
    return absl::InvalidArgumentError(
        "--offline needs --audit-key FILE (registryctl audit head > head.json)");
  }
  Client client(g, g.registry);
  auto stub = v1::AuditService::NewStub(client.channel());
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  v1::SignedTreeHead head;
  grpc::Status s = stub->GetTreeHead(&ctx, v1::GetTreeHeadRequest(), &head);
  if (!s.ok()) {
    *rc = ReportRpcError(s);
    return absl::UnavailableError("");
  }
  return head.public_key();
}

std::string HeadTime(int64_t us) { return FormatTimestamp(catalog::MicrosToTimestamp(us)); }

int RunVerify(const Globals& g, const ReceiptOpts& o) {
  auto r = LoadReceipt(o.file);
  if (!r.ok()) return UsageError(r.status().message());
  int rc = kExitOk;
  auto key = AuditKey(g, o, &rc);
  if (!key.ok()) return rc != kExitOk ? rc : UsageError(key.status().message());
  receipt::ReceiptVerification v = receipt::VerifyReceipt(*r, *key);
  const v1::AccessEvent& a = v.entry.access();
  Json doc;
  doc["valid"] = v.valid;
  if (!v.valid) {
    doc["failedCheck"] = v.failed_check;
    doc["message"] = v.message;
  }
  if (v.entry.has_access()) {
    doc["subject"] = a.subject();
    doc["purpose"] = a.purpose();
    doc["caseId"] = a.case_id();
    doc["principal"] = v.entry.principal();
    doc["revision"] = absl::StrCat(a.served().revision());
    doc["leafIndex"] = absl::StrCat(v.entry.index());
  }
  doc["treeSize"] = absl::StrCat(r->tree_head().tree_size());
  rc = v.valid ? kExitOk : kExitInvalid;
  if (g.structured()) {
    const int emitted = EmitDocument(g, doc);
    return emitted != kExitOk ? emitted : rc;
  }
  if (!v.valid) {
    std::cerr << "invalid: " << v.failed_check << ": " << v.message << "\n";
    return rc;
  }
  std::cout << "valid: " << v.entry.principal() << " was served " << r->served_size()
            << " fields of " << a.subject() << " revision " << a.served().revision() << " for "
            << a.purpose() << (a.case_id().empty() ? "" : absl::StrCat(" (case ", a.case_id(), ")"))
            << "; audit leaf " << v.entry.index() << " of the tree of "
            << r->tree_head().tree_size() << " entries signed "
            << HeadTime(r->tree_head().timestamp_us()) << "; entry, inclusion, signature and "
            << "digest checked\n";
  return rc;
}

// The value as a table shows it: masked when the catalog says it is personal (--reveal
// shows it), or as the masked rendering that was served.
std::string Cell(const Globals& g, const catalog::Catalog* cat, const v1::ServedField& f) {
  return CellValue(cat ? cat->FindField(f.field()) : nullptr, f.value(), f.masked(), g.reveal);
}

// What of the policy the read was decided under has changed since: a replay under another
// policy may release the fields differently, and then does not match.
std::vector<std::string> PolicyChanges(Client& client, const catalog::Catalog* cat,
                                       const v1::AccessEvent& a) {
  std::vector<std::string> out;
  if (cat != nullptr && cat->version() != a.served().catalog_version()) {
    out.push_back(absl::StrCat("the catalog is at version ", cat->version(), " now (v",
                               a.served().catalog_version(), " then)"));
  }
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  v1::GetMatterRequest q;
  q.set_name(a.purpose());
  v1::Matter matter;
  if (a.purpose().rfind("matters/", 0) == 0 &&
      client.governance().GetMatter(&ctx, q, &matter).ok() &&
      matter.version() != a.served().purpose_version()) {
    out.push_back(absl::StrCat(a.purpose(), " is at version ", matter.version(), " now (v",
                               a.served().purpose_version(), " then)"));
  }
  return out;
}

int RunReplay(const Globals& g, const ReceiptOpts& o) {
  auto r = LoadReceipt(o.file);
  if (!r.ok()) return UsageError(r.status().message());
  int rc = kExitOk;
  auto key = AuditKey(g, o, &rc);
  if (!key.ok()) return rc != kExitOk ? rc : UsageError(key.status().message());
  receipt::ReceiptVerification v = receipt::VerifyReceipt(*r, *key);
  if (!v.valid && (v.failed_check == "format" || v.failed_check == "entry" ||
                   v.failed_check == "inclusion" || v.failed_check == "signature")) {
    // Without a proven entry there is no logged read to replay.
    std::cerr << "invalid: " << v.failed_check << ": " << v.message << "\n";
    return kExitInvalid;
  }
  const v1::AccessEvent& a = v.entry.access();
  v1::GetRecordRequest q;
  q.set_name(a.subject());
  q.mutable_options()->set_revision(a.served().revision());
  q.mutable_options()->set_purpose(a.purpose());
  q.mutable_options()->set_case_id(absl::StrCat("replay of audit leaf ", v.entry.index()));
  std::set<std::string> fields(a.fields().begin(), a.fields().end());
  fields.insert(a.masked_fields().begin(), a.masked_fields().end());
  for (const auto& f : fields) q.mutable_options()->mutable_read_mask()->add_paths(f);
  Client client(g, g.registry);
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  v1::Record record;
  grpc::Status s = client.records().GetRecord(&ctx, q, &record);
  if (!s.ok()) return ReportRpcError(s);
  const receipt::ServedFields replayed = receipt::ServedFieldsOf(record);
  const bool digest_matches = record.revision() == a.served().revision() &&
                              receipt::SaltedDigest(r->salt(), a.subject(), a.purpose(), a.served(),
                                                    replayed) == a.served().salted_sha256();
  const bool receipt_matches = v.valid;
  Json doc;
  doc["subject"] = a.subject();
  doc["purpose"] = a.purpose();
  doc["revision"] = absl::StrCat(a.served().revision());
  doc["leafIndex"] = absl::StrCat(v.entry.index());
  doc["replayMatchesDigest"] = digest_matches;
  doc["receiptMatchesDigest"] = receipt_matches;
  if (!receipt_matches) doc["receiptProblem"] = absl::StrCat(v.failed_check, ": ", v.message);
  Json served = Json::array();
  for (const auto& f : replayed) served.push_back(MessageJson(f));
  doc["replayed"] = served;
  // Exit 3 when the registry's state at that revision is not what the log says was served,
  // or the receipt's own values are not.
  rc = digest_matches && receipt_matches ? kExitOk : kExitInvalid;
  if (g.structured()) {
    const int emitted = EmitDocument(g, doc);
    return emitted != kExitOk ? emitted : rc;
  }
  grpc::Status cs;
  auto cat = client.FetchCatalog(record.kind(), &cs);
  std::cout << a.subject() << " revision " << a.served().revision() << " for " << a.purpose()
            << ", as served at audit leaf " << v.entry.index() << " and as replayed now\n";
  std::cout << "policy then: catalog v" << a.served().catalog_version() << ", " << a.purpose()
            << " v" << a.served().purpose_version() << ", " << v.entry.principal() << " v"
            << a.served().principal_version() << "\n\n";
  for (const std::string& note : PolicyChanges(client, cat.get(), a)) {
    std::cerr << "note: " << note << "\n";
  }
  Table t({"FIELD", "SERVED", "REPLAYED", "SAME"});
  std::map<std::string, const v1::ServedField*> now;
  for (const auto& f : replayed) now[f.field()] = &f;
  std::set<std::string> names = fields;
  for (const auto& f : r->served()) names.insert(f.field());
  for (const auto& name : names) {
    const v1::ServedField* before = nullptr;
    for (const auto& f : r->served()) {
      if (f.field() == name) before = &f;
    }
    auto it = now.find(name);
    const v1::ServedField* after = it == now.end() ? nullptr : it->second;
    const bool same = before != nullptr && after != nullptr &&
                      before->SerializeAsString() == after->SerializeAsString();
    t.AddRow({name, before ? Cell(g, cat.get(), *before) : "-",
              after ? Cell(g, cat.get(), *after) : "-", same ? "yes" : "NO"});
  }
  t.Print(std::cout);
  std::cout << "\n"
            << (digest_matches ? "match: the replayed values hash to the digest the log holds"
                               : "MISMATCH: the replayed values do not hash to the digest the "
                                 "log holds")
            << "\n";
  if (!receipt_matches) {
    std::cerr << "note: the receipt's own values do not hold: " << v.failed_check << ": "
              << v.message << "\n";
  }
  return rc;
}

void AddReceiptCommands(CLI::App& app, const Globals& g, Action* action) {
  CLI::App* cmd = app.add_subcommand(
      "receipt", "pre-fill receipts: verify offline, replay what was served (auditors)");
  cmd->require_subcommand(1);
  cmd->footer("Example: registryctl receipt verify receipt.json --audit-key head.json --offline");

  auto add_common = [](CLI::App* sub, ReceiptOpts* o) {
    sub->add_option("FILE", o->file, "the receipt (registryctl prefill --receipt-out)")->required();
    sub->add_option("--audit-key", o->audit_key,
                    "the registry's audit public key: a head saved with `registryctl audit head`, "
                    "a PEM public key or 64 hex digits (default: asked of the registry)");
  };
  auto vo = std::make_shared<ReceiptOpts>();
  CLI::App* verify = cmd->add_subcommand(
      "verify", "check a receipt: entry, inclusion proof, signed head, digest (exit 3: invalid)");
  add_common(verify, vo.get());
  verify->add_flag("--offline", vo->offline, "never call the registry");
  verify->footer(
      "Example: registryctl receipt verify receipt.json --audit-key head.json --offline");
  verify->callback([&g, action, vo] { *action = [&g, vo] { return RunVerify(g, *vo); }; });

  auto ro = std::make_shared<ReceiptOpts>();
  CLI::App* replay = cmd->add_subcommand(
      "replay",
      "read the record again as of the served revision and compare with the logged digest "
      "(exit 3: it does not match)");
  add_common(replay, ro.get());
  replay->footer("Example: registryctl receipt replay receipt.json --audit-key head.json");
  replay->callback([&g, action, ro] { *action = [&g, ro] { return RunReplay(g, *ro); }; });
}

}  // namespace

REGISTRYCTL_COMMAND_GROUP(AddReceiptCommands, 63);

}  // namespace collectonce::registryctl
