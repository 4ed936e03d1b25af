// The console's settings, from its command line (flags as the C++ servers take them:
// --name=value). Each server binary answers --help with its own flags.
import fs from 'node:fs'
import path from 'node:path'

export interface ConsoleConfig {
  host: string
  port: number
  // HTTPS: the console's own certificate and key, and the CA whose client certificates
  // sign people in (the deployment's CA: the one Safeguard's services trust).
  serverCert: Buffer
  serverKey: Buffer
  clientCa: Buffer
  // gRPC: the console's own client certificate (role "console"), which may act only for a
  // signed-in person, and the CA that signed Safeguard's servers.
  grpcCert: Buffer
  grpcKey: Buffer
  grpcCa: Buffer
  mappa: string
  // Roles that may sign in: those the access policy lets the console act for.
  roles: string[]
  sessionIdleMinutes: number
  sessionHours: number
  endpointsFile: string
}

export const FLAGS: Record<string, string> = {
  listen: 'Address and port to serve HTTPS on (default 127.0.0.1:8443; port 0: any free port)',
  pki_dir: "A local certificate authority made by safeguardd (its ca.pem, server.pem and clients/console.pem), instead of the six files below",
  tls_cert: "PEM file: the console's HTTPS certificate chain",
  tls_key: "PEM file: the console's HTTPS private key",
  client_ca: "PEM file: the CA whose client certificates sign people in",
  grpc_cert: "PEM file: the console's own client certificate for Safeguard's services (role console)",
  grpc_key: 'PEM file: its private key',
  grpc_ca: "PEM file: the CA that signed Safeguard's servers' certificates",
  safeguard_endpoints: "safeguardd's --endpoints_file, to read mappa= from (instead of --mappa)",
  mappa: 'mappa-service address (default 127.0.0.1:50052)',
  roles: 'Roles that may sign in (default mappa-chair,mappa-coordinator,mappa-panel-member,police-disclosure)',
  session_idle_minutes: 'A session ends after this long without a request (default 30)',
  session_hours: 'A session ends this long after sign-in, whatever happens (default 10)',
  endpoints_file: "If set, write 'console=https://HOST:PORT' here once serving",
}

export class ConfigError extends Error {}

export function usage(): string {
  const lines = ['Usage: safeguard-console [--flag=value ...]', '', 'Serves the MAPPA panel console over HTTPS.', '']
  for (const [name, meaning] of Object.entries(FLAGS)) lines.push(`  --${name}=...`.padEnd(30) + meaning)
  return lines.join('\n')
}

function parseFlags(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>()
  for (const arg of argv) {
    const m = /^--([a-z_]+)=(.*)$/s.exec(arg)
    if (!m) throw new ConfigError(`'${arg}': flags are --name=value (--help lists them)`)
    if (!(m[1] in FLAGS)) throw new ConfigError(`--${m[1]}: no such flag (--help lists them)`)
    flags.set(m[1], m[2])
  }
  return flags
}

function readFile(flag: string, file: string | undefined): Buffer {
  if (!file) throw new ConfigError(`--${flag} is required (or --pki_dir)`)
  try {
    return fs.readFileSync(file)
  } catch (e) {
    throw new ConfigError(`--${flag}=${file}: ${(e as Error).message}`)
  }
}

function readEndpoints(file: string): Map<string, string> {
  const endpoints = new Map<string, string>()
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    throw new ConfigError(`--safeguard_endpoints=${file}: ${(e as Error).message}`)
  }
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) endpoints.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim())
  }
  return endpoints
}

function positive(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`--${flag}=${value}: a whole number above 0`)
  return n
}

export function loadConfig(argv: string[]): ConsoleConfig {
  const flags = parseFlags(argv)
  const listen = flags.get('listen') ?? '127.0.0.1:8443'
  const colon = listen.lastIndexOf(':')
  const port = Number(listen.slice(colon + 1))
  if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`--listen=${listen}: HOST:PORT, e.g. 127.0.0.1:8443`)
  }
  const host = listen.slice(0, colon).replace(/^\[(.*)\]$/, '$1')

  const pki = flags.get('pki_dir')
  const file = (flag: string, inPki: string) => readFile(flag, flags.get(flag) ?? (pki ? path.join(pki, inPki) : undefined))

  let mappa = flags.get('mappa')
  const endpointsPath = flags.get('safeguard_endpoints')
  if (endpointsPath) mappa ??= readEndpoints(endpointsPath).get('mappa')

  return {
    host,
    port,
    serverCert: file('tls_cert', 'server.pem'),
    serverKey: file('tls_key', 'server-key.pem'),
    clientCa: file('client_ca', 'ca.pem'),
    grpcCert: file('grpc_cert', 'clients/console.pem'),
    grpcKey: file('grpc_key', 'clients/console-key.pem'),
    grpcCa: file('grpc_ca', 'ca.pem'),
    mappa: mappa ?? '127.0.0.1:50052',
    roles: (flags.get('roles') ?? 'mappa-chair,mappa-coordinator,mappa-panel-member,police-disclosure')
      .split(',')
      .map(r => r.trim())
      .filter(r => r.length > 0),
    sessionIdleMinutes: positive('session_idle_minutes', flags.get('session_idle_minutes'), 30),
    sessionHours: positive('session_hours', flags.get('session_hours'), 10),
    endpointsFile: flags.get('endpoints_file') ?? '',
  }
}
