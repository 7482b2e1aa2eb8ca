// The style-deviation chart: per agent, its moving average over the blocks its results
// landed in, its limit, and each result's own deviation, as inline SVG.

import { h, replaceChildren } from '../dom.js';
import { blockNo, permillPct } from '../format.js';
import { account, cidLink, empty } from './common.js';

const W = 640;
const H = 240;
const PAD = { left: 52, right: 16, top: 14, bottom: 40 };

export function renderDrift(el, history, { maxDeviation, hardLimit }) {
  if (!history) return; // not read yet
  if (history.length === 0) {
    replaceChildren(el, empty('No agent has reported a result yet.'));
    return;
  }
  replaceChildren(el, h('div', { class: 'drift-grid' }, history.map((a) => panel(a, maxDeviation, hardLimit))));
}

function panel(a, maxDeviation, hardLimit) {
  const current = a.current;
  const limit = current?.limit || maxDeviation;
  const over = current && current.ema > limit;
  return h(
    'div',
    { class: 'drift-panel', dataset: { agent: a.agent } },
    h(
      'div',
      { class: 'drift-head' },
      h('div', {}, h('span', { class: 'label' }, 'Agent '), account(a.agent)),
      h(
        'div',
        { class: 'drift-now' },
        current
          ? [
              h('span', { class: over ? 'bad' : 'good', dataset: { field: 'ema' } }, `EMA ${permillPct(current.ema)}`),
              h('span', { class: 'muted' }, ` / limit ${permillPct(limit)} · ${current.results} results`),
            ]
          : h('span', { class: 'muted' }, 'no statistics'),
        a.halted !== null ? h('span', { class: 'pill pill-halted' }, `halted · incident #${a.halted}`) : null,
      ),
    ),
    chart(a, maxDeviation, hardLimit),
    h(
      'div',
      { class: 'legend small' },
      h('span', {}, h('i', { class: 'sw sw-ema' }), 'moving average'),
      h('span', {}, h('i', { class: 'sw sw-limit' }), 'limit (MaxStyleDeviation)'),
      h('span', {}, h('i', { class: 'sw sw-result' }), 'a result’s deviation'),
      a.results.length ? h('span', { class: 'muted' }, 'results: ', a.results.map((r) => cidLink(r.cid, `#${r.job}`))) : null,
      a.unavailable ? h('span', { class: 'muted', title: 'the node no longer keeps the state of those blocks (state pruning)' }, `${a.unavailable} older average(s) not available from this node`) : null,
    ),
  );
}

