// Every key prefix of mappa-service's state (one RocksDB database), and the component that
// owns it. A component reads and writes only its own prefixes; other components ask it.
// Numbers in keys are 8 big-endian bytes, so that byte order is the order wanted.
#pragma once

namespace safeguard::mappa::prefix {

// state/mappa_state: the layout's version; state in another layout is rebuilt.
inline constexpr char kFormat[] = "~format";
// state/mappa_state: when the state was last purged of what an erasure deleted.
inline constexpr char kPurged[] = "~purged";

// ingest/stream_sequencer: exactly once, in order. Streams by their stored names
// (pseudonyms, "police/~<32 hex>"), so that nothing here names a person.
inline constexpr char kPosition[] = "p";  // topic \0 partition -> next offset to consume
inline constexpr char kApplied[] = "a";   // stored stream id -> last applied version, events parked
inline constexpr char kParked[] = "q";    // stored stream id \0 version -> event held for its turn
inline constexpr char kGap[] = "g";       // stored stream id \0 expected version -> GapReport

// ingest/sealed_events: the agencies' data keys, and events waiting for theirs.
inline constexpr char kDataKey[] = "Z";      // key id -> DataKeyRecord (wrapped; or destroyed)
inline constexpr char kAwaitingKey[] = "W";  // key id \0 topic \0 partition offset -> the event as carried
inline constexpr char kKeysKek[] = "~keys_kek";  // bare: the KEK every record above was last found under

// ingest/erasure: which records each data key opened events of (what an erasure drops),
// the restrictions in force, and an erasure's work still to do once committed.
inline constexpr char kKeyRecords[] = "Y";    // key id \0 record -> ""
inline constexpr char kRestricted[] = "U";    // key id -> RecordRestriction
inline constexpr char kErasing[] = "~erasing";  // bare: ErasureAftermath (purge, own keys to destroy)

// projection/record_events: each record's events.
inline constexpr char kEvent[] = "e";     // record \0 recorded order -> the event as stored
inline constexpr char kTimeline[] = "t";  // record \0 occurred, agency, sequence -> TimelineItem
inline constexpr char kCorrection[] = "x";  // record \0 corrected event id \0 a correction's recorded order -> ""

// projection/person_views: each person's picture.
inline constexpr char kPersonView[] = "V";      // person key -> StoredPicture
inline constexpr char kDisclosureDue[] = "D";   // person key -> DisclosureNotConsidered (s.327A)

// identity/identity_index: which records are one person.
inline constexpr char kReference[] = "r";       // reference -> IndexEntry (records carrying it)
inline constexpr char kBlock[] = "b";           // blocking key -> BlockMembers (identity/match.h)
inline constexpr char kLink[] = "k";            // link id -> IdentityLink
inline constexpr char kRecordLink[] = "K";      // record \0 link id -> ""
inline constexpr char kLinkStatus[] = "s";      // status \0 link id -> "" (the lists of links)
inline constexpr char kPerson[] = "P";          // record -> PersonRecords (records linked to others)
inline constexpr char kRecordIdentity[] = "d";  // record -> RecordIdentityState

// alerts/alert_folder: the alerts that hold, and every change.
inline constexpr char kAlerts[] = "A";          // person key -> AlertSet
inline constexpr char kAlertChange[] = "L";     // sequence -> AlertChange; bare: the last sequence

// ingest/projector: how far the day's re-evaluation of everyone's alerts has got.
inline constexpr char kAlertEvaluation[] = "E";  // bare: AlertEvaluation
// ingest/projector: a rebuild from the log under way (none: no key).
inline constexpr char kRebuild[] = "R";          // bare: RebuildProgress

// cases/case_folder and meetings/meeting_folder.
inline constexpr char kCase[] = "c";            // case ref -> DisclosureCase
inline constexpr char kMeeting[] = "m";         // meeting ref -> MappaMeeting

// screening/identifier_index.
inline constexpr char kOnlineIdentifier[] = "i";  // identifier key \0 record -> ""

}  // namespace safeguard::mappa::prefix
