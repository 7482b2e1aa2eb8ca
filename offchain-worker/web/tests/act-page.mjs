#!/usr/bin/env node
// People act from the web studio in headless Chromium, signing with the dev keys the page
// offers on a dev chain, against a real node and worker:
//
//   1. Alice's refused orders (a bounty below the minimum, an over-long prompt) show their
//      error and move no money;
//   2. Alice orders a design (one that trips the worker's breaker: --red-prompt in
//      --grayscale-style), and sees it in her jobs;
//   3. reviewers Charlie and Dave resume the incident from its row;
//   4. Alice accepts the delivered result early and downloads the image checked against its CID;
//   5. Alice proposes a parameter change (--propose NAME=VALUE) with the page's verdict, and Eve
//      votes on it: the tally moves; Alice's fifth open proposal is refused by the chain, and
//      the page names the pallet error;
//   6. Alice orders a curated design (--curated-style); Eve stakes on a finalist from the
//      curation board, and her pick wins when the chain closes the curation;
//   7. Alice uploads her own image (drawn by the browser) and gets it stylized
//      (--stylize-style), then challenges the result; an oversized upload (wider than
//      --max-side) is refused first and moves no money.
//
//   node tests/act-page.mjs --page URL --red-prompt TEXT --grayscale-style ID --stylize-style ID
//        --curated-style ID --propose NAME=VALUE --max-side N --shots DIR [--timeout SECONDS]
//
// Prints one JSON line (the jobs, incident, proposal and CIDs it made) on success, saving a
// screenshot of each step in DIR; on a failure it saves one more, says what it waited for, and
// exits 1. The page's console errors go to stderr.

import { chromium } from 'playwright-core';
import { parseArgs } from 'node:util';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const { values: args } = parseArgs({
  options: {
    page: { type: 'string' },
    'red-prompt': { type: 'string' },
    'grayscale-style': { type: 'string' },
    'stylize-style': { type: 'string' },
    'curated-style': { type: 'string' },
    propose: { type: 'string' },
    'max-side': { type: 'string' },
    shots: { type: 'string' },
    timeout: { type: 'string', default: '600' },
  },
});
for (const required of ['page', 'red-prompt', 'grayscale-style', 'stylize-style', 'curated-style', 'propose', 'max-side', 'shots']) {
  if (!args[required]) {
    console.error(`act-page: --${required} is required`);
    process.exit(2);
  }
}
const [proposeName, proposeValue] = args.propose.split('=');
const deadline = Date.now() + Number(args.timeout) * 1000;
mkdirSync(args.shots, { recursive: true });

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
const page = await context.newPage();
page.on('console', (msg) => {
  if (msg.type() === 'error') console.error(`[page console error] ${msg.text()}`);
});
page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));

let step = 0;
let doing = 'opening the page';
const shot = async (name) => page.screenshot({ path: join(args.shots, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: false });
const left = () => Math.max(1000, deadline - Date.now());
const report = {};

/** Waits for `selector` (attached), with the story's remaining time. */
const waitFor = (selector, what) => {
  doing = what;
  return page.waitForSelector(selector, { state: 'attached', timeout: left() });
};

/** Acts as the dev account `name`; resolves once its standing is on the page. */
async function actAs(name) {
  doing = `choosing ${name}`;
  const value = await page.$eval('#actor', (select, n) => [...select.options].find((o) => o.text.startsWith(`${n} (dev key)`))?.value, name);
  if (!value) throw new Error(`the page offers no dev key for ${name}`);
  await page.selectOption('#actor', value);
  await waitFor(`#account .standing[data-address="${value}"]`, `${name}'s balances on the page`);
}

const freeOf = () => page.$eval('#account .standing', (el) => el.dataset.free);

/** Submits `form`, and returns the refusal shown (`{ error, text }`) or the done line's data. */
async function submitForm(form) {
  await page.click(`${form} button[type=submit]`);
  doing = `the result of ${form}`;
  await page.waitForFunction(
    (f) => {
      const el = document.querySelector(f);
      return el.querySelector('.form-error:not([hidden])') || el.querySelector('.tx-status li[data-stage=done]');
    },
    form,
    { timeout: left() },
  );
  return page.$eval(form, (el) => {
    const error = el.querySelector('.form-error:not([hidden])');
    if (error) return { error: error.dataset.error, text: error.textContent };
    return { ...el.querySelector('.tx-status li[data-stage=done]').dataset };
  });
}

/** Clicks the row action `button`, signs in the dialog (after `fill`), and waits for its block. */
async function signAction(button, fill = async () => {}) {
  await waitFor(button, `the button ${button}`);
  await page.click(button);
  await waitFor('#action-dialog[open] form', 'the action dialog');
  await fill();
  await page.click('#action-dialog button[type=submit]');
  doing = `${button} in a block`;
  await page.waitForFunction(
    () => document.querySelector('#action-dialog li[data-stage="in-block"], #action-dialog .form-error:not([hidden])'),
    null,
    { timeout: left() },
  );
  const failed = await page.$eval('#action-dialog', (d) => {
    const e = d.querySelector('.form-error:not([hidden])');
    return e ? e.textContent : null;
  });
  if (failed) throw new Error(`${button} failed: ${failed}`);
  await shot(button.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, ''));
  await page.click('#action-dialog .dialog-buttons button[type=button]');
}

