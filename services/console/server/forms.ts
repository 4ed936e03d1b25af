// What every form and query is read with: text as typed, trimmed, and calendar dates.

export function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : ''
}

// Whether year `y`, month `m` (1-12) and day `d` name a day of the calendar.
export function isCalendarDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}
