# Sourced by the bench scripts: start the real test servers (tests/servers) on 127.0.0.1.
#   start_servers NAME [AUTH_SERVER_CONFIG JSON]
# sets: work (a scratch folder, removed on exit), issuer, auth_origin, mcp, mcp_origin;
# the servers are stopped on exit.
start_servers() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/patchbay-$1.XXXXXX")
  _server_pids=()
  trap 'kill "${_server_pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
  AUTH_SERVER_CONFIG="${2:-{\}}" node tests/servers/auth-server.mjs </dev/null >"$work/as.json" 2>/dev/null &
  _server_pids+=($!)
  until [ -s "$work/as.json" ]; do sleep 0.05; done
  issuer=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).issuer' "$work/as.json")
  MCP_SERVER_CONFIG="{\"authServer\":\"$issuer\"}" node tests/servers/mcp-server.mjs </dev/null >"$work/mcp.json" 2>/dev/null &
  _server_pids+=($!)
  until [ -s "$work/mcp.json" ]; do sleep 0.05; done
  mcp=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).url' "$work/mcp.json")
  mcp_origin=${mcp%/mcp}
  auth_origin=$(node -p 'new URL(process.argv[1]).origin' "$issuer")
}
