// Renders the sample pictures and menus under resources/pictures/ for a fictional resort (the one of
// resources/system_instructions.txt), so the project ships files it may publish. The scenes are simple
// SVG drawings, each labelled "Imagen de ejemplo"; a hotel replaces them with its own files.
// Run: npx tsx scripts/make-sample-resources.ts   (CHROMIUM_PATH overrides /usr/bin/chromium)
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { DEFAULT_RESOURCES_DIR } from '../src/resources.js';

const RESORT = 'Brisa Azul Resort & Beach Club (ejemplo)';
const PICTURES = join(DEFAULT_RESOURCES_DIR, 'pictures');
const WIDTH = 800;
const HEIGHT = 600;
/** Flat drawings compress well; this keeps each JPEG far below the 60 KB budget. */
const JPEG_QUALITY = 72;

// ---------- drawing pieces (SVG in an 800×600 viewBox) ----------

const sky = (top = '#7ec8f0', bottom = '#d8f1ff', h = 330) =>
  `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient></defs>` +
  `<rect width="800" height="${h}" fill="url(#sky)"/>`;

const sun = (x: number, y: number, r = 38) => `<circle cx="${x}" cy="${y}" r="${r}" fill="#ffd45c"/><circle cx="${x}" cy="${y}" r="${r + 14}" fill="#ffd45c" opacity="0.25"/>`;

const cloud = (x: number, y: number, s = 1) =>
  `<g transform="translate(${x} ${y}) scale(${s})" fill="#fff" opacity="0.9"><ellipse cx="0" cy="0" rx="46" ry="18"/><ellipse cx="30" cy="-12" rx="30" ry="20"/><ellipse cx="-26" cy="-6" rx="24" ry="14"/></g>`;

const sea = (y: number, h: number) =>
  `<rect y="${y}" width="800" height="${h}" fill="#2f8fc4"/>` +
  [0, 1, 2, 3]
    .map((i) => `<path d="M0 ${y + 14 + i * (h / 4)} q 50 -8 100 0 t 100 0 t 100 0 t 100 0 t 100 0 t 100 0 t 100 0 t 100 0" stroke="#7cc6ea" stroke-width="3" fill="none" opacity="0.7"/>`)
    .join('');

const sand = (y: number) => `<path d="M0 ${y} Q 400 ${y - 30} 800 ${y + 10} L800 600 L0 600 Z" fill="#f1d9a4"/>`;

const grass = (y: number) => `<rect y="${y}" width="800" height="${600 - y}" fill="#7cbf5a"/><rect y="${y}" width="800" height="10" fill="#6aa94b"/>`;

function palm(x: number, base: number, height = 230, lean = 30): string {
  const topX = x + lean;
  const topY = base - height;
  const leaves = [-150, -115, -70, -30, 10, 45]
    .map((a) => {
      const rad = (a * Math.PI) / 180;
      const ex = topX + Math.cos(rad) * 95;
      const ey = topY + Math.sin(rad) * 55 + 35;
      return `<path d="M${topX} ${topY} Q ${(topX + ex) / 2} ${topY - 40} ${ex} ${ey}" stroke="#2e8b47" stroke-width="16" fill="none" stroke-linecap="round"/>`;
    })
    .join('');
  return `<path d="M${x} ${base} Q ${x + lean * 0.2} ${base - height / 2} ${topX} ${topY}" stroke="#8a6038" stroke-width="14" fill="none"/>${leaves}<circle cx="${topX}" cy="${topY + 6}" r="8" fill="#6b4a2b"/>`;
}

const umbrella = (x: number, base: number, color = '#e4572e') =>
  `<line x1="${x}" y1="${base}" x2="${x}" y2="${base - 120}" stroke="#6b4a2b" stroke-width="5"/>` +
  `<path d="M${x - 75} ${base - 110} Q ${x} ${base - 175} ${x + 75} ${base - 110} Z" fill="${color}"/>`;

