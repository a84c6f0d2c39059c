/**
 * CloudFormation refuses a template whose resources refer to each other in a circle ("Circular dependency between
 * resources"), at deploy time. cfn-lint does not see it here: it skips AWS::Serverless::* resources and does not
 * apply SAM's transform, and moto's subset leaves out the resources that formed the one this test was written
 * for (the watchdog named the rules that name the watchdog). So the graph is walked on the processed template,
 * every Ref, GetAtt, ${…} and DependsOn counted, in both branches of every Fn::If: no condition can then hide one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { missingToolNotice, TOOLS } from '../../../dev/build/toolchain.ts';
import type { Template } from '../../../scripts/core/intrinsics.ts';
import { processedTemplate, referencesIn } from '../../helpers/processed-template.ts';
import { skipBecause } from '../../helpers/skip.ts';

/** Each resource's references to other resources (parameters and pseudo parameters are no resources). */
function dependencyGraph(template: Template): Map<string, string[]> {
  const resources = template.Resources as Record<string, Template>;
  const graph = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(resources)) {
    const { DependsOn, ...rest } = resource;
    const refs = new Set([...referencesIn(rest), ...([DependsOn ?? []].flat() as string[])]);
    graph.set(
      id,
      [...refs].filter((ref) => ref !== id && ref in resources),
    );
  }
  return graph;
}

/** A circle of references (its resources in order, the first again at the end), or undefined. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const next of graph.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of graph.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('the processed template has no circular dependency', () => {
  it('finds one where there is one (two rules and a function naming each other)', () => {
    const graph = dependencyGraph({
      Resources: {
        Watchdog: { Type: 'AWS::Lambda::Function', Properties: { Environment: { R: { Ref: 'Rule' } } } },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub, not JavaScript's
        Rule: { Type: 'AWS::Events::Rule', Properties: { EventPattern: { x: [{ 'Fn::Sub': '${Alias}' }] } } },
        Alias: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'Watchdog' } } },
        Table: { Type: 'AWS::DynamoDB::Table', DependsOn: 'Alias', Properties: {} },
      },
    } as Template);
    assert.deepEqual(findCycle(graph), ['Watchdog', 'Rule', 'Alias', 'Watchdog']);
  });

  it('template.yaml with every part: none', (t) => {
    const template = processedTemplate();
    if (!template) return void skipBecause(t, missingToolNotice(TOOLS.sam));
    const graph = dependencyGraph(template);
    assert.ok(graph.size > 50, `the processed template's resources were read (${graph.size})`);
    const cycle = findCycle(graph);
    assert.equal(cycle, undefined, `CloudFormation would refuse it: ${cycle?.join(' → ')}`);
  });
});
