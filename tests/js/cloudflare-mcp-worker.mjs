// A small MCP server on Cloudflare's @cloudflare/workers-oauth-provider, run in workerd by cloudflare-server.mjs.
// One Worker is both the authorization server and its only resource (the provider's OAuthProvider shape):
//   /mcp          the protected MCP endpoint (JSON-RPC over HTTP POST: initialize, tools/list, tools/call "whoami")
//   /authorize    auto-approves every valid request for user "alice" (no page: a headless test user)
//   /token        the provider's token and RFC 7009 revocation endpoint (refresh tokens rotate; the previous one
//                 stays valid until its replacement is first used)
//   /register     the provider's RFC 7591 dynamic registration; registrations expire after 60 s (KV's minimum)
//   /__test/...   test hooks: POST /__test/clock?advance=S moves this Worker's clock, POST /__test/expire-client?id=C
//                 drops a client record as KV's expirationTtl does once clientRegistrationTTL has passed,
//                 GET /__test/stats counts requests by endpoint.
// The provider needs its canonical resource at construction and the port is known only once workerd listens, so it is
// built on the first request from that request's origin (127.0.0.1 only: cloudflare-server.mjs binds nothing else).

import { OAuthProvider } from './node_modules/@cloudflare/workers-oauth-provider/dist/oauth-provider.js';

// The clock the provider reads (token, grant and registration expiry): real time plus what the tests advanced.
let skewMs = 0;
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + skewMs;

const stats = { token: 0, refresh: 0, authorization_code: 0, revocation: 0, register: 0, authorize: 0, mcp: 0, mcp_unauthorized: 0 };
const secretMembers = ['access_token', 'refresh_token', 'client_secret', 'registration_access_token'];
const secretParameters = { code: 'authorization_code', code_verifier: 'code_verifier', refresh_token: 'refresh_token', token: 'token', client_secret: 'client_secret' };

let provider;
let providerOrigin;

function providerFor(origin) {
  if (provider) return provider;
  providerOrigin = origin;
  provider = new OAuthProvider({
    apiRoute: '/mcp',
    apiHandler: { fetch: mcp },
    defaultHandler: { fetch: site },
    authorizeEndpoint: '/authorize',
    tokenEndpoint: '/token',
    clientRegistrationEndpoint: '/register',
    accessTokenTTL: 60, // KV's minimum: the shortest token this provider issues
    refreshTokenTTL: 3600,
    clientRegistrationTTL: 60,
    scopesSupported: ['mcp:read', 'offline_access'],
    requiredScopes: ['mcp:read'],
    resourceMetadata: { resource: `${origin}/mcp`, authorization_servers: [origin], resource_name: 'McpAuth test worker' },
  });
  return provider;
}

// Every secret that crosses this Worker goes to the secret sweep's ledger (a Node service binding, LEDGER).
async function ledger(env, entries) {
  const values = entries.filter(([, value]) => typeof value === 'string' && value.length > 0);
  if (values.length > 0 && env.LEDGER) await env.LEDGER.fetch('http://ledger/', { method: 'POST', body: JSON.stringify(values) });
}

async function recordRequest(env, request, path) {
  if (request.method !== 'POST' || !['/token', '/register'].includes(path)) return;
  const entries = [];
  const basic = /^Basic (.+)$/i.exec(request.headers.get('authorization') ?? '');
  if (basic) entries.push(['client_basic_credentials', basic[1]]);
  if (path === '/token') {
    const form = new URLSearchParams(await request.clone().text());
    for (const [name, kind] of Object.entries(secretParameters)) entries.push([kind, form.get(name)]);
    stats.token += 1;
    const grant = form.get('grant_type');
    if (grant === 'refresh_token') stats.refresh += 1;
    else if (grant === 'authorization_code') stats.authorization_code += 1;
    else if (form.has('token')) stats.revocation += 1;
  } else {
    stats.register += 1;
  }
  await ledger(env, entries);
}

async function recordResponse(env, response) {
  if (!(response.headers.get('content-type') ?? '').includes('application/json')) return;
  try {
    const body = await response.clone().json();
    await ledger(env, secretMembers.map((name) => [name, body?.[name]]));
  } catch {
    // not JSON after all
  }
}

