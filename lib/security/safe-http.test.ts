import http from "node:http";
import net, { type LookupFunction } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { parseCidr } from "./cidr-range";
import {
  closeAgents,
  MAX_SOCKETS_PER_ORIGIN,
  parseRetryAfter,
  type SafePostOptions,
  safePost,
} from "./safe-http";

/** What a receiver saw of one request. */
interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Handler = (seen: Seen, res: http.ServerResponse, req: http.IncomingMessage) => void;

interface Receiver {
  port: number;
  origin: string;
  /** TCP connections accepted — the server's `connection` events. */
  connections: number;
  requests: Seen[];
}

const servers: http.Server[] = [];

/** A real HTTP server on a random local port that records every connection and request. */
async function startReceiver(
  handler: Handler = (_seen, res) => res.end("ok"),
  host = "127.0.0.1",
): Promise<Receiver> {
  const server = http.createServer();
  const receiver: Receiver = { port: 0, origin: "", connections: 0, requests: [] };
  server.on("connection", () => {
    receiver.connections += 1;
  });
  server.on("request", (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const seen: Seen = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      receiver.requests.push(seen);
      handler(seen, res, req);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  receiver.port = (server.address() as net.AddressInfo).port;
  receiver.origin = `http://${host.includes(":") ? `[${host}]` : host}:${receiver.port}`;
  return receiver;
}

/** A resolver with dns.lookup's signature whose n-th call answers with the n-th list (the last repeats). */
function lookupAnswering(...answers: string[][]): LookupFunction & { calls: string[] } {
  const calls: string[] = [];
  const lookup: LookupFunction = (hostname, options, callback) => {
    calls.push(hostname);
    const list = answers[Math.min(calls.length, answers.length) - 1] ?? [];
    const addresses = list.map((address) => ({ address, family: net.isIP(address) }));
    setImmediate(() => {
      const [first] = addresses;
      if (options.all) callback(null, addresses);
      else if (first) callback(null, first.address, first.family);
    });
  };
  return Object.assign(lookup, { calls });
}

/** How tests reach real local receivers: loopback exempted, plain http allowed. */
const LOCAL = {
  allowedCidrs: [parseCidr("127.0.0.0/8")],
  allowHttp: true,
} satisfies Partial<SafePostOptions>;

function post(url: string, extra: Partial<SafePostOptions> = {}) {
  return safePost({
    url,
    headers: { "Content-Type": "application/json" },
    body: '{"type":"job_failed"}',
    ...extra,
  });
}

afterEach(async () => {
  closeAgents();
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

describe("safePost", () => {
  it("posts the body and reads back a 200 response", async () => {
    const receiver = await startReceiver((_seen, res) => {
      res.setHeader("X-Receiver", "yes");
      res.end("received");
    });

    const result = await post(`${receiver.origin}/hook?token=abc`, LOCAL);

    expect(result).toMatchObject({
      kind: "response",
      status: 200,
      body: "received",
      headers: { "x-receiver": "yes" },
    });
    expect(receiver.requests).toEqual([
      expect.objectContaining({
        method: "POST",
        url: "/hook?token=abc",
        body: '{"type":"job_failed"}',
      }),
    ]);
    expect(receiver.requests[0]?.headers).toMatchObject({
      host: `127.0.0.1:${receiver.port}`,
      "user-agent": "TrainingAlerts/1.0",
      "content-type": "application/json",
      "content-length": "21",
    });
  });

  it("connects through the injected lookup and sends the URL's host as the Host header", async () => {
    const receiver = await startReceiver();
    const lookup = lookupAnswering(["127.0.0.1"]);

    const result = await post(`http://hooks.test:${receiver.port}/`, { ...LOCAL, lookup });

    expect(result).toMatchObject({ kind: "response", status: 200 });
    expect(lookup.calls).toContain("hooks.test");
    expect(receiver.requests[0]?.headers.host).toBe(`hooks.test:${receiver.port}`);
  });

  it("ignores caller values for Host, User-Agent and Content-Length", async () => {
    const receiver = await startReceiver();

    await post(receiver.origin, {
      ...LOCAL,
      headers: { Host: "evil.example", "user-agent": "curl/8", "Content-Length": "1" },
    });

    expect(receiver.requests[0]).toMatchObject({
      body: '{"type":"job_failed"}',
      headers: { host: `127.0.0.1:${receiver.port}`, "user-agent": "TrainingAlerts/1.0" },
    });
  });

  it("returns a 302 as a response without following its Location", async () => {
    const target = await startReceiver();
    const redirecting = await startReceiver((_seen, res) => {
      res.writeHead(302, { Location: `${target.origin}/elsewhere` }).end();
    });

    const result = await post(redirecting.origin, LOCAL);

    expect(result).toMatchObject({
      kind: "response",
      status: 302,
      headers: { location: `${target.origin}/elsewhere` },
    });
    expect(target.connections).toBe(0);
  });

  it.each([
    "http://127.0.0.1:PORT/",
    "http://[::1]:PORT/",
    "http://[::ffff:127.0.0.1]:PORT/",
    "http://2130706433:PORT/",
    "http://0x7f.0.0.1:PORT/",
    "http://0177.0.0.1:PORT/",
    "http://127.1:PORT/",
  ])("refuses the loopback literal %s without opening a connection", async (form) => {
    const receiver = await startReceiver();

    const result = await post(form.replace("PORT", String(receiver.port)), { allowHttp: true });

    expect(result).toMatchObject({
      kind: "blocked",
      reason: expect.stringContaining("ALERTS_WEBHOOK_ALLOWED_CIDRS"),
    });
    expect(receiver.connections).toBe(0);
  });

  it.each([
    "http://2130706433:PORT/",
    "http://0x7f.0.0.1:PORT/",
    "http://0177.0.0.1:PORT/",
    "http://127.1:PORT/",
    "http://[::ffff:127.0.0.1]:PORT/",
  ])("reaches the receiver through %s once loopback is allowed", async (form) => {
    // The control for the test above: these forms really do lead to the receiver.
    const receiver = await startReceiver();

    const result = await post(form.replace("PORT", String(receiver.port)), LOCAL);

    expect(result).toMatchObject({ kind: "response", status: 200 });
    expect(receiver.connections).toBe(1);
  });

  it("refuses an IPv6 loopback receiver in brackets unless its range is allowed", async () => {
    const receiver = await startReceiver(undefined, "::1");

    const refused = await post(`${receiver.origin}/`, { allowHttp: true });
    expect(refused).toMatchObject({ kind: "blocked", reason: expect.stringContaining("::1") });
    expect(receiver.connections).toBe(0);

    const result = await post(`${receiver.origin}/`, {
      allowHttp: true,
      allowedCidrs: [parseCidr("::1/128")],
    });
    expect(result).toMatchObject({ kind: "response", status: 200 });
    expect(receiver.connections).toBe(1);
    expect(receiver.requests[0]?.headers.host).toBe(`[::1]:${receiver.port}`);
  });

  it("refuses localhost. when the lookup resolves it to loopback", async () => {
    const receiver = await startReceiver();
    const lookup = lookupAnswering(["127.0.0.1"]);

    const result = await post(`http://localhost.:${receiver.port}/`, { allowHttp: true, lookup });

    expect(result).toMatchObject({
      kind: "blocked",
      reason: expect.stringContaining("localhost. resolves to 127.0.0.1"),
    });
    expect(receiver.connections).toBe(0);
  });

  it.each([
    [["127.0.0.1"]],
    [["169.254.169.254"]],
    [["10.0.0.1"]],
    [["::ffff:10.0.0.1"]],
    [["64:ff9b::7f00:1"]],
    [["10.0.0.1", "::ffff:10.0.0.1", "64:ff9b::7f00:1"]],
    [["93.184.216.34", "10.0.0.1"]],
  ])("refuses a name that resolves to %j", async (addresses) => {
    const receiver = await startReceiver();
    const lookup = lookupAnswering(addresses);

    const result = await post(`https://hooks.test:${receiver.port}/`, { lookup });

    expect(result).toMatchObject({
      kind: "blocked",
      reason: expect.stringMatching(/^hooks\.test resolves to .* ALERTS_WEBHOOK_ALLOWED_CIDRS/),
    });
    expect(receiver.connections).toBe(0);
  });

  it.each(["http", "https"])(
    "checks %s connections again at connect time, so a rebinding answer is refused",
    async (scheme) => {
      const receiver = await startReceiver();
      // Public on the first question, loopback on the second: the connect must use the second.
      const lookup = lookupAnswering(["93.184.216.34"], ["127.0.0.1"]);

      const result = await post(`${scheme}://rebind.test:${receiver.port}/`, {
        allowHttp: true,
        lookup,
      });

      expect(result).toMatchObject({
        kind: "blocked",
        reason: expect.stringContaining("rebind.test resolves to 127.0.0.1"),
      });
      expect(lookup.calls).toEqual(["rebind.test", "rebind.test"]);
      expect(receiver.connections).toBe(0);
    },
  );

  it("reports a name that does not resolve as an error, not a refusal", async () => {
    const lookup: LookupFunction = (hostname, _options, callback) => {
      const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      err.code = "ENOTFOUND";
      setImmediate(() => callback(err, ""));
    };

    const result = await post("https://missing.test/", { lookup });

    expect(result).toMatchObject({
      kind: "error",
      timedOut: false,
      error: expect.stringContaining("ENOTFOUND"),
    });
  });

  it.each(["https://good.com@127.0.0.1:PORT/", "http://user:secret@127.0.0.1:PORT/"])(
    "refuses %s because it carries credentials",
    async (form) => {
      const receiver = await startReceiver();

      const result = await post(form.replace("PORT", String(receiver.port)), LOCAL);

      expect(result).toMatchObject({
        kind: "blocked",
        reason: expect.stringContaining("credentials"),
      });
      expect(receiver.connections).toBe(0);
    },
  );

  it("refuses plain http unless allowHttp is set", async () => {
    const receiver = await startReceiver();
    const lookup = lookupAnswering(["127.0.0.1"]);

    const result = await post(`http://hooks.test:${receiver.port}/`, {
      allowedCidrs: [parseCidr("127.0.0.0/8")],
      lookup,
    });

    expect(result).toMatchObject({ kind: "blocked", reason: expect.stringContaining("https") });
    expect(lookup.calls).toEqual([]);
    expect(receiver.connections).toBe(0);
  });

  it.each(["ftp://hooks.test/", "file:///etc/passwd", "not a url"])(
    "refuses %s before any network access",
    async (url) => {
      const lookup = lookupAnswering(["127.0.0.1"]);

      const result = await post(url, { ...LOCAL, lookup });

      expect(result.kind).toBe("blocked");
      expect(lookup.calls).toEqual([]);
    },
  );

  it.each<Record<string, string>>([
    { "X-Note": "a\r\nX-Injected: 1" },
    { "X-Note": "line\nbreak" },
    { "X-Note": "carriage\rreturn" },
    { "X-Note\r\nX-Injected": "1" },
    { "X Note": "1" },
  ])("refuses the header injection %j without opening a connection", async (headers) => {
    const receiver = await startReceiver();

    const result = await post(receiver.origin, { ...LOCAL, headers });

    expect(result).toMatchObject({ kind: "blocked", reason: expect.stringContaining("injection") });
    expect(receiver.connections).toBe(0);
  });

  it("gives up with timedOut when the receiver never answers", async () => {
    const receiver = await startReceiver(() => {});

    // Long enough for the request to arrive on a starved machine.
    const result = await post(receiver.origin, { ...LOCAL, timeoutMs: 1_000 });

    expect(result).toMatchObject({ kind: "error", timedOut: true });
    expect(receiver.requests).toHaveLength(1);
  });

  it("bounds a slow body by the same time limit", async () => {
    const receiver = await startReceiver((_seen, res) => {
      res.writeHead(200);
      res.write("first bytes, then nothing");
    });

    const result = await post(receiver.origin, { ...LOCAL, timeoutMs: 300 });

    expect(result).toMatchObject({ kind: "error", timedOut: true });
  });

  it("reads at most 64 KiB of a 1 MB response and then drops the connection", async () => {
    const receiver = await startReceiver((_seen, res) => {
      res.on("error", () => {}); // the client hangs up mid-body, on purpose
      res.end(Buffer.alloc(1024 * 1024, "a"));
    });

    const first = await post(receiver.origin, LOCAL);
    const second = await post(receiver.origin, LOCAL);

    expect(first).toMatchObject({ kind: "response", status: 200 });
    expect(first.kind === "response" && first.body.length).toBe(64 * 1024);
    expect(second.kind === "response" && second.body.length).toBe(64 * 1024);
    // The truncated connection was destroyed, not returned to the pool.
    expect(receiver.connections).toBe(2);
  });

  it("honours a smaller maxResponseBytes", async () => {
    const receiver = await startReceiver((_seen, res) => res.end("0123456789abcdef"));

    const result = await post(receiver.origin, { ...LOCAL, maxResponseBytes: 10 });

    expect(result).toMatchObject({ kind: "response", body: "0123456789" });
  });

  it("reports a connection reset as an error", async () => {
    const receiver = await startReceiver((_seen, _res, req) => req.socket.resetAndDestroy());

    const result = await post(receiver.origin, LOCAL);

    expect(result).toMatchObject({ kind: "error", timedOut: false });
  });

  it("sends again on a new connection when a pooled connection is reset before any answer", async () => {
    // The second request arrives on the kept-alive connection, which the
    // server then drops as if it had been closing it while idle.
    const sockets = new Set<net.Socket>();
    const receiver = await startReceiver((_seen, res, req) => {
      if (sockets.has(req.socket)) req.socket.resetAndDestroy();
      else {
        sockets.add(req.socket);
        res.end("ok");
      }
    });

    const first = await post(`${receiver.origin}/a`, LOCAL);
    const second = await post(`${receiver.origin}/b`, LOCAL);

    expect([first.kind, second.kind]).toEqual(["response", "response"]);
    expect(receiver.requests.map((r) => r.url)).toEqual(["/a", "/b", "/b"]);
    expect(receiver.connections).toBe(2);
  });

  it("reports a body cut short of its Content-Length as an error", async () => {
    const receiver = await startReceiver((_seen, res, req) => {
      res.writeHead(200, { "Content-Length": "100" });
      res.write("only ten b");
      req.socket.end();
    });

    const result = await post(receiver.origin, LOCAL);

    expect(result).toMatchObject({ kind: "error", timedOut: false });
  });

  it("reads Retry-After in seconds from a 429", async () => {
    const receiver = await startReceiver((_seen, res) => {
      res.writeHead(429, { "Retry-After": "120" }).end();
    });

    const result = await post(receiver.origin, LOCAL);

    expect(result).toMatchObject({ kind: "response", status: 429, retryAfterMs: 120_000 });
  });

  it("reads Retry-After as an HTTP-date against the injected clock", async () => {
    const receiver = await startReceiver((_seen, res) => {
      res.writeHead(503, { "Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT" }).end();
    });
    const now = () => Date.parse("2015-10-21T07:27:30Z");

    const result = await safePost({ url: receiver.origin, headers: {}, body: "", ...LOCAL }, now);

    expect(result).toEqual(
      expect.objectContaining({
        kind: "response",
        status: 503,
        retryAfterMs: 30_000,
        durationMs: 0,
      }),
    );
  });

  it("reuses one connection for sequential posts to the same origin", async () => {
    const receiver = await startReceiver();

    const first = await post(`${receiver.origin}/a`, LOCAL);
    const second = await post(`${receiver.origin}/b`, LOCAL);

    expect([first.kind, second.kind]).toEqual(["response", "response"]);
    expect(receiver.requests.map((r) => r.url)).toEqual(["/a", "/b"]);
    expect(receiver.connections).toBe(1);
  });

  it("opens at most MAX_SOCKETS_PER_ORIGIN connections to one origin however many posts are in flight", async () => {
    // Hold every answer until the pool's worth of requests is waiting: an
    // unbounded pool would have opened a connection for each post by then.
    const max = MAX_SOCKETS_PER_ORIGIN;
    const held: http.ServerResponse[] = [];
    let released = false;
    const receiver = await startReceiver((_seen, res) => {
      if (released) return void res.end("ok");
      held.push(res);
      if (held.length === max) {
        released = true;
        for (const waiting of held) waiting.end("ok");
      }
    });

    const results = await Promise.all(
      Array.from({ length: max + 2 }, (_, i) => post(`${receiver.origin}/${i}`, LOCAL)),
    );

    expect(results.map((r) => r.kind)).toEqual(Array(max + 2).fill("response"));
    expect(receiver.connections).toBe(max);
  });

  it("closeAgents drops pooled connections so the next post opens a new one", async () => {
    const receiver = await startReceiver();

    await post(receiver.origin, LOCAL);
    closeAgents();
    await post(receiver.origin, LOCAL);

    expect(receiver.connections).toBe(2);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2015-10-21T07:28:00Z");

  it.each([
    ["0", 0],
    ["120", 120_000],
    [" 5 ", 5_000],
    ["Wed, 21 Oct 2015 07:29:00 GMT", 60_000],
    ["Wednesday, 21-Oct-15 07:29:30 GMT", 90_000],
    ["Wed Oct 21 07:30:00 2015", 120_000],
    ["Tue, 20 Oct 2015 07:28:00 GMT", 0],
    ["999999999", 24 * 60 * 60 * 1000],
    ["Fri, 21 Oct 2016 07:28:00 GMT", 24 * 60 * 60 * 1000],
  ])("reads %j as %d ms", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([
    null,
    undefined,
    "",
    "-5",
    "1.5",
    "soon",
    "Sat, 31 Feb 2015 07:28:00 GMT",
    "2015-10-21T07:29:00Z",
  ])("ignores %j", (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
