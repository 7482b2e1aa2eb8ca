// Prints, for each file named on the command line, the CID the web studio computes for it
// (`src/file-cid.js`: ipfs-unixfs-importer, the importer of js-ipfs and Helia, with the settings
// of kubo's `ipfs add --cid-version=1 --raw-leaves`) — what the page checks uploads and
// downloads with. The worker's tests compare these with `studio_worker::unixfs::file_cid`.
import { readFile } from 'node:fs/promises';
import { fileCid } from '../src/file-cid.js';

for (const path of process.argv.slice(2)) {
  const { text } = await fileCid(await readFile(path));
  console.log(`${text}\t${path}`);
}
