// Recorded order: the order in which Safeguard recorded events. It is the same on every
// replay of the log, however its topics interleave: when recorded (to the microsecond),
// then the agency, then that agency's gap-free log sequence. A person's picture folds
// their events in this order; a link's evidence names the earliest events in it; this is
// its one definition.
#pragma once

#include <string>

#include "safeguard/v1/common.pb.h"
#include "safeguard/v1/envelope.pb.h"

namespace safeguard::mappa {

inline constexpr size_t kRecordedOrderBytes = 24;

// The event's place in recorded order as 24 bytes whose byte order is recorded order.
std::string RecordedOrderKey(const safeguard::v1::EventEnvelope& e);
// The same, for the event `p` names.
std::string RecordedOrderKey(const safeguard::v1::Provenance& p);

}  // namespace safeguard::mappa
