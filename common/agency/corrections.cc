#include "common/agency/corrections.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "common/validation.h"

namespace safeguard::agency {
namespace {

namespace v = safeguard::validation;
namespace v1 = safeguard::v1;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr size_t kExplanationMax = 4000;
constexpr size_t kDecidedByMax = 200;
constexpr char kFactEntry[] = "event/";
constexpr char kUsesEntry[] = "uses/";

// The facts that start something later facts are recorded under, by the reference that
// names it (a breach names its order, an ending its supervision, plan or membership).
bool Starts(const std::string& type, const std::string& field) {
  static constexpr std::pair<const char*, const char*> kStarts[] = {
      {"safeguard.v1.OrderRecorded", "order_ref"},
      {"safeguard.v1.SupervisionStarted", "supervision_ref"},
      {"safeguard.v1.Section47EnquiryStarted", "enquiry_ref"},
      {"safeguard.v1.ChildProtectionPlanStarted", "plan_ref"},
      {"safeguard.v1.HouseholdMembershipRecorded", "membership_ref"},
  };
  for (const auto& [t, f] : kStarts) {
    if (type == t && field == f) return true;
  }
  return false;
}

std::string UsesEntry(const v1::FactReference& ref) { return absl::StrCat(kUsesEntry, ref.field(), "/", ref.value()); }

absl::StatusOr<v1::ReferenceUsers> UsersOf(const v1::FactReference& ref, const StreamState& state) {
  ASSIGN_OR_RETURN(std::optional<std::string> stored, state.Get(UsesEntry(ref)));
  v1::ReferenceUsers users;
  if (stored.has_value() && !users.ParseFromString(*stored)) {
    return absl::DataLossError("a reference's correction state is unreadable");
  }
  return users;
}

// The agencies' facts: police 100-119 (120-139 are a disclosure case's steps), probation
// 200-299, children's services 300-399 (EventEnvelope's payload numbers).
bool IsAgencyFact(int number) { return (number >= 100 && number < 120) || (number >= 200 && number < 400); }

const FieldDescriptor* SetFieldOf(const Message& m, const char* oneof) {
  return m.GetReflection()->GetOneofFieldDescriptor(m, m.GetDescriptor()->FindOneofByName(oneof));
}

// The field of FactCorrected's `amended` that holds a fact of message `type`.
const FieldDescriptor* AmendedFieldFor(const std::string& type) {
  const google::protobuf::OneofDescriptor* amended = v1::FactCorrected::descriptor()->FindOneofByName("amended");
  for (int i = 0; i < amended->field_count(); ++i) {
    if (amended->field(i)->message_type()->full_name() == type) return amended->field(i);
  }
  return nullptr;
}

// "safeguard.v1.OrderRecorded" -> "OrderRecorded".
std::string ShortName(const std::string& type) {
  const size_t dot = type.rfind('.');
  return dot == std::string::npos ? type : type.substr(dot + 1);
}

bool IsEventId(absl::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !absl::ascii_isxdigit(static_cast<unsigned char>(id[i]))) return false;
  }
  return true;
}

const char* AgencyName(SubjectKeying keying) {
  switch (keying) {
    case SubjectKeying::kPolice: return "police";
    case SubjectKeying::kProbation: return "probation";
    case SubjectKeying::kChildrens: return "childrens";
  }
  return "";
}

// `field` of a fact's command ("conviction.offence_date", "notification.addresses[1]...")
// as a field of the correction that amends it ("correction.conviction_recorded....").
std::string AsAmendedField(const std::string& field, const std::string& amended) {
  const size_t end = field.find_first_of(".[");
  return absl::StrCat("correction.", amended, end == std::string::npos ? "" : field.substr(end));
}

}  // namespace

const Message* CorrectableFactOf(const v1::EventEnvelope& e) {
  const FieldDescriptor* payload = SetFieldOf(e, "payload");
  if (payload == nullptr || !IsAgencyFact(payload->number())) return nullptr;
  return &e.GetReflection()->GetMessage(e, payload);
}

const Message* AmendedFactOf(const v1::FactCorrected& c) {
  const FieldDescriptor* amended = SetFieldOf(c, "amended");
  return amended == nullptr ? nullptr : &c.GetReflection()->GetMessage(c, amended);
}

