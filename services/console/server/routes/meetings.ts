// MAPPA meetings: the list, one meeting with its agenda and decisions, and the forms the
// chair and coordinator record it with (schedule, attendance, agenda items, subject reviews
// with the s.327A decision, case discussions, minutes). Each form is one command, recorded
// as the signed-in person; what Safeguard refuses comes back as a GOV.UK error summary
// naming each field, and nothing is recorded.
import crypto from 'node:crypto'
import express, { type Request, type Response } from 'express'
import type { Safeguard } from '../safeguard'
import { SafeguardError } from '../safeguard'
import { isCalendarDate, text } from '../forms'
import { purposeFor } from './purpose'


export const MEETING_AGENCIES = ['police', 'probation', 'prison', 'childrens-services', 'adult-social-care', 'education',
  'health', 'housing', 'jobcentre-plus', 'youth-justice', 'electronic-monitoring']
const MEETING_REF = /^[A-Za-z0-9/-]{4,40}$/
const RECORDERS = ['mappa-chair', 'mappa-coordinator']
const ROWS = 8 // attendee and action rows a form offers

type FieldError = { text: string; href: string }

// The UTC instant of a wall-clock time in London.
export function londonToUtc(y: number, m: number, d: number, h: number, min: number): Date {
  const guess = Date.UTC(y, m - 1, d, h, min)
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(new Date(guess))
  const get = (t: string) => Number(parts.find(p => p.type === t)?.value)
  const shown = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'))
  return new Date(guess - (shown - guess))
}

// A date from GOV.UK's date input named `prefix`: "YYYY-MM-DD", "" when left empty.
function dateInput(body: Record<string, unknown>, prefix: string, label: string, errors: FieldError[], id: string): string {
  const [d, m, y] = ['day', 'month', 'year'].map(p => text(body[`${prefix}-${p}`]))
  if (!d && !m && !y) return ''
  if (!/^\d{4}$/.test(y) || !isCalendarDate(Number(y), Number(m), Number(d))) {
    errors.push({ text: `${label} must be a real date, like 27 3 2027`, href: `#${id}` })
    return ''
  }
  return `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`
}

// Safeguard's field (e.g. "review.actions[0].owner_agency") as the element id it has in
// form `form` ("review-actions-0-owner_agency").
export function fieldId(form: string, field: string): string {
  let rest = field.replace(/^(header|meeting|attendance|item|review|discussion|minutes)\./, '')
  rest = rest.replace(/\[(\d+)\]/g, '-$1').replace(/\./g, '-')
  if (rest.startsWith('subject') || rest === 'case_ref') rest = 'reference'
  return `${form}-${rest}`
}

function violationsOf(e: SafeguardError, form: string): FieldError[] {
  if (e.violations.length > 0) {
    return e.violations.map(v => ({ text: `${v.field}: ${v.description}`, href: `#${fieldId(form, v.field)}` }))
  }
  return [{ text: e.detail, href: `#${form}` }]
}

function rows(body: Record<string, unknown>, prefix: string, fields: string[]): Record<string, string>[] {
  const out: Record<string, string>[] = []
  for (let i = 0; i < ROWS; i++) {
    const row: Record<string, string> = {}
    for (const f of fields) row[f] = text(body[`${prefix}-${i}-${f}`])
    if (Object.values(row).some(v => v !== '')) out.push(row)
  }
  return out
}

const list = (value: unknown): string[] => ([] as unknown[]).concat(value ?? []).map(text).filter(Boolean)

// The command each form records, from what was posted; local errors for what cannot even be sent.
const FORMS: Record<string, { method: string; build: (b: Record<string, unknown>, errors: FieldError[]) => object }> = {
  attendance: {
    method: 'RecordAttendance',
    build: b => ({ attendance: { attendees: rows(b, 'attendees', ['name', 'role', 'agency']), apologies: list(b.apologies) } }),
  },
  agenda: {
    method: 'AddAgendaItem',
    build: b => {
      const kind = text(b.subject_kind)
      const reference = text(b.reference).toUpperCase()
      const item: Record<string, unknown> = { item_ref: text(b.item_ref), note: text(b.note) }
      if (kind === 'case') item.case_ref = reference
      else if (kind) item.subject = { [kind]: reference }
      return { item }
    },
  },
  review: {
    method: 'RecordSubjectReview',
    build: (b, errors) => {
      const considered = b.disclosure_considered === 'yes'
      const actions = rows(b, 'actions', ['action', 'owner_agency', 'due_date'])
      return {
        review: {
          item_ref: text(b.item_ref),
          category: Number(text(b.category)) || 0,
          level: Number(text(b.level)) || 0,
          actions,
          disclosure_considered: considered,
          presumption_to_disclose_noted: considered && b.presumption_to_disclose_noted === 'yes',
          disclosure_decision: considered ? text(b.disclosure_decision) || 'S327A_DECISION_UNSPECIFIED' : 'S327A_DECISION_UNSPECIFIED',
          disclosure_rationale: considered ? text(b.disclosure_rationale) : '',
          next_review_due: dateInput(b, 'next_review_due', 'The next review', errors, 'review-next_review_due'),
        },
      }
    },
  },
  discussion: {
    method: 'RecordCaseDiscussion',
    build: b => ({
      discussion: {
        item_ref: text(b.item_ref),
        recommendation: text(b.recommendation) || 'DISCLOSURE_OUTCOME_UNSPECIFIED',
        rationale: text(b.rationale),
        recommended_wording: text(b.recommended_wording),
        recommended_recipients: text(b.recommended_recipients).split('\n').map(s => s.trim()).filter(Boolean),
      },
    }),
  },
  minutes: {
    method: 'RecordMinutes',
    build: b => ({ minutes: { at: { seconds: String(Math.floor(Date.now() / 1000)), nanos: 0 }, minutes: text(b.minutes) } }),
  },
}

