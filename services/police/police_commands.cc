#include "services/police/police_commands.h"

#include "absl/strings/str_cat.h"
#include "common/agency/corrections.h"
#include "common/agency/risk_assessment.h"
#include "common/agency/stream_entries.h"
#include "common/status_macros.h"
#include "services/police/police_stream_state.h"
#include "services/police/police_validation.h"

namespace safeguard::police {
namespace {

using safeguard::v1::EventEnvelope;

// Whether the subject's record holds `ref` of `kind`.
absl::StatusOr<bool> Recorded(const StreamState& state, absl::string_view kind, const std::string& ref) {
  absl::StatusOr<std::optional<std::string>> entry = agency::RefState(state, kind, ref);
  if (!entry.ok()) return entry.status();
  return entry->has_value();
}

}  // namespace

constexpr char kPoliceStreamPrefix[] = "police";

std::string PoliceStreamId(const std::string& subject_key) {
  return absl::StrCat(kPoliceStreamPrefix, "/", subject_key);
}

PoliceCommands::PoliceCommands(EventStore* store, Clock clock)
    : submitter_(store, safeguard::v1::AGENCY_POLICE, kPoliceStreamPrefix, std::move(clock)) {}

void PoliceCommands::Handle(const safeguard::v1::RecordConvictionRequest& request,
                            const CallContext& call, Done done) {
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call, nullptr,
                    std::move(done));
}

void PoliceCommands::Handle(const safeguard::v1::RecordRegisterNotificationRequest& request,
                            const CallContext& call, Done done) {
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call, nullptr,
                    std::move(done));
}

void PoliceCommands::Handle(const safeguard::v1::RecordOrderRequest& request,
                            const CallContext& call, Done done) {
  const std::string ref = request.order().order_ref();
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call,
                    [ref](const StreamState& state) -> absl::Status {
                      ASSIGN_OR_RETURN(const bool recorded, Recorded(state, kOrderRef, ref));
                      if (recorded) {
                        return absl::AlreadyExistsError(absl::StrCat(
                            "order.order_ref: order '", ref, "' is already recorded for this subject"));
                      }
                      return absl::OkStatus();
                    },
                    std::move(done));
}

void PoliceCommands::Handle(const safeguard::v1::RecordOrderBreachRequest& request,
                            const CallContext& call, Done done) {
  const std::string ref = request.breach().order_ref();
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call,
                    [ref](const StreamState& state) -> absl::Status {
                      ASSIGN_OR_RETURN(const bool recorded, Recorded(state, kOrderRef, ref));
                      if (!recorded) {
                        return absl::FailedPreconditionError(absl::StrCat(
                            "breach.order_ref: no order '", ref,
                            "' is recorded for this subject; record the order first"));
                      }
                      return absl::OkStatus();
                    },
                    std::move(done));
}

void PoliceCommands::Handle(const safeguard::v1::RecordIntelligenceRequest& request,
                            const CallContext& call, Done done) {
  const std::string ref = request.intelligence().intelligence_ref();
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call,
                    [ref](const StreamState& state) -> absl::Status {
                      ASSIGN_OR_RETURN(const bool recorded, Recorded(state, kIntelligenceRef, ref));
                      if (recorded) {
                        return absl::AlreadyExistsError(absl::StrCat(
                            "intelligence.intelligence_ref: '", ref,
                            "' is already recorded for this subject"));
                      }
                      return absl::OkStatus();
                    },
                    std::move(done));
}

void PoliceCommands::Handle(const safeguard::v1::RecordPoliceRiskAssessmentRequest& request,
                            const CallContext& call, Done done) {
  const std::string ref = request.assessment().assessment_ref();
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call,
                    [ref](const StreamState& state) { return agency::AssessmentRefUnused(state, ref); },
                    std::move(done));
}

void PoliceCommands::Handle(const safeguard::v1::RecordCorrectionRequest& request, const CallContext& call,
                            Done done) {
  const safeguard::v1::FactCorrected correction = request.correction();
  submitter_.Submit(request, request.header(), Validate(request, submitter_.Today()), call,
                    [correction](const StreamState& state) { return agency::CheckCorrection(correction, state); },
                    std::move(done));
}

}  // namespace safeguard::police
