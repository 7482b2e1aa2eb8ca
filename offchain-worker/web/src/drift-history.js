// History of each agent's style-deviation average, for the drift chart.
//
// The chain keeps only the current `CircuitBreaker.AgentDeviation` of an agent, so the page
// samples it at the blocks where the agent's results landed (its provenance records' blocks
// and the blocks its incidents opened in), reading the state at those blocks. A sample at or
// below the finalized block never changes and is cached; a node that pruned that state
// (`--state-pruning`) answers an error, remembered as a gap.

import { readStats } from './data.js';

const cache = new Map(); // `${agent}@${block}` → stats | null (state unavailable)

/**
 * For every agent that has results or statistics: its samples over time, its results' own
 * deviations, and its current statistics.
 */
export async function readDriftHistory(api, snapshot, finalizedNumber) {
  const agents = new Map(); // agent → { results: [{block, deviation, cid, status}], blocks: Set }
  const agentEntry = (agent) => {
    if (!agents.has(agent)) agents.set(agent, { results: [], blocks: new Set() });
    return agents.get(agent);
  };
  for (const asset of snapshot.assets) {
    if (!asset.generation) continue;
    const entry = agentEntry(asset.generation.worker);
    entry.results.push({
      block: asset.recordedAt,
      deviation: asset.generation.styleDeviation,
      cid: asset.cid,
      status: asset.status,
      job: asset.generation.job,
    });
    entry.blocks.add(asset.recordedAt);
  }
  for (const incident of snapshot.incidents) {
    if (incident.scope.kind === 'Agent') agentEntry(incident.scope.agent).blocks.add(incident.openedAt);
  }
  for (const agent of snapshot.agentDeviation.keys()) agentEntry(agent);

  const hashes = new Map(); // block number → hash, per call
  const blockHash = async (n) => {
    if (!hashes.has(n)) hashes.set(n, api.rpc.chain.getBlockHash(n));
    return hashes.get(n);
  };

  const out = [];
  for (const [agent, { results, blocks }] of agents) {
    const samples = [];
    let unavailable = 0;
    for (const block of [...blocks].sort((a, b) => a - b)) {
      if (block > snapshot.blockNumber) continue;
      const key = `${agent}@${block}`;
      let stats = cache.get(key);
      if (stats === undefined) {
        try {
          const at = await api.at(await blockHash(block));
          stats = readStats(await at.query.circuitBreaker.agentDeviation(agent));
        } catch (error) {
          console.warn(`agentDeviation of ${agent} at #${block} unavailable: ${error.message}`);
          stats = null;
        }
        if (block <= finalizedNumber) cache.set(key, stats);
      }
      if (stats) samples.push({ block, ...stats });
      else unavailable += 1;
    }
    const current = snapshot.agentDeviation.get(agent) ?? null;
    if (current && current.results > 0) {
      // The average also changes without a result (a resume sets it to half the limit): find
      // the block where it became what it is now, so the chart steps there, not at "now".
      const last = samples[samples.length - 1];
      if (last && !sameStats(last, current)) {
        const changed = await findChange(api, agent, last.block, snapshot.blockNumber, current, finalizedNumber, blockHash);
        if (changed !== null && changed < snapshot.blockNumber) samples.push({ block: changed, ...current });
      }
      samples.push({ block: snapshot.blockNumber, ...current, current: true });
    }
    results.sort((a, b) => a.block - b.block);
    out.push({
      agent,
      samples,
      results,
      current,
      unavailable,
      halted: snapshot.haltedAgents.find((h) => h.agent === agent)?.incident ?? null,
    });
  }
  out.sort((a, b) => a.agent.localeCompare(b.agent));
  return out;
}

const sameStats = (a, b) => a.ema === b.ema && a.results === b.results && a.limit === b.limit;

const changes = new Map(); // `${agent}@${from}→${stats}` → block

/**
 * The first block after `from` (up to `to`) whose AgentDeviation of `agent` equals `target`,
 * by bisection over the state (about log2(to − from) reads, remembered once final); null when
 * the state is not available.
 */
async function findChange(api, agent, from, to, target, finalizedNumber, blockHash) {
  const key = `${agent}@${from}→${target.ema}/${target.results}/${target.limit}`;
  if (changes.has(key)) return changes.get(key);
  let lo = from; // differs from target
  let hi = to; // equals target
  try {
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      const at = await api.at(await blockHash(mid));
      const stats = readStats(await at.query.circuitBreaker.agentDeviation(agent));
      if (sameStats(stats, target)) hi = mid;
      else lo = mid;
    }
  } catch (error) {
    console.warn(`could not date the last change of ${agent}'s average: ${error.message}`);
    return null;
  }
  if (hi <= finalizedNumber) changes.set(key, hi);
  return hi;
}
