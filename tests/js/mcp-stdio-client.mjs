// A real MCP stdio client (the TypeScript SDK's Client over StdioClientTransport) for McpAuth's proxy tests: starts
// the command given after "--", calls tools/list and each --call tool, and prints one JSON line per answer on stdout.
//   node mcp-stdio-client.mjs [--call name[:jsonArgs]]... [--pause-ms N] -- command args...
// --pause-ms waits before each call after the first (to let a token expire mid-session). stderr of the command is
// passed through. Exit 0 when every call answered, 1 otherwise (the error on stderr).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const args = process.argv.slice(2);
const split = args.indexOf('--');
if (split < 1 && split !== 0) {
  console.error('usage: mcp-stdio-client.mjs [--call name[:json]]... [--pause-ms N] -- command args...');
  process.exit(2);
}
const own = args.slice(0, split);
const [command, ...commandArgs] = args.slice(split + 1);
const calls = [];
let pauseMs = 0;
for (let i = 0; i < own.length; i++) {
  if (own[i] === '--call') {
    const [name, ...json] = own[++i].split(':');
    calls.push({ name, arguments: json.length ? JSON.parse(json.join(':')) : {} });
  } else if (own[i] === '--pause-ms') {
    pauseMs = Number(own[++i]);
  }
}

const transport = new StdioClientTransport({ command, args: commandArgs, env: process.env, stderr: 'inherit' });
const client = new Client({ name: 'mcpauth-test-client', version: '1.0.0' });
const print = (kind, value) => process.stdout.write(JSON.stringify({ kind, value }) + '\n');
try {
  await client.connect(transport);
  print('initialized', { server: client.getServerVersion(), protocolVersion: transport.protocolVersion ?? null });
  const tools = await client.listTools();
  print('tools/list', tools.tools.map(t => t.name));
  for (const call of calls) {
    if (pauseMs > 0) {
      await new Promise(resolve => setTimeout(resolve, pauseMs));
    }
    try {
      print('tools/call', await client.callTool(call));
    } catch (error) {
      print('error', { code: error.code ?? null, message: error.message, data: error.data ?? null });
    }
  }
  await client.close();
  process.exit(0);
} catch (error) {
  console.error(`mcp-stdio-client: ${error.message}`);
  await client.close().catch(() => {});
  process.exit(1);
}
