#include "services/police/disclosure_delivery.h"

#include "absl/strings/str_cat.h"
#include "common/disclosure/disclosure_case.h"
#include "common/status_macros.h"

namespace safeguard::police {

namespace v1 = safeguard::v1;

constexpr char kDeliveryView[] = "disclosure.Delivery";
constexpr size_t kMaxCaseEvents = 10000;

absl::Status DeliveryRecorder::RecordDisclosure(const v1::RecordDeliveryRequest& request,
                                                const v1::CommandResult& result, const CallContext& call) {
  ASSIGN_OR_RETURN(const std::string ref, disclosure::NormaliseCaseRef("header.case_ref", request.header().case_ref()));
  ASSIGN_OR_RETURN(std::vector<v1::EventEnvelope> events,
                   store_->ReadStream(disclosure::CaseStreamId(ref), 1, kMaxCaseEvents));
  v1::DisclosureCase c;
  for (const v1::EventEnvelope& e : events) disclosure::ApplyStep(e, &c);

  AccessRecorder::Disclosure disclosure;
  disclosure.disclosed = request.delivery().wording_delivered();
  disclosure.event_id = result.event_id();
  for (const v1::DisclosureRecipient& r : c.decision().recipients()) {
    if (r.party().party_ref() != request.delivery().recipient_ref()) continue;
    const v1::CaseParty& p = r.party();
    disclosure.recipients.push_back(absl::StrCat(p.given_name(), " ", p.family_name(),
                                                 p.relationship_to_child().empty() ? "" : " (" + p.relationship_to_child() + ")",
                                                 " [", p.party_ref(), "]"));
  }
  // The step was checked against the decision's recipients, so one matched; should the
  // decision ever be unreadable, the reference the officer gave is still recorded.
  if (disclosure.recipients.empty()) disclosure.recipients.push_back(request.delivery().recipient_ref());
  // Recorded under the case and under the person it is about, so that an auditor asking
  // about either finds it.
  std::vector<std::string> subjects = {disclosure::CaseKey(ref)};
  const v1::SubjectRef& subject = c.application().has_subject() ? c.application().subject() : c.enquiry().subject();
  if (!subject.pnc_id().empty()) {
    subjects.push_back(absl::StrCat("pnc:", subject.pnc_id()));
  } else if (!subject.visor_ref().empty()) {
    subjects.push_back(absl::StrCat("visor:", subject.visor_ref()));
  }
  v1::Purpose purpose;
  purpose.set_code(v1::DISCLOSURE_SCHEME_ASSESSMENT);
  purpose.set_detail(absl::StrCat("Disclosure scheme case ", ref, ": disclosure delivered"));
  absl::Status recorded = recorder_->RecordDisclosure(call, purpose, kDeliveryView, subjects, disclosure);
  if (!recorded.ok()) {
    return absl::UnavailableError(absl::StrCat("the delivery is recorded (event ", result.event_id(),
                                               ") but the record of the disclosure could not be written; repeat "
                                               "this command with the same command_id: ",
                                               recorded.message()));
  }
  return absl::OkStatus();
}

}  // namespace safeguard::police
