// Evidence types are checked like matters: the shipped examples hold, and every problem of
// a bad one is reported.
#include "libs/evidence/evidence_type.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "libs/catalog/catalog.h"

namespace collectonce::evidence {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <typename T>
T ParseFile(const std::string& path) {
  T m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(Read(path), &m)) << path;
  return m;
}

const std::string kExamples = std::string(COLLECTONCE_SOURCE_DIR) + "/deploy/examples";

class EvidenceTypeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* kind : {"enterprise", "person"}) {
      auto c =
          catalog::ParseCatalogText(Read(absl::StrCat(kExamples, "/catalog/", kind, ".txtpb")));
      ASSERT_TRUE(c.ok()) << c.status();
      auto compiled = catalog::Catalog::Compile(*c);
      ASSERT_TRUE(compiled.ok()) << compiled.status();
      catalogs_[compiled->get()->kind()] = *compiled;
    }
    for (const auto& e : std::filesystem::directory_iterator(kExamples + "/matters")) {
      auto m = ParseFile<v1::Matter>(e.path().string());
      matters_[m.name()] = m;
    }
    for (const auto& e : std::filesystem::directory_iterator(kExamples + "/principals")) {
      principals_.insert(ParseFile<v1::Principal>(e.path().string()).name());
    }
  }

  catalog::Violations Check(const v1::EvidenceType& t) {
    catalog::Violations v;
    auto it = catalogs_.find(t.subject_kind());
    ValidateEvidenceType(
        t, it == catalogs_.end() ? nullptr : it->second.get(),
        [this](const std::string& m) -> const v1::Matter* {
          auto found = matters_.find(m);
          return found == matters_.end() ? nullptr : &found->second;
        },
        [this](const std::string& p) { return principals_.count(p) > 0; }, &v);
    return v;
  }

  v1::EvidenceType MaritalStatus() {
    return ParseFile<v1::EvidenceType>(kExamples + "/evidence-types/marital-status.txtpb");
  }

  std::map<v1::SubjectKind, std::shared_ptr<const catalog::Catalog>> catalogs_;
  std::map<std::string, v1::Matter> matters_;
  std::set<std::string> principals_;
};

TEST_F(EvidenceTypeTest, ShippedExamplesAreValid) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(kExamples + "/evidence-types")) {
    auto t = ParseFile<v1::EvidenceType>(e.path().string());
    EXPECT_THAT(Check(t), IsEmpty()) << e.path();
    ++n;
  }
  EXPECT_EQ(n, 3);
}

TEST_F(EvidenceTypeTest, ReportsEveryProblem) {
  v1::EvidenceType t = MaritalStatus();
  t.set_name("evidence-types/Marital");
  t.clear_title();
  t.clear_legal_basis();
  t.mutable_validity()->set_seconds(10);
  t.add_fields("marital_status");  // twice
  t.add_fields("shoe_size");       // not in the catalog
  t.add_fields("education");       // not pre-filled by real-estate-transfer
  t.mutable_requesters(0)->set_principal("principals/nobody");
  t.add_requesters()->set_principal("principals/approval-tax");           // no matters
  t.mutable_requesters(1)->add_matters("matters/enterprise-tax-change");  // wrong kind
  const catalog::Violations v = Check(t);
  auto rule = [](const std::string& field, const std::string& r) {
    return AllOf(Field(&catalog::Violation::field, field), Field(&catalog::Violation::rule, r));
  };
  EXPECT_THAT(v, Contains(rule("name", "NAME")));
  EXPECT_THAT(v, Contains(rule("title", "REQUIRED")));
  EXPECT_THAT(v, Contains(rule("legal_basis", "REQUIRED")));
  EXPECT_THAT(v, Contains(rule("validity", "RANGE")));
  EXPECT_THAT(v, Contains(rule("fields[3]", "DUPLICATE")));
  EXPECT_THAT(v, Contains(rule("fields[4]", "UNKNOWN_FIELD")));
  EXPECT_THAT(v, Contains(rule("requesters[0].principal", "UNKNOWN_PRINCIPAL")));
  EXPECT_THAT(v, Contains(rule("requesters[0].matters[0]", "FIELD_NOT_PREFILLED")));
  EXPECT_THAT(v, Contains(rule("requesters[1].matters[1]", "WRONG_KIND")));
  EXPECT_THAT(v, Contains(rule("requesters[3].matters", "REQUIRED")));
}

TEST_F(EvidenceTypeTest, EachFieldIsCarriedAsAClaimOfItsOwn) {
  v1::EvidenceType t =
      ParseFile<v1::EvidenceType>(kExamples + "/evidence-types/enterprise-registration.txtpb");
  auto rule = [](const std::string& field, const std::string& r) {
    return AllOf(Field(&catalog::Violation::field, field), Field(&catalog::Violation::rule, r));
  };
  // The registration status would collide with the status-list claim of every credential.
  const int status = static_cast<int>(std::find(t.fields().begin(), t.fields().end(), "status") -
                                      t.fields().begin());
  ASSERT_LT(status, t.fields_size());
  EXPECT_EQ(ClaimName(t, "status"), "registration_status");
  EXPECT_EQ(ClaimName(t, "name"), "name");
  v1::EvidenceType bare = t;
  bare.clear_claim_names();
  EXPECT_THAT(Check(bare),
              ElementsAre(rule(absl::StrCat("fields[", status, "]"), "RESERVED_CLAIM")));
  v1::EvidenceType bad = t;
  (*bad.mutable_claim_names())["status"] = "sub";
  (*bad.mutable_claim_names())["name"] = "Name!";
  (*bad.mutable_claim_names())["registered_capital"] = "enterprise_type";  // another field's
  (*bad.mutable_claim_names())["mobile_phone"] = "phone";                  // not attested
  const catalog::Violations v = Check(bad);
  EXPECT_THAT(v, Contains(rule("claim_names[status]", "RESERVED_CLAIM")));
  EXPECT_THAT(v, Contains(rule("claim_names[name]", "CLAIM_NAME")));
  EXPECT_THAT(v, Contains(rule("claim_names[registered_capital]", "DUPLICATE_CLAIM")));
  EXPECT_THAT(v, Contains(rule("claim_names[mobile_phone]", "UNKNOWN_FIELD")));
}

TEST_F(EvidenceTypeTest, NeedsTheCatalogOfItsKind) {
  v1::EvidenceType t = MaritalStatus();
  catalogs_.clear();
  EXPECT_THAT(Check(t), Contains(Field(&catalog::Violation::rule, "NO_CATALOG")));
}

}  // namespace
}  // namespace collectonce::evidence