const lounger = (x: number, y: number) =>
  `<g transform="translate(${x} ${y})"><rect x="0" y="0" width="110" height="14" rx="4" fill="#fff"/><path d="M0 0 L-28 -34" stroke="#fff" stroke-width="14" stroke-linecap="round"/><rect x="8" y="14" width="6" height="16" fill="#999"/><rect x="96" y="14" width="6" height="16" fill="#999"/></g>`;

/** A thatched hut roof on posts. */
const rancho = (x: number, base: number, w = 220) =>
  `<rect x="${x + 12}" y="${base - 130}" width="10" height="130" fill="#7a5230"/><rect x="${x + w - 22}" y="${base - 130}" width="10" height="130" fill="#7a5230"/>` +
  `<path d="M${x - 20} ${base - 120} L${x + w / 2} ${base - 220} L${x + w + 20} ${base - 120} Z" fill="#c9a063"/>` +
  [0, 1, 2].map((i) => `<path d="M${x - 10 + i * 10} ${base - 125 + i * -25} L${x + w + 10 - i * 10} ${base - 125 + i * -25}" stroke="#a98045" stroke-width="3"/>`).join('');

function hammock(x1: number, x2: number, y: number, color = '#e9b949'): string {
  const mid = (x1 + x2) / 2;
  return `<path d="M${x1} ${y} Q ${mid} ${y + 90} ${x2} ${y}" stroke="${color}" stroke-width="18" fill="none"/><path d="M${x1} ${y} Q ${mid} ${y + 80} ${x2} ${y}" stroke="#c0392b" stroke-width="4" fill="none"/>`;
}

/** Interior: wall and wooden floor in perspective. */
const room = (wall: string, floor = '#c89b6d') =>
  `<rect width="800" height="430" fill="${wall}"/><path d="M0 430 L800 430 L800 600 L0 600 Z" fill="${floor}"/>` +
  [1, 2, 3, 4, 5, 6, 7].map((i) => `<line x1="${i * 100}" y1="430" x2="${(i * 100 - 400) * 1.6 + 400}" y2="600" stroke="#b0845a" stroke-width="2"/>`).join('') +
  `<rect y="422" width="800" height="10" fill="#fff" opacity="0.6"/>`;

/** A window showing the sea. */
const seaWindow = (x: number, y: number, w: number, h: number) =>
  `<rect x="${x - 8}" y="${y - 8}" width="${w + 16}" height="${h + 16}" fill="#fff"/>` +
  `<rect x="${x}" y="${y}" width="${w}" height="${h * 0.55}" fill="#a9dcf5"/><rect x="${x}" y="${y + h * 0.55}" width="${w}" height="${h * 0.45}" fill="#2f8fc4"/>` +
  `<line x1="${x + w / 2}" y1="${y}" x2="${x + w / 2}" y2="${y + h}" stroke="#fff" stroke-width="6"/>` +
  `<path d="M${x} ${y} Q ${x + 30} ${y + h / 2} ${x + 8} ${y + h}" fill="#f4e1c1" opacity="0.8"/>`;

function bed(x: number, y: number, w: number, blanket: string): string {
  return (
    `<rect x="${x}" y="${y - 110}" width="${w}" height="120" rx="10" fill="#8b5e3c"/>` +
    `<rect x="${x - 10}" y="${y}" width="${w + 20}" height="70" rx="8" fill="#fafafa"/>` +
    `<rect x="${x - 10}" y="${y + 28}" width="${w + 20}" height="62" rx="8" fill="${blanket}"/>` +
    `<rect x="${x + 15}" y="${y - 18}" width="${w / 2 - 25}" height="30" rx="12" fill="#fff" stroke="#ddd"/>` +
    `<rect x="${x + w / 2 + 10}" y="${y - 18}" width="${w / 2 - 25}" height="30" rx="12" fill="#fff" stroke="#ddd"/>`
  );
}

