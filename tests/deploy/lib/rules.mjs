// Safeguard's own deployment rules: what the schemas cannot say (docs/deploy.md,
// "How the manifests are checked"). Each rule returns messages; none means it holds.
import fs from 'node:fs'
import path from 'node:path'
import { isCompose, where } from './documents.mjs'

// The image's user (deploy/Dockerfile, deploy/console.Dockerfile).
export const IMAGE_UID = 10001

// Safeguard's own images, by the last part of their name.
const OUR_IMAGES = new Set(['safeguard', 'safeguard-console'])

// x.y.z, optionally with a pre-release or build suffix: 0.16.0, 1.2.3-rc.1.
const VERSION = /^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/

// name, tag and digest of an image reference ("registry:5000/team/safeguard:0.16.0@sha256:...").
export function parseImage(image) {
  let rest = image
  let digest = null
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
  }
  const slash = rest.lastIndexOf('/')
  const colon = rest.lastIndexOf(':')
  const tag = colon > slash ? rest.slice(colon + 1) : null
  const name = colon > slash ? rest.slice(0, colon) : rest
  return { name, base: name.slice(name.lastIndexOf('/') + 1), tag, digest }
}

export function imageTagProblem(image) {
  if (typeof image !== 'string' || image === '') return 'no image'
  const { tag, digest } = parseImage(image)
  if (tag === null) {
    return digest ? null : `image "${image}": no tag (the latest image would be pulled): give it the version`
  }
  if (!VERSION.test(tag)) return `image "${image}": tag "${tag}" is not a version (x.y.z); never latest or dev`
  return null
}

// The pod spec and pod metadata inside a workload, or null for other kinds.
function podTemplate(doc) {
  const spec = doc.spec ?? {}
  switch (doc.kind) {
    case 'Pod':
      return { metadata: doc.metadata ?? {}, spec }
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return { metadata: spec.template?.metadata ?? {}, spec: spec.template?.spec ?? {} }
    case 'CronJob':
      return {
        metadata: spec.jobTemplate?.spec?.template?.metadata ?? {},
        spec: spec.jobTemplate?.spec?.template?.spec ?? {},
      }
    default:
      return null
  }
}

// The restricted pod security standard as Safeguard applies it, probes, resources and the
// image tag, for every container of every pod template.
function podRules(doc) {
  const template = podTemplate(doc)
  if (!template) return []
  const messages = []
  const pod = template.spec.securityContext ?? {}
  const init = (template.spec.initContainers ?? []).map(c => ({ c, init: true }))
  const main = (template.spec.containers ?? []).map(c => ({ c, init: false }))
  for (const { c, init: isInit } of [...init, ...main]) {
    const at = `container ${c.name}`
    const sc = c.securityContext ?? {}
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) {
      messages.push(`${at}: securityContext.runAsNonRoot must be true (pod or container)`)
    }
    if ((sc.runAsUser ?? pod.runAsUser) !== IMAGE_UID) {
      messages.push(`${at}: securityContext.runAsUser must be ${IMAGE_UID}, the image's user (pod or container)`)
    }
    if ((sc.seccompProfile ?? pod.seccompProfile)?.type !== 'RuntimeDefault') {
      messages.push(`${at}: securityContext.seccompProfile.type must be RuntimeDefault (pod or container)`)
    }
    if (sc.allowPrivilegeEscalation !== false) {
      messages.push(`${at}: securityContext.allowPrivilegeEscalation must be false`)
    }
    if (sc.readOnlyRootFilesystem !== true) {
      messages.push(`${at}: securityContext.readOnlyRootFilesystem must be true`)
    }
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) {
      messages.push(`${at}: securityContext.capabilities.drop must include ALL`)
    }
    if ((sc.capabilities?.add ?? []).length > 0) {
      messages.push(`${at}: securityContext.capabilities.add must be empty`)
    }
    for (const part of ['requests', 'limits']) {
      for (const resource of ['cpu', 'memory']) {
        if (c.resources?.[part]?.[resource] === undefined) {
          messages.push(`${at}: resources.${part}.${resource} is missing`)
        }
      }
    }
    if (!isInit) {
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        if (!c[probe]) messages.push(`${at}: ${probe} is missing`)
      }
    }
    const tag = imageTagProblem(c.image)
    if (tag) messages.push(`${at}: ${tag}`)
  }
  const annotations = template.metadata.annotations ?? {}
  if (annotations['prometheus.io/scrape'] === 'true') {
    const metricsPorts = main.flatMap(({ c }) =>
      (c.ports ?? []).filter(p => p.name === 'metrics').map(p => String(p.containerPort)),
    )
    if (!metricsPorts.includes(annotations['prometheus.io/port'])) {
      messages.push(
        `annotation prometheus.io/port "${annotations['prometheus.io/port']}" is not a container port named metrics`,
      )
    }
  }
  return messages
}

