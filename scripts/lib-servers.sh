# Sourced by the bench scripts: start the real test servers (tests/servers) on 127.0.0.1.
#   start_servers NAME [AUTH_SERVER_CONFIG JSON]
# sets: work (a scratch folder, removed on exit), issuer, auth_origin, mcp, mcp_origin;
# the servers are stopped on exit.
_wait_ready() { # _wait_ready FILE PID NAME: its ready line within 45 s, or fail saying so
  for _ in $(seq 1 900); do
    [ -s "$1" ] && return 0
    if ! kill -0 "$2" 2>/dev/null; then
      echo "error: $3 exited before its ready line; its stderr:" >&2
      sed 's/^/  | /' "$1.err" >&2
      exit 1
    fi
    sleep 0.05
  done
  echo "error: waited 45 s for $3 to print its ready line; it did not. Its stderr:" >&2
  sed 's/^/  | /' "$1.err" >&2
  exit 1
}
start_servers() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/patchbay-$1.XXXXXX")
  _server_pids=()
  trap 'kill "${_server_pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
  AUTH_SERVER_CONFIG="${2:-{\}}" node tests/servers/auth-server.mjs </dev/null >"$work/as.json" 2>"$work/as.json.err" &
  _server_pids+=($!)
  _wait_ready "$work/as.json" "$!" "the authorization server (tests/servers/auth-server.mjs)"
  issuer=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).issuer' "$work/as.json")
  MCP_SERVER_CONFIG="{\"authServer\":\"$issuer\"}" node tests/servers/mcp-server.mjs </dev/null >"$work/mcp.json" 2>"$work/mcp.json.err" &
  _server_pids+=($!)
  _wait_ready "$work/mcp.json" "$!" "the MCP server (tests/servers/mcp-server.mjs)"
  mcp=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).url' "$work/mcp.json")
  mcp_origin=${mcp%/mcp}
  auth_origin=$(node -p 'new URL(process.argv[1]).origin' "$issuer")
}
