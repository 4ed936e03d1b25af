// Safeguard's gRPC services as the console calls them: over mutual TLS with the console's
// own certificate, every call made for the signed-in person, whose certificate travels in
// the x-forwarded-client-cert header (the format Envoy and nginx forward). The servers
// believe it only from a caller the access policy lets act for that person's role, check
// it against the CA, and judge the call as the person's (docs/security.md).
import path from 'node:path'
import crypto from 'node:crypto'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import protobuf from 'protobufjs'

export interface Person {
  user: string
  role: string
  agency: string
  sha256: string // of the certificate's DER, lower-case hex
  pem: string
}

// A refusal or failure from Safeguard, with every field violation it named.
export class SafeguardError extends Error {
  constructor(
    readonly code: grpc.status,
    readonly detail: string,
    readonly violations: { field: string; description: string }[],
  ) {
    super(`${grpc.status[code]}: ${detail}`)
  }
}

const PROTO_FILES = [
  'safeguard/v1/mappa_service.proto',
  'safeguard/v1/meeting_service.proto',
  'safeguard/v1/disclosure_reads.proto',
  'safeguard/v1/operations.proto',
]

export function protoDir(): string {
  return process.env.SAFEGUARD_PROTO_DIR ?? path.resolve(__dirname, '../../../proto')
}

// Every message as a plain object: enums as their names, 64-bit numbers as strings,
// defaults filled in, field names as in the .proto files.
const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
}

type Unary = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response: any) => void) => grpc.ClientUnaryCall
type Streaming = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions) => grpc.ClientReadableStream<any>

export class Safeguard {
  private readonly clients: Record<string, grpc.Client> = {}
  private readonly badRequest: protobuf.Type
  private readonly rpcStatus: protobuf.Type

  constructor(opts: { mappa: string; ca: Buffer; cert: Buffer; key: Buffer }) {
    const definition = protoLoader.loadSync(PROTO_FILES, { ...LOADER_OPTIONS, includeDirs: [protoDir()] })
    const v1 = (grpc.loadPackageDefinition(definition) as any).safeguard.v1
    const credentials = grpc.credentials.createSsl(opts.ca, opts.key, opts.cert)
    const channelOptions = { 'grpc.keepalive_time_ms': 60_000 }
    for (const name of ['MappaService', 'IdentityService', 'MeetingService', 'DisclosureCaseService', 'OperationsService']) {
      this.clients[name] = new v1[name](opts.mappa, credentials, channelOptions)
    }
    const root = protobuf.loadSync([path.join(protoDir(), 'google/rpc/status.proto'),
      path.join(protoDir(), 'google/rpc/error_details.proto')])
    this.rpcStatus = root.lookupType('google.rpc.Status')
    this.badRequest = root.lookupType('google.rpc.BadRequest')
  }

  // One call as `person`: resolves with the response, or rejects with a SafeguardError.
  call<T = any>(person: Person, service: string, method: string, request: object, correlationId?: string): Promise<T> {
    const client = this.clients[service] as unknown as Record<string, Unary>
    if (!client || typeof client[method] !== 'function') {
      return Promise.reject(new Error(`no method ${service}.${method}`))
    }
    return new Promise((resolve, reject) => {
      client[method].call(client, request, this.metadata(person, correlationId), { deadline: Date.now() + 15_000 },
        (error, response) => (error ? reject(this.toError(error)) : resolve(response as T)))
    })
  }

  // A server stream as `person`.
  stream(person: Person, service: string, method: string, request: object): grpc.ClientReadableStream<any> {
    const client = this.clients[service] as unknown as Record<string, Streaming>
    return client[method].call(client, request, this.metadata(person), {})
  }

  toError(error: grpc.ServiceError): SafeguardError {
    const violations: { field: string; description: string }[] = []
    const details = error.metadata?.get('grpc-status-details-bin')?.[0]
    if (details instanceof Buffer) {
      try {
        const status = this.rpcStatus.decode(details) as any
        for (const any of status.details ?? []) {
          if (any.type_url?.endsWith('/google.rpc.BadRequest') || any.typeUrl?.endsWith('/google.rpc.BadRequest')) {
            const br = this.badRequest.decode(any.value) as any
            for (const v of br.fieldViolations ?? br.field_violations ?? []) {
              violations.push({ field: v.field, description: v.description })
            }
          }
        }
      } catch {
        // Details that do not decode leave the message, which names every problem too.
      }
    }
    return new SafeguardError(error.code ?? grpc.status.UNKNOWN, error.details ?? error.message, violations)
  }

  close(): void {
    for (const client of Object.values(this.clients)) client.close()
  }

  private metadata(person: Person, correlationId?: string): grpc.Metadata {
    const md = new grpc.Metadata()
    md.set('x-forwarded-client-cert', forwardedClientCert(person))
    md.set('x-correlation-id', correlationId ?? crypto.randomUUID())
    return md
  }
}

// Envoy's x-forwarded-client-cert element for `person`: the hash of the certificate and
// the certificate itself, URL-encoded PEM.
export function forwardedClientCert(person: Person): string {
  return `Hash=${person.sha256};Cert="${encodeURIComponent(person.pem)}"`
}
