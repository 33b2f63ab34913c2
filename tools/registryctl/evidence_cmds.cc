// registryctl evidence issue|verify|keys|status-list|withdraw: signed evidence that replaces a
// certificate (docs/evidence.md). `verify` works offline with saved keys and status lists;
// the check itself is libs/evidence/verifier.h, which the gateway shares.
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <set>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "libs/catalog/subject.h"
#include "libs/evidence/verifier.h"
#include "libs/jose/jwk.h"
#include "tools/registryctl/client.h"
#include "tools/registryctl/commands.h"
#include "tools/registryctl/files.h"
#include "tools/registryctl/output.h"

namespace collectonce::registryctl {

namespace {

// `evidence verify`: the credential does not hold (which check failed is on stderr).
constexpr int kExitInvalid = 3;

std::string WithPrefix(absl::string_view collection, const std::string& name) {
  return absl::StartsWith(name, absl::StrCat(collection, "/"))
             ? name
             : absl::StrCat(collection, "/", name);
}

// Writes `text` to `path`, or to stdout when path is empty or "-".
int WriteOut(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text << "\n";
    return kExitOk;
  }
  std::ofstream out(path, std::ios::trunc);
  out << text << "\n";
  out.close();
  if (!out) return InternalFailure(absl::StrCat("cannot write ", path));
  return kExitOk;
}

// With -o json|yaml|name: `text` still goes to a file that --out names; stdout gets the
// structured document (`emit`).
template <typename EmitFn>
int WriteOutAndEmit(const std::string& path, const std::string& text, EmitFn emit) {
  if (!path.empty() && path != "-") {
    if (int rc = WriteOut(path, text); rc != kExitOk) return rc;
  }
  return emit();
}

struct IssueOpts {
  std::string type, subject, id_file, matter, case_id, out;
};

int RunIssue(const Globals& g, const IssueOpts& o) {
  if (o.subject.empty() == o.id_file.empty()) {
    return UsageError("give SUBJECT (enterprises/{uscc} or persons/{pid}) or --id-number-file");
  }
  v1::IssueEvidenceRequest q;
  q.set_evidence_type(WithPrefix("evidence-types", o.type));
  q.set_matter(WithPrefix("matters", o.matter));
  q.set_case_id(o.case_id);
  if (!o.id_file.empty()) {
    auto id = ReadIdNumber(o.id_file, CityToday());
    if (!id.ok()) return UsageError(id.status().message());
    q.set_id_number(*std::move(id));
  } else {
    auto parsed = catalog::ParseSubjectName(o.subject);
    if (!parsed.ok()) return UsageError(parsed.status().message());
    q.set_subject(parsed->ToString());
  }
  Client client(g, g.registry);
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  v1::IssueEvidenceResponse r;
  grpc::Status s = client.evidence().IssueEvidence(&ctx, q, &r);
  if (!s.ok()) return ReportRpcError(s);
  if (g.structured()) {
    return WriteOutAndEmit(o.out, r.credential(), [&] { return EmitMessage(g, r); });
  }
  std::cerr << "issued " << q.evidence_type() << " " << r.credential_id() << " (audit index "
            << r.audit_index() << ", status " << r.status_list_uri() << " #" << r.status_index()
            << "), valid until " << FormatTimestamp(r.expire_time()) << "; attests "
            << absl::StrJoin(r.fields(), ",");
  if (r.masked_fields_size() > 0)
    std::cerr << " (masked: " << absl::StrJoin(r.masked_fields(), ",") << ")";
  if (r.missing_fields_size() > 0) {
    std::cerr << " (left out: " << absl::StrJoin(r.missing_fields(), ",") << ")";
  }
  std::cerr << "\n";
  return WriteOut(o.out, r.credential());
}

struct VerifyOpts {
  std::string file, jwks, status_list, type, disclose, audit_key, issuance_proof;
  bool offline = false;
};

absl::StatusOr<v1::IssuanceProof> LoadIssuanceProof(const std::string& path) {
  auto text = ReadFileText(path);
  if (!text.ok()) return text.status();
  v1::IssuanceProof proof;
  if (auto st = google::protobuf::util::JsonStringToMessage(*text, &proof); !st.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is not an issuance proof saved with `registryctl evidence proof` (",
                     st.message().substr(0, 120).ToString(), ")"));
  }
  return proof;
}

