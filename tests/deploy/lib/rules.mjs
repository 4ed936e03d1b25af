// Safeguard's own deployment rules: what the schemas cannot say (docs/deploy.md,
// "How the manifests are checked"). Each rule returns messages; none means it holds.
import fs from 'node:fs'
import path from 'node:path'
import { isCompose, where, describe } from './documents.mjs'

// The image's user (deploy/Dockerfile, deploy/console.Dockerfile).
export const IMAGE_UID = 10001

// Safeguard's own images, by the last part of their name.
const OUR_IMAGES = new Set(['safeguard', 'safeguard-console'])

// The services that must be given the deployment's key vault (--key_vault, required by
// common/service_process.cc), by the name of their binary.
const VAULT_SERVICES = new Set(['police-service', 'probation-service', 'childrens-service', 'mappa-service'])

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

// A keys topic (police.keys, ...: a log's data-key records, keyed by key id) is compacted
// and never deleted by time or size: erasure publishes a key's "destroyed" record, and
// compaction must then remove the earlier record that carried the wrapped key, within a
// bounded time (max.compaction.lag.ms).
function keysTopicRules(doc) {
  const name = doc.spec?.topicName ?? doc.metadata?.name
  if (typeof name !== 'string' || !name.endsWith('.keys')) return []
  const config = doc.spec?.config ?? {}
  const messages = []
  const policy = config['cleanup.policy']
  if (policy !== 'compact') {
    messages.push(
      `keys topic ${name}: cleanup.policy must be compact, not ${policy === undefined ? 'delete (the default)' : `"${policy}"`}: ` +
        "a destroyed key's record must replace the one that carried the wrapped key, and no key may expire",
    )
  }
  const lag = Number(config['max.compaction.lag.ms'])
  if (!(Number.isSafeInteger(lag) && lag > 0)) {
    messages.push(
      `keys topic ${name}: max.compaction.lag.ms must be set (e.g. 86400000): without it a destroyed ` +
        "key's wrapped copy may stay on the brokers without bound",
    )
  }
  return messages
}

// The value of flag `name` on a command line (absl: --name=value, -name=value or
// --name value), or null.
function flagValue(argv, name) {
  const flag = new RegExp(`^--?${name}(=(.*))?$`)
  for (let i = 0; i < argv.length; i++) {
    const m = flag.exec(argv[i])
    if (m) return m[1] !== undefined ? m[2] : (argv[i + 1] ?? '')
  }
  return null
}

// Whether `file` is `dir` or lies below it.
function inside(file, dir) {
  const f = path.posix.normalize(file)
  const d = path.posix.normalize(dir).replace(/\/+$/, '')
  return f === d || f.startsWith(`${d}/`)
}

// Of `mounts` ({target, ...}), the deepest one that holds `file`, or undefined.
function mountHolding(mounts, file) {
  return mounts
    .filter(m => typeof m.target === 'string' && inside(file, m.target))
    .sort((a, b) => b.target.length - a.target.length)[0]
}

// The key vault on a Safeguard service's command line (argv[0] its binary): given, and kept
// apart from the data and its backups (common/crypto/key_vault.h). Returns the vault's path
// (null when none) and the problems.
function vaultFlagRules(argv) {
  const flags = argv.slice(1)
  const vault = flagValue(flags, 'key_vault')
  if (!vault) {
    return {
      vault: null,
      messages: [
        `${path.posix.basename(argv[0])} is given no --key_vault=FILE: every service needs the deployment's key ` +
          'vault (docs/deploy.md, "The key vault")',
      ],
    }
  }
  const messages = []
  for (const name of ['data_dir', 'backup_dir']) {
    const dir = flagValue(flags, name)
    if (dir && inside(vault, dir)) {
      messages.push(`--key_vault=${vault} is inside --${name}=${dir}: a copy or backup of the data would carry its keys`)
    }
  }
  return { vault, messages }
}

// The mode a Kubernetes volume gives the file at `relative` inside it (null: not known).
function volumeFileMode(volume, relative) {
  const kind = volume.secret ?? volume.configMap ?? volume.projected
  if (!kind) return null
  const items = volume.projected
    ? (volume.projected.sources ?? []).flatMap(s => s.secret?.items ?? s.configMap?.items ?? [])
    : (kind.items ?? [])
  const item = items.find(i => path.posix.normalize(i.path ?? '') === relative)
  return item?.mode ?? kind.defaultMode ?? 0o644
}