export function meetingsRoutes(safeguard: Safeguard): express.Router {
  const router = express.Router()

  async function listPage(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const state = req.query.state === 'MEETING_MINUTED' ? 'MEETING_MINUTED' : 'MEETING_SCHEDULED'
    const found = await safeguard.call(res.locals.person, 'MeetingService', 'ListMeetings', { state, page_size: 500 })
    const meetings = (found.meetings as any[]).sort((a, b) =>
      Number(a.scheduled?.meeting_at?.seconds ?? 0) - Number(b.scheduled?.meeting_at?.seconds ?? 0))
    if (state === 'MEETING_MINUTED') meetings.reverse()
    res.render('pages/meetings', {
      meetings, state, more: found.next_page_token !== '', canRecord: RECORDERS.includes(res.locals.person.role), form: {}, errors: [], ...extra,
    })
  }

  router.get('/meetings', async (req, res) => listPage(req, res))

  router.post('/meetings', async (req, res) => {
    const b = req.body as Record<string, unknown>
    const errors: FieldError[] = []
    const meetingRef = text(b.meeting_ref).toUpperCase()
    const day = dateInput(b, 'meeting_at', 'The date of the meeting', errors, 'schedule-meeting_at')
    const time = text(b.meeting_time)
    let meetingAt: object | undefined
    if (!day) {
      if (!errors.length) errors.push({ text: 'Enter the date of the meeting', href: '#schedule-meeting_at' })
    } else if (!/^([01]?\d|2[0-3]):[0-5]\d$/.test(time)) {
      errors.push({ text: 'Enter the time of the meeting, like 14:30', href: '#schedule-meeting_time' })
    } else {
      const [y, m, d] = day.split('-').map(Number)
      const [h, min] = time.split(':').map(Number)
      meetingAt = { seconds: String(londonToUtc(y, m, d, h, min).getTime() / 1000), nanos: 0 }
    }
    if (errors.length === 0) {
      try {
        await safeguard.call(res.locals.person, 'MeetingService', 'ScheduleMeeting', {
          header: { command_id: text(b.command_id) || crypto.randomUUID(), meeting_ref: meetingRef },
          meeting: { meeting_at: meetingAt, level: Number(text(b.level)) || 0, force: text(b.force), chair: text(b.chair), venue: text(b.venue) },
        })
        return res.redirect(303, `/meetings/${encodeURIComponent(meetingRef)}`)
      } catch (e) {
        if (!(e instanceof SafeguardError) || !['INVALID_ARGUMENT', 'FAILED_PRECONDITION', 'ALREADY_EXISTS'].some(c => e.message.startsWith(c))) throw e
        errors.push(...violationsOf(e, 'schedule'))
      }
    }
    res.status(400)
    await listPage(req, res, { form: b, errors })
  })

  async function meetingPage(req: Request, res: Response, ref: string, extra: Record<string, unknown> = {}) {
    const context = `meeting:${ref}`
    const purpose = purposeFor(req, res, context)
    if (!purpose) return
    const meeting = await safeguard.call(res.locals.person, 'MeetingService', 'GetMeeting', { meeting_ref: ref, purpose })
    // The attendance form starts from the attendance recorded (a new record replaces it).
    const attendanceNow: Record<string, string> = {}
    ;(meeting.attendance?.attendees ?? []).forEach((a: any, n: number) => {
      attendanceNow[`attendees-${n}-name`] = a.name
      attendanceNow[`attendees-${n}-role`] = a.role
      attendanceNow[`attendees-${n}-agency`] = a.agency
    })
    res.render('pages/meeting', {
      attendanceNow,
      m: meeting, context, agencies: MEETING_AGENCIES, rowCount: ROWS,
      canRecord: RECORDERS.includes(res.locals.person.role) && meeting.state === 'MEETING_SCHEDULED',
      done: Object.hasOwn(FORMS, String(req.query.done)) ? String(req.query.done) : '',
      form: {}, formName: '', errors: [], ...extra,
    })
  }

  router.get('/meetings/:ref', async (req, res) => {
    const ref = String(req.params.ref).toUpperCase()
    if (!MEETING_REF.test(ref)) {
      res.status(404).render('pages/error', { title: 'Not found', message: `'${ref}' is not a meeting reference` })
      return
    }
    await meetingPage(req, res, ref)
  })

  router.post('/meetings/:ref/:form', async (req, res) => {
    const ref = String(req.params.ref).toUpperCase()
    const form = Object.hasOwn(FORMS, String(req.params.form)) ? FORMS[String(req.params.form)] : undefined
    if (!MEETING_REF.test(ref) || !form) {
      res.status(404).render('pages/error', { title: 'Not found', message: 'No such form' })
      return
    }
    const b = req.body as Record<string, unknown>
    const errors: FieldError[] = []
    const command = form.build(b, errors)
    if (errors.length === 0) {
      try {
        await safeguard.call(res.locals.person, 'MeetingService', form.method, {
          header: { command_id: text(b.command_id) || crypto.randomUUID(), meeting_ref: ref }, ...command,
        })
        const what = String(req.params.form)
        return res.redirect(303, `/meetings/${encodeURIComponent(ref)}?done=${encodeURIComponent(what)}#${what}`)
      } catch (e) {
        if (!(e instanceof SafeguardError) || !['INVALID_ARGUMENT', 'FAILED_PRECONDITION'].some(c => e.message.startsWith(c))) throw e
        errors.push(...violationsOf(e, String(req.params.form)))
      }
    }
    res.status(400)
    await meetingPage(req, res, ref, { form: b, formName: String(req.params.form), errors })
  })

  return router
}

