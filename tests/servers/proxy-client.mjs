#!/usr/bin/env node
// A real MCP client (the TypeScript SDK's Client over its StdioClientTransport) driving
// `patchbay proxy NAME`, as Claude Desktop or Cursor would. Prints one JSON line to stdout.
//
// usage: proxy-client.mjs PATCHBAY_BIN NAME [--calls N] [--pause-ms MS] [--stop-ms MS] [--tool T --args JSON]
//   --calls N      call `echo` N times (default 1), one after another
//   --pause-ms MS  wait between calls (e.g. across a token expiry)
//   --stop-ms MS   between calls, stop the proxy process (SIGSTOP) for MS, then SIGCONT it
//   --tool / --args  call this tool instead of echo (once)
// Output: {"tools": [...names], "results": [{ok, text, error?}], "latencies": [ms...],
//          "notifications": [log data...], "elicitations": [messages...]}
import './lib/stdio-guard.mjs';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

const argv = process.argv.slice(2);
const [bin, name] = argv;
const opt = (k, d) => {
  const i = argv.indexOf(k);
  return i >= 0 ? argv[i + 1] : d;
};
if (!bin || !name) {
  console.error('usage: proxy-client.mjs PATCHBAY_BIN NAME [--calls N] [--pause-ms MS] [--stop-ms MS] [--tool T --args JSON]');
  process.exit(2);
}
const calls = Number(opt('--calls', '1'));
const pauseMs = Number(opt('--pause-ms', '0'));
const stopMs = Number(opt('--stop-ms', '0'));
const tool = opt('--tool', 'echo');
const args = JSON.parse(opt('--args', '{"text": "hello through the proxy"}'));

const transport = new StdioClientTransport({
  command: bin,
  args: ['proxy', name],
  env: process.env,
  stderr: 'inherit',
});
const client = new Client(
  { name: 'patchbay-proxy-test', version: '1.0.0' },
  { capabilities: { elicitation: { form: {} } } },
);
const out = { tools: [], results: [], latencies: [], notifications: [], elicitations: [] };
// Server-initiated traffic that came through the proxy.
client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
  out.notifications.push(n.params.data);
});
client.setRequestHandler(ElicitRequestSchema, (req) => {
  out.elicitations.push(req.params.message);
  return { action: 'accept', content: { answer: 'yes from the client' } };
});
try {
  await client.connect(transport);
  out.tools = (await client.listTools()).tools.map((t) => t.name);
  for (let i = 0; i < calls; i += 1) {
    if (i > 0 && pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    if (i > 0 && stopMs > 0) {
      process.kill(transport.pid, 'SIGSTOP');
      await new Promise((r) => setTimeout(r, stopMs));
      process.kill(transport.pid, 'SIGCONT');
    }
    const started = performance.now();
    try {
      const r = await client.callTool({ name: tool, arguments: args });
      out.results.push({ ok: !r.isError, text: r.content?.map((c) => c.text).join('\n') ?? '' });
    } catch (err) {
      out.results.push({ ok: false, error: err.message, code: err.code });
    }
    out.latencies.push(performance.now() - started);
  }
} catch (err) {
  out.error = err.message;
  out.code = err.code;
}
await client.close().catch(() => {});
process.stdout.write(`${JSON.stringify(out)}\n`);
