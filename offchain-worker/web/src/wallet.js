// Who signs: the accounts a browser extension injects (polkadot.js extension, Talisman,
// SubWallet … — anything that speaks `@polkadot/extension-dapp`'s injected-accounts interface),
// and, on development and local chains only, the well-known dev keys (//Alice …), labelled as
// such. The page never sees a secret of an extension account: the extension signs.
//
// Both libraries load on demand, so a first visit that only reads pays nothing for them.

export const DEV_NAMES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];

/** Whether the chain is one whose dev keys are public knowledge (`system_chainType`). */
export async function isDevChain(api) {
  const type = await api.rpc.system.chainType();
  return type.isDevelopment || type.isLocal;
}

/**
 * The accounts the extension(s) inject, as `{ address, name, source, signer }`; an empty list
 * with `reason` when there is no extension or the user refused the page.
 */
export async function extensionAccounts(api, appName = 'Studio Chain web studio') {
  const { web3Enable, web3Accounts, web3FromSource } = await import('@polkadot/extension-dapp');
  const extensions = await web3Enable(appName);
  if (extensions.length === 0) return { accounts: [], reason: 'no wallet extension is installed, or this page was not allowed to use it' };
  const injected = await web3Accounts({ ss58Format: api.registry.chainSS58 });
  const accounts = [];
  for (const account of injected) {
    const { signer } = await web3FromSource(account.meta.source);
    accounts.push({ address: account.address, name: account.meta.name ?? account.address, source: account.meta.source, signer });
  }
  return { accounts, reason: accounts.length ? null : 'the wallet shares no account with this page' };
}

/** The dev accounts, each signing with its well-known key (`//Alice` …). */
export async function devAccounts(api) {
  const [{ Keyring }, { cryptoWaitReady }] = await Promise.all([import('@polkadot/keyring'), import('@polkadot/util-crypto')]);
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: api.registry.chainSS58 });
  return DEV_NAMES.map((name) => {
    const pair = keyring.addFromUri(`//${name}`, { name });
    return { address: pair.address, name: `${name} (dev key)`, source: 'dev', pair };
  });
}

/** What `tx.signAndSend` takes to sign for `account`: its key pair, or its address and signer. */
export function signingArgs(account) {
  return account.pair ? [account.pair, {}] : [account.address, { signer: account.signer }];
}
