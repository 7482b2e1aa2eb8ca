// Actions on a row (vote on a proposal, stake on a finalist, resume an incident, cancel a
// job …) open one dialog: what the action does, the fields it needs, what it will cost, then
// the extrinsic's status as it goes. The dialog lives outside the sections that re-render at
// every block, so nothing typed in it is lost when a block arrives.

import { h, replaceChildren } from './dom.js';
import { session } from './session.js';
import { signAndFollow } from './tx.js';
import { balance } from './format.js';

/**
 * An action: `{ id, title, about, fields, cost, check, build, done }`.
 * - `fields`: `[{ name, label, type: 'amount' | 'number' | 'choice' | 'text', value, options }]`.
 * - `check(values)`: a sentence saying what is wrong (nothing is signed), or null.
 * - `build(values)`: the extrinsic.
 * - `done(result, values)`: a sentence for the dialog once it is in a block.
 */
export function actionButton(label, action, data = {}) {
  if (!session.actor) return null;
  return h(
    'button',
    { type: 'button', class: 'act-button', dataset: { action: action.id, ...data }, onClick: () => openAction(action) },
    label,
  );
}

/** Parses "12.5" in the token's units into planck; null when it is not an amount. */
export function parseAmount(text, token = session.token) {
  const match = /^\s*(\d+)(?:\.(\d+))?\s*$/.exec(String(text));
  if (!match || (match[2] ?? '').length > token.decimals) return null;
  const unit = 10n ** BigInt(token.decimals);
  return BigInt(match[1]) * unit + BigInt((match[2] ?? '').padEnd(token.decimals, '0') || '0');
}

/** Whether the actor can pay `amount` (plus `fee`) from what is spendable; a sentence if not. */
export function cannotPay(amount, what, fee = 0n) {
  const standing = session.standing;
  if (!standing) return null;
  if (amount + fee <= standing.spendable) return null;
  const name = session.actor.name.replace(/ \(dev key\)$/, '');
  return `${name} has ${balance(standing.spendable, session.token)} to spend; ${what} needs ${balance(amount, session.token)}${fee ? ` + ${balance(fee, session.token)} fee` : ' + the fee'}`;
}

const dialog = () => document.getElementById('action-dialog');

function openAction(action) {
  const el = dialog();
  const inputs = {};
  const field = (f) => {
    let input;
    if (f.type === 'choice') input = h('select', { name: f.name }, f.options.map(([value, text]) => h('option', { value, selected: value === f.value }, text)));
    else input = h('input', { name: f.name, type: f.type === 'number' ? 'number' : 'text', value: f.value ?? '', inputmode: f.type === 'amount' ? 'decimal' : null, required: true, autocomplete: 'off' });
    inputs[f.name] = input;
    return h('label', { class: 'field' }, h('span', {}, f.label, f.type === 'amount' ? ` (${session.token.symbol})` : ''), input);
  };
  const statusList = h('ol', { class: 'tx-status', 'aria-live': 'polite' });
  const problem = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const costLine = h('p', { class: 'small muted cost' });
  const submit = h('button', { type: 'submit', class: 'primary' }, `Sign as ${session.actor.name}`);
  const values = () => Object.fromEntries(Object.entries(inputs).map(([k, input]) => [k, input.value]));
  const updateCost = async () => {
    if (!action.cost) return;
    try {
      costLine.textContent = await action.cost(values());
    } catch {
      costLine.textContent = '';
    }
  };
  const form = h(
    'form',
    {
      method: 'dialog',
      onSubmit: async (event) => {
        event.preventDefault();
        problem.hidden = true;
        const v = values();
        const wrong = action.check ? await action.check(v) : null;
        if (wrong) {
          showRefusal(problem, wrong);
          return;
        }
        submit.disabled = true;
        try {
          const result = await follow(action.build(v), statusList);
          if (action.done) statusList.append(h('li', { dataset: { stage: 'done' } }, action.done(result, v)));
        } catch (error) {
          showRefusal(problem, error.message ?? String(error), error.errorName);
        } finally {
          submit.disabled = false;
        }
      },
      onInput: () => void updateCost(),
    },
    h('h3', {}, action.title),
    action.about ? h('p', { class: 'small' }, action.about) : null,
    (action.fields ?? []).map(field),
    costLine,
    problem,
    h('div', { class: 'dialog-buttons' }, submit, h('button', { type: 'button', onClick: () => el.close() }, 'Close')),
    statusList,
  );
  replaceChildren(el, form);
  el.dataset.action = action.id;
  el.showModal();
  void updateCost();
}

/**
 * Shows why an action did not go through in a form's error line: `errorName` is the pallet
 * error (`Pallet::Error`), or what failed; by default it was refused before anything was signed.
 */
export function showRefusal(el, text, errorName = 'refused-before-signing') {
  el.textContent = text;
  el.hidden = false;
  el.dataset.error = errorName;
}

/**
 * Signs `tx` as the actor, writing each stage into `list`; resolves like `signAndFollow`, or
 * only once the block is final with `until: 'finalized'`.
 */
export function follow(tx, list, { until = 'in-block' } = {}) {
  replaceChildren(list);
  const shown = new Set();
  let final;
  const finalized = new Promise((resolve) => (final = resolve));
  const included = signAndFollow(session.api, session.actor, tx, ({ stage, text }) => {
    if (stage === 'finalized') final();
    if (shown.has(stage)) return;
    shown.add(stage);
    list.append(h('li', { dataset: { stage } }, text));
  });
  return until === 'finalized' ? included.then(async (result) => (await finalized, result)) : included;
}