const nightstand = (x: number, y: number) =>
  `<rect x="${x}" y="${y}" width="60" height="70" fill="#a0714a"/><rect x="${x + 22}" y="${y - 40}" width="16" height="40" fill="#e8d9b5"/><path d="M${x + 10} ${y - 40} L${x + 50} ${y - 40} L${x + 42} ${y - 70} L${x + 18} ${y - 70} Z" fill="#fff3d6"/>`;

const plant = (x: number, y: number) =>
  `<path d="M${x} ${y} l10 -50 M${x + 10} ${y} l-16 -44 M${x + 20} ${y} l6 -56" stroke="#3f8f3f" stroke-width="8" stroke-linecap="round"/><rect x="${x - 8}" y="${y}" width="40" height="40" fill="#d9774a"/>`;

const sofa = (x: number, y: number, color: string) =>
  `<rect x="${x}" y="${y}" width="280" height="70" rx="16" fill="${color}"/><rect x="${x - 20}" y="${y + 30}" width="320" height="70" rx="16" fill="${color}"/>` +
  `<rect x="${x + 20}" y="${y + 20}" width="70" height="40" rx="10" fill="#f6e7c8"/><rect x="${x + 190}" y="${y + 20}" width="70" height="40" rx="10" fill="#f6e7c8"/>`;

const painting = (x: number, y: number) =>
  `<rect x="${x}" y="${y}" width="150" height="100" fill="#fff" stroke="#8b5e3c" stroke-width="8"/><rect x="${x + 10}" y="${y + 55}" width="130" height="35" fill="#2f8fc4"/>${sun(x + 100, y + 35, 14)}`;

function shower(x: number): string {
  const drops = Array.from({ length: 14 }, (_, i) => `<line x1="${x - 40 + (i % 7) * 13}" y1="${150 + Math.floor(i / 7) * 60}" x2="${x - 44 + (i % 7) * 13}" y2="${175 + Math.floor(i / 7) * 60}" stroke="#7cc6ea" stroke-width="3"/>`).join('');
  return `<rect x="${x - 120}" y="40" width="240" height="420" fill="#e6f3f7" opacity="0.7" stroke="#b7d6e0" stroke-width="4"/><line x1="${x + 60}" y1="60" x2="${x + 60}" y2="110" stroke="#999" stroke-width="8"/><path d="M${x + 60} 110 L${x} 110" stroke="#999" stroke-width="8"/><ellipse cx="${x}" cy="118" rx="45" ry="10" fill="#aaa"/>${drops}`;
}

const tiles = () =>
  `<rect width="800" height="600" fill="#eaf4f4"/>` +
  Array.from({ length: 16 }, (_, i) => `<line x1="${i * 50}" y1="0" x2="${i * 50}" y2="430" stroke="#cfe2e2" stroke-width="2"/>`).join('') +
  Array.from({ length: 9 }, (_, i) => `<line x1="0" y1="${i * 50}" x2="800" y2="${i * 50}" stroke="#cfe2e2" stroke-width="2"/>`).join('') +
  `<rect y="430" width="800" height="170" fill="#b9c7c9"/>`;

const sink = (x: number) =>
  `<rect x="${x - 90}" y="110" width="180" height="150" rx="8" fill="#fff" stroke="#c9d4d6" stroke-width="6"/><rect x="${x - 130}" y="320" width="260" height="30" fill="#d9c7a8"/><ellipse cx="${x}" cy="322" rx="80" ry="16" fill="#fff"/><rect x="${x - 120}" y="350" width="240" height="90" fill="#a0714a"/><path d="M${x} 300 l0 -22 l22 0" stroke="#999" stroke-width="7" fill="none"/>`;

const towel = (x: number, color: string) => `<rect x="${x}" y="160" width="70" height="130" rx="6" fill="${color}"/><rect x="${x - 10}" y="150" width="90" height="10" fill="#999"/>`;

