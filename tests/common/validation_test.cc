// Every problem of a request at once (common/validation.h), and the rich error details
// that carry them to a caller (common/grpc/status_mapping.h).
#include "common/validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/grpc/status_mapping.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace safeguard::validation {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

TEST(ViolationsTest, EveryProblemIsReportedInTheMessageAndAsFieldViolations) {
  Violations problems;
  EXPECT_TRUE(problems.Check(absl::OkStatus()));
  EXPECT_FALSE(problems.Check(RequireText("conviction.offence", "", 200)));
  EXPECT_FALSE(problems.Take(RequireDate("conviction.offence_date", "2020-02-30")).has_value());
  problems.Add("conviction.court", "is required");
  const absl::Status status = problems.status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "conviction.offence: is required; conviction.offence_date: is not a real calendar date; "
            "conviction.court: is required");
  EXPECT_THAT(FieldViolationsOf(status),
              ElementsAre(FieldViolation{"conviction.offence", "is required"},
                          FieldViolation{"conviction.offence_date", "is not a real calendar date"},
                          FieldViolation{"conviction.court", "is required"}));
}

TEST(ViolationsTest, NothingFoundIsOkAndOrGivesTheValue) {
  Violations problems;
  EXPECT_TRUE(problems.ok());
  EXPECT_TRUE(problems.status().ok());
  EXPECT_EQ(*problems.Or(7), 7);
}

TEST(ViolationsTest, AnotherKindOfErrorIsReportedInsteadOfFieldViolations) {
  Violations problems;
  problems.Add("a", "is required");
  problems.Check(absl::NotFoundError("no such case"));
  EXPECT_EQ(problems.status().code(), absl::StatusCode::kNotFound);
}

TEST(ViolationsTest, TheSameViolationTwiceIsReportedOnceAndTheListIsBounded) {
  Violations problems;
  problems.Add("a", "is required");
  problems.Add("a", "is required");
  EXPECT_THAT(FieldViolationsOf(problems.status()), SizeIs(1));
  for (size_t i = 0; i < Violations::kMaxReported + 5; ++i) problems.Add(absl::StrCat("list[", i, "]"), "is required");
  EXPECT_THAT(FieldViolationsOf(problems.status()), SizeIs(Violations::kMaxReported));
  EXPECT_THAT(std::string(problems.status().message()), ::testing::EndsWith("; and 6 more"));
}

TEST(ViolationsTest, AFieldErrorMadeWithoutAPayloadIsReadFromItsMessage) {
  EXPECT_THAT(FieldViolationsOf(absl::InvalidArgumentError("header.case_ref: must be a reference")),
              ElementsAre(FieldViolation{"header.case_ref", "must be a reference"}));
  EXPECT_THAT(FieldViolationsOf(absl::FailedPreconditionError("x: y")), SizeIs(0));
}

TEST(StatusMappingTest, FieldViolationsTravelAsGoogleRpcBadRequestDetails) {
  Violations problems;
  problems.Add("conviction.offence", "is required");
  problems.Add("conviction.court", "is required");
  const grpc::Status sent = ToGrpcStatus(problems.status());
  EXPECT_EQ(sent.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(sent.error_message(), "conviction.offence: is required; conviction.court: is required");

  // As any gRPC client with the googleapis protos reads it.
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(sent.error_details()));
  EXPECT_EQ(details.code(), 3);
  ASSERT_THAT(details.details(), SizeIs(1));
  EXPECT_EQ(details.details(0).type_url(), "type.googleapis.com/google.rpc.BadRequest");
  google::rpc::BadRequest bad;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad));
  ASSERT_THAT(bad.field_violations(), SizeIs(2));
  EXPECT_EQ(bad.field_violations(1).field(), "conviction.court");

  EXPECT_THAT(FieldViolationsOf(ToAbslStatus(sent)),
              ElementsAre(FieldViolation{"conviction.offence", "is required"},
                          FieldViolation{"conviction.court", "is required"}));
}

TEST(StatusMappingTest, AnErrorWithoutDetailsSendsNone) {
  EXPECT_TRUE(ToGrpcStatus(absl::NotFoundError("no such person")).error_details().empty());
}

}  // namespace
}  // namespace safeguard::validation