// The issuance proof of a credential whose signature verified, asked of the registry.
grpc::Status FetchIssuanceProof(Client& client, const evidence::Verification& v,
                                v1::IssuanceProof* proof) {
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  v1::GetIssuanceProofRequest q;
  q.set_audit_index(v.audit_index);
  q.set_payload_sha256(v.payload_sha256);
  return client.evidence().GetIssuanceProof(&ctx, q, proof);
}

// The status list number from "…/status-lists/N".
std::optional<uint64_t> ListNumber(const std::string& uri) {
  const size_t slash = uri.rfind('/');
  uint64_t n = 0;
  if (slash == std::string::npos || !absl::SimpleAtoi(uri.substr(slash + 1), &n)) {
    return std::nullopt;
  }
  return n;
}

// The keys that verify credentials: the JWK Set in `path`, else the registry's (refused
// `offline`). An exit code other than kExitOk has been reported.
int LoadJwks(const std::string& path, bool offline, const std::function<Client&()>& registry,
             std::optional<jose::Jwks>* out) {
  std::string text;
  if (!path.empty()) {
    auto read = ReadFileText(path);
    if (!read.ok()) return UsageError(read.status().message());
    text = *std::move(read);
  } else if (offline) {
    return UsageError("--offline needs --jwks FILE (registryctl evidence keys > FILE)");
  } else {
    grpc::ClientContext ctx;
    registry().Prepare(&ctx);
    v1::EvidenceKeys keys;
    grpc::Status s = registry().evidence().GetEvidenceKeys(&ctx, {}, &keys);
    if (!s.ok()) return ReportRpcError(s);
    text = keys.jwks();
  }
  auto jwks = jose::Jwks::Parse(text);
  if (!jwks.ok()) return UsageError(absl::StrCat("the keys: ", jwks.status().message()));
  *out = *std::move(jwks);
  return kExitOk;
}