const deck = () =>
  `<rect y="420" width="800" height="180" fill="#b8875a"/>` +
  Array.from({ length: 8 }, (_, i) => `<line x1="0" y1="${430 + i * 22}" x2="800" y2="${430 + i * 22}" stroke="#9c6f45" stroke-width="3"/>`).join('') +
  `<rect y="360" width="800" height="10" fill="#8b5e3c"/>` +
  Array.from({ length: 17 }, (_, i) => `<rect x="${i * 50}" y="360" width="8" height="62" fill="#8b5e3c"/>`).join('');

const chair = (x: number, y: number, color = '#8b5e3c') =>
  `<rect x="${x}" y="${y}" width="60" height="12" fill="${color}"/><rect x="${x + 48}" y="${y - 60}" width="12" height="72" fill="${color}"/><rect x="${x}" y="${y + 12}" width="8" height="40" fill="${color}"/><rect x="${x + 52}" y="${y + 12}" width="8" height="40" fill="${color}"/>`;

const table = (x: number, y: number, cloth = '#fff') =>
  `<ellipse cx="${x}" cy="${y}" rx="70" ry="18" fill="${cloth}"/><rect x="${x - 6}" y="${y}" width="12" height="60" fill="#6b4a2b"/><rect x="${x - 30}" y="${y + 58}" width="60" height="8" fill="#6b4a2b"/>`;

// ---------- the scenes ----------

type Scene = { file: string; title: string; svg: string };

const livingRoom = (wall: string, sofaColor: string): string =>
  room(wall) + seaWindow(470, 90, 250, 210) + painting(120, 90) + sofa(90, 300, sofaColor) + table(520, 470, '#a0714a') + plant(700, 390) +
  `<ellipse cx="300" cy="520" rx="230" ry="40" fill="#e8c07d" opacity="0.7"/>`;

const bedroom = (wall: string, blanket: string, width: number, twin = false): string =>
  room(wall) + seaWindow(540, 80, 200, 180) +
  (twin ? bed(80, 360, 170, blanket) + bed(320, 360, 170, blanket) : bed(180, 360, width, blanket)) +
  nightstand(twin ? 20 : 80, 360) + (twin ? '' : nightstand(200 + width, 360)) + plant(720, 400);

const bathroom = (towelColor: string): string => tiles() + shower(600) + sink(240) + towel(400, towelColor) + plant(60, 400);

const terrace = (withHammock: boolean): string =>
  sky() + sun(650, 90) + cloud(180, 80) + cloud(420, 130, 0.7) + sea(250, 120) + sand(380) + deck() +
  palm(60, 420, 260, 40) +
  (withHammock ? hammock(300, 620, 300) + `<rect x="292" y="280" width="14" height="150" fill="#8b5e3c"/><rect x="614" y="280" width="14" height="150" fill="#8b5e3c"/>` : chair(300, 470) + chair(470, 470) + table(420, 470, '#d9c7a8'));

const kitchenette = (): string =>
  room('#f4efe4', '#d2b48c') +
  `<rect x="80" y="250" width="420" height="180" fill="#a0714a"/><rect x="70" y="240" width="440" height="18" fill="#e8e2d6"/>` +
  `<rect x="110" y="80" width="360" height="110" fill="#a0714a"/>` +
  [0, 1, 2].map((i) => `<rect x="${120 + i * 120}" y="90" width="100" height="90" fill="#b8875a"/><rect x="${120 + i * 140}" y="270" width="120" height="140" fill="#b8875a"/>`).join('') +
  `<rect x="560" y="120" width="170" height="310" rx="10" fill="#e8ecef" stroke="#c3cbd1" stroke-width="4"/><line x1="560" y1="230" x2="730" y2="230" stroke="#c3cbd1" stroke-width="4"/>` +
  table(380, 480, '#f6e7c8');

