/**
 * Lambda applies an EventInvokeConfig (retries, the on-failure destination) only to invocations of its qualifier.
 * With AutoPublishAlias, SAM puts it on the alias (`Qualifier: live`): a rule that targets the function itself
 * invokes $LATEST, whose events Lambda retries twice and then drops, and the dead-letter queue never hears of
 * them. Read on the processed template, where SAM has made that choice.
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

describe('asynchronous invocations reach the alias that holds their retries and destination', () => {
  it('every rule target and permission of a function with an EventInvokeConfig names that alias', (t) => {
    const template = processedTemplate();
    if (!template) return void skipBecause(t, missingToolNotice(TOOLS.sam));
    const resources = template.Resources as Record<string, Template>;
    const configs = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig');
    assert.ok(configs.length > 0, 'the auth-events function has an EventInvokeConfig');
    for (const config of configs) {
      const fn = (config.Properties.FunctionName as { Ref: string }).Ref;
      const [alias] = Object.entries(resources).filter(
        ([, r]) =>
          r.Type === 'AWS::Lambda::Alias' &&
          r.Properties.FunctionName?.Ref === fn &&
          r.Properties.Name === config.Properties.Qualifier,
      );
      assert.ok(alias, `${fn}'s EventInvokeConfig is on an alias of this template`);
      const aliasId = alias[0];
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
      ].filter(({ refs }) => refs.has(fn) || refs.has(aliasId));
      assert.ok(invokers.length >= 2, `a rule target and its permission invoke ${fn}`);
      for (const { what, refs } of invokers) {
        assert.ok(refs.has(aliasId) && !refs.has(fn), `${what} invokes ${aliasId}, not ${fn} ($LATEST)`);
      }
    }
  });
});