absl::StatusOr<ValidatedCommand> ValidateCorrection(const v1::RecordCorrectionRequest& r, absl::CivilDay today,
                                                    SubjectKeying keying, const FactValidator& validate_fact) {
  ValidatedCommand out;
  v::Violations problems;
  if (!CheckCommand(r, today, keying, &out, &problems)) return problems.status();
  v1::FactCorrected c = r.correction();
  if (c.corrected_event_id().empty()) {
    problems.Add("correction.corrected_event_id", "is required: the id of the event corrected (its record or timeline shows it)");
  } else if (!IsEventId(c.corrected_event_id())) {
    problems.Add("correction.corrected_event_id", "is not an event id (a UUID)");
  }
  problems.Check(v::RequireEnum("correction.kind", c.kind(), v1::CorrectionKind_descriptor()));
  problems.Check(v::RequireEnum("correction.reason", c.reason(), v1::CorrectionReason_descriptor()));
  problems.Check(v::RequireText("correction.explanation", c.explanation(), kExplanationMax));
  problems.Check(v::RequireText("correction.decided_by", c.decided_by(), kDecidedByMax));
  const std::optional<absl::CivilDay> decided = problems.Take(v::RequirePastDate("correction.decided_on", c.decided_on(), today));

  const FieldDescriptor* amended_field = SetFieldOf(c, "amended");
  if (c.kind() == v1::RETRACTED) {
    if (amended_field != nullptr) {
      problems.Add(absl::StrCat("correction.", amended_field->name()), "must be empty: a retracted fact is not amended");
    }
    if (c.has_amended_subject()) problems.Add("correction.amended_subject", "must be empty: a retracted fact is not amended");
  } else {
    // Amended (or the kind left out: what it amends is checked all the same).
    if (c.kind() == v1::AMENDED && amended_field == nullptr && !c.has_amended_subject()) {
      problems.Add("correction.amended_subject",
                   "is required when kind is AMENDED and no amended fact is given: give the fact as it should read "
                   "(e.g. correction.conviction_recorded), its subject's details, or both");
    }
    v1::CommandHeader header = r.header();
    if (c.has_amended_subject()) {
      *c.mutable_amended_subject() = NormaliseSubject("correction.amended_subject", c.amended_subject(), today, &problems);
      // The record's own reference stays: a fact moves to another person by retraction.
      v1::CommandHeader amended_header = header;
      *amended_header.mutable_subject() = OverlaySubject(header.subject(), c.amended_subject());
      ValidatedCommand keyed;
      v::Violations ignored;
      CheckHeader(amended_header, today, keying, &keyed, &ignored);
      if (!out.subject_key.empty() && keyed.subject_key != out.subject_key) {
        problems.Add("correction.amended_subject",
                     absl::StrCat("must keep the reference the record is filed under (", out.subject_key,
                                  "); to move a fact to another person, retract it here and record it against them"));
      }
      header = std::move(amended_header);
    }
    if (amended_field != nullptr) {
      absl::StatusOr<ValidatedCommand> fact = validate_fact(header, *AmendedFactOf(c));
      if (absl::IsNotFound(fact.status())) {
        problems.Add(absl::StrCat("correction.", amended_field->name()), "is not a kind of fact this agency records");
      } else if (!fact.ok()) {
        // The header's problems are the correction's own (reported above, or under
        // correction.amended_subject); the fact's are named where the correction holds it.
        if (!absl::IsInvalidArgument(fact.status())) problems.Check(fact.status());
        for (const v::FieldViolation& violation : v::FieldViolationsOf(fact.status())) {
          if (absl::StartsWith(violation.field, "header.")) continue;
          problems.Add(AsAmendedField(violation.field, amended_field->name()), violation.description);
        }
      } else if (const Message* normalised = CorrectableFactOf(fact->event)) {
        c.GetReflection()->MutableMessage(&c, amended_field)->CopyFrom(*normalised);
      }
    }
  }
  out.occurred_on = decided.value_or(today);
  out.event_type = absl::StrCat(AgencyName(keying), ".FactCorrected");
  *out.event.mutable_fact_corrected() = std::move(c);
  // Children's services' records of a child are dated before birth at times (docs/events.md).
  return Finish(r, std::move(out), problems, keying != SubjectKeying::kChildrens);
}

