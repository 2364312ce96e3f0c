// A local replica of BAC online banking on 127.0.0.1 (our own HTML, built from hotel-backends.md §4.2):
// the login page (#productId, #pass, #confirm) at /redir/showLogin.go posting elsewhere, the optional
// "Continuar" interstitial (a switch; it appears after a short delay, as a page script would show it), the
// account overview with the long-class account button, the statement page with the month selector and
// the download menu whose CSV option serves latin-1 bytes as an attachment, and the header text that logs
// out. Every element the portal code clicks is visible and sized (the original needed bounding boxes).
// Wrong credentials come back to the login page with an error; a page without a session goes to login.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { delay, listenLocal } from '../fake-wati.js';

export type BacMonth = 'current' | 'previous';

export interface BacReplicaOptions {
  username: string;
  password: string;
  /** Show the "Continuar" interstitial after login (default false). */
  interstitial?: boolean;
  /** The interstitial's button appears after this long (default 300 ms). */
  interstitialDelayMs?: number;
  /** The bank answers the login after this long (default 0). */
  loginDelayMs?: number;
  /** The CSV bytes per month; default: sampleStatementCsv(month). */
  statements?: Partial<Record<BacMonth, Buffer>>;
}

/** A redesign the portal code does not know: the account button lost its classes. */
export type BacPageChange = 'none' | 'account_button';

export interface BacReplica {
  /** The login page, what BAC_PORTAL_URL points at. */
  readonly loginUrl: string;
  readonly origin: string;
  /** Successful and refused logins, CSV downloads (by month index), logouts, in order. */
  readonly events: string[];
  setInterstitial(on: boolean): void;
  setStatement(month: BacMonth, bytes: Buffer): void;
  setPageChange(change: BacPageChange): void;
  close(): Promise<void>;
}

/** The month list as the replica shows it: index 0 a placeholder, 1 the current month, 2 the previous. */
const MONTH_BY_INDEX: Record<string, BacMonth | undefined> = { '1': 'current', '2': 'previous' };

export const BAC_HEADER = 'Fecha de Transacción,Referencia,Código,Descripción,Débito,Crédito,Saldo';

/** Builds a statement as BAC sends it: latin-1, preamble, header, the lines, a blank line, the summary block. */
export function statementCsv(lines: readonly string[]): Buffer {
  const text = [
    'Estado de Cuenta Bancario',
    'Cuenta:,<BAC_ACCOUNT>',
    'Moneda:,USD',
    '',
    BAC_HEADER,
    ...lines,
    '',
    'Resumen de Estado Bancario',
    'Saldo Inicial,"10,000.00"',
    'Total Créditos,"1,486.00"',
  ].join('\r\n');
  return Buffer.from(`${text}\r\n`, 'latin1');
}

/** The default statements: the current month holds a '1,250.00' credit (quoted, as a grouped amount must be). */
export function sampleStatementCsv(month: BacMonth): Buffer {
  if (month === 'previous') {
    return statementCsv(['27/02/2027,3420000001,TF,TRANSFERENCIA 365 MARÍA JOSÉ PEÑA,0.00,150.00,10150.00']);
  }
  return statementCsv([
    '05/03/2027,3430000001,TF,TRANSFERENCIA UNI ANDRÉS MUÑOZ,0.00,"1,250.00","11,400.00"',
    '05/03/2027,3430000002,TF,"TRANSFERENCIA 365 LÓPEZ, ANA",0.00,236.00,"11,636.00"',
    '06/03/2027,0000000000,CM,COMISIÓN MANEJO DE CUENTA,3.50,0.00,"11,632.50"',
  ]);
}

const STYLE = `<style>
  body { font-family: sans-serif; margin: 24px; }
  button, .bel-option, .bel-download-option, div[name=back], p.header-text-color { display: inline-block; min-width: 120px; min-height: 28px; padding: 6px; margin: 4px; border: 1px solid #888; cursor: pointer; }
  #selectMonthList, #downloadMenu { display: none; }
  #selectMonthList.open, #downloadMenu.open { display: block; }
  .error { color: #b00; }
</style>`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="es"><head><meta charset="utf-8"><title>${title}</title>${STYLE}</head><body>${body}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const HEADER = `<header><p class="bel-typography bel-typography-p header-text-color padding-right-xs" onclick="location.href='/redir/logout.go'">Cerrar sesión</p></header>`;

function loginPage(error: boolean): string {
  return page(
    'Banca en Línea',
    `<h1>Banca en Línea</h1>
     ${error ? '<p class="error" id="login-error">Usuario o contraseña incorrectos</p>' : ''}
     <form method="post" action="/redir/doLogin.go">
       <label>Usuario <input id="productId" name="productId" autocomplete="off"></label>
       <label>Contraseña <input id="pass" name="pass" type="password"></label>
       <button id="confirm" type="submit">Ingresar</button>
     </form>`,
  );
}

function interstitialPage(delayMs: number): string {
  return page(
    'Aviso',
    `<p>Actualice sus datos de contacto.</p>
     <div id="later" style="display:none" class="button-form button-enabled button-position-right" name="back" onclick="location.href='/home'">Continuar</div>
     <script>setTimeout(() => { document.getElementById('later').style.display = 'inline-block'; }, ${delayMs});</script>`,
  );
}

