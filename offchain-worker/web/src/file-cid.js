// The CID the studio records for a file: what kubo's `ipfs add --cid-version=1 --raw-leaves`
// gives it (256 KiB chunks, a balanced DAG of at most 174 links, raw leaves, a one-chunk file
// reduced to its raw leaf), computed in the browser by ipfs-unixfs-importer, the importer of
// js-ipfs and Helia, which the worker's tests compare with its own. Loaded on demand.

import { u8aToHex } from '@polkadot/util';

export async function fileCid(bytes) {
  const [{ importer }, { fixedSize }, { balanced }, { MemoryBlockstore }] = await Promise.all([
    import('ipfs-unixfs-importer'),
    import('ipfs-unixfs-importer/chunker'),
    import('ipfs-unixfs-importer/layout'),
    import('blockstore-core/memory'),
  ]);
  const options = {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: 262144 }),
    layout: balanced({ maxChildrenPerNode: 174 }),
  };
  let root;
  for await (const entry of importer([{ content: bytes }], new MemoryBlockstore(), options)) root = entry;
  // As hex: polkadot.js reads a Uint8Array given for `Bytes` as already length-prefixed.
  return { text: root.cid.toString(), hex: u8aToHex(root.cid.bytes) };
}

/**
 * Fetches `cid` from the gateway and checks the bytes against it before anything is saved;
 * resolves with the bytes, rejects when the gateway answered something else.
 */
export async function fetchVerified(url, cid) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the gateway answered ${response.status} ${response.statusText}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const got = await fileCid(bytes);
  if (got.text !== cid) throw new Error(`the gateway's bytes are ${got.text}, not ${cid}: not saved`);
  return bytes;
}
