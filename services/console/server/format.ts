// How Safeguard's values read on a page: enum names as words, dates as GOV.UK writes them
// (3 December 2026), timestamps in UK time, provenance in one line.
const LONDON = 'Europe/London'
const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
const timeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: LONDON,
})

const AGENCIES: Record<string, string> = {
  AGENCY_POLICE: 'Police',
  AGENCY_PROBATION: 'Probation',
  AGENCY_CHILDRENS_SERVICES: "Children's services",
  AGENCY_MAPPA: 'MAPPA',
  AGENCY_ONLINE_PLATFORM: 'Platform',
  AGENCY_AUDIT: 'Audit',
  AGENCY_OPERATIONS: 'Operations',
}

// Words for an enum value's name: "RISK_VERY_HIGH" -> "Very high" (with its type's prefix
// dropped when given), "" for an unspecified value.
export function words(value: unknown, prefix = ''): string {
  if (typeof value !== 'string' || value === '' || value.endsWith('_UNSPECIFIED')) return ''
  if (value in AGENCIES) return AGENCIES[value]
  let name = value
  if (prefix && name.startsWith(prefix)) name = name.slice(prefix.length)
  const text = name.toLowerCase().replace(/_/g, ' ')
  return text.charAt(0).toUpperCase() + text.slice(1)
}

export function agency(value: unknown): string {
  return typeof value === 'string' ? AGENCIES[value] ?? words(value) : ''
}

// A calendar date "YYYY-MM-DD" as "3 December 2026"; anything else as given.
export function day(value: unknown): string {
  if (typeof value !== 'string' || value === '') return ''
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!m) return value
  return dateFormat.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))))
}

function timestampMillis(ts: any): number | undefined {
  if (!ts || ts.seconds === undefined) return undefined
  const seconds = Number(ts.seconds)
  if (!Number.isFinite(seconds) || seconds === 0) return undefined
  return seconds * 1000 + Math.floor(Number(ts.nanos ?? 0) / 1e6)
}

// A google.protobuf.Timestamp as "3 December 2026 at 14:05" (UK time); a fact dated by
// day alone (midnight UTC) as its day.
export function time(ts: any): string {
  const ms = timestampMillis(ts)
  if (ms === undefined) return ''
  if (ms % 86_400_000 === 0) return dateFormat.format(new Date(ms))
  return timeFormat.format(new Date(ms)).replace(', ', ' at ')
}

// How a deadline stands against now: "overdue by 3 days", "due in 5 hours".
export function dueIn(ts: any, now = Date.now()): string {
  const ms = timestampMillis(ts)
  if (ms === undefined) return ''
  const delta = ms - now
  const hours = Math.round(Math.abs(delta) / 3_600_000)
  const span = hours >= 48 ? `${Math.round(hours / 24)} days` : `${hours} hour${hours === 1 ? '' : 's'}`
  return delta < 0 ? `overdue by ${span}` : `due in ${span}`
}

export function isoTime(ts: any): string {
  const ms = timestampMillis(ts)
  return ms === undefined ? '' : new Date(ms).toISOString()
}

// A person's name as the agencies hold it: "Michael James O'CONNOR".
export function personName(subject: any): string {
  if (!subject) return ''
  const given = subject.given_name ?? ''
  const family = subject.family_name ?? ''
  return `${given} ${family}`.trim()
}

// The references people are known by: the SubjectRef field, the key prefix mappa-service
// files records under ("pnc:2019/0012345X"), and how people say and write it.
export const REFERENCE_KINDS: Record<string, { key: string; label: string; pattern: RegExp; example: string }> = {
  pnc_id: { key: 'pnc', label: 'PNC ID', pattern: /^\d{2,4}\/\d{1,7}[A-Z]$/, example: '2019/0012345X' },
  visor_ref: { key: 'visor', label: 'ViSOR reference', pattern: /^[A-Z0-9/-]{4,32}$/, example: 'VR-1001' },
  probation_case_ref: { key: 'probation', label: 'Probation case reference (CRN)', pattern: /^[A-Z]\d{6}$/, example: 'X123456' },
  childrens_case_id: { key: 'childrens', label: "Children's services case ID", pattern: /^[A-Z0-9-]{4,32}$/, example: 'CS-PE-30981' },
}

