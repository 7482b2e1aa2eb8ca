// Reads everything the page shows from the chain's storage at one block, so a render is a
// consistent snapshot, and turns the polkadot.js codec objects into plain JS objects.

import { cidToText } from './cid.js';

/** Text of a BoundedVec<u8> name (UTF-8, lossy). */
const utf8 = (bytes) => new TextDecoder().decode(bytes.toU8a(true));

export async function readSnapshot(api, blockHash) {
  const at = await api.at(blockHash);
  const q = at.query;
  const [
    header,
    assetEntries,
    derivativeKeys,
    jobEntries,
    styleEntries,
    modelEntries,
    valueEntries,
    boundEntries,
    trackEntries,
    proposalEntries,
    reviewers,
    incidentEntries,
    haltedEntries,
    suspendedEntries,
    studioHalt,
    agentDeviationEntries,
    workerEntries,
    verificationEntries,
    verdictEntries,
    curationEntries,
    finalistEntries,
    preferenceEntries,
  ] = await Promise.all([
    api.rpc.chain.getHeader(blockHash),
    q.provenance.assets.entries(),
    q.provenance.derivatives.keys(),
    q.jobEscrow.jobs.entries(),
    q.studioGovernance.styles.entries(),
    q.studioGovernance.models.entries(),
    q.studioGovernance.parameterValues.entries(),
    q.studioGovernance.parameterBoundsOf.entries(),
    q.studioGovernance.tracks.entries(),
    q.studioGovernance.proposals.entries(),
    q.studioGovernance.reviewers(),
    q.circuitBreaker.incidents.entries(),
    q.circuitBreaker.haltedAgents.entries(),
    q.circuitBreaker.suspendedModels.entries(),
    q.circuitBreaker.studioHalt(),
    q.circuitBreaker.agentDeviation.entries(),
    q.jobEscrow.workers.entries(),
    q.jobEscrow.verifications.entries(),
    q.jobEscrow.verdicts.entries(),
    q.curation.curations.entries(),
    q.jobEscrow.finalists.entries(),
    q.curation.preferences.entries(),
  ]);

  const styles = new Map(styleEntries.map(([k, v]) => [k.args[0].toNumber(), readStyle(v.unwrap())]));
  const models = new Map(modelEntries.map(([k, v]) => [k.args[0].toNumber(), readModel(v.unwrap())]));
  const jobs = jobEntries.map(([k, v]) => readJob(k.args[0].toString(), v.unwrap()));
  jobs.sort((a, b) => Number(BigInt(b.id) - BigInt(a.id)));
  const jobsById = new Map(jobs.map((job) => [job.id, job]));
  for (const [k, v] of verificationEntries) {
    const job = jobsById.get(k.args[0].toString());
    if (job) job.verification = readVerification(v.unwrap());
  }
  for (const [k, v] of verdictEntries) {
    const job = jobsById.get(k.args[0].toString());
    if (job) job.verdict = readVerdict(v.unwrap());
  }

  // Derivatives: Derivatives(parent, child) → (); the keys alone hold the lineage.
  const derivatives = new Map();
  for (const key of derivativeKeys) {
    const [parent, child] = key.args.map(cidToText);
    if (!derivatives.has(parent)) derivatives.set(parent, []);
    derivatives.get(parent).push(child);
  }

  const assets = assetEntries.map(([k, v]) => readAsset(cidToText(k.args[0]), v.unwrap()));
  for (const asset of assets) {
    asset.derivatives = (derivatives.get(asset.cid) ?? []).sort();
    asset.job = asset.generation ? jobsById.get(asset.generation.job) ?? null : null;
  }
  // Newest first: by block, then by job id.
  assets.sort(
    (a, b) =>
      b.recordedAt - a.recordedAt ||
      Number(BigInt(b.generation?.job ?? -1) - BigInt(a.generation?.job ?? -1)) ||
      a.cid.localeCompare(b.cid),
  );

  const parameters = valueEntries.map(([k, v]) => ({ name: k.args[0].type, value: v.unwrap().toBigInt() }));
  const bounds = new Map(
    boundEntries.map(([k, v]) => {
      const b = v.unwrap();
      return [k.args[0].type, { min: b.min.toBigInt(), max: b.max.toBigInt(), maxStep: b.maxStep.toBigInt() }];
    }),
  );
  for (const p of parameters) p.bounds = bounds.get(p.name) ?? null;

  const tracks = trackEntries
    .map(([k, v]) => {
      const t = v.unwrap();
      return {
        track: k.args[0].type,
        votingPeriod: t.votingPeriod.toNumber(),
        minTurnout: t.minTurnout.toNumber(),
        minApproval: t.minApproval.toNumber(),
        enactmentDelay: t.enactmentDelay.toNumber(),
      };
    })
    .sort((a, b) => a.track.localeCompare(b.track));

  const proposals = proposalEntries
    .map(([k, v]) => {
      const p = v.unwrap();
      return {
        id: k.args[0].toNumber(),
        proposer: p.proposer.toString(),
        deposit: p.deposit.toBigInt(),
        action: readAction(p.action),
        track: p.track.type,
        votingEnds: p.votingEnds.toNumber(),
        ayes: p.tally.ayes.toBigInt(),
        nays: p.tally.nays.toBigInt(),
      };
    })
    .sort((a, b) => b.id - a.id);

  const incidents = incidentEntries
    .map(([k, v]) => readIncident(k.args[0].toNumber(), v.unwrap()))
    .sort((a, b) => b.id - a.id);
  // A fallen result's incident names its job in its cause (the job itself is not quarantined).
  for (const incident of incidents) {
    const job = jobsById.get(incident.cause.job ?? incident.job);
    if (job) (job.incidents ??= []).push(incident.id);
  }

  const agentDeviation = new Map(agentDeviationEntries.map(([k, v]) => [k.args[0].toString(), readStats(v)]));
  const workers = new Map(
    workerEntries.map(([k, v]) => {
      const w = v.unwrap();
      return [
        k.args[0].toString(),
        {
          bond: w.bond.toBigInt(),
          capabilities: w.capabilities.map((m) => m.toNumber()),
          claims: w.claims.map((j) => j.toString()),
          unsettled: w.unsettled.length,
          unbondsAt: w.unbondsAt.isSome ? w.unbondsAt.unwrap().toNumber() : null,
        },
      ];
    }),
  );

  // Running curations: each finalist's output (the escrow's record) with its tally (curation's).
  const finalistsByJob = new Map(finalistEntries.map(([k, v]) => [k.args[0].toString(), v.unwrap()]));
  const curations = curationEntries
    .map(([k, v]) => readCuration(k.args[0].toString(), v.unwrap(), finalistsByJob.get(k.args[0].toString())))
    .sort((a, b) => Number(BigInt(b.job) - BigInt(a.job)));
  const preferences = new Map(preferenceEntries.map(([k, v]) => [k.args[0].toNumber(), vectorLength(v.unwrap())]));

  return {
    blockHash: blockHash.toString(),
    blockNumber: header.number.toNumber(),
    assets,
    jobs,
    styles,
    models,
    parameters,
    tracks,
    proposals,
    reviewers: reviewers.map((a) => a.toString()),
    incidents,
    haltedAgents: haltedEntries.map(([k, v]) => ({ agent: k.args[0].toString(), incident: v.unwrap().toNumber() })),
    suspendedModels: suspendedEntries.map(([k, v]) => ({ model: k.args[0].toNumber(), incident: v.unwrap().toNumber() })),
    studioHalt: studioHalt.isSome ? studioHalt.unwrap().toNumber() : null,
    agentDeviation,
    workers,
    curations,
    preferences,
  };
}

