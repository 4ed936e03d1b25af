// The console's web application: GOV.UK Frontend pages rendered on the server (they work
// without JavaScript; scripts only add live updates), every read made as the signed-in
// person through Safeguard's gRPC services.
import crypto from 'node:crypto'
import path from 'node:path'
import express, { type NextFunction, type Request, type Response } from 'express'
import session from 'express-session'
import helmet from 'helmet'
import nunjucks from 'nunjucks'
import { csrfSync } from 'csrf-sync'
import type { ConsoleConfig } from './config'
import { BoundedMemoryStore } from './sessions'
import { localPath, presentedPerson, requireSignIn } from './auth'
import { Safeguard, SafeguardError } from './safeguard'
import * as format from './format'
import { casesRoutes } from './routes/cases'
import { mappaRoutes } from './routes/mappa'
import { meetingsRoutes } from './routes/meetings'
import { peopleRoutes } from './routes/people'
import { purposeRoutes } from './routes/purpose'
import { statisticsRoutes } from './routes/statistics'

export interface Console {
  app: express.Express
  sessions: BoundedMemoryStore
}

function configureViews(app: express.Express): nunjucks.Environment {
  const modules = path.resolve(__dirname, '../node_modules')
  const env = nunjucks.configure(
    [path.resolve(__dirname, '../server/views'), path.join(modules, 'govuk-frontend/dist'),
      path.join(modules, '@ministryofjustice/frontend')],
    { autoescape: true, express: app, throwOnUndefined: false },
  )
  const filters: Record<string, (...args: any[]) => unknown> = {
    words: format.words,
    agency: format.agency,
    day: format.day,
    time: format.time,
    isoTime: format.isoTime,
    personName: format.personName,
    reference: format.reference,
    provenance: format.provenance,
    percent: format.percent,
    signed: format.signed,
    riskTag: format.riskTagClass,
    purposeName: format.purposeName,
    dueIn: format.dueIn,
    encode: (s: unknown) => encodeURIComponent(String(s ?? '')),
  }
  for (const [name, filter] of Object.entries(filters)) env.addFilter(name, filter)
  env.addGlobal('PURPOSES', format.PURPOSES)
  app.set('view engine', 'njk')
  return env
}

export function createConsole(config: ConsoleConfig, safeguard: Safeguard): Console {
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', false)
  configureViews(app)

  // Every response: a fresh nonce for the one inline script GOV.UK's template needs, and
  // headers that load nothing from elsewhere and keep the page out of frames and caches.
  app.use((_req, res, next) => {
    res.locals.cspNonce = crypto.randomBytes(16).toString('base64')
    next()
  })
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", (_req, res) => `'nonce-${(res as Response).locals.cspNonce}'`],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
      strictTransportSecurity: { maxAge: 31536000, includeSubDomains: true },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  )

  app.use('/assets', express.static(path.resolve(__dirname, 'public'), { maxAge: '1h', fallthrough: false, index: false }))
  app.get('/health', (_req, res) => {
    res.type('text/plain').send('ok')
  })

  const sessions = new BoundedMemoryStore(10_000, config.sessionHours * 3600_000)
  app.use(
    session({
      name: 'safeguard-console',
      secret: crypto.randomBytes(32).toString('hex'),
      store: sessions,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { secure: true, httpOnly: true, sameSite: 'strict', maxAge: config.sessionIdleMinutes * 60_000 },
    }),
  )
  // Pages about people are never kept by the browser or anything between.
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store')
    next()
  })
  app.use(express.urlencoded({ extended: false, limit: '64kb' }))

  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    getTokenFromRequest: req => (req.body && typeof req.body._csrf === 'string' ? req.body._csrf : undefined),
  })
  app.use(csrfSynchronisedProtection)
  app.use((req, res, next) => {
    // Only a browser presenting the certificate of someone who may sign in gets a session
    // (a form token is kept in it): anyone else reaches no form, and makes no session.
    const presented = presentedPerson(req, config.roles)
    if (presented.person && !presented.problem) res.locals.csrfToken = generateToken(req)
    // A command id for each form on the page (with the form's name appended), so that a
    // form sent twice records once.
    res.locals.formId = crypto.randomUUID()
    res.locals.currentPath = req.path
    next()
  })

  // Signing in and out.
  app.get('/sign-in', (req, res) => {
    const presented = presentedPerson(req, config.roles)
    res.render('pages/sign-in', { presented, next: localPath(req.query.next) })
  })
  app.post('/sign-in', (req, res, next) => {
    const presented = presentedPerson(req, config.roles)
    if (!presented.person || presented.problem) {
      return res.status(403).render('pages/sign-in', { presented, next: localPath(req.body.next) })
    }
    const person = presented.person
    req.session.regenerate(err => {
      if (err) return next(err)
      req.session.person = { user: person.user, role: person.role, agency: person.agency, sha256: person.sha256 }
      req.session.signedInAt = Date.now()
      req.session.purposes = {}
      res.redirect(303, localPath(req.body.next))
    })
  })
  app.post('/sign-out', (req, res) => {
    req.session.destroy(() => {
      res.clearCookie('safeguard-console')
      res.redirect(303, '/signed-out')
    })
  })
  app.get('/signed-out', (_req, res) => {
    res.render('pages/signed-out')
  })

  // Everything else is for a signed-in person.
  app.use(requireSignIn(config.roles))
  app.use((_req, res, next) => {
    res.locals.roleLabel = format.roleName(res.locals.person.role)
    next()
  })
  app.use(purposeRoutes())
  app.use(peopleRoutes(safeguard))
  app.use(mappaRoutes(safeguard, sessions))
  app.use(statisticsRoutes(safeguard))
  app.use(casesRoutes(safeguard))
  app.use(meetingsRoutes(safeguard))

  app.use((_req, res) => {
    res.status(404).render('pages/error', { title: 'Page not found', message: 'If you typed the web address, check it is correct.' })
  })
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    renderError(res, err)
  })
  return { app, sessions }
}

// A failure as a page: what Safeguard said, in words for the person.
export function renderError(res: Response, err: unknown): void {
  if ((err as any)?.code === 'EBADCSRFTOKEN') {
    res.status(403).render('pages/error', {
      title: 'This form has expired',
      message: 'Go back, reload the page and try again. Nothing was recorded.',
    })
    return
  }
  if (err instanceof SafeguardError) {
    const byCode: Record<string, [number, string]> = {
      PERMISSION_DENIED: [403, 'You do not have access to this'],
      UNAUTHENTICATED: [403, 'You do not have access to this'],
      NOT_FOUND: [404, 'Not found'],
      INVALID_ARGUMENT: [400, 'There is a problem'],
      FAILED_PRECONDITION: [409, 'This cannot be done now'],
      UNAVAILABLE: [503, 'Safeguard is not available'],
      DEADLINE_EXCEEDED: [503, 'Safeguard is not available'],
      DATA_LOSS: [500, 'Safeguard found damaged data'],
    }
    const [status, title] = byCode[Object.keys(byCode).find(k => (err.message.startsWith(k + ':'))) ?? ''] ?? [500, 'Sorry, there is a problem with the service']
    res.status(status).render('pages/error', { title, message: err.detail })
    return
  }
  console.error('console: unexpected error:', err)
  res.status(500).render('pages/error', { title: 'Sorry, there is a problem with the service', message: 'Try again later.' })
}
