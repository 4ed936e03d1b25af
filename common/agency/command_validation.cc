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

safeguard::v1::SubjectRef NormaliseSubject(const std::string& field, const safeguard::v1::SubjectRef& s,
                                           absl::CivilDay today, v::Violations* problems) {
  safeguard::v1::SubjectRef n;
  auto normalise = [&](const std::string& value, const std::string& part, auto how, std::string* into) {
    if (value.empty()) return;
    if (std::optional<std::string> good = problems->Take(how(field + "." + part, value))) *into = std::move(*good);
  };
  normalise(s.pnc_id(), "pnc_id", v::NormalisePncId, n.mutable_pnc_id());
  normalise(s.visor_ref(), "visor_ref", v::NormaliseVisorRef, n.mutable_visor_ref());
  // A CRN has one national format whoever records it: free text here was indexed as an
  // identifier ("../../etc/passwd", bidirectional overrides).
  normalise(s.probation_case_ref(), "probation_case_ref", NormaliseProbationCaseRef, n.mutable_probation_case_ref());
  normalise(s.childrens_case_id(), "childrens_case_id", NormaliseChildrensCaseId, n.mutable_childrens_case_id());
  if (problems->Check(v::OptionalText(field + ".given_name", s.given_name(), v::kNameMax))) {
    n.set_given_name(s.given_name());
  }
  if (problems->Check(v::OptionalText(field + ".family_name", s.family_name(), v::kNameMax))) {
    n.set_family_name(s.family_name());
  }
  if (!s.date_of_birth().empty() &&
      problems->Take(v::RequirePastDate(field + ".date_of_birth", s.date_of_birth(), today)).has_value()) {
    n.set_date_of_birth(s.date_of_birth());
  }
  if (problems->Check(v::MaxCount(field + ".aliases", s.aliases_size(), 20))) {
    for (int i = 0; i < s.aliases_size(); ++i) {
      if (problems->Check(v::RequireText(v::Element(field + ".aliases", i), s.aliases(i), v::kNameMax))) {
        n.add_aliases(s.aliases(i));
      }
    }
  }
  return n;
}

absl::StatusOr<safeguard::v1::SubjectRef> NormaliseSubject(const std::string& field, const safeguard::v1::SubjectRef& s,
                                                           absl::CivilDay today) {
  v::Violations problems;
  safeguard::v1::SubjectRef n = NormaliseSubject(field, s, today, &problems);
  return problems.Or(std::move(n));
}

void CheckAddress(const std::string& field, safeguard::v1::Address* a, v::Violations* problems) {
  constexpr size_t kLineMax = 200;
  problems->Check(v::RequireEnum(field + ".kind", a->kind(), safeguard::v1::AddressKind_descriptor()));
  problems->Check(v::RequireText(field + ".line1", a->line1(), kLineMax));
  problems->Check(v::OptionalText(field + ".line2", a->line2(), kLineMax));
  problems->Check(v::RequireText(field + ".town", a->town(), v::kNameMax));
  if (std::optional<std::string> postcode = problems->Take(v::NormalisePostcode(field + ".postcode", a->postcode()))) {
    a->set_postcode(*postcode);
  }
}

absl::StatusOr<std::vector<std::string>> SubjectKeysOf(const safeguard::v1::SubjectRef& s, SubjectKeying keying,
                                                       absl::CivilDay today) {
  ASSIGN_OR_RETURN(safeguard::v1::SubjectRef n, NormaliseSubject("subject", s, today));
  std::vector<std::string> keys;
  if (!n.pnc_id().empty()) keys.push_back(absl::StrCat("pnc:", n.pnc_id()));
  switch (keying) {
    case SubjectKeying::kPolice:
      if (!n.visor_ref().empty()) keys.push_back(absl::StrCat("visor:", n.visor_ref()));
      if (keys.empty()) return v::FieldError("subject.pnc_id", "is required (or subject.visor_ref)");
      break;
    case SubjectKeying::kProbation:
      if (!n.probation_case_ref().empty()) keys.push_back(absl::StrCat("probation:", n.probation_case_ref()));
      if (keys.empty()) return v::FieldError("subject.probation_case_ref", "is required (or subject.pnc_id)");
      break;
    case SubjectKeying::kChildrens:
      if (!n.childrens_case_id().empty()) keys.push_back(absl::StrCat("childrens:", n.childrens_case_id()));
      if (keys.empty()) return v::FieldError("subject.childrens_case_id", "is required (or subject.pnc_id)");
      break;
  }
  return keys;
}

