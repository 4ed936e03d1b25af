#include "services/police/disclosure_delivery.h"

#include "absl/strings/str_cat.h"
#include "common/disclosure/disclosure_case.h"
#include "common/status_macros.h"

namespace safeguard::police {
namespace {

namespace v1 = safeguard::v1;

constexpr char kDeliveryView[] = "disclosure.Delivery";

// What `request` discloses from case `c` (as it stood before the delivery), and to whom,
// recorded under the case and under the person it is about, so that an auditor asking
// about either finds it.
Consultation DisclosureOf(const std::string& ref, const v1::DisclosureCase& c, const v1::RecordDeliveryRequest& request) {
  Consultation disclosure;
  disclosure.view = kDeliveryView;
  disclosure.disclosed = request.delivery().wording_delivered();
  for (const v1::DisclosureRecipient& r : c.decision().recipients()) {
    if (r.party().party_ref() != request.delivery().recipient_ref()) continue;
    const v1::CaseParty& p = r.party();
    disclosure.recipients.push_back(absl::StrCat(p.given_name(), " ", p.family_name(),
                                                 p.relationship_to_child().empty() ? "" : " (" + p.relationship_to_child() + ")",
                                                 " [", p.party_ref(), "]"));
  }
  // The step is checked against the decision's recipients, so one matches; should the
  // decision ever be unreadable, the reference the officer gave is still recorded.
  if (disclosure.recipients.empty()) disclosure.recipients.push_back(request.delivery().recipient_ref());
  disclosure.subjects = {disclosure::CaseKey(ref)};
  const v1::SubjectRef& subject = c.application().has_subject() ? c.application().subject() : c.enquiry().subject();
  if (!subject.pnc_id().empty()) {
    disclosure.subjects.push_back(absl::StrCat("pnc:", subject.pnc_id()));
  } else if (!subject.visor_ref().empty()) {
    disclosure.subjects.push_back(absl::StrCat("visor:", subject.visor_ref()));
  }
  return disclosure;
}

}  // namespace

void DeliveryRecorder::Handle(const v1::RecordDeliveryRequest& request, const CallContext& call,
                              Reply<v1::CommandResult> reply) {
  // The case as it stands before the delivery: read here, on the caller's thread, so that
  // nothing reads the disk once the append completes on the store's writer.
  absl::StatusOr<std::string> ref = disclosure::NormaliseCaseRef("header.case_ref", request.header().case_ref());
  v1::DisclosureCase before;
  if (ref.ok()) {
    absl::StatusOr<v1::DisclosureCase> c = disclosure::CaseOf(*store_->CommittedState(disclosure::CaseStreamId(*ref)));
    if (!c.ok()) return reply(c.status());
    before = std::move(*c);
  }
  auto disclosure = std::make_shared<Consultation>(DisclosureOf(ref.value_or(""), before, request));
  v1::Purpose purpose;
  purpose.set_code(v1::DISCLOSURE_SCHEME_ASSESSMENT);
  purpose.set_detail(absl::StrCat("Disclosure scheme case ", ref.value_or(""), ": disclosure delivered"));
  commands_->Handle(request, call,
                    [this, call, purpose, disclosure, reply = std::move(reply)](absl::StatusOr<v1::CommandResult> result) {
                      if (!result.ok()) return reply(std::move(result));
                      disclosure->event_id = result->event_id();
                      access_->Record(call, purpose, {*disclosure}, [result, reply](absl::Status recorded) {
                        if (!recorded.ok()) {
                          return reply(absl::UnavailableError(absl::StrCat(
                              "the delivery is recorded (event ", result->event_id(),
                              ") but the record of the disclosure could not be written; repeat this command with "
                              "the same command_id: ",
                              recorded.message())));
                        }
                        reply(result);
                      });
                    });
}

}  // namespace safeguard::police
