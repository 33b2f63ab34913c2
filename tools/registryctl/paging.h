// Listings page on their own, as kubectl's do: every list command follows page tokens until
// the listing ends, or stops at --limit and says how to go on with --page-token.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_PAGING_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_PAGING_H_

#include <cstdint>
#include <iostream>
#include <string>
#include <utility>

#include "CLI/CLI.hpp"
#include "grpcpp/support/status.h"
#include "tools/registryctl/client.h"
#include "tools/registryctl/flag_values.h"
#include "tools/registryctl/globals.h"

namespace collectonce::registryctl {

struct PageFlags {
  int64_t limit = 0;      // 0: all of them
  int32_t page_size = 0;  // 0: the largest page the registry gives
  std::string page_token;
};

// --limit and --page-token on `list`; --page-size too when `with_page_size` (listings whose
// pages cost the registry enough that a caller may want smaller ones).
void AddPageFlags(CLI::App* list, PageFlags* f, const std::string& what,
                  bool with_page_size = false);

// On stderr, when --limit stopped a listing that has more: how to go on.
void SayHowToContinue(const PageFlags& f, const std::string& next_page_token);

// Follows page tokens from f.page_token until the listing ends or f.limit items are in.
// `fetch(page_size, token, &page)` reads one page (a fresh ClientContext each time);
// `items(&response)` is its repeated field. The last page's token is kept in
// all->next_page_token(), to continue from, and said on stderr (SayHowToContinue). Exit code
// kExitOk, or the call's error reported.
template <typename Response, typename Items, typename Fetch>
int ListAll(const PageFlags& f, Response* all, Items items, Fetch fetch) {
  std::string token = f.page_token;
  for (;;) {
    Response page;
    grpc::Status s = fetch(PageSize(f.page_size, f.limit, items(all)->size()), token, &page);
    if (!s.ok()) return ReportRpcError(s);
    for (auto& item : *items(&page)) *items(all)->Add() = std::move(item);
    all->set_next_page_token(page.next_page_token());
    if (page.next_page_token().empty() || LimitReached(f.limit, items(all)->size())) break;
    token = page.next_page_token();
  }
  SayHowToContinue(f, all->next_page_token());
  return kExitOk;
}

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_PAGING_H_
