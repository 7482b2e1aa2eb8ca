// The web studio: connects to the node, re-reads the chain's state at every new best block and
// renders the page's sections from that one snapshot.

import './style.css';
import { resolveConfig } from './config.js';
import { connect, tokenOf } from './chain.js';
import { readSnapshot } from './data.js';
import { readDriftHistory } from './drift-history.js';
import { readPreferenceHistory } from './preference-history.js';
import { h, replaceChildren } from './dom.js';
import { renderStatus } from './views/status.js';
import { renderGallery, hasFailedImages } from './views/gallery.js';
import { renderJobs } from './views/jobs.js';
import { renderGovernance } from './views/governance.js';
import { renderIncidents } from './views/incidents.js';
import { renderDrift } from './views/drift.js';
import { renderCuration } from './views/curation.js';
import { session, onSessionChange, addAccounts, readLimits, readStanding } from './session.js';
import { isDevChain, devAccounts } from './wallet.js';
import { renderAccount } from './views/account.js';
import { renderOrder, renderRestyle, renderMyJobs } from './views/order.js';
import { renderPropose } from './views/propose.js';

const $ = (id) => document.getElementById(id);

// ---- header and error banner -------------------------------------------------------------

const status = { state: 'connecting', message: null, rpc: null, chain: null, best: null, finalized: null, token: null };
let readyOnce = false;

function setStatus(patch) {
  Object.assign(status, patch);
  renderStatus($('status'), status);
  document.title = status.best !== null ? `Studio Chain · #${status.best}` : 'Studio Chain web studio';
}

const errors = new Map(); // source → message
function setError(source, message) {
  if (message) errors.set(source, message);
  else errors.delete(source);
  const banner = $('errors');
  banner.hidden = errors.size === 0;
  replaceChildren(banner, [...errors].map(([src, msg]) => h('p', { dataset: { errorSource: src } }, h('strong', {}, `${src}: `), msg)));
}

function onConnection({ state, message }) {
  if (state === 'ready') readyOnce = true;
  // After a reconnection the API is usable again at once: show it as live.
  const shown = state === 'connected' && readyOnce ? 'ready' : state;
  setStatus({ state: shown, message });
  if (state === 'error' || state === 'disconnected') setError('connection', message);
  else if (state === 'connected' || state === 'ready') setError('connection', null);
  if ((state === 'connected' || state === 'ready') && readyOnce) poke();
}

// ---- refresh: one snapshot per best head, never two at once ------------------------------

let api;
let config;
let pendingHash = null;
let lastHash = null;
/** Refills the forms' choices (styles, parameters) from a new snapshot; set once they are built. */
let refillForms = null;
let running = false;
let lastRefresh = 0;
const lastSignature = {};

function scheduleRefresh(hash) {
  pendingHash = hash;
  if (!running) void drain();
}

async function drain() {
  running = true;
  while (pendingHash) {
    const hash = pendingHash;
    pendingHash = null;
    try {
      await refresh(hash);
      setError('refresh', null);
    } catch (error) {
      console.error('refresh failed', error);
      setError('refresh', `could not read the chain's state: ${error.message ?? error}`);
    }
  }
  running = false;
}

/** Re-reads the best head when no head arrived for a while (a lost subscription). */
async function poke() {
  try {
    const header = await api.rpc.chain.getHeader();
    setStatus({ best: header.number.toNumber() });
    scheduleRefresh(header.hash);
  } catch {
    /* the connection handler reports it */
  }
}

const signature = (value) =>
  JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Map ? [...v] : v));

/** Renders a section only when what it shows changed (keeps images and scroll still). */
function renderIfChanged(name, data, render) {
  const sig = signature(data);
  if (lastSignature[name] === sig) return;
  render();
  lastSignature[name] = sig;
}