int RunVerify(const Globals& g, const VerifyOpts& o) {
  auto credential = ReadFileText(o.file);
  if (!credential.ok()) return UsageError(credential.status().message());
  std::unique_ptr<Client> client;
  auto registry = [&]() -> Client& {
    if (!client) client = std::make_unique<Client>(g, g.registry);
    return *client;
  };
  std::optional<jose::Jwks> jwks;
  if (int rc = LoadJwks(o.jwks, o.offline, registry, &jwks); rc != kExitOk) return rc;
  evidence::VerifyOptions vo;
  vo.now = absl::Now();
  vo.expected_type = o.type.empty() ? "" : WithPrefix("evidence-types", o.type);
  for (absl::string_view f : absl::StrSplit(o.disclose, ',', absl::SkipEmpty())) {
    vo.disclose.insert(std::string(f));
  }
  if (!o.status_list.empty()) {
    auto token = ReadFileText(o.status_list);
    if (!token.ok()) return UsageError(token.status().message());
    vo.status_list = std::string(absl::StripAsciiWhitespace(*token));
  }
  if (!o.issuance_proof.empty() && o.audit_key.empty()) {
    return UsageError(
        "--issuance-proof needs --audit-key FILE (registryctl audit head > head.json)");
  }
  std::optional<evidence::VerifyOptions::LogProof> log;
  if (!o.audit_key.empty()) {
    auto key = LoadAuditKey(o.audit_key);
    if (!key.ok()) return UsageError(key.status().message());
    log.emplace();
    log->audit_public_key = *std::move(key);
    if (!o.issuance_proof.empty()) {
      auto proof = LoadIssuanceProof(o.issuance_proof);
      if (!proof.ok()) return UsageError(proof.status().message());
      log->proof = *std::move(proof);
    } else if (o.offline) {
      return UsageError(
          "--offline with --audit-key needs --issuance-proof FILE (registryctl evidence proof)");
    }
  }
  // First without the status and the log, to learn which list and which leaf to fetch.
  evidence::Verification v = evidence::VerifyEvidence(*credential, *jwks, vo);
  std::string status_note;
  bool again = vo.status_list.has_value();
  if (v.valid && log && o.issuance_proof.empty()) {
    grpc::Status s = FetchIssuanceProof(registry(), v, &log->proof);
    if (!s.ok()) return ReportRpcError(s);
  }
  if (v.valid && log) {
    vo.log = std::move(log);
    again = true;
  }
  if (v.valid && !vo.status_list && !v.status_uri.empty()) {
    std::optional<uint64_t> list = ListNumber(v.status_uri);
    grpc::Status s = grpc::Status(grpc::StatusCode::UNAVAILABLE, "offline");
    v1::StatusList token;
    if (list && !o.offline) {
      grpc::ClientContext ctx;
      registry().Prepare(&ctx);
      v1::GetStatusListRequest q;
      q.set_list(*list);
      s = registry().evidence().GetStatusList(&ctx, q, &token);
    }
    if (s.ok()) {
      vo.status_list = token.token();
      again = true;
    } else {
      status_note = absl::StrCat("status not checked (", o.offline ? "offline" : s.error_message(),
                                 "); give a saved list with --status-list FILE");
    }
  }
  if (v.valid && again) v = evidence::VerifyEvidence(*credential, *jwks, vo);
  Json doc;
  doc["valid"] = v.valid;
  if (!v.valid) {
    doc["failedCheck"] = v.failed_check;
    doc["message"] = v.message;
  }
  doc["statusChecked"] = v.status_checked;
  if (!v.status_uri.empty()) {
    doc["statusUri"] = v.status_uri;
    doc["statusIndex"] = v.status_index;
  }
  doc["logChecked"] = v.log_checked;
  if (v.log_checked) {
    doc["auditIndex"] = v.log_entry.index();
    doc["treeSize"] = v.log_tree_size;
    doc["issuedTo"] = v.log_entry.principal();
  }
  if (!v.claims.is_null()) doc["claims"] = v.claims;
  const int rc = v.valid ? kExitOk : kExitInvalid;
  if (g.structured()) {
    const int emitted = EmitDocument(g, doc);
    return emitted != kExitOk ? emitted : rc;
  }
  if (!v.valid) {
    std::cerr << "invalid: " << v.failed_check << ": " << v.message << "\n";
    return rc;
  }
  std::cout << "valid: " << v.claims.value("vct", "") << " about " << v.claims.value("sub", "")
            << ", signature, disclosures and expiry checked";
  std::cout << (v.status_checked ? ", status valid" : "") << "\n";
  if (v.log_checked) {
    const v1::AccessEvent& a = v.log_entry.access();
    std::cout << "issued to " << v.log_entry.principal() << " for " << a.purpose()
              << (a.case_id().empty() ? "" : absl::StrCat(" (case ", a.case_id(), ")"))
              << "; recorded in the audit log: leaf " << v.log_entry.index() << " of the tree of "
              << v.log_tree_size << ", signed by the audit key\n";
  }
  Table t({"CLAIM", "VALUE"});
  for (const auto& name : v.disclosed) {
    const auto& value = v.claims[name];
    t.AddRow({name, value.is_string() ? value.get<std::string>() : value.dump()});
  }
  t.Print(std::cout);
  if (!status_note.empty()) std::cerr << "note: " << status_note << "\n";
  return rc;
}

struct ProofOpts {
  std::string file, jwks, out;
};

