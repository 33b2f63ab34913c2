#include "libs/etcd/client.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/base/error_reason.h"
#include "libs/etcd/internal/endpoints.h"
#include "libs/etcd/internal/watch_stream.h"

namespace collectonce::etcd {

using internal::CallKind;
namespace pb = ::etcdserverpb;

// ---------------------------------------------------------------- plain types <-> etcd's

KeyRange KeyRange::Prefix(std::string prefix) {
  std::string end = PrefixEnd(prefix);
  return {std::move(prefix), std::move(end)};
}

std::string PrefixEnd(absl::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) < 0xff) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // etcd: "every key from `key` on"
}

namespace {

KeyValue FromPb(const mvccpb::KeyValue& kv) {
  KeyValue out;
  out.key = kv.key();
  out.value = kv.value();
  out.create_revision = kv.create_revision();
  out.mod_revision = kv.mod_revision();
  out.version = kv.version();
  out.lease = kv.lease();
  return out;
}

void ToPb(const RangeRequest& r, pb::RangeRequest* out) {
  out->set_key(r.keys.key);
  out->set_range_end(r.keys.range_end);
  out->set_limit(r.limit);
  out->set_revision(r.revision);
  if (r.descending) {
    out->set_sort_order(pb::RangeRequest::DESCEND);
    out->set_sort_target(pb::RangeRequest::KEY);
  }
  out->set_keys_only(r.keys_only);
  out->set_count_only(r.count_only);
  out->set_serializable(r.serializable);
}

RangeResult FromPb(const pb::RangeResponse& r) {
  RangeResult out;
  out.revision = r.header().revision();
  out.kvs.reserve(r.kvs_size());
  for (const auto& kv : r.kvs()) out.kvs.push_back(FromPb(kv));
  out.more = r.more();
  out.count = r.count();
  return out;
}

void ToPb(const Compare& c, pb::Compare* out) {
  out->set_key(c.key);
  switch (c.result) {
    case Compare::Result::kEqual:
      out->set_result(pb::Compare::EQUAL);
      break;
    case Compare::Result::kNotEqual:
      out->set_result(pb::Compare::NOT_EQUAL);
      break;
    case Compare::Result::kGreater:
      out->set_result(pb::Compare::GREATER);
      break;
    case Compare::Result::kLess:
      out->set_result(pb::Compare::LESS);
      break;
  }
  switch (c.target) {
    case Compare::Target::kVersion:
      out->set_target(pb::Compare::VERSION);
      out->set_version(c.number);
      break;
    case Compare::Target::kCreateRevision:
      out->set_target(pb::Compare::CREATE);
      out->set_create_revision(c.number);
      break;
    case Compare::Target::kModRevision:
      out->set_target(pb::Compare::MOD);
      out->set_mod_revision(c.number);
      break;
    case Compare::Target::kValue:
      out->set_target(pb::Compare::VALUE);
      out->set_value(c.value);
      break;
    case Compare::Target::kLease:
      out->set_target(pb::Compare::LEASE);
      out->set_lease(c.number);
      break;
  }
}

void ToPb(const Op& op, pb::RequestOp* out) {
  switch (op.kind) {
    case Op::Kind::kRange: {
      pb::RangeRequest* r = out->mutable_request_range();
      r->set_key(op.keys.key);
      r->set_range_end(op.keys.range_end);
      r->set_limit(op.limit);
      r->set_keys_only(op.keys_only);
      break;
    }
    case Op::Kind::kPut: {
      pb::PutRequest* p = out->mutable_request_put();
      p->set_key(op.keys.key);
      p->set_value(op.value);
      p->set_lease(op.lease);
      break;
    }
    case Op::Kind::kDelete: {
      pb::DeleteRangeRequest* d = out->mutable_request_delete_range();
      d->set_key(op.keys.key);
      d->set_range_end(op.keys.range_end);
      break;
    }
  }
}

OpResult FromPb(const pb::ResponseOp& r) {
  OpResult out;
  switch (r.response_case()) {
    case pb::ResponseOp::kResponseRange:
      out.kind = Op::Kind::kRange;
      for (const auto& kv : r.response_range().kvs()) out.kvs.push_back(FromPb(kv));
      break;
    case pb::ResponseOp::kResponsePut:
      out.kind = Op::Kind::kPut;
      break;
    case pb::ResponseOp::kResponseDeleteRange:
      out.kind = Op::Kind::kDelete;
      out.deleted = r.response_delete_range().deleted();
      break;
    default:
      break;
  }
  return out;
}

bool ReadOnly(const TxnRequest& t) {
  auto is_range = [](const Op& op) { return op.kind == Op::Kind::kRange; };
  return std::all_of(t.success.begin(), t.success.end(), is_range) &&
         std::all_of(t.failure.begin(), t.failure.end(), is_range);
}

}  // namespace

