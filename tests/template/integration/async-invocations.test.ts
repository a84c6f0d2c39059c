/**
 * Lambda applies an EventInvokeConfig (retries, the on-failure destination) only to invocations of its
 * qualifier. The auth-events rule invokes $LATEST, so its config is on $LATEST: SAM's own EventInvokeConfig
 * property would put it on the AutoPublishAlias alias (`Qualifier: live`), where events sent to $LATEST are
 * retried twice and then dropped. And the rule must not invoke the alias instead: SAM publishes a version from
 * the template's properties with parameters unresolved, so after a deploy that only adds a client id the
 * alias would still run with the old CLIENT_IDS and drop that client's events. Read on the processed template.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { missingToolNotice, TOOLS } from '../../../dev/build/toolchain.ts';
import type { Template } from '../../../scripts/core/intrinsics.ts';
import { processedTemplate, referencesIn } from '../../helpers/processed-template.ts';
import { skipBecause } from '../../helpers/skip.ts';

/** A rule's targets, in both branches of an Fn::If (the alarm topic's targets exist only with AlarmEmail). */
function targetsOf(targets: unknown): Template[] {
  if (Array.isArray(targets)) return targets as Template[];
  const branches = (targets as { 'Fn::If'?: unknown[] } | undefined)?.['Fn::If'];
  return branches ? branches.slice(1).flatMap(targetsOf) : [];
}

describe('asynchronous invocations reach the qualifier that holds their retries and destination', () => {
  it('every rule target and permission of a function with an EventInvokeConfig names that qualifier', (t) => {
    const template = processedTemplate();
    if (!template) return void skipBecause(t, missingToolNotice(TOOLS.sam));
    const resources = template.Resources as Record<string, Template>;
    const configs = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig');
    assert.ok(configs.length > 0, 'the auth-events function has an EventInvokeConfig');
    for (const config of configs) {
      const fn = (config.Properties.FunctionName as { Ref: string }).Ref;
      assert.equal(config.Properties.Qualifier, '$LATEST', `${fn}'s config is where its rule sends events`);
      const aliases = Object.entries(resources)
        .filter(([, r]) => r.Type === 'AWS::Lambda::Alias' && r.Properties.FunctionName?.Ref === fn)
        .map(([id]) => id);
      const invokers = [
        ...Object.values(resources)
          .filter((r) => r.Type === 'AWS::Events::Rule')
          .flatMap((r) => targetsOf(r.Properties.Targets))
          .map((target) => ({ what: `target ${target.Id}`, refs: referencesIn(target.Arn) })),
        ...Object.entries(resources)
          .filter(
            ([, r]) =>
              r.Type === 'AWS::Lambda::Permission' && r.Properties.Principal === 'events.amazonaws.com',
          )
          .map(([id, r]) => ({ what: id, refs: referencesIn(r.Properties.FunctionName) })),
      ].filter(({ refs }) => refs.has(fn) || aliases.some((a) => refs.has(a)));
      assert.ok(invokers.length >= 2, `a rule target and its permission invoke ${fn}`);
      for (const { what, refs } of invokers) {
        assert.ok(
          refs.has(fn) && !aliases.some((a) => refs.has(a)),
          `${what} invokes ${fn} ($LATEST), not ${aliases.join(', ')}`,
        );
      }
    }
  });
});
