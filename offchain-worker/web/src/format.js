// Display formats for the chain's numbers.

export const PERMILL_ONE = 1_000_000;

/** A Permill (parts per million) as a percentage, e.g. 74571 → "7.46 %". */
export function permillPct(parts, digits = 2) {
  return `${((Number(parts) / PERMILL_ONE) * 100).toFixed(digits)} %`;
}

/** A Perbill (parts per billion) as a percentage. */
export function perbillPct(parts, digits = 1) {
  return `${((Number(parts) / 1e9) * 100).toFixed(digits)} %`;
}

/** A balance in the token's smallest unit (bigint-able) as "100 STU", up to 4 decimals. */
export function balance(value, token) {
  const v = BigInt(value.toString());
  const unit = 10n ** BigInt(token.decimals);
  const whole = v / unit;
  let frac = (v % unit).toString().padStart(token.decimals, '0').slice(0, 4).replace(/0+$/, '');
  const wholeText = whole.toLocaleString('en-US');
  return `${frac ? `${wholeText}.${frac}` : wholeText} ${token.symbol}`;
}

/** An address shortened for tight places: "5FHneW…694ty". */
export function shortAddress(address) {
  const s = String(address);
  return s.length > 14 ? `${s.slice(0, 6)}…${s.slice(-5)}` : s;
}

/** A 0x hex string shortened: "0x69cb8a23…e84236". */
export function shortHex(hex, keep = 8) {
  const s = String(hex);
  return s.length > 2 + keep * 2 ? `${s.slice(0, 2 + keep)}…${s.slice(-keep)}` : s;
}

/** Milliseconds since the epoch as a local date and time. */
export function timestamp(ms) {
  return new Date(Number(ms)).toLocaleString();
}

/** "block 42" with a link-less hash title left to callers. */
export function blockNo(n) {
  return `#${Number(n).toLocaleString('en-US')}`;
}
