// registryctl reuse stats: the reuse ledger (how many forms were served pre-filled, how many
// fields the data collected once saved), per matter or bundle and per period.
#include <iostream>
#include <memory>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/catalog/timestamp.h"
#include "tools/registryctl/client.h"
#include "tools/registryctl/commands.h"
#include "tools/registryctl/flag_values.h"
#include "tools/registryctl/output.h"

namespace collectonce::registryctl {

namespace {

struct StatsOpts {
  std::vector<std::string> forms;
  std::string since, until, by;
};

// The city's calendar, in which days and months begin.
absl::TimeZone CityZone() { return DefaultCityZone(); }

// An RFC 3339 time, or a date (midnight in the city's zone).
absl::StatusOr<absl::Time> ParseWhen(absl::string_view flag, const std::string& text) {
  absl::Time t;
  std::string err;
  if (absl::ParseTime("%Y-%m-%d", text, CityZone(), &t, &err)) return t;
  auto ts = ParseTimestampFlag(flag, text);
  if (!ts.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": expected a date (2026-03-01) or an RFC 3339 time"));
  }
  return absl::FromUnixSeconds(ts->seconds()) + absl::Nanoseconds(ts->nanos());
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  return catalog::MicrosToTimestamp(absl::ToUnixMicros(t));
}

absl::Time NextPeriod(absl::Time t, const std::string& by) {
  const absl::CivilSecond c = absl::ToCivilSecond(t, CityZone());
  const absl::CivilDay day(c);
  if (by == "day") return absl::FromCivil(day + 1, CityZone());
  if (by == "week") return absl::FromCivil(day + 7, CityZone());
  return absl::FromCivil(absl::CivilMonth(c) + 1, CityZone());
}

int RunStats(const Globals& g, const StatsOpts& o) {
  if (!o.by.empty() && o.since.empty()) {
    return UsageError("--by needs --since: the first period begins there");
  }
  std::optional<absl::Time> since, until;
  if (!o.since.empty()) {
    auto t = ParseWhen("--since", o.since);
    if (!t.ok()) return UsageError(t.status().message());
    since = *t;
  }
  if (!o.until.empty()) {
    auto t = ParseWhen("--until", o.until);
    if (!t.ok()) return UsageError(t.status().message());
    until = *t;
  }
  if (since && until && *until <= *since) return UsageError("--until must be after --since");

  Client client(g, g.registry);
  std::vector<std::string> forms;
  for (const auto& f : o.forms) {
    forms.push_back(absl::StartsWith(f, "bundles/") || absl::StartsWith(f, "matters/")
                        ? f
                        : absl::StrCat("matters/", f));
  }
  if (forms.empty()) {
    // Every matter and bundle.
    for (bool bundles : {false, true}) {
      std::string token;
      do {
        grpc::ClientContext ctx;
        client.Prepare(&ctx);
        grpc::Status s;
        if (bundles) {
          v1::ListBundlesRequest q;
          q.set_page_size(1000);
          q.set_page_token(token);
          v1::ListBundlesResponse r;
          s = client.governance().ListBundles(&ctx, q, &r);
          for (const auto& b : r.bundles()) forms.push_back(b.name());
          token = r.next_page_token();
        } else {
          v1::ListMattersRequest q;
          q.set_page_size(1000);
          q.set_page_token(token);
          v1::ListMattersResponse r;
          s = client.governance().ListMatters(&ctx, q, &r);
          for (const auto& m : r.matters()) forms.push_back(m.name());
          token = r.next_page_token();
        }
        if (!s.ok()) return ReportRpcError(s);
      } while (!token.empty());
    }
  }
  // The periods: one (the whole range) unless --by splits it.
  struct Period {
    std::optional<absl::Time> start, end;  // end exclusive
    std::string label;
  };
  std::vector<Period> periods;
  if (o.by.empty()) {
    periods.push_back({since, until, "all"});
  } else {
    const absl::Time last = until ? *until : absl::Now();
    const char* fmt = o.by == "month" ? "%Y-%m" : "%Y-%m-%d";
    for (absl::Time t = *since; t < last; t = NextPeriod(t, o.by)) {
      if (periods.size() >= 400) return UsageError("more than 400 periods: use a larger --by");
      periods.push_back(
          {t, std::min(NextPeriod(t, o.by), last), absl::FormatTime(fmt, t, CityZone())});
    }
  }

  auto stub = v1::ReuseLedger::NewStub(client.channel());
  Json doc;
  doc["stats"] = Json::array();
  Table t({"FORM", "PERIOD", "FORMS SERVED", "FIELDS REQUESTED", "PREFILLED", "COLLECTED",
           "REUSE RATE"});
  for (const std::string& form : forms) {
    for (const Period& p : periods) {
      v1::GetReuseStatsRequest q;
      q.set_form(form);
      if (p.start) *q.mutable_start_time() = ToProto(*p.start);
      // The ledger's range is inclusive: end one microsecond before the next period.
      if (p.end) *q.mutable_end_time() = ToProto(*p.end - absl::Microseconds(1));
      v1::ReuseStats r;
      grpc::ClientContext ctx;
      client.Prepare(&ctx);
      grpc::Status s = stub->GetReuseStats(&ctx, q, &r);
      if (!s.ok()) return ReportRpcError(s);
      const double rate = r.fields_requested() > 0
                              ? static_cast<double>(r.fields_prefilled()) / r.fields_requested()
                              : 0;
      Json item = MessageJson(r, /*with_defaults=*/true);
      if (p.start) item["startTime"] = absl::FormatTime(absl::RFC3339_full, *p.start, CityZone());
      if (p.end) item["endTime"] = absl::FormatTime(absl::RFC3339_full, *p.end, CityZone());
      item["reuseRate"] = rate;
      doc["stats"].push_back(std::move(item));
      t.AddRow({form, p.label, absl::StrCat(r.forms_served()), absl::StrCat(r.fields_requested()),
                absl::StrCat(r.fields_prefilled()), absl::StrCat(r.fields_collected()),
                r.fields_requested() > 0 ? absl::StrFormat("%.1f%%", rate * 100) : "-"});
    }
  }
  return EmitDocument(g, doc, [&](std::ostream& out) { t.Print(out); });
}

void AddReuseCommands(CLI::App& app, const Globals& g, Action* action) {
  CLI::App* cmd = app.add_subcommand(
      "reuse", "the reuse ledger: forms served pre-filled and fields not collected again");
  cmd->require_subcommand(1);
  cmd->footer("Example: registryctl reuse stats");

  auto o = std::make_shared<StatsOpts>();
  CLI::App* stats = cmd->add_subcommand(
      "stats", "reuse counts per matter or bundle (all of them by default), per period");
  stats->add_option("FORM", o->forms, "matters/{id} or bundles/{id} (or a matter id); repeatable");
  stats->add_option("--since", o->since, "from this date (city time) or RFC 3339 time");
  stats->add_option("--until", o->until, "to this date or time (exclusive)");
  stats->add_option("--by", o->by, "one row per day, week or month from --since")
      ->check(OneOf("--by", {"day", "week", "month"}));
  stats->footer(
      "Example: registryctl reuse stats matters/legal-representative-change --since 2026-01-01 "
      "--by month");
  stats->callback([&g, action, o] { *action = [&g, o] { return RunStats(g, *o); }; });
}

}  // namespace

REGISTRYCTL_COMMAND_GROUP(AddReuseCommands, 65);

}  // namespace collectonce::registryctl
