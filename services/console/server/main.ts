// safeguard-console: serves the MAPPA panel console over HTTPS, signing people in with
// their client certificates and calling Safeguard's services for them.
import fs from 'node:fs'
import https from 'node:https'
import { ConfigError, loadConfig, usage } from './config'
import { createConsole } from './app'
import { Safeguard } from './safeguard'

function main(): void {
  const argv = process.argv.slice(2)
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage())
    return
  }
  let config
  try {
    config = loadConfig(argv)
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`safeguard-console: ${e.message}`)
      process.exit(2)
    }
    throw e
  }
  const safeguard = new Safeguard({
    mappa: config.mappa, ca: config.grpcCa, cert: config.grpcCert, key: config.grpcKey,
  })
  const { app } = createConsole(config, safeguard)
  // The person's certificate is asked for on every connection, and checked against the
  // deployment's CA; a connection without one still reaches the sign-in page, which says
  // what is missing rather than failing the handshake.
  const server = https.createServer(
    {
      cert: config.serverCert,
      key: config.serverKey,
      ca: config.clientCa,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
    app,
  )
  server.headersTimeout = 20_000
  server.requestTimeout = 60_000
  server.listen(config.port, config.host, () => {
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : config.port
    const host = config.host.includes(':') ? `[${config.host}]` : config.host
    const url = `https://${host}:${port}`
    console.log(`Safeguard console on ${url} (mappa-service ${config.mappa})`)
    if (config.endpointsFile) {
      const tmp = `${config.endpointsFile}.tmp`
      fs.writeFileSync(tmp, `console=${url}\n`)
      fs.renameSync(tmp, config.endpointsFile)
    }
  })
  const stop = () => {
    server.close()
    server.closeAllConnections()
    safeguard.close()
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main()
