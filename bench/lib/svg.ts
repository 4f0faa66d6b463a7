// Hand-rolled SVG line charts: panels side by side, each with its axes, units and series,
// under a title and a shared legend, over a footer that names the machine and the run.
// No chart library: a few dozen lines of geometry are easier to trust than a dependency.

export interface Point {
  x: number;
  y: number;
  /** Drawn hollow: a figure to distrust (every round of it was disturbed). */
  doubtful?: boolean;
}

export interface Series {
  name: string;
  color: string;
  points: Point[];
}

export interface Axis {
  label: string;
  log: boolean;
  min: number;
  max: number;
  ticks: { at: number; label: string }[];
}

export interface Panel {
  title: string;
  x: Axis;
  y: Axis;
  series: Series[];
}

export interface Chart {
  title: string;
  subtitle: string;
  footer: string[];
  panels: Panel[];
  /** Width of each panel (a lone panel reads better wide). */
  panelWidth?: number;
}

const PANEL_W = 520;
const PANEL_H = 360;
const PAD = { left: 78, right: 24, top: 34, bottom: 56 };
const HEAD = 86;
const LINE = 16;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r = (n: number): string => n.toFixed(1);

function project(a: Axis, v: number, from: number, to: number): number {
  const f = a.log ? (Math.log10(v) - Math.log10(a.min)) / (Math.log10(a.max) - Math.log10(a.min)) : (v - a.min) / (a.max - a.min);
  return from + (to - from) * f;
}

function panel(p: Panel, ox: number, oy: number, w: number): string {
  const x0 = ox + PAD.left;
  const x1 = ox + w - PAD.right;
  const y0 = oy + PANEL_H - PAD.bottom;
  const y1 = oy + PAD.top;
  const out: string[] = [];
  out.push(`<text x="${r((x0 + x1) / 2)}" y="${r(oy + 20)}" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  for (const t of p.y.ticks) {
    const y = project(p.y, t.at, y0, y1);
    out.push(`<line x1="${r(x0)}" y1="${r(y)}" x2="${r(x1)}" y2="${r(y)}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${r(x0 - 6)}" y="${r(y + 4)}" text-anchor="end">${esc(t.label)}</text>`);
  }
  for (const t of p.x.ticks) {
    const x = project(p.x, t.at, x0, x1);
    out.push(`<line x1="${r(x)}" y1="${r(y0)}" x2="${r(x)}" y2="${r(y1)}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${r(x)}" y="${r(y0 + 16)}" text-anchor="middle">${esc(t.label)}</text>`);
  }
  out.push(`<rect x="${r(x0)}" y="${r(y1)}" width="${r(x1 - x0)}" height="${r(y0 - y1)}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${r((x0 + x1) / 2)}" y="${r(y0 + 40)}" text-anchor="middle">${esc(p.x.label)}</text>`);
  out.push(`<text transform="translate(${r(ox + 18)} ${r((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle">${esc(p.y.label)}</text>`);
  for (const s of p.series) {
    const pts = s.points.filter((pt) => Number.isFinite(pt.x) && Number.isFinite(pt.y) && (!p.y.log || pt.y > 0));
    if (pts.length === 0) continue;
    const xy = pts.map((pt) => `${r(project(p.x, pt.x, x0, x1))},${r(project(p.y, pt.y, y0, y1))}`);
    out.push(`<polyline points="${xy.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"><title>${esc(s.name)}</title></polyline>`);
    xy.forEach((c, i) => {
      const [cx, cy] = c.split(',');
      const fill = pts[i]!.doubtful ? 'white' : s.color;
      out.push(`<circle cx="${cx}" cy="${cy}" r="${pts[i]!.doubtful ? 4 : 3}" fill="${fill}" stroke="${s.color}" stroke-width="1.5"/>`);
    });
  }
  return out.join('\n');
}

export function renderChart(c: Chart): string {
  const pw = c.panelWidth ?? PANEL_W;
  const width = pw * c.panels.length;
  const names = new Map<string, string>();
  for (const p of c.panels) for (const s of p.series) names.set(s.name, s.color);
  // The legend wraps onto as many rows as the width needs (~7 px per character).
  const legend: string[] = [];
  let lx = PAD.left;
  let ly = 58;
  for (const [name, color] of names) {
    const w = 34 + name.length * 7;
    if (lx + w > width - 12 && lx > PAD.left) {
      lx = PAD.left;
      ly += LINE;
    }
    legend.push(`<rect x="${lx}" y="${ly}" width="14" height="4" fill="${color}"/><text x="${lx + 20}" y="${ly + 6}">${esc(name)}</text>`);
    lx += w;
  }
  const top = HEAD + (ly - 58);
  // Footer lines wrap at word boundaries to the chart's width (a one-panel chart is narrow).
  const lines = c.footer.flatMap((l) => wrap(l, Math.floor((width - 24) / 6.6)));
  const height = top + PANEL_H + 12 + lines.length * LINE;
  const body = c.panels.map((p, i) => panel(p, i * pw, top, pw)).join('\n');
  const footer = lines.map((l, i) => `<text x="12" y="${top + PANEL_H + 12 + (i + 1) * LINE - 4}" fill="#555">${esc(l)}</text>`).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(c.title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="12" y="22" font-size="16" font-weight="bold">${esc(c.title)}</text>`,
    `<text x="12" y="42" fill="#333">${esc(c.subtitle)}</text>`,
    ...legend,
    body,
    footer,
    '</svg>',
    '',
  ].join('\n');
}

/** Ticks at 1, 2, 5 × 10^k covering [min, max], for a log axis. */
export function logTicks(min: number, max: number, label: (v: number) => string): Axis['ticks'] {
  const out: Axis['ticks'] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min * 0.999 && v <= max * 1.001) out.push({ at: v, label: label(v) });
    }
  }
  return out;
}

/** About `n` round-numbered ticks from 0 to at least `max`; returns the axis top too. */
export function linearTicks(max: number, n: number, label: (v: number) => string): { top: number; ticks: Axis['ticks'] } {
  const raw = max / n;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: Axis['ticks'] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push({ at: v, label: label(v) });
  return { top, ticks };
}

/** Split `text` into lines of at most `max` characters, at spaces where it can. */
function wrap(text: string, max: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > max) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
