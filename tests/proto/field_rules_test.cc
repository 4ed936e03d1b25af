// The schema's field rules (proto/safeguard/v1/field_rules.proto) against every command
// validator (tests/fuzz/validators.inc): what the schema marks REQUIRED is what the
// validator refuses without, every such field reported in one answer, and no field the
// schema leaves optional is ever reported as required.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/validation.h"
#include "safeguard/v1/field_rules.pb.h"
#include "common/agency/data_protection_validation.h"
#include "services/childrens/childrens_validation.h"
#include "services/mappa/meetings/meeting_validation.h"
#include "services/police/disclosure_validation.h"
#include "services/police/police_validation.h"
#include "services/probation/probation_validation.h"
#include "tests/fuzz/fuzz_clock.h"
#include "tests/testing/childrens_requests.h"
#include "tests/testing/correction_requests.h"
#include "tests/testing/data_protection_requests.h"
#include "tests/testing/disclosure_requests.h"
#include "tests/testing/meeting_requests.h"
#include "tests/testing/police_requests.h"
#include "tests/testing/probation_requests.h"

namespace safeguard {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
namespace v1 = safeguard::v1;

// One validator: its valid request, and the validator over any request of that type.
struct Validator {
  std::string name;
  std::unique_ptr<Message> valid;
  std::function<absl::Status(const Message&)> validate;
};

std::vector<Validator> AllValidators() {
  using fuzz::kNow;
  using fuzz::kSeedTime;
  using fuzz::kToday;
  namespace t = safeguard::testing;
  std::vector<Validator> all;
#define SAFEGUARD_VALIDATOR(Request, ns, seed, ...)                                                     \
  all.push_back(Validator{#Request, std::make_unique<v1::Request>(seed), [](const Message& m) {         \
                            return ns::Validate(static_cast<const v1::Request&>(m), __VA_ARGS__).status(); \
                          }});
#include "tests/fuzz/validators.inc"
#undef SAFEGUARD_VALIDATOR
  return all;
}

const v1::FieldRule& RuleOf(const FieldDescriptor* f) { return f->options().GetExtension(v1::rule); }

bool IsLeaf(const FieldDescriptor* f) {
  return f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
         f->message_type()->full_name() == "google.protobuf.Timestamp";
}

// A field of the request, by its path, and how to clear it.
struct Place {
  std::string path;
  Message* owner;
  const FieldDescriptor* field;
};

// Every field set in `m` (under `path`), leaves and messages, in the request's order.
void SetFields(Message* m, const std::string& path, std::vector<Place>* out) {
  const Reflection* r = m->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(*m, &fields);
  for (const FieldDescriptor* f : fields) {
    const std::string at = path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
    out->push_back(Place{at, m, f});
    if (IsLeaf(f)) continue;
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(*m, f); ++i) {
        SetFields(r->MutableRepeatedMessage(m, f, i), absl::StrCat(at, "[", i, "]"), out);
      }
    } else {
      SetFields(r->MutableMessage(m, f), at, out);
    }
  }
}

// Whether a violation names `path` or a field inside it.
bool Named(const std::vector<validation::FieldViolation>& violations, const std::string& path) {
  for (const auto& v : violations) {
    if (v.field == path || absl::StartsWith(v.field, path + ".") || absl::StartsWith(v.field, path + "[")) return true;
  }
  return false;
}

// What `v` reports of its valid request with the `index`th field SetFields lists cleared.
std::vector<validation::FieldViolation> ViolationsWithout(const Validator& v, size_t index) {
  std::unique_ptr<Message> request(v.valid->New());
  request->CopyFrom(*v.valid);
  std::vector<Place> places;
  SetFields(request.get(), "", &places);
  places[index].owner->GetReflection()->ClearField(places[index].owner, places[index].field);
  return validation::FieldViolationsOf(v.validate(*request));
}

std::string Describe(const std::vector<validation::FieldViolation>& violations) {
  return absl::StrJoin(violations, "\n", [](std::string* out, const validation::FieldViolation& v) {
    absl::StrAppend(out, "  ", v.field, ": ", v.description);
  });
}

