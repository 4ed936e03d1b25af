// Live alerts: a page with a [data-live-alerts] list follows the console's server-sent
// events (WatchAlerts behind them) and adds each change as it happens. Without
// JavaScript, or when the stream drops, the page's refresh link shows the same list.
export function followAlerts(document) {
  const list = document.querySelector('[data-live-alerts]')
  if (!list || typeof EventSource === 'undefined') return
  const status = document.querySelector('[data-live-status]')
  const source = new EventSource(list.getAttribute('data-live-alerts'))
  const say = text => {
    if (status) status.textContent = text
  }
  source.addEventListener('open', () => say('Live: new alerts appear here as they are raised.'))
  source.addEventListener('error', () => say('Live updates paused; reconnecting. Refresh the page to see the latest list.'))
  source.addEventListener('alert', event => {
    const change = JSON.parse(event.data)
    if (change.kind === 'ALERT_WITHDRAWN') {
      // An agency restricted or erased a record of the alert's subject: it is taken down,
      // and nothing is said of whom it was about.
      const withdrawn = change.withdrawal_id
        ? list.querySelector(`[data-withdrawal="${CSS.escape(change.withdrawal_id)}"]`)
        : null
      if (withdrawn) {
        withdrawn.remove()
        say('An alert was withdrawn: a data protection decision now covers its subject.')
      }
      return
    }
    const id = `alert-${change.alert_id}`
    let item = document.getElementById(id)
    if (change.kind === 'ALERT_CLEARED') {
      if (item) item.remove()
      say(`Cleared: ${change.summary}`)
      return
    }
    if (!item) {
      item = document.createElement('li')
      item.id = id
      item.className = 'console-alert'
      list.prepend(item)
    }
    item.dataset.withdrawal = change.withdrawal_id ?? ''
    item.textContent = ''
    const title = document.createElement('strong')
    title.textContent = change.rule
    const link = document.createElement('a')
    link.className = 'govuk-link'
    link.href = change.href
    link.textContent = change.subject
    item.append(title, ': ', change.summary, ' (', link, ')')
    if (change.kind === 'ALERT_RAISED') say(`New alert: ${change.summary}`)
    if (change.kind === 'ALERT_REINSTATED') say(`Shown again: ${change.summary}`)
  })
}
