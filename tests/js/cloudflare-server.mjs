// Cloudflare's @cloudflare/workers-oauth-provider in workerd (Miniflare 4, offline) with a small MCP Worker
// (cloudflare-mcp-worker.mjs), on 127.0.0.1 on a free port, for McpAuth's integration tests.
//
//   node cloudflare-server.mjs
//
// Prints one JSON line on stdout once it listens: {"origin":"http://127.0.0.1:PORT","mcp":"http://127.0.0.1:PORT/mcp"}.
// workerd's own output goes to stderr. Exits when its stdin closes, or on SIGTERM / SIGINT.
// With OIDC_SECRET_LEDGER set, every secret the Worker issues or receives is appended to that file (the same ledger
// format as oidc-server.mjs: the secret sweep looks for each value in everything McpAuth said).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { openLedger } from './oidc-secret-ledger.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const record = openLedger(process.env.OIDC_SECRET_LEDGER);

const mf = new Miniflare({
  modules: true,
  modulesRoot: here,
  modulesRules: [{ type: 'ESModule', include: ['**/*.js', '**/*.mjs'] }], // the provider ships ESM as .js
  scriptPath: path.join(here, 'cloudflare-mcp-worker.mjs'),
  compatibilityDate: '2026-07-30',
  compatibilityFlags: ['nodejs_compat'],
  kvNamespaces: ['OAUTH_KV'],
  host: '127.0.0.1',
  port: 0,
  serviceBindings: {
    async LEDGER(request) {
      for (const [kind, value] of await request.json()) record(kind, value);
      return new Response(null, { status: 204 });
    },
  },
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), 2000).unref();
  await mf.dispose().catch(() => {});
  process.exit(0);
}

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();

const url = await mf.ready;
const origin = url.origin;
process.stdout.write(`${JSON.stringify({ origin, mcp: `${origin}/mcp` })}\n`);