TEST(FieldRulesTest, EveryValidRequestIsValid) {
  for (const Validator& v : AllValidators()) {
    EXPECT_TRUE(v.validate(*v.valid).ok()) << v.name << ": " << v.validate(*v.valid);
  }
}

TEST(FieldRulesTest, EveryRequiredFieldMissingIsReportedInOneAnswer) {
  for (const Validator& v : AllValidators()) {
    std::unique_ptr<Message> request(v.valid->New());
    request->CopyFrom(*v.valid);
    std::vector<Place> places;
    SetFields(request.get(), "", &places);
    std::vector<std::string> cleared;
    // Innermost first, so that clearing a field never frees a place still to visit.
    for (auto it = places.rbegin(); it != places.rend(); ++it) {
      if (!RuleOf(it->field).required() || !IsLeaf(it->field)) continue;
      it->owner->GetReflection()->ClearField(it->owner, it->field);
      cleared.push_back(it->path);
    }
    ASSERT_FALSE(cleared.empty()) << v.name << " has no required field";
    const absl::Status status = v.validate(*request);
    const auto violations = validation::FieldViolationsOf(status);
    ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << v.name << ": " << status;
    for (const std::string& path : cleared) {
      EXPECT_TRUE(Named(violations, path)) << v.name << ": " << path << " (REQUIRED) was cleared, but the answer "
                                           << "does not name it; it named:\n" << Describe(violations);
    }
  }
}

// A required record, or list of records, missing whole.
TEST(FieldRulesTest, EachRequiredRecordMissingIsReported) {
  for (const Validator& v : AllValidators()) {
    std::vector<Place> places;
    std::unique_ptr<Message> probe(v.valid->New());
    probe->CopyFrom(*v.valid);
    SetFields(probe.get(), "", &places);
    for (size_t i = 0; i < places.size(); ++i) {
      if (!RuleOf(places[i].field).required() || IsLeaf(places[i].field)) continue;
      const auto violations = ViolationsWithout(v, i);
      EXPECT_TRUE(Named(violations, places[i].path)) << v.name << ": " << places[i].path << " (REQUIRED) was cleared; "
                                                     << "the answer named:\n" << Describe(violations);
    }
  }
}

TEST(FieldRulesTest, NoOptionalFieldIsReportedAsRequired) {
  for (const Validator& v : AllValidators()) {
    std::vector<Place> places;
    std::unique_ptr<Message> probe(v.valid->New());
    probe->CopyFrom(*v.valid);
    SetFields(probe.get(), "", &places);
    for (size_t i = 0; i < places.size(); ++i) {
      const v1::FieldRule& rule = RuleOf(places[i].field);
      if (rule.required() || !rule.required_when().empty() || !IsLeaf(places[i].field)) continue;
      for (const auto& violation : ViolationsWithout(v, i)) {
        EXPECT_FALSE(violation.field == places[i].path && absl::StrContains(violation.description, "required"))
            << v.name << ": " << places[i].path << " is not REQUIRED in the schema, but clearing it gave "
            << violation.field << ": " << violation.description;
      }
    }
  }
}

// An integrator's first empty request learns every required field of the command at once.
TEST(FieldRulesTest, AnEmptyConvictionNamesEveryRequiredFieldAtOnce) {
  const absl::Status status = police::Validate(v1::RecordConvictionRequest(), fuzz::kToday).status();
  std::vector<std::string> fields;
  for (const auto& v : validation::FieldViolationsOf(status)) fields.push_back(v.field);
  EXPECT_THAT(fields, ::testing::IsSupersetOf({"header.command_id", "header.subject.pnc_id", "conviction.disposal",
                                               "conviction.offence", "conviction.classification",
                                               "conviction.offence_date", "conviction.disposal_date",
                                               "conviction.court", "conviction.sentence"}));
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("header.command_id: is required; "));
}

}  // namespace
}  // namespace safeguard
