// The MAPPA panel console in a real browser against a real safeguardd: signing in with a
// client certificate, stating a purpose, finding a person and reading their picture and
// timeline, each page checked with axe and kept as a screenshot.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { Stack } from './harness.mjs'

let stack
before(async () => {
  stack = await Stack.start()
})
after(async () => {
  await stack?.stop()
})

async function assertAccessible(page, name) {
  const violations = await stack.axe(page)
  await stack.screenshot(page, name)
  assert.deepEqual(violations, [], `accessibility violations on ${name}`)
  assert.deepEqual(page.external, [], `requests outside the console from ${name}`)
}

async function findByReference(page, kind, reference) {
  await page.check(`input[name=reference_kind][value=${kind}]`)
  await page.fill('#reference', reference)
  await page.click('#find-by-reference')
}

async function statePurpose(page, code, detail) {
  await page.waitForSelector('h1:has-text("Why do you need this information?")')
  await page.check(`input[name=code][value=${code}]`)
  await page.fill('#detail', detail)
  await page.click('#continue')
}

describe('signing in', () => {
  test('a browser without a certificate is told what is missing and gets nowhere', async () => {
    const page = await stack.as(null)
    await page.goto(stack.url + '/people/pnc%3A2019%2F0031337W')
    assert.match(page.url(), /\/sign-in\?next=/)
    assert.match(await page.textContent('main'), /did not present a Safeguard certificate/)
    assert.equal(await page.locator('#sign-in').count(), 0)
    assert.deepEqual(await page.context().cookies(), [], 'no session for a browser without a certificate')
    await assertAccessible(page, 'sign-in-no-certificate')
    await page.context().close()
  })

  test('a role that does not use the console cannot sign in', async () => {
    const page = await stack.as('probation-officer')
    await page.goto(stack.url + '/')
    assert.match(await page.textContent('main'), /role probation-officer, which does not use the MAPPA console/)
    assert.equal(await page.locator('#sign-in').count(), 0)
    await page.context().close()
  })

  test('the certificate names the person, who signs in and out', async () => {
    const page = await stack.as('mappa-chair')
    await page.goto(stack.url + '/')
    assert.match(await page.textContent('main'), /local-mappa-chair/)
    await assertAccessible(page, 'sign-in')
    await page.click('#sign-in')
    assert.match(await page.textContent('.console-signed-in'), /Signed in as local-mappa-chair/)
    await assertAccessible(page, 'find-a-person')
    const headers = (await page.goto(stack.url + '/')).headers()
    assert.match(headers['content-security-policy'], /default-src 'self'/)
    assert.equal(headers['x-frame-options'], 'SAMEORIGIN')
    assert.equal(headers['cache-control'], 'no-store')
    await page.click('text=Sign out')
    await page.waitForSelector('h1:has-text("You have signed out")')
    await page.goto(stack.url + '/')
    assert.match(page.url(), /\/sign-in/)
    await page.context().close()
  })

  test('a form posted without its token changes nothing', async () => {
    const page = await stack.signIn('mappa-chair')
    const response = await page.request.post(stack.url + '/purpose', {
      form: { context: 'general', code: 'MAPPA_MEETING', detail: 'forged', next: '/' },
    })
    assert.equal(response.status(), 403)
    assert.match(await response.text(), /This form has expired/)
    await page.context().close()
  })
})

