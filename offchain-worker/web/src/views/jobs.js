// The job board: every job, newest first, filterable by status (JobStatus of the job escrow).

import { h, replaceChildren } from '../dom.js';
import { balance, blockNo } from '../format.js';
import { account, cidLink, pill, promptText, styleName, table, empty, thumbnail } from './common.js';
import { jobActions } from './order.js';

/** JobStatus's variants, in the order a job goes through them. */
export const JOB_STATUSES = ['Open', 'Claimed', 'Curating', 'Delivered', 'Quarantined', 'Settled', 'Cancelled', 'Refunded'];

let filter = 'All'; // kept across re-renders

export function renderJobs(el, snapshot, { token }) {
  const { jobs } = snapshot;
  const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0]));
  for (const job of jobs) counts[job.status] = (counts[job.status] ?? 0) + 1;

  const chips = h(
    'div',
    { class: 'chips', role: 'toolbar', 'aria-label': 'filter jobs by status' },
    ['All', ...JOB_STATUSES].map((status) =>
      h(
        'button',
        {
          type: 'button',
          class: `chip ${filter === status ? 'active' : ''}`,
          dataset: { filter: status },
          'aria-pressed': filter === status ? 'true' : 'false',
          onClick: () => {
            filter = status;
            renderJobs(el, snapshot, { token });
          },
        },
        status,
        h('span', { class: 'count' }, status === 'All' ? jobs.length : counts[status] ?? 0),
      ),
    ),
  );

  const shown = jobs.filter((job) => filter === 'All' || job.status === filter);
  const rows = shown.map((job) =>
    h(
      'tr',
      { dataset: { job: job.id, status: job.status } },
      h('td', { class: 'num' }, `#${job.id}`),
      h('td', {}, pill(job.status), h('div', { class: 'small muted' }, next(job)), verification(job)),
      h('td', { class: 'prompt-cell' }, restyle(job), promptText(job.prompt), job.parents.length ? h('div', { class: 'small' }, 'from ', job.parents.map((p) => cidLink(p))) : null),
      h('td', {}, styleName(snapshot.styles, job.style), h('div', { class: 'small muted' }, `model #${job.model} · ${job.candidates} cand. · seed ${job.seed}`)),
      h('td', { class: 'num' }, balance(job.bounty, token)),
      h('td', {}, account(job.client, { short: true })),
      h('td', {}, account(job.worker, { short: true })),
      h('td', { class: 'num' }, blockNo(job.submittedAt)),
      h('td', {}, job.output ? cidLink(job.output) : h('span', { class: 'muted' }, '—')),
      h('td', { class: 'row-actions' }, jobActions(job)),
    ),
  );
  replaceChildren(
    el,
    chips,
    shown.length
      ? h('div', { class: 'table-wrap' }, table(['Job', 'Status', 'Prompt', 'Style', 'Bounty', 'Client', 'Worker', 'Submitted', 'Output', ''], rows, { class: 'jobs' }))
      : empty(jobs.length ? `No ${filter.toLowerCase()} jobs.` : 'No jobs yet.'),
  );
}

/** A restyle job's input → output pair (thumbnails from the gateway), with its kind. */
function restyle(job) {
  if (!job.content) return null;
  const what = job.kind === 'Stylize' ? `stylize, strength ≤ ${Math.round(job.strength * 100)} %` : 'line art';
  return h(
    'div',
    { class: 'restyle-pair', dataset: { kind: job.kind } },
    thumbnail(job.content, 'the client’s image'),
    h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
    job.output ? thumbnail(job.output, 'the result') : h('span', { class: 'muted small' }, 'pending'),
    h('div', { class: 'small muted' }, what, ' · from ', cidLink(job.content)),
  );
}

/** The job's next step, from its status. */
function next(job) {
  switch (job.status) {
    case 'Open':
      return `deadline ${blockNo(job.deadline)}`;
    case 'Claimed':
      return `claim expires ${blockNo(job.expiresAt)}`;
    case 'Curating':
      return `curation ends ${blockNo(job.endsAt)}`;
    case 'Delivered':
      return `settles ${blockNo(job.settlesAt)}`;
    case 'Quarantined':
      return `incident #${job.incident}`;
    default:
      return '';
  }
}

/**
 * A result's verification state: audited or challenged (verifiers committing, revealing) while
 * it runs; verified or fallen once decided, with the incidents it caused.
 */
function verification(job) {
  const v = job.verification;
  const d = job.verdict;
  const incidents = (job.incidents ?? []).map((id) => h('a', { href: `#incidents`, class: 'incident-link' }, ` incident #${id}`));
  if (v) {
    const state = v.verifiers.length === 0
      ? 'verifiers drawn next block'
      : `${v.verifiers.filter((x) => x.committed).length}/${v.verifiers.length} committed, ${v.verifiers.filter((x) => x.finding).length} revealed · verdict ${blockNo(v.revealUntil)}`;
    const label = v.challenger ? 'challenged' : 'audited';
    return h('div', { class: 'small verification', dataset: { verification: label } }, pill(label), ' ', state);
  }
  if (d) {
    const label = { Stands: 'verified', Falls: 'fallen', NoVerifiers: 'unverifiable', Cancelled: 'cancelled' }[d.outcome] ?? d.outcome;
    const counted = d.revealed ? ` · ${d.confirming}/${d.revealed} confirmed` : '';
    return h('div', { class: 'small verification', dataset: { verification: label } }, pill(label), counted, ...incidents);
  }
  return incidents.length ? h('div', { class: 'small' }, ...incidents) : null;
}
