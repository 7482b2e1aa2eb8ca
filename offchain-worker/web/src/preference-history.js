// How each style's learned preference moved: its length sampled at the blocks the style's
// curations closed in (a curated job's finalists were recorded at delivery; its curation closed
// `period` blocks later). Samples at or below the finalized block never change and are cached;
// a node that pruned that state answers an error, remembered as a gap.

import { vectorLength } from './data.js';

const cache = new Map(); // `${style}@${block}` → length | null (state unavailable)

/** For every style with a preference or a closed curation: [{ block, length }] in block order. */
export async function readPreferenceHistory(api, snapshot, finalizedNumber) {
  const blocks = new Map(); // style → Set of blocks
  for (const job of snapshot.jobs) {
    if (!job.curation) continue;
    const delivered = snapshot.assets.filter((a) => a.generation?.job === job.id).map((a) => a.recordedAt);
    if (!delivered.length) continue;
    const closedAt = Math.min(...delivered) + job.curation.period;
    if (closedAt > snapshot.blockNumber) continue;
    if (!blocks.has(job.style)) blocks.set(job.style, new Set());
    blocks.get(job.style).add(closedAt);
  }
  for (const style of snapshot.preferences.keys()) if (!blocks.has(style)) blocks.set(style, new Set());
  const history = new Map();
  for (const [style, at] of blocks) {
    const samples = [];
    for (const block of [...at].sort((a, b) => a - b)) {
      const key = `${style}@${block}`;
      let length = cache.get(key);
      if (length === undefined) {
        try {
          const state = await api.at(await api.rpc.chain.getBlockHash(block));
          const preference = await state.query.curation.preferences(style);
          length = preference.isSome ? vectorLength(preference.unwrap()) : 0;
        } catch (error) {
          console.warn(`the preference of style ${style} at #${block} is unavailable: ${error.message}`);
          length = null;
        }
        if (block <= finalizedNumber) cache.set(key, length);
      }
      samples.push({ block, length });
    }
    samples.push({ block: snapshot.blockNumber, length: snapshot.preferences.get(style) ?? 0 });
    history.set(style, samples);
  }
  return history;
}
