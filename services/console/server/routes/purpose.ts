// Purpose of access: the first consolidated read in a context (a meeting, a disclosure
// case, or the person's own work outside both) asks why, and every read in that context
// states it; Safeguard records it with each read (docs/console.md).
import express, { type Request, type Response } from 'express'
import { localPath } from '../auth'
import { PURPOSES } from '../format'
import type { Purpose } from '../sessions'

const CONTEXT = /^(general|meeting:[A-Z0-9/-]{4,40}|case:[A-Za-z0-9/-]{4,64})$/

export function contextOf(req: Request): string {
  const context = typeof req.query.context === 'string' ? req.query.context : ''
  return CONTEXT.test(context) ? context : 'general'
}

// The purpose stated for `context`, or undefined after redirecting to ask for it.
export function purposeFor(req: Request, res: Response, context: string): Purpose | undefined {
  const purpose = req.session.purposes?.[context]
  if (purpose) {
    res.locals.context = context
    res.locals.purpose = purpose
    return purpose
  }
  res.redirect(303, `/purpose?context=${encodeURIComponent(context)}&next=${encodeURIComponent(req.originalUrl)}`)
  return undefined
}

function describeContext(context: string): { title: string; code: string; detail: string } {
  if (context.startsWith('meeting:')) {
    const ref = context.slice('meeting:'.length)
    return { title: `MAPPA meeting ${ref}`, code: 'MAPPA_MEETING', detail: `MAPPA meeting ${ref}` }
  }
  if (context.startsWith('case:')) {
    const ref = context.slice('case:'.length)
    return { title: `Disclosure case ${ref}`, code: 'DISCLOSURE_SCHEME_ASSESSMENT', detail: `Disclosure case ${ref}` }
  }
  return { title: 'your work outside a meeting or case', code: '', detail: '' }
}

export function purposeRoutes(): express.Router {
  const router = express.Router()
  router.get('/purpose', (req, res) => {
    const context = contextOf(req)
    const described = describeContext(context)
    const stated = req.session.purposes?.[context]
    res.render('pages/purpose', {
      context,
      described,
      next: localPath(req.query.next),
      form: { code: stated?.code ?? described.code, detail: stated?.detail ?? described.detail },
      errors: [],
    })
  })
  router.post('/purpose', (req, res) => {
    const context = CONTEXT.test(String(req.body.context)) ? String(req.body.context) : 'general'
    const code = String(req.body.code ?? '')
    const detail = String(req.body.detail ?? '').trim()
    const errors: { text: string; href: string }[] = []
    if (!PURPOSES.some(p => p.code === code)) errors.push({ text: 'Select why you need to see this information', href: '#code' })
    if (detail === '') {
      errors.push({ text: 'Enter the meeting, case or reason you are working on', href: '#detail' })
    } else if (Buffer.byteLength(detail) > 500) {
      errors.push({ text: 'The reason must be 500 characters or fewer', href: '#detail' })
    }
    if (errors.length > 0) {
      return res.status(400).render('pages/purpose', {
        context, described: describeContext(context), next: localPath(req.body.next), form: { code, detail }, errors,
      })
    }
    req.session.purposes = { ...(req.session.purposes ?? {}), [context]: { code, detail } }
    res.redirect(303, localPath(req.body.next))
  })
  return router
}
