// Submits a design job to Studio Chain with the unmodified @polkadot/api, waits until a worker
// delivers it, and reads the output's provenance through the runtime API (`state_call`):
// ordinary wallets and tools work with the chain, no custom codec needed.
//
// Usage: node submit-job.mjs [--url ws://127.0.0.1:9944] [--suri //Alice] [--style 0]
//        [--prompt "an amber painted eye"] [--seed 2] [--bounty 100] [--timeout 300]
// Prints one JSON line: the job, the output CID (hex) and its provenance record.
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';

const UNIT = 10n ** 12n;

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

function fail(message) {
  console.error(`submit-job: ${message}`);
  process.exit(1);
}

const url = option('url', 'ws://127.0.0.1:9944');
const timeoutMs = Number(option('timeout', '300')) * 1000;

// Resolves with the events of `tx` once finalized; rejects with the pallet error's name and
// doc line when it fails.
function sendAndFinalize(api, tx, signer) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (dispatchError) {
        if (dispatchError.isModule) {
          const { section, name, docs } = api.registry.findMetaError(dispatchError.asModule);
          reject(new Error(`${section}::${name}: ${docs.join(' ')}`));
        } else {
          reject(new Error(dispatchError.toString()));
        }
      } else if (status.isFinalized) {
        resolve(events);
      }
    }).catch(reject);
  });
}

const provider = new WsProvider(url, 1000, {}, 30000);
const api = await ApiPromise.create({ provider, throwOnConnect: true }).catch((error) =>
  fail(`cannot connect to the node at ${url}: ${error.message}`));
try {
  const alice = new Keyring({ type: 'sr25519' }).addFromUri(option('suri', '//Alice'));
  const header = await api.rpc.chain.getHeader();
  const spec = {
    kind: 'Generate',
    model: 0,
    style: Number(option('style', '0')),
    prompt: { Text: option('prompt', 'an amber painted eye') },
    parents: [],
    seed: Number(option('seed', '2')),
    output: { format: 'Png', width: 128, height: 128 },
    candidates: 8,
    deadline: header.number.toNumber() + 200,
    onRejection: 'Reopen',
  };
  const bounty = BigInt(option('bounty', '100')) * UNIT;
  const events = await sendAndFinalize(api, api.tx.jobEscrow.submitJob(spec, bounty), alice);
  const submitted = events.find(({ event }) => api.events.jobEscrow.JobSubmitted.is(event));
  if (!submitted) fail('no JobSubmitted event');
  const job = submitted.event.data.job.toNumber();

  const deadline = Date.now() + timeoutMs;
  let output;
  while (!output) {
    const info = (await api.query.jobEscrow.jobs(job)).unwrap();
    if (info.status.isDelivered) output = info.status.asDelivered.output;
    else if (info.status.isSettled) output = info.status.asSettled.output;
    else if (info.status.isRefunded || info.status.isCancelled) fail(`job ${job} ended: ${info.status.type}`);
    else if (Date.now() > deadline) fail(`job ${job} is still ${info.status.type} after ${timeoutMs / 1000} s`);
    else await new Promise((done) => setTimeout(done, 1000));
  }
  // The runtime API, called over state_call by @polkadot/api's `api.call`.
  const record = await api.call.provenanceApi.asset(output);
  if (record.isNone) fail(`no provenance record for ${output.toHex()}`);
  console.log(JSON.stringify({ job, cid: output.toHex(), record: record.unwrap().toJSON() }));
} catch (error) {
  fail(error.message);
} finally {
  await api.disconnect();
}