// Saves a credential's issuance proof for verifiers that will not call the registry.
int RunProof(const Globals& g, const ProofOpts& o) {
  auto credential = ReadFileText(o.file);
  if (!credential.ok()) return UsageError(credential.status().message());
  Client client(g, g.registry);
  std::optional<jose::Jwks> jwks;
  if (int rc = LoadJwks(
          o.jwks, /*offline=*/false, [&]() -> Client& { return client; }, &jwks);
      rc != kExitOk) {
    return rc;
  }
  evidence::VerifyOptions vo;
  vo.now = absl::Now();
  const evidence::Verification v = evidence::VerifyEvidence(*credential, *jwks, vo);
  if (!v.valid) {
    std::cerr << "invalid: " << v.failed_check << ": " << v.message << "\n";
    return kExitInvalid;
  }
  v1::IssuanceProof proof;
  grpc::Status s = FetchIssuanceProof(client, v, &proof);
  if (!s.ok()) return ReportRpcError(s);
  std::string json;
  google::protobuf::util::JsonPrintOptions p;
  p.add_whitespace = true;
  if (!google::protobuf::util::MessageToJsonString(proof, &json, p).ok()) {
    return InternalFailure("the issuance proof could not be written as JSON");
  }
  if (!o.out.empty()) {
    std::cerr << "audit leaf " << v.audit_index << " proven in the tree of "
              << proof.tree_head().tree_size() << "\n";
  }
  if (g.structured()) return WriteOutAndEmit(o.out, json, [&] { return EmitMessage(g, proof); });
  return WriteOut(o.out, json);
}