describe('a person', () => {
  test('found by a misspelt name, read with a purpose, every fact with its source', async () => {
    const page = await stack.signIn('police-disclosure')
    await page.fill('#family_name', 'wood')
    await page.fill('#given_name', 'Garry')
    await page.fill('#dob-day', '3')
    await page.fill('#dob-month', '2')
    await page.fill('#dob-year', '1969')
    await page.click('#find-by-name')
    await statePurpose(page, 'DISCLOSURE_SCHEME_ASSESSMENT', 'CSODS/DEMO/0001 initial checks')
    await page.waitForSelector('h1:has-text("People who compare with Garry wood")')
    await assertAccessible(page, 'search-results')
    // Both agencies' records compare: the police's Gary Wood, and children's services'
    // Garry WOOD (not yet linked), each with the reasons.
    const results = await page.textContent('main')
    assert.match(results, /Gary Wood/)
    assert.match(results, /Children's services case CS-PE-30981/)
    assert.match(results, /probability/)
    await page.locator('.console-candidate', { hasText: 'PNC 2019/0031337W' }).locator('text=Read the picture').click()
    await page.waitForSelector('#person-name')
    assert.match(await page.textContent('#person-name'), /Gary Wood/)
    const main = await page.textContent('main')
    assert.match(main, /PNC 2019\/0031337W/)
    assert.match(main, /Disclosure \(s\.327A\)/)
    assert.match(await page.textContent('#s327a'), /Not yet considered|Not considered/)
    assert.match(main, /Category 1 by statute/)
    // The source of a fact is one click away.
    const firstSource = page.locator('.console-source').first()
    await firstSource.locator('summary').click()
    assert.match(await firstSource.textContent(), /Recorded by/)
    await assertAccessible(page, 'risk-picture')
    await page.emulateMedia({ media: 'print' })
    await stack.screenshot(page, 'risk-picture-print')
    assert.equal(await page.locator('nav.moj-primary-navigation').isVisible(), false)
    assert.equal(await page.locator('.console-print-only').isVisible(), true)
    await page.emulateMedia({ media: 'screen' })
    await page.context().close()
  })

  test('a reference that is not one is refused with the field named, and nothing is read', async () => {
    const page = await stack.signIn('mappa-coordinator')
    await findByReference(page, 'pnc_id', 'not a pnc')
    await page.waitForSelector('.govuk-error-summary')
    assert.match(await page.textContent('.govuk-error-summary'), /Enter a PNC ID in the form 2019\/0012345X/)
    await assertAccessible(page, 'find-a-person-error')
    await page.context().close()
  })

  test('the timeline, filtered by agency, shows a correction beside what it corrected', async () => {
    const page = await stack.signIn('mappa-panel-member')
    await findByReference(page, 'childrens_case_id', 'CS-PE-30981')
    await statePurpose(page, 'MAPPA_MEETING', 'MAPPA meeting DEMO level 2')
    await page.waitForSelector('#person-name')
    await page.click('text=Timeline of every agency')
    await page.waitForSelector('.moj-timeline')
    assert.match(await page.textContent('.moj-timeline'), /Amended/)
    await page.check('input[name=agency][value=AGENCY_CHILDRENS_SERVICES]')
    await page.click('#apply-filter')
    const agencies = await page.locator('.moj-timeline__item').evaluateAll(items => items.map(i => i.dataset.agency))
    assert.ok(agencies.length > 0)
    assert.deepEqual([...new Set(agencies)], ['AGENCY_CHILDRENS_SERVICES'])
    await assertAccessible(page, 'timeline')
    await page.context().close()
  })
})

// Presses Tab until the focus is on `selector` (at most `max` times): the page is usable
// with the keyboard alone only if it gets there.
async function tabTo(page, selector, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab')
    if (await page.evaluate(s => document.activeElement?.matches(s) ?? false, selector)) return
  }
  assert.fail(`${selector} cannot be reached with the Tab key`)
}

