// Where a fact came from, as every read shows it: the event's agency, id, type, stream
// position, when it happened and was recorded, and who recorded it.
#pragma once

#include "safeguard/v1/common.pb.h"
#include "safeguard/v1/envelope.pb.h"

namespace safeguard {

inline safeguard::v1::Provenance ProvenanceOf(const safeguard::v1::EventEnvelope& e) {
  safeguard::v1::Provenance p;
  p.set_agency(e.agency());
  p.set_event_id(e.event_id());
  p.set_event_type(e.event_type());
  p.set_stream_id(e.stream_id());
  p.set_stream_version(e.stream_version());
  *p.mutable_occurred_at() = e.occurred_at();
  *p.mutable_recorded_at() = e.recorded_at();
  *p.mutable_recorded_by() = e.actor();
  p.set_log_sequence(e.log_sequence());
  return p;
}

}  // namespace safeguard
