// Finding a person and reading their picture and timeline, each read as the signed-in
// person with the purpose stated for the context it is made in.
import express, { type Request, type Response } from 'express'
import { REFERENCE_KINDS, subjectOfKey } from '../format'
import { isCalendarDate, text } from '../forms'
import type { Safeguard } from '../safeguard'
import { SafeguardError } from '../safeguard'
import { contextOf, purposeFor } from './purpose'

type FieldError = { text: string; href: string }

// A date of birth from GOV.UK's date input: the whole date, the year alone, or nothing.
function dateOfBirth(q: Record<string, unknown>, errors: FieldError[]): { date?: string; year?: number } {
  const day = text(q['dob-day'])
  const month = text(q['dob-month'])
  const year = text(q['dob-year'])
  if (!day && !month && !year) return {}
  if (!/^\d{4}$/.test(year)) {
    errors.push({ text: 'Date of birth must include a year of 4 numbers, like 1968', href: '#dob-year' })
    return {}
  }
  if (!day && !month) return { year: Number(year) }
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !isCalendarDate(Number(year), Number(month), Number(day))) {
    errors.push({ text: 'Date of birth must be a real date, like 23 11 1968', href: day ? '#dob-month' : '#dob-day' })
    return {}
  }
  if (Date.UTC(Number(year), Number(month) - 1, Number(day)) > Date.now()) {
    errors.push({ text: 'Date of birth must be in the past', href: '#dob-day' })
    return {}
  }
  return { date: `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}` }
}

// The person a /people/:key page reads, and the purpose of its context; undefined after
// redirecting to ask for the purpose.
function personRead(req: Request, res: Response) {
  const key = String(req.params.key)
  const subject = subjectOfKey(key)
  if (!subject) throw new SafeguardError(5, `'${key}' is not a reference Safeguard knows people by`, [])
  const context = contextOf(req)
  const purpose = purposeFor(req, res, context)
  return purpose ? { key, subject, context, purpose } : undefined
}

export function peopleRoutes(safeguard: Safeguard): express.Router {
  const router = express.Router()

  router.get('/', (_req, res) => {
    res.render('pages/home', { form: {}, errors: [], kinds: REFERENCE_KINDS })
  })

  // Find a person: by a reference the agencies know them by, or by name and date of birth.
  router.get('/people/search', async (req, res) => {
    const q = req.query as Record<string, unknown>
    const by = q.by === 'name' ? 'name' : 'reference'
    const errors: FieldError[] = []
    if (by === 'reference') {
      const kind = text(q.reference_kind)
      const value = text(q.reference).toUpperCase()
      const known = Object.hasOwn(REFERENCE_KINDS, kind) ? REFERENCE_KINDS[kind] : undefined
      if (!known) errors.push({ text: 'Select the kind of reference', href: '#reference_kind' })
      if (!value) errors.push({ text: 'Enter the reference', href: '#reference' })
      else if (known && !known.pattern.test(value)) {
        errors.push({ text: `Enter a ${known.label} in the form ${known.example}`, href: '#reference' })
      }
      if (errors.length > 0) return res.status(400).render('pages/home', { form: q, errors, kinds: REFERENCE_KINDS })
      const context = contextOf(req)
      return res.redirect(303, `/people/${encodeURIComponent(`${known!.key}:${value}`)}?context=${encodeURIComponent(context)}`)
    }

    const family = text(q.family_name)
    const given = text(q.given_name)
    if (!family) errors.push({ text: 'Enter a family name', href: '#family_name' })
    else if (!/\p{L}/u.test(family)) errors.push({ text: 'Family name must include letters', href: '#family_name' })
    if (given && !/\p{L}/u.test(given)) errors.push({ text: 'Given names must include letters', href: '#given_name' })
    const dob = dateOfBirth(q, errors)
    if (errors.length > 0) return res.status(400).render('pages/home', { form: q, errors, kinds: REFERENCE_KINDS })

    const context = contextOf(req)
    const purpose = purposeFor(req, res, context)
    if (!purpose) return
    const request: Record<string, unknown> = {
      subject: { family_name: family, given_name: given, date_of_birth: dob.date ?? '' },
      purpose,
      max_results: 10,
    }
    if (dob.year) request.year_of_birth = dob.year
    const found = await safeguard.call(res.locals.person, 'MappaService', 'FindPerson', request)
    res.render('pages/search-results', { query: { family, given, dob }, candidates: found.candidates, context })
  })

  // The person's risk picture on one page.
  router.get('/people/:key', async (req, res) => {
    const read = personRead(req, res)
    if (!read) return
    const { key, subject, context, purpose } = read
    const view = await safeguard.call(res.locals.person, 'MappaService', 'GetRiskView', { subject, purpose })
    res.render('pages/person', { key, view, context })
  })

  // The person's timeline, every agency's facts in the order they happened, filtered by agency.
  router.get('/people/:key/timeline', async (req, res) => {
    const read = personRead(req, res)
    if (!read) return
    const { key, subject, context, purpose } = read
    const pageToken = text(req.query.page)
    const shown = ([] as unknown[]).concat(req.query.agency ?? []).map(String)
      .filter(a => ['AGENCY_POLICE', 'AGENCY_PROBATION', 'AGENCY_CHILDRENS_SERVICES', 'AGENCY_MAPPA'].includes(a))
    const timeline = await safeguard.call(res.locals.person, 'MappaService', 'GetTimeline', {
      subject, purpose, page_size: 200, page_token: pageToken,
    })
    const entries = (timeline.entries as any[]).filter(e => shown.length === 0 || shown.includes(e.provenance?.agency))
    res.render('pages/timeline', { key, timeline, entries, shown, context })
  })

  return router
}
