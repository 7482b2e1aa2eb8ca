// Clients act: order a design, restyle or line-art their own image, and follow their jobs
// through claimed → delivered → verified → settled, with the actions each stage allows
// (cancel an open job, accept a result early, challenge one, download the image checked
// against its CID). Every bounded input is checked against the chain's limits before
// anything is signed.

import { h, replaceChildren } from '../dom.js';
import { balance, blockNo, permillPct } from '../format.js';
import { ipfsUrl } from '../cid.js';
import { session, parameter } from '../session.js';
import { actionButton, cannotPay, parseAmount, follow, showRefusal } from '../actions.js';
import { findEvent } from '../tx.js';
import { fileCid, fetchVerified } from '../file-cid.js';
import { pill } from './common.js';

const encoder = new TextEncoder();

/** A labelled input; `attrs` go to the input. */
function field(label, input, hint = null) {
  return h('label', { class: 'field' }, h('span', {}, label), input, hint ? h('span', { class: 'small muted' }, hint) : null);
}

/** Fills `select` with the active styles that `filter(style)` keeps, keeping the choice made. */
function fillStyles(select, filter) {
  const chosen = select.value;
  const styles = session.snapshot ? [...session.snapshot.styles] : [];
  replaceChildren(select, styles.filter(([, s]) => s.status === 'Active' && filter(s)).map(([id, s]) => h('option', { value: id }, `${s.name} (#${id})`)));
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
}

/** The approved model of `kind` (Generator, StyleTransfer, LineArt), or null. */
function modelOf(kind) {
  for (const [id, m] of session.snapshot?.models ?? []) if (m.status === 'Active' && m.kind === kind) return id;
  return null;
}

/** Why a job's common fields are refused before signing, or null. */
function checkJob({ bounty, candidates, deadlineIn, curate, period }) {
  const { limits, token } = session;
  if (bounty === null) return `the bounty is not an amount of ${token.symbol}`;
  const minBounty = parameter('MinBounty');
  if (minBounty !== null && bounty < minBounty) return `the bounty is below the studio's minimum of ${balance(minBounty, token)} (MinBounty)`;
  if (!(candidates >= 1 && candidates <= limits.maxCandidates)) return `candidates must be from 1 to ${limits.maxCandidates} (MaxCandidates)`;
  const claimTimeout = Number(parameter('ClaimTimeout') ?? 0n);
  const lifetime = Number(parameter('JobMaxLifetime') ?? 0n);
  if (!(deadlineIn >= claimTimeout + 2 && deadlineIn <= lifetime)) return `the deadline must be from ${claimTimeout + 2} to ${lifetime} blocks away (ClaimTimeout, JobMaxLifetime)`;
  if (curate) {
    const most = Math.min(limits.maxFinalists, candidates);
    if (!(curate >= 2 && curate <= most)) return `finalists must be from 2 to ${most} (MaxFinalists, and at most the candidates)`;
    if (!(period >= 1 && period <= limits.maxCurationPeriod)) return `the curation period must be from 1 to ${limits.maxCurationPeriod} blocks (MaxCurationPeriod)`;
  }
  return null;
}

/** The spec's common part, as `submit_job` takes it. */
function jobSpec({ kind, model, style, prompt, candidates, deadlineIn, refund, curate, period, width = 128, height = 128 }) {
  const seed = crypto.getRandomValues(new Uint32Array(2));
  return {
    kind,
    model,
    style,
    prompt: { Text: prompt },
    parents: [],
    seed: (BigInt(seed[0]) << 32n) | BigInt(seed[1]),
    output: { format: 'Png', width, height },
    candidates,
    deadline: session.snapshot.blockNumber + deadlineIn,
    onRejection: refund ? 'Refund' : 'Reopen',
    curation: curate ? { finalists: curate, period } : null,
  };
}

/** What the job costs, in one line: bounty, curation reward, the fee, the studio's share. */
async function costOf(tx, bounty, curate) {
  const { token } = session;
  const reward = curate ? (bounty * (parameter('CurationReward') ?? 0n)) / 1_000_000n : 0n;
  const fee = (await tx.paymentInfo(session.actor.address)).partialFee.toBigInt();
  const studioFee = parameter('StudioFee');
  return {
    total: bounty + reward,
    fee,
    text:
      `${balance(bounty, token)} into escrow` +
      (reward ? ` + ${balance(reward, token)} curation reward` : '') +
      ` + ${balance(fee, token)} fee now; at settlement the studio keeps ${studioFee === null ? '?' : permillPct(studioFee)} of the bounty (StudioFee), the worker gets the rest`,
  };
}