/** The length of a fixed-point vector (units of 10⁻⁶), as a float. */
export function vectorLength(components) {
  return Math.sqrt(components.reduce((sum, c) => sum + (c.toNumber() / 1e6) ** 2, 0));
}

/** CurationInfo with the escrow's FinalistDelivery list. */
function readCuration(job, c, deliveries) {
  const outputs = deliveries ? deliveries.map((d) => cidToText(d.output)) : [];
  return {
    job,
    client: c.client.toString(),
    style: c.style.toNumber(),
    endsAt: c.endsAt.toNumber(),
    reward: c.reward.toBigInt(),
    stakes: c.stakes.map((s) => ({ curator: s.curator.toString(), finalist: s.finalist.toNumber(), amount: s.amount.toBigInt(), weight: s.weight.toBigInt() })),
    finalists: c.finalists.map((f, index) => ({
      index,
      cid: outputs[index] ?? null,
      deviation: f.styleDeviation.toNumber(),
      weight: f.weight.toBigInt(),
    })),
  };
}

function readStyle(s) {
  return {
    name: utf8(s.name),
    dimensions: s.reference.length,
    status: s.status.type,
    // A stylize style's basis blend: [[basis, share]], shares summing to 1; empty for a
    // generator's style.
    blend: s.blend.map((term) => [term.basis.toNumber(), term.weight.toNumber() / 1e6]),
  };
}

