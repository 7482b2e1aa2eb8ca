// Token holders act: propose a parameter change (with the verdict the CLI's dry run gives:
// bounds, step, track), and vote on open proposals with an amount (which stays frozen while
// the vote counts).

import { h, replaceChildren } from '../dom.js';
import { balance } from '../format.js';
import { session } from '../session.js';
import { actionButton, cannotPay, parseAmount, follow, showRefusal } from '../actions.js';
import { findEvent } from '../tx.js';
import { formatParameter, PARAMETER_RULES } from './governance.js';

/** The verdict on setting `name` to `value`: `{ refused, lines, track }` as the pallet decides it. */
export function parameterVerdict(name, value) {
  const p = session.snapshot.parameters.find((x) => x.name === name);
  if (!p || !p.bounds) return { refused: `${name} has no value or bounds on this chain`, lines: [], track: null };
  const { min, max, maxStep } = p.bounds;
  const step = value > p.value ? value - p.value : p.value - value;
  const fmt = (v) => formatParameter(name, v, session.token);
  const refused =
    value < min || value > max ? `${fmt(value)} is outside the bounds ${fmt(min)} – ${fmt(max)} fixed at genesis`
    : step > maxStep ? `a step of ${fmt(step)} is more than the largest step, ${fmt(maxStep)}`
    : value === p.value ? `${name} is already ${fmt(value)}`
    : null;
  const safer = PARAMETER_RULES[name]?.safer ?? 'neither';
  const tightening = (safer === 'lower' && value < p.value) || (safer === 'higher' && value > p.value);
  const fast = tightening && step <= maxStep / 2n;
  return {
    refused,
    track: fast ? 'Fast' : 'Slow',
    lines: [
      `set ${name} from ${fmt(p.value)} to ${fmt(value)}`,
      `bounds ${fmt(min)} – ${fmt(max)}; a step of ${fmt(step)} of at most ${fmt(maxStep)}`,
      fast ? 'tightens the studio: fast track' : tightening ? 'tightens the studio by more than half the largest step: slow track' : 'loosens (or re-tunes) the studio: slow track',
    ],
  };
}

/** The propose form; built once. */
export function renderPropose(el) {
  const name = h('select', { name: 'parameter' });
  const value = h('input', { name: 'value', autocomplete: 'off' });
  const unit = h('span', { class: 'small muted' });
  const verdict = h('ul', { class: 'verdict small', dataset: { field: 'verdict' } });
  const problem = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const status = h('ol', { class: 'tx-status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Propose');
  const fill = () => {
    const chosen = name.value;
    const order = Object.keys(PARAMETER_RULES);
    const parameters = [...(session.snapshot?.parameters ?? [])].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    replaceChildren(name, parameters.map((p) => h('option', { value: p.name, selected: p.name === chosen }, p.name)));
  };
  const parse = () => {
    const rule = PARAMETER_RULES[name.value];
    if (rule?.unit === 'balance') return parseAmount(value.value);
    return /^\s*\d+\s*$/.test(value.value) ? BigInt(value.value.trim()) : null;
  };
  const show = () => {
    const rule = PARAMETER_RULES[name.value];
    unit.textContent = { balance: session.token.symbol, permill: 'parts per million', blocks: 'blocks' }[rule?.unit] ?? '';
    const v = parse();
    if (v === null) return replaceChildren(verdict);
    const { refused, lines, track } = parameterVerdict(name.value, v);
    verdict.dataset.track = track ?? '';
    replaceChildren(verdict, lines.map((line) => h('li', {}, line)), refused ? h('li', { class: 'bad' }, `refused: ${refused}`) : null);
  };
  const form = h(
    'form',
    {
      id: 'propose-form',
      class: 'act-form',
      onInput: show,
      onChange: show,
      onSubmit: async (event) => {
        event.preventDefault();
        problem.hidden = true;
        replaceChildren(status);
        const v = parse();
        const deposit = session.api.consts.studioGovernance.proposalDeposit.toBigInt();
        const wrong =
          (!session.actor && 'choose an account to act as first') ||
          (v === null && `the value is not a number${PARAMETER_RULES[name.value]?.unit === 'balance' ? ` of ${session.token.symbol}` : ''}`) ||
          parameterVerdict(name.value, v).refused ||
          cannotPay(deposit, 'the proposal deposit');
        if (wrong) return showRefusal(problem, wrong);
        submit.disabled = true;
        try {
          const { events } = await follow(session.api.tx.studioGovernance.propose({ SetParameter: { parameter: name.value, value: v } }), status);
          const proposed = findEvent(events, 'studioGovernance', 'Proposed');
          if (proposed) status.append(h('li', { dataset: { stage: 'done', proposal: proposed.data[0].toString() } }, `proposal #${proposed.data[0]} is open for votes`));
        } catch (error) {
          showRefusal(problem, error.message, error.errorName ?? 'failed');
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h3', {}, 'Propose a parameter change'),
    h('div', { class: 'field-row' }, h('label', { class: 'field' }, h('span', {}, 'Parameter'), name), h('label', { class: 'field' }, h('span', {}, 'New value'), value, unit)),
    verdict,
    problem,
    submit,
    status,
  );
  replaceChildren(el, form);
  fill();
  return fill;
}

/** A proposal's actions: vote while it runs, close once it is over. */
export function proposalActions(p, blockNumber) {
  const { api, token } = session;
  if (blockNumber <= p.votingEnds) {
    return actionButton(
      'Vote',
      {
        id: 'vote',
        title: `Vote on proposal #${p.id}`,
        about: 'The amount stays frozen (still yours, not spendable) until the proposal closes and you unlock; the same tokens may vote on several proposals.',
        fields: [
          { name: 'side', label: 'Vote', type: 'choice', value: 'aye', options: [['aye', 'Aye'], ['nay', 'Nay']] },
          { name: 'amount', label: 'Amount', type: 'amount', value: '' },
        ],
        check: ({ amount }) => {
          const planck = parseAmount(amount);
          if (planck === null || planck === 0n) return `the amount is not a positive amount of ${token.symbol}`;
          const free = session.standing?.free ?? 0n;
          return planck > free ? `you have ${balance(free, token)}; a vote weighs at most your balance` : null;
        },
        build: ({ side, amount }) => api.tx.studioGovernance.vote(p.id, side === 'aye', parseAmount(amount)),
        done: (_, { side, amount }) => `voted ${side} with ${amount} ${token.symbol}`,
      },
      { proposal: p.id },
    );
  }
  return actionButton(
    'Close',
    { id: 'close-proposal', title: `Close proposal #${p.id}`, about: 'Counts the votes; anyone may close a proposal whose voting is over.', build: () => api.tx.studioGovernance.close(p.id), done: () => 'closed' },
    { proposal: p.id },
  );
}

