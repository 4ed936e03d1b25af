// Sessions: who signed in (from their client certificate), when, and the purpose they gave
// for each context they read in. Kept in memory, bounded, each ending after an idle time
// and, whatever happens, some hours after sign-in; the console is one process per
// deployment, and a restart signs everyone out (they sign in again with their certificate).
import session from 'express-session'

export interface Purpose {
  code: string // a safeguard.v1.PurposeCode name, e.g. MAPPA_MEETING
  detail: string
}

declare module 'express-session' {
  interface SessionData {
    person: { user: string; role: string; agency: string; sha256: string }
    signedInAt: number
    purposes: Record<string, Purpose> // by context, e.g. "meeting:MAPPA/2026/0001"
  }
}

export class BoundedMemoryStore extends session.Store {
  private readonly sessions = new Map<string, { data: session.SessionData; expires: number }>()

  constructor(private readonly maxSessions: number, private readonly absoluteMs: number) {
    super()
  }

  get(sid: string, callback: (err: any, session?: session.SessionData | null) => void): void {
    const entry = this.sessions.get(sid)
    if (!entry) return callback(null, null)
    const now = Date.now()
    if (entry.expires <= now || (entry.data.signedInAt && entry.data.signedInAt + this.absoluteMs <= now)) {
      this.sessions.delete(sid)
      return callback(null, null)
    }
    callback(null, structuredClone(entry.data))
  }

  set(sid: string, data: session.SessionData, callback?: (err?: any) => void): void {
    this.prune()
    const expires = data.cookie?.expires ? new Date(data.cookie.expires).getTime() : Date.now() + this.absoluteMs
    this.sessions.delete(sid) // re-inserted: the map stays in order of last use
    this.sessions.set(sid, { data: structuredClone(data), expires })
    callback?.()
  }

  touch(sid: string, data: session.SessionData, callback?: () => void): void {
    const entry = this.sessions.get(sid)
    if (entry) {
      if (data.cookie?.expires) entry.expires = new Date(data.cookie.expires).getTime()
      this.sessions.delete(sid) // re-inserted: the map stays in order of last use
      this.sessions.set(sid, entry)
    }
    callback?.()
  }

  // Whether `sid` is still a session of the person whose certificate is `sha256`: not
  // signed out, not expired, not past its hours.
  holds(sid: string, sha256: string): boolean {
    const entry = this.sessions.get(sid)
    const now = Date.now()
    return !!entry && entry.expires > now && entry.data.person?.sha256 === sha256 &&
      (!entry.data.signedInAt || entry.data.signedInAt + this.absoluteMs > now)
  }

  destroy(sid: string, callback?: (err?: any) => void): void {
    this.sessions.delete(sid)
    callback?.()
  }

  get size(): number {
    return this.sessions.size
  }

  // Drops expired sessions, then the least recently used beyond the bound.
  private prune(): void {
    const now = Date.now()
    for (const [sid, entry] of this.sessions) if (entry.expires <= now) this.sessions.delete(sid)
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value
      if (oldest === undefined) break
      this.sessions.delete(oldest)
    }
  }
}
