#!/usr/bin/env node
// `mcp-remote` (npm), the stdio-to-remote bridge Claude Desktop users run, pointed at
// Patchbay's gateway: it registers, opens the browser ($BROWSER) for the sign-in, waits on
// its own callback port, then bridges. A real MCP client (the TypeScript SDK over stdio)
// drives it, as Claude Desktop would. Prints one JSON line to stdout.
//
// usage: mcp-remote-client.mjs GATEWAY_URL CALLBACK_PORT CONFIG_DIR [--call TOOL ARGS_JSON]
//   CONFIG_DIR  mcp-remote's token store for this run (MCP_REMOTE_CONFIG_DIR)
// Output: {"tools": [names], "calls": [{tool, ok, text, error}]} or {"error": message}
import './lib/stdio-guard.mjs';

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const argv = process.argv.slice(2);
const [url, port, configDir] = argv;
if (!url || !port || !configDir) {
  console.error('usage: mcp-remote-client.mjs GATEWAY_URL CALLBACK_PORT CONFIG_DIR [--call TOOL ARGS_JSON]');
  process.exit(2);
}
const i = argv.indexOf('--call');
const call = i >= 0 ? [argv[i + 1], JSON.parse(argv[i + 2] ?? '{}')] : undefined;
const out = (v) => process.stdout.write(`${JSON.stringify(v)}\n`);

// Never outlive the test: 90 s for the sign-in and the calls.
setTimeout(() => {
  out({ error: 'gave up after 90 s' });
  process.exit(0);
}, 90000).unref();

const require = createRequire(import.meta.url);
const bridge = join(dirname(require.resolve('mcp-remote/package.json')), 'dist', 'proxy.js');
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [bridge, url, port],
  env: { ...process.env, MCP_REMOTE_CONFIG_DIR: configDir },
  stderr: 'inherit',
});
const client = new Client({ name: 'mcp-remote-client', version: '1.0.0' });
try {
  await client.connect(transport, { timeout: 80000 });
  const tools = (await client.listTools(undefined, { timeout: 80000 })).tools.map((t) => t.name);
  const calls = [];
  if (call) {
    try {
      const r = await client.callTool({ name: call[0], arguments: call[1] }, undefined, { timeout: 30000 });
      calls.push({ tool: call[0], ok: !r.isError, text: r.content?.map((c) => c.text ?? '').join('') });
    } catch (e) {
      calls.push({ tool: call[0], ok: false, error: e.message });
    }
  }
  out({ tools, calls });
} catch (e) {
  out({ error: e.message });
}
await client.close().catch(() => {});
process.exit(0);
