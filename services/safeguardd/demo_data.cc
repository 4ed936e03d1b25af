#include "services/safeguardd/demo_data.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "common/grpc/caller.h"
#include "common/grpc/status_mapping.h"
#include "safeguard/v1/police_service.grpc.pb.h"

namespace safeguard {
namespace {

using namespace safeguard::v1;

SubjectRef Subject(const std::string& pnc, const std::string& visor, const std::string& given,
                   const std::string& family, const std::string& dob) {
  SubjectRef s;
  s.set_pnc_id(pnc);
  s.set_visor_ref(visor);
  s.set_given_name(given);
  s.set_family_name(family);
  s.set_date_of_birth(dob);
  return s;
}

template <typename Request>
void SetHeader(Request* r, const std::string& command_id, const SubjectRef& subject) {
  r->mutable_header()->set_command_id(command_id);
  *r->mutable_header()->mutable_subject() = subject;
}

}  // namespace

absl::StatusOr<DemoLoadResult> LoadDemoData(const std::string& police_address) {
  auto channel = grpc::CreateChannel(police_address, grpc::InsecureChannelCredentials());
  auto stub = PoliceService::NewStub(channel);
  DemoLoadResult result;
  auto call = [&](auto method, const auto& request) -> absl::Status {
    grpc::ClientContext ctx;
    ctx.AddMetadata(kUserHeader, "demo-loader");
    ctx.AddMetadata(kRoleHeader, "police-records");
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.set_wait_for_ready(true);
    CommandResult response;
    grpc::Status st = ((*stub).*method)(&ctx, request, &response);
    if (!st.ok()) {
      return absl::Status(ToAbslStatus(st).code(),
                          absl::StrCat("demo command ", request.header().command_id(), ": ",
                                       st.error_message()));
    }
    (response.idempotent_replay() ? result.replayed : result.recorded)++;
    return absl::OkStatus();
  };

  // 1. A registered child sex offender living under an order, who breached it.
  const SubjectRef smith = Subject("2011/0045123K", "VR-11-0042", "John", "Smith", "1975-04-12");
  {
    RecordConvictionRequest r;
    SetHeader(&r, "demo-smith-conviction-1", smith);
    auto* c = r.mutable_conviction();
    c->set_disposal(CONVICTION);
    c->set_offence("Sexual assault of a child under 13 (Sexual Offences Act 2003 s.7)");
    c->set_classification(CHILD_SEXUAL);
    c->set_offence_date("2010-06-01");
    c->set_disposal_date("2011-02-14");
    c->set_court("Cambridge Crown Court");
    c->set_sentence("4 years imprisonment");
    if (auto st = call(&PoliceService::Stub::RecordConviction, r); !st.ok()) return st;
  }
  {
    RecordRegisterNotificationRequest r;
    SetHeader(&r, "demo-smith-notification-2024", smith);
    auto* n = r.mutable_notification();
    n->set_notification_date("2024-09-02");
    auto* a = n->add_addresses();
    a->set_kind(HOME);
    a->set_line1("14 Mill Road");
    a->set_town("Cambridge");
    a->set_postcode("CB1 2AD");
    n->set_household_with_child(false);
    n->set_indefinite(true);
    n->set_next_due_date("2025-09-02");
    auto* id = n->add_online_identifiers();
    id->set_kind(EMAIL);
    id->set_value("j.smith75@example.org");
    if (auto st = call(&PoliceService::Stub::RecordRegisterNotification, r); !st.ok()) return st;
  }
  {
    RecordOrderRequest r;
    SetHeader(&r, "demo-smith-order-shpo", smith);
    auto* o = r.mutable_order();
    o->set_order_ref("SHPO-CAM-2015-031");
    o->set_kind(SEXUAL_HARM_PREVENTION_ORDER);
    o->set_court("Cambridge Magistrates' Court");
    o->set_made_date("2015-03-20");
    o->add_prohibitions("Not to have unsupervised contact with any child under 16");
    o->add_prohibitions("Not to reside in a household with a child under 16");
    o->set_prohibits_unsupervised_contact_with_children(true);
    if (auto st = call(&PoliceService::Stub::RecordOrder, r); !st.ok()) return st;
  }
  {
    RecordOrderBreachRequest r;
    SetHeader(&r, "demo-smith-breach-1", smith);
    auto* b = r.mutable_breach();
    b->set_order_ref("SHPO-CAM-2015-031");
    b->set_breach_date("2025-11-03");
    b->set_description("Seen alone with a neighbour's 9-year-old child at a park");
    if (auto st = call(&PoliceService::Stub::RecordOrderBreach, r); !st.ok()) return st;
  }

  // 2. Convictions against adults, unproven intelligence about children.
  const SubjectRef jones = Subject("2016/0078234B", "", "Peter", "Jones", "1982-11-30");
  {
    RecordConvictionRequest r;
    SetHeader(&r, "demo-jones-conviction-1", jones);
    auto* c = r.mutable_conviction();
    c->set_disposal(CONVICTION);
    c->set_offence("Sexual assault (Sexual Offences Act 2003 s.3)");
    c->set_classification(ADULT_SEXUAL);
    c->set_offence_date("2015-08-15");
    c->set_disposal_date("2016-05-09");
    c->set_court("Teesside Crown Court");
    c->set_sentence("32 months imprisonment");
    if (auto st = call(&PoliceService::Stub::RecordConviction, r); !st.ok()) return st;
  }
  {
    RecordIntelligenceRequest r;
    SetHeader(&r, "demo-jones-intel-1", jones);
    auto* i = r.mutable_intelligence();
    i->set_intelligence_ref("INT-CLE-2025-1187");
    i->set_received_date("2025-10-21");
    i->set_source_evaluation(SOURCE_UNTESTED);
    i->set_assessment(KNOWN_INDIRECTLY);
    i->set_handling(LAWFUL_SHARING_PERMITTED);
    i->set_summary("Reported to be spending time alone with his new partner's two children");
    i->set_concerns_children(true);
    if (auto st = call(&PoliceService::Stub::RecordIntelligence, r); !st.ok()) return st;
  }
  {
    RecordRegisterNotificationRequest r;
    SetHeader(&r, "demo-jones-notification-2024", jones);
    auto* n = r.mutable_notification();
    n->set_notification_date("2024-06-10");
    auto* a = n->add_addresses();
    a->set_kind(HOME);
    a->set_line1("3 Albert Terrace");
    a->set_town("Middlesbrough");
    a->set_postcode("TS1 3PA");
    n->set_indefinite(true);  // 30 months or more: notification is indefinite
    n->set_next_due_date("2025-06-10");
    if (auto st = call(&PoliceService::Stub::RecordRegisterNotification, r); !st.ok()) return st;
  }
  return result;
}

}  // namespace safeguard