const pool = (): string =>
  sky() + sun(120, 80) + cloud(480, 70) + cloud(680, 120, 0.8) + grass(300) +
  `<path d="M80 380 Q 400 330 720 380 L760 560 Q 400 600 40 560 Z" fill="#3fb6e0" stroke="#fff" stroke-width="10"/>` +
  [0, 1, 2].map((i) => `<path d="M${150 + i * 170} ${430 + (i % 2) * 50} q 30 -10 60 0 t 60 0" stroke="#bfeaf7" stroke-width="4" fill="none"/>`).join('') +
  palm(40, 330, 250, 30) + palm(720, 330, 220, -40) + umbrella(600, 330, '#f2a541') + lounger(420, 310) + lounger(250, 310);

const beach = (): string =>
  sky('#6bbce8', '#ffe8c2') + sun(400, 130, 50) + cloud(150, 70) + cloud(650, 90, 0.9) + sea(240, 170) + sand(420) +
  palm(720, 470, 280, -50) + umbrella(220, 500, '#2ea37a') + lounger(280, 500) + umbrella(480, 520, '#e4572e');

const restaurant = (): string =>
  sky('#f7b267', '#ffe9c7', 360) + sun(640, 250, 45) + sea(300, 80) + `<rect y="380" width="800" height="220" fill="#d9b98c"/>` +
  rancho(40, 430, 720) +
  [0, 1, 2, 3].map((i) => `<line x1="${140 + i * 170}" y1="250" x2="${140 + i * 170}" y2="290" stroke="#333" stroke-width="2"/><circle cx="${140 + i * 170}" cy="296" r="10" fill="#fff3b0"/>`).join('') +
  [180, 400, 620].map((x) => table(x, 470) + chair(x - 120, 480, '#7a5230') + chair(x + 60, 480, '#7a5230')).join('');

const ranchos = (): string =>
  sky() + sun(700, 80) + cloud(300, 90) + sea(260, 80) + sand(350) + rancho(60, 470, 200) + rancho(520, 470, 200) +
  palm(360, 470, 240, 10) + palm(470, 480, 200, 30) + hammock(368, 478, 330, '#4da1a9') + hammock(90, 250, 400, '#e9b949');

const kidsPool = (): string =>
  sky() + sun(650, 90) + cloud(250, 80) + grass(300) +
  `<ellipse cx="400" cy="460" rx="300" ry="100" fill="#6fd0f0" stroke="#fff" stroke-width="10"/>` +
  `<circle cx="320" cy="450" r="28" fill="none" stroke="#ff6b6b" stroke-width="14"/><circle cx="480" cy="480" r="22" fill="none" stroke="#ffd93d" stroke-width="12"/>` +
  palm(80, 340, 220, 30) + umbrella(700, 360, '#4d96ff') + `<path d="M560 300 l60 0 l0 -90 l-60 0 Z" fill="#ffd93d"/><path d="M560 300 Q 520 360 470 400" stroke="#ff6b6b" stroke-width="20" fill="none"/>`;

