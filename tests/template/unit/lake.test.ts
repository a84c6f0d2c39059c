/**
 * The lake part of template.yaml (Lake=enabled): off by default; the function's least privilege and its
 * failure path; the Glue tables and named queries held to the one column schema and the one SQL; and the
 * project rules that catch what would only show at run time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LAKE_SOURCE } from '../../../authenticated/src/lake-layout.ts';
import { loadTemplate, parameterDefaults, resolveConditions } from '../../../dev/build/template.ts';
import { roleStatements, templatePolicyViolations } from '../../../dev/build/template-policy.ts';
import { GLUE_COLUMNS } from '../../../scripts/lake/columns.ts';
import { orderedSql, QUERIES } from '../../../scripts/lake/queries.ts';

const template = loadTemplate();
const resources = template.Resources as Record<
  string,
  { Type: string; Condition?: string; Properties: any } & Record<string, any>
>;
const lakeIds = Object.keys(resources).filter(
  (id) => resources[id]?.Condition === 'HasLake' || resources[id]?.Condition === 'LakeWithAuthEvents',
);
const resolved = (parameters: Record<string, string>) =>
  resolveConditions(template, parameters)(template.Resources) as Record<string, any>;

describe('template.yaml: the lake', () => {
  it('is off by default, and every lake resource depends on the Lake parameter', () => {
    assert.equal(parameterDefaults(template).Lake, 'disabled');
    assert.ok(lakeIds.length >= 15, lakeIds.join());
    for (const id of Object.keys(resources).filter((i) => /^Lake|LakeTable$|Query$/.test(i))) {
      assert.ok(lakeIds.includes(id), `${id} has the lake's condition`);
    }
  });

  it('the function may only read the two streams and put objects under ext/, and runs lake.ts', () => {
    const fn = resources.LakeFunction;
    assert.equal(fn?.Metadata.BuildProperties.EntryPoints[0], 'lake.ts');
    assert.equal(fn?.Properties.Handler, 'lake.handler');
    const statements = roleStatements(resources, 'LakeFunctionRole');
    const actions = statements.flatMap((s: any) => [s.Action].flat());
    assert.deepEqual(
      actions.filter((a: string) => a.startsWith('s3:')),
      ['s3:PutObject'],
    );
    assert.ok(
      !actions.some((a: string) => /^dynamodb:(PutItem|DeleteItem|UpdateItem|Query|Scan|GetItem)$/.test(a)),
    );
    const put = statements.find((s: any) => s.Action === 's3:PutObject');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Sub expression
    assert.deepEqual(put?.Resource, { 'Fn::Sub': '${LakeBucket.Arn}/ext/*' });
  });

  it('new items only, batched for Security Lake, never lost silently: retries, a dead-letter queue, alarms', () => {
    for (const id of ['LakeSignInsStream', 'LakeAuthEventsStream']) {
      const p = resources[id]?.Properties;
      assert.deepEqual(p.FilterCriteria.Filters, [{ Pattern: '{"eventName": ["INSERT"]}' }]);
      assert.equal(p.MaximumBatchingWindowInSeconds, 300);
      assert.deepEqual(p.DestinationConfig.OnFailure.Destination, {
        'Fn::GetAtt': ['LakeDeadLetterQueue', 'Arn'],
      });
      assert.ok(p.MaximumRetryAttempts > 0 && p.BisectBatchOnFunctionError === true);
    }
    assert.deepEqual(resources.LakeSignInsStream?.Properties.EventSourceArn, {
      'Fn::GetAtt': ['LoginHistoryTable', 'StreamArn'],
    });
    assert.deepEqual(resources.LakeAuthEventsStream?.Properties.EventSourceArn, {
      'Fn::GetAtt': ['AuthEventsTable', 'StreamArn'],
    });
    assert.equal(resources.LakeDeadLetterAlarm?.Properties.MetricName, 'ApproximateNumberOfMessagesVisible');
    assert.equal(resources.LakeIteratorAgeAlarm?.Properties.MetricName, 'IteratorAge');
  });

  it('the bucket keeps no versions, is private, TLS only, and expires with the tables', () => {
    const bucket = resources.LakeBucket?.Properties;
    assert.equal(bucket.VersioningConfiguration, undefined);
    assert.ok(Object.values(bucket.PublicAccessBlockConfiguration).every((v) => v === true));
    assert.equal(
      resources.LakeBucketPolicy?.Properties.PolicyDocument.Statement[0].Condition.Bool[
        'aws:SecureTransport'
      ],
      'false',
    );
    const rules = (keep: string) =>
      resolved({ Lake: 'enabled', RetentionDays: keep }).LakeBucket.Properties.LifecycleConfiguration.Rules;
    assert.deepEqual(rules('365')[0], {
      Id: 'expire-with-the-tables',
      Status: 'Enabled',
      Prefix: 'ext/',
      ExpirationInDays: { Ref: 'RetentionDays' },
    });
    assert.ok(
      !rules('0').some((r: any) => r.Id === 'expire-with-the-tables'),
      'RetentionDays=0 keeps the lake too',
    );
  });

  it('the Glue tables have the lake’s column schema and read the layout’s folders by projection', () => {
    for (const [id, name, source] of [
      ['SignInsLakeTable', 'sign_ins', LAKE_SOURCE['sign-ins']],
      ['AuthEventsLakeTable', 'auth_events', LAKE_SOURCE['auth-events']],
    ] as const) {
      const input = resources[id]?.Properties.TableInput;
      assert.equal(input.Name, name);
      assert.deepEqual(input.StorageDescriptor.Columns, GLUE_COLUMNS);
      assert.deepEqual(
        input.PartitionKeys.map((k: any) => k.Name),
        ['region', 'accountid', 'eventday'],
      );
      assert.match(
        JSON.stringify(input.Parameters['storage.location.template']),
        new RegExp(`/ext/${source}/region=`),
      );
      assert.equal(input.Parameters['projection.enabled'], 'true');
    }
  });

  it('the named queries are the audit pack’s SQL, word for word', () => {
    const named = Object.values(resources).filter((r) => r.Type === 'AWS::Athena::NamedQuery');
    assert.ok(named.length >= 7);
    const byName = new Map(Object.values(QUERIES).map((q) => [q.name, q]));
    for (const query of named) {
      const expected =
        byName.get(query.Properties.Name) ?? assert.fail(`no query named ${query.Properties.Name}`);
      assert.equal(query.Properties.QueryString, orderedSql(expected));
      assert.deepEqual(query.Properties.WorkGroup, { Ref: 'LakeWorkGroup' });
    }
  });

  it('project rules: a stream mapping without on-failure destination, a Glue table off the layout, a versioned lake', () => {
    const broken = loadTemplate();
    broken.Resources.LakeSignInsStream.Properties.DestinationConfig = undefined;
    broken.Resources.LakeAuthEventsStream.Properties.MaximumRetryAttempts = -1;
    broken.Resources.SignInsLakeTable.Properties.TableInput.StorageDescriptor.Columns.pop();
    broken.Resources.AuthEventsLakeTable.Properties.TableInput.Parameters['storage.location.template'] = {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Sub expression
      'Fn::Sub': 's3://${LakeBucket}/ext/cognito-auth-events/eventDay=${!eventday}/',
    };
    broken.Resources.LakeBucket.Properties.VersioningConfiguration = { Status: 'Enabled' };
    assert.deepEqual(templatePolicyViolations(template), []);
    const found = templatePolicyViolations(broken);
    for (const expected of [
      /LakeSignInsStream must send failed batches/,
      /LakeAuthEventsStream must bound MaximumRetryAttempts/,
      /SignInsLakeTable's columns/,
      /AuthEventsLakeTable's storage.location.template/,
      /LakeBucket must not keep versions/,
    ]) {
      assert.ok(
        found.some((v) => expected.test(v)),
        `${expected}: ${found.join('; ')}`,
      );
    }
  });
});