int RunKeys(const Globals& g, const std::string& out) {
  Client client(g, g.registry);
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  v1::EvidenceKeys keys;
  grpc::Status s = client.evidence().GetEvidenceKeys(&ctx, {}, &keys);
  if (!s.ok()) return ReportRpcError(s);
  if (g.structured()) {
    // The JWK Set itself is the document, as JSON or YAML.
    const Json doc = Json::parse(keys.jwks(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return InternalFailure("the registry's JWK Set is not JSON");
    return WriteOutAndEmit(out, keys.jwks(), [&] { return EmitDocument(g, doc); });
  }
  return WriteOut(out, keys.jwks());
}

int RunStatusList(const Globals& g, uint64_t list, const std::string& out) {
  Client client(g, g.registry);
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  v1::GetStatusListRequest q;
  q.set_list(list);
  v1::StatusList r;
  grpc::Status s = client.evidence().GetStatusList(&ctx, q, &r);
  if (!s.ok()) return ReportRpcError(s);
  if (g.structured()) {
    return WriteOutAndEmit(out, r.token(), [&] { return EmitMessage(g, r); });
  }
  return WriteOut(out, r.token());
}

int RunWithdraw(const Globals& g, uint64_t index, const std::string& reason) {
  Client client(g, g.registry);
  grpc::ClientContext ctx;
  client.Prepare(&ctx);
  v1::WithdrawEvidenceRequest q;
  q.set_audit_index(index);
  q.set_reason(reason);
  v1::EvidenceWithdrawal r;
  grpc::Status s = client.evidence().WithdrawEvidence(&ctx, q, &r);
  if (!s.ok()) return ReportRpcError(s);
  if (g.structured()) return EmitMessage(g, r);
  std::cout << r.name() << ": " << r.evidence_type() << " " << r.credential_id()
            << " withdrawn (version " << r.version() << ")\n";
  return kExitOk;
}

void AddEvidenceCommands(CLI::App& app, const Globals& g, Action* action) {
  CLI::App* cmd = app.add_subcommand(
      "evidence", "signed evidence (无证明): issue, verify offline, keys, status, withdraw");
  cmd->require_subcommand(1);
  cmd->footer("Example: registryctl evidence verify credential.sd-jwt --jwks keys.json");

  auto io = std::make_shared<IssueOpts>();
  CLI::App* issue = cmd->add_subcommand("issue", "issue a credential of a subject's fields");
  issue->add_option("TYPE", io->type, "evidence-types/{id} or just the id")->required();
  issue->add_option("SUBJECT", io->subject, "enterprises/{uscc} or persons/{pid}");
  issue->add_option("--id-number-file", io->id_file,
                    "a file holding the person's ID number (never on the command line)");
  issue->add_option("--matter", io->matter, "the matter it serves")->required();
  issue->add_option("--case-id", io->case_id, "the case (办件) it is for");
  // The spelling of earlier releases, kept out of the help.
  issue->add_option("--case", io->case_id)->group("");
  issue->add_option("--out", io->out, "write the credential here (default stdout)");
  issue->footer(
      "Example: registryctl evidence issue marital-status persons/p123 --matter "
      "real-estate-transfer --out credential.sd-jwt");
  issue->callback([&g, action, io] { *action = [&g, io] { return RunIssue(g, *io); }; });

  auto vo = std::make_shared<VerifyOpts>();
  CLI::App* verify = cmd->add_subcommand(
      "verify", "check a credential: signature, disclosures, expiry and status (exit 3: invalid)");
  verify->add_option("FILE", vo->file, "the credential (SD-JWT)")->required();
  verify->add_option("--jwks", vo->jwks, "the registry's keys (default: asked of the registry)");
  verify->add_option("--status-list", vo->status_list,
                     "a saved status list token (default: asked of the registry)");
  verify->add_option("--disclose", vo->disclose,
                     "verify the presentation of only these claims (comma-separated)");
  verify->add_option("--type", vo->type, "the evidence type it must be");
  verify->add_option("--audit-key", vo->audit_key,
                     "check the issuance in the audit log against this pinned audit key (a "
                     "saved tree head, PEM or hex)");
  verify->add_option("--issuance-proof", vo->issuance_proof,
                     "a saved issuance proof (default: asked of the registry)");
  verify->add_flag("--offline", vo->offline, "never call the registry");
  verify->footer(
      "Example: registryctl evidence verify credential.sd-jwt --jwks keys.json --status-list "
      "status-0.jwt --disclose marital_status");
  verify->callback([&g, action, vo] { *action = [&g, vo] { return RunVerify(g, *vo); }; });

  auto po = std::make_shared<ProofOpts>();
  CLI::App* proof = cmd->add_subcommand(
      "proof", "save a credential's issuance proof (its audit leaf in a signed tree head)");
  proof->add_option("FILE", po->file, "the credential (SD-JWT)")->required();
  proof->add_option("--jwks", po->jwks, "the registry's keys (default: asked of the registry)");
  proof->add_option("--out", po->out, "write it here (default stdout)");
  proof->footer("Example: registryctl evidence proof credential.sd-jwt --out proof.json");
  proof->callback([&g, action, po] { *action = [&g, po] { return RunProof(g, *po); }; });

  auto keys_out = std::make_shared<std::string>();
  CLI::App* keys = cmd->add_subcommand("keys", "the verification keys (JWK Set) for offline use");
  keys->add_option("--out", *keys_out, "write them here (default stdout)");
  keys->footer("Example: registryctl evidence keys --out keys.json");
  keys->callback(
      [&g, action, keys_out] { *action = [&g, keys_out] { return RunKeys(g, *keys_out); }; });

  auto list = std::make_shared<uint64_t>(0);
  auto list_out = std::make_shared<std::string>();
  CLI::App* status = cmd->add_subcommand("status-list", "a signed status list, to save");
  status->add_option("LIST", *list, "the list number (the end of a credential's status uri)");
  status->add_option("--out", *list_out, "write it here (default stdout)");
  status->footer("Example: registryctl evidence status-list 0 --out status-0.jwt");
  status->callback([&g, action, list, list_out] {
    *action = [&g, list, list_out] { return RunStatusList(g, *list, *list_out); };
  });

  auto index = std::make_shared<uint64_t>(0);
  auto reason = std::make_shared<std::string>();
  CLI::App* withdraw = cmd->add_subcommand("withdraw", "withdraw an issued credential");
  withdraw->add_option("AUDIT_INDEX", *index, "the credential's audit index")->required();
  withdraw->add_option("--reason", *reason, "why (for the audit log)")->required();
  withdraw->footer(
      "Example: registryctl evidence withdraw 1234 --reason \"issued for the wrong case\"");
  withdraw->callback([&g, action, index, reason] {
    *action = [&g, index, reason] { return RunWithdraw(g, *index, *reason); };
  });
}

}  // namespace

REGISTRYCTL_COMMAND_GROUP(AddEvidenceCommands, 62);

}  // namespace collectonce::registryctl
