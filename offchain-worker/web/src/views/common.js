// Pieces the views share.

import { h } from '../dom.js';
import { cardId, ipfsUrl } from '../cid.js';
import { shortAddress } from '../format.js';

/** An account, full ss58 (it wraps), with the account in `data-account`. */
export function account(address, { short = false } = {}) {
  if (!address) return h('span', { class: 'muted' }, '—');
  return h('code', { class: 'addr', title: address, dataset: { account: address } }, short ? shortAddress(address) : address);
}

/** A 64 px thumbnail of a CID's image from this gateway, linked to the full image (`attrs` go to the link). */
export function thumbnail(cid, alt, attrs = {}) {
  return h(
    'a',
    { href: ipfsUrl(cid), target: '_blank', rel: 'noopener', title: cid, ...attrs },
    h('img', { class: 'pair-thumb', src: ipfsUrl(cid), alt, width: 64, height: 64, decoding: 'async' }),
  );
}

/** A link to a CID's gallery card. */
export function cidLink(cid, label = null) {
  return h('a', { class: 'cid-link', href: `#${cardId(cid)}`, title: cid, dataset: { cidLink: cid } }, label ?? `${cid.slice(0, 12)}…${cid.slice(-6)}`);
}

/** A coloured status pill; `data-status` holds the raw status. */
export function pill(status, extra = '') {
  return h('span', { class: `pill pill-${status.toLowerCase()} ${extra}`.trim(), dataset: { status } }, status);
}

/** A job's prompt: its text, or the hash of a prompt kept off chain. */
export function promptText(prompt) {
  if (!prompt) return h('span', { class: 'muted' }, '—');
  if (prompt.text !== undefined) return h('span', { class: 'prompt-text' }, prompt.text);
  return h('span', { class: 'muted', title: prompt.hash }, `prompt off chain (sha256 ${prompt.hash.slice(0, 12)}…)`);
}

/** A style id with its registry name. */
export function styleName(styles, id) {
  const style = styles.get(id);
  return style ? `${style.name} (#${id})` : `style #${id}`;
}

/** A table with a header row; `rows` are arrays of cells or <tr> elements. */
export function table(headers, rows, attrs = {}) {
  return h(
    'table',
    attrs,
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))),
    h('tbody', {}, rows),
  );
}

/** A short "nothing here" line. */
export function empty(text) {
  return h('p', { class: 'empty' }, text);
}
