// MAPPA's shared lists: identity candidates to decide, alerts (live), and the people for
// whom disclosure has not yet been considered. Reads state the purpose of the context they
// are made in; decisions are recorded as the signed-in person, with their reason.
import crypto from 'node:crypto'
import express, { type Request, type Response } from 'express'
import type { Safeguard } from '../safeguard'
import type { BoundedMemoryStore } from '../sessions'
import { SafeguardError } from '../safeguard'
import { reference, words } from '../format'
import { contextOf, purposeFor } from './purpose'


// The person key an alert's or link's record reads a picture by.
function recordHref(record: string, context: string): string {
  return `/people/${encodeURIComponent(record)}?context=${encodeURIComponent(context)}`
}

export function mappaRoutes(safeguard: Safeguard, sessions: BoundedMemoryStore): express.Router {
  const router = express.Router()

  async function listCandidates(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const context = contextOf(req)
    const purpose = purposeFor(req, res, context)
    if (!purpose) return
    const status = req.query.status === 'decided' ? 'LINKED' : 'CANDIDATE'
    const links = await safeguard.call(res.locals.person, 'IdentityService', 'ListIdentityLinks', {
      purpose, status, page_size: 100,
    })
    const done: Record<string, string> = {
      confirmed: 'Recorded: the records are one person.',
      rejected: 'Recorded: the records are not one person.',
    }
    const doneMessage = done[String(req.query.done)] ?? ''
    res.render('pages/identity', { links: links.links, status, context, errors: [], form: {}, doneMessage, ...extra })
  }

  router.get('/identity', async (req, res) => listCandidates(req, res))

  // Confirm or reject a candidate, with the reason: one decision, recorded as the person.
  router.post('/identity/:link/decide', async (req, res) => {
    const link = String(req.params.link)
    const decision = String(req.body.decision ?? '')
    const reason = String(req.body.reason ?? '').trim()
    const errors: { text: string; href: string }[] = []
    if (decision !== 'confirm' && decision !== 'reject') {
      errors.push({ text: 'Select whether the records are one person', href: `#decision-${link}` })
    }
    if (reason === '') errors.push({ text: 'Enter the reason for your decision', href: `#reason-${link}` })
    else if (Buffer.byteLength(reason) > 2000) errors.push({ text: 'The reason must be 2000 characters or fewer', href: `#reason-${link}` })
    if (errors.length > 0) {
      res.status(400)
      return listCandidates(req, res, { errors, form: { link, decision, reason } })
    }
    try {
      await safeguard.call(res.locals.person, 'IdentityService',
        decision === 'confirm' ? 'ConfirmIdentityLink' : 'RejectIdentityLink', {
          command_id: String(req.body.command_id || crypto.randomUUID()), link_id: link, reason,
        })
    } catch (e) {
      if (e instanceof SafeguardError && (e.message.startsWith('INVALID_ARGUMENT') || e.message.startsWith('FAILED_PRECONDITION'))) {
        res.status(400)
        return listCandidates(req, res, {
          errors: [{ text: e.detail, href: `#reason-${link}` }], form: { link, decision, reason },
        })
      }
      throw e
    }
    res.redirect(303, `/identity?context=${encodeURIComponent(contextOf(req))}&done=${decision === 'confirm' ? 'confirmed' : 'rejected'}`)
  })

  router.get('/alerts', async (req, res) => {
    const context = contextOf(req)
    const purpose = purposeFor(req, res, context)
    if (!purpose) return
    const alerts = await safeguard.call(res.locals.person, 'MappaService', 'ListAlerts', { purpose, page_size: 500 })
    res.render('pages/alerts', { alerts: alerts.alerts, sequence: alerts.sequence, context })
  })

  // Server-sent events: each alert change as WatchAlerts sends it, from after the list
  // the page showed. Each alert sent is recorded by Safeguard as a consultation.
  router.get('/alerts/events', (req, res) => {
    const context = contextOf(req)
    const purpose = req.session.purposes?.[context]
    if (!purpose) {
      res.status(403).type('text/plain').send('state the purpose of access first')
      return
    }
    // A reconnecting browser says the last change it had (Last-Event-ID); else the list's.
    const last = req.get('Last-Event-ID') ?? req.query.after
    const after = /^\d{1,20}$/.test(String(last ?? '')) ? String(last) : '0'
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    })
    res.write('retry: 5000\n\n')
    const stream = safeguard.stream(res.locals.person, 'MappaService', 'WatchAlerts', { purpose, after_sequence: after })
    // The stream lasts only as long as the session: signing out, going idle past its limit
    // or reaching its hours ends it (checked every 10 s), and nothing more is read for them.
    const sid = req.sessionID
    const sha = res.locals.person.sha256
    let beats = 0
    const heartbeat = setInterval(() => {
      if (!sessions.holds(sid, sha)) return end()
      if (++beats % 3 === 0) res.write(': still here\n\n')
    }, 10_000)
    stream.on('data', (change: any) => {
      if (!sessions.holds(sid, sha)) return end()
      const alert = change.alert ?? {}
      // A withdrawal names only the alert's withdrawal id: nothing of its subject.
      const named = { sequence: change.sequence, kind: change.kind, withdrawal_id: alert.withdrawal_id }
      const payload = change.kind === 'ALERT_WITHDRAWN' ? named : {
        ...named,
        alert_id: alert.alert_id,
        rule: words(alert.rule),
        summary: alert.summary,
        subject: reference(alert.subject_key),
        href: recordHref(alert.subject_key, context),
      }
      res.write(`id: ${change.sequence}\nevent: alert\ndata: ${JSON.stringify(payload)}\n\n`)
    })
    let ended = false
    function end() {
      if (ended) return
      ended = true
      clearInterval(heartbeat)
      stream.cancel()
      res.end()
    }
    stream.on('error', () => end())
    stream.on('end', () => end())
    req.on('close', () => end())
  })

  router.get('/not-considered', async (req, res) => {
    const context = contextOf(req)
    const purpose = purposeFor(req, res, context)
    if (!purpose) return
    const list = await safeguard.call(res.locals.person, 'MeetingService', 'ListDisclosureNotConsidered', {
      purpose, page_size: 500,
    })
    res.render('pages/not-considered', { subjects: list.subjects, context })
  })

  return router
}
