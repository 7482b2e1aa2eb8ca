//! The worker's place in the studio's content network: it publishes where its IPFS node can be
//! dialled (`JobEscrow::set_content_address`), dials every other worker's published address,
//! and, as an archival worker, pins every output delivered on chain.

use crate::content::ContentNode;
use studio_chain::{self as chain, studio, AtBlock, Client, SubmitError};
use rust_ipfs::Multiaddr;
use studio::runtime_types::bounded_collections::bounded_vec::BoundedVec;
use subxt_signer::sr25519::Keypair;

/// Dials the worker that published `address`, logging (not failing on) an address that does
/// not parse or answer: a bad address costs its publisher, not this worker.
pub(crate) async fn dial(content: &ContentNode, address: &[u8]) {
	let parsed = std::str::from_utf8(address).ok().and_then(|text| text.parse::<Multiaddr>().ok());
	match parsed {
		Some(address) => match content.dial(&address).await {
			Ok(()) => tracing::debug!(%address, "connected to a worker's IPFS node"),
			Err(error) => tracing::info!(%address, %error, "cannot reach a worker's IPFS node"),
		},
		None => tracing::info!(address = %String::from_utf8_lossy(address), "a worker published an address that is not a multiaddr"),
	}
}

/// Publishes this node's address unless the chain already has it, then dials every other
/// worker's published address.
pub async fn join(client: &Client, at: &AtBlock, signer: &Keypair, content: &ContentNode) -> Result<(), subxt::Error> {
	let account = chain::account_of(signer);
	let address = match content.address().await {
		Ok(address) => address.to_string().into_bytes(),
		Err(error) => {
			tracing::warn!(%error, "the IPFS node has no address to publish");
			return Ok(())
		},
	};
	let published = at
		.storage()
		.try_fetch(studio::storage().job_escrow().content_addresses(), (account,))
		.await
		.map_err(subxt::Error::from)?
		.map(|value| value.decode())
		.transpose()
		.map_err(subxt::Error::from)?;
	if published.as_ref().map(|published| &published.0) != Some(&address) {
		let call = studio::tx().job_escrow().set_content_address(BoundedVec(address.clone()));
		match chain::submit(client, &call, signer).await {
			Ok(_) => tracing::info!(address = %String::from_utf8_lossy(&address), "published the IPFS node's address on chain"),
			Err(SubmitError::Failed(reason)) => tracing::warn!(%reason, "the chain refused the IPFS node's address"),
			Err(SubmitError::Chain(error)) => return Err(error),
		}
	}
	if content.is_archive() {
		tokio::spawn(archive_recorded_outputs(at.clone(), content.clone()));
	}
	dial_workers(at, content).await
}

/// Dials every worker's published address (connections already open stay as they are).
pub(crate) async fn dial_workers(at: &AtBlock, content: &ContentNode) -> Result<(), subxt::Error> {
	let mut entries =
		at.storage().iter(studio::storage().job_escrow().content_addresses(), ()).await.map_err(subxt::Error::from)?;
	while let Some(entry) = entries.next().await {
		let entry = entry.map_err(subxt::Error::from)?;
		let address = entry.value().decode().map_err(subxt::Error::from)?;
		dial(content, &address.0).await;
	}
	Ok(())
}

/// Pins, on an archival worker, every studio output provenance records at `at`: the outputs
/// delivered before the worker started (those after come with their blocks' events).
async fn archive_recorded_outputs(at: AtBlock, content: ContentNode) {
	let mut outputs = Vec::new();
	let listed = async {
		let mut assets = at.storage().iter(studio::storage().provenance().assets(), ()).await.map_err(subxt::Error::from)?;
		while let Some(entry) = assets.next().await {
			let entry = entry.map_err(subxt::Error::from)?;
			if entry.value().decode().map_err(subxt::Error::from)?.generation.is_some() {
				outputs.push(entry.key().map_err(subxt::Error::from)?.decode().map_err(subxt::Error::from)?.0 .0);
			}
		}
		Ok::<(), subxt::Error>(())
	};
	if let Err(error) = listed.await {
		tracing::warn!(%error, "cannot list the recorded outputs to archive");
	}
	for output in outputs {
		archive(&content, &output).await;
	}
}

/// Pins `output` for good, logging the outcome.
async fn archive(content: &ContentNode, output: &[u8]) {
	let Ok(cid) = cid::Cid::try_from(output) else { return };
	match content.pin(&cid, true).await {
		Ok(()) => tracing::info!(%cid, "archived a studio output"),
		Err(error) => tracing::warn!(%cid, %error, "cannot archive a studio output"),
	}
}

/// Follows one finalized block: dials workers that published a new address and, on an archival
/// worker, pins the outputs delivered in it (in the background: a slow fetch never holds up
/// the chain).
pub async fn on_block(at: &AtBlock, content: &ContentNode) -> Result<(), subxt::Error> {
	use studio::job_escrow::events::{ContentAddressSet, ResultDelivered};
	let events = at.events().fetch().await.map_err(subxt::Error::from)?;
	for published in events.find::<ContentAddressSet>() {
		dial(content, &published.map_err(subxt::Error::from)?.address).await;
	}
	if content.is_archive() {
		for delivered in events.find::<ResultDelivered>() {
			let output = delivered.map_err(subxt::Error::from)?.output.0;
			let content = content.clone();
			tokio::spawn(async move { archive(&content, &output).await });
		}
	}
	Ok(())
}