function readModel(m) {
  return {
    name: utf8(m.name),
    kind: m.kind.type,
    weightsHash: m.weightsHash.toHex(),
    version: m.version.toNumber(),
    status: m.status.type,
  };
}

/** DeviationStats { ema: Permill, results, limit: Permill } */
export function readStats(s) {
  return { ema: s.ema.toNumber(), results: s.results.toNumber(), limit: s.limit.toNumber() };
}

function readAsset(cid, r) {
  let generation = null;
  if (r.generation.isSome) {
    const g = r.generation.unwrap();
    generation = {
      worker: g.worker.toString(),
      job: g.job.toString(),
      model: g.model.toNumber(),
      weightsHash: g.weightsHash.toHex(),
      promptHash: g.promptHash.toHex(),
      seed: g.seed.toString(),
      settingsHash: g.settingsHash.toHex(),
      candidatesTried: g.candidatesTried.toNumber(),
      styleDeviation: g.styleDeviation.toNumber(),
      quality: g.quality.toNumber(),
    };
  }
  return {
    cid,
    creator: r.creator.toString(),
    owner: r.owner.toString(),
    parents: r.parents.map(cidToText),
    generation,
    recordedAt: r.recordedAt.toNumber(),
    recordedAtMs: r.recordedAtMs.toNumber(),
    status: r.status.type,
  };
}

function readJob(id, j) {
  const spec = j.spec;
  const prompt = spec.prompt.isText
    ? { text: new TextDecoder().decode(spec.prompt.asText.toU8a(true)) }
    : { hash: spec.prompt.asHash.toHex() };
  // Struct variants carry fields (worker, output, expiresAt, settlesAt, incident); unit ones none.
  const detail = j.status.value;
  return {
    id,
    client: j.client.toString(),
    bounty: j.bounty.toBigInt(),
    kind: spec.kind.type,
    content: spec.kind.isStylize ? cidToText(spec.kind.asStylize.content) : spec.kind.isLineArt ? cidToText(spec.kind.asLineArt.content) : null,
    strength: spec.kind.isStylize ? spec.kind.asStylize.strength.toNumber() / 1e6 : null,
    model: spec.model.toNumber(),
    style: spec.style.toNumber(),
    prompt,
    parents: spec.parents.map(cidToText),
    seed: spec.seed.toString(),
    width: spec.output.width.toNumber(),
    height: spec.output.height.toNumber(),
    candidates: spec.candidates.toNumber(),
    deadline: spec.deadline.toNumber(),
    onRejection: spec.onRejection.type,
    curation: spec.curation.isSome ? { finalists: spec.curation.unwrap().finalists.toNumber(), period: spec.curation.unwrap().period.toNumber() } : null,
    status: j.status.type,
    worker: detail?.worker ? detail.worker.toString() : null,
    output: detail?.output ? cidToText(detail.output) : null,
    expiresAt: detail?.expiresAt ? detail.expiresAt.toNumber() : null,
    settlesAt: detail?.settlesAt ? detail.settlesAt.toNumber() : null,
    endsAt: detail?.endsAt ? detail.endsAt.toNumber() : null,
    incident: detail?.incident ? detail.incident.toNumber() : null,
    submittedAt: j.submittedAt.toNumber(),
  };
}

