#include "services/console/render.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace collectonce::console {

absl::Status LoadTemplates() {
  for (const EmbeddedFile& f : EmbeddedFiles()) {
    if (!absl::EndsWith(f.name, ".tpl")) continue;
    if (!ctemplate::StringToTemplateCache(f.name, f.content, ctemplate::DO_NOT_STRIP)) {
      return absl::InternalError(absl::StrCat("template ", f.name, " does not parse"));
    }
  }
  return absl::OkStatus();
}

const std::string& Stylesheet() {
  static const std::string* css = [] {
    for (const EmbeddedFile& f : EmbeddedFiles()) {
      if (std::string(f.name) == "console.css") return new std::string(f.content);
    }
    return new std::string();
  }();
  return *css;
}

Page::Page(std::string name, std::string title) : name_(std::move(name)), root_("page") {
  header_ = root_.AddIncludeDictionary("HEADER");
  header_->SetFilename("header.tpl");
  header_->SetValue("TITLE", title);
  footer_ = root_.AddIncludeDictionary("FOOTER");
  footer_->SetFilename("footer.tpl");
  root_.SetValue("TITLE", title);
}

void Page::SetSession(const Session& session) {
  root_.SetValue("CSRF", session.csrf);
  header_->SetValue("CSRF", session.csrf);
  if (session.signed_in()) {
    header_->ShowSection("SIGNED_IN");
    header_->SetValue("PRINCIPAL", session.label);
  }
  header_->ShowSection(session.certificate ? "CERTIFICATE" : "CHOSEN");
  footer_->ShowSection(session.certificate ? "CERTIFICATE" : "CHOSEN");
}

void Page::Error(const std::string& message, const std::string& reason) {
  auto* e = header_->AddSectionDictionary("ERROR");
  e->SetValue("MESSAGE", message);
  if (!reason.empty()) {
    e->ShowSection("HAS_REASON");
    e->SetValue("REASON", reason);
  }
}

void Page::Notice(const std::string& message) {
  header_->AddSectionDictionary("NOTICE")->SetValue("MESSAGE", message);
}

std::string Page::Render() const {
  std::string out;
  ctemplate::ExpandTemplate(name_, ctemplate::DO_NOT_STRIP, &root_, &out);
  return out;
}

}  // namespace collectonce::console
