#include "services/reuse-gateway/form.h"

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace collectonce::reuse {
namespace {

using ::testing::ElementsAre;

template <typename T>
T Text(const std::string& s) {
  T m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(s, &m)) << s;
  return m;
}

std::shared_ptr<const catalog::Catalog> Catalog() {
  auto c = catalog::Catalog::Compile(Text<v1::Catalog>(R"tp(
    kind: PERSON lookup_field: "id_number"
    fields { name: "id_number" label: "公民身份号码" type: STRING format: RESIDENT_ID_NUMBER }
    fields { name: "name" label: "姓名" type: STRING }
    fields { name: "mobile_phone" label: "手机号码" type: STRING freshness { seconds: 86400 } }
    fields { name: "marital_status" label: "婚姻状况" type: STRING }
    fields { name: "gender" label: "性别" type: STRING })tp"));
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

std::vector<v1::Matter> Matters() {
  return {Text<v1::Matter>(R"tp(name: "matters/fee" subject_kind: PERSON
              form_fields { key: "sfzh" catalog_field: "id_number" use: PREFILL required: true }
              form_fields { key: "xm" catalog_field: "name" use: PREFILL }
              form_fields { key: "sjhm" catalog_field: "mobile_phone" use: PREFILL })tp"),
          Text<v1::Matter>(R"tp(name: "matters/transfer" subject_kind: PERSON
              form_fields { key: "qlrxm" catalog_field: "name" use: PREFILL }
              form_fields { key: "lxdh" catalog_field: "mobile_phone" use: COLLECT write_back: true }
              form_fields { key: "hyzk" catalog_field: "marital_status" use: PREFILL_MASKED }
              form_fields { key: "xb" catalog_field: "gender" use: PREFILL })tp")};
}

TEST(FormTest, ABundleListsEachFieldOnceWithTheStrongestUse) {
  auto form = BuildForm("bundles/visit", "上门办", Matters(), Catalog());
  ASSERT_TRUE(form.ok()) << form.status();
  EXPECT_THAT(form->CatalogFields(),
              ElementsAre("id_number", "name", "mobile_phone", "marital_status", "gender"));
  const FormField* name = form->Find("name");
  EXPECT_EQ(name->key, "xm");  // the first matter's key
  EXPECT_THAT(name->matters, ElementsAre("matters/fee", "matters/transfer"));
  const FormField* phone = form->Find("mobile_phone");
  EXPECT_EQ(phone->use, v1::FormField::COLLECT);  // one matter collects a new number
  EXPECT_TRUE(phone->write_back);
  EXPECT_TRUE(form->Find("id_number")->required);
}

TEST(FormTest, MixedKindsAreRefused) {
  auto matters = Matters();
  matters[1].set_subject_kind(v1::ENTERPRISE);
  EXPECT_FALSE(BuildForm("bundles/x", "x", matters, Catalog()).ok());
}

TEST(FormTest, StatesFollowTheRecordTheGrantsAndFreshness) {
  auto form = BuildForm("bundles/visit", "上门办", Matters(), Catalog());
  ASSERT_TRUE(form.ok());
  const absl::Time now = absl::FromUnixSeconds(1772326800);
  v1::Record record = Text<v1::Record>(R"tp(
    name: "persons/abc" revision: 3 etag: "3-9"
    fields { field: "name" value { string_value: "宋文富" }
             provenance { source: "ps" commit_time { seconds: 1772326000 } } }
    fields { field: "mobile_phone" value { string_value: "13905981234" }
             provenance { commit_time { seconds: 1700000000 } } }
    fields { field: "marital_status" value { string_value: "**" } masked: true
             provenance { commit_time { seconds: 1772326000 } } }
    withheld_fields: "gender")tp");
  gw::PrefillFormResponse out;
  PrefillCounts counts = FillPrefill(*form, &record, now, &out);
  std::map<std::string, gw::FormFieldValue::State> states;
  for (const auto& f : out.fields()) states[f.catalog_field()] = f.state();
  EXPECT_EQ(states["id_number"], gw::FormFieldValue::MISSING);  // no value yet
  EXPECT_EQ(states["name"], gw::FormFieldValue::PREFILLED);
  EXPECT_EQ(states["mobile_phone"], gw::FormFieldValue::MISSING);  // collected anew
  EXPECT_EQ(states["marital_status"], gw::FormFieldValue::MASKED);
  EXPECT_EQ(states["gender"], gw::FormFieldValue::DENIED);
  EXPECT_EQ(counts.requested, 5);
  EXPECT_EQ(counts.prefilled, 2);
  EXPECT_EQ(out.prefilled_count(), 2);
  EXPECT_EQ(out.etag(), "3-9");
  EXPECT_EQ(out.fields(1).age().seconds(), 800);

  // A value older than the catalog's freshness is served as STALE.
  auto fee = BuildForm("matters/fee", "fee", {Matters()[0]}, Catalog());
  gw::PrefillFormResponse stale;
  FillPrefill(*fee, &record, now, &stale);
  EXPECT_EQ(stale.fields(2).catalog_field(), "mobile_phone");
  EXPECT_EQ(stale.fields(2).state(), gw::FormFieldValue::STALE);

  // No file yet: everything is to be collected.
  gw::PrefillFormResponse none;
  counts = FillPrefill(*form, nullptr, now, &none);
  EXPECT_EQ(counts.prefilled, 0);
  for (const auto& f : none.fields()) EXPECT_EQ(f.state(), gw::FormFieldValue::MISSING);
}

TEST(FormTest, AContestedValueIsShownButNotCountedAsReused) {
  auto fee = BuildForm("matters/fee", "fee", {Matters()[0]}, Catalog());
  ASSERT_TRUE(fee.ok());
  const absl::Time now = absl::FromUnixSeconds(1772326800);
  v1::Record record = Text<v1::Record>(R"tp(
    name: "persons/abc" revision: 3 etag: "3-9"
    fields { field: "name" value { string_value: "宋文富" } contested: true
             provenance { source: "ps" commit_time { seconds: 1772326000 } } }
    fields { field: "mobile_phone" value { string_value: "13905981234" }
             provenance { commit_time { seconds: 1772326000 } } })tp");
  gw::PrefillFormResponse out;
  PrefillCounts counts = FillPrefill(*fee, &record, now, &out);
  ASSERT_EQ(out.fields(1).catalog_field(), "name");
  EXPECT_EQ(out.fields(1).state(), gw::FormFieldValue::CONTESTED);
  EXPECT_EQ(out.fields(1).value().string_value(), "宋文富");
  EXPECT_EQ(out.fields(1).provenance().source(), "ps");
  EXPECT_EQ(out.fields(2).state(), gw::FormFieldValue::PREFILLED);
  EXPECT_EQ(counts.prefilled, 1);
  EXPECT_EQ(out.prefilled_count(), 1);
}

}  // namespace
}  // namespace collectonce::reuse