// ---------------------------------------------------------------- the client

absl::StatusOr<std::unique_ptr<Client>> Client::Create(ClientOptions options) {
  if (options.call_timeout <= absl::ZeroDuration() ||
      options.attempt_timeout <= absl::ZeroDuration() ||
      options.connect_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("etcd client timeouts must be positive");
  }
  auto endpoints = internal::Endpoints::Create(options);
  if (!endpoints.ok()) return endpoints.status();
  return std::unique_ptr<Client>(new Client(std::move(options), *std::move(endpoints)));
}

Client::Client(ClientOptions options, std::unique_ptr<internal::Endpoints> endpoints)
    : options_(std::move(options)), endpoints_(std::move(endpoints)) {}

Client::~Client() = default;

const std::vector<std::string>& Client::endpoints() const { return options_.endpoints; }

std::string Client::current_endpoint() const {
  return endpoints_->at(endpoints_->current()).address;
}

absl::Time Client::Deadline(absl::Time given) const {
  return given == kDefaultDeadline ? absl::Now() + options_.call_timeout : given;
}

void Client::Observe(absl::string_view method, const absl::Status& status, absl::Time start) const {
  if (observer_) observer_(method, status.code(), absl::Now() - start);
}

absl::StatusOr<RangeResult> Client::Range(const RangeRequest& request, absl::Time deadline) {
  const absl::Time start = absl::Now();
  pb::RangeRequest req;
  ToPb(request, &req);
  pb::RangeResponse resp;
  absl::Status s = endpoints_->Call(
      CallKind::kRead, Deadline(deadline),
      [&](internal::Member& m, grpc::ClientContext& ctx) { return m.kv->Range(&ctx, req, &resp); });
  Observe("Range", s, start);
  if (!s.ok()) return s;
  return FromPb(resp);
}

absl::StatusOr<KeyValue> Client::Get(const std::string& key, absl::Time deadline) {
  RangeRequest r;
  r.keys = KeyRange::Single(key);
  auto got = Range(r, deadline);
  if (!got.ok()) return got.status();
  if (got->kvs.empty()) return absl::NotFoundError(absl::StrCat("etcd has no key ", key));
  return std::move(got->kvs.front());
}

absl::StatusOr<int64_t> Client::Put(const std::string& key, const std::string& value, int64_t lease,
                                    absl::Time deadline) {
  const absl::Time start = absl::Now();
  pb::PutRequest req;
  req.set_key(key);
  req.set_value(value);
  req.set_lease(lease);
  pb::PutResponse resp;
  absl::Status s = endpoints_->Call(
      CallKind::kMutation, Deadline(deadline),
      [&](internal::Member& m, grpc::ClientContext& ctx) { return m.kv->Put(&ctx, req, &resp); });
  Observe("Put", s, start);
  if (!s.ok()) return s;
  return resp.header().revision();
}