// The key vault of each Safeguard service container of a workload: given, apart from the
// data, on a read-only mount of a Secret (or a CSI secret store) whose file the service
// accepts (no access for others, no group write: common/crypto/key_vault.cc) and can read
// (a Secret's files are root's: group read, through the pod's fsGroup). Returns the
// problems and, for each container, where its vault comes from.
function kubernetesVaultRules(doc) {
  const template = podTemplate(doc)
  if (!template) return { messages: [], sources: [] }
  const messages = []
  const sources = []
  const volumes = new Map((template.spec.volumes ?? []).map(v => [v.name, v]))
  for (const c of [...(template.spec.initContainers ?? []), ...(template.spec.containers ?? [])]) {
    const argv = [...(c.command ?? []), ...(c.args ?? [])].map(String)
    if (!VAULT_SERVICES.has(path.posix.basename(argv[0] ?? ''))) continue
    const at = `container ${c.name}`
    const { vault, messages: flagMessages } = vaultFlagRules(argv)
    for (const m of flagMessages) messages.push(`${at}: ${m}`)
    if (!vault) continue
    const mount = mountHolding((c.volumeMounts ?? []).map(m => ({ ...m, target: m.mountPath })), vault)
    if (!mount) {
      messages.push(`${at}: --key_vault=${vault} is on no volume: mount the key vault's Secret (read-only) there`)
      continue
    }
    if (mount.readOnly !== true) messages.push(`${at}: the key vault's mount ${mount.mountPath} must be readOnly: true`)
    const volume = volumes.get(mount.name)
    if (!volume) continue // the schema and the API server refuse a mount of no volume
    const type = Object.keys(volume).find(k => k !== 'name') ?? '(no type)'
    if (!['secret', 'projected', 'csi'].includes(type)) {
      messages.push(`${at}: the key vault must come from a Secret (or a CSI secret store), not volume ${volume.name} (${type})`)
      continue
    }
    sources.push(
      volume.secret
        ? `Secret ${volume.secret.secretName}`
        : `volume ${volume.name} (${type} ${JSON.stringify(volume[type])})`,
    )
    const relative = path.posix.normalize(path.posix.join(mount.subPath ?? '', path.posix.relative(mount.mountPath, vault)))
    const mode = volumeFileMode(volume, relative)
    if (mode !== null && ((mode & 0o027) !== 0 || (mode & 0o040) === 0)) {
      messages.push(
        `${at}: volume ${volume.name} gives the key vault mode 0${mode.toString(8)}: the service refuses a vault ` +
          "others may read or its group write, and reads a Secret's file (root's) through the pod's fsGroup: " +
          'defaultMode: 0440',
      )
    } else if (mode !== null && template.spec.securityContext?.fsGroup === undefined) {
      messages.push(`${at}: the pod's securityContext.fsGroup must be set: the service reads the key vault's file (root's) through it`)
    }
  }
  return { messages, sources }
}

// A compose command or entrypoint as a list of words.
function words(value) {
  if (Array.isArray(value)) return value.map(String)
  if (typeof value === 'string') return value.trim().split(/\s+/).filter(w => w !== '')
  return []
}

// A compose service's volumes as {source, target, readOnly}.
function composeMounts(service) {
  return (service.volumes ?? []).map(v => {
    if (typeof v === 'string') {
      const [source, target, options = ''] = v.split(':')
      return target === undefined
        ? { source: null, target: source, readOnly: false }
        : { source, target, readOnly: options.split(',').includes('ro') }
    }
    return { source: v.source ?? null, target: v.target, readOnly: v.read_only === true }
  })
}

// The key vault of each Safeguard service of a compose file: given, apart from the data, on
// a read-only mount, and the same volume for every service.
function composeVaultRules(doc) {
  const messages = []
  const sources = new Map() // source -> first service
  for (const [name, service] of Object.entries(doc.services ?? {})) {
    const argv = [...words(service.entrypoint), ...words(service.command)]
    if (!VAULT_SERVICES.has(path.posix.basename(argv[0] ?? ''))) continue
    const at = `service ${name}`
    const { vault, messages: flagMessages } = vaultFlagRules(argv)
    for (const m of flagMessages) messages.push(`${at}: ${m}`)
    if (!vault) continue
    const mount = mountHolding(composeMounts(service), vault)
    if (!mount) {
      messages.push(`${at}: --key_vault=${vault} is on no volume: mount the key vault's volume (read-only) there`)
      continue
    }
    if (!mount.readOnly) messages.push(`${at}: the key vault's mount ${mount.target} must be read-only (:ro)`)
    const source = mount.source ?? '(an anonymous volume)'
    if (!sources.has(source)) sources.set(source, name)
  }
  if (sources.size > 1) {
    const list = [...sources].map(([source, name]) => `${name}: ${source}`).join('; ')
    messages.push(`the services are given different key vaults (${list}): every service of one deployment needs the same one`)
  }
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
  messages.push(...composeVaultRules(doc))
  return messages
}

// Every rule over one deployment set (readSet's result). Messages start with where.
export function setRules(set) {
  const messages = []
  const kube = set.documents.filter(e => !isCompose(e.doc) && e.doc && typeof e.doc === 'object')
  const topics = new Set(kube.filter(e => e.doc.kind === 'KafkaTopic').map(e => e.doc.spec?.topicName ?? e.doc.metadata?.name))
  const workloadNamespaces = new Set()
  const vaults = new Map() // where a workload's key vault comes from -> the first workload given it
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
    const vault = kubernetesVaultRules(doc)
    for (const m of vault.messages) messages.push(`${where(entry)}: ${m}`)
    for (const source of vault.sources) if (!vaults.has(source)) vaults.set(source, describe(doc))
    if (doc.kind === 'KafkaTopic') for (const m of keysTopicRules(doc)) messages.push(`${where(entry)}: ${m}`)
    if (podTemplate(doc)) workloadNamespaces.add(doc.metadata?.namespace ?? 'default')
    if (doc.kind === 'KafkaUser') for (const m of kafkaUserRules(doc, topics)) messages.push(`${where(entry)}: ${m}`)
    if (doc.kind === 'Namespace' && doc.metadata?.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted') {
      messages.push(`${where(entry)}: label pod-security.kubernetes.io/enforce must be restricted`)
    }
  }
  if (vaults.size > 1) {
    const list = [...vaults].map(([source, workload]) => `${workload}: ${source}`).join('; ')
    messages.push(
      `${set.target}: the services are given different key vaults (${list}): every service of one deployment ` +
        'needs the same one',
    )
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
