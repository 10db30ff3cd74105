#!/usr/bin/env node
// Stands in for the desktop app in CLI tests of end-user confirmation: the proxy launches
// it (PATCHBAY_DESKTOP_BIN) when no app runs. It records that it was launched, then answers
// the pending request the way FAKE_APP_DECISION says, through the real CLI
// (`patchbay approvals --json`, `patchbay approve|deny ID`), as the app's buttons would.
//   FAKE_APP_MARKER   file to append "launched" to
//   FAKE_APP_DECISION approve | deny | ignore
//   FAKE_APP_CLI      the patchbay binary
import { appendFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const { FAKE_APP_MARKER: marker, FAKE_APP_DECISION: decision = 'ignore', FAKE_APP_CLI: cli } = process.env;
if (marker) appendFileSync(marker, 'launched\n');
if (decision === 'ignore' || !cli) process.exit(0);

const deadline = Date.now() + 15000;
while (Date.now() < deadline) {
  const { pending } = JSON.parse(execFileSync(cli, ['--json', 'approvals'], { encoding: 'utf8' }));
  if (pending.length > 0) {
    execFileSync(cli, [decision, pending[0].id], { stdio: 'ignore' });
    process.exit(0);
  }
  await new Promise((r) => setTimeout(r, 100));
}
process.exit(1);
