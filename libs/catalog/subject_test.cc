#include "libs/catalog/subject.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/base/status_matchers.h"

namespace collectonce::catalog {
namespace {

namespace v1 = ::collectonce::registry::v1;

using ::collectonce::testing::IsOk;
using ::collectonce::testing::IsOkAndHolds;
using ::collectonce::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

SubjectName Name(v1::SubjectKind kind, std::string id) {
  SubjectName n;
  n.kind = kind;
  n.id = std::move(id);
  return n;
}

TEST(SubjectNameTest, ParsesEnterprises) {
  for (const char* code :
       {"91350400MA2YQ8KX1E", "91350404MA31GY5T0Y", "91110000802100433B", "913504000000000390"}) {
    SCOPED_TRACE(code);
    const std::string name = std::string("enterprises/") + code;
    auto parsed = ParseSubjectName(name);
    ASSERT_THAT(parsed, IsOkAndHolds(Name(v1::ENTERPRISE, code)));
    EXPECT_EQ(parsed->ToString(), name);
  }
}

TEST(SubjectNameTest, UpperCasesEnterpriseCodes) {
  auto parsed = ParseSubjectName("enterprises/91350400ma2yq8kx1e");
  ASSERT_THAT(parsed, IsOkAndHolds(Name(v1::ENTERPRISE, "91350400MA2YQ8KX1E")));
  EXPECT_EQ(parsed->ToString(), "enterprises/91350400MA2YQ8KX1E");
}

TEST(SubjectNameTest, RejectsBadCreditCodes) {
  EXPECT_THAT(ParseSubjectName("enterprises/91350400MA2YQ8KX1F"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("enterprise name: "),
                             HasSubstr("check character is 'F', expected 'E'"))));
  EXPECT_THAT(ParseSubjectName("enterprises/"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must be 18 characters")));
  EXPECT_THAT(ParseSubjectName("enterprises/91350400MA2YQ8KX1"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must be 18 characters")));
  EXPECT_THAT(ParseSubjectName("enterprises/91350400MA2YQ8KX1E/x"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must be 18 characters")));
  // 'I' is not in the GB 32100 alphabet.
  EXPECT_THAT(ParseSubjectName("enterprises/91350400MI2YQ8KX1E"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("character 10")));
}

TEST(SubjectNameTest, ParsesPersons) {
  for (const char* pid : {"abc", "p-7f3a9c", "a0-", "z9y8x7"}) {
    SCOPED_TRACE(pid);
    const std::string name = std::string("persons/") + pid;
    auto parsed = ParseSubjectName(name);
    ASSERT_THAT(parsed, IsOkAndHolds(Name(v1::PERSON, pid)));
    EXPECT_EQ(parsed->ToString(), name);
  }
  const std::string longest(63, 'q');
  EXPECT_THAT(ParseSubjectName("persons/" + longest), IsOkAndHolds(Name(v1::PERSON, longest)));
}

TEST(SubjectNameTest, RejectsPidsOfTheWrongLength) {
  EXPECT_THAT(ParseSubjectName("persons/ab"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("person id must be 3 to 63 characters, got 2")));
  EXPECT_THAT(ParseSubjectName("persons/"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("got 0")));
  EXPECT_THAT(ParseSubjectName("persons/" + std::string(64, 'q')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("got 64")));
}

TEST(SubjectNameTest, AnIdNumberIsNeverAPid) {
  for (const char* number :
       {"350403194503120012", "350481199208152048", "11010519491231002X", "11010519491231002x"}) {
    SCOPED_TRACE(number);
    auto parsed = ParseSubjectName(std::string("persons/") + number);
    EXPECT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument,
                                 AllOf(HasSubstr("person id character 1 is not allowed"),
                                       Not(HasSubstr(number)))));
  }
}

TEST(SubjectNameTest, RejectsBadPidCharacters) {
  EXPECT_THAT(ParseSubjectName("persons/Abc"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("character 1 ")));
  EXPECT_THAT(ParseSubjectName("persons/-ab"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("character 1 ")));
  EXPECT_THAT(ParseSubjectName("persons/a_b"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("character 2 ")));
  EXPECT_THAT(ParseSubjectName("persons/abC"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("character 3 ")));
  EXPECT_THAT(ParseSubjectName("persons/ab/c"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("character 3 ")));
  EXPECT_THAT(ParseSubjectName("persons/张三丰"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(SubjectNameTest, RejectsOtherTextWithoutEchoingIt) {
  for (const char* text :
       {"350403194503120012", "person/abc", "enterprise/91350400MA2YQ8KX1E",
        "Enterprises/91350400MA2YQ8KX1E", "PERSONS/abc", "", "/persons/abc", "catalogs/person"}) {
    SCOPED_TRACE(text);
    auto parsed = ParseSubjectName(text);
    EXPECT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("expected enterprises/{uscc} or persons/{pid}")));
    if (*text != '\0') {
      EXPECT_THAT(std::string(parsed.status().message()), Not(HasSubstr(text)));
    }
  }
}

TEST(SubjectKindTest, Names) {
  EXPECT_EQ(KindName(v1::ENTERPRISE), "enterprise");
  EXPECT_EQ(KindName(v1::PERSON), "person");
  EXPECT_EQ(KindName(v1::SUBJECT_KIND_UNSPECIFIED), "unspecified");
  EXPECT_EQ(CollectionOf(v1::ENTERPRISE), "enterprises");
  EXPECT_EQ(CollectionOf(v1::PERSON), "persons");
  EXPECT_EQ(CollectionOf(v1::SUBJECT_KIND_UNSPECIFIED), "");
}

TEST(SubjectKindTest, ParsesKindNames) {
  EXPECT_THAT(ParseKindName("enterprise"), IsOkAndHolds(v1::ENTERPRISE));
  EXPECT_THAT(ParseKindName("enterprises"), IsOkAndHolds(v1::ENTERPRISE));
  EXPECT_THAT(ParseKindName("person"), IsOkAndHolds(v1::PERSON));
  EXPECT_THAT(ParseKindName("persons"), IsOkAndHolds(v1::PERSON));
  for (const char* bad : {"", "Person", "ENTERPRISE", "company", "unspecified", "person "}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(ParseKindName(bad), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("use enterprise or person")));
  }
}

TEST(SubjectKindTest, KindNamesRoundTrip) {
  for (v1::SubjectKind kind : {v1::ENTERPRISE, v1::PERSON}) {
    EXPECT_THAT(ParseKindName(KindName(kind)), IsOkAndHolds(kind));
    EXPECT_THAT(ParseKindName(CollectionOf(kind)), IsOkAndHolds(kind));
  }
}

TEST(SubjectNameTest, ToStringOfAPerson) {
  EXPECT_EQ(Name(v1::PERSON, "p-1").ToString(), "persons/p-1");
}

}  // namespace
}  // namespace collectonce::catalog