function chart(a, maxDeviation, hardLimit) {
  const { samples, results } = a;
  const blocks = [...samples.map((s) => s.block), ...results.map((r) => r.block)];
  if (blocks.length === 0) return empty('No samples.');
  let x0 = Math.min(...blocks);
  let x1 = Math.max(...blocks);
  if (x1 - x0 < 4) { x0 -= 2; x1 += 2; }
  const values = [...samples.map((s) => Math.max(s.ema, s.limit)), ...results.map((r) => r.deviation), maxDeviation ?? 0];
  const { max: yMax, step: yStep } = yScale(Math.max(...values) * 1.1 || 100_000);

  const sx = (b) => PAD.left + ((b - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const sy = (v) => H - PAD.bottom - (v / yMax) * (H - PAD.top - PAD.bottom);

  const parts = [];
  // Grid and y axis ticks (percent).
  for (let v = 0; v <= yMax; v += yStep) {
    parts.push(h('line', { class: 'grid', x1: PAD.left, x2: W - PAD.right, y1: sy(v), y2: sy(v) }));
    parts.push(h('text', { class: 'axis', x: PAD.left - 6, y: sy(v) + 4, 'text-anchor': 'end' }, `${+((v / 1e6) * 100).toFixed(1)}%`));
  }
  // X axis ticks (block numbers).
  for (const b of ticks(x0, x1, 6)) {
    parts.push(h('line', { class: 'grid-x', x1: sx(b), x2: sx(b), y1: H - PAD.bottom, y2: H - PAD.bottom + 4 }));
    parts.push(h('text', { class: 'axis', x: sx(b), y: H - PAD.bottom + 16, 'text-anchor': 'middle' }, `#${b}`));
  }
  parts.push(h('text', { class: 'axis', x: W - PAD.right, y: H - 2, 'text-anchor': 'end' }, 'block'));

  // The hard limit, when it fits.
  if (hardLimit !== null && hardLimit <= yMax) {
    parts.push(h('line', { class: 'hard', x1: PAD.left, x2: W - PAD.right, y1: sy(hardLimit), y2: sy(hardLimit) }));
    parts.push(h('text', { class: 'axis hard-label', x: W - PAD.right - 4, y: sy(hardLimit) - 4, 'text-anchor': 'end' }, `hard limit ${permillPct(hardLimit, 1)}`));
  }
  // The limit each sample was compared with, as a step line; the current parameter beyond.
  const limitPoints = [];
  for (const s of samples) {
    if (limitPoints.length) limitPoints.push([sx(s.block), sy(limitPoints[limitPoints.length - 1][2])]);
    limitPoints.push([sx(s.block), sy(s.limit), s.limit]);
  }
  const finalLimit = maxDeviation ?? samples[samples.length - 1]?.limit;
  if (finalLimit != null) {
    if (!limitPoints.length) limitPoints.push([PAD.left, sy(finalLimit), finalLimit]);
    limitPoints.push([W - PAD.right, sy(finalLimit)]);
  }
  parts.push(h('polyline', { class: 'limit', points: limitPoints.map(([x, y]) => `${x},${y}`).join(' ') }));

  // The moving average.
  if (samples.length) {
    // The average holds between results: a step line.
    const points = [];
    samples.forEach((s, i) => {
      if (i > 0) points.push(`${sx(s.block)},${sy(samples[i - 1].ema)}`);
      points.push(`${sx(s.block)},${sy(s.ema)}`);
    });
    parts.push(h('polyline', { class: 'ema', points: points.join(' ') }));
    for (const s of samples) {
      parts.push(
        h('circle', { class: `ema-pt ${s.ema > s.limit ? 'over' : ''}`, cx: sx(s.block), cy: sy(s.ema), r: 3.5 },
          h('title', {}, `${blockNo(s.block)}${s.current ? ' (now)' : ''}: average ${permillPct(s.ema)} over ${s.results} results, limit ${permillPct(s.limit)}`)),
      );
    }
  }
  // Each result's own deviation.
  for (const r of results) {
    const over = maxDeviation !== null && r.deviation > maxDeviation;
    parts.push(
      h('rect', { class: `result-pt ${over ? 'over' : ''}`, x: sx(r.block) - 4, y: sy(r.deviation) - 4, width: 8, height: 8, transform: `rotate(45 ${sx(r.block)} ${sy(r.deviation)})` },
        h('title', {}, `job #${r.job} at ${blockNo(r.block)}: deviation ${permillPct(r.deviation)} (${r.status})`)),
    );
  }
  return h('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `style deviation of ${a.agent}` }, parts);
}

/** A round axis maximum (Permill) at or above `v`, and a round tick step: 3 to 6 ticks. */
function yScale(v) {
  const steps = [5_000, 10_000, 20_000, 25_000, 50_000, 100_000, 200_000, 250_000];
  const step = steps.find((s) => v / s <= 6) ?? 250_000;
  return { max: Math.min(Math.max(Math.ceil(v / step), 1) * step, 1_000_000), step };
}

/** About `n` round block numbers between x0 and x1. */
function ticks(x0, x1, n) {
  const raw = (x1 - x0) / n;
  const mag = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let b = Math.ceil(x0 / step) * step; b <= x1; b += step) out.push(b);
  return out;
}