function isDefaultDeny(doc) {
  if (doc.kind !== 'NetworkPolicy' || doc.apiVersion !== 'networking.k8s.io/v1') return false
  const spec = doc.spec ?? {}
  const selector = spec.podSelector ?? {}
  const selectsAll =
    Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
  const types = spec.policyTypes ?? []
  return (
    selectsAll &&
    types.includes('Ingress') &&
    types.includes('Egress') &&
    (spec.ingress ?? []).length === 0 &&
    (spec.egress ?? []).length === 0
  )
}

function kafkaUserRules(doc, topics) {
  const messages = []
  if (doc.spec?.authentication?.type !== 'scram-sha-512') {
    messages.push('spec.authentication.type must be scram-sha-512: every service logs in as its own user')
  }
  const acls = doc.spec?.authorization?.acls ?? []
  acls.forEach((acl, i) => {
    const ops = acl.operations ?? (acl.operation ? [acl.operation] : [])
    const r = acl.resource ?? {}
    if (ops.includes('All') || r.name === '*' || r.patternType === 'prefix') {
      messages.push(`ACL ${i} grants too much (All, "*" or a prefix): grant each topic, group and operation by name`)
    }
    if (r.type === 'topic' && (r.patternType ?? 'literal') === 'literal' && r.name !== '*' && !topics.has(r.name)) {
      messages.push(`ACL ${i} names topic "${r.name}", which no KafkaTopic in this set declares`)
    }
  })
  if (acls.length === 0) messages.push('spec.authorization.acls is empty: the user could do nothing')
  return messages
}

function composeRules(doc) {
  const messages = []
  for (const [name, service] of Object.entries(doc.services ?? {})) {
    const at = `service ${name}`
    if (typeof service.image === 'string') {
      const tag = imageTagProblem(service.image)
      if (tag) messages.push(`${at}: ${tag}`)
    }
    if (!OUR_IMAGES.has(parseImage(String(service.image ?? '')).base)) continue
    if (service.read_only !== true) messages.push(`${at}: read_only must be true`)
    if (!(service.cap_drop ?? []).includes('ALL')) messages.push(`${at}: cap_drop must include ALL`)
    if (!(service.security_opt ?? []).includes('no-new-privileges:true')) {
      messages.push(`${at}: security_opt must include no-new-privileges:true`)
    }
    if (!/^10001(:10001)?$/.test(String(service.user ?? ''))) messages.push(`${at}: user must be 10001:10001`)
    // A server (it publishes a port) has a health check; the one-off pki step has none.
    if ((service.ports ?? []).length > 0 && !service.healthcheck?.test) {
      messages.push(`${at}: a server needs a healthcheck`)
    }
  }
  return messages
}