const SCENES: Record<string, Scene[]> = {
  'bungalows/familiar': [
    { file: '01-sala-de-estar.jpg', title: 'Sala de estar', svg: livingRoom('#f3e9d2', '#4da1a9') },
    { file: '02-dormitorio-principal.jpg', title: 'Dormitorio principal', svg: bedroom('#e9f1e7', '#2f8fc4', 320) },
    { file: '03-dormitorio-con-dos-camas.jpg', title: 'Dormitorio con dos camas', svg: bedroom('#fbeee0', '#e9b949', 0, true) },
    { file: '04-cocineta.jpg', title: 'Cocineta', svg: kitchenette() },
  ],
  'bungalows/junior': [
    { file: '01-dormitorio.jpg', title: 'Dormitorio', svg: bedroom('#eef3f8', '#4da1a9', 300) },
    { file: '02-terraza.jpg', title: 'Terraza', svg: terrace(false) },
    { file: '03-ducha.jpg', title: 'Ducha', svg: bathroom('#4da1a9') },
  ],
  'bungalows/matrimonial': [
    { file: '01-cama-matrimonial.jpg', title: 'Cama matrimonial', svg: bedroom('#f6e6e9', '#c0392b', 360) },
    { file: '02-terraza-con-hamaca.jpg', title: 'Terraza con hamaca', svg: terrace(true) },
    { file: '03-ducha.jpg', title: 'Ducha', svg: bathroom('#e4572e') },
  ],
  'bungalows/habitacion': [
    { file: '01-dormitorio.jpg', title: 'Dormitorio', svg: bedroom('#f1f1ea', '#7a9e7e', 0, true) },
    { file: '02-ducha.jpg', title: 'Ducha', svg: bathroom('#f2a541') },
  ],
  'public-areas': [
    { file: '01-piscina.jpg', title: 'Piscina', svg: pool() },
    { file: '02-piscina-infantil.jpg', title: 'Piscina infantil', svg: kidsPool() },
    { file: '03-playa.jpg', title: 'Playa', svg: beach() },
    { file: '04-restaurante-la-palapa.jpg', title: 'Restaurante La Palapa', svg: restaurant() },
    { file: '05-ranchos-y-hamacas.jpg', title: 'Ranchos y hamacas', svg: ranchos() },
  ],
};