function kindOfKey(key: string): [string, { key: string; label: string }] | undefined {
  const prefix = key.slice(0, Math.max(0, key.indexOf(':')))
  return Object.entries(REFERENCE_KINDS).find(([, k]) => k.key === prefix)
}

const SPOKEN: Record<string, string> = { pnc: 'PNC', visor: 'ViSOR', probation: 'Probation CRN', childrens: "Children's services case" }

// The references of a picture or record ("pnc:2019/0012345X") as people say them.
export function reference(ref: unknown): string {
  if (typeof ref !== 'string') return ''
  const colon = ref.indexOf(':')
  if (colon < 0) return ref
  const kind = ref.slice(0, colon)
  return `${SPOKEN[kind] ?? kind} ${ref.slice(colon + 1)}`
}

// The SubjectRef a person key or reference ("pnc:2019/0012345X") reads a picture by.
export function subjectOfKey(key: string): Record<string, string> | undefined {
  const kind = kindOfKey(key)
  const value = key.slice(key.indexOf(':') + 1)
  return kind && value ? { [kind[0]]: value } : undefined
}

// "Police, recorded 3 December 2026 at 14:05 by dc-jones (police-officer)".
export function provenance(p: any): string {
  if (!p) return ''
  const parts = [agency(p.agency)]
  const recorded = time(p.recorded_at)
  if (recorded) parts.push(`recorded ${recorded}`)
  const by = p.recorded_by
  if (by && by.user) {
    let who = `by ${by.user} (${by.role})`
    if (by.via && by.via.user) who += ` via ${by.via.user}`
    parts.push(who)
  }
  return parts.filter(Boolean).join(', ')
}

export function percent(value: unknown): string {
  const n = Number(value)
  return Number.isFinite(n) ? `${(n * 100).toFixed(n >= 0.995 && n < 1 ? 2 : 0)}%` : ''
}

export function signed(value: unknown): string {
  const n = Number(value)
  if (!Number.isFinite(n)) return ''
  return `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(1)}`
}

export const RISK_ORDER = ['RISK_LOW', 'RISK_MEDIUM', 'RISK_HIGH', 'RISK_VERY_HIGH']

// The GOV.UK tag colour for a risk level.
export function riskTagClass(level: unknown): string {
  switch (level) {
    case 'RISK_VERY_HIGH': return 'govuk-tag--red'
    case 'RISK_HIGH': return 'govuk-tag--orange'
    case 'RISK_MEDIUM': return 'govuk-tag--yellow'
    case 'RISK_LOW': return 'govuk-tag--green'
    default: return 'govuk-tag--grey'
  }
}

const ROLES: Record<string, string> = {
  'mappa-chair': 'MAPPA chair',
  'mappa-coordinator': 'MAPPA coordinator',
  'mappa-panel-member': 'MAPPA panel member',
  'police-disclosure': 'police disclosure officer',
}

// A role as people say it: "MAPPA chair".
export function roleName(role: unknown): string {
  return typeof role === 'string' ? ROLES[role] ?? role : ''
}

// A purpose code as the purpose form words it: "MAPPA meeting".
export function purposeName(code: unknown): string {
  return PURPOSES.find(p => p.code === code)?.text ?? words(code)
}

export const PURPOSES: { code: string; text: string; hint: string }[] = [
  { code: 'MAPPA_MEETING', text: 'MAPPA meeting', hint: 'Preparing for or holding a level 2 or 3 meeting' },
  { code: 'RISK_MANAGEMENT', text: 'Risk management', hint: 'Managing the risk a person poses between meetings' },
  { code: 'DISCLOSURE_SCHEME_ASSESSMENT', text: 'Disclosure scheme assessment', hint: "A Child Sex Offender Disclosure Scheme (Sarah's Law) case" },
  { code: 'URGENT_SAFEGUARDING', text: 'Urgent safeguarding', hint: 'A child may be at immediate risk' },
]
