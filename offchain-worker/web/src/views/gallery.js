// The gallery: every asset in provenance, newest first, with its image and provenance.

import { h, replaceChildren } from '../dom.js';
import { cardId, ipfsUrl } from '../cid.js';
import { permillPct, timestamp, blockNo } from '../format.js';
import { account, cidLink, pill, promptText, styleName, empty } from './common.js';

// One <img> per CID, reused across re-renders so a new block never reloads an image. An image
// that failed to load is dropped from the cache and tried again on the next render.
const images = new Map();

function imageFor(cid, alt) {
  let img = images.get(cid);
  if (!img || img.dataset.failed) {
    img = h('img', { src: ipfsUrl(cid), alt, width: 256, height: 256, decoding: 'async' });
    img.addEventListener('error', () => {
      img.dataset.failed = 'true';
      img.closest('.thumb')?.classList.add('missing');
    });
    img.addEventListener('load', () => img.closest('.thumb')?.classList.remove('missing'));
    images.set(cid, img);
  }
  img.alt = alt;
  return img;
}

export function renderGallery(el, snapshot, { maxDeviation }) {
  const { assets } = snapshot;
  if (assets.length === 0) {
    replaceChildren(el, empty('No assets yet: delivered outputs appear here as their results land on chain.'));
    return;
  }
  replaceChildren(el, assets.map((asset) => card(asset, snapshot, maxDeviation)));
}

function card(asset, snapshot, maxDeviation) {
  const g = asset.generation;
  const job = asset.job;
  const alt = job?.prompt?.text ?? (g ? `output of job ${g.job}` : 'external asset');
  const thumb = h(
    'a',
    { class: 'thumb', href: ipfsUrl(asset.cid), target: '_blank', rel: 'noopener', title: 'open the image from the gateway' },
    imageFor(asset.cid, alt),
    h('span', { class: 'missing-note' }, 'not in this gateway’s store'),
  );
  const img = thumb.querySelector('img');
  if (img.dataset.failed) thumb.classList.add('missing');

  const facts = [];
  const fact = (label, field, ...value) => facts.push(h('dt', {}, label), h('dd', { dataset: { field } }, ...value));

  if (g) {
    const model = snapshot.models.get(g.model);
    const registryMatch = model && model.weightsHash === g.weightsHash;
    const over = maxDeviation !== null && g.styleDeviation > maxDeviation;
    fact('Style', 'style', job ? styleName(snapshot.styles, job.style) : '—');
    fact(
      'Deviation',
      'deviation',
      h('span', { class: over ? 'bad' : 'good' }, permillPct(g.styleDeviation)),
      deviationBar(g.styleDeviation, maxDeviation),
    );
    fact('Quality', 'quality', permillPct(g.quality));
    fact('Candidates', 'candidates', `${g.candidatesTried} tried`, job ? h('span', { class: 'muted' }, ` (asked ≥ ${job.candidates})`) : null);
    fact(
      'Model',
      'model',
      h('span', {}, model ? `${model.name} v${model.version}` : `model #${g.model}`),
      h('code', { class: 'hash', title: 'sha2-256 of the weights the worker ran' }, g.weightsHash.slice(2)),
      model ? h('span', { class: registryMatch ? 'good small' : 'bad small' }, registryMatch ? '✓ the registry’s weights' : '✗ differs from the registry') : null,
    );
    fact('Worker', 'worker', account(g.worker));
    fact('Job', 'job', `#${g.job} · seed ${g.seed}`);
  } else {
    fact('Origin', 'origin', 'registered by a person (a lineage root)');
  }
  fact('Owner', 'owner', account(asset.owner));
  fact('Block', 'block', blockNo(asset.recordedAt), h('span', { class: 'muted' }, ` · ${timestamp(asset.recordedAtMs)}`));
  fact('CID', 'cid', h('code', { class: 'hash' }, asset.cid));
  fact('Parents', 'parents', asset.parents.length ? lineage(asset.parents) : h('span', { class: 'muted' }, 'none'));
  fact('Derivatives', 'derivatives', asset.derivatives.length ? lineage(asset.derivatives) : h('span', { class: 'muted' }, 'none'));

  return h(
    'article',
    {
      class: `card status-${asset.status.toLowerCase()}`,
      id: cardId(asset.cid),
      dataset: { cid: asset.cid, status: asset.status, worker: g?.worker ?? '', job: g?.job ?? '' },
    },
    thumb,
    h(
      'div',
      { class: 'card-body' },
      h(
        'div',
        { class: 'card-head' },
        h('p', { class: 'prompt', dataset: { field: 'prompt' } }, g ? promptText(job?.prompt) : h('span', { class: 'muted' }, 'external asset')),
        h('span', { class: 'pills' }, pill(asset.status), jobPill(job)),
      ),
      g && asset.promptVerified !== undefined && asset.promptVerified !== null
        ? h(
            'p',
            { class: `small ${asset.promptVerified ? 'good' : 'bad'}`, title: g.promptHash },
            asset.promptVerified ? '✓ prompt matches the recorded sha256' : '✗ prompt does not match the recorded sha256',
          )
        : null,
      h('dl', { class: 'facts' }, facts),
    ),
  );
}

/** The job's state when it says more than the asset's: quarantined, waiting for reviewers. */
function jobPill(job) {
  if (!job || job.status !== 'Quarantined') return null;
  return h('a', { href: `#incident-${job.incident}`, title: 'the result tripped the circuit breaker; reviewers decide' }, pill('Quarantined'), h('span', { class: 'small' }, ` incident #${job.incident}`));
}

function lineage(cids) {
  return h('span', { class: 'lineage' }, cids.map((cid) => cidLink(cid)));
}

/** A small bar: the deviation against the studio's limit (the tick). */
function deviationBar(deviation, limit) {
  if (limit === null) return null;
  const scale = Math.max(limit * 2, deviation) || 1;
  return h(
    'span',
    { class: 'devbar', title: `limit ${permillPct(limit)}` },
    h('span', { class: deviation > limit ? 'fill bad-bg' : 'fill good-bg', style: `width:${(100 * deviation) / scale}%` }),
    h('span', { class: 'tick', style: `left:${(100 * limit) / scale}%` }),
  );
}

/** Whether an image failed to load (the next render tries it again). */
export function hasFailedImages() {
  for (const img of images.values()) if (img.dataset.failed) return true;
  return false;
}
