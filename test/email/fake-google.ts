// Google's OAuth token endpoint and the Gmail send endpoint, faked on 127.0.0.1: tokens are numbered, a
// token can be revoked (Gmail then answers 401), and each accepted message's raw MIME is kept decoded.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGoogle {
  tokenUrl: string;
  apiBaseUrl: string;
  /** Form fields of each token request. */
  tokenRequests: Record<string, string>[];
  /** Bearer token of each send request, accepted or not. */
  sendAuth: string[];
  /** The decoded raw MIME of each accepted message. */
  sent: string[];
  /** Gmail answers 401 for this token from now on. */
  revoke(token: string): void;
  /** Seconds a new token lasts. */
  expiresIn: number;
  /** Answers the next token requests with these statuses and bodies. */
  tokenFailures: { status: number; body: unknown }[];
  /** Answers the next send requests with these statuses and bodies (before looking at the token). */
  sendFailures: { status: number; body: unknown }[];
  /** Forgets every request and token; tokens are numbered from 1 again. */
  reset(): void;
  close(): Promise<void>;
}

export const CLIENT = { clientId: 'client-id-1', clientSecret: 'CLIENT_SECRET_do_not_log', refreshToken: 'REFRESH_TOKEN_do_not_log' };

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakeGoogle(): Promise<FakeGoogle> {
  let issued = 0;
  const revoked = new Set<string>();
  const valid = new Set<string>();
  const fake: Omit<FakeGoogle, 'tokenUrl' | 'apiBaseUrl' | 'close'> = {
    tokenRequests: [],
    sendAuth: [],
    sent: [],
    revoke: (token) => void revoked.add(token),
    expiresIn: 3599,
    tokenFailures: [],
    sendFailures: [],
    reset() {
      issued = 0;
      revoked.clear();
      valid.clear();
      for (const list of [fake.tokenRequests, fake.sendAuth, fake.sent, fake.tokenFailures, fake.sendFailures]) list.length = 0;
      fake.expiresIn = 3599;
    },
  };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.method === 'POST' && req.url === '/token') {
        const form = Object.fromEntries(new URLSearchParams(body));
        fake.tokenRequests.push(form);
        const failure = fake.tokenFailures.shift();
        if (failure) return json(res, failure.status, failure.body);
        if (
          form.grant_type !== 'refresh_token' ||
          form.client_id !== CLIENT.clientId ||
          form.client_secret !== CLIENT.clientSecret ||
          form.refresh_token !== CLIENT.refreshToken
        ) {
          return json(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
        }
        const token = `ya29.token-${++issued}`;
        valid.add(token);
        return json(res, 200, { access_token: token, expires_in: fake.expiresIn, scope: 'https://www.googleapis.com/auth/gmail.send', token_type: 'Bearer' });
      }
      if (req.method === 'POST' && req.url === '/gmail/v1/users/me/messages/send') {
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        fake.sendAuth.push(token);
        const failure = fake.sendFailures.shift();
        if (failure) return json(res, failure.status, failure.body);
        if (!valid.has(token) || revoked.has(token)) {
          return json(res, 401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } });
        }
        const parsed = JSON.parse(body) as { raw?: string };
        fake.sent.push(Buffer.from(parsed.raw ?? '', 'base64url').toString('utf8'));
        return json(res, 200, { id: `18c${fake.sent.length}`, threadId: `18c${fake.sent.length}`, labelIds: ['SENT'] });
      }
      json(res, 404, { error: { code: 404, message: 'Not Found' } });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    tokenUrl: `http://127.0.0.1:${port}/token`,
    apiBaseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
