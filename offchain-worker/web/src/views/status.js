// The header: chain name, best and finalized blocks, connection state.

import { h, replaceChildren } from '../dom.js';
import { blockNo } from '../format.js';

const LABELS = {
  connecting: 'connecting…',
  connected: 'connected',
  ready: 'live',
  disconnected: 'disconnected',
  error: 'unreachable',
};

export function renderStatus(el, s) {
  el.dataset.state = s.state;
  if (s.best !== null) el.dataset.best = s.best;
  if (s.finalized !== null) el.dataset.finalized = s.finalized;
  replaceChildren(
    el,
    h(
      'div',
      { class: 'brand' },
      h('span', { class: 'logo', 'aria-hidden': 'true' }, '◉'),
      h('div', {}, h('strong', {}, 'Studio Chain'), h('span', { class: 'sub' }, 'web studio')),
    ),
    h(
      'div',
      { class: 'chain-facts' },
      fact('chain', s.chain ?? '—', 'chain'),
      fact('best', s.best !== null ? blockNo(s.best) : '—', 'best'),
      fact('finalized', s.finalized !== null ? blockNo(s.finalized) : '—', 'finalized'),
      fact('token', s.token ? `${s.token.symbol} · ${s.token.decimals} dec` : '—', 'token'),
    ),
    h(
      'div',
      { class: `conn conn-${s.state}`, title: s.message ?? '' },
      h('span', { class: 'dot', 'aria-hidden': 'true' }),
      h('span', { dataset: { field: 'connection' } }, LABELS[s.state] ?? s.state),
      h('code', { class: 'rpc' }, s.rpc ?? ''),
    ),
  );
}

function fact(label, value, field) {
  return h('div', { class: 'fact' }, h('span', { class: 'label' }, label), h('span', { class: 'value', dataset: { field } }, value));
}
