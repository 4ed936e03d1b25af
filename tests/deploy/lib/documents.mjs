// Reads the YAML documents of a deployment set: a directory (every *.yaml and *.yml in it,
// not below it) or one file. Each document keeps where it came from, for error messages.
import fs from 'node:fs'
import path from 'node:path'
import YAML from 'yaml'

// One YAML document: `file` (as given, relative to the working directory), `index` (its
// place in the file, from 0) and `doc` (the parsed value, null for an empty document).
// YAML syntax errors come back in `errors` rather than as documents.
export function readSet(target) {
  const stat = fs.statSync(target)
  const files = stat.isDirectory()
    ? fs
        .readdirSync(target)
        .filter(name => /\.ya?ml$/.test(name))
        .sort()
        .map(name => path.join(target, name))
    : [target]
  const documents = []
  const errors = []
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8')
    // YAML 1.1, as Kubernetes and Compose read it (0440 is octal, as a Secret's defaultMode
    // means it); merge keys, which compose files use to share settings (<<: *anchor).
    const parsed = YAML.parseAllDocuments(text, { version: '1.1', merge: true, prettyErrors: true })
    const list = Array.isArray(parsed) ? parsed : [parsed]
    list.forEach((d, index) => {
      if (d.errors.length > 0) {
        for (const e of d.errors) errors.push(`${file}: document ${index}: YAML: ${e.message.split('\n')[0]}`)
        return
      }
      const doc = d.toJS({ maxAliasCount: 100 })
      if (doc !== null && doc !== undefined) documents.push({ file, index, doc })
    })
  }
  return { target, isDirectory: stat.isDirectory(), files, documents, errors }
}

// "Kind name" of a Kubernetes document, or what there is of it.
export function describe(doc) {
  if (!doc || typeof doc !== 'object') return 'not an object'
  const kind = typeof doc.kind === 'string' ? doc.kind : '(no kind)'
  const name = doc.metadata && typeof doc.metadata.name === 'string' ? doc.metadata.name : '(no name)'
  return `${kind} ${name}`
}

// A document is a Compose file when it has services and no Kubernetes apiVersion/kind.
export function isCompose(doc) {
  return doc && typeof doc === 'object' && !('apiVersion' in doc) && !('kind' in doc) && 'services' in doc
}

// Where the error is, in one prefix: file, document index, kind and name.
export function where(entry) {
  if (isCompose(entry.doc)) return `${entry.file}: document ${entry.index} (compose)`
  return `${entry.file}: document ${entry.index} (${describe(entry.doc)})`
}
