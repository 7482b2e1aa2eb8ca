// Signing and following one extrinsic: its status as the user sees it (signing → in the pool →
// in block #n → finalized) and, when it fails, the pallet error's name and doc line, as the
// `studio` CLI says it.

import { signingArgs } from './wallet.js';

/**
 * Why a dispatch failed, in words: `Pallet::Error: its doc line` for a pallet's error, the
 * runtime's own words for the rest (`Token::FundsUnavailable`, `BadOrigin` …).
 */
export function explainDispatchError(api, dispatchError) {
  if (dispatchError.isModule) {
    try {
      const meta = api.registry.findMetaError(dispatchError.asModule);
      return { name: `${upperFirst(meta.section)}::${meta.name}`, doc: meta.docs.join(' ').trim() };
    } catch {
      /* an error the page's metadata does not know */
    }
  }
  if (dispatchError.isToken) return { name: `Token::${dispatchError.asToken.type}`, doc: TOKEN_DOCS[dispatchError.asToken.type] ?? '' };
  if (dispatchError.isArithmetic) return { name: `Arithmetic::${dispatchError.asArithmetic.type}`, doc: '' };
  return { name: dispatchError.type, doc: dispatchError.toString() };
}

const upperFirst = (s) => s.charAt(0).toUpperCase() + s.slice(1);

const TOKEN_DOCS = {
  FundsUnavailable: 'the account has not enough free (unfrozen, unheld) balance',
  OnlyProvider: 'the account would die, and it is the only provider of another',
  BelowMinimum: 'the amount would leave less than the existential deposit',
  Frozen: 'the funds are frozen',
};

/** A pool error (`1010: Invalid Transaction: Inability to pay some fees …`) in one line. */
function explainPoolError(error) {
  const text = String(error?.message ?? error);
  if (/Inability to pay some fees/i.test(text)) return { name: 'Payment', doc: 'the account cannot pay the transaction fee' };
  if (/Cancelled|Rejected by user/i.test(text)) return { name: 'Cancelled', doc: 'the wallet did not sign' };
  return { name: 'Invalid', doc: text };
}

export class TxFailed extends Error {
  constructor({ name, doc }) {
    super(doc ? `${name}: ${doc}` : name);
    this.errorName = name;
    this.doc = doc;
  }
}

/**
 * Signs `tx` for `account` and follows it. `onStatus({ stage, text })` hears 'signing',
 * 'pool', 'in-block', 'finalized' and 'failed'. Resolves with `{ blockHash, events }` once the
 * extrinsic succeeded in a block (finality is still reported after), rejects with `TxFailed`.
 */
export function signAndFollow(api, account, tx, onStatus) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why) => {
      onStatus({ stage: 'failed', text: why.doc ? `${why.name}: ${why.doc}` : why.name, error: why.name });
      if (!settled) {
        settled = true;
        reject(new TxFailed(why));
      }
    };
    onStatus({ stage: 'signing', text: account.pair ? 'signing with the dev key' : `waiting for ${account.source} to sign` });
    let unsubscribe = null;
    tx.signAndSend(...signingArgs(account), (result) => {
      const { status, dispatchError, events } = result;
      if (status.isReady || status.isBroadcast) onStatus({ stage: 'pool', text: 'in the transaction pool' });
      else if (status.isInBlock || status.isFinalized) {
        const where = status.isInBlock ? status.asInBlock : status.asFinalized;
        if (dispatchError) return fail(explainDispatchError(api, dispatchError));
        const stage = status.isInBlock ? 'in-block' : 'finalized';
        void api.rpc.chain.getHeader(where).then(
          (header) => onStatus({ stage, text: `${stage === 'in-block' ? 'in block' : 'finalized in block'} #${header.number.toNumber()}`, blockHash: where.toHex() }),
          () => onStatus({ stage, text: stage === 'in-block' ? 'in a block' : 'finalized' }),
        );
        if (!settled) {
          settled = true;
          resolve({ blockHash: where.toHex(), events });
        }
        if (status.isFinalized) unsubscribe?.();
      } else if (status.isDropped || status.isInvalid || status.isUsurped) fail({ name: status.type, doc: 'the node dropped the transaction' });
    })
      .then((unsub) => {
        unsubscribe = unsub;
      })
      .catch((error) => fail(explainPoolError(error)));
  });
}

/** The first event `section.method` in a result's events, or null. */
export function findEvent(events, section, method) {
  return events.find(({ event }) => event.section === section && event.method === method)?.event ?? null;
}
