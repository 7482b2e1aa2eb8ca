// Parameters with their bounds, the voting tracks, open proposals, the council and registries.

import { h, replaceChildren } from '../dom.js';
import { balance, blockNo, perbillPct, permillPct } from '../format.js';
import { account, pill, table, empty, thumbnail } from './common.js';
import { proposalActions } from './propose.js';

/**
 * Each StudioParameter's unit and the way that makes the studio safer (studio-governance's
 * `StudioParameter::unit` and `safer_direction`), in the order `StudioParameter::ALL` lists them.
 */
export const PARAMETER_RULES = {
  MaxStyleDeviation: { unit: 'permill', safer: 'lower' },
  HardStyleLimit: { unit: 'permill', safer: 'lower' },
  StyleEmaWeight: { unit: 'permill', safer: 'higher' },
  MinBounty: { unit: 'balance', safer: 'neither' },
  WorkerMinBond: { unit: 'balance', safer: 'higher' },
  StudioFee: { unit: 'permill', safer: 'neither' },
  ClaimTimeout: { unit: 'blocks', safer: 'neither' },
  ChallengeWindow: { unit: 'blocks', safer: 'higher' },
  JobMaxLifetime: { unit: 'blocks', safer: 'neither' },
  EpochSpendCap: { unit: 'balance', safer: 'lower' },
  QualityThreshold: { unit: 'permill', safer: 'higher' },
  ReviewQuorum: { unit: 'count', safer: 'higher' },
  AuditProbability: { unit: 'permill', safer: 'higher' },
  ChallengeDeposit: { unit: 'balance', safer: 'neither' },
  VerifierCount: { unit: 'count', safer: 'higher' },
  ScoreTolerance: { unit: 'permill', safer: 'neither' },
  ReproductionFloor: { unit: 'count', safer: 'neither' },
  CurationReward: { unit: 'permill', safer: 'neither' },
  ReputationGain: { unit: 'permill', safer: 'neither' },
  ReputationLoss: { unit: 'permill', safer: 'neither' },
  ReputationHalfLife: { unit: 'blocks', safer: 'neither' },
  PreferenceRate: { unit: 'permill', safer: 'neither' },
  PreferenceWeight: { unit: 'permill', safer: 'neither' },
};
const ORDER = Object.keys(PARAMETER_RULES);

export function formatParameter(name, value, token) {
  switch (PARAMETER_RULES[name]?.unit) {
    case 'permill':
      return permillPct(value);
    case 'balance':
      return balance(value, token);
    case 'blocks':
      return `${value.toString()} blocks`;
    default:
      return value.toString();
  }
}

export function renderGovernance(el, snapshot, { token }) {
  const parameters = [...snapshot.parameters].sort((a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name));
  const paramRows = parameters.map((p) =>
    h(
      'tr',
      { dataset: { param: p.name } },
      h('td', {}, h('strong', {}, p.name)),
      h('td', { class: 'num', dataset: { field: 'value' } }, formatParameter(p.name, p.value, token)),
      h('td', { class: 'num' }, p.bounds ? `${formatParameter(p.name, p.bounds.min, token)} – ${formatParameter(p.name, p.bounds.max, token)}` : '—'),
      h('td', { class: 'num' }, p.bounds ? `± ${formatParameter(p.name, p.bounds.maxStep, token)}` : '—'),
      h('td', {}, p.bounds ? position(p.value, p.bounds) : null),
    ),
  );

  const trackCards = snapshot.tracks.map((t) =>
    h(
      'div',
      { class: 'track', dataset: { track: t.track } },
      h('h4', {}, `${t.track} track`, h('span', { class: 'small muted' }, t.track === 'Fast' ? ' · tightening' : ' · loosening')),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Voting'), h('dd', {}, `${t.votingPeriod} blocks`),
        h('dt', {}, 'Turnout'), h('dd', {}, `≥ ${perbillPct(t.minTurnout)} of issuance`),
        h('dt', {}, 'Approval'), h('dd', {}, `≥ ${perbillPct(t.minApproval)} ayes`),
        h('dt', {}, 'Enactment'), h('dd', {}, t.enactmentDelay ? `after ${t.enactmentDelay} blocks` : 'at once'),
      ),
    ),
  );

  const proposalRows = snapshot.proposals.map((p) => {
    const total = p.ayes + p.nays;
    const ayePct = total > 0n ? Number((p.ayes * 10000n) / total) / 100 : 0;
    const left = p.votingEnds - snapshot.blockNumber;
    return h(
      'tr',
      { dataset: { proposal: p.id, track: p.track, ayes: p.ayes.toString(), nays: p.nays.toString() } },
      h('td', { class: 'num' }, `#${p.id}`),
      h('td', {}, describeAction(p.action, snapshot, token)),
      h('td', {}, pill(p.track)),
      h('td', { class: 'num' }, blockNo(p.votingEnds), h('div', { class: 'small muted' }, left >= 0 ? `${left} blocks left` : 'voting over; awaiting close')),
      h(
        'td',
        { class: 'tally' },
        h('div', { class: 'tallybar', title: `${ayePct}% ayes` }, h('span', { class: 'aye', style: `width:${total > 0n ? ayePct : 0}%` }), h('span', { class: 'nay', style: `width:${total > 0n ? 100 - ayePct : 0}%` })),
        h('div', { class: 'small' }, h('span', { class: 'good' }, `aye ${balance(p.ayes, token)}`), ' · ', h('span', { class: 'bad' }, `nay ${balance(p.nays, token)}`)),
      ),
      h('td', {}, account(p.proposer, { short: true })),
      h('td', { class: 'row-actions' }, proposalActions(p, snapshot.blockNumber)),
    );
  });

  const styleRows = [...snapshot.styles].sort((a, b) => a[0] - b[0]).map(([id, s]) =>
    h(
      'tr',
      { dataset: { style: id } },
      h('td', { class: 'num' }, `#${id}`),
      h('td', {}, s.name, s.blend.length ? blendBar(s.blend) : null, sample(snapshot.jobs, id)),
      h('td', {}, s.blend.length ? `stylize blend of ${s.blend.length} basis styles` : 'no blend: for generators and line art', h('div', { class: 'small muted' }, `${s.dimensions}-d reference`)),
      h('td', {}, pill(s.status)),
    ),
  );
  const modelRows = [...snapshot.models].sort((a, b) => a[0] - b[0]).map(([id, m]) =>
    h(
      'tr',
      { dataset: { model: id } },
      h('td', { class: 'num' }, `#${id}`),
      h('td', {}, `${m.name} v${m.version}`, h('div', { class: 'small muted' }, m.kind)),
      h('td', {}, h('code', { class: 'hash' }, m.weightsHash.slice(2))),
      h('td', {}, pill(m.status), snapshot.suspendedModels.some((s) => s.model === id) ? pill('Suspended') : null),
    ),
  );

  replaceChildren(
    el,
    h('h3', {}, 'Parameters'),
    h('div', { class: 'table-wrap' }, table(['Parameter', 'Value', 'Bounds', 'Max step', 'Within bounds'], paramRows, { class: 'params' })),
    h('div', { class: 'two-col' },
      h('div', {}, h('h3', {}, 'Tracks'), h('div', { class: 'tracks' }, trackCards)),
      h('div', {}, h('h3', {}, 'Reviewer council'), snapshot.reviewers.length ? h('ul', { class: 'council' }, snapshot.reviewers.map((r) => h('li', {}, account(r)))) : empty('No reviewers.')),
    ),
    h('h3', {}, `Open proposals (${snapshot.proposals.length})`),
    snapshot.proposals.length
      ? h('div', { class: 'table-wrap' }, table(['#', 'Action', 'Track', 'Voting ends', 'Tally', 'Proposer', ''], proposalRows, { class: 'proposals' }))
      : empty('No proposals open for voting.'),
    h('div', { class: 'two-col' },
      h('div', {}, h('h3', {}, 'Styles'), h('div', { class: 'table-wrap' }, table(['#', 'Name', 'Reference', 'Status'], styleRows, { class: 'registry' }))),
      h('div', {}, h('h3', {}, 'Models'), h('div', { class: 'table-wrap' }, table(['#', 'Model', 'Weights sha256', 'Status'], modelRows, { class: 'registry' }))),
    ),
  );
}

