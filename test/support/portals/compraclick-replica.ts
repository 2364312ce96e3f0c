// A replica of the CompraClick merchant portal on 127.0.0.1, built from hotel-backends.md §4.1: login
// (the two placeholders, the .btn-secondary submit; wrong credentials stay on the page with an alert),
// dashboard (span "Ventas", link "COMPRA-CLICK", account menu with "Cerrar Sesión"), the sales page
// ("Exportar" → "Generar reporte" downloads a real .xlsx), and the Compra-Click page (creation form with a
// react-select-like language picker, the links table, share menu, "Compartir" and the #social-link modal).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';

export interface ReplicaSale {
  /** A typed spreadsheet date, or text as the portal might print it ('10/07/2025 14:03:00'). */
  date: Date | string;
  sucursal?: string;
  usuario?: string;
  estado?: string;
  cliente: string;
  documento?: string;
  email?: string;
  direccion?: string;
  marca?: string;
  tarjeta: string;
  /** A number cell, or text such as '1,250.00'. */
  importe: number | string;
  autorizacion: string;
  descripcion: string;
}

export interface CreatedLink {
  description: string;
  amount: string;
  maxElements: string;
  language: string;
  url: string;
}

export interface CompraClickReplica {
  url: string;
  links: CreatedLink[];
  /** Successful and refused login attempts. */
  logins: { ok: number; refused: number };
  reportDownloads: number;
  logouts: number;
  close(): Promise<void>;
}

export const REPORT_HEADER = [
  'Fecha', 'Comercio', 'Sucursal', 'Usuario', 'Estado', 'Cliente', 'Documento', 'Email', 'Dirección', 'Marca de tarjeta',
  'Tarjeta', 'Tipo', 'Moneda', 'Importe', 'Propina', 'Cuotas', 'Autorización', 'Referencia', 'Lote', 'Terminal', 'Afiliado',
  'Descripción', 'Canal',
];

/** The sales report as the portal's export: a header row and 23 columns per sale. */
export async function buildSalesReportXlsx(sales: readonly ReplicaSale[], extraRows: readonly (string | number | null)[][] = []): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Ventas');
  sheet.addRow(REPORT_HEADER);
  for (const s of sales) {
    const row = sheet.addRow([
      s.date, 'Hotel', s.sucursal ?? 'Casa Matriz', s.usuario ?? 'ventas@hotel.example', s.estado ?? 'APROBADA', s.cliente, s.documento ?? '',
      s.email ?? '', s.direccion ?? '', s.marca ?? 'VISA', s.tarjeta, 'VENTA', 'USD', s.importe, 0, 1, s.autorizacion, randomUUID().slice(0, 8),
      '001', 'T1', 'AF1', s.descripcion, 'COMPRA-CLICK',
    ]);
    if (s.date instanceof Date) row.getCell(1).numFmt = 'dd/mm/yyyy hh:mm:ss';
  }
  for (const r of extraRows) sheet.addRow(r);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="es"><head><meta charset="utf-8"><title>${title}</title>