absl::Status CheckCommandSize(const google::protobuf::Message& request) {
  if (request.ByteSizeLong() > kMaxCommandBytes) {
    return v::FieldError("request", absl::StrCat("is larger than ", kMaxCommandBytes, " bytes"));
  }
  return absl::OkStatus();
}

void CheckHeader(const safeguard::v1::CommandHeader& h, absl::CivilDay today, SubjectKeying keying,
                 ValidatedCommand* out, v::Violations* problems) {
  problems->Check(v::CommandId("header.command_id", h.command_id()));
  if (!h.causation_id().empty()) problems->Check(v::CommandId("header.causation_id", h.causation_id()));
  const safeguard::v1::SubjectRef& s = h.subject();
  switch (keying) {
    case SubjectKeying::kPolice:
      if (s.pnc_id().empty() && s.visor_ref().empty()) {
        problems->Add("header.subject.pnc_id", "is required (or header.subject.visor_ref when no PNC id exists)");
      }
      break;
    case SubjectKeying::kProbation:
      if (s.pnc_id().empty() && s.probation_case_ref().empty()) {
        problems->Add("header.subject.probation_case_ref", "is required (or header.subject.pnc_id)");
      }
      break;
    case SubjectKeying::kChildrens:
      if (s.pnc_id().empty() && s.childrens_case_id().empty()) {
        problems->Add("header.subject.childrens_case_id", "is required (or header.subject.pnc_id)");
      }
      break;
  }
  safeguard::v1::SubjectRef& n = out->subject;
  n = NormaliseSubject("header.subject", s, today, problems);

  if (!n.pnc_id().empty()) {
    out->subject_key = absl::StrCat("pnc:", n.pnc_id());
  } else if (keying == SubjectKeying::kPolice && !n.visor_ref().empty()) {
    out->subject_key = absl::StrCat("visor:", n.visor_ref());
  } else if (keying == SubjectKeying::kProbation && !n.probation_case_ref().empty()) {
    out->subject_key = absl::StrCat("probation:", n.probation_case_ref());
  } else if (keying == SubjectKeying::kChildrens && !n.childrens_case_id().empty()) {
    out->subject_key = absl::StrCat("childrens:", n.childrens_case_id());
  }
  *out->event.mutable_subject() = n;
  out->event.set_subject_key(out->subject_key);
}

namespace {

// Adds each date in `m` (at `path`) before `birth`, naming both.
void DatesBefore(const google::protobuf::Message& m, const std::string& path, absl::CivilDay birth,
                 const std::string& born, const std::string& born_field, v::Violations* problems) {
  const google::protobuf::Reflection* r = m.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const google::protobuf::FieldDescriptor* f : fields) {
    if (path.empty() && f->name() == "header") continue;
    const std::string at = path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
    if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(m, f); ++i) {
          DatesBefore(r->GetRepeatedMessage(m, f, i), v::Element(at, i), birth, born, born_field, problems);
        }
      } else {
        DatesBefore(r->GetMessage(m, f), at, birth, born, born_field, problems);
      }
      continue;
    }
    if (f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_STRING || f->is_repeated() ||
        !absl::EndsWith(f->name(), "_date")) {
      continue;
    }
    const std::string value = r->GetString(m, f);
    absl::StatusOr<absl::CivilDay> day = v::RequireDate(at, value);
    if (!day.ok()) continue;  // an empty or malformed date is its validator's to report
    if (*day < birth) {
      problems->Add(at, absl::StrCat(value, " is before the subject's date of birth (", born_field, " ", born, ")"));
    }
  }
}

}  // namespace

void CheckDatesAfterBirth(const google::protobuf::Message& request, const std::string& born,
                          const std::string& born_field, v::Violations* problems) {
  if (born.empty()) return;
  absl::StatusOr<absl::CivilDay> birth = v::RequireDate(born_field, born);
  if (!birth.ok()) return;  // reported already by the check of that field
  DatesBefore(request, "", *birth, born, born_field, problems);
}

}  // namespace safeguard::agency