function pictureHtml(scene: Scene): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>
  html,body{margin:0;width:${WIDTH}px;height:${HEIGHT}px;overflow:hidden;font-family:'DejaVu Sans',sans-serif}
  svg{display:block}
  .label{position:absolute;right:12px;bottom:12px;background:rgba(0,0,0,.55);color:#fff;font-size:13px;padding:4px 9px;border-radius:4px}
  .title{position:absolute;left:12px;top:12px;background:rgba(255,255,255,.75);color:#234;font-size:14px;padding:4px 9px;border-radius:4px}
  </style></head><body>
  <svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 800 600">${scene.svg}</svg>
  <div class="title">${escapeHtml(scene.title)} · ${escapeHtml(RESORT)}</div>
  <div class="label">Imagen de ejemplo</div>
  </body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// ---------- the menus ----------

interface Dish {
  name: string;
  description: string;
  vegetarian?: boolean;
  price?: string;
}

const MENU: { heading: string; dishes: Dish[] }[] = [
  {
    heading: 'Desayunos (7:00 a 10:30)',
    dishes: [
      { name: 'Desayuno típico salvadoreño', description: 'Huevos al gusto, frijoles molidos, plátano frito, queso fresco, crema y tortillas.', vegetarian: true },
      { name: 'Panqueques con frutas', description: 'Tres panqueques con miel, mantequilla y fruta de temporada.', vegetarian: true },
      { name: 'Omelette de la casa', description: 'Jamón, queso y vegetales, con pan tostado.' },
      { name: 'Plato de frutas tropicales', description: 'Piña, papaya, sandía y melón con yogur y granola.', vegetarian: true },
    ],
  },
  {
    heading: 'Entradas',
    dishes: [
      { name: 'Ceviche de pescado', description: 'Pescado del día marinado en limón, con cebolla morada, cilantro y tostadas.' },
      { name: 'Pupusas de queso con loroco', description: 'Dos pupusas con curtido y salsa de tomate.', vegetarian: true },
      { name: 'Sopa de frijoles negros', description: 'Con crema, queso y tortilla crujiente.', vegetarian: true },
    ],
  },
  {
    heading: 'Platos fuertes',
    dishes: [
      { name: 'Pescado entero frito', description: 'Con arroz, ensalada fresca y tortillas.' },
      { name: 'Camarones al ajillo', description: 'Salteados en mantequilla de ajo, con arroz y vegetales.' },
      { name: 'Pollo a la plancha', description: 'Pechuga marinada en hierbas, con papas y ensalada.' },
      { name: 'Lomo de res encebollado', description: 'Con arroz, frijoles y plátano maduro.' },
    ],
  },
  {
    heading: 'Opciones vegetarianas',
    dishes: [
      { name: 'Pasta primavera', description: 'Pasta corta con vegetales salteados, albahaca y queso parmesano.', vegetarian: true },
      { name: 'Tacos de vegetales asados', description: 'Tres tacos de calabacín, chile dulce y hongos, con guacamole.', vegetarian: true },
      { name: 'Ensalada tropical', description: 'Lechugas, mango, aguacate, pepino y nueces con vinagreta de maracuyá.', vegetarian: true },
    ],
  },
  {
    heading: 'Postres',
    dishes: [
      { name: 'Flan de coco', description: 'Flan casero con coco rallado.', vegetarian: true },
      { name: 'Plátanos en mole', description: 'Postre tradicional con ajonjolí.', vegetarian: true },
    ],
  },
  {
    heading: 'Bebidas',
    dishes: [
      { name: 'Jugos naturales', description: 'Naranja, piña, sandía o maracuyá.' },
      { name: 'Café de altura', description: 'Café salvadoreño de finca, americano o con leche.' },
      { name: 'Horchata y ensalada de frutas', description: 'Bebidas típicas de la casa.' },
    ],
  },
];

const PRICES: { heading: string; dishes: Dish[] }[] = [
  {
    heading: 'Entradas y bocas',
    dishes: [
      { name: 'Ceviche de camarón', description: 'Con tostadas y aguacate.', price: '9.50' },
      { name: 'Nachos La Palapa', description: 'Con frijoles, queso, pico de gallo y guacamole.', price: '7.00', vegetarian: true },
      { name: 'Yuca frita con chicharrón', description: 'Con curtido y salsa.', price: '6.50' },
      { name: 'Orden de pupusas (3)', description: 'Queso con loroco, revueltas o frijol con queso.', price: '4.50' },
    ],
  },
  {
    heading: 'Platos a la carta',
    dishes: [
      { name: 'Mariscada', description: 'Sopa de mariscos con camarón, pescado, calamar y cangrejo.', price: '18.00' },
      { name: 'Filete de pescado a la plancha', description: 'Con arroz, ensalada y tortillas.', price: '13.50' },
      { name: 'Camarones empanizados', description: 'Con papas fritas y ensalada.', price: '14.00' },
      { name: 'Churrasco de res', description: 'Con chimol, frijoles, aguacate y tortillas.', price: '16.50' },
      { name: 'Pasta primavera', description: 'Con vegetales salteados y parmesano.', price: '10.00', vegetarian: true },
      { name: 'Hamburguesa de la casa', description: 'Con queso, papas fritas y ensalada.', price: '9.00' },
    ],
  },
  {
    heading: 'Postres',
    dishes: [
      { name: 'Flan de coco', description: 'Porción individual.', price: '3.50', vegetarian: true },
      { name: 'Pastel de tres leches', description: 'Porción individual.', price: '4.00', vegetarian: true },
    ],
  },
  {
    heading: 'Bebidas y extras',
    dishes: [
      { name: 'Jugo natural', description: 'Vaso de 12 oz.', price: '2.75' },
      { name: 'Gaseosa o agua embotellada', description: 'Lata o botella personal.', price: '1.50' },
      { name: 'Cerveza nacional', description: 'Botella de 12 oz.', price: '2.50' },
      { name: 'Coco helado', description: 'Servido en su cáscara.', price: '2.00' },
      { name: 'Cubeta de hielo', description: 'Para su rancho.', price: '3.00' },
    ],
  },
];

function menuHtml(title: string, subtitle: string, sections: typeof MENU, footer: string): string {
  const body = sections
    .map(
      (s) =>
        `<section><h2>${escapeHtml(s.heading)}</h2>` +
        s.dishes
          .map(
            (d) =>
              `<div class="dish"><div class="line"><span class="name">${escapeHtml(d.name)}${d.vegetarian ? ' (V)' : ''}</span>` +
              (d.price ? `<span class="price">US$ ${d.price}</span>` : '') +
              `</div><div class="desc">${escapeHtml(d.description)}</div></div>`,
          )
          .join('') +
        `</section>`,
    )
    .join('');
  return `<!doctype html><html lang="es"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>
  @page{size:A4;margin:16mm 16mm 18mm}
  body{font-family:'DejaVu Sans',sans-serif;color:#1f3a4d;font-size:10.5pt}
  header{text-align:center;border-bottom:3px solid #2f8fc4;padding-bottom:8px;margin-bottom:10px}
  h1{margin:0;font-size:20pt;color:#2f8fc4}
  .sub{margin-top:4px;font-size:11pt;color:#7a5230}
  h2{font-size:13pt;color:#7a5230;border-bottom:1px solid #e0cfb5;margin:14px 0 6px;padding-bottom:2px}
  section{break-inside:avoid}
  .dish{margin:0 0 6px}
  .line{display:flex;justify-content:space-between}
  .name{font-weight:bold}
  .price{font-weight:bold;white-space:nowrap}
  .desc{color:#4a5d6b;font-size:9.5pt}
  footer{margin-top:14px;font-size:8.5pt;color:#6b7b86;border-top:1px solid #ddd;padding-top:6px}
  </style></head><body>
  <header><h1>${escapeHtml(title)}</h1><div class="sub">${escapeHtml(subtitle)}</div></header>
  ${body}
  <footer>${escapeHtml(footer)}</footer>
  </body></html>`;
}

async function writeJpeg(page: Page, path: string, html: string): Promise<void> {
  await page.setContent(html, { waitUntil: 'load' });
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, await page.screenshot({ type: 'jpeg', quality: JPEG_QUALITY, clip: { x: 0, y: 0, width: WIDTH, height: HEIGHT } }));
}

async function writePdf(page: Page, path: string, html: string): Promise<void> {
  await page.setContent(html, { waitUntil: 'load' });
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true }));
}

