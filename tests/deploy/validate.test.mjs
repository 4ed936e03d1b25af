// The deployment check can fail: the smallest valid sets in good/ pass, and every fixture in
// bad/ (a copy of one of them with one thing broken) is refused with exactly the problem
// its first line names ("# expect: ..."; a directory fixture names it in its EXPECT file).
//   node --test tests/deploy/validate.test.mjs
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))

if (!fs.existsSync(path.join(here, 'node_modules', 'kubernetes-models', 'package.json'))) {
  test('tests/deploy has its node_modules', () => {
    assert.fail(`${path.join(here, 'node_modules')} is missing: run npm ci in tests/deploy`)
  })
} else {
  const { checkTargets } = await import('./lib/check.mjs')
  const rel = p => path.relative(process.cwd(), p) || '.'

  test('the smallest valid sets pass every check', async () => {
    const { problems, documents } = await checkTargets([rel(path.join(here, 'good'))])
    assert.deepEqual(problems, [])
    assert.equal(documents, 9)
  })

  test("Safeguard's image tags must be the project's version", async () => {
    const { problems } = await checkTargets([rel(path.join(here, 'good'))], { projectVersion: '9.9.9' })
    assert.equal(problems.length, 1, problems.join('\n'))
    assert.match(problems[0], /good\/base\.yaml: document 2 \(Deployment app\): safeguard:0\.16\.0: tag 0\.16\.0 is not the project's version 9\.9\.9/)
  })

  const bad = path.join(here, 'bad')
  for (const name of fs.readdirSync(bad).sort()) {
    const target = path.join(bad, name)
    const expect = fs.statSync(target).isDirectory()
      ? fs.readFileSync(path.join(target, 'EXPECT'), 'utf8').trim()
      : /^# expect: (.*)$/m.exec(fs.readFileSync(target, 'utf8'))[1]
    test(`bad/${name} is refused: ${expect}`, async () => {
      const { problems } = await checkTargets([rel(target)])
      assert.equal(problems.length, 1, `expected one problem, got:\n${problems.join('\n')}`)
      assert.ok(problems[0].includes(expect), `expected "${expect}" in:\n${problems[0]}`)
      // Every problem says where it is: the file (or the set) it was found in.
      assert.ok(problems[0].includes(rel(target)) || problems[0].startsWith("Safeguard's images"), problems[0])
    })
  }
}
