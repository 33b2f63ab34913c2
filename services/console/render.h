// Pages from ctemplate templates that escape every value by its HTML context
// (AUTOESCAPE context="HTML"); no page is assembled from strings around values. The
// templates are compiled into the binary (templates/*.tpl, embedded at build time).
#ifndef COLLECTONCE_SERVICES_CONSOLE_RENDER_H_
#define COLLECTONCE_SERVICES_CONSOLE_RENDER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ctemplate/template.h"
#include "services/console/session.h"

namespace collectonce::console {

struct EmbeddedFile {
  const char* name;
  const char* content;
};
// Generated: every file of templates/ and console.css.
const std::vector<EmbeddedFile>& EmbeddedFiles();

// Puts the embedded templates in ctemplate's cache; INTERNAL if one does not parse.
// Call once before serving.
[[nodiscard]] absl::Status LoadTemplates();

// The stylesheet served at /static/console.css.
const std::string& Stylesheet();

// One page: `name`'s template with the shared header and footer.
class Page {
 public:
  Page(std::string name, std::string title);
  ctemplate::TemplateDictionary* dict() { return &root_; }
  // The signed-in principal and the CSRF token, in the header and for the page's forms.
  void SetSession(const Session& session);
  // An error box: a Chinese message and the registry's reason code (may be empty).
  void Error(const std::string& message, const std::string& reason);
  void Notice(const std::string& message);
  std::string Render() const;

 private:
  std::string name_;
  ctemplate::TemplateDictionary root_;
  ctemplate::TemplateDictionary* header_;
  ctemplate::TemplateDictionary* footer_;
};

}  // namespace collectonce::console

#endif  // COLLECTONCE_SERVICES_CONSOLE_RENDER_H_
