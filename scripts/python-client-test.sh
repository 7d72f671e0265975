#!/usr/bin/env bash
# npm run test:python: runs the Python client's tests (integrations/python)
# against a real server. Starts the production build on a free port with a
# fresh embedded database and generated secrets, provisions a user, runs
# `python3 -m unittest`, stops the server and exits with unittest's status.
# The client's tests use the service key; the command wrapper's tests use a
# personal producer key created through the API with a user token, and the
# `training-alerts` console script installed with pip (offline, no build
# isolation) into a fresh virtual environment.
# Needs `npm run build` first.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f .next/BUILD_ID ]; then
  echo "test:python: no production build (.next/BUILD_ID is missing); run \`npm run build\` first." >&2
  exit 1
fi
if ! command -v python3 >/dev/null; then
  echo "test:python: python3 is not installed; the client needs Python 3.9 or newer." >&2
  exit 1
fi

node_eval() { node --input-type=commonjs -e "$1" "${@:2}"; }

PORT="$(node_eval 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
URL="http://127.0.0.1:$PORT"
DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/ta-python-test.XXXXXX")"
SERVER_LOG="$DATA_DIR/server.log"
SERVICE_KEY="ta_sk_$(openssl rand -hex 24)"
JWT_SECRET="$(openssl rand -hex 32)"
SERVER_PID=""

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() {
  stop_server
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "test:python: starting the server on $URL (data in $DATA_DIR)"
env -u DATABASE_URL -u SUPABASE_URL \
  NEXT_TELEMETRY_DISABLED=1 \
  ALERTS_DATA_DIR="$DATA_DIR/data" \
  SUPABASE_JWT_SECRET="$JWT_SECRET" \
  ALERTS_SERVICE_KEY="$SERVICE_KEY" \
  ALERTS_ENCRYPTION_KEY="$(openssl rand -base64 32)" \
  LOG_LEVEL=warn \
  node node_modules/next/dist/bin/next start -p "$PORT" -H 127.0.0.1 >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

# Ready when /api/health answers 200 (the database is open and migrated).
ready=""
for _ in $(seq 1 120); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
  if node_eval 'fetch(process.argv[1] + "/api/health").then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1));' "$URL"; then
    ready=yes
    break
  fi
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "test:python: the server did not become healthy within 60 s; its log:" >&2
  cat "$SERVER_LOG" >&2
  exit 1
fi

# A user to report for: standalone, a job for an unknown user id provisions it.
USER_ID="$(node_eval 'console.log(require("crypto").randomUUID())')"
node_eval '
const [url, key, user] = process.argv.slice(1);
const job = require("crypto").randomUUID();
fetch(`${url}/api/training/jobs/${job}`, {
  method: "PUT",
  headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
  body: JSON.stringify({ user_id: user, status: "queued", model_name: "python-client-test setup" }),
}).then(async (r) => {
  if (r.status !== 201) {
    console.error(`test:python: provisioning a user failed: ${r.status} ${await r.text()}`);
    process.exit(1);
  }
}, (e) => { console.error(`test:python: provisioning a user failed: ${e.message}`); process.exit(1); });
' "$URL" "$SERVICE_KEY" "$USER_ID"

# The same user's access token (HS256, as Supabase signs them) and a producer key.
USER_TOKEN="$(node_eval '
const [secret, sub] = process.argv.slice(1);
const { createHmac } = require("crypto");
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const head = b64({ alg: "HS256", typ: "JWT" });
const body = b64({ sub, email: "python-test@example.com", role: "authenticated", aud: "authenticated", iat: now, exp: now + 3600 });
const sig = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
console.log(`${head}.${body}.${sig}`);
' "$JWT_SECRET" "$USER_ID")"
API_KEY="$(node_eval '
const [url, token] = process.argv.slice(1);
fetch(`${url}/api/alerts/keys`, {
  method: "POST",
  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  body: JSON.stringify({ name: "python-client-test" }),
}).then(async (r) => {
  const body = await r.json();
  if (r.status !== 201) { console.error(`test:python: creating a producer key failed: ${r.status} ${JSON.stringify(body)}`); process.exit(1); }
  console.log(body.key);
}, (e) => { console.error(`test:python: creating a producer key failed: ${e.message}`); process.exit(1); });
' "$URL" "$USER_TOKEN")"

# The package as users install it: pip, offline, into a fresh virtual environment.
VENV="$DATA_DIR/venv"
python3 -m venv "$VENV"
PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/pip" install --quiet --no-index --no-build-isolation ./integrations/python
if [ ! -x "$VENV/bin/training-alerts" ]; then
  echo "test:python: pip installed no training-alerts console script" >&2
  exit 1
fi

# Arguments name tests to run (unittest names); by default, all of them.
TESTS=("$@")
if [ ${#TESTS[@]} -eq 0 ]; then
  TESTS=(integrations/python/test_training_alerts.py integrations/python/test_wrapper.py)
fi

set +e
TA_URL="$URL" TA_SERVICE_KEY="$SERVICE_KEY" TA_USER_ID="$USER_ID" \
  TA_API_KEY="$API_KEY" TA_USER_TOKEN="$USER_TOKEN" TA_WRAPPER="$VENV/bin/training-alerts" \
  PYTHONDONTWRITEBYTECODE=1 \
  python3 -m unittest -v "${TESTS[@]}"
status=$?
set -e

if [ "$status" -ne 0 ]; then
  echo "test:python: unittest failed ($status); the server's log:" >&2
  tail -n 100 "$SERVER_LOG" >&2
fi
stop_server
exit "$status"
