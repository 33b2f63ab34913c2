#include "tools/registryctl/paging.h"

#include "absl/strings/str_cat.h"

namespace collectonce::registryctl {

void AddPageFlags(CLI::App* list, PageFlags* f, const std::string& what, bool with_page_size) {
  list->add_option("--limit", f->limit,
                   absl::StrCat("stop after N ", what, " (default: all of them)"))
      ->check(IntRange(1, INT32_MAX));
  if (with_page_size) {
    list->add_option("--page-size", f->page_size, absl::StrCat(what, " per call (at most 1000)"))
        ->check(IntRange(1, 1000));
  }
  list->add_option("--page-token", f->page_token,
                   "continue a listing from the token a --limit run printed");
}

void SayHowToContinue(const PageFlags& f, const std::string& next_page_token) {
  if (next_page_token.empty()) return;
  std::cerr << "(--limit " << f.limit << " reached; more: raise --limit, or continue with "
            << "--page-token " << next_page_token << ")\n";
}

}  // namespace collectonce::registryctl
