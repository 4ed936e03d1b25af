#include "services/police/police_validation.h"

#include "absl/strings/str_cat.h"
#include "common/agency/corrections.h"
#include "common/agency/risk_assessment.h"
#include "common/validation.h"

namespace safeguard::police {
namespace {

namespace v = safeguard::validation;
using safeguard::v1::CommandHeader;

// Field limits. Free text is generous but bounded; references are short.
constexpr size_t kShortTextMax = 200;
constexpr size_t kLongTextMax = 4000;

}  // namespace

absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordConvictionRequest& request,
                                          absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(request, today, agency::SubjectKeying::kPolice, &out, &problems)) return problems.status();
  const auto& c = request.conviction();
  problems.Check(v::RequireEnum("conviction.disposal", c.disposal(), safeguard::v1::DisposalKind_descriptor()));
  problems.Check(v::RequireText("conviction.offence", c.offence(), kShortTextMax));
  problems.Check(v::RequireEnum("conviction.classification", c.classification(),
                                safeguard::v1::OffenceClassification_descriptor()));
  const std::optional<absl::CivilDay> offence =
      problems.Take(v::RequirePastDate("conviction.offence_date", c.offence_date(), today));
  const std::optional<absl::CivilDay> disposal =
      problems.Take(v::RequirePastDate("conviction.disposal_date", c.disposal_date(), today));
  if (offence && disposal && *disposal < *offence) {
    problems.Add("conviction.disposal_date", absl::StrCat(c.disposal_date(), " is before conviction.offence_date ",
                                                          c.offence_date(), ": a disposal follows its offence"));
  }
  if (c.disposal() == safeguard::v1::CAUTION) {
    problems.Check(v::OptionalText("conviction.court", c.court(), kShortTextMax));
    problems.Check(v::OptionalText("conviction.sentence", c.sentence(), kShortTextMax));
  } else {
    problems.Check(v::RequireText("conviction.court", c.court(), kShortTextMax));
    problems.Check(v::RequireText("conviction.sentence", c.sentence(), kShortTextMax));
  }
  out.occurred_on = disposal.value_or(today);
  out.event_type = "police.ConvictionRecorded";
  *out.event.mutable_conviction_recorded() = c;
  return agency::Finish(request, std::move(out), problems);
}

absl::StatusOr<ValidatedCommand> Validate(
    const safeguard::v1::RecordRegisterNotificationRequest& request, absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(request, today, agency::SubjectKeying::kPolice, &out, &problems)) return problems.status();
  auto n = request.notification();  // copy: postcodes are normalised in place
  const std::optional<absl::CivilDay> notified =
      problems.Take(v::RequirePastDate("notification.notification_date", n.notification_date(), today));
  if (n.addresses_size() == 0) problems.Add("notification.addresses", "needs at least the home address");
  if (problems.Check(v::MaxCount("notification.addresses", n.addresses_size(), 20))) {
    for (int i = 0; i < n.addresses_size(); ++i) {
      agency::CheckAddress(v::Element("notification.addresses", i), n.mutable_addresses(i), &problems);
    }
  }
  if (problems.Check(v::MaxCount("notification.foreign_travel", n.foreign_travel_size(), 50))) {
    for (int i = 0; i < n.foreign_travel_size(); ++i) {
      const std::string base = v::Element("notification.foreign_travel", i);
      const auto& t = n.foreign_travel(i);
      problems.Check(v::RequireText(base + ".country", t.country(), v::kNameMax));
      const std::optional<absl::CivilDay> depart = problems.Take(v::RequireDate(base + ".depart_date", t.depart_date()));
      const std::optional<absl::CivilDay> ret = problems.Take(v::RequireDate(base + ".return_date", t.return_date()));
      if (depart && ret && *ret < *depart) {
        problems.Add(base + ".return_date", absl::StrCat("is before ", base, ".depart_date"));
      }
    }
  }
  if (problems.Check(v::MaxCount("notification.online_identifiers", n.online_identifiers_size(), 100))) {
    for (int i = 0; i < n.online_identifiers_size(); ++i) {
      const std::string base = v::Element("notification.online_identifiers", i);
      const auto& o = n.online_identifiers(i);
      problems.Check(v::RequireEnum(base + ".kind", o.kind(), safeguard::v1::OnlineIdentifierKind_descriptor()));
      problems.Check(v::RequireText(base + ".value", o.value(), 320));
      problems.Check(v::OptionalText(base + ".platform", o.platform(), v::kNameMax));
    }
  }
  if (n.indefinite() && !n.register_end_date().empty()) {
    problems.Add("notification.register_end_date", "must be empty when indefinite is set");
  }
  if (!n.indefinite()) {
    std::optional<absl::CivilDay> end;
    if (n.register_end_date().empty()) {
      problems.Add("notification.register_end_date", "is required (YYYY-MM-DD) unless notification.indefinite is set");
    } else {
      end = problems.Take(v::RequireDate("notification.register_end_date", n.register_end_date()));
    }
    if (end && notified && *end < *notified) {
      problems.Add("notification.register_end_date", "is before notification.notification_date");
    }
  }
  const std::optional<absl::CivilDay> due = problems.Take(v::RequireDate("notification.next_due_date", n.next_due_date()));
  if (due && notified && *due <= *notified) {
    problems.Add("notification.next_due_date", "must be after notification.notification_date");
  }
  out.occurred_on = notified.value_or(today);
  out.event_type = "police.RegisterNotificationRecorded";
  *out.event.mutable_register_notification_recorded() = std::move(n);
  return agency::Finish(request, std::move(out), problems);
}

absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordOrderRequest& request,
                                          absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(request, today, agency::SubjectKeying::kPolice, &out, &problems)) return problems.status();
  const auto& o = request.order();
  problems.Check(v::RequireReference("order.order_ref", o.order_ref()));
  problems.Check(v::RequireEnum("order.kind", o.kind(), safeguard::v1::OrderKind_descriptor()));
  problems.Check(v::RequireText("order.court", o.court(), kShortTextMax));
  const std::optional<absl::CivilDay> made = problems.Take(v::RequirePastDate("order.made_date", o.made_date(), today));
  if (!o.expiry_date().empty()) {
    const std::optional<absl::CivilDay> expiry = problems.Take(v::RequireDate("order.expiry_date", o.expiry_date()));
    if (expiry && made && *expiry <= *made) problems.Add("order.expiry_date", "must be after order.made_date");
  }
  if (o.prohibitions_size() == 0) problems.Add("order.prohibitions", "needs at least one prohibition");
  if (problems.Check(v::MaxCount("order.prohibitions", o.prohibitions_size(), 50))) {
    for (int i = 0; i < o.prohibitions_size(); ++i) {
      problems.Check(v::RequireText(v::Element("order.prohibitions", i), o.prohibitions(i), kLongTextMax));
    }
  }
  out.occurred_on = made.value_or(today);
  out.event_type = "police.OrderRecorded";
  *out.event.mutable_order_recorded() = o;
  return agency::Finish(request, std::move(out), problems);
}

absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordOrderBreachRequest& request,
                                          absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(request, today, agency::SubjectKeying::kPolice, &out, &problems)) return problems.status();
  const auto& b = request.breach();
  problems.Check(v::RequireReference("breach.order_ref", b.order_ref()));
  const std::optional<absl::CivilDay> when =
      problems.Take(v::RequirePastDate("breach.breach_date", b.breach_date(), today));
  problems.Check(v::RequireText("breach.description", b.description(), kLongTextMax));
  out.occurred_on = when.value_or(today);
  out.event_type = "police.OrderBreachRecorded";
  *out.event.mutable_order_breach_recorded() = b;
  return agency::Finish(request, std::move(out), problems);
}

absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordIntelligenceRequest& request,
                                          absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(request, today, agency::SubjectKeying::kPolice, &out, &problems)) return problems.status();
  const auto& i = request.intelligence();
  problems.Check(v::RequireReference("intelligence.intelligence_ref", i.intelligence_ref()));
  const std::optional<absl::CivilDay> received =
      problems.Take(v::RequirePastDate("intelligence.received_date", i.received_date(), today));
  problems.Check(v::RequireEnum("intelligence.source_evaluation", i.source_evaluation(),
                                safeguard::v1::SourceEvaluation_descriptor()));
  problems.Check(v::RequireEnum("intelligence.assessment", i.assessment(),
                                safeguard::v1::IntelligenceAssessment_descriptor()));
  problems.Check(v::RequireEnum("intelligence.handling", i.handling(), safeguard::v1::HandlingCode_descriptor()));
  problems.Check(v::RequireText("intelligence.summary", i.summary(), kLongTextMax));
  out.occurred_on = received.value_or(today);
  out.event_type = "police.IntelligenceRecorded";
  *out.event.mutable_intelligence_recorded() = i;
  return agency::Finish(request, std::move(out), problems);
}

absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordPoliceRiskAssessmentRequest& request,
                                          absl::CivilDay today) {
  ValidatedCommand out;
  v::Violations problems;
  if (!agency::CheckCommand(request, today, agency::SubjectKeying::kPolice, &out, &problems)) return problems.status();
  out.occurred_on = agency::CheckRiskAssessment(request.assessment(), today, &problems).value_or(today);
  out.event_type = "police.RiskAssessmentCompleted";
  *out.event.mutable_risk_assessment_completed() = request.assessment();
  return agency::Finish(request, std::move(out), problems);
}

absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordCorrectionRequest& request, absl::CivilDay today) {
  namespace v1 = safeguard::v1;
  return agency::ValidateCorrection(
      request, today, agency::SubjectKeying::kPolice,
      [today](const v1::CommandHeader& h, const google::protobuf::Message& fact) -> absl::StatusOr<ValidatedCommand> {
        const auto validate = [today](const auto& r) { return Validate(r, today); };
        const google::protobuf::Descriptor* type = fact.GetDescriptor();
        if (type == v1::ConvictionRecorded::descriptor()) return agency::ValidateAs<v1::RecordConvictionRequest>(h, fact, validate);
        if (type == v1::RegisterNotificationRecorded::descriptor()) {
          return agency::ValidateAs<v1::RecordRegisterNotificationRequest>(h, fact, validate);
        }
        if (type == v1::OrderRecorded::descriptor()) return agency::ValidateAs<v1::RecordOrderRequest>(h, fact, validate);
        if (type == v1::OrderBreachRecorded::descriptor()) return agency::ValidateAs<v1::RecordOrderBreachRequest>(h, fact, validate);
        if (type == v1::IntelligenceRecorded::descriptor()) return agency::ValidateAs<v1::RecordIntelligenceRequest>(h, fact, validate);
        if (type == v1::RiskAssessmentCompleted::descriptor()) {
          return agency::ValidateAs<v1::RecordPoliceRiskAssessmentRequest>(h, fact, validate);
        }
        return absl::NotFoundError("not a police fact");
      });
}

}  // namespace safeguard::police
