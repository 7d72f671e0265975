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

// The same rule as the dev sign-in: one @, a dot in the domain, no spaces.
if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)) {
  process.stderr.write(
    `"${values.email}" is not an email address; give one such as --email you@example.com\n`,
  );
  process.exit(2);
}
if (
  values.sub !== undefined &&
  !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(values.sub)
) {
  process.stderr.write(`--sub must be a UUID (the user id), not "${values.sub}"\n`);
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
