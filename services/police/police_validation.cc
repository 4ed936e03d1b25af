#include "services/police/police_validation.h"

#include "absl/strings/str_cat.h"
#include "common/agency/risk_assessment.h"
#include "common/status_macros.h"
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
  RETURN_IF_ERROR(agency::CheckCommand(request, today, agency::SubjectKeying::kPolice, &out));
  if (!request.has_conviction()) return v::FieldError("conviction", "is required");
  const auto& c = request.conviction();
  RETURN_IF_ERROR(v::RequireEnum("conviction.disposal", c.disposal(),
                                 safeguard::v1::DisposalKind_descriptor()));
  RETURN_IF_ERROR(v::RequireText("conviction.offence", c.offence(), kShortTextMax));
  RETURN_IF_ERROR(v::RequireEnum("conviction.classification", c.classification(),
                                 safeguard::v1::OffenceClassification_descriptor()));
  ASSIGN_OR_RETURN(absl::CivilDay offence, v::RequirePastDate("conviction.offence_date",
                                                              c.offence_date(), today));
  ASSIGN_OR_RETURN(absl::CivilDay disposal, v::RequirePastDate("conviction.disposal_date",
                                                               c.disposal_date(), today));
  if (disposal < offence) {
    return v::FieldError("conviction.disposal_date", "is before conviction.offence_date");
  }
  if (c.disposal() == safeguard::v1::CONVICTION) {
    RETURN_IF_ERROR(v::RequireText("conviction.court", c.court(), kShortTextMax));
    RETURN_IF_ERROR(v::RequireText("conviction.sentence", c.sentence(), kShortTextMax));
  } else {
    RETURN_IF_ERROR(v::OptionalText("conviction.court", c.court(), kShortTextMax));
    RETURN_IF_ERROR(v::OptionalText("conviction.sentence", c.sentence(), kShortTextMax));
  }
  out.occurred_on = disposal;
  out.event_type = "police.ConvictionRecorded";
  *out.event.mutable_conviction_recorded() = c;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(
    const safeguard::v1::RecordRegisterNotificationRequest& request, absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(request, today, agency::SubjectKeying::kPolice, &out));
  if (!request.has_notification()) return v::FieldError("notification", "is required");
  auto n = request.notification();  // copy: postcodes are normalised in place
  ASSIGN_OR_RETURN(absl::CivilDay notified, v::RequirePastDate("notification.notification_date",
                                                               n.notification_date(), today));
  if (n.addresses_size() == 0) {
    return v::FieldError("notification.addresses", "needs at least the home address");
  }
  RETURN_IF_ERROR(v::MaxCount("notification.addresses", n.addresses_size(), 20));
  for (int i = 0; i < n.addresses_size(); ++i) {
    const std::string base = v::Element("notification.addresses", i);
    auto* a = n.mutable_addresses(i);
    RETURN_IF_ERROR(v::RequireEnum(base + ".kind", a->kind(), safeguard::v1::AddressKind_descriptor()));
    RETURN_IF_ERROR(v::RequireText(base + ".line1", a->line1(), kShortTextMax));
    RETURN_IF_ERROR(v::OptionalText(base + ".line2", a->line2(), kShortTextMax));
    RETURN_IF_ERROR(v::RequireText(base + ".town", a->town(), v::kNameMax));
    ASSIGN_OR_RETURN(*a->mutable_postcode(), v::NormalisePostcode(base + ".postcode", a->postcode()));
  }
  RETURN_IF_ERROR(v::MaxCount("notification.foreign_travel", n.foreign_travel_size(), 50));
  for (int i = 0; i < n.foreign_travel_size(); ++i) {
    const std::string base = v::Element("notification.foreign_travel", i);
    const auto& t = n.foreign_travel(i);
    RETURN_IF_ERROR(v::RequireText(base + ".country", t.country(), v::kNameMax));
    ASSIGN_OR_RETURN(absl::CivilDay depart, v::RequireDate(base + ".depart_date", t.depart_date()));
    ASSIGN_OR_RETURN(absl::CivilDay ret, v::RequireDate(base + ".return_date", t.return_date()));
    if (ret < depart) return v::FieldError(base + ".return_date", "is before depart_date");
  }
  RETURN_IF_ERROR(v::MaxCount("notification.online_identifiers", n.online_identifiers_size(), 100));
  for (int i = 0; i < n.online_identifiers_size(); ++i) {
    const std::string base = v::Element("notification.online_identifiers", i);
    const auto& o = n.online_identifiers(i);
    RETURN_IF_ERROR(v::RequireEnum(base + ".kind", o.kind(),
                                   safeguard::v1::OnlineIdentifierKind_descriptor()));
    RETURN_IF_ERROR(v::RequireText(base + ".value", o.value(), 320));
    RETURN_IF_ERROR(v::OptionalText(base + ".platform", o.platform(), v::kNameMax));
  }
  if (n.indefinite() && !n.register_end_date().empty()) {
    return v::FieldError("notification.register_end_date", "must be empty when indefinite is set");
  }
  if (!n.indefinite()) {
    ASSIGN_OR_RETURN(absl::CivilDay end, v::RequireDate("notification.register_end_date",
                                                        n.register_end_date()));
    if (end < notified) {
      return v::FieldError("notification.register_end_date", "is before notification_date");
    }
  }
  ASSIGN_OR_RETURN(absl::CivilDay due, v::RequireDate("notification.next_due_date", n.next_due_date()));
  if (due <= notified) {
    return v::FieldError("notification.next_due_date", "must be after notification_date");
  }
  out.occurred_on = notified;
  out.event_type = "police.RegisterNotificationRecorded";
  *out.event.mutable_register_notification_recorded() = std::move(n);
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordOrderRequest& request,
                                          absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(request, today, agency::SubjectKeying::kPolice, &out));
  if (!request.has_order()) return v::FieldError("order", "is required");
  const auto& o = request.order();
  RETURN_IF_ERROR(v::RequireReference("order.order_ref", o.order_ref()));
  RETURN_IF_ERROR(v::RequireEnum("order.kind", o.kind(), safeguard::v1::OrderKind_descriptor()));
  RETURN_IF_ERROR(v::RequireText("order.court", o.court(), kShortTextMax));
  ASSIGN_OR_RETURN(absl::CivilDay made, v::RequirePastDate("order.made_date", o.made_date(), today));
  if (!o.expiry_date().empty()) {
    ASSIGN_OR_RETURN(absl::CivilDay expiry, v::RequireDate("order.expiry_date", o.expiry_date()));
    if (expiry <= made) return v::FieldError("order.expiry_date", "must be after made_date");
  }
  if (o.prohibitions_size() == 0) {
    return v::FieldError("order.prohibitions", "needs at least one prohibition");
  }
  RETURN_IF_ERROR(v::MaxCount("order.prohibitions", o.prohibitions_size(), 50));
  for (int i = 0; i < o.prohibitions_size(); ++i) {
    RETURN_IF_ERROR(v::RequireText(v::Element("order.prohibitions", i), o.prohibitions(i), kLongTextMax));
  }
  out.occurred_on = made;
  out.event_type = "police.OrderRecorded";
  *out.event.mutable_order_recorded() = o;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordOrderBreachRequest& request,
                                          absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(request, today, agency::SubjectKeying::kPolice, &out));
  if (!request.has_breach()) return v::FieldError("breach", "is required");
  const auto& b = request.breach();
  RETURN_IF_ERROR(v::RequireReference("breach.order_ref", b.order_ref()));
  ASSIGN_OR_RETURN(absl::CivilDay when, v::RequirePastDate("breach.breach_date", b.breach_date(), today));
  RETURN_IF_ERROR(v::RequireText("breach.description", b.description(), kLongTextMax));
  out.occurred_on = when;
  out.event_type = "police.OrderBreachRecorded";
  *out.event.mutable_order_breach_recorded() = b;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordIntelligenceRequest& request,
                                          absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(request, today, agency::SubjectKeying::kPolice, &out));
  if (!request.has_intelligence()) return v::FieldError("intelligence", "is required");
  const auto& i = request.intelligence();
  RETURN_IF_ERROR(v::RequireReference("intelligence.intelligence_ref", i.intelligence_ref()));
  ASSIGN_OR_RETURN(absl::CivilDay received, v::RequirePastDate("intelligence.received_date",
                                                               i.received_date(), today));
  RETURN_IF_ERROR(v::RequireEnum("intelligence.source_evaluation", i.source_evaluation(),
                                 safeguard::v1::SourceEvaluation_descriptor()));
  RETURN_IF_ERROR(v::RequireEnum("intelligence.assessment", i.assessment(),
                                 safeguard::v1::IntelligenceAssessment_descriptor()));
  RETURN_IF_ERROR(v::RequireEnum("intelligence.handling", i.handling(),
                                 safeguard::v1::HandlingCode_descriptor()));
  RETURN_IF_ERROR(v::RequireText("intelligence.summary", i.summary(), kLongTextMax));
  out.occurred_on = received;
  out.event_type = "police.IntelligenceRecorded";
  *out.event.mutable_intelligence_recorded() = i;
  return out;
}

absl::StatusOr<ValidatedCommand> Validate(const safeguard::v1::RecordPoliceRiskAssessmentRequest& request,
                                          absl::CivilDay today) {
  ValidatedCommand out;
  RETURN_IF_ERROR(agency::CheckCommand(request, today, agency::SubjectKeying::kPolice, &out));
  ASSIGN_OR_RETURN(out.occurred_on,
                   agency::CheckRiskAssessment(request.has_assessment(), request.assessment(), today));
  out.event_type = "police.RiskAssessmentCompleted";
  *out.event.mutable_risk_assessment_completed() = request.assessment();
  return out;
}

}  // namespace safeguard::police