async function refresh(hash) {
  const snapshot = await readSnapshot(api, hash);
  lastRefresh = Date.now();
  lastHash = hash;
  await verifyPrompts(snapshot);
  await readStanding(snapshot);
  section('act', () => {
    if (!refillForms) refillForms = buildForms();
    else refillForms();
    renderMyJobs($('my-jobs'), snapshot);
  });
  // Views with row actions render again when the acting account changes.
  const actor = { address: session.actor?.address ?? null, reviewer: session.standing?.reviewer ?? false };
  const param = (name) => {
    const p = snapshot.parameters.find((x) => x.name === name);
    return p ? Number(p.value) : null;
  };
  const ctx = {
    token: status.token,
    maxDeviation: param('MaxStyleDeviation'),
    hardLimit: param('HardStyleLimit'),
    quorum: param('ReviewQuorum'),
  };

  section('gallery', () =>
    renderIfChanged(
      'gallery',
      { assets: snapshot.assets, styles: snapshot.styles, models: snapshot.models, max: ctx.maxDeviation, retry: hasFailedImages() ? Date.now() : 0 },
      () => renderGallery($('gallery-cards'), snapshot, ctx),
    ),
  );
  section('jobs', () => renderIfChanged('jobs', { jobs: snapshot.jobs, styles: snapshot.styles, actor }, () => renderJobs($('jobs-board'), snapshot, ctx)));
  section('governance', () => renderGovernance($('governance-body'), snapshot, ctx));
  section('incidents', () => renderIncidents($('incidents-body'), snapshot, ctx));
  setCount('gallery', snapshot.assets.length);
  setCount('jobs', snapshot.jobs.length);
  setCount('incidents', snapshot.incidents.filter((i) => i.status === 'Open' || i.status === 'Expired').length, 'open');

  const preferenceHistory = await readPreferenceHistory(api, snapshot, status.finalized ?? 0);
  section('curation', () =>
    renderIfChanged('curation', { curations: snapshot.curations, jobs: snapshot.jobs, assets: snapshot.assets.length, preferenceHistory, actor, standing: session.standing?.reputation }, () =>
      renderCuration($('curation-body'), snapshot, preferenceHistory, ctx),
    ),
  );
  setCount('curation', snapshot.curations.length, 'running');
  const history = await readDriftHistory(api, snapshot, status.finalized ?? 0);
  section('drift', () => renderIfChanged('drift', { history, ctx }, () => renderDrift($('drift-body'), history, ctx)));
  for (const id of ['act', 'gallery', 'jobs', 'curation', 'governance', 'incidents', 'drift']) $(id).dataset.block = snapshot.blockNumber;
}

/** Runs one section's render; a failure shows on the page, the others still render. */
function section(name, render) {
  try {
    render();
    setError(name, null);
  } catch (error) {
    console.error(`rendering ${name} failed`, error);
    setError(name, `could not render: ${error.message ?? error}`);
  }
}

function setCount(id, n, suffix = '') {
  const el = $(id).querySelector('.count-badge');
  if (el) el.textContent = suffix ? `${n} ${suffix}` : String(n);
}

// ---- prompts: check each text prompt against the sha256 its provenance recorded ----------

const promptHashes = new Map();
async function sha256Hex(text) {
  if (!globalThis.crypto?.subtle) return null; // not a secure context: skip the check
  if (!promptHashes.has(text)) {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
    promptHashes.set(text, '0x' + [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join(''));
  }
  return promptHashes.get(text);
}

async function verifyPrompts(snapshot) {
  for (const asset of snapshot.assets) {
    const text = asset.job?.prompt?.text;
    if (!asset.generation || text === undefined) continue;
    const hash = await sha256Hex(text);
    asset.promptVerified = hash === null ? null : hash === asset.generation.promptHash;
  }
}

// ---- acting: the account, the forms ---------------------------------------------------------

/** Builds the forms once (what is typed survives new blocks); returns what refills them. */
function buildForms() {
  const refills = [renderOrder($('order')), renderRestyle($('restyle'), { maxUploadBytes: config.maxUploadBytes }), renderPropose($('propose'))];
  return () => refills.forEach((refill) => refill());
}

/** Another account (or its balance, or its roles): the account panel and the row actions change. */
function onActorChange() {
  renderAccount($('account'));
  if (lastHash && !running) scheduleRefresh(lastHash);
}

// ---- start ---------------------------------------------------------------------------------

async function main() {
  setStatus({});
  config = await resolveConfig();
  if (config.warning) console.info(`${config.warning}; using ${config.rpc}`);
  setStatus({ rpc: config.rpc });
  api = connect(config.rpc, onConnection);
  await api.isReady;

  const [chain] = await Promise.all([api.rpc.system.chain()]);
  setStatus({ chain: chain.toString(), token: tokenOf(api) });
  Object.assign(session, { api, token: tokenOf(api), dev: await isDevChain(api) });
  readLimits(api);
  onSessionChange(onActorChange);
  // Dev keys are offered on development and local chains only, clearly labelled.
  if (session.dev) addAccounts(await devAccounts(api));
  else renderAccount($('account'));

  await api.rpc.chain.subscribeNewHeads((header) => {
    setStatus({ best: header.number.toNumber() });
    scheduleRefresh(header.hash);
  });
  await api.rpc.chain.subscribeFinalizedHeads((header) => setStatus({ finalized: header.number.toNumber() }));

  // A safety net: if heads stop arriving while connected, re-read anyway.
  setInterval(() => {
    if (api.isConnected && Date.now() - lastRefresh > 12_000) void poke();
  }, 6_000);
}

main().catch((error) => {
  console.error(error);
  setError('startup', String(error?.message ?? error));
});
