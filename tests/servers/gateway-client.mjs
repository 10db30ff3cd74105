#!/usr/bin/env node
// A real MCP client (the TypeScript SDK's Client over its StreamableHTTPClientTransport, which
// speaks the 2025-11-25 `initialize` era with sessions) against Patchbay's gateway, with an
// access key, as VS Code or Cursor would reach it. Prints one JSON line to stdout.
//
// usage: gateway-client.mjs URL KEY [--call TOOL ARGS_JSON]... [--prompt NAME ARGS_JSON]... [--read URI]...
//        [--answer TEXT] [--progress TOOL ARGS_JSON] [--cancel TOOL ARGS_JSON] [--grow TOOL]
//   --answer    declare elicitation and answer every question with {"answer": TEXT}
//   --sample-answer TEXT  declare sampling and answer every request with TEXT (model "test-model")
//   --progress  call TOOL asking for progress: "progress": [progress values seen]
//   --cancel    call TOOL and cancel it at its first progress: "cancelled": error message
//   --grow      call TOOL, wait (10 s at most) for tools/list_changed: "grown": the tools after it
// Output: {"tools": [{name, description, inputSchema, outputSchema?, annotations?}], "calls": [{tool, ok, isError, text, error}],
//          "prompts": [name], "resources": [uri], "got": [{prompt|uri, ok, text, error}]}
// (prompts and resources listed when the server offers them)
// A failure to connect prints {"connectError": message} and exits 0 (the test judges it).
import './lib/stdio-guard.mjs';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema, ElicitRequestSchema, ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

const argv = process.argv.slice(2);
const [url, key] = argv;
if (!url || key === undefined) {
  console.error('usage: gateway-client.mjs URL KEY [--call TOOL ARGS_JSON]...');
  process.exit(2);
}
const calls = [];
const gets = [];
const opts = {};
for (let i = 2; i < argv.length; i++) {
  if (argv[i] === '--call') {
    calls.push([argv[i + 1], JSON.parse(argv[i + 2] ?? '{}')]);
    i += 2;
  } else if (argv[i] === '--prompt') {
    gets.push({ prompt: argv[i + 1], args: JSON.parse(argv[i + 2] ?? '{}') });
    i += 2;
  } else if (argv[i] === '--read') {
    gets.push({ uri: argv[i + 1] });
    i += 1;
  } else if (argv[i] === '--answer') {
    opts.answer = argv[i + 1];
    i += 1;
  } else if (argv[i] === '--sample-answer') {
    opts.sample = argv[i + 1];
    i += 1;
  } else if (['--progress', '--cancel'].includes(argv[i])) {
    opts[argv[i].slice(2)] = [argv[i + 1], JSON.parse(argv[i + 2] ?? '{}')];
    i += 2;
  } else if (argv[i] === '--grow') {
    opts.grow = argv[i + 1];
    i += 1;
  }
}

const headers = key ? { Authorization: `Bearer ${key}` } : {};
const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
const capabilities = {};
if (opts.answer !== undefined) capabilities.elicitation = {};
if (opts.sample !== undefined) capabilities.sampling = {};
const client = new Client({ name: 'patchbay-gateway-test', version: '1.0.0' }, { capabilities });
if (opts.sample !== undefined) {
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({
    role: 'assistant', model: 'test-model', content: { type: 'text', text: opts.sample },
  }));
}
const questions = [];
if (opts.answer !== undefined) {
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    questions.push(req.params.message);
    return { action: 'accept', content: { answer: opts.answer } };
  });
}
let listChanged = null;
const changed = new Promise((resolve) => { listChanged = resolve; });
client.setNotificationHandler(ToolListChangedNotificationSchema, () => listChanged());
try {
  await client.connect(transport);
} catch (e) {
  process.stdout.write(`${JSON.stringify({ connectError: String(e?.message ?? e) })}\n`);
  process.exit(0);
}
const out = { tools: [], calls: [] };
const listed = await client.listTools();
out.tools = listed.tools.map((t) => ({
  name: t.name, description: t.description ?? null, inputSchema: t.inputSchema,
  ...(t.outputSchema ? { outputSchema: t.outputSchema } : {}),
  ...(t.annotations ? { annotations: t.annotations } : {}),
}));
const caps = client.getServerCapabilities() ?? {};
if (caps.prompts) out.prompts = (await client.listPrompts()).prompts.map((p) => p.name);
if (caps.resources) out.resources = (await client.listResources()).resources.map((r) => r.uri);
for (const [tool, args] of calls) {
  try {
    const r = await client.callTool({ name: tool, arguments: args });
    const text = (r.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
    out.calls.push({ tool, ok: true, isError: !!r.isError, text });
  } catch (e) {
    out.calls.push({ tool, ok: false, error: String(e?.message ?? e) });
  }
}
out.got = [];
for (const g of gets) {
  try {
    if (g.prompt) {
      const r = await client.getPrompt({ name: g.prompt, arguments: g.args });
      out.got.push({ prompt: g.prompt, ok: true, text: r.messages.map((m) => m.content?.text ?? '').join('\n') });
    } else {
      const r = await client.readResource({ uri: g.uri });
      out.got.push({ uri: g.uri, ok: true, text: r.contents.map((x) => x.text ?? '').join('\n') });
    }
  } catch (e) {
    out.got.push({ ...g, ok: false, error: String(e?.message ?? e) });
  }
}
if (opts.answer !== undefined) out.questions = questions;
if (opts.progress) {
  const [tool, args] = opts.progress;
  const seen = [];
  const r = await client.callTool({ name: tool, arguments: args }, undefined, { onprogress: (p) => seen.push(p.progress) });
  out.progress = seen;
  out.progressText = (r.content ?? []).map((x) => x.text ?? '').join('\n');
}
if (opts.cancel) {
  const [tool, args] = opts.cancel;
  const abort = new AbortController();
  try {
    await client.callTool({ name: tool, arguments: args }, undefined, { signal: abort.signal, onprogress: () => abort.abort('enough') });
    out.cancelled = null;
  } catch (e) {
    out.cancelled = String(e?.message ?? e);
  }
}
if (opts.grow) {
  await client.callTool({ name: opts.grow, arguments: {} });
  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 10000));
  const how = await Promise.race([changed.then(() => 'changed'), timeout]);
  out.grown = how === 'changed' ? (await client.listTools()).tools.map((t) => t.name) : 'no tools/list_changed within 10 s';
}
await client.close();
process.stdout.write(`${JSON.stringify(out)}\n`);