absl::StatusOr<int64_t> Client::DeleteRange(const KeyRange& keys, absl::Time deadline) {
  const absl::Time start = absl::Now();
  pb::DeleteRangeRequest req;
  req.set_key(keys.key);
  req.set_range_end(keys.range_end);
  pb::DeleteRangeResponse resp;
  absl::Status s = endpoints_->Call(CallKind::kMutation, Deadline(deadline),
                                    [&](internal::Member& m, grpc::ClientContext& ctx) {
                                      return m.kv->DeleteRange(&ctx, req, &resp);
                                    });
  Observe("DeleteRange", s, start);
  if (!s.ok()) return s;
  return resp.deleted();
}

absl::StatusOr<TxnResult> Client::Txn(const TxnRequest& request, absl::Time deadline) {
  const absl::Time start = absl::Now();
  pb::TxnRequest req;
  for (const Compare& c : request.compare) ToPb(c, req.add_compare());
  for (const Op& op : request.success) ToPb(op, req.add_success());
  for (const Op& op : request.failure) ToPb(op, req.add_failure());
  pb::TxnResponse resp;
  const CallKind kind = ReadOnly(request) ? CallKind::kRead : CallKind::kMutation;
  absl::Status s = endpoints_->Call(
      kind, Deadline(deadline),
      [&](internal::Member& m, grpc::ClientContext& ctx) { return m.kv->Txn(&ctx, req, &resp); });
  Observe("Txn", s, start);
  if (!s.ok()) return s;
  TxnResult out;
  out.succeeded = resp.succeeded();
  out.revision = resp.header().revision();
  out.results.reserve(resp.responses_size());
  for (const auto& r : resp.responses()) out.results.push_back(FromPb(r));
  return out;
}

absl::Status Client::Compact(int64_t revision, absl::Time deadline) {
  const absl::Time start = absl::Now();
  pb::CompactionRequest req;
  req.set_revision(revision);
  pb::CompactionResponse resp;
  // Compacting twice to the same revision is compacting once.
  absl::Status s = endpoints_->Call(CallKind::kRead, Deadline(deadline),
                                    [&](internal::Member& m, grpc::ClientContext& ctx) {
                                      return m.kv->Compact(&ctx, req, &resp);
                                    });
  Observe("Compact", s, start);
  if (s.code() == absl::StatusCode::kOutOfRange && ReasonOf(s) == "ETCD_COMPACTED") {
    return absl::OkStatus();
  }
  return s;
}

absl::StatusOr<Lease> Client::Grant(absl::Duration ttl, absl::Time deadline) {
  const absl::Time start = absl::Now();
  pb::LeaseGrantRequest req;
  req.set_ttl(std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(ttl, absl::Seconds(1)))));
  pb::LeaseGrantResponse resp;
  // An answer lost on the way leaves a lease nobody renews, which expires: retried like a read.
  absl::Status s = endpoints_->Call(CallKind::kRead, Deadline(deadline),
                                    [&](internal::Member& m, grpc::ClientContext& ctx) {
                                      return m.lease->LeaseGrant(&ctx, req, &resp);
                                    });
  Observe("LeaseGrant", s, start);
  if (!s.ok()) return s;
  if (!resp.error().empty()) {
    return WithReason(absl::InternalError(absl::StrCat("etcd: ", resp.error())), "ETCD_ERROR");
  }
  return Lease{resp.id(), resp.ttl()};
}

absl::Status Client::Revoke(int64_t lease, absl::Time deadline) {
  const absl::Time start = absl::Now();
  pb::LeaseRevokeRequest req;
  req.set_id(lease);
  pb::LeaseRevokeResponse resp;
  // Revoking twice is revoking once.
  absl::Status s = endpoints_->Call(CallKind::kRead, Deadline(deadline),
                                    [&](internal::Member& m, grpc::ClientContext& ctx) {
                                      return m.lease->LeaseRevoke(&ctx, req, &resp);
                                    });
  Observe("LeaseRevoke", s, start);
  if (s.code() == absl::StatusCode::kNotFound) return absl::OkStatus();
  return s;
}

