#include "libs/etcd/internal/watch_stream.h"

#include <algorithm>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/base/error_reason.h"
#include "libs/etcd/internal/endpoints.h"

namespace collectonce::etcd::internal {
namespace {

namespace pb = ::etcdserverpb;

// Past this many undelivered events the stream is not read further until Next takes them.
constexpr size_t kMaxPending = 10000;

Event FromPb(const mvccpb::Event& e) {
  Event out;
  out.type = e.type() == mvccpb::Event::DELETE ? Event::Type::kDelete : Event::Type::kPut;
  const mvccpb::KeyValue& kv = e.kv();
  out.kv.key = kv.key();
  out.kv.value = kv.value();
  out.kv.create_revision = kv.create_revision();
  out.kv.mod_revision = kv.mod_revision();
  out.kv.version = kv.version();
  out.kv.lease = kv.lease();
  return out;
}

class StreamWatch final : public Watch {
 public:
  StreamWatch(Endpoints* endpoints, WatchOptions options)
      : endpoints_(endpoints),
        options_(std::move(options)),
        resume_(options_.start_revision),
        delivered_next_(options_.start_revision) {
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "etcd-watch");
      Run();
    });
  }

  ~StreamWatch() override {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      if (context_ != nullptr) context_->TryCancel();
    }
    thread_.join();
  }

  absl::StatusOr<WatchBatch> Next(absl::Time deadline) override {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithDeadline(absl::Condition(
                              +[](StreamWatch* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) {
                                return !w->pending_.empty() || !w->ended_.ok();
                              },
                              this),
                          deadline);
    if (!pending_.empty()) {
      WatchBatch batch;
      batch.events.swap(pending_);
      delivered_next_ = batch.events.back().kv.mod_revision + 1;
      return batch;
    }
    if (!ended_.ok()) return ended_;
    return absl::DeadlineExceededError("no change before the deadline");
  }

  int64_t next_revision() const override {
    absl::MutexLock lock(&mu_);
    return delivered_next_;
  }
  int64_t compact_revision() const override {
    absl::MutexLock lock(&mu_);
    return compact_revision_;
  }
  int64_t streams_started() const override {
    absl::MutexLock lock(&mu_);
    return streams_started_;
  }

 private:
  enum class StreamEnd { kBroken, kCompacted };

  void Run();
  // Reads one stream until it ends; true if it delivered anything.
  StreamEnd ReadStream(grpc::ClientReaderWriter<pb::WatchRequest, pb::WatchResponse>* stream,
                       bool* progressed);

  Endpoints* const endpoints_;
  const WatchOptions options_;
  int64_t resume_;  // the watch thread's own: where the next stream starts

  mutable absl::Mutex mu_;
  std::vector<Event> pending_ ABSL_GUARDED_BY(mu_);
  absl::Status ended_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<grpc::ClientContext> context_ ABSL_GUARDED_BY(mu_);
  int64_t delivered_next_ ABSL_GUARDED_BY(mu_);
  int64_t compact_revision_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t streams_started_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

void StreamWatch::Run() {
  absl::Duration pause = absl::Milliseconds(100);
  for (;;) {
    size_t member;
    grpc::ClientContext* context;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      member = endpoints_->current();
      context_ = std::make_unique<grpc::ClientContext>();
      endpoints_->Prepare(*context_, absl::InfiniteFuture());
      context = context_.get();
      ++streams_started_;
    }
    auto stream = endpoints_->at(member).watch->Watch(context);
    pb::WatchRequest request;
    pb::WatchCreateRequest* create = request.mutable_create_request();
    create->set_key(options_.keys.key);
    create->set_range_end(options_.keys.range_end);
    create->set_start_revision(resume_);
    bool progressed = false;
    StreamEnd end = StreamEnd::kBroken;
    if (stream->Write(request)) end = ReadStream(stream.get(), &progressed);
    context->TryCancel();  // ends a stream that etcd cancelled but did not close
    stream->Finish().IgnoreError();
    absl::MutexLock lock(&mu_);
    if (end == StreamEnd::kCompacted) {
      ended_ = WithReason(
          absl::OutOfRangeError(absl::StrCat(
              "etcd compacted revision ", resume_,
              " away before this watch read it; the oldest revision is ", compact_revision_)),
          "ETCD_COMPACTED");
      return;
    }
    if (stopping_) return;
    // Whatever ended the stream (a member stopping, losing its leader, a broken
    // connection), the next member may serve it better.
    endpoints_->MoveOn(member);
    if (progressed) pause = absl::Milliseconds(100);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), pause);
    pause = std::min(pause * 2, absl::Seconds(1));
  }
}

StreamWatch::StreamEnd StreamWatch::ReadStream(
    grpc::ClientReaderWriter<pb::WatchRequest, pb::WatchResponse>* stream, bool* progressed) {
  pb::WatchResponse response;
  while (stream->Read(&response)) {
    if (response.compact_revision() > 0) {
      absl::MutexLock lock(&mu_);
      compact_revision_ = response.compact_revision();
      return StreamEnd::kCompacted;
    }
    if (response.canceled()) return StreamEnd::kBroken;  // e.g. the member lost its leader
    if (response.created() && resume_ == 0) resume_ = response.header().revision() + 1;
    if (response.events_size() == 0) continue;
    std::vector<Event> events;
    events.reserve(response.events_size());
    for (const auto& e : response.events()) events.push_back(FromPb(e));
    resume_ = events.back().kv.mod_revision + 1;
    *progressed = true;
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](StreamWatch* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) {
          return w->stopping_ || w->pending_.size() < kMaxPending;
        },
        this));
    if (stopping_) return StreamEnd::kBroken;
    if (pending_.empty()) {
      pending_ = std::move(events);
    } else {
      pending_.insert(pending_.end(), std::make_move_iterator(events.begin()),
                      std::make_move_iterator(events.end()));
    }
  }
  return StreamEnd::kBroken;
}

}  // namespace

std::unique_ptr<Watch> StartWatch(Endpoints* endpoints, WatchOptions options) {
  return std::make_unique<StreamWatch>(endpoints, std::move(options));
}

}  // namespace collectonce::etcd::internal
