// Management information: the disclosure scheme's counts per force (or division) over a
// period, as a table and a chart. It holds no personal data, so it asks no purpose.
import express, { type Request, type Response } from 'express'
import { isCalendarDate } from '../forms'
import type { Safeguard } from '../safeguard'

// A real calendar date written YYYY-MM-DD.
function isDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const [y, m, d] = value.split('-').map(Number)
  return isCalendarDate(y, m, d)
}

export interface Bar {
  label: string
  value: number
  width: number // of 100
}

// Bars for `rows`, each as wide as its share of the largest.
export function bars(rows: { label: string; value: number }[]): Bar[] {
  const max = Math.max(1, ...rows.map(r => r.value))
  return rows.map(r => ({ ...r, width: Math.round((r.value / max) * 1000) / 10 }))
}

export function statisticsRoutes(safeguard: Safeguard): express.Router {
  const router = express.Router()
  router.get('/statistics', async (req: Request, res: Response) => {
    const from = isDate(req.query.from) ? req.query.from : ''
    const until = isDate(req.query.until) ? req.query.until : ''
    const grouping = req.query.grouping === 'BY_DIVISION' ? 'BY_DIVISION' : 'BY_FORCE'
    const errors: { text: string; href: string }[] = []
    if (req.query.from && !from) errors.push({ text: 'The start of the period must be a date like 2026-04-01', href: '#from' })
    if (req.query.until && !until) errors.push({ text: 'The end of the period must be a date like 2027-03-31', href: '#until' })
    if (from && until && from > until) errors.push({ text: 'The start of the period must be on or before its end', href: '#from' })
    if (errors.length > 0) {
      res.status(400).render('pages/statistics', { errors, form: req.query, rows: [], total: null, chart: [] })
      return
    }
    const stats = await safeguard.call(res.locals.person, 'DisclosureCaseService', 'GetDisclosureStatistics', {
      from, until, grouping,
    })
    const rows = stats.rows as any[]
    const label = (r: any) => (grouping === 'BY_DIVISION' ? `${r.force} ${r.division || '(no division)'}` : r.force)
    res.render('pages/statistics', {
      errors: [],
      form: { from, until, grouping },
      rows,
      total: stats.total,
      label: rows.map(label),
      chart: bars(rows.map(r => ({ label: label(r), value: Number(r.enquiries) + Number(r.right_to_know) }))),
    })
  })
  return router
}
