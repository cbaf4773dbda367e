// A real authorization server for McpAuth's integration tests: oidc-provider 9 on 127.0.0.1, on a free port.
//
//   node oidc-server.mjs '{"interaction":"auto","accessTokenTtl":5}'     (or the JSON in OIDC_SERVER_CONFIG)
//
// Prints one JSON line on stdout once it listens: {"issuer":"http://127.0.0.1:PORT","port":PORT}.
// Logs (JSON lines) go to stderr. Exits when its stdin closes, or on SIGTERM / SIGINT.
// With OIDC_SECRET_LEDGER set, every secret it issues or receives is appended to that file (oidc-secret-ledger.mjs).
// Test-only endpoints on the same server: GET /__test/stats (counters as JSON), POST /__test/reset,
// DELETE /__test/clients/<client_id> (forget a dynamically registered client, as servers sometimes do).
// See oidc-config.mjs for the configuration fields.

import http from 'node:http';
import Provider from 'oidc-provider';
import { providerConfiguration, readTestConfig, routes } from './oidc-config.mjs';
import { strictClientAuth } from './oidc-strict-auth.mjs';
import { autoInteraction, countEvents, countRequests, createStats, delayRefreshAnswers } from './oidc-test-hooks.mjs';
import { ledgerEvents, ledgerSecrets, openLedger, recordClients } from './oidc-secret-ledger.mjs';

const log = (entry) => process.stderr.write(`${JSON.stringify(entry)}\n`);

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

function testEndpoint(stats, reset, forgetClient) {
  return (req, res) => {
    const forget = req.method === 'DELETE' && /^\/__test\/clients\/([^/?]+)$/.exec(req.url);
    if (forget) {
      forgetClient(decodeURIComponent(forget[1])).then(() => { res.writeHead(204); res.end(); });
      return true;
    }
    if (req.url === '/__test/stats' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(stats()));
      return true;
    }
    if (req.url === '/__test/reset' && req.method === 'POST') {
      reset();
      res.writeHead(204);
      res.end();
      return true;
    }
    return false;
  };
}

function exitOn(server) {
  const stop = () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref(); // keep-alive connections would hold close() open
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}

async function main() {
  const config = readTestConfig(process.argv, process.env);
  const server = http.createServer();
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, providerConfiguration(config));
  const stats = createStats();
  const record = openLedger(process.env.OIDC_SECRET_LEDGER);
  recordClients(record, config.clients);
  ledgerEvents(provider, record);
  provider.use(ledgerSecrets(record));
  provider.use(countRequests(stats, routes));
  if (config.refreshDelayMs) provider.use(delayRefreshAnswers(stats, routes, config.refreshDelayMs));
  if (config.strictClientAuth) {
    const authenticated = [routes.token, routes.revocation, routes.introspection, routes.device_authorization];
    provider.use(strictClientAuth(provider, stats, authenticated));
  }
  countEvents(provider, stats, log);
  if (config.interaction === 'auto') provider.use(autoInteraction(provider, config.accountId));

  const handleTest = testEndpoint(
    () => stats,
    () => Object.assign(stats, createStats()),
    (clientId) => provider.Client.adapter.destroy(clientId), // the server "forgets" a registered client
  );
  const handleProvider = provider.callback();
  server.on('request', (req, res) => handleTest(req, res) || handleProvider(req, res));

  exitOn(server);
  process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);
}

main().catch((err) => {
  log({ event: 'startup_failed', message: err.message });
  process.exit(1);
});
