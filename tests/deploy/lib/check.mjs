// Checks deployment sets: each YAML document against its schema, then Safeguard's own rules.
import { readSet, where, isCompose } from './documents.mjs'
import { validateKubernetesDocument, validateComposeDocument } from './schemas.mjs'
import { setRules, imageVersionRules } from './rules.mjs'

export { KUBERNETES_MODELS_VERSION } from './schemas.mjs'

// `targets`: directories or files, each one set. `projectVersion`: the version Safeguard's
// image tags must carry (null: they must only agree). Returns every problem found, each
// naming its file, document, kind and name; an empty list means all is well.
export async function checkTargets(targets, { projectVersion = null } = {}) {
  const sets = targets.map(readSet)
  const problems = []
  for (const set of sets) {
    problems.push(...set.errors)
    for (const entry of set.documents) {
      const messages = isCompose(entry.doc)
        ? validateComposeDocument(entry.doc)
        : await validateKubernetesDocument(entry.doc)
      for (const m of messages) problems.push(`${where(entry)}: ${m}`)
    }
    problems.push(...setRules(set))
  }
  problems.push(...imageVersionRules(sets, projectVersion))
  return { problems, documents: sets.reduce((n, s) => n + s.documents.length, 0) }
}