describe('with the keyboard alone', () => {
  test('sign in, find a person by reference, state a purpose and open the source of a fact', async () => {
    const page = await stack.as('mappa-coordinator')
    await page.goto(stack.url + '/')
    await tabTo(page, '#sign-in')
    await page.keyboard.press('Enter')
    await page.waitForSelector('h1:has-text("Find a person")')
    await tabTo(page, 'input[name=reference_kind][value=pnc_id]')
    await page.keyboard.press('Space')
    await tabTo(page, '#reference')
    await page.keyboard.type('2011/0045123K')
    await tabTo(page, '#find-by-reference')
    await page.keyboard.press('Enter')
    await page.waitForSelector('h1:has-text("Why do you need this information?")')
    await tabTo(page, 'input[name=code]')
    await page.keyboard.press('Space')
    await tabTo(page, '#detail')
    await page.keyboard.type('Keyboard walkthrough')
    await page.keyboard.press('Enter')
    await page.waitForSelector('#person-name')
    assert.match(await page.textContent('#person-name'), /John Smith/)
    await tabTo(page, '.console-source summary')
    await page.keyboard.press('Enter')
    assert.equal(await page.locator('.console-source').first().getAttribute('open'), '')
    await page.context().close()
  })
})

describe('MAPPA lists', () => {
  test('a candidate confirmed with its reason links the records, and the alert it raises appears live elsewhere', async () => {
    // A coordinator has the alerts page open during the meeting.
    const watcher = await stack.signIn('mappa-coordinator')
    await watcher.goto(stack.url + '/alerts?context=meeting:DEMO-L2')
    await statePurpose(watcher, 'MAPPA_MEETING', 'MAPPA meeting DEMO-L2')
    await watcher.waitForSelector('[data-live-status]:has-text("Live")')
    assert.equal(await watcher.locator('.console-alert:has-text("Restricted person in contact with child")').count(), 0)
    await assertAccessible(watcher, 'alerts')

    const chair = await stack.signIn('mappa-chair')
    await chair.goto(stack.url + '/identity?context=meeting:DEMO-L2')
    await statePurpose(chair, 'MAPPA_MEETING', 'MAPPA meeting DEMO-L2')
    const card = chair.locator('.console-link', { hasText: "Children's services case CS-PE-30981" })
    assert.match(await card.textContent(), /GARRY ~ GARY/)
    await assertAccessible(chair, 'identity-candidates')

    // A decision without its reason is refused, naming the field, and records nothing.
    await card.locator('input[value=confirm]').check()
    await card.locator('button:has-text("Record the decision")').click()
    await chair.waitForSelector('.govuk-error-summary')
    assert.match(await chair.textContent('.govuk-error-summary'), /Enter the reason for your decision/)
    await assertAccessible(chair, 'identity-candidates-error')

    const again = chair.locator('.console-link', { hasText: "Children's services case CS-PE-30981" })
    await again.locator('input[value=confirm]').check()
    await again.locator('textarea').fill('Same man: date of birth, address and the children named agree')
    await again.locator('button:has-text("Record the decision")').click()
    await chair.waitForSelector('.govuk-notification-banner--success')

    await watcher.waitForSelector('.console-alert:has-text("Restricted person in contact with child")', { timeout: 20_000 })
    await stack.screenshot(watcher, 'alerts-live')

    await chair.goto(stack.url + '/people/pnc%3A2019%2F0031337W?context=meeting:DEMO-L2')
    assert.match(await chair.textContent('main'), /Children's services case CS-PE-30981/)
    await watcher.context().close()
    await chair.context().close()
  })

  test('an alert shown live is taken down when an agency restricts its subject, and shown again when lifted', async () => {
    // The demo's Peter Jones is overdue with his register notification.
    const watcher = await stack.signIn('mappa-coordinator')
    await watcher.goto(stack.url + '/alerts?context=meeting:DEMO-L4')
    await statePurpose(watcher, 'MAPPA_MEETING', 'MAPPA meeting DEMO-L4')
    await watcher.waitForSelector('[data-live-status]:has-text("Live")')
    const alert = watcher.locator('.console-alert:has-text("PNC 2016/0078234B")')
    assert.equal(await alert.count(), 1)

    // The police's data protection officer restricts his record, and later lifts it.
    const decide = (command, id) => stack.ctl('--as=police-data-protection', 'data-protection', command,
      `command_id=${id}`, 'subject.pnc_id=2016/0078234B', 'basis=restriction-accuracy-contested',
      'reason=Accuracy contested by the data subject', 'approved_by=dpo-2')
    decide('record-restriction', 'console-restrict-0001')
    let lifted = false
    const other = await stack.signIn('mappa-chair')
    try {
      await watcher.waitForSelector('[data-live-status]:has-text("withdrawn")', { timeout: 20_000 })
      assert.equal(await alert.count(), 0, 'taken down without a reload')
      assert.doesNotMatch(await watcher.textContent('main'), /0078234B/)
      await assertAccessible(watcher, 'alerts-withdrawn')
      // A page opened now does not list it either.
      await other.goto(stack.url + '/alerts?context=meeting:DEMO-L4')
      await statePurpose(other, 'MAPPA_MEETING', 'MAPPA meeting DEMO-L4')
      assert.doesNotMatch(await other.textContent('main'), /0078234B/)
      decide('lift-restriction', 'console-restrict-0002')
      lifted = true
    } finally {
      if (!lifted) decide('lift-restriction', 'console-restrict-0002')  // the later tests read him
    }
    await watcher.waitForSelector('.console-alert:has-text("PNC 2016/0078234B")', { timeout: 20_000 })
    assert.match(await watcher.textContent('[data-live-status]'), /Shown again/)
    await other.waitForSelector('.console-alert:has-text("PNC 2016/0078234B")', { timeout: 20_000 })
    await watcher.context().close()
    await other.context().close()
  })

  test('live alerts stop when the person signs out', async () => {
    const page = await stack.signIn('mappa-coordinator')
    await page.goto(stack.url + '/alerts?context=meeting:DEMO-L3')
    await statePurpose(page, 'MAPPA_MEETING', 'MAPPA meeting DEMO-L3')
    await page.waitForSelector('[data-live-status]:has-text("Live")')
    const other = await page.context().newPage()
    await other.goto(stack.url + '/')
    await other.click('text=Sign out')
    await other.waitForSelector('h1:has-text("You have signed out")')
    // The session is gone: the stream ends within its 10 s check, and does not come back.
    await page.waitForSelector('[data-live-status]:has-text("paused")', { timeout: 20_000 })
    await page.context().close()
  })

  test('panel members see who is owed a disclosure decision, but cannot decide identity', async () => {
    const page = await stack.signIn('mappa-panel-member')
    await page.goto(stack.url + '/not-considered')
    await statePurpose(page, 'MAPPA_MEETING', 'Next agenda')
    await page.waitForSelector('h1:has-text("Disclosure not yet considered")')
    assert.match(await page.textContent('main'), /Gary Wood/)
    await assertAccessible(page, 'not-considered')
    await page.goto(stack.url + '/identity')
    assert.equal(await page.locator('button:has-text("Record the decision")').count(), 0)
    await page.context().close()
  })

  test('management information as a table and a chart', async () => {
    const page = await stack.signIn('mappa-chair')
    await page.goto(stack.url + '/statistics')
    await page.waitForSelector('table.console-statistics')
    assert.match(await page.textContent('table.console-statistics'), /Total/)
    assert.ok(await page.locator('svg.console-chart rect').count() > 0)
    await assertAccessible(page, 'statistics')
    await page.goto(stack.url + '/statistics?from=2026-13-01')
    assert.match(await page.textContent('.govuk-error-summary'), /start of the period must be a date/)
    await page.context().close()
  })
})

describe('a meeting', () => {
  test('a chair schedules a meeting, puts a person on the agenda and records the review with the s.327A decision', async () => {
    const page = await stack.signIn('mappa-chair')
    await page.goto(stack.url + '/meetings')
    await page.waitForSelector('h1:has-text("MAPPA meetings")')
    const yesterday = new Date(Date.now() - 24 * 3600_000)
    await page.fill('#schedule-meeting_ref', 'CONSOLE/KENT/0001')
    await page.fill('#schedule-meeting_at-day', String(yesterday.getUTCDate()))
    await page.fill('#schedule-meeting_at-month', String(yesterday.getUTCMonth() + 1))
    await page.fill('#schedule-meeting_at-year', String(yesterday.getUTCFullYear()))
    await page.fill('#schedule-meeting_time', '10:00')
    await page.selectOption('#schedule-level', '2')
    await page.fill('#schedule-force', 'kent')
    await page.fill('#schedule-chair', 'DCI Lowe, MAPPA chair')
    await page.click('#schedule-meeting')
    // The meeting is its own context: its purpose is asked, naming it.
    await page.waitForSelector('h1:has-text("Why do you need this information?")')
    assert.equal(await page.inputValue('#detail'), 'MAPPA meeting CONSOLE/KENT/0001')
    await page.click('#continue')
    await page.waitForSelector('h1:has-text("CONSOLE/KENT/0001")')

    await page.fill('#agenda-item_ref', '1')
    await page.selectOption('#agenda-subject_kind', 'pnc_id')
    await page.fill('#agenda-reference', '2019/0031337W')
    await page.click('#add-item')
    await page.waitForSelector('#item-1')
    assert.match(await page.textContent('#item-1'), /PNC 2019\/0031337W/)

    // Considered, but no reason given: refused naming the field, nothing recorded.
    await page.selectOption('#review-item_ref', '1')
    await page.selectOption('#review-category', '1')
    await page.selectOption('#review-level', '2')
    await page.check('#review-disclosure_considered')
    await page.check('#review-presumption_to_disclose_noted')
    await page.check('#review-disclosure_decision')
    await page.click('#record-review')
    await page.waitForSelector('.govuk-error-summary')
    assert.match(await page.textContent('.govuk-error-summary'), /review\.disclosure_rationale/)
    await assertAccessible(page, 'meeting-error')
    await page.click('.govuk-error-summary a')
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'review-disclosure_rationale')
    assert.match(await page.textContent('#item-1'), /To decide/)

    await page.fill('#review-disclosure_rationale', 'Presumption to disclose to the mother of the child in his household.')
    await page.fill('#review-actions-0-action', 'Unannounced home visit within 14 days')
    await page.selectOption('#review-actions-0-owner_agency', 'police')
    await page.click('#record-review')
    await page.waitForSelector('.govuk-notification-banner--success')
    const item = await page.textContent('#item-1')
    assert.match(item, /Category 1, level 2/)
    assert.match(item, /considered, the presumption to disclose noted: Disclose/)
    await assertAccessible(page, 'meeting')

    // The review reaches the person's picture.
    await page.click('#item-1 a')
    await page.waitForSelector('#person-name')
    assert.match(await page.textContent('#s327a'), /Considered.*CONSOLE\/KENT\/0001/)
    await page.context().close()
  })

  test('with the keyboard alone, a coordinator adds an item and records its review', async () => {
    const page = await stack.signIn('mappa-coordinator')
    await page.goto(stack.url + '/meetings/CONSOLE%2FKENT%2F0001')
    await statePurpose(page, 'MAPPA_MEETING', 'MAPPA meeting CONSOLE/KENT/0001')
    await page.waitForSelector('h1:has-text("CONSOLE/KENT/0001")')
    await tabTo(page, '#agenda-item_ref')
    await page.keyboard.type('2')
    await tabTo(page, '#agenda-subject_kind')
    await page.keyboard.type('A person, by PNC')
    await tabTo(page, '#agenda-reference')
    await page.keyboard.type('2011/0045123K')
    await tabTo(page, '#add-item')
    await page.keyboard.press('Enter')
    await page.waitForSelector('#item-2')
    await tabTo(page, '#review-item_ref')
    await page.keyboard.type('Item 2')
    await tabTo(page, '#review-category')
    await page.keyboard.type('Category 2')
    await tabTo(page, '#review-level')
    await page.keyboard.type('Level 1')
    // A radio group is one Tab stop; the arrow keys choose within it.
    await tabTo(page, '#review-disclosure_considered')
    await page.keyboard.press('ArrowDown')
    assert.equal(await page.isChecked('#review-disclosure_considered-2'), true)
    await tabTo(page, '#record-review')
    await page.keyboard.press('Enter')
    await page.waitForSelector('.govuk-notification-banner--success')
    const item = await page.textContent('#item-2')
    assert.match(item, /Category 2, level 1/)
    assert.match(item, /Not considered/)
    await page.context().close()
  })

  test('a panel member reads the meetings but records nothing', async () => {
    const page = await stack.signIn('mappa-panel-member')
    await page.goto(stack.url + '/meetings')
    assert.match(await page.textContent('table.console-meetings'), /CONSOLE\/KENT\/0001/)
    assert.equal(await page.locator('#schedule-meeting').count(), 0)
    await assertAccessible(page, 'meetings')
    await page.context().close()
  })
})

