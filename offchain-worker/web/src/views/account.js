// The acting account: who the page signs as (an extension's account, or a dev key on a dev
// chain), with its free, held and frozen balance and its roles.

import { h, replaceChildren } from '../dom.js';
import { balance } from '../format.js';
import { session, setActor, addAccounts } from '../session.js';
import { extensionAccounts } from '../wallet.js';
import { actionButton } from '../actions.js';

export function renderAccount(el) {
  const { accounts, actor, standing, token } = session;
  const select = h(
    'select',
    { id: 'actor', 'aria-label': 'act as', onChange: (event) => void setActor(event.target.value || null) },
    h('option', { value: '' }, accounts.length ? 'Read only (choose an account to act)' : 'Read only'),
    group('Wallet', accounts.filter((a) => a.source !== 'dev')),
    group('Dev keys — public, for development chains only', accounts.filter((a) => a.source === 'dev')),
  );
  select.value = actor?.address ?? '';
  const connect = h('button', { type: 'button', id: 'connect-wallet', onClick: () => void connectWallet(el) }, 'Connect wallet');
  replaceChildren(
    el,
    h('div', { class: 'account-row' }, h('label', { for: 'actor' }, 'Act as'), select, connect),
    session.walletNote ? h('p', { class: 'small muted', id: 'wallet-note' }, session.walletNote) : null,
    actor?.source === 'dev' ? h('p', { class: 'small warn' }, 'Signing with a well-known development key: anyone can sign as this account.') : null,
    actor && standing ? standingView(standing, token) : actor ? h('p', { class: 'small muted' }, 'reading the account…') : null,
  );
}

function group(label, accounts) {
  if (!accounts.length) return null;
  return h('optgroup', { label }, accounts.map((a) => h('option', { value: a.address }, `${a.name} · ${a.address.slice(0, 6)}…${a.address.slice(-4)}`)));
}

function standingView(s, token) {
  const roles = [
    s.jobs ? `client of ${s.jobs} job${s.jobs === 1 ? '' : 's'}` : null,
    s.worker ? `worker (bond ${balance(s.worker.bond, token)})` : null,
    s.reviewer ? 'reviewer' : null,
    s.reputation || s.wins || s.losses ? `curator: reputation ${(1 + s.reputation / 1e6).toFixed(2)}×, ${s.wins} won, ${s.losses} lost` : null,
    s.votes.length ? `voter on ${s.votes.map((v) => `#${v.proposal}`).join(', ')}` : null,
  ].filter(Boolean);
  const open = new Set(session.snapshot?.proposals.map((p) => p.id) ?? []);
  const closedVotes = s.votes.filter((v) => !open.has(v.proposal));
  return h(
    'div',
    { class: 'standing', dataset: { address: session.actor.address, free: s.free.toString(), reserved: s.reserved.toString(), frozen: s.frozen.toString() } },
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Free'), h('dd', { dataset: { field: 'free' } }, balance(s.free, token)),
      h('dt', {}, 'Held'), h('dd', { dataset: { field: 'held' } }, balance(s.reserved, token)),
      h('dt', {}, 'Frozen'), h('dd', { dataset: { field: 'frozen' } }, balance(s.frozen, token)),
      h('dt', {}, 'Spendable'), h('dd', { dataset: { field: 'spendable' } }, balance(s.spendable, token)),
    ),
    h('p', { class: 'small', dataset: { field: 'roles' } }, roles.length ? roles.join(' · ') : 'no role yet'),
    closedVotes.length
      ? actionButton('Unlock votes on closed proposals', {
          id: 'unlock',
          title: 'Unlock',
          about: `Forgets your votes on closed proposals (${closedVotes.map((v) => `#${v.proposal}`).join(', ')}) and lowers the freeze to your largest vote still open.`,
          build: () => session.api.tx.studioGovernance.unlock(),
          done: () => 'unlocked',
        })
      : null,
  );
}

async function connectWallet(el) {
  try {
    const { accounts, reason } = await extensionAccounts(session.api);
    session.walletNote = reason;
    addAccounts(accounts);
  } catch (error) {
    session.walletNote = `the wallet could not be reached: ${error.message ?? error}`;
  }
  renderAccount(el);
}
