#include "libs/authz/policy.h"

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "libs/authz/validate.h"
#include "libs/base/error_reason.h"

namespace collectonce::authz {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

template <typename T>
T Text(const std::string& s) {
  T m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(s, &m)) << s;
  return m;
}

std::shared_ptr<const catalog::Catalog> PersonCatalog() {
  auto c = catalog::Catalog::Compile(Text<v1::Catalog>(R"tp(
    kind: PERSON lookup_field: "id_number"
    sources { name: "ps" }
    fields { name: "id_number" label: "公民身份号码" type: STRING format: RESIDENT_ID_NUMBER sharing: CONDITIONAL }
    fields { name: "name" label: "姓名" type: STRING sharing: UNCONDITIONAL }
    fields { name: "gender" label: "性别" type: STRING sharing: UNCONDITIONAL }
    fields { name: "ethnicity" label: "民族" type: STRING sharing: NOT_SHARED }
    fields { name: "mobile_phone" label: "手机" type: STRING sharing: CONDITIONAL })tp"));
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = PersonCatalog();
    matters_ = {
        Text<v1::Matter>(R"tp(name: "matters/fee" subject_kind: PERSON source: "tax"
            form_fields { catalog_field: "id_number" use: PREFILL }
            form_fields { catalog_field: "name" use: PREFILL }
            form_fields { catalog_field: "mobile_phone" use: PREFILL write_back: true })tp"),
        Text<v1::Matter>(R"tp(name: "matters/transfer" subject_kind: PERSON source: "real-estate"
            form_fields { catalog_field: "name" use: PREFILL }
            form_fields { catalog_field: "gender" use: PREFILL_MASKED }
            form_fields { catalog_field: "ethnicity" use: PREFILL }
            form_fields { catalog_field: "mobile_phone" use: COLLECT write_back: true })tp"),
        Text<v1::Matter>(R"tp(name: "matters/company" subject_kind: ENTERPRISE
            form_fields { catalog_field: "name" use: PREFILL })tp"),
    };
    bundles_ = {Text<v1::Bundle>(
        R"tp(name: "bundles/home-visit" matters: "matters/fee" matters: "matters/transfer")tp")};
    principals_ = {
        Text<v1::Principal>(R"tp(name: "principals/tax" identity: "tax" roles: APPROVAL_SYSTEM
            grants { matter: "matters/fee" clear_fields: "id_number" clear_fields: "name" })tp"),
        Text<v1::Principal>(R"tp(name: "principals/window" identity: "window" roles: APPROVAL_SYSTEM
            source: "service-center"
            grants { matter: "bundles/home-visit" write_back: true })tp"),
        Text<v1::Principal>(R"tp(name: "principals/audit" identity: "audit" roles: AUDITOR)tp"),
    };
    policy_ = Policy::Build(principals_, matters_, bundles_, "boot");
  }

  const v1::Principal& P(const std::string& identity) { return *policy_->FindIdentity(identity); }

  std::shared_ptr<const catalog::Catalog> catalog_;
  std::vector<v1::Matter> matters_;
  std::vector<v1::Bundle> bundles_;
  std::vector<v1::Principal> principals_;
  std::shared_ptr<const Policy> policy_;
};

TEST_F(PolicyTest, GrantClearFieldsDecideWhatIsClearAndWhatMasked) {
  auto r = policy_->AuthorizeRead(P("tax"), "matters/fee", v1::PERSON, *catalog_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(
      *r, UnorderedElementsAre(Pair("id_number", Release::kClear), Pair("name", Release::kClear),
                               Pair("mobile_phone", Release::kMasked)));
}

TEST_F(PolicyTest, BundleIsTheUnionOfItsMattersWithCollectAndNotSharedDenied) {
  auto r = policy_->AuthorizeRead(P("window"), "bundles/home-visit", v1::PERSON, *catalog_);
  ASSERT_TRUE(r.ok()) << r.status();
  // id_number and mobile_phone are conditionally shared and the grant names no field:
  // masked; gender is PREFILL_MASKED; ethnicity is never shared; mobile_phone is collected
  // by one matter but pre-filled (masked) by the other.
  EXPECT_THAT(*r, UnorderedElementsAre(
                      Pair("id_number", Release::kMasked), Pair("name", Release::kClear),
                      Pair("gender", Release::kMasked), Pair("mobile_phone", Release::kMasked)));
  // The tax bureau holds one matter of the bundle: it sees that matter's fields only.
  auto tax = policy_->AuthorizeRead(P("tax"), "bundles/home-visit", v1::PERSON, *catalog_);
  ASSERT_TRUE(tax.ok());
  EXPECT_FALSE(tax->contains("gender"));
}

TEST_F(PolicyTest, RefusalsCarryReasons) {
  auto r = policy_->AuthorizeRead(P("tax"), "matters/transfer", v1::PERSON, *catalog_);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(r.status()), "NO_GRANT_FOR_PURPOSE");
  r = policy_->AuthorizeRead(P("tax"), "", v1::PERSON, *catalog_);
  EXPECT_EQ(ReasonOf(r.status()), "PURPOSE_REQUIRED");
  r = policy_->AuthorizeRead(P("tax"), "matters/nope", v1::PERSON, *catalog_);
  EXPECT_EQ(ReasonOf(r.status()), "UNKNOWN_PURPOSE");
  r = policy_->AuthorizeRead(P("tax"), "matters/fee", v1::ENTERPRISE, *catalog_);
  EXPECT_EQ(ReasonOf(r.status()), "PURPOSE_NOT_FOR_THIS_KIND");
  r = policy_->AuthorizeRead(P("audit"), "matters/fee", v1::PERSON, *catalog_);
  EXPECT_EQ(ReasonOf(r.status()), "ROLE_MAY_NOT_READ_RECORDS");
}

