#!/usr/bin/env node
// Opens the web studio in headless Chromium and checks that it shows a delivered output with its
// provenance (and, when asked, an incident about an agent, jobs' verification states, restyle
// jobs' input → output pairs and stylize styles' blends with a sample), then saves a full-page
// screenshot.
//
//   node tests/check-page.mjs --page http://127.0.0.1:8080/ --cid bafkrei… [--prompt "text"]
//        [--incident-agent <ss58>] [--verification JOB=STATE …] [--restyle JOB=KIND …]
//        [--blend STYLE …] --screenshot page.png [--timeout 120]
//
// STATE is what the job board shows of the job's result: audited, challenged, verified, fallen.
// KIND is a restyle job's kind (Stylize, LineArt): its row must show both images, loaded. A
// STYLE's registry row must show its basis blend and a loaded sample of it.
//
// Uses the system Chromium through playwright-core (no browser download): $CHROMIUM, or
// /usr/bin/chromium. Prints one JSON line on success; on a timeout it still saves the screenshot,
// says what was not found and exits 1 (2 for any other failure). The page's console errors go to
// stderr.

import { chromium } from 'playwright-core';
import { parseArgs } from 'node:util';

const USAGE =
  'usage: node tests/check-page.mjs --page URL --cid CID [--prompt TEXT] [--incident-agent SS58] [--verification JOB=STATE …] [--restyle JOB=KIND …] [--blend STYLE …] --screenshot FILE.png [--timeout SECONDS]';

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      page: { type: 'string' },
      cid: { type: 'string' },
      prompt: { type: 'string' },
      'incident-agent': { type: 'string' },
      verification: { type: 'string', multiple: true, default: [] },
      restyle: { type: 'string', multiple: true, default: [] },
      blend: { type: 'string', multiple: true, default: [] },
      screenshot: { type: 'string' },
      timeout: { type: 'string', default: '120' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  console.error(`check-page: ${error.message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
for (const required of ['page', 'cid', 'screenshot']) {
  if (!args[required]) {
    console.error(`check-page: --${required} is required\n${USAGE}`);
    process.exit(2);
  }
}
const timeoutMs = Number(args.timeout) * 1000;
if (!(timeoutMs > 0)) {
  console.error(`check-page: --timeout must be a positive number of seconds, not ${args.timeout}`);
  process.exit(2);
}

/** Runs in the page: what it shows now about the CID's card and the incident. */
function inspect({ cid, prompt, incidentAgent, verifications, restyles, blends }) {
  const text = (el) => (el ? (el.innerText ?? el.textContent).trim().replace(/\s+/g, ' ') : null);
  const header = document.getElementById('status');
  const errors = document.getElementById('errors');
  const state = {
    connection: header?.dataset.state ?? null,
    chain: text(header?.querySelector('[data-field="chain"]')),
    best: header?.dataset.best ? Number(header.dataset.best) : null,
    finalized: header?.dataset.finalized ? Number(header.dataset.finalized) : null,
    errors: errors && !errors.hidden ? text(errors) : null,
    gallery: document.querySelectorAll('#gallery [data-cid]').length,
    card: null,
    incident: null,
    verifications: {},
    restyles: {},
    blends: {},
  };
  const loaded = (img) => Boolean(img && img.complete && img.naturalWidth > 0);
  for (const [job] of restyles) {
    const pair = document.querySelector(`#jobs tr[data-job="${job}"] .restyle-pair`);
    const images = pair ? [...pair.querySelectorAll('img')] : [];
    state.restyles[job] = pair ? { kind: pair.dataset.kind, images: images.length, loaded: images.filter(loaded).length, text: text(pair) } : null;
  }
  for (const style of blends) {
    const row = document.querySelector(`#governance tr[data-style="${style}"]`);
    const terms = row ? [...row.querySelectorAll('.blend-term')].map((term) => term.dataset.basis) : [];
    state.blends[style] = row ? { terms, sampleLoaded: loaded(row.querySelector('.style-sample img')) } : null;
  }
  for (const [job] of verifications) {
    const row = document.querySelector(`#jobs tr[data-job="${job}"]`);
    const shown = row?.querySelector('[data-verification]');
    state.verifications[job] = shown ? { state: shown.dataset.verification, text: text(shown) } : null;
  }
  const card = [...document.querySelectorAll('#gallery [data-cid]')].find((el) => el.dataset.cid === cid);
  if (card) {
    const img = card.querySelector('img');
    const field = (name) => text(card.querySelector(`[data-field="${name}"]`));
    state.card = {
      id: card.id,
      imageSrc: img?.getAttribute('src') ?? null,
      imageLoaded: Boolean(img && img.complete && img.naturalWidth > 0),
      naturalWidth: img?.naturalWidth ?? 0,
      naturalHeight: img?.naturalHeight ?? 0,
      prompt: field('prompt'),
      worker: card.dataset.worker || null,
      workerShown: field('worker'),
      status: card.dataset.status,
      job: card.dataset.job || null,
      style: field('style'),
      model: field('model'),
      deviation: field('deviation'),
      candidates: field('candidates'),
      block: field('block'),
      parents: field('parents'),
      derivatives: field('derivatives'),
    };
    // The prompt check is on the prompt's own text, not on a substring of the whole card.
    state.card.promptMatches = prompt === null ? null : (state.card.prompt ?? '').includes(prompt);
  }
  if (incidentAgent !== null) {
    const row = [...document.querySelectorAll('#incidents [data-incident]')].find((el) => el.dataset.scopeAgent === incidentAgent);
    if (row) {
      const cells = [...row.querySelectorAll('td')].map(text);
      state.incident = { id: Number(row.dataset.incident), status: row.dataset.status, scope: cells[1], cause: cells[2], job: cells[3], reviews: cells[6] };
    }
  }
  return state;
}