absl::Status CheckCorrection(const v1::FactCorrected& c, const StreamState& state) {
  const std::string& id = c.corrected_event_id();
  ASSIGN_OR_RETURN(std::optional<std::string> stored, state.Get(absl::StrCat(kFactEntry, id)));
  if (!stored.has_value()) {
    return absl::NotFoundError(absl::StrCat("correction.corrected_event_id: no fact ", id,
                                            " of this agency is on this person's record (the record and its timeline "
                                            "give each fact's event id)"));
  }
  v1::CorrectableFact fact;
  if (!fact.ParseFromString(*stored)) return absl::DataLossError("a stored fact's correction state is unreadable");
  const std::string kind = ShortName(fact.type());
  if (fact.retracted()) {
    return absl::FailedPreconditionError(absl::StrCat("correction.corrected_event_id: ", kind, " ", id,
                                                      " was retracted; a retracted fact takes no further correction "
                                                      "(record it again if it stands after all)"));
  }
  if (c.kind() == v1::RETRACTED) {
    // A fact that started a reference (an order, a supervision, a plan, a membership) goes
    // only once nothing recorded under it stands: its breaches, conditions, ending...
    for (const v1::FactReference& ref : fact.references()) {
      if (!Starts(fact.type(), ref.field())) continue;
      ASSIGN_OR_RETURN(const v1::ReferenceUsers users, UsersOf(ref, state));
      if (users.event_ids_size() < 2 || users.event_ids(0) != id) continue;
      std::vector<std::string> later;
      for (int i = 1; i < users.event_ids_size(); ++i) {
        later.push_back(absl::StrCat(i < users.types_size() ? ShortName(users.types(i)) : "fact", " ",
                                     users.event_ids(i)));
      }
      return absl::FailedPreconditionError(absl::StrCat(
          "correction.corrected_event_id: ", kind, " ", id, " started ", ref.field(), " '", ref.value(),
          "', and what was recorded under it stands: ", absl::StrJoin(later, ", "),
          "; retract those first (each with its own reason), then this"));
    }
  }
  if (const Message* amended = AmendedFactOf(c)) {
    const FieldDescriptor* expected = AmendedFieldFor(fact.type());
    const std::string given = SetFieldOf(c, "amended")->name();
    if (amended->GetDescriptor()->full_name() != fact.type()) {
      return v::FieldError(absl::StrCat("correction.", given),
                           absl::StrCat("event ", id, " is of kind ", kind, ": amend it with correction.",
                                        expected == nullptr ? "?" : expected->name()));
    }
    for (const v1::FactReference& ref : fact.references()) {
      const FieldDescriptor* f = amended->GetDescriptor()->FindFieldByName(ref.field());
      if (f == nullptr || amended->GetReflection()->GetString(*amended, f) == ref.value()) continue;
      return v::FieldError(absl::StrCat("correction.", given, ".", ref.field()),
                           absl::StrCat("must stay '", ref.value(),
                                        "', the fact's own reference; to change it, retract the fact and record it again"));
    }
  }
  // The reason fits the fact and what is done to it.
  auto refuse = [&](absl::string_view why) {
    return v::FieldError("correction.reason", absl::StrCat(v1::CorrectionReason_Name(c.reason()), " ", why, " (event ",
                                                          id, " is of kind ", kind, ")"));
  };
  const bool retract = c.kind() == v1::RETRACTED;
  switch (c.reason()) {
    case v1::QUASHED_ON_APPEAL:
      if (kind != "ConvictionRecorded") return refuse("applies to a conviction");
      break;
    case v1::INTELLIGENCE_WITHDRAWN:
      if (kind != "IntelligenceRecorded" || !retract) return refuse("retracts intelligence");
      break;
    case v1::INTELLIGENCE_REGRADED:
      if (kind != "IntelligenceRecorded" || retract) return refuse("amends intelligence (its grading)");
      break;
    case v1::ORDER_VARIED:
    case v1::ORDER_DISCHARGED:
      if (kind != "OrderRecorded" || retract) return refuse("amends an order (its terms, or its expiry to the day it was discharged)");
      break;
    case v1::RECORDED_AGAINST_WRONG_PERSON:
      if (!retract) return refuse("retracts the fact (record it again against the right person)");
      break;
    case v1::WRONG_CHILD:
      if (kind != "HouseholdMembershipRecorded" && kind != "ConcernAboutAdultRecorded") {
        return refuse("applies to a household membership or a concern, which name a child");
      }
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::CorrectableFact>> FoldCorrections(const v1::EventEnvelope& e, StreamState& state) {
  if (e.has_fact_corrected()) {
    const std::string entry = absl::StrCat(kFactEntry, e.fact_corrected().corrected_event_id());
    ASSIGN_OR_RETURN(std::optional<std::string> stored, state.Get(entry));
    if (!stored.has_value()) return std::optional<v1::CorrectableFact>();  // refused by CheckCorrection
    v1::CorrectableFact fact;
    if (!fact.ParseFromString(*stored)) return absl::DataLossError("a stored fact's correction state is unreadable");
    const v1::CorrectableFact before = fact;
    if (e.fact_corrected().kind() == v1::RETRACTED) {
      fact.set_retracted(true);
      state.Put(entry, fact.SerializeAsString());
      const std::string& id = e.fact_corrected().corrected_event_id();
      for (const v1::FactReference& ref : fact.references()) {
        ASSIGN_OR_RETURN(v1::ReferenceUsers users, UsersOf(ref, state));
        v1::ReferenceUsers kept;
        for (int i = 0; i < users.event_ids_size(); ++i) {
          if (users.event_ids(i) == id) continue;
          kept.add_event_ids(users.event_ids(i));
          kept.add_types(i < users.types_size() ? users.types(i) : "");
        }
        state.Put(UsesEntry(ref), kept.SerializeAsString());
      }
    }
    return std::optional<v1::CorrectableFact>(before);
  }
  const Message* fact = CorrectableFactOf(e);
  if (fact == nullptr) return std::optional<v1::CorrectableFact>();
  v1::CorrectableFact entry;
  entry.set_type(fact->GetDescriptor()->full_name());
  const google::protobuf::Descriptor* d = fact->GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_repeated() || f->cpp_type() != FieldDescriptor::CPPTYPE_STRING || !absl::EndsWith(f->name(), "_ref")) continue;
    const std::string value = fact->GetReflection()->GetString(*fact, f);
    if (value.empty()) continue;
    v1::FactReference* ref = entry.add_references();
    ref->set_field(f->name());
    ref->set_value(value);
  }
  state.Put(absl::StrCat(kFactEntry, e.event_id()), entry.SerializeAsString());
  for (const v1::FactReference& ref : entry.references()) {
    ASSIGN_OR_RETURN(v1::ReferenceUsers users, UsersOf(ref, state));
    users.add_event_ids(e.event_id());
    users.add_types(entry.type());
    state.Put(UsesEntry(ref), users.SerializeAsString());
  }
  return std::optional<v1::CorrectableFact>();
}

v1::SubjectRef OverlaySubject(const v1::SubjectRef& recorded, const v1::SubjectRef& amended) {
  v1::SubjectRef out = recorded;
  const google::protobuf::Descriptor* d = v1::SubjectRef::descriptor();
  const google::protobuf::Reflection* r = out.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_repeated()) {
      if (r->FieldSize(amended, f) > 0) {
        r->ClearField(&out, f);
        for (int j = 0; j < r->FieldSize(amended, f); ++j) r->AddString(&out, f, r->GetRepeatedString(amended, f, j));
      }
    } else if (const std::string value = r->GetString(amended, f); !value.empty()) {
      r->SetString(&out, f, value);
    }
  }
  return out;
}

std::string ReferenceOf(const v1::CorrectableFact& fact, const std::string& field) {
  for (const v1::FactReference& ref : fact.references()) {
    if (ref.field() == field) return ref.value();
  }
  return "";
}

}  // namespace safeguard::agency