TEST_F(PolicyTest, WritesGoUnderTheCollectingMattersSource) {
  auto w =
      policy_->AuthorizeWrite(P("window"), "bundles/home-visit", "", v1::PERSON, {"mobile_phone"});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->source, "tax");  // the first matter of the bundle that writes it back
  EXPECT_EQ(w->matter, "bundles/home-visit");
  w = policy_->AuthorizeWrite(P("window"), "bundles/home-visit", "", v1::PERSON, {"name"});
  EXPECT_EQ(ReasonOf(w.status()), "FIELD_NOT_WRITABLE");
  w = policy_->AuthorizeWrite(P("tax"), "matters/fee", "", v1::PERSON, {"mobile_phone"});
  EXPECT_EQ(ReasonOf(w.status()), "NO_WRITE_GRANT");
  w = policy_->AuthorizeWrite(P("audit"), "matters/fee", "", v1::PERSON, {"name"});
  EXPECT_EQ(ReasonOf(w.status()), "ROLE_MAY_NOT_WRITE");
  // Bootstrap governance writes any field under the source it declares.
  w = policy_->AuthorizeWrite(P("boot"), "", "ps", v1::PERSON, {"name", "ethnicity"});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->source, "ps");
}

TEST_F(PolicyTest, EachValueOfABundleGoesUnderTheSourceOfTheMatterThatCollectsIt) {
  std::vector<v1::Matter> matters = matters_;
  matters[1] = Text<v1::Matter>(R"tp(name: "matters/transfer" subject_kind: PERSON
      source: "real-estate"
      form_fields { catalog_field: "mobile_phone" use: COLLECT write_back: true }
      form_fields { catalog_field: "gender" use: COLLECT write_back: true })tp");
  std::shared_ptr<const Policy> policy = Policy::Build(principals_, matters, bundles_, "boot");
  const v1::Principal& window = *policy->FindIdentity("window");
  auto w = policy->AuthorizeWrite(window, "bundles/home-visit", "", v1::PERSON,
                                  {"gender", "mobile_phone"});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->source, "tax");  // the fee matter comes first and collects mobile_phone
  EXPECT_THAT(w->field_sources, ElementsAre(Pair("gender", "real-estate")));
  // Values of one department alone: the change set's source is that department's.
  w = policy->AuthorizeWrite(window, "bundles/home-visit", "", v1::PERSON, {"gender"});
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->source, "real-estate");
  EXPECT_THAT(w->field_sources, IsEmpty());
}

TEST(ValidateTest, ObjectsReferToWhatExists) {
  catalog::Violations v;
  ValidateBundle(
      Text<v1::Bundle>(R"tp(name: "bundles/x" title: "t" matters: "matters/a"
                                       matters: "matters/a" matters: "matters/zz")tp"),
      [](const std::string& m) { return m == "matters/a"; }, &v);
  std::vector<std::string> rules;
  for (const auto& x : v) rules.push_back(x.field + "/" + x.rule);
  EXPECT_THAT(rules, UnorderedElementsAre("matters[1]/DUPLICATE", "matters[2]/UNKNOWN_MATTER"));
  v.clear();
  ValidatePrincipal(
      Text<v1::Principal>(R"tp(name: "principals/Bad" identity: "x")tp"),
      [](const std::string&) { return true; },
      [](const std::string&) { return std::string("principals/other"); }, &v);
  rules.clear();
  for (const auto& x : v) rules.push_back(x.field + "/" + x.rule);
  EXPECT_THAT(rules, UnorderedElementsAre("name/NAME", "identity/DUPLICATE", "roles/REQUIRED"));
  EXPECT_TRUE(IsResourceName("matters/legal-representative-change", "matters"));
  EXPECT_FALSE(IsResourceName("matters/-x", "matters"));
  EXPECT_FALSE(IsResourceName("matters/", "matters"));
}

}  // namespace
}  // namespace collectonce::authz
