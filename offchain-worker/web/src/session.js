// The person at the page: the accounts they can sign with and the one they act as, with its
// balances and roles re-read at every snapshot. Views read `session` to decide which actions
// to offer; nothing here signs.

export const session = {
  api: null,
  token: null,
  /** Constants and parameters the forms check against before anything is signed. */
  limits: null,
  dev: false,
  accounts: [],
  /** Why no extension account is listed (no extension, refused), or null. */
  walletNote: null,
  actor: null,
  /** { free, reserved, frozen, spendable, votes, reputation, worker, reviewer, jobs } of the actor. */
  standing: null,
  snapshot: null,
};

const listeners = new Set();

/** Calls `listener()` whenever the acting account or its standing changes. */
export function onSessionChange(listener) {
  listeners.add(listener);
}

function changed() {
  for (const listener of listeners) listener();
}

/** Adds accounts (extension or dev) to the list, keeping each address once. */
export function addAccounts(accounts) {
  const known = new Set(session.accounts.map((a) => a.address));
  session.accounts.push(...accounts.filter((a) => !known.has(a.address)));
  changed();
}

/** Acts as `address` from now on (null: nobody, read only). */
export async function setActor(address) {
  session.actor = session.accounts.find((a) => a.address === address) ?? null;
  session.standing = null;
  if (session.actor && session.snapshot) await readStanding(session.snapshot);
  changed();
}

/** Reads the constants and parameters the forms check (once, at start). */
export function readLimits(api) {
  const c = api.consts.jobEscrow;
  session.limits = {
    maxPromptLength: c.maxPromptLength.toNumber(),
    maxCandidates: c.maxCandidates.toNumber(),
    maxImageSide: c.maxImageSide.toNumber(),
    maxFinalists: c.maxFinalists.toNumber(),
    maxCurationPeriod: c.maxCurationPeriod.toNumber(),
    minStake: api.consts.curation.minStake.toBigInt(),
    existentialDeposit: api.consts.balances.existentialDeposit.toBigInt(),
  };
}

/** The value of a studio parameter in the latest snapshot (a bigint), or null. */
export function parameter(name) {
  const p = session.snapshot?.parameters.find((x) => x.name === name);
  return p ? p.value : null;
}

/** Re-reads the actor's balances and roles at the snapshot's block. */
export async function readStanding(snapshot) {
  session.snapshot = snapshot;
  const actor = session.actor;
  if (!actor) return;
  const at = await session.api.at(snapshot.blockHash);
  const [account, votes, curator] = await Promise.all([
    at.query.system.account(actor.address),
    at.query.studioGovernance.votes(actor.address),
    at.query.curation.curators(actor.address),
  ]);
  if (session.actor !== actor) return; // switched meanwhile
  const { free, reserved, frozen } = account.data;
  const [f, r, z] = [free.toBigInt(), reserved.toBigInt(), frozen.toBigInt()];
  // What a transfer that keeps the account alive may take (the escrow takes bounties so): the
  // free balance less what a freeze keeps beyond the holds, and never the existential deposit.
  const frozenBeyondHolds = z > r ? z - r : 0n;
  const ed = session.limits.existentialDeposit;
  const untouchable = frozenBeyondHolds > ed ? frozenBeyondHolds : ed;
  const previous = session.standing;
  session.standing = {
    free: f,
    reserved: r,
    frozen: z,
    spendable: f > untouchable ? f - untouchable : 0n,
    votes: votes.map(([proposal, vote]) => ({ proposal: proposal.toNumber(), aye: vote.aye.isTrue, amount: vote.amount.toBigInt() })),
    reputation: curator.reputation.toNumber(),
    wins: curator.wins.toNumber(),
    losses: curator.losses.toNumber(),
    worker: snapshot.workers.get(actor.address) ?? null,
    reviewer: snapshot.reviewers.includes(actor.address),
    jobs: snapshot.jobs.filter((job) => job.client === actor.address).length,
  };
  if (JSON.stringify(previous, big) !== JSON.stringify(session.standing, big)) changed();
}

const big = (_, v) => (typeof v === 'bigint' ? v.toString() : v);
