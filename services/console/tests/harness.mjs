// What the browser tests run against: a real safeguardd (embedded bus, demo data, mutual
// TLS with the certificates it makes on its first start) and a real console, both on
// loopback ports the OS assigns, and Debian's Chromium driven by Playwright, signing in
// with a role's client certificate. Screenshots go to $CONSOLE_ARTEFACTS (or the work
// directory); everything started here is stopped at the end.
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import AxeBuilder from '@axe-core/playwright'

const here = path.dirname(fileURLToPath(import.meta.url))
export const consoleDir = path.resolve(here, '..')

async function waitForFile(file, seconds, what, log) {
  const deadline = Date.now() + seconds * 1000
  while (Date.now() < deadline) {
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8')
    await new Promise(r => setTimeout(r, 100))
  }
  throw new Error(`${what} did not start within ${seconds} s:\n${fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : ''}`)
}

function endpoint(text, name) {
  const line = text.split('\n').find(l => l.startsWith(`${name}=`))
  if (!line) throw new Error(`no ${name}= in ${text}`)
  return line.slice(name.length + 1).trim()
}

export class Stack {
  static async start({ safeguardd = process.env.SAFEGUARDD, consoleArgs = [], browser = true } = {}) {
    if (!safeguardd) throw new Error('SAFEGUARDD: the path of the safeguardd binary')
    const stack = new Stack()
    stack.work = fs.mkdtempSync(path.join(os.tmpdir(), 'console-test-'))
    stack.artefacts = process.env.CONSOLE_ARTEFACTS ?? path.join(stack.work, 'screenshots')
    fs.mkdirSync(stack.artefacts, { recursive: true })
    stack.pki = path.join(stack.work, 'data/pki')
    stack.processes = []

    const sgLog = path.join(stack.work, 'safeguardd.log')
    stack.spawn(safeguardd, ['--data_dir=' + path.join(stack.work, 'data'), '--police_port=0', '--mappa_port=0', '--metrics_port=0',
      '--probation_port=0', '--childrens_port=0', '--demo', '--endpoints_file=' + path.join(stack.work, 'endpoints')], sgLog)
    const endpoints = await waitForFile(path.join(stack.work, 'endpoints'), 60, 'safeguardd', sgLog)
    stack.mappa = endpoint(endpoints, 'mappa')
    stack.police = endpoint(endpoints, 'police')

    const consoleLog = path.join(stack.work, 'console.log')
    stack.spawn(process.execPath, [path.join(consoleDir, 'dist/server.js'), '--listen=127.0.0.1:0',
      '--pki_dir=' + stack.pki, '--safeguard_endpoints=' + path.join(stack.work, 'endpoints'),
      '--endpoints_file=' + path.join(stack.work, 'console-endpoints'), ...consoleArgs], consoleLog)
    stack.url = endpoint(await waitForFile(path.join(stack.work, 'console-endpoints'), 30, 'the console', consoleLog), 'console')

    if (!browser) return stack
    stack.browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    })
    return stack
  }

  // Runs safeguardctl against the stack, for what the agencies' own systems do meanwhile;
  // its output.
  ctl(...args) {
    const ctl = process.env.SAFEGUARDCTL
    if (!ctl) throw new Error('SAFEGUARDCTL: the path of the safeguardctl binary')
    return execFileSync(ctl, args, {
      encoding: 'utf8',
      env: { ...process.env, SAFEGUARD_PKI: this.pki, SAFEGUARD_POLICE: this.police, SAFEGUARD_MAPPA: this.mappa },
    })
  }

  spawn(command, args, log) {
    const out = fs.openSync(log, 'a')
    const child = spawn(command, args, { stdio: ['ignore', out, out] })
    this.processes.push(child)
    return child
  }

  // A browser context presenting `role`'s client certificate from safeguardd's local CA
  // (none: a browser with no certificate). The console's own certificate is from that CA
  // too, which this browser is not told to trust.
  async as(role) {
    const options = { ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } }
    if (role) {
      options.clientCertificates = [{
        origin: this.url,
        certPath: path.join(this.pki, 'clients', `${role}.pem`),
        keyPath: path.join(this.pki, 'clients', `${role}-key.pem`),
      }]
    }
    const context = await this.browser.newContext(options)
    const page = await context.newPage()
    // The page may load nothing from anywhere but the console.
    page.external = []
    page.on('request', request => {
      if (!request.url().startsWith(this.url) && !request.url().startsWith('data:')) page.external.push(request.url())
    })
    return page
  }

  async signIn(role) {
    const page = await this.as(role)
    await page.goto(this.url + '/')
    await page.click('#sign-in')
    await page.waitForSelector('h1:has-text("Find a person")')
    return page
  }

  // No accessibility violations on the page as it stands (WCAG 2.2 A and AA rules).
  async axe(page) {
    const results = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
      .analyze()
    return results.violations.map(v => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map(n => n.target.join(' ')).join('; ')}`)
  }

  async screenshot(page, name) {
    await page.screenshot({ path: path.join(this.artefacts, `${name}.png`), fullPage: true })
  }

  async stop() {
    await this.browser?.close().catch(() => {})
    for (const child of this.processes.reverse()) {
      if (child.exitCode === null) {
        child.kill('SIGINT')
        await new Promise(resolve => {
          const timer = setTimeout(() => { child.kill('SIGKILL'); resolve() }, 10_000)
          child.once('exit', () => { clearTimeout(timer); resolve() })
        })
      }
    }
    if (!process.env.CONSOLE_KEEP_WORK) fs.rmSync(this.work, { recursive: true, force: true })
  }

  log(name) {
    return fs.readFileSync(path.join(this.work, name), 'utf8')
  }
}
