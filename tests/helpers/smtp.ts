import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** An SMTP reply that refuses a command, e.g. `{ code: 550, message: "No such user" }`. */
export interface SmtpRejection {
  code: number;
  message: string;
}

export interface SmtpServerOptions {
  /** Answer RCPT TO for this address with a rejection (undefined accepts). */
  rejectRecipient?: (address: string) => SmtpRejection | undefined;
  /** Answer the end of DATA with a rejection (undefined accepts). */
  rejectData?: (session: { to: string[] }) => SmtpRejection | undefined;
}

const smtpError = (r: SmtpRejection) =>
  Object.assign(new Error(r.message), { responseCode: r.code });

/** A real SMTP server on 127.0.0.1 that keeps what it receives. */
export async function startSmtpServer(options: SmtpServerOptions = {}) {
  const mails: ReceivedMail[] = [];
  /** Connections opened so far (pooled transports reuse them). */
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onRcptTo(address, _session, callback) {
      const rejection = options.rejectRecipient?.(address.address);
      callback(rejection ? smtpError(rejection) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const rejection = options.rejectData?.({ to });
        if (rejection) return callback(smtpError(rejection));
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to,
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  server.listen(0, "127.0.0.1");
  await once(server.server, "listening");
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
