// Imported FIRST by every server entry point (ESM evaluates imports in order).
//
// stdout of a server carries exactly one line: the ready line. Libraries we use
// print elsewhere too (oidc-provider writes its NOTICEs with console.info, which
// goes to stdout), so every console method is routed to stderr here.
//
// oidc-provider also prints development warnings that are expected in a test
// server (in-memory adapter, Node 20 "unsupported runtime", "default X
// function called" notices). They are dropped unless TEST_SERVERS_VERBOSE=1.

const verbose = process.env.TEST_SERVERS_VERBOSE === '1';
const NOISE = [
  /^oidc-provider (?:WARNING|NOTICE): Unsupported runtime/,
  /^oidc-provider (?:WARNING|NOTICE): a quick start development-only in-memory adapter/,
  /^oidc-provider (?:WARNING|NOTICE): default .* function called/,
  /^oidc-provider (?:WARNING|NOTICE): already parsed request body detected/,
];

const toStderr = (...args) => {
  if (!verbose && typeof args[0] === 'string') {
    // attention.js may wrap the text in ANSI colour codes when stderr is a TTY
    // eslint-disable-next-line no-control-regex
    const plain = args[0].replace(/\x1b\[[0-9;]*m/g, '');
    if (NOISE.some((re) => re.test(plain))) return;
  }
  console.error(...args);
};

console.log = toStderr;
console.info = toStderr;
console.debug = toStderr;
console.warn = toStderr;

// A parent that closed our stdout/stderr must not crash us (EPIPE).
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