async function recordRedirect(env, response) {
  const location = response.headers.get('location');
  if (location) await ledger(env, [['authorization_code', new URL(location).searchParams.get('code')]]);
}

// The provider's /authorize is ours: validate with parseAuthRequest, then approve at once for "alice".
async function authorize(request, env) {
  stats.authorize += 1;
  const oauth = env.OAUTH_PROVIDER;
  let authRequest;
  try {
    authRequest = await oauth.parseAuthRequest(request);
  } catch (error) {
    if (error?.redirectTo) return Response.redirect(error.redirectTo, 302);
    return new Response(`Authorization refused: ${error?.description ?? error?.message ?? 'invalid request'}`, { status: 400 });
  }
  const { redirectTo } = await oauth.completeAuthorization({
    request: authRequest,
    userId: 'alice',
    metadata: {},
    scope: authRequest.scope,
    props: { userId: 'alice' },
  });
  const response = Response.redirect(redirectTo, 302);
  await recordRedirect(env, response);
  return response;
}

async function testHook(request, url, env) {
  if (url.pathname === '/__test/stats') return Response.json({ ...stats, clockSkewSeconds: skewMs / 1000 });
  if (request.method !== 'POST') return new Response('POST only', { status: 405 });
  if (url.pathname === '/__test/clock') {
    skewMs += Number(url.searchParams.get('advance') ?? '0') * 1000;
    return Response.json({ clockSkewSeconds: skewMs / 1000 });
  }
  if (url.pathname === '/__test/expire-client') {
    const key = `client:${url.searchParams.get('id')}`;
    const existed = (await env.OAUTH_KV.get(key)) !== null;
    await env.OAUTH_KV.delete(key);
    return Response.json({ expired: existed });
  }
  if (url.pathname === '/__test/reset') {
    for (const name of Object.keys(stats)) stats[name] = 0;
    return new Response(null, { status: 204 });
  }
  return new Response('Not found', { status: 404 });
}

// Requests the provider does not own: /authorize and the test hooks.
async function site(request, env) {
  const url = new URL(request.url);
  if (url.pathname === '/authorize') return authorize(request, env);
  if (url.pathname.startsWith('/__test/')) return testHook(request, url, env);
  return new Response('Not found', { status: 404 });
}

const tools = [
  {
    name: 'whoami',
    description: 'Who the access token was issued to',
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
  },
];

function rpcResult(id, result) {
  return Response.json({ jsonrpc: '2.0', id, result });
}

function rpcError(id, code, message) {
  return Response.json({ jsonrpc: '2.0', id, error: { code, message } });
}

// The protected MCP endpoint: reached only with a valid token (the provider answers 401 with a challenge otherwise).
async function mcp(request, env, ctx) {
  stats.mcp += 1;
  if (request.method !== 'POST') return new Response(null, { status: 405, headers: { Allow: 'POST' } });
  let message;
  try {
    message = await request.json();
  } catch {
    return rpcError(null, -32700, 'Parse error');
  }
  const { id, method } = message;
  if (id === undefined) return new Response(null, { status: 202 }); // a notification
  switch (method) {
    case 'initialize':
      return rpcResult(id, {
        protocolVersion: message.params?.protocolVersion ?? '2025-06-18',
        capabilities: { tools: {} },
        serverInfo: { name: 'mcpauth-cloudflare-test-worker', version: '1.0.0' },
      });
    case 'ping':
      return rpcResult(id, {});
    case 'tools/list':
      return rpcResult(id, { tools });
    case 'tools/call':
      if (message.params?.name !== 'whoami') return rpcError(id, -32602, 'Unknown tool');
      return rpcResult(id, { content: [{ type: 'text', text: `user ${ctx.props.userId}, scope ${ctx.auth?.scope?.join(' ') ?? ''}` }] });
    default:
      return rpcError(id, -32601, 'Method not found');
  }
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const oauthProvider = providerFor(url.origin);
    if (url.origin !== providerOrigin) return new Response('Unknown origin', { status: 421 });
    if (url.pathname === '/mcp' && !request.headers.has('authorization')) stats.mcp_unauthorized += 1;
    await recordRequest(env, request, url.pathname);
    const response = await oauthProvider.fetch(request, env, ctx);
    if (url.pathname === '/token' || url.pathname === '/register') await recordResponse(env, response);
    return response;
  },
};
