#include "services/mappa/projection/recorded_order.h"

#include "common/keys.h"

namespace safeguard::mappa {
namespace {

std::string Key(const google::protobuf::Timestamp& recorded_at, safeguard::v1::Agency agency, uint64_t sequence) {
  std::string k;
  k.reserve(kRecordedOrderBytes);
  AppendBigEndian64(&k, OrderedFromSigned(recorded_at.seconds() * 1000000 + recorded_at.nanos() / 1000));
  AppendBigEndian64(&k, static_cast<uint64_t>(agency));
  AppendBigEndian64(&k, sequence);
  return k;
}

}  // namespace

std::string RecordedOrderKey(const safeguard::v1::EventEnvelope& e) {
  return Key(e.recorded_at(), e.agency(), e.log_sequence());
}

std::string RecordedOrderKey(const safeguard::v1::Provenance& p) {
  return Key(p.recorded_at(), p.agency(), p.log_sequence());
}

}  // namespace safeguard::mappa
