// Prints, for each file named on the command line, the CID an independent UnixFS
// implementation (ipfs-unixfs-importer, the importer of js-ipfs and Helia) gives it with the
// settings of kubo's `ipfs add --cid-version=1 --raw-leaves`: 256 KiB chunks, a balanced DAG of
// at most 174 links, raw leaves, CIDv1, a one-chunk file reduced to its raw leaf.
// The worker's tests compare these with `studio_worker::unixfs::file_cid`.
import { readFile } from 'node:fs/promises'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { MemoryBlockstore } from 'blockstore-core/memory'

for (const path of process.argv.slice(2)) {
  const content = await readFile(path)
  const options = {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: 262144 }),
    layout: balanced({ maxChildrenPerNode: 174 }),
  }
  let root
  for await (const entry of importer([{ content }], new MemoryBlockstore(), options)) root = entry
  console.log(`${root.cid.toString()}\t${path}`)
}
