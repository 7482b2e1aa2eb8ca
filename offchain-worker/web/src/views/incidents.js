// The circuit breaker: what is halted now, and every incident with its cause and review.

import { h, replaceChildren } from '../dom.js';
import { blockNo, permillPct } from '../format.js';
import { account, cidLink, pill, table, empty, thumbnail } from './common.js';
import { session } from '../session.js';
import { actionButton } from '../actions.js';

export function renderIncidents(el, snapshot, { quorum }) {
  const studio = snapshot.studioHalt;
  const summary = h(
    'div',
    { class: 'halts' },
    h(
      'div',
      { class: `halt-box ${studio === null ? 'ok' : 'alarm'}`, dataset: { studioHalt: studio ?? '' } },
      h('span', { class: 'label' }, 'Studio'),
      studio === null ? 'taking jobs' : `halted by incident #${studio}`,
    ),
    h(
      'div',
      { class: `halt-box ${snapshot.haltedAgents.length ? 'alarm' : 'ok'}`, id: 'halted-agents' },
      h('span', { class: 'label' }, 'Halted agents'),
      snapshot.haltedAgents.length
        ? h('ul', {}, snapshot.haltedAgents.map((a) => h('li', { dataset: { haltedAgent: a.agent } }, account(a.agent), ` · incident #${a.incident}`)))
        : 'none',
    ),
    h(
      'div',
      { class: `halt-box ${snapshot.suspendedModels.length ? 'alarm' : 'ok'}`, id: 'suspended-models' },
      h('span', { class: 'label' }, 'Suspended models'),
      snapshot.suspendedModels.length
        ? h('ul', {}, snapshot.suspendedModels.map((m) => h('li', { dataset: { suspendedModel: m.model } }, `${snapshot.models.get(m.model)?.name ?? 'model'} #${m.model} · incident #${m.incident}`)))
        : 'none',
    ),
  );

  const rows = snapshot.incidents.map((i) => {
    const left = i.reviewBy - snapshot.blockNumber;
    return h(
      'tr',
      {
        id: `incident-${i.id}`,
        dataset: {
          incident: i.id,
          scope: i.scope.kind,
          scopeAgent: i.scope.agent ?? '',
          scopeModel: i.scope.model ?? '',
          status: i.status,
        },
      },
      h('td', { class: 'num' }, `#${i.id}`),
      h('td', {}, scope(i.scope, snapshot)),
      h('td', {}, cause(i.cause)),
      h('td', { class: 'num' }, i.job !== null ? `#${i.job}` : '—', evidence(i, snapshot)),
      h('td', { class: 'num' }, blockNo(i.openedAt)),
      h('td', { class: 'num' }, blockNo(i.reviewBy), i.status === 'Open' ? h('div', { class: 'small muted' }, left >= 0 ? `${left} blocks left` : 'overdue') : null),
      h(
        'td',
        {},
        i.votes.length ? h('ul', { class: 'votes' }, i.votes.map((v) => h('li', {}, account(v.reviewer, { short: true }), ' ', pill(v.decision)))) : h('span', { class: 'muted' }, 'no votes yet'),
        quorum !== null && i.status !== 'Resumed' && i.status !== 'Retired'
          ? h('div', { class: 'small muted' }, `${quorum} agreeing reviewers decide`)
          : null,
      ),
      h('td', {}, pill(i.status), reviewActions(i)),
    );
  });

  replaceChildren(
    el,
    summary,
    snapshot.incidents.length
      ? h('div', { class: 'table-wrap' }, table(['#', 'Scope', 'Cause', 'Job', 'Opened', 'Review by', 'Reviews', 'State'], rows, { class: 'incidents' }))
      : empty('No incidents: the circuit breaker has never tripped.'),
  );
}

function scope(s, snapshot) {
  switch (s.kind) {
    case 'Agent':
      return h('span', {}, h('span', { class: 'scope-kind' }, 'Agent '), account(s.agent));
    case 'Model':
      return h('span', {}, h('span', { class: 'scope-kind' }, 'Model '), `${snapshot.models.get(s.model)?.name ?? ''} #${s.model}`);
    default:
      return h('span', { class: 'scope-kind' }, 'Studio');
  }
}

function cause(c) {
  switch (c.kind) {
    case 'AgentDrift':
      return `agent average ${permillPct(c.ema)} > limit ${permillPct(c.limit)}`;
    case 'ModelDrift':
      return `model average ${permillPct(c.ema)} > limit ${permillPct(c.limit)}, seen by ${c.agents} agents`;
    case 'HardLimit':
      return `one result ${permillPct(c.deviation)} > hard limit ${permillPct(c.limit)}`;
    case 'Reviewer':
      return h('span', {}, 'halted by reviewer ', account(c.reviewer, { short: true }));
    case 'Misreport':
      return `job #${c.job}: reported ${permillPct(c.reported ?? 0)}, verifiers ${c.verified == null ? 'could not fetch the output' : `measured ${permillPct(c.verified)}`}`;
    default:
      return c.kind;
  }
}

/** A reviewer's votes on an undecided incident: resume the scope, or retire it. */
function reviewActions(incident) {
  if (!session.standing?.reviewer || !(incident.status === 'Open' || incident.status === 'Expired')) return null;
  const review = (decision, about) =>
    actionButton(
      decision,
      {
        id: `review-${decision.toLowerCase()}`,
        title: `${decision} — incident #${incident.id}`,
        about,
        build: () => session.api.tx.circuitBreaker.review(incident.id, decision),
        done: () => `your ${decision.toLowerCase()} vote is counted`,
      },
      { incident: incident.id },
    );
  return h(
    'div',
    { class: 'row-actions' },
    review('Resume', 'Let the scope run again; a quarantined result is delivered.'),
    incident.scope.kind === 'Studio' ? null : review('Retire', 'Retire the agent (slashed, deregistered) or keep the model suspended for good; a quarantined result is refused.'),
  );
}

/**
 * What a reviewer looks at: the output that caused the incident (its job's output, quarantined
 * or since delivered), and for an agent, a link to its drift chart.
 */
function evidence(incident, snapshot) {
  const job = snapshot.jobs.find((j) => j.id === String(incident.cause.job ?? incident.job));
  const output = job?.output;
  return h(
    'div',
    { class: 'evidence' },
    output
      ? thumbnail(output, `the output behind incident #${incident.id}`, { dataset: { evidence: output } })
      : null,
    output ? h('div', { class: 'small' }, cidLink(output)) : null,
    incident.scope.kind === 'Agent' ? h('a', { class: 'small', href: '#drift' }, 'drift chart') : null,
  );
}
