// Sign-in that names the person: the browser presents the person's own client certificate
// from the deployment's CA (a smart card or a certificate installed in the browser), the
// console reads who it names (O agency, OU role, CN user) and, once they sign in, acts
// for them and only them. A session is tied to the certificate it began with.
import crypto from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import type { NextFunction, Request, Response } from 'express'
import type { Person } from './safeguard'

export interface Presented {
  person?: Person
  // Why the certificate presented cannot sign in, in words for the person.
  problem?: string
}

function first(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value[0] ?? '' : value ?? ''
}

function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`
}

const IDENTIFIER = /^[A-Za-z0-9._@-]{1,64}$/

// Read once per request: every step that asks gets the same answer.
const presentedOf = new WeakMap<Request, Presented>()

// The person the request's TLS connection presented a certificate for.
export function presentedPerson(req: Request, roles: string[]): Presented {
  let presented = presentedOf.get(req)
  if (!presented) {
    presented = readPresented(req, roles)
    presentedOf.set(req, presented)
  }
  return presented
}

function readPresented(req: Request, roles: string[]): Presented {
  const socket = req.socket as TLSSocket
  if (typeof socket.getPeerCertificate !== 'function') return { problem: 'The connection is not HTTPS.' }
  const cert = socket.getPeerCertificate(false)
  if (!cert || !cert.raw) {
    return { problem: 'Your browser did not present a Safeguard certificate.' }
  }
  if (!socket.authorized) {
    const why = String(socket.authorizationError ?? 'it is not from this deployment')
    return { problem: `The certificate your browser presented cannot be used: ${why}.` }
  }
  const subject = cert.subject ?? ({} as any)
  const person: Person = {
    agency: first(subject.O),
    role: first(subject.OU),
    user: first(subject.CN),
    sha256: crypto.createHash('sha256').update(cert.raw).digest('hex'),
    pem: toPem(cert.raw),
  }
  if (![person.agency, person.role, person.user].every(v => IDENTIFIER.test(v))) {
    return { problem: 'The certificate your browser presented does not name an agency, a role and a user.' }
  }
  if (!roles.includes(person.role)) {
    return {
      person,
      problem: `Your certificate is for the role ${person.role}, which does not use the MAPPA console.`,
    }
  }
  return { person }
}

// The signed-in person, or a redirect to sign in. A session whose certificate is not the
// one now presented ends: a shared computer's next user signs in as themselves.
export function requireSignIn(roles: string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const presented = presentedPerson(req, roles)
    const signedIn = req.session.person
    if (signedIn && presented.person && !presented.problem && presented.person.sha256 === signedIn.sha256) {
      res.locals.person = presented.person
      return next()
    }
    const goOn = () => res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`)
    if (signedIn) return req.session.regenerate(() => goOn())
    goOn()
  }
}

// A path on this site to go on to after a form: never another site.
export function localPath(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) {
    return fallback
  }
  return next
}