/** A PNG of `width` × `height` drawn by the page (a gradient with a disc), as a Buffer. */
async function drawnPng(width, height) {
  const base64 = await page.evaluate(
    async ([w, h]) => {
      const canvas = new OffscreenCanvas(w, h);
      const g = canvas.getContext('2d');
      const gradient = g.createLinearGradient(0, 0, w, h);
      gradient.addColorStop(0, '#2a5db0');
      gradient.addColorStop(1, '#e89a4a');
      g.fillStyle = gradient;
      g.fillRect(0, 0, w, h);
      g.fillStyle = '#1d1f24';
      g.beginPath();
      g.arc(w / 2, h / 2, Math.min(w, h) / 4, 0, Math.PI * 2);
      g.fill();
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
      let text = '';
      for (const b of bytes) text += String.fromCharCode(b);
      return btoa(text);
    },
    [width, height],
  );
  return Buffer.from(base64, 'base64');
}

try {
  await page.goto(args.page, { waitUntil: 'load', timeout: left() });
  await waitFor('#order-form', 'the order form (the first snapshot)');

  // 1. Refused before signing: nothing moves.
  await actAs('Alice');
  const aliceFree = await freeOf();
  await page.fill('#order-form textarea[name=prompt]', 'a small eye');
  await page.selectOption('#order-form select[name=style]', args['grayscale-style']);
  await page.fill('#order-form input[name=bounty]', '0.001');
  const lowBounty = await submitForm('#order-form');
  if (lowBounty.error !== 'refused-before-signing' || !/MinBounty/.test(lowBounty.text)) throw new Error(`a bounty below the minimum was not refused: ${JSON.stringify(lowBounty)}`);
  await shot('refused-bounty');
  await page.fill('#order-form input[name=bounty]', '10');
  await page.fill('#order-form textarea[name=prompt]', 'an eye '.repeat(200));
  const longPrompt = await submitForm('#order-form');
  if (longPrompt.error !== 'refused-before-signing' || !/MaxPromptLength/.test(longPrompt.text)) throw new Error(`an over-long prompt was not refused: ${JSON.stringify(longPrompt)}`);
  report.refused = [lowBounty.text, longPrompt.text];

  // 2. Alice orders the design.
  await page.fill('#order-form textarea[name=prompt]', args['red-prompt']);
  doing = 'the cost shown before signing';
  await page.waitForFunction(() => /fee now/.test(document.querySelector('#order-form [data-field=cost]').textContent), null, { timeout: left() });
  report.cost = await page.textContent('#order-form [data-field=cost]');
  const ordered = await submitForm('#order-form');
  if (!ordered.job) throw new Error(`the order failed: ${JSON.stringify(ordered)}`);
  report.job = ordered.job;
  report.aliceFreeUnchangedByRefusals = aliceFree;
  await waitFor(`#my-jobs li[data-job="${ordered.job}"]`, `job #${ordered.job} under Alice's jobs`);
  await shot('ordered');

  // 3. The breaker trips; two reviewers resume the agent from the incident's row.
  const incidentRow = await waitFor(`#incidents tr[data-incident][data-status="Open"]`, 'an open incident');
  report.incident = await incidentRow.getAttribute('data-incident');
  for (const reviewer of ['Charlie', 'Dave']) {
    await actAs(reviewer);
    await signAction(`button[data-action="review-resume"][data-incident="${report.incident}"]`);
  }
  await waitFor(`#incidents tr[data-incident="${report.incident}"][data-status="Resumed"]`, `incident #${report.incident} resumed`);

  // 4. Alice accepts the delivered result at once and downloads it, checked against its CID.
  await actAs('Alice');
  await waitFor(`#my-jobs li[data-job="${ordered.job}"][data-status="Delivered"]`, `job #${ordered.job} delivered`);
  await signAction(`#my-jobs li[data-job="${ordered.job}"] button[data-action="accept"]`);
  await waitFor(`#my-jobs li[data-job="${ordered.job}"][data-status="Settled"]`, `job #${ordered.job} settled`);
  const download = page.waitForEvent('download', { timeout: left() });
  await page.click(`#my-jobs li[data-job="${ordered.job}"] button[data-action="download"]`);
  const file = await download;
  await waitFor(`#my-jobs li[data-job="${ordered.job}"] button[data-action="download"][data-verified="true"]`, 'the download checked against its CID');
  report.downloaded = { name: file.suggestedFilename(), bytes: readFileSync(await file.path()).length };
  report.cid = report.downloaded.name.replace(/\.png$/, '');
  await shot('accepted-and-downloaded');

  // 5. Alice proposes; Eve votes; the tally moves.
  await page.selectOption('#propose-form select[name=parameter]', proposeName);
  await page.fill('#propose-form input[name=value]', proposeValue);
  report.verdict = await page.$eval('#propose-form [data-field=verdict]', (el) => ({ track: el.dataset.track, text: el.innerText }));
  const proposed = await submitForm('#propose-form');
  if (!proposed.proposal) throw new Error(`the proposal failed: ${JSON.stringify(proposed)}`);
  report.proposal = proposed.proposal;
  await actAs('Eve');
  await signAction(`button[data-action="vote"][data-proposal="${proposed.proposal}"]`, async () => {
    await page.selectOption('#action-dialog select[name=side]', 'aye');
    await page.fill('#action-dialog input[name=amount]', '1000');
  });
  await waitFor(`#governance tr[data-proposal="${proposed.proposal}"]:not([data-ayes="0"])`, 'the tally to move');
  report.ayes = await page.$eval(`#governance tr[data-proposal="${proposed.proposal}"]`, (el) => el.dataset.ayes);
  await page.waitForFunction(() => /voter on/.test(document.querySelector('#account [data-field=roles]')?.textContent ?? ''), null, { timeout: left() });
  report.eveFrozen = await page.$eval('#account .standing', (el) => el.dataset.frozen);

  // 5b. What only the chain refuses shows the pallet error's name and doc line: Alice's fifth
  //     open proposal (MaxProposalsPerAccount is 4) is refused in its block, deposit kept.
  await actAs('Alice');
  for (let more = 0; more < 3; more += 1) {
    const again = await submitForm('#propose-form');
    if (!again.proposal) throw new Error(`proposal ${more + 2} failed: ${JSON.stringify(again)}`);
  }
  const fifth = await submitForm('#propose-form');
  if (fifth.error !== 'StudioGovernance::TooManyProposalsByAccount' || !/already has/.test(fifth.text)) throw new Error(`a fifth proposal was not refused by the chain: ${JSON.stringify(fifth)}`);
  report.chainRefusal = fifth.text;
  await shot('refused-by-the-chain');

  // 6. Alice orders a curated design; Eve stakes on a finalist from the curation board; the
  //    chain closes the curation and Eve's pick wins her reputation.
  await page.fill('#order-form textarea[name=prompt]', 'an amber painted eye');
  await page.selectOption('#order-form select[name=style]', args['curated-style']);
  await page.fill('#order-form input[name=candidates]', '4');
  await page.fill('#order-form input[name=curate]', '2');
  await page.fill('#order-form input[name=period]', '8');
  const curated = await submitForm('#order-form');
  if (!curated.job) throw new Error(`the curated order failed: ${JSON.stringify(curated)}`);
  report.curatedJob = curated.job;
  await actAs('Eve');
  await signAction(`#curation-${curated.job} button[data-action="stake"][data-finalist="1"]`, async () => {
    await page.fill('#action-dialog input[name=amount]', '5');
  });
  await waitFor(`#curation tr[data-closed-curation="${curated.job}"]`, `the curation of job #${curated.job} closed`);
  await page.waitForFunction(() => /1 won/.test(document.querySelector('#account [data-field=roles]')?.textContent ?? ''), null, { timeout: left() });
  report.eveRoles = await page.textContent('#account [data-field=roles]');
  await page.locator(`#curation tr[data-closed-curation="${curated.job}"]`).scrollIntoViewIfNeeded();
  await shot('curated');

  // 7. An oversized upload is refused before any money moves; then Alice's own image is stylized,
  //    and she challenges the result.
  await actAs('Alice');
  const side = Number(args['max-side']);
  const before = await freeOf();
  await page.setInputFiles('#restyle-form input[name=image]', { name: 'too-wide.png', mimeType: 'image/png', buffer: await drawnPng(side + 1, 8) });
  await page.selectOption('#restyle-form select[name=kind]', 'Stylize');
  await page.selectOption('#restyle-form select[name=style]', args['stylize-style']);
  const oversized = await submitForm('#restyle-form');
  if (oversized.error !== 'refused-before-signing' || !/MaxImageSide/.test(oversized.text)) throw new Error(`an oversized upload was not refused: ${JSON.stringify(oversized)}`);
  if ((await freeOf()) !== before) throw new Error('the refused upload moved money');
  report.refused.push(oversized.text);
  await shot('refused-upload');
  await page.setInputFiles('#restyle-form input[name=image]', { name: 'my-sketch.png', mimeType: 'image/png', buffer: await drawnPng(96, 96) });
  await page.fill('#restyle-form input[name=candidates]', '2');
  const restyled = await submitForm('#restyle-form');
  if (!restyled.job) throw new Error(`the restyle failed: ${JSON.stringify(restyled)}`);
  report.restyleJob = restyled.job;
  // The dev chain's challenge window is 5 blocks: Alice challenges as soon as it is delivered.
  await signAction(`#my-jobs li[data-job="${restyled.job}"] button[data-action="challenge"]`);
  await waitFor(`#jobs tr[data-job="${restyled.job}"] [data-verification="challenged"]`, `job #${restyled.job} challenged on the board`);
  report.challenged = restyled.job;
  await waitFor(`#jobs tr[data-job="${restyled.job}"] .restyle-pair img[alt="the result"]`, 'the restyled pair on the job board');
  await page.locator(`#jobs tr[data-job="${restyled.job}"]`).scrollIntoViewIfNeeded();
  await shot('restyled-and-challenged');

  // Phone width: the page still lays out (no horizontal scroll of the page itself).
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  report.phoneOverflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  // What sticks out, if anything: the outermost elements wider than the screen (for the log).
  report.phoneOverflowing = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    // An element, or text running out of it (a long word), past the right edge.
    const wide = [...document.querySelectorAll('body *')].filter(
      (el) => (el.getBoundingClientRect().right > width || el.getBoundingClientRect().left + el.scrollWidth > width + 1) && !el.parentElement?.closest('.table-wrap'),
    );
    return wide.slice(0, 12).map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')} (right ${Math.round(el.getBoundingClientRect().right)})`);
  });
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot('phone-width');

  console.log(JSON.stringify({ ok: true, ...report }));
  await browser.close();
} catch (error) {
  await shot('failed').catch(() => {});
  console.error(`act-page: ${error.message}\nact-page: while waiting for ${doing}; screenshots in ${args.shots}`);
  await browser.close().catch(() => {});
  process.exit(1);
}
