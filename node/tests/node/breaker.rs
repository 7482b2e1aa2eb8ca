//! The circuit breaker through the real node: an agent reports an off-style result, the
//! breaker trips in that same block, the agent's next claim fails, two of the three dev
//! reviewers resume it, and it claims again.

use crate::{
	harness::{submit, submit_and_fail, Node},
	studio::{
		cid_of, event, field_u128, job_spec, register_generator_and_style, PLAIN, register_worker,
		report, submit_job,
	},
};
use subxt::dynamic::{self, At, Value};
use subxt_signer::sr25519::dev;

#[tokio::test]
async fn an_off_style_result_halts_its_agent_in_the_same_block_and_two_reviewers_resume_it() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&["--dev", "--tmp"], dir.path().join("node.log"));
	let client = node.client().await;
	let rpc = node.rpc().await;
	let (alice, bob) = (dev::alice(), dev::bob());
	let (model, style) = register_generator_and_style(&client).await;
	register_worker(&client, model, &bob).await;
	let first = submit_job(&client, job_spec(&rpc, model, style, b"a green study", PLAIN).await, &alice).await;
	let second = submit_job(&client, job_spec(&rpc, model, style, b"a green study", PLAIN).await, &alice).await;

	submit(&client, &dynamic::transaction("JobEscrow", "claim_job", (first,)), &bob).await;
	// 60 % is past the dev chain's hard style limit of 50 %.
	let off_style = report(&cid_of(b"a purple scribble"), 600_000);
	let events =
		submit(&client, &dynamic::transaction("JobEscrow", "submit_result", (first, off_style)), &bob)
			.await;
	// One extrinsic's events: the trip and the quarantine happened in the result's block.
	let tripped = event(&events, "CircuitBreaker", "Tripped");
	let incident = field_u128(tripped, "incident") as u32;
	assert!(format!("{}", tripped.at("scope").unwrap()).contains("Agent"), "{tripped}");
	assert!(format!("{}", tripped.at("cause").unwrap()).contains("HardLimit"), "{tripped}");
	let quarantined = event(&events, "JobEscrow", "ResultQuarantined");
	assert_eq!(field_u128(quarantined, "incident") as u32, incident);

	let claim_second = dynamic::transaction("JobEscrow", "claim_job", (second,));
	let refusal = submit_and_fail(&client, &claim_second, &bob).await;
	assert!(refusal.contains("AgentHalted"), "the claim fails by name: {refusal}");

	// Charlie and Dave are two of the three dev reviewers: a quorum.
	let resume = dynamic::transaction(
		"CircuitBreaker",
		"review",
		(incident, Value::unnamed_variant("Resume", [])),
	);
	let charlie_voted = submit(&client, &resume, &dev::charlie()).await;
	assert!(charlie_voted.iter().all(|(_, name, _)| name != "Resumed"), "one vote is no quorum");
	let dave_voted = submit(&client, &resume, &dev::dave()).await;
	event(&dave_voted, "CircuitBreaker", "Resumed");
	event(&dave_voted, "JobEscrow", "ResultDelivered");

	let claimed = submit(&client, &claim_second, &bob).await;
	event(&claimed, "JobEscrow", "JobClaimed");
}
