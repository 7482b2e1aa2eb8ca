// The curation board: each running curation's finalists side by side with their live tallies,
// the curations that closed (the chosen design and the unchosen candidates), and how each
// style's learned preference moved.

import { h, replaceChildren } from '../dom.js';
import { balance, blockNo, permillPct } from '../format.js';
import { empty, styleName, table } from './common.js';
import { session } from '../session.js';
import { actionButton, cannotPay, parseAmount } from '../actions.js';

const image = (cid, alt) =>
  cid ? h('img', { src: `/ipfs/${cid}`, alt, loading: 'lazy', width: 128, height: 128 }) : h('span', { class: 'muted' }, 'no output');

export function renderCuration(el, snapshot, history, { token }) {
  const running = snapshot.curations.map((c) => {
    const total = c.finalists.reduce((sum, f) => sum + f.weight, 0n);
    const left = c.endsAt - snapshot.blockNumber;
    return h(
      'article',
      { class: 'curation', id: `curation-${c.job}`, dataset: { curationJob: c.job, endsAt: c.endsAt } },
      h(
        'h3',
        {},
        `Job #${c.job} · ${styleName(snapshot.styles, c.style)} · reward ${balance(c.reward, token)} · `,
        left > 0 ? `stakes until ${blockNo(c.endsAt)} (${left} blocks left)` : `ended at ${blockNo(c.endsAt)}: closing`,
      ),
      h(
        'div',
        { class: 'finalists' },
        c.finalists.map((f) => {
          const share = total === 0n ? 0 : Number((f.weight * 10000n) / total) / 100;
          return h(
            'figure',
            { class: 'finalist', dataset: { finalist: f.index, cid: f.cid ?? '', weight: f.weight.toString() } },
            image(f.cid, `finalist ${f.index} of job ${c.job}`),
            h(
              'figcaption',
              {},
              h('strong', {}, `#${f.index}`),
              ` deviation ${permillPct(f.deviation)}`,
              h('div', { class: 'tally-bar', role: 'img', 'aria-label': `${share} % of the weighted stakes` }, h('span', { style: `width:${share}%` })),
              h('div', { class: 'small' }, `${balance(f.weight, token)} weighted · ${share} %`),
              left > 0 ? stakeButton(c, f) : null,
            ),
          );
        }),
      ),
      h('p', { class: 'small muted' }, `${c.stakes.length} stakes · or stake with \`studio curate stake ${c.job} <finalist> --amount …\` or polkadot.js \`curation.stake\``),
      h('div', { class: 'row-actions' }, curationActions(c, left)),
    );
  });

  const closed = snapshot.jobs
    .filter((job) => job.curation && job.output && (job.status === 'Delivered' || job.status === 'Settled'))
    .map((job) => {
      const candidates = snapshot.assets.filter((a) => a.generation?.job === job.id && a.cid !== job.output);
      return h(
        'tr',
        { dataset: { closedCuration: job.id, winner: job.output } },
        h('td', { class: 'num' }, `#${job.id}`),
        h('td', {}, styleName(snapshot.styles, job.style)),
        h('td', { class: 'winner' }, image(job.output, `the chosen design of job ${job.id}`)),
        h('td', { class: 'unchosen' }, candidates.map((a) => image(a.cid, `an unchosen finalist of job ${job.id}`))),
      );
    });

  const preferences = [...history].map(([style, samples]) => {
    const reference = snapshot.styles.get(style);
    const path = samples.filter((s) => s.length !== null).map((s) => `${blockNo(s.block)}: ${s.length.toFixed(3)}`);
    return h(
      'tr',
      { dataset: { preferenceStyle: style, preferenceLength: (snapshot.preferences.get(style) ?? 0).toFixed(6) } },
      h('td', {}, reference ? styleName(snapshot.styles, style) : `style #${style}`),
      h('td', { class: 'num' }, (snapshot.preferences.get(style) ?? 0).toFixed(3)),
      h('td', { class: 'small' }, path.length ? path.join(' → ') : '—'),
    );
  });

  replaceChildren(
    el,
    h('h3', {}, 'Running'),
    running.length ? running : empty('No curation runs. Ask for one with `studio job submit … --curate 4`.'),
    h('h3', {}, 'Chosen'),
    closed.length ? h('div', { class: 'table-wrap' }, table(['job', 'style', 'chosen', 'unchosen finalists'], closed, { class: 'closed-curations' })) : empty('No curation has closed yet.'),
    h('h3', {}, 'What the styles learned'),
    preferences.length
      ? h('div', { class: 'table-wrap' }, table(['style', 'preference length', 'after each closed curation'], preferences, { class: 'preferences' }))
      : empty('No style has learned a preference yet.'),
  );
}

/** Stakes on finalist `f` of curation `c` (changing the actor's stake if it has one). */
function stakeButton(c, f) {
  const { api, token, limits } = session;
  const mine = c.stakes.find((s) => s.curator === session.actor?.address);
  const reputation = session.standing ? 1 + session.standing.reputation / 1e6 : 1;
  return actionButton(
    mine?.finalist === f.index ? 'Change stake' : 'Stake',
    {
      id: 'stake',
      title: `Stake on finalist #${f.index} of job #${c.job}`,
      about: `Held until the curation closes, then released. It weighs its amount × your reputation (${reputation.toFixed(2)}×); if this finalist wins, you share ${balance(c.reward, token)} with its other stakers.${mine ? ` This replaces your stake of ${balance(mine.amount, token)} on #${mine.finalist}.` : ''}`,
      fields: [{ name: 'amount', label: 'Stake', type: 'amount', value: '' }],
      check: ({ amount }) => {
        const planck = parseAmount(amount);
        if (planck === null) return `the stake is not an amount of ${token.symbol}`;
        if (planck < limits.minStake) return `the stake is below the minimum of ${balance(limits.minStake, token)} (MinStake)`;
        return cannotPay(planck - (mine?.amount ?? 0n), 'this stake');
      },
      build: ({ amount }) => api.tx.curation.stake(c.job, f.index, parseAmount(amount)),
      done: (_, { amount }) => `staked ${amount} ${token.symbol} on finalist #${f.index}`,
    },
    { job: c.job, finalist: f.index },
  );
}

/** Withdraw the actor's stake while the curation runs; close it once it ended (anyone). */
function curationActions(c, left) {
  const { api } = session;
  if (left <= 0) {
    return actionButton('Close', { id: 'close-curation', title: `Close the curation of job #${c.job}`, about: 'Picks the finalist with the largest weighted stake, pays its stakers and releases every stake.', build: () => api.tx.curation.closeCuration(c.job), done: () => 'closed' }, { job: c.job });
  }
  if (!c.stakes.some((s) => s.curator === session.actor?.address)) return null;
  return actionButton('Withdraw my stake', { id: 'withdraw-stake', title: `Withdraw your stake on job #${c.job}`, build: () => api.tx.curation.withdrawStake(c.job), done: () => 'withdrawn: the hold is released' }, { job: c.job });
}
