// CIDs as users see them.
//
// On chain a CID is its raw binary CIDv1 bytes (version, codec, multihash). The text form is the
// multibase base32 string: the prefix "b" followed by RFC 4648 base32 of the bytes, lower-case,
// without padding (e.g. "bafkrei…"), which is what the gateway's `/ipfs/<cid>` accepts.

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lower-case, no padding. */
export function base32Lower(bytes) {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1; // keep only the bits not yet written
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** The multibase base32 text of raw CID bytes (a Uint8Array or a polkadot.js `Bytes`). */
export function cidToText(bytes) {
  const u8 = bytes instanceof Uint8Array ? bytes : bytes.toU8a(true);
  return 'b' + base32Lower(u8);
}

/** The gateway URL of a CID's content (same origin as the page). */
export function ipfsUrl(cidText) {
  return `/ipfs/${cidText}`;
}

/** The element id of a CID's gallery card, for `#cid-…` links. */
export function cardId(cidText) {
  return `cid-${cidText}`;
}