/** Verification { cause, challenger: Option<(AccountId, Balance)>, verifiers, commitUntil, revealUntil } */
function readVerification(v) {
  return {
    cause: v.cause.type,
    challenger: v.challenger.isSome ? v.challenger.unwrap()[0].toString() : null,
    verifiers: v.verifiers.map((vote) => ({
      account: vote.verifier.toString(),
      committed: vote.commitment.isSome,
      finding: vote.finding.isSome ? vote.finding.unwrap().type : null,
    })),
    commitUntil: v.commitUntil.toNumber(),
    revealUntil: v.revealUntil.toNumber(),
  };
}

/** Verdict { cause, outcome, confirming, revealed } */
function readVerdict(v) {
  return { cause: v.cause.type, outcome: v.outcome.type, confirming: v.confirming.toNumber(), revealed: v.revealed.toNumber() };
}

function readIncident(id, i) {
  const scope = i.scope.isAgent
    ? { kind: 'Agent', agent: i.scope.asAgent.toString() }
    : i.scope.isModel
      ? { kind: 'Model', model: i.scope.asModel.toNumber() }
      : { kind: 'Studio' };
  // TripCause: AgentDrift { ema, limit }, ModelDrift { ema, limit, agents },
  // HardLimit { deviation, limit }, Reviewer { reviewer }.
  // Misreport { job, reported, verified: Option }.
  const c = i.cause.value;
  const cause = { kind: i.cause.type };
  for (const field of ['ema', 'limit', 'deviation', 'agents', 'reported']) if (c[field]) cause[field] = c[field].toNumber();
  if (c.reviewer) cause.reviewer = c.reviewer.toString();
  if (c.job) cause.job = c.job.toString();
  if (c.verified) cause.verified = c.verified.isSome ? c.verified.unwrap().toNumber() : null;
  return {
    id,
    scope,
    cause,
    job: i.job.isSome ? i.job.unwrap().toString() : null,
    openedAt: i.openedAt.toNumber(),
    reviewBy: i.reviewBy.toNumber(),
    votes: i.votes.map(([account, decision]) => ({ reviewer: account.toString(), decision: decision.type })),
    status: i.status.type,
  };
}

/** GovernanceAction as a kind and its fields, for display. */
function readAction(a) {
  const v = a.value;
  switch (a.type) {
    case 'SetParameter':
      return { kind: a.type, parameter: v.parameter.type, value: v.value.toBigInt() };
    case 'AddStyle':
      return { kind: a.type, name: utf8(v.name), dimensions: v.reference.length, blend: v.blend.map((t) => [t.basis.toNumber(), t.weight.toNumber() / 1e6]) };
    case 'RetireStyle':
      return { kind: a.type, style: v.style.toNumber() };
    case 'ApproveModel':
      return { kind: a.type, name: utf8(v.name), modelKind: v.kind.type, weightsHash: v.weightsHash.toHex(), version: v.version.toNumber() };
    case 'RetireModel':
      return { kind: a.type, model: v.model.toNumber() };
    case 'SetReviewers':
      return { kind: a.type, reviewers: v.reviewers.map((r) => r.toString()) };
    case 'AddValidator':
    case 'RemoveValidator':
      return { kind: a.type, validator: v.validator.toString() };
    case 'AuthorizeUpgrade':
      return { kind: a.type, codeHash: v.codeHash.toHex() };
    default:
      return { kind: a.type, raw: JSON.stringify(a.toHuman()) };
  }
}
