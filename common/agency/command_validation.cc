#include "common/agency/command_validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "common/validation.h"

namespace safeguard::agency {
namespace {

namespace v = safeguard::validation;

}  // namespace

absl::StatusOr<std::string> NormaliseProbationCaseRef(absl::string_view field, absl::string_view value) {
  std::string v = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(value));
  bool ok = v.size() == 7 && absl::ascii_isalpha(static_cast<unsigned char>(v[0]));
  for (size_t i = 1; ok && i < v.size(); ++i) ok = absl::ascii_isdigit(static_cast<unsigned char>(v[i]));
  if (!ok) return v::FieldError(field, "must be a case reference: a letter and six digits (X123456)");
  return v;
}

absl::StatusOr<std::string> NormaliseChildrensCaseId(absl::string_view field, absl::string_view value) {
  std::string v = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(value));
  bool ok = v.size() >= 4 && v.size() <= 32;
  for (size_t i = 0; ok && i < v.size(); ++i) {
    ok = absl::ascii_isalnum(static_cast<unsigned char>(v[i])) || v[i] == '-';
  }
  if (!ok) return v::FieldError(field, "must be a case id: 4-32 letters, digits and '-'");
  return v;
}

absl::StatusOr<safeguard::v1::SubjectRef> NormaliseSubject(const std::string& field, const safeguard::v1::SubjectRef& s,
                                                     absl::CivilDay today) {
  safeguard::v1::SubjectRef n;
  if (!s.pnc_id().empty()) {
    ASSIGN_OR_RETURN(*n.mutable_pnc_id(), v::NormalisePncId(field + ".pnc_id", s.pnc_id()));
  }
  if (!s.visor_ref().empty()) {
    ASSIGN_OR_RETURN(*n.mutable_visor_ref(),
                     v::NormaliseVisorRef(field + ".visor_ref", s.visor_ref()));
  }
  if (!s.probation_case_ref().empty()) {
    // A CRN has one national format whoever records it: free text here was indexed as an
    // identifier ("../../etc/passwd", bidirectional overrides).
    ASSIGN_OR_RETURN(*n.mutable_probation_case_ref(),
                     NormaliseProbationCaseRef(field + ".probation_case_ref", s.probation_case_ref()));
  }
  if (!s.childrens_case_id().empty()) {
    ASSIGN_OR_RETURN(*n.mutable_childrens_case_id(),
                     NormaliseChildrensCaseId(field + ".childrens_case_id", s.childrens_case_id()));
  }
  RETURN_IF_ERROR(v::OptionalText(field + ".given_name", s.given_name(), v::kNameMax));
  RETURN_IF_ERROR(v::OptionalText(field + ".family_name", s.family_name(), v::kNameMax));
  if (!s.date_of_birth().empty()) {
    RETURN_IF_ERROR(
        v::RequirePastDate(field + ".date_of_birth", s.date_of_birth(), today).status());
  }
  RETURN_IF_ERROR(v::MaxCount(field + ".aliases", s.aliases_size(), 20));
  for (int i = 0; i < s.aliases_size(); ++i) {
    RETURN_IF_ERROR(
        v::RequireText(absl::StrCat(field + ".aliases[", i, "]"), s.aliases(i), v::kNameMax));
  }
  n.set_given_name(s.given_name());
  n.set_family_name(s.family_name());
  n.set_date_of_birth(s.date_of_birth());
  *n.mutable_aliases() = s.aliases();
  return n;
}

absl::Status CheckCommandSize(const google::protobuf::Message& request) {
  if (request.ByteSizeLong() > kMaxCommandBytes) {
    return v::FieldError("request", absl::StrCat("is larger than ", kMaxCommandBytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status CheckHeader(const safeguard::v1::CommandHeader& h, absl::CivilDay today,
                         SubjectKeying keying, ValidatedCommand* out) {
  RETURN_IF_ERROR(v::CommandId("header.command_id", h.command_id()));
  if (!h.causation_id().empty()) {
    RETURN_IF_ERROR(v::CommandId("header.causation_id", h.causation_id()));
  }
  if (!h.has_subject()) return v::FieldError("header.subject", "is required");
  const safeguard::v1::SubjectRef& s = h.subject();
  safeguard::v1::SubjectRef& n = out->subject;
  switch (keying) {
    case SubjectKeying::kPolice:
      if (s.pnc_id().empty() && s.visor_ref().empty()) {
        return v::FieldError("header.subject.pnc_id",
                             "is required (or header.subject.visor_ref when no PNC id exists)");
      }
      break;
    case SubjectKeying::kProbation:
      if (s.pnc_id().empty() && s.probation_case_ref().empty()) {
        return v::FieldError("header.subject.probation_case_ref",
                             "is required (or header.subject.pnc_id)");
      }
      break;
    case SubjectKeying::kChildrens:
      if (s.pnc_id().empty() && s.childrens_case_id().empty()) {
        return v::FieldError("header.subject.childrens_case_id",
                             "is required (or header.subject.pnc_id)");
      }
      break;
  }
  ASSIGN_OR_RETURN(n, NormaliseSubject("header.subject", s, today));

  if (!n.pnc_id().empty()) {
    out->subject_key = absl::StrCat("pnc:", n.pnc_id());
  } else if (keying == SubjectKeying::kPolice) {
    out->subject_key = absl::StrCat("visor:", n.visor_ref());
  } else if (keying == SubjectKeying::kProbation) {
    out->subject_key = absl::StrCat("probation:", n.probation_case_ref());
  } else {
    out->subject_key = absl::StrCat("childrens:", n.childrens_case_id());
  }
  *out->event.mutable_subject() = n;
  out->event.set_subject_key(out->subject_key);
  return absl::OkStatus();
}

namespace {

// The first date in `m` (at `path`) before `birth`, as an error naming both.
absl::Status FirstDateBefore(const google::protobuf::Message& m, const std::string& path, absl::CivilDay birth,
                             const std::string& born) {
  const google::protobuf::Reflection* r = m.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const google::protobuf::FieldDescriptor* f : fields) {
    if (path.empty() && f->name() == "header") continue;
    const std::string at = path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
    if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(m, f); ++i) {
          RETURN_IF_ERROR(FirstDateBefore(r->GetRepeatedMessage(m, f, i), absl::StrCat(at, "[", i, "]"), birth, born));
        }
      } else {
        RETURN_IF_ERROR(FirstDateBefore(r->GetMessage(m, f), at, birth, born));
      }
      continue;
    }
    if (f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_STRING || f->is_repeated() ||
        !absl::EndsWith(f->name(), "_date")) {
      continue;
    }
    const std::string value = r->GetString(m, f);
    absl::StatusOr<absl::CivilDay> day = v::RequireDate(at, value);
    if (!day.ok()) continue;  // an empty or malformed date is its validator's to refuse
    if (*day < birth) {
      return v::FieldError(at, absl::StrCat(value, " is before the subject's date of birth (header.subject.date_of_birth ",
                                            born, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckDatesAfterBirth(const google::protobuf::Message& request, const ValidatedCommand& valid) {
  const std::string& born = valid.subject.date_of_birth();
  if (born.empty()) return absl::OkStatus();
  absl::StatusOr<absl::CivilDay> birth = v::RequireDate("header.subject.date_of_birth", born);
  if (!birth.ok()) return absl::OkStatus();  // refused already by the header's check
  return FirstDateBefore(request, "", *birth, born);
}

}  // namespace safeguard::agency
