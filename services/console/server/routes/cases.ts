// Disclosure scheme cases: what is overdue or due soon, per force; the cases by state; and
// one case with each of its steps and deadlines. Lists are read with the purpose of the
// person's work; a case is its own context, so its purpose names the case.
import express from 'express'
import type { Safeguard } from '../safeguard'
import { contextOf, purposeFor } from './purpose'


export const CASE_STATES = [
  'ENQUIRY_RECEIVED', 'INITIAL_CHECKS_COMPLETE', 'OUT_OF_SCOPE', 'APPLICATION_RECEIVED', 'INELIGIBLE',
  'APPLICANT_INTERVIEWED', 'RISK_ASSESSED', 'DECIDED', 'DISCLOSURE_DELIVERED', 'NON_DISCLOSURE_LETTER_SENT', 'CLOSED',
]

const FORCE = /^[a-z0-9-]{1,40}$/
const CASE_REF = /^[A-Za-z0-9/-]{4,64}$/

export function casesRoutes(safeguard: Safeguard): express.Router {
  const router = express.Router()

  router.get('/cases', async (req, res) => {
    const context = contextOf(req)
    const purpose = purposeFor(req, res, context)
    if (!purpose) return
    const force = typeof req.query.force === 'string' && FORCE.test(req.query.force) ? req.query.force : ''
    const state = typeof req.query.state === 'string' && CASE_STATES.includes(req.query.state) ? req.query.state : ''
    const person = res.locals.person
    const [deadlines, cases] = await Promise.all([
      safeguard.call(person, 'DisclosureCaseService', 'ListDisclosureDeadlines', { force, purpose, page_size: 200 }),
      safeguard.call(person, 'DisclosureCaseService', 'ListDisclosureCases', {
        force, state: state || 'DISCLOSURE_CASE_STATE_UNSPECIFIED', purpose, page_size: 200,
        page_token: typeof req.query.page === 'string' ? req.query.page : '',
      }),
    ])
    res.render('pages/cases', { deadlines, cases: cases.cases, next: cases.next_page_token, force, state, states: CASE_STATES, context })
  })

  router.get('/cases/:ref', async (req, res) => {
    const ref = String(req.params.ref)
    if (!CASE_REF.test(ref)) {
      res.status(404).render('pages/error', { title: 'Not found', message: `'${ref}' is not a disclosure case reference` })
      return
    }
    // A case is read in its own context, unless the person came from a meeting.
    const asked = contextOf(req)
    const context = asked.startsWith('meeting:') ? asked : `case:${ref}`
    const purpose = purposeFor(req, res, context)
    if (!purpose) return
    const disclosureCase = await safeguard.call(res.locals.person, 'DisclosureCaseService', 'GetDisclosureCase', {
      case_ref: ref, purpose,
    })
    res.render('pages/case', { c: disclosureCase, context })
  })

  return router
}
