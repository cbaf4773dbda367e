// The secrets ledger of the whole-suite secret sweep (tests/McpAuth.SecretSweep.Tests): every secret this server
// issues or receives, appended as JSON lines {"kind": "...", "value": "..."} to the file named by OIDC_SECRET_LEDGER
// (the test fixture sets it; files 0600). The sweep then looks for each value in everything McpAuth said during the
// test run (logs at Trace, exception messages, CLI output). Without OIDC_SECRET_LEDGER nothing is written.

import fs from 'node:fs';
import querystring from 'node:querystring';

// Members of token, registration and device authorization responses that are secrets (user_code is shown by design).
const responseSecrets = ['access_token', 'refresh_token', 'id_token', 'client_secret', 'registration_access_token', 'device_code'];

// Members of requests to the token, revocation, introspection and device endpoints that are secrets.
const requestSecrets = {
  code: 'authorization_code',
  code_verifier: 'code_verifier',
  refresh_token: 'refresh_token',
  device_code: 'device_code',
  client_secret: 'client_secret',
  token: 'token',
  subject_token: 'subject_token',
  actor_token: 'actor_token',
};

/** A function that records one secret, or a no-op when the test run keeps no ledger. */
export function openLedger(path) {
  if (!path) return () => {};
  const fd = fs.openSync(path, 'a', 0o600);
  return (kind, value) => {
    if (typeof value !== 'string' || value.length === 0) return;
    fs.writeSync(fd, `${JSON.stringify({ kind, value })}\n`);
  };
}

/** Records the secrets of pre-registered clients (they reach the server in every authenticated request). */
export function recordClients(record, clients) {
  for (const client of clients ?? []) record('client_secret', client.client_secret);
}

function recordBasicCredentials(record, authorization) {
  const [scheme, value] = (authorization ?? '').split(' ');
  if (scheme?.toLowerCase() !== 'basic' || !value) return;
  record('client_basic_credentials', value); // base64(client_id:client_secret) as sent on the wire
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return;
  try {
    record('client_secret', decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, '%20')));
  } catch {
    // a malformed header; oidc-provider refuses it
  }
}

function recordAuthorizationResponse(record, location) {
  if (!location) return;
  try {
    const url = new URL(location);
    const params = new URLSearchParams(url.hash ? url.hash.slice(1) : url.search);
    for (const [name, value] of new URLSearchParams(url.search)) params.append(name, value);
    record('authorization_code', params.get('code'));
    record('access_token', params.get('access_token'));
    record('id_token', params.get('id_token'));
  } catch {
    // a relative redirect (to the interaction pages)
  }
}

/** Koa middleware: after each request, records the secrets in its body, its Basic credentials and the response. */
export function ledgerSecrets(record) {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      recordBasicCredentials(record, ctx.get('authorization'));
      // oidc-provider's parsed body, or the raw form oidc-strict-auth.mjs read (and maybe refused) before it
      const body = ctx.oidc?.body ?? (typeof ctx.request.body === 'string' ? querystring.parse(ctx.request.body) : undefined);
      if (body && typeof body === 'object') {
        for (const [name, kind] of Object.entries(requestSecrets)) record(kind, body[name]);
      }
      const response = ctx.body;
      if (response && typeof response === 'object' && !Buffer.isBuffer(response) && typeof response.pipe !== 'function') {
        for (const name of responseSecrets) record(name, response[name]);
      }
      if (ctx.status >= 300 && ctx.status < 400) recordAuthorizationResponse(record, ctx.response.get('location'));
    }
  };
}

/** Records what oidc-provider saves that the middleware might not see (codes of flows a client never finished). */
export function ledgerEvents(provider, record) {
  provider.on('authorization_code.saved', (code) => record('authorization_code', code.jti));
  provider.on('device_code.saved', (code) => record('device_code', code.jti));
  provider.on('access_token.saved', (token) => record('access_token', token.jti));
  provider.on('client_credentials.saved', (token) => record('access_token', token.jti));
  provider.on('refresh_token.saved', (token) => record('refresh_token', token.jti));
}
