// The RocksDB key layout of mappa-service's state (RiskViewStore). Internal to it.
//
//   '~format'                                   -> kFormat (state in another layout is rebuilt)
//   'v' record                                  -> RiskView (the record's facts, folded in
//                                                  the order Safeguard recorded its events)
//   'o' record                                  -> the order key of the last event folded in
//   'e' record \0 recorded agency seq           -> EventEnvelope (each fact event of the record)
//   't' record \0 occurred agency seq           -> TimelineEntry
//   'r' reference \0 record                     -> "" (records whose events carried it)
//   'n' date of birth \0 name \0 record         -> "" (every name and alias recorded)
//   'k' link_id                                 -> IdentityLink (evidence and decisions)
//   'K' record \0 link_id                       -> "" (the links that mention a record)
//   'A' person key \0 rule                      -> Alert (holding now)
//   'L' sequence                                -> AlertChange (every raise, update, clear)
//   'a' stream_id                               -> last applied stream version
//   'p' topic \0 partition                      -> next offset to consume
//   'g' stream_id \0 expected_version           -> GapReport (while the version is missing)
//   'q' stream_id \0 version                    -> EventEnvelope parked until its turn
//   'i' identifier key \0 record                -> "" (online identifiers ever notified)
//   'c' case ref                                -> DisclosureCase (police's disclosure cases)
//   'm' meeting ref                             -> MappaMeeting (MAPPA meetings)
// Numbers are 8 big-endian bytes, times are microseconds since the epoch (sign-flipped),
// so that byte order is the order wanted.
#pragma once

#include <string>

#include "common/keys.h"
#include "safeguard/v1/envelope.pb.h"

namespace safeguard::mappa::keys {

inline constexpr char kFormatKey[] = "~format";
inline constexpr char kFormat[] = "2";  // 2: records by their own key, identity index, stored alerts

inline constexpr char kLinkPrefix[] = "k";
inline constexpr char kAlertPrefix[] = "A";
inline constexpr char kAlertChangePrefix[] = "L";
inline constexpr char kPositionPrefix[] = "p";
inline constexpr char kGapPrefix[] = "g";
inline constexpr char kParkedPrefix[] = "q";
inline constexpr char kViewPrefix[] = "v";
inline constexpr char kCasePrefix[] = "c";
inline constexpr char kMeetingPrefix[] = "m";
inline constexpr size_t kTimelineSuffixBytes = 24;

inline std::string EncodeU64(uint64_t v) {
  std::string s;
  AppendBigEndian64(&s, v);
  return s;
}

inline uint64_t Micros(const google::protobuf::Timestamp& t) {
  return OrderedFromSigned(t.seconds() * 1000000 + t.nanos() / 1000);
}

inline std::string View(const std::string& record) { return kViewPrefix + record; }
inline std::string RefPrefix(const std::string& reference) { return NamedPrefix("r", reference); }
inline std::string Ref(const std::string& reference, const std::string& record) {
  return RefPrefix(reference) + record;
}
inline std::string Case(const std::string& case_ref) { return kCasePrefix + case_ref; }
inline std::string Meeting(const std::string& meeting_ref) { return kMeetingPrefix + meeting_ref; }
inline std::string LastOrder(const std::string& record) { return "o" + record; }
inline std::string Applied(const std::string& stream) { return "a" + stream; }
inline std::string Link(const std::string& link_id) { return kLinkPrefix + link_id; }
inline std::string RecordLinkPrefix(const std::string& record) { return NamedPrefix("K", record); }
inline std::string RecordLink(const std::string& record, const std::string& link_id) {
  return RecordLinkPrefix(record) + link_id;
}
inline std::string NamePrefix(const std::string& date_of_birth, const std::string& name) {
  return NamedPrefix("n", date_of_birth) + name + '\0';
}
inline std::string OnlineIdentifier(const std::string& identifier_key, const std::string& record) {
  return NamedPrefix("i", identifier_key) + record;
}
inline std::string Position(const std::string& topic, int32_t partition) {
  std::string k = NamedPrefix(kPositionPrefix, topic);
  AppendBigEndian64(&k, static_cast<uint64_t>(partition));
  return k;
}
inline std::string StreamVersion(const char* prefix, const std::string& stream, uint64_t version) {
  std::string k = NamedPrefix(prefix, stream);
  AppendBigEndian64(&k, version);
  return k;
}

// A record's timeline, ordered by when things happened in the world.
inline std::string Timeline(const std::string& record) { return NamedPrefix("t", record); }
inline std::string TimelineSuffix(const safeguard::v1::EventEnvelope& e) {
  std::string s;
  AppendBigEndian64(&s, Micros(e.occurred_at()));
  AppendBigEndian64(&s, static_cast<uint64_t>(e.agency()));
  AppendBigEndian64(&s, e.log_sequence());
  return s;
}

// A record's events, ordered as Safeguard recorded them (a person's picture replays them).
inline std::string EventPrefix(const std::string& record) { return NamedPrefix("e", record); }
// Recorded order: when recorded, then agency and its gap-free sequence. The same for
// every replay of the log, however its topics interleave.
inline std::string EventOrder(const safeguard::v1::EventEnvelope& e) {
  std::string k;
  AppendBigEndian64(&k, Micros(e.recorded_at()));
  AppendBigEndian64(&k, static_cast<uint64_t>(e.agency()));
  AppendBigEndian64(&k, e.log_sequence());
  return k;
}
inline std::string Event(const std::string& record, const safeguard::v1::EventEnvelope& e) {
  return EventPrefix(record) + EventOrder(e);
}

inline std::string AlertPrefix(const std::string& person) { return NamedPrefix(kAlertPrefix, person); }
inline std::string Alert(const std::string& person, int rule) {
  std::string k = AlertPrefix(person);
  AppendBigEndian64(&k, static_cast<uint64_t>(rule));
  return k;
}
inline std::string AlertChange(uint64_t sequence) {
  std::string k = kAlertChangePrefix;
  AppendBigEndian64(&k, sequence);
  return k;
}

}  // namespace safeguard::mappa::keys
