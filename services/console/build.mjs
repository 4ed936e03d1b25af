// Builds the console into dist/: the server (TypeScript, bundled by esbuild with its
// packages left in node_modules), the browser script, the stylesheet (GOV.UK Frontend and
// MoJ Frontend compiled with Sass), and their fonts and images: everything a page loads
// is served by the console itself.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'
import * as sass from 'sass'

const root = path.dirname(fileURLToPath(import.meta.url))
const dist = path.join(root, 'dist')
const pub = path.join(dist, 'public')
fs.rmSync(dist, { recursive: true, force: true })
fs.mkdirSync(pub, { recursive: true })

await esbuild.build({
  entryPoints: [path.join(root, 'server/main.ts')],
  outfile: path.join(dist, 'server.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
})

await esbuild.build({
  entryPoints: [path.join(root, 'assets/js/console.mjs')],
  outfile: path.join(pub, 'console.js'),
  bundle: true,
  format: 'esm',
  target: 'es2020',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
})

const css = sass.compile(path.join(root, 'assets/scss/console.scss'), {
  loadPaths: [root, path.join(root, 'node_modules')],
  style: 'compressed',
  quietDeps: true,
  silenceDeprecations: ['import'],
  // MoJ Frontend still calls GOV.UK Frontend mixins that v6 deprecates: those warnings
  // are the packages' own, not ours. Ours are printed.
  logger: {
    warn(message, { span }) {
      if (message.includes('$govuk-suppressed-warnings') || span?.url?.pathname.includes('/node_modules/')) return
      console.warn(`sass: ${message}`)
    },
  },
})
fs.writeFileSync(path.join(pub, 'console.css'), css.css)

const copy = (from, to) => fs.cpSync(path.join(root, from), path.join(pub, to), { recursive: true })
copy('node_modules/govuk-frontend/dist/govuk/assets/fonts', 'fonts')
copy('node_modules/govuk-frontend/dist/govuk/assets/images', 'images')
copy('node_modules/@ministryofjustice/frontend/moj/assets/images', 'images')
copy('node_modules/govuk-frontend/dist/govuk/assets/manifest.json', 'manifest.json')
console.log(`console built in ${path.relative(process.cwd(), dist) || '.'}`)