/** Where the value sits between its bounds. */
function position(value, { min, max }) {
  const span = max - min;
  const pct = span > 0n ? Number(((value - min) * 1000n) / span) / 10 : 0;
  return h('span', { class: 'range', title: `${pct}% of the way from min to max` }, h('span', { class: 'marker', style: `left:${pct}%` }));
}

/** The newest settled restyle made in style `id`, as a small sample. */
function sample(jobs, id) {
  const made = jobs.find((job) => job.style === id && job.content && job.status === 'Settled' && job.output);
  if (!made) return null;
  return thumbnail(made.output, `a sample of the style (job #${made.id})`, { class: 'style-sample', title: `job #${made.id}` });
}

/** A stylize style's basis blend as a bar of its shares, each labelled with its basis style. */
function blendBar(blend) {
  return h(
    'div',
    { class: 'blend', title: blend.map(([basis, share]) => `basis ${basis}: ${Math.round(share * 100)} %`).join(', ') },
    blend.map(([basis, share], i) => h('span', { class: `blend-term blend-${i % 4}`, style: `width:${share * 100}%`, dataset: { basis } }, `${basis}`)),
  );
}

function describeAction(a, snapshot, token) {
  switch (a.kind) {
    case 'SetParameter': {
      const current = snapshot.parameters.find((p) => p.name === a.parameter);
      return h('span', {}, 'Set ', h('strong', {}, a.parameter), ` to ${formatParameter(a.parameter, a.value, token)}`,
        current ? h('span', { class: 'small muted' }, ` (now ${formatParameter(a.parameter, current.value, token)})`) : null);
    }
    case 'AddStyle':
      return a.blend.length
        ? `Add stylize style “${a.name}” (blend ${a.blend.map(([b, w]) => `${b}:${w}`).join(', ')})`
        : `Add style “${a.name}” (${a.dimensions}-d reference)`;
    case 'RetireStyle':
      return `Retire style ${snapshot.styles.get(a.style)?.name ?? ''} #${a.style}`;
    case 'ApproveModel':
      return h('span', {}, `Approve model ${a.name} v${a.version} (${a.modelKind}) `, h('code', { class: 'hash' }, a.weightsHash.slice(2)));
    case 'RetireModel':
      return `Retire model ${snapshot.models.get(a.model)?.name ?? ''} #${a.model}`;
    case 'SetReviewers':
      return h('span', {}, `Set the reviewer council (${a.reviewers.length}): `, a.reviewers.map((r) => account(r, { short: true })));
    case 'AddValidator':
      return h('span', {}, 'Add validator ', account(a.validator, { short: true }));
    case 'RemoveValidator':
      return h('span', {}, 'Remove validator ', account(a.validator, { short: true }));
    case 'AuthorizeUpgrade':
      return h('span', {}, 'Authorize the runtime upgrade to code ', h('code', { class: 'hash' }, a.codeHash.slice(2)));
    default:
      return `${a.kind} ${a.raw ?? ''}`;
  }
}
