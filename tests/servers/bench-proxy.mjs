#!/usr/bin/env node
// tools/call through three paths, side by side in one run, with the same MCP SDK client:
//   direct      Streamable HTTP straight to the server with a fixed bearer token
//   patchbay    stdio -> `patchbay proxy NAME` -> server (credentials fetched per request)
//   mcp-remote  stdio -> mcp-remote (npm) -> server, the token passed as a header
// usage: bench-proxy.mjs PATCHBAY_BIN NAME MCP_URL TOKEN MCP_REMOTE_JS CALLS
// Prints one JSON object: per path p50/p99 (ms) and the resident memory (KiB) of the bridge
// process tree after the run.
import './lib/stdio-guard.mjs';

import { readFileSync, readdirSync } from 'node:fs';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [bin, name, url, token, mcpRemote, callsArg] = process.argv.slice(2);
const calls = Number(callsArg ?? '1000');

function rssKiB(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

// The process and its descendants (mcp-remote may start helpers).
function treeRssKiB(root) {
  const children = new Map();
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(p));
    } catch {
      // gone
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop();
    total += rssKiB(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

// All three clients are connected first, then the calls are interleaved in rounds (each
// round runs a slice through every path), so warm-up and machine noise fall on all alike.
const paths = {
  direct: new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  }),
  patchbay: new StdioClientTransport({ command: bin, args: ['proxy', name], env: process.env, stderr: 'ignore' }),
  mcp_remote: new StdioClientTransport({
    command: process.execPath,
    args: [mcpRemote, url, '--header', `Authorization:Bearer ${token}`, '--transport', 'http-only'],
    env: { ...process.env, MCP_REMOTE_CONFIG_DIR: process.env.MCP_REMOTE_CONFIG_DIR ?? '/tmp/patchbay-bench-mcp-remote' },
    stderr: 'ignore',
  }),
};
const clients = {};
const times = {};
for (const [label, transport] of Object.entries(paths)) {
  const client = new Client({ name: 'patchbay-bench', version: '1.0.0' });
  await client.connect(transport);
  for (let i = 0; i < 20; i += 1) await client.callTool({ name: 'echo', arguments: { text: 'warm' } });
  clients[label] = client;
  times[label] = [];
}
const rounds = 10;
for (let round = 0; round < rounds; round += 1) {
  for (const label of Object.keys(paths)) {
    for (let i = 0; i < calls / rounds; i += 1) {
      const t = performance.now();
      const r = await clients[label].callTool({ name: 'echo', arguments: { text: `call ${round}.${i}` } });
      times[label].push(performance.now() - t);
      if (r.isError) throw new Error(`${label}: a call failed`);
    }
  }
}
const out = { calls };
for (const [label, transport] of Object.entries(paths)) {
  const pid = transport.pid ?? null;
  const sorted = times[label].sort((a, b) => a - b);
  out[label] = { p50_ms: pct(sorted, 50), p99_ms: pct(sorted, 99), rss_kib: pid ? treeRssKiB(pid) : null };
  await clients[label].close();
}
process.stdout.write(`${JSON.stringify(out)}\n`);