/** What is still missing, in words; empty when the page shows everything asked for. */
function missing(state, { cid, prompt, incidentAgent, verifications, restyles, blends }) {
  const out = [];
  for (const [job, kind] of restyles) {
    const shown = state.restyles[job];
    if (!shown) out.push(`job ${job} shows no input → output pair`);
    else if (shown.kind !== kind || shown.loaded < 2) out.push(`job ${job}'s pair is ${shown.kind} with ${shown.loaded} of ${shown.images} images loaded, not ${kind} with both`);
  }
  for (const style of blends) {
    const shown = state.blends[style];
    if (!shown?.terms.length) out.push(`style ${style} shows no basis blend`);
    else if (!shown.sampleLoaded) out.push(`style ${style} shows no loaded sample`);
  }
  for (const [job, wanted] of verifications) {
    const shown = state.verifications[job];
    if (shown?.state !== wanted) out.push(`job ${job} shows ${shown ? `"${shown.text}"` : 'no verification'}, not ${wanted}`);
  }
  if (!state.card) out.push(`no gallery card for ${cid} (the gallery shows ${state.gallery} card(s))`);
  else {
    if (!state.card.imageLoaded) out.push(`the image of ${cid} has not loaded (src ${state.card.imageSrc}, naturalWidth ${state.card.naturalWidth})`);
    if (prompt !== null && !state.card.promptMatches) out.push(`the card's prompt is ${JSON.stringify(state.card.prompt)}, not ${JSON.stringify(prompt)}`);
    if (!state.card.worker || !state.card.workerShown?.includes(state.card.worker)) out.push(`the card shows no worker`);
  }
  if (incidentAgent !== null && !state.incident) out.push(`no incident whose scope is the agent ${incidentAgent}`);
  if (state.connection !== 'ready' && state.connection !== 'connected') out.push(`the page is not connected (state ${state.connection})`);
  return out;
}

const verifications = args.verification.map((pair) => pair.split('='));
if (verifications.some((pair) => pair.length !== 2 || !pair[0] || !pair[1])) {
  console.error(`check-page: --verification takes JOB=STATE, not ${args.verification.join(' ')}\n${USAGE}`);
  process.exit(2);
}
const restyles = args.restyle.map((pair) => pair.split('='));
if (restyles.some((pair) => pair.length !== 2 || !pair[0] || !pair[1])) {
  console.error(`check-page: --restyle takes JOB=KIND, not ${args.restyle.join(' ')}\n${USAGE}`);
  process.exit(2);
}
const want = { cid: args.cid, prompt: args.prompt ?? null, incidentAgent: args['incident-agent'] ?? null, verifications, restyles, blends: args.blend };
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
let browser;
let page;

async function screenshot() {
  if (!page) return false;
  try {
    await page.screenshot({ path: args.screenshot, fullPage: true });
    return true;
  } catch (error) {
    console.error(`check-page: could not save the screenshot ${args.screenshot}: ${error.message}`);
    return false;
  }
}

try {
  browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.error(`[page console error] ${msg.text()}`);
  });
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  page.on('requestfailed', (request) => console.error(`[page request failed] ${request.url()}: ${request.failure()?.errorText}`));

  const started = Date.now();
  await page.goto(args.page, { waitUntil: 'load', timeout: timeoutMs });
  let state;
  let gaps;
  for (;;) {
    state = await page.evaluate(inspect, want);
    gaps = missing(state, want);
    if (gaps.length === 0 || Date.now() - started > timeoutMs) break;
    await page.waitForTimeout(500);
  }

  if (gaps.length) {
    const saved = await screenshot();
    console.error(`check-page: after ${args.timeout} s the page at ${args.page} still lacks:\n  - ${gaps.join('\n  - ')}`);
    if (state.errors) console.error(`check-page: the page shows errors: ${state.errors}`);
    console.error(`check-page: last state ${JSON.stringify(state)}`);
    if (saved) console.error(`check-page: screenshot saved to ${args.screenshot}`);
    await browser.close();
    process.exit(1);
  }

  // Let a render in flight settle so the screenshot is of a whole page.
  await page.waitForTimeout(300);
  const saved = await screenshot();
  console.log(
    JSON.stringify({
      ok: true,
      page: args.page,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      chain: state.chain,
      connection: state.connection,
      best: state.best,
      finalized: state.finalized,
      card: state.card,
      incident: state.incident,
      verifications: state.verifications,
      restyles: state.restyles,
      blends: state.blends,
      screenshot: saved ? args.screenshot : null,
    }),
  );
  await browser.close();
} catch (error) {
  const saved = await screenshot();
  console.error(`check-page: ${error.message}${saved ? ` (screenshot saved to ${args.screenshot})` : ''}`);
  if (browser) await browser.close().catch(() => {});
  process.exit(2);
}
