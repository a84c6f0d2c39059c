/**
 * The EventBridge rule's EventPattern, read from template.yaml with this stack's parameters, evaluated on the
 * CloudTrail corpus by AWS's own pattern engine (event-ruler), not by code of ours. Without Java the test
 * skips with the reason; CI sets REQUIRE_TOOLCHAIN=1 and then it fails instead.
 */
import assert from 'node:assert/strict';
import { before, describe, it, type TestContext } from 'node:test';
import {
  buildAuthEventItem,
  MANAGED_LOGIN_SIGN_IN_EVENTS,
  SIGN_IN_EVENTS,
} from '../../../authenticated/src/auth-event-record.ts';
import { ensureEventRuler, type MatchResult, matchEvents } from '../../../dev/build/event-ruler.ts';
import { AUTH_EVENTS_RULE_ID, loadTemplate, resolvedProperty } from '../../../dev/build/template.ts';
import {
  APP_CLIENT_ID,
  EXPECTED,
  loadCorpus,
  POOL_ID,
  provenanceOf,
  STACK_PARAMETERS,
} from '../../helpers/cloudtrail-corpus.ts';
import { skipBecause } from '../../helpers/skip.ts';

const template = loadTemplate();
const corpus = loadCorpus();
const pattern = resolvedProperty(template, AUTH_EVENTS_RULE_ID, 'EventPattern', {
  parameters: STACK_PARAMETERS,
}) as Record<string, any>;

let results: Record<string, MatchResult> | undefined;
let problem: string | undefined;
before(() => {
  const engine = ensureEventRuler();
  if (!engine.ok) {
    problem = engine.problem;
    return;
  }
  results = matchEvents(engine.classpath, pattern, corpus);
});

function engineResults(t: TestContext): Record<string, MatchResult> | undefined {
  if (results) return results;
  skipBecause(t, `AWS event-ruler is not available: ${problem}`);
  return undefined;
}

describe('the auth-events rule, evaluated by AWS event-ruler on the CloudTrail corpus', () => {
  it('reads the pattern with this pool and client filled in', () => {
    assert.deepEqual(pattern.detail.eventName, [...SIGN_IN_EVENTS], 'same events as the function maps');
    assert.match(JSON.stringify(pattern), new RegExp(`"${POOL_ID}"`));
    assert.match(JSON.stringify(pattern), new RegExp(`"clientId":\\["${APP_CLIENT_ID}"\\]`));
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${expected.delivered ? 'delivers' : 'does not deliver'} ${name}`, (t) => {
      const result = engineResults(t)?.[name];
      if (!results) return;
      assert.ok(result, `no result for ${name}`);
      assert.equal(result.machine, expected.delivered, 'Machine (what EventBridge runs)');
      assert.equal(result.matchesRule, expected.delivered, 'Ruler.matchesRule');
    });
  }

  it('delivers exactly what the function records or rejects, and nothing it would skip', (t) => {
    const all = engineResults(t);
    if (!all) return;
    const options = { userPoolId: POOL_ID, clientIds: [APP_CLIENT_ID], retentionDays: 1 };
    for (const [name, event] of Object.entries(corpus)) {
      const mapped = buildAuthEventItem(event, options).kind;
      assert.equal(
        all[name]?.machine,
        mapped !== 'skipped',
        `${name}: rule and function disagree (${mapped})`,
      );
    }
  });

  it('a lone "anything-but" on authFlow would have lost every RespondToAuthChallenge (why the pattern adds exists:false)', (t) => {
    if (!engineResults(t)) return;
    const engine = ensureEventRuler();
    if (!engine.ok) return;
    const naive = structuredClone(pattern);
    naive.detail.requestParameters.authFlow = naive.detail.requestParameters.authFlow.filter(
      (matcher: any) => !('exists' in matcher),
    );
    const naiveResults = matchEvents(engine.classpath, naive, {
      'srp-success': corpus['srp-success'],
      'mfa-wrong-code': corpus['mfa-wrong-code'],
      'password-success': corpus['password-success'],
      'managed-login-success': corpus['managed-login-success'],
    });
    assert.equal(naiveResults['srp-success']?.machine, false);
    assert.equal(naiveResults['mfa-wrong-code']?.machine, false);
    assert.equal(naiveResults['managed-login-success']?.machine, false);
    assert.equal(naiveResults['password-success']?.machine, true);
  });

  it("delivers every credential-submitting request in each of AWS's documented shapes, Login_GET's (no pool id) included", (t) => {
    if (!engineResults(t)) return;
    const engine = ensureEventRuler();
    if (!engine.ok) return;
    const renamed: Record<string, unknown> = {};
    for (const [name, event] of Object.entries(corpus)) {
      if (provenanceOf(name) !== 'documented') continue;
      for (const eventName of MANAGED_LOGIN_SIGN_IN_EVENTS) {
        renamed[`${name} as ${eventName}`] = { ...event, detail: { ...event.detail, eventName } };
      }
    }
    const delivered = matchEvents(engine.classpath, pattern, renamed);
    const missed = Object.entries(delivered).filter(([, r]) => !r.machine || !r.matchesRule);
    assert.deepEqual(
      missed.map(([name]) => name),
      [],
    );
    assert.equal(Object.keys(delivered).length, 9 * MANAGED_LOGIN_SIGN_IN_EVENTS.length);
    // Without the client-id branch, Login_GET's shape (no userPoolId) would be lost.
    const poolOnly = structuredClone(pattern);
    poolOnly.detail.$or = poolOnly.detail.$or.filter(
      (branch: any) => !branch.additionalEventData?.requestParameters,
    );
    const lost = matchEvents(engine.classpath, poolOnly, {
      'documented-Login_GET as login_POST': renamed['documented-Login_GET as login_POST'],
    });
    assert.equal(lost['documented-Login_GET as login_POST']?.machine, false);
  });
});