// Every rule over one deployment set (readSet's result). Messages start with where.
export function setRules(set) {
  const messages = []
  const kube = set.documents.filter(e => !isCompose(e.doc) && e.doc && typeof e.doc === 'object')
  const topics = new Set(kube.filter(e => e.doc.kind === 'KafkaTopic').map(e => e.doc.spec?.topicName ?? e.doc.metadata?.name))
  const workloadNamespaces = new Set()
  for (const entry of set.documents) {
    const { doc } = entry
    if (isCompose(doc)) {
      for (const m of composeRules(doc)) messages.push(`${where(entry)}: ${m}`)
      continue
    }
    if (!doc || typeof doc !== 'object') continue
    if (doc.kind === 'Secret' || doc.kind === 'SecretList') {
      messages.push(
        `${where(entry)}: a Secret must not be in the applied manifests (it would replace the real one with ` +
          'what is written here): create it with the command in docs/deploy.md',
      )
    }
    for (const m of podRules(doc)) messages.push(`${where(entry)}: ${m}`)
    if (podTemplate(doc)) workloadNamespaces.add(doc.metadata?.namespace ?? 'default')
    if (doc.kind === 'KafkaUser') for (const m of kafkaUserRules(doc, topics)) messages.push(`${where(entry)}: ${m}`)
    if (doc.kind === 'Namespace' && doc.metadata?.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted') {
      messages.push(`${where(entry)}: label pod-security.kubernetes.io/enforce must be restricted`)
    }
  }
  const declared = new Set(kube.filter(e => e.doc.kind === 'Namespace').map(e => e.doc.metadata?.name))
  for (const ns of [...workloadNamespaces].sort()) {
    if (!declared.has(ns)) {
      messages.push(`${set.target}: namespace ${ns} has workloads but is not declared here (its pod security labels go unchecked)`)
    }
    const deny = kube.some(e => isDefaultDeny(e.doc) && (e.doc.metadata?.namespace ?? 'default') === ns)
    if (!deny) {
      messages.push(
        `${set.target}: namespace ${ns} has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress ` +
          'and Egress, no rules)',
      )
    }
  }
  messages.push(...kustomizationRules(set))
  return messages
}

// A directory with a kustomization.yaml: it lists exactly the manifests beside it.
function kustomizationRules(set) {
  if (!set.isDirectory) return []
  const entry = set.documents.find(e => path.basename(e.file) === 'kustomization.yaml' && e.doc?.kind === 'Kustomization')
  if (!entry) return []
  const messages = []
  const listed = new Set((entry.doc.resources ?? []).map(r => path.normalize(r)))
  for (const file of set.files) {
    const name = path.basename(file)
    if (name !== 'kustomization.yaml' && !listed.has(name)) {
      messages.push(`${entry.file}: does not list ${name}: kubectl apply -k would never apply it`)
    }
  }
  for (const r of listed) {
    if (!fs.existsSync(path.join(set.target, r))) messages.push(`${entry.file}: lists ${r}, which is not there`)
  }
  return messages
}

// Across every set checked together: Safeguard's images carry one tag, and it is the
// project's version when CMakeLists.txt declares one.
export function imageVersionRules(sets, projectVersion) {
  const seen = new Map() // tag -> first place it was seen
  for (const set of sets) {
    for (const entry of set.documents) {
      const images = []
      if (isCompose(entry.doc)) {
        for (const s of Object.values(entry.doc.services ?? {})) if (typeof s.image === 'string') images.push(s.image)
      } else if (entry.doc && typeof entry.doc === 'object') {
        const t = podTemplate(entry.doc)
        if (t) for (const c of [...(t.spec.initContainers ?? []), ...(t.spec.containers ?? [])]) images.push(c.image)
      }
      for (const image of images) {
        if (typeof image !== 'string') continue
        const { base, tag } = parseImage(image)
        if (!OUR_IMAGES.has(base) || tag === null) continue
        if (!seen.has(tag)) seen.set(tag, `${where(entry)}: ${image}`)
      }
    }
  }
  const messages = []
  if (seen.size > 1) {
    messages.push(`Safeguard's images carry different tags: ${[...seen.values()].join('; ')}`)
  }
  if (projectVersion) {
    for (const [tag, at] of seen) {
      if (tag !== projectVersion) {
        messages.push(`${at}: tag ${tag} is not the project's version ${projectVersion} (CMakeLists.txt)`)
      }
    }
  }
  return messages
}