async function main(): Promise<void> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    // As in src/portals/browser.ts (containers), and nothing fetched from the network.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking', '--disable-extensions', '--no-first-run'],
  });
  const written: string[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: WIDTH, height: HEIGHT }, deviceScaleFactor: 1, offline: true });
    const page = await context.newPage();
    for (const [set, scenes] of Object.entries(SCENES)) {
      // Only our own file names are overwritten: a hotel's pictures in the same folder are left alone.
      const dir = join(PICTURES, set);
      for (const scene of scenes) {
        const path = join(dir, scene.file);
        await writeJpeg(page, path, pictureHtml(scene));
        written.push(path);
      }
    }
    const menuPath = join(PICTURES, 'menu', 'menu.pdf');
    await writePdf(
      page,
      menuPath,
      menuHtml(
        `Restaurante La Palapa`,
        `${RESORT} · Menú del restaurante`,
        MENU,
        '(V) Opción vegetariana. Consulte por alergias e intolerancias con nuestro personal. Menú de ejemplo: platos sujetos a disponibilidad.',
      ),
    );
    written.push(menuPath);
    const pricesPath = join(PICTURES, 'menu', 'menu-prices.pdf');
    await writePdf(
      page,
      pricesPath,
      menuHtml(
        'Menú a la carta y extras',
        `Restaurante La Palapa · ${RESORT}`,
        PRICES,
        '(V) Opción vegetariana. Precios en dólares de los Estados Unidos (US$), con impuestos incluidos. Los consumos a la carta no forman parte de los paquetes. Precios de ejemplo.',
      ),
    );
    written.push(pricesPath);
  } finally {
    await browser.close();
  }
  for (const path of written) {
    const { size } = await stat(path);
    process.stdout.write(`${relative(DEFAULT_RESOURCES_DIR, path)}\t${(size / 1024).toFixed(1)} KB\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