absl::StatusOr<int64_t> Client::KeepAliveOnce(int64_t lease, absl::Time deadline) {
  const absl::Time start = absl::Now();
  pb::LeaseKeepAliveRequest req;
  req.set_id(lease);
  pb::LeaseKeepAliveResponse resp;
  // One short stream per renewal: each has its own deadline, and a renewal that is lost
  // (or repeated on another member) only renews again.
  absl::Status s = endpoints_->Call(
      CallKind::kRead, Deadline(deadline), [&](internal::Member& m, grpc::ClientContext& ctx) {
        auto stream = m.lease->LeaseKeepAlive(&ctx);
        bool answered = stream->Write(req) && stream->WritesDone() && stream->Read(&resp);
        grpc::Status finished = stream->Finish();
        if (!finished.ok()) return finished;
        if (!answered) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "no keep-alive answer");
        return grpc::Status::OK;
      });
  Observe("LeaseKeepAlive", s, start);
  if (!s.ok()) return s;
  if (resp.ttl() <= 0) {
    return WithReason(absl::NotFoundError(absl::StrCat("etcd lease ", lease, " has expired")),
                      "ETCD_LEASE_NOT_FOUND");
  }
  return resp.ttl();
}

absl::StatusOr<LeaseTimeToLive> Client::TimeToLive(int64_t lease, absl::Time deadline) {
  const absl::Time start = absl::Now();
  pb::LeaseTimeToLiveRequest req;
  req.set_id(lease);
  pb::LeaseTimeToLiveResponse resp;
  absl::Status s = endpoints_->Call(CallKind::kRead, Deadline(deadline),
                                    [&](internal::Member& m, grpc::ClientContext& ctx) {
                                      return m.lease->LeaseTimeToLive(&ctx, req, &resp);
                                    });
  Observe("LeaseTimeToLive", s, start);
  if (!s.ok()) return s;
  return LeaseTimeToLive{resp.id(), resp.ttl(), resp.grantedttl()};
}

std::unique_ptr<Watch> Client::StartWatch(WatchOptions options) {
  return internal::StartWatch(endpoints_.get(), std::move(options));
}

absl::StatusOr<std::vector<Member>> Client::MemberList(absl::Time deadline) {
  const absl::Time start = absl::Now();
  pb::MemberListRequest req;
  pb::MemberListResponse resp;
  absl::Status s = endpoints_->Call(CallKind::kRead, Deadline(deadline),
                                    [&](internal::Member& m, grpc::ClientContext& ctx) {
                                      return m.cluster->MemberList(&ctx, req, &resp);
                                    });
  Observe("MemberList", s, start);
  if (!s.ok()) return s;
  std::vector<Member> out;
  for (const auto& m : resp.members()) {
    Member x;
    x.id = m.id();
    x.name = m.name();
    x.peer_urls.assign(m.peerurls().begin(), m.peerurls().end());
    x.client_urls.assign(m.clienturls().begin(), m.clienturls().end());
    x.is_learner = m.islearner();
    out.push_back(std::move(x));
  }
  return out;
}

absl::StatusOr<MemberStatus> Client::Status(const std::string& endpoint, absl::Time deadline) {
  const absl::Time start = absl::Now();
  std::unique_ptr<internal::Member> member = endpoints_->Connect(endpoint);
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(Deadline(deadline)));
  pb::StatusRequest req;
  pb::StatusResponse resp;
  absl::Status s =
      internal::Classify(member->maintenance->Status(&ctx, req, &resp), CallKind::kRead).status;
  Observe("Status", s, start);
  if (!s.ok()) return s;
  MemberStatus out;
  out.endpoint = endpoint;
  out.member_id = resp.header().member_id();
  out.leader_id = resp.leader();
  out.version = resp.version();
  out.db_size_bytes = resp.dbsize();
  out.db_size_in_use_bytes = resp.dbsizeinuse();
  out.raft_index = resp.raftindex();
  out.raft_term = resp.raftterm();
  out.raft_applied_index = resp.raftappliedindex();
  out.errors.assign(resp.errors().begin(), resp.errors().end());
  return out;
}

}  // namespace collectonce::etcd