/** The "order a design" form; built once (what is typed survives new blocks). */
export function renderOrder(el) {
  const prompt = h('textarea', { name: 'prompt', rows: 2, required: true, placeholder: 'an amber painted eye' });
  const style = h('select', { name: 'style' });
  const fill = () => fillStyles(style, (s) => s.blend.length === 0);
  fill();
  const bounty = h('input', { name: 'bounty', value: '10', inputmode: 'decimal', autocomplete: 'off' });
  const candidates = h('input', { name: 'candidates', type: 'number', value: '8', min: 1 });
  const deadlineIn = h('input', { name: 'deadline', type: 'number', value: '200', min: 1 });
  const curate = h('input', { name: 'curate', type: 'number', value: '0', min: 0 });
  const period = h('input', { name: 'period', type: 'number', value: '20', min: 1 });
  const refund = h('input', { name: 'refund', type: 'checkbox' });
  const cost = h('p', { class: 'small muted cost', dataset: { field: 'cost' } });
  const problem = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const status = h('ol', { class: 'tx-status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Order');

  const read = () => ({
    text: prompt.value.trim(),
    style: Number(style.value),
    bounty: parseAmount(bounty.value),
    candidates: Number(candidates.value),
    deadlineIn: Number(deadlineIn.value),
    curate: Number(curate.value) || 0,
    period: Number(period.value),
    refund: refund.checked,
  });
  const check = (v) => {
    if (!session.actor) return 'choose an account to act as first';
    if (!v.text) return 'say what to design: the prompt is empty';
    const length = encoder.encode(v.text).length;
    if (length > session.limits.maxPromptLength) return `the prompt is ${length} bytes; the chain takes at most ${session.limits.maxPromptLength} (MaxPromptLength)`;
    if (!style.value) return 'the chain has no active generator style';
    if (modelOf('Generator') === null) return 'the chain has no approved generator model';
    return checkJob(v);
  };
  const build = (v) =>
    session.api.tx.jobEscrow.submitJob(jobSpec({ ...v, kind: 'Generate', model: modelOf('Generator'), prompt: v.text }), v.bounty);
  const estimate = async () => {
    const v = read();
    if (!session.actor || check(v)) return (cost.textContent = '');
    cost.textContent = (await costOf(build(v), v.bounty, v.curate)).text;
  };

  const form = h(
    'form',
    {
      id: 'order-form',
      class: 'act-form',
      onInput: () => void estimate().catch(() => {}),
      onSubmit: async (event) => {
        event.preventDefault();
        problem.hidden = true;
        replaceChildren(status);
        const v = read();
        let wrong = check(v);
        let tx = null;
        if (!wrong) {
          tx = build(v);
          const { total, fee } = await costOf(tx, v.bounty, v.curate);
          wrong = cannotPay(total, 'this job', fee);
        }
        if (wrong) return showRefusal(problem, wrong);
        await submitted(tx, status, problem, submit, 'JobSubmitted');
      },
    },
    h('h3', {}, 'Order a design'),
    field('Prompt', prompt),
    h('div', { class: 'field-row' }, field('Style', style), field('Bounty', bounty, session.token.symbol), field('Candidates', candidates), field('Deadline in', deadlineIn, 'blocks')),
    h('div', { class: 'field-row' }, field('Curated by holders: finalists', curate, '0 = no curation'), field('Curation period', period, 'blocks'), field('Refund if refused', refund)),
    cost,
    problem,
    submit,
    status,
  );
  replaceChildren(el, form);
  return fill;
}

/** Signs `tx`, shows its stages, and names the job `event` reports. */
async function submitted(tx, status, problem, button, event) {
  button.disabled = true;
  try {
    const { events } = await follow(tx, status);
    const submittedJob = findEvent(events, 'jobEscrow', event);
    if (submittedJob) {
      const id = submittedJob.data[0].toString();
      status.append(h('li', { dataset: { stage: 'done', job: id } }, `job #${id} is in escrow; follow it under “Your jobs”`));
    }
  } catch (error) {
    showRefusal(problem, error.message ?? String(error), error.errorName ?? 'failed');
  } finally {
    button.disabled = false;
  }
}

const IMAGE_TYPES = [
  ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['image/jpeg', [0xff, 0xd8, 0xff]],
];

/** Checks an upload — type by its first bytes, size, dimensions — before any money moves. */
async function checkImage(file, maxUploadBytes) {
  if (!file) return { wrong: 'choose a PNG or JPEG image' };
  const bytes = new Uint8Array(await file.arrayBuffer());
  const type = IMAGE_TYPES.find(([, magic]) => magic.every((b, i) => bytes[i] === b))?.[0];
  if (!type) return { wrong: `${file.name} is not a PNG or JPEG image` };
  if (bytes.length > maxUploadBytes) return { wrong: `${file.name} is ${(bytes.length / 1048576).toFixed(1)} MiB; the gateway takes at most ${(maxUploadBytes / 1048576).toFixed(0)} MiB` };
  let bitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes], { type }));
  } catch {
    return { wrong: `${file.name} cannot be decoded as ${type}` };
  }
  const { width, height } = bitmap;
  bitmap.close();
  const side = session.limits.maxImageSide;
  if (width > side || height > side) return { wrong: `${file.name} is ${width}×${height}; the studio takes at most ${side}×${side} (MaxImageSide)` };
  return { bytes, width, height };
}

