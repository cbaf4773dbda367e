// A legacy MCP server for McpAuth's proxy tests: the 2024-11-05 HTTP+SSE transport (the TypeScript SDK's
// SSEServerTransport: GET /sse opens the stream, POST /messages?sessionId=... carries the client's messages), on
// 127.0.0.1 and a free port. With --oauth it is also its own OAuth authorization server (the SDK's mcpAuthRouter, a
// small in-memory provider that approves at once and issues refresh tokens) and requires a bearer token;
// --token-lifetime S makes access tokens expire after S seconds, so a session outlives its first token.
//   node mcp-sse-server.mjs [--oauth] [--token-lifetime S] [--reject-tokens] [--streamable]
// --streamable serves the same tools and OAuth at /mcp over stateless Streamable HTTP (JSON responses) instead of
// /sse: a fast server for the proxy benchmark (tokens checked in memory, no introspection request per message).
// --resumable serves /mcp over Streamable HTTP with sessions and an event store instead: its tool 'interrupted' closes
// the response stream mid-call (after the priming event) and answers while the client is away, so the client must
// resume with Last-Event-ID to get the answer (GET /__stats counts the resumptions).
// Prints "listening <port>" on stdout once it listens. GET /__stats answers the counters (no authentication).
// POST /strict is a Streamable HTTP endpoint that records MCP request headers and refuses with HTTP 400 (see below).
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import * as z from 'zod/v4';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { McpError, isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { InMemoryEventStore } from '@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js';
import { mcpAuthRouter, getOAuthProtectedResourceMetadataUrl } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidGrantError, InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';

const argv = process.argv.slice(2);
const useOAuth = argv.includes('--oauth');
const streamable = argv.includes('--streamable');
const resumable = argv.includes('--resumable');
const rejectTokens = argv.includes('--reject-tokens'); // every access and refresh token is refused: a login never helps
const lifetimeIndex = argv.indexOf('--token-lifetime');
const tokenLifetime = lifetimeIndex >= 0 ? Number(argv[lifetimeIndex + 1]) : 3600;
const stats = { resumptions: 0, sse_connections: 0, messages: 0, authorization_code: 0, refresh_token: 0, unauthorized: 0, registrations: 0 };

class Provider {
  clients = new Map();
  codes = new Map();
  tokens = new Map();
  refreshTokens = new Map();
  clientsStore = {
    getClient: id => this.clients.get(id),
    registerClient: client => {
      stats.registrations++;
      this.clients.set(client.client_id, client);
      return client;
    },
  };
  async authorize(client, params, res) {
    const code = randomUUID();
    this.codes.set(code, { client, params });
    const target = new URL(params.redirectUri);
    target.searchParams.set('code', code);
    if (params.state !== undefined) target.searchParams.set('state', params.state);
    res.redirect(target.toString());
  }
  async challengeForAuthorizationCode(_client, code) {
    const entry = this.codes.get(code);
    if (!entry) throw new InvalidGrantError('unknown code');
    return entry.params.codeChallenge;
  }
  issue(clientId, scopes, resource) {
    const access = randomUUID();
    const refresh = randomUUID();
    this.tokens.set(access, { clientId, scopes, resource, expiresAt: Date.now() + tokenLifetime * 1000 });
    this.refreshTokens.set(refresh, { clientId, scopes, resource });
    return { access_token: access, token_type: 'bearer', expires_in: tokenLifetime, refresh_token: refresh, scope: scopes.join(' ') };
  }
  async exchangeAuthorizationCode(client, code) {
    const entry = this.codes.get(code);
    if (!entry || entry.client.client_id !== client.client_id) throw new InvalidGrantError('invalid code');
    this.codes.delete(code);
    stats.authorization_code++;
    return this.issue(client.client_id, entry.params.scopes ?? [], entry.params.resource?.href);
  }
  async exchangeRefreshToken(client, refreshToken) {
    const entry = this.refreshTokens.get(refreshToken);
    if (rejectTokens || !entry || entry.clientId !== client.client_id) throw new InvalidGrantError('invalid refresh token');
    this.refreshTokens.delete(refreshToken);
    stats.refresh_token++;
    return this.issue(client.client_id, entry.scopes, entry.resource);
  }
  async verifyAccessToken(token) {
    const entry = this.tokens.get(token);
    if (rejectTokens || !entry || entry.expiresAt < Date.now()) {
      stats.unauthorized++;
      throw new InvalidTokenError('invalid or expired token');
    }
    return { token, clientId: entry.clientId, scopes: entry.scopes, expiresAt: Math.floor(entry.expiresAt / 1000) };
  }
}

function mcpServer() {
  const server = new McpServer({ name: 'mcpauth-test-sse-server', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echoes its text', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text }] }));
  server.registerTool('whoami', { description: 'The client the token was issued to' },
    async extra => ({ content: [{ type: 'text', text: extra.authInfo?.clientId ?? 'anonymous' }] }));
  server.registerTool('interrupted', { description: 'Closes its stream mid-call, then answers' }, async extra => {
    await new Promise(resolve => setTimeout(resolve, 200));
    extra.closeSSEStream?.();
    await new Promise(resolve => setTimeout(resolve, 300));
    return { content: [{ type: 'text', text: 'answered after the stream was cut' }] };
  });
  server.registerTool('fail', { description: 'Answers a JSON-RPC error with data' }, async () => {
    throw new McpError(-32042, 'The test server refuses', { reason: 'on purpose', retry: false });
  });
  return server;
}

const app = express();
const listener = http.createServer(app);
listener.listen(0, '127.0.0.1', () => {
  const port = listener.address().port;
  const base = new URL(`http://127.0.0.1:${port}`);
  const resource = new URL(streamable || resumable ? '/mcp' : '/sse', base);
  const guards = [];
  if (useOAuth) {
    const provider = new Provider();
    app.use(mcpAuthRouter({ provider, issuerUrl: base, resourceServerUrl: resource, scopesSupported: ['mcp:tools'] }));
    guards.push(requireBearerAuth({ verifier: provider, resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(resource) }));
  }
  const transports = new Map();
  app.get('/__stats', (_req, res) => res.json(stats));
  // /strict: a Streamable HTTP endpoint that records the MCP headers of each request (GET /__headers answers them)
  // and answers every request but initialize with HTTP 400 and a JSON-RPC error whose data is a string, as a strict
  // server refusing a request would.
  const seen = [];
  app.get('/__headers', (_req, res) => res.json(seen));
  app.post('/strict', express.json(), (req, res) => {
    const pick = name => req.get(name) ?? null;
    seen.push({ method: req.body?.method ?? null, 'mcp-protocol-version': pick('mcp-protocol-version'), 'mcp-method': pick('mcp-method'),
      'mcp-name': pick('mcp-name') });
    if (req.body?.id === undefined) {
      res.status(202).end();
    } else if (req.body.method === 'initialize') {
      res.json({ jsonrpc: '2.0', id: req.body.id, result: { protocolVersion: req.body.params.protocolVersion, capabilities: { tools: {} },
        serverInfo: { name: 'strict', version: '1' } } });
    } else {
      res.status(400).json({ jsonrpc: '2.0', id: req.body.id, error: { code: -32602, message: 'Strict server refuses', data: 'string data' } });
    }
  });
  app.get('/strict', (_req, res) => res.status(405).end());
  const sessions = new Map();
  const eventStore = new InMemoryEventStore();
  const resumableHandler = async (req, res) => {
    const id = req.get('mcp-session-id');
    if (req.get('last-event-id')) stats.resumptions++;
    let transport = id ? sessions.get(id) : undefined;
    if (!transport) {
      if (id || req.method !== 'POST' || !isInitializeRequest(req.body)) {
        res.status(404).json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
        return;
      }
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(), eventStore, retryInterval: 300,
        onsessioninitialized: sid => sessions.set(sid, transport),
      });
      await mcpServer().connect(transport);
    }
    await transport.handleRequest(req, res, req.body);
  };
  if (resumable) {
    app.post('/mcp', ...guards, express.json(), resumableHandler);
    app.get('/mcp', ...guards, resumableHandler);
    app.delete('/mcp', ...guards, resumableHandler);
  }
  app.post('/mcp', ...guards, express.json(), async (req, res) => {
    stats.messages++;
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    const server = mcpServer();
    res.on('close', () => {
      transport.close();
      server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  app.get('/sse', ...guards, async (_req, res) => {
    stats.sse_connections++;
    const transport = new SSEServerTransport('/messages', res);
    transports.set(transport.sessionId, transport);
    transport.onclose = () => transports.delete(transport.sessionId);
    await mcpServer().connect(transport);
  });
  app.post('/messages', ...guards, express.json(), async (req, res) => {
    stats.messages++;
    const transport = transports.get(req.query.sessionId);
    if (!transport) {
      res.status(404).send('Unknown session');
      return;
    }
    await transport.handlePostMessage(req, res, req.body);
  });
  process.stdout.write(`listening ${port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
