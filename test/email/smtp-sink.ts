// A real SMTP server on 127.0.0.1 (smtp-server, no TLS) that keeps what it receives and answers DATA as
// scripted (e.g. 451 once, then 250), so the mailer and the e-mail job are tested against a real SMTP dialogue.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  from: string | undefined;
  to: string[];
  raw: string;
}

export interface SmtpSink {
  /** smtp://127.0.0.1:<port> (with `user:pass@` when credentials were given) */
  url: string;
  port: number;
  received: ReceivedMail[];
  /** Answers the next DATA commands with these replies instead of 250 (one per message, in order). */
  failNext(...replies: { code: number; text: string }[]): void;
  /** Every message sent with DATA, including the refused ones. */
  attempted: ReceivedMail[];
  /**
   * Holds the next DATA: the message is read in full (and kept in `held` and `attempted`) but never answered,
   * as a relay that took the mail and then went silent (or a client killed before the answer). Answered with
   * 421 when the sink closes.
   */
  holdNext(): void;
  /** The messages held by holdNext(), in order. */
  held: ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpSink(opts: { credentials?: { user: string; pass: string } } = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const script: { code: number; text: string }[] = [];
  const attempted: ReceivedMail[] = [];
  const held: ReceivedMail[] = [];
  const heldCallbacks: ((err?: Error | null) => void)[] = [];
  let holds = 0;
  const options: SMTPServerOptions = {
    authOptional: !opts.credentials,
    // Plain text only: the client must not try to upgrade, and may log in without TLS here.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      const c = opts.credentials;
      if (c && auth.username === c.user && auth.password === c.pass) return callback(null, { user: auth.username });
      const err = Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 });
      return callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom;
        const mail = {
          from: mailFrom ? mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        };
        attempted.push(mail);
        if (holds > 0) {
          holds--;
          held.push(mail);
          heldCallbacks.push(callback);
          return;
        }
        const reply = script.shift();
        if (reply) return callback(Object.assign(new Error(reply.text), { responseCode: reply.code }));
        received.push(mail);
        callback();
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  const auth = opts.credentials ? `${encodeURIComponent(opts.credentials.user)}:${encodeURIComponent(opts.credentials.pass)}@` : '';
  return {
    url: `smtp://${auth}127.0.0.1:${port}`,
    port,
    received,
    failNext: (...replies) => void script.push(...replies),
    attempted,
    holdNext: () => void holds++,
    held,
    close: () => {
      for (const cb of heldCallbacks.splice(0)) cb(Object.assign(new Error('4.3.2 Service shutting down'), { responseCode: 421 }));
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