/**
 * The restyle form: the client's own PNG or JPEG is checked, registered as its asset (unless
 * it already is), uploaded to this gateway and then stylized or turned into line art.
 */
export function renderRestyle(el, { maxUploadBytes }) {
  const file = h('input', { name: 'image', type: 'file', accept: 'image/png,image/jpeg' });
  const kind = h('select', { name: 'kind' }, h('option', { value: 'Stylize' }, 'Stylize in a style'), h('option', { value: 'LineArt' }, 'Line art'));
  const style = h('select', { name: 'style' });
  const strength = h('input', { name: 'strength', type: 'number', value: '80', min: 1, max: 100 });
  const bounty = h('input', { name: 'bounty', value: '10', inputmode: 'decimal', autocomplete: 'off' });
  const candidates = h('input', { name: 'candidates', type: 'number', value: '4', min: 1 });
  const problem = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const status = h('ol', { class: 'tx-status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Upload and restyle');
  const fill = () => fillStyles(style, (s) => kind.value === 'LineArt' || s.blend.length > 0);
  kind.addEventListener('change', fill);
  fill();

  const form = h(
    'form',
    {
      id: 'restyle-form',
      class: 'act-form',
      onSubmit: async (event) => {
        event.preventDefault();
        problem.hidden = true;
        replaceChildren(status);
        const v = { bounty: parseAmount(bounty.value), candidates: Number(candidates.value), deadlineIn: 200, curate: 0 };
        const modelKind = kind.value === 'LineArt' ? 'LineArt' : 'StyleTransfer';
        const pct = Number(strength.value);
        const wrong =
          (!session.actor && 'choose an account to act as first') ||
          (!style.value && 'the chain has no style for this') ||
          (modelOf(modelKind) === null && `the chain has no approved ${modelKind} model`) ||
          (kind.value === 'Stylize' && !(pct > 0 && pct <= 100) && 'the strength must be from 1 to 100 %') ||
          checkJob(v) ||
          cannotPay(v.bounty, 'this job');
        if (wrong) return showRefusal(problem, wrong);
        const image = await checkImage(file.files[0], maxUploadBytes);
        if (image.wrong) return showRefusal(problem, image.wrong);
        submit.disabled = true;
        try {
          const cid = await fileCid(image.bytes);
          const record = await session.api.query.provenance.assets(cid.hex);
          if (record.isSome && record.unwrap().owner.toString() !== session.actor.address) {
            return showRefusal(problem, `this image is recorded as ${record.unwrap().owner.toString()}'s asset: you can restyle only your own images`);
          }
          if (record.isNone) {
            status.append(h('li', { dataset: { stage: 'register' } }, `registering ${cid.text} as your asset`));
            // The gateway takes the upload once the registration is final.
            await follow(session.api.tx.provenance.registerExternal(cid.hex, []), h('ol'), { until: 'finalized' });
          }
          status.append(h('li', { dataset: { stage: 'upload' } }, `uploading ${image.bytes.length} bytes to this gateway`));
          const put = await fetch(ipfsUrl(cid.text), { method: 'PUT', body: image.bytes });
          if (!put.ok) return showRefusal(problem, `${cid.text} is recorded but the upload failed: ${put.status} ${await put.text()}`, 'upload');
          const jobKind = kind.value === 'LineArt' ? { LineArt: { content: cid.hex } } : { Stylize: { content: cid.hex, strength: pct * 10_000 } };
          const prompt = `${file.files[0].name} ${kind.value === 'LineArt' ? 'as line art' : `in ${session.snapshot.styles.get(Number(style.value))?.name}`}`;
          const spec = jobSpec({ ...v, kind: jobKind, model: modelOf(modelKind), style: Number(style.value), prompt, width: image.width, height: image.height });
          await submitted(session.api.tx.jobEscrow.submitJob(spec, v.bounty), status, problem, submit, 'JobSubmitted');
        } catch (error) {
          showRefusal(problem, error.message ?? String(error), error.errorName ?? 'failed');
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h3', {}, 'Restyle your own image'),
    field('Image', file, `PNG or JPEG, at most ${session.limits.maxImageSide}×${session.limits.maxImageSide}`),
    h('div', { class: 'field-row' }, field('Make', kind), field('Style', style), field('Strength', strength, '% of the style at most'), field('Bounty', bounty, session.token.symbol), field('Candidates', candidates)),
    problem,
    submit,
    status,
  );
  replaceChildren(el, form);
  return fill;
}

const STAGES = ['Open', 'Claimed', 'Delivered', 'Verified', 'Settled'];

/** The stage a job has reached on the road Open → … → Settled. */
function stageOf(job) {
  if (job.status === 'Settled') return 'Settled';
  if (job.status === 'Delivered' || job.status === 'Curating') return job.verdict?.outcome === 'Stands' ? 'Verified' : 'Delivered';
  return job.status;
}

/** The actor's jobs, newest first, each with its road and its actions. */
export function renderMyJobs(el, snapshot) {
  const mine = session.actor ? snapshot.jobs.filter((job) => job.client === session.actor.address) : [];
  if (!session.actor) return replaceChildren(el, h('p', { class: 'small muted' }, 'Choose an account to see its jobs.'));
  if (!mine.length) return replaceChildren(el, h('p', { class: 'small muted' }, 'No jobs of yours yet.'));
  replaceChildren(
    el,
    h(
      'ul',
      { class: 'my-jobs' },
      mine.map((job) => {
        const at = STAGES.indexOf(stageOf(job));
        return h(
          'li',
          { dataset: { job: job.id, status: job.status, stage: stageOf(job) } },
          h('strong', {}, `#${job.id} `),
          pill(job.status),
          ' ',
          job.prompt.text ?? '',
          h('ol', { class: 'road' }, STAGES.map((s, i) => h('li', { class: at >= 0 && i <= at ? 'reached' : '' }, s))),
          h('div', { class: 'row-actions' }, jobActions(job)),
        );
      }),
    ),
  );
}

/** What the actor may do with `job`: cancel, accept, challenge, download. */
export function jobActions(job) {
  if (!session.actor) return [];
  const { api, token } = session;
  const mine = job.client === session.actor.address;
  const actions = [];
  if (mine && job.status === 'Open') {
    actions.push(actionButton('Cancel', { id: 'cancel', title: `Cancel job #${job.id}`, about: `The bounty of ${balance(job.bounty, token)} comes back to you.`, build: () => api.tx.jobEscrow.cancelJob(job.id), done: () => 'cancelled; the bounty is back' }, { job: job.id }));
  }
  if (job.status === 'Delivered' && !job.verification) {
    if (mine) {
      actions.push(actionButton('Accept', { id: 'accept', title: `Accept job #${job.id}'s result now`, about: `Pays the worker at once instead of at block ${blockNo(job.settlesAt)}; you give up challenging it.`, build: () => api.tx.jobEscrow.acceptResult(job.id), done: () => 'accepted: the job settles now' }, { job: job.id }));
    }
    const deposit = parameter('ChallengeDeposit');
    actions.push(
      actionButton(
        'Challenge',
        {
          id: 'challenge',
          title: `Challenge job #${job.id}'s result`,
          about: `Verifiers re-make and re-measure the result. Your deposit of ${deposit === null ? '?' : balance(deposit, token)} (ChallengeDeposit) comes back with a share of the worker's slash if the result falls, and is lost if it stands.`,
          check: () => cannotPay(deposit ?? 0n, 'the challenge deposit'),
          build: () => api.tx.jobEscrow.challenge(job.id),
          done: () => 'challenged: verifiers are drawn next block',
        },
        { job: job.id },
      ),
    );
  }
  if (job.output) actions.push(downloadButton(job.output));
  return actions;
}

/** Downloads `cid` from this gateway, saved only once the bytes match the CID. */
export function downloadButton(cid) {
  const button = h('button', { type: 'button', class: 'act-button', dataset: { action: 'download', cid } }, 'Download');
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = 'Checking…';
    try {
      const bytes = await fetchVerified(ipfsUrl(cid), cid);
      const link = h('a', { href: URL.createObjectURL(new Blob([bytes], { type: 'image/png' })), download: `${cid}.png` });
      link.click();
      button.dataset.verified = 'true';
      button.textContent = 'Downloaded ✓';
      button.title = `the bytes match ${cid}`;
    } catch (error) {
      button.dataset.verified = 'false';
      button.textContent = 'Download failed';
      button.title = error.message;
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