<style>.hidden{display:none}.modal{position:fixed;top:10%;left:10%;background:#fff;border:1px solid #999;padding:1em}</style></head>
<body>${body}</body></html>`;
}

const NAV = `<nav><a href="/ventas"><span>Ventas</span></a> <a href="/compra-click">COMPRA-CLICK</a>
<i class="mdi mdi-account-circle" onclick="document.getElementById('menu').classList.remove('hidden')">cuenta</i>
<div id="menu" class="hidden"><button class="nav-menu-item dropdown-item" onclick="location.href='/logout'"><span>Cerrar Sesión</span></button></div></nav>`;

function loginPage(error: boolean): string {
  return page(
    'Ingreso',
    `<form method="post" action="/login">
${error ? '<div class="alert alert-danger">Usuario o contraseña incorrectos</div>' : ''}
<input name="email" placeholder="E-mail"><input name="password" type="password" placeholder="Contraseña">
<button type="submit" class="btn btn-secondary">Ingresar</button></form>`,
  );
}

function compraClickPage(links: readonly CreatedLink[]): string {
  const rows = links
    .map(
      (l, i) => `<tr><td>${esc(l.description)}</td><td>$${esc(l.amount)}</td>
<td><button class="payment-button-actions" onclick="openShare(${i})"><i class="mdi mdi-share"></i></button>
<button class="payment-button-actions"><i class="mdi mdi-pencil"></i></button></td></tr>`,
    )
    .join('');
  const urls = JSON.stringify(links.map((l) => l.url));
  return page(
    'Compra-Click',
    `${NAV}<h2>Compra-Click</h2><button type="button" onclick="document.getElementById('form').classList.remove('hidden')">Nuevo Compra-Click</button>
<div id="form" class="modal hidden"><div class="modal-content">
<input name="description"><input field="amount" name="amountField"><input name="maxElements">
<div class="Select"><div class="Select__placeholder" onclick="document.getElementById('opts').classList.remove('hidden')">Idioma</div>
<div id="opts" class="hidden"><div class="Select__option" onclick="pick('English')">English</div><div class="Select__option" onclick="pick('Español')">Español</div></div></div>
<button type="button" onclick="crear()">Crear</button></div></div>
<table><tbody>${rows}</tbody></table>
<div id="sharemenu" class="hidden"><a href="#" onclick="showLink();return false">Compartir</a></div>
<div id="share" class="modal hidden"><div class="modal-content"><input id="social-link" readonly>
<button class="close" onclick="document.getElementById('share').classList.add('hidden')">×</button></div></div>
<script>
const urls = ${urls};
let language = '', current = -1;
function pick(l) { language = l; document.querySelector('.Select__placeholder').textContent = l; document.getElementById('opts').classList.add('hidden'); }
async function crear() {
  const v = (s) => document.querySelector(s).value;
  await fetch('/api/links', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ description: v('input[name=description]'), amount: v('input[field=amount]'), maxElements: v('input[name=maxElements]'), language }) });
  location.reload();
}
function openShare(i) { current = i; document.getElementById('sharemenu').classList.remove('hidden'); }
function showLink() { const input = document.getElementById('social-link'); input.setAttribute('value', urls[current]); document.getElementById('share').classList.remove('hidden'); }
</script>`,
  );
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startCompraClickReplica(opts: {
  email: string;
  password: string;
  /** The report served by "Generar reporte" (built per download, so a test may change it between syncs). */
  report: () => Promise<Buffer>;
  reportFilename?: string;
}): Promise<CompraClickReplica> {
  const sessions = new Set<string>();
  const state: CompraClickReplica = {
    url: '',
    links: [],
    logins: { ok: 0, refused: 0 },
    reportDownloads: 0,
    logouts: 0,
    close: async () => undefined,
  };
  const html = (res: ServerResponse, text: string, status = 200) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(text);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const authed = sid !== undefined && sessions.has(sid);
    if (path === '/' && req.method === 'GET') return html(res, loginPage(false));
    if (path === '/login' && req.method === 'POST') {
      const form = new URLSearchParams(await body(req));
      if (form.get('email') === opts.email && form.get('password') === opts.password) {
        state.logins.ok++;
        const id = randomUUID();
        sessions.add(id);
        res.writeHead(302, { location: '/dashboard', 'set-cookie': `sid=${id}; Path=/; HttpOnly` });
        return res.end();
      }
      state.logins.refused++;
      return html(res, loginPage(true), 401);
    }
    if (!authed) {
      res.writeHead(302, { location: '/' });
      return res.end();
    }
    if (path === '/dashboard') return html(res, page('Inicio', `${NAV}<h1>Bienvenido</h1>`));
    if (path === '/ventas') {
      return html(
        res,
        page(
          'Ventas',
          `${NAV}<h2>Ventas</h2><button type="button" onclick="document.getElementById('gen').classList.remove('hidden')">Exportar</button>
<div id="gen" class="hidden"><button type="button" onclick="location.href='/ventas/reporte'">Generar reporte</button></div>`,
        ),
      );
    }
    if (path === '/ventas/reporte') {
      state.reportDownloads++;
      const file = await opts.report();
      res.writeHead(200, {
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'content-disposition': `attachment; filename="${opts.reportFilename ?? 'reporte-ventas.xlsx'}"`,
        'content-length': String(file.length),
      });
      return res.end(file);
    }
    if (path === '/compra-click') return html(res, compraClickPage([...state.links].reverse()));
    if (path === '/api/links' && req.method === 'POST') {
      const input = JSON.parse(await body(req)) as Omit<CreatedLink, 'url'>;
      const link: CreatedLink = { ...input, url: `${state.url}/pay/${randomUUID()}` };
      state.links.push(link);
      res.writeHead(201, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ ok: true }));
    }
    if (path === '/logout') {
      state.logouts++;
      if (sid) sessions.delete(sid);
      res.writeHead(302, { location: '/' });
      return res.end();
    }
    html(res, page('No encontrado', 'no encontrado'), 404);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
