// Mints a user access token for local mode:
//   npm run token -- --email you@example.com [--sub <uuid>] [--expires-in 30d]
import { parseArgs } from "node:util";
import { loadConfig } from "../lib/config/load";
import { signUserToken, userIdForEmail } from "../lib/http/tokens";

const { values } = parseArgs({
  options: {
    email: { type: "string" },
    sub: { type: "string" },
    "expires-in": { type: "string", default: "30d" },
  },
});

if (!values.email) {
  process.stderr.write(
    "Usage: npm run token -- --email you@example.com [--sub <uuid>] [--expires-in 30d]\n",
  );
  process.exit(2);
}

const { config } = loadConfig();
if (!config.auth.jwtSecret) {
  process.stderr.write(
    "This deployment verifies tokens with SUPABASE_URL (JWKS); sign in through Supabase to get a token.\n",
  );
  process.exit(1);
}
const sub = values.sub ?? userIdForEmail(values.email);
const token = await signUserToken(config.auth.jwtSecret, {
  sub,
  email: values.email,
  expiresIn: values["expires-in"],
});
process.stderr.write(`user ${sub} <${values.email}>, valid for ${values["expires-in"]}:\n`);
process.stdout.write(`${token}\n`);