function homePage(change: BacPageChange): string {
  const classes = change === 'account_button' ? 'bel-btn-v2 account-open' : 'bel-btn bel-btn-tertiary bel-btn-tertiary-active bel-btn-tertiary-icon bel-tooltip-generic';
  return page(
    'Mis productos',
    `${HEADER}<h1>Mis productos</h1>
     <div class="account">Cuenta corriente &lt;BAC_ACCOUNT&gt;
       <button class="${classes}" onclick="location.href='/statement'">Ver movimientos</button>
     </div>`,
  );
}

function statementPage(): string {
  return page(
    'Movimientos',
    `${HEADER}<h1>Movimientos</h1>
     <div id="selectMonthLabel" style="display:inline-block;min-width:160px;border:1px solid #888;padding:6px;cursor:pointer" onclick="document.getElementById('selectMonthList').classList.toggle('open')">Seleccione un mes</div>
     <div id="selectMonthList">
       <div class="bel-option" index="0">Seleccione un mes</div>
       <div class="bel-option" index="1">Marzo 2027</div>
       <div class="bel-option" index="2">Febrero 2027</div>
     </div>
     <button id="button-download" type="button" onclick="document.getElementById('downloadMenu').classList.toggle('open')">Descargar</button>
     <div id="downloadMenu">
       <div class="bel-download-option" value="0">CSV</div>
       <div class="bel-download-option" value="1">PDF</div>
     </div>
     <script>
       let month = '0';
       for (const option of document.querySelectorAll('#selectMonthList .bel-option')) {
         option.addEventListener('click', () => {
           month = option.getAttribute('index');
           document.getElementById('selectMonthLabel').textContent = option.textContent;
           document.getElementById('selectMonthList').classList.remove('open');
         });
       }
       for (const option of document.querySelectorAll('.bel-download-option')) {
         option.addEventListener('click', () => {
           location.href = '/statement/download?month=' + encodeURIComponent(month) + '&format=' + option.getAttribute('value');
         });
       }
     </script>`,
  );
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendHtml(res: ServerResponse, html: string, status = 200): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function redirect(res: ServerResponse, location: string, cookie?: string): void {
  res.writeHead(303, { location, ...(cookie ? { 'set-cookie': cookie } : {}) });
  res.end();
}

function sessionOf(req: IncomingMessage): string | undefined {
  const m = /(?:^|;\s*)bac_session=([^;]+)/.exec(req.headers.cookie ?? '');
  return m?.[1];
}

export async function startBacReplica(options: BacReplicaOptions): Promise<BacReplica> {
  let interstitial = options.interstitial ?? false;
  const interstitialDelayMs = options.interstitialDelayMs ?? 300;
  const statements: Record<BacMonth, Buffer> = {
    current: options.statements?.current ?? sampleStatementCsv('current'),
    previous: options.statements?.previous ?? sampleStatementCsv('previous'),
  };
  let pageChange: BacPageChange = 'none';
  const sessions = new Set<string>();
  const events: string[] = [];

  const server = await listenLocal(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;

    if (path === '/redir/showLogin.go') return sendHtml(res, loginPage(url.searchParams.has('error')));
    if (path === '/redir/doLogin.go' && req.method === 'POST') {
      const form = await readForm(req);
      if (options.loginDelayMs) await delay(options.loginDelayMs);
      if (form.get('productId') !== options.username || form.get('pass') !== options.password) {
        events.push('login_refused');
        return redirect(res, '/redir/showLogin.go?error=1');
      }
      const id = randomUUID();
      sessions.add(id);
      events.push('login');
      return redirect(res, interstitial ? '/notice' : '/home', `bac_session=${id}; Path=/; HttpOnly`);
    }

    const session = sessionOf(req);
    if (session === undefined || !sessions.has(session)) return redirect(res, '/redir/showLogin.go');

    switch (path) {
      case '/notice':
        return sendHtml(res, interstitialPage(interstitialDelayMs));
      case '/home':
        return sendHtml(res, homePage(pageChange));
      case '/statement':
        return sendHtml(res, statementPage());
      case '/statement/download': {
        const month = MONTH_BY_INDEX[url.searchParams.get('month') ?? ''];
        if (url.searchParams.get('format') !== '0' || month === undefined) {
          return sendHtml(res, page('Error', '<p class="error">Seleccione un mes y el formato CSV</p>'), 400);
        }
        events.push(`download:${month}`);
        const bytes = statements[month];
        res.writeHead(200, {
          'content-type': 'text/csv; charset=ISO-8859-1',
          'content-disposition': 'attachment; filename="Transacciones.csv"',
          'content-length': String(bytes.length),
        });
        return void res.end(bytes);
      }
      case '/redir/logout.go':
        sessions.delete(session);
        events.push('logout');
        return redirect(res, '/redir/showLogin.go', 'bac_session=; Path=/; Max-Age=0');
      default:
        return sendHtml(res, page('No encontrado', `<p>${escapeHtml(path)}</p>`), 404);
    }
  });

  return {
    loginUrl: `${server.origin}/redir/showLogin.go`,
    origin: server.origin,
    events,
    setInterstitial(on) {
      interstitial = on;
    },
    setStatement(month, bytes) {
      statements[month] = bytes;
    },
    setPageChange(change) {
      pageChange = change;
    },
    close: server.close,
  };
}