describe('disclosure cases', () => {
  test('deadlines per force, cases by state, and one case with every step, read in its own context', async () => {
    const page = await stack.signIn('police-disclosure')
    await page.goto(stack.url + '/cases')
    await statePurpose(page, 'DISCLOSURE_SCHEME_ASSESSMENT', 'Monday review of the caseload')
    await page.waitForSelector('h1:has-text("Disclosure cases")')
    assert.match(await page.textContent('main'), /overdue/)
    assert.ok(await page.locator('table.console-cases tbody tr').count() >= 11)
    await assertAccessible(page, 'cases')
    await page.selectOption('#state', 'DISCLOSURE_DELIVERED')
    await page.click('#show-cases')
    const refs = await page.locator('table.console-cases tbody tr td:first-child').allTextContents()
    assert.deepEqual(refs.map(r => r.trim()), ['DEMO/CAMBS/09'])
    await page.click('text=DEMO/CAMBS/09')
    // A case is its own context: its purpose is asked, naming the case.
    await page.waitForSelector('h1:has-text("Why do you need this information?")')
    assert.equal(await page.inputValue('#detail'), 'Disclosure case DEMO/CAMBS/09')
    assert.equal(await page.isChecked('input[name=code][value=DISCLOSURE_SCHEME_ASSESSMENT]'), true)
    await page.click('#continue')
    await page.waitForSelector('h1:has-text("Disclosure case DEMO/CAMBS/09")')
    const main = await page.textContent('main')
    assert.match(main, /Disclosure delivered/)
    assert.match(main, /DEMO\/MAPPA\/01/)
    await assertAccessible(page, 'case')
    await page.context().close()
  })
})

describe('what Safeguard recorded', () => {
  test('every read names the person, their role and the console they came through', async () => {
    const audit = process.env.SAFEGUARD_AUDIT
    assert.ok(audit, 'SAFEGUARD_AUDIT: the path of safeguard-audit')
    const out = execFileSync(audit, ['consultations', `--bus_dir=${stack.work}/data/bus`, `--key_vault=${stack.work}/data.vault`,
      '--subject=pnc:2019/0031337W,childrens:CS-PE-30981'], { encoding: 'utf8' })
    // The disclosure officer's search and picture, and the chair's, each as themselves.
    assert.match(out, /local-police-disclosure \(police-disclosure, AGENCY_POLICE\) via local-console \(console\)  mappa\.RiskView  DISCLOSURE_SCHEME_ASSESSMENT: CSODS\/DEMO\/0001 initial checks/)
    assert.match(out, /local-mappa-chair \(mappa-chair, AGENCY_MAPPA\) via local-console \(console\)/)
    assert.match(out, /MAPPA_MEETING: MAPPA meeting DEMO-L2/)
    // No read made through the console is recorded as the console's own.
    assert.doesNotMatch(out, /local-console \(console, AGENCY_MAPPA\)  /)
  })
})
