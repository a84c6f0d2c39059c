/**
 * The audit tables are append-only, proven with a real IAM policy engine on the template's own policies:
 * each table's resource policy with each role's identity policy (inline and RolePolicy resources), and an
 * administrator holding AdministratorAccess.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERASURE_KEYS_PARTITION, ERASURE_PARTITION, REPLAY_PARTITION } from '#contract';
import { loadTemplate, type Template } from '../../../dev/build/template.ts';
import { roleStatements } from '../../../dev/build/template-policy.ts';
import { ACCOUNT, type Decision, decide, deployedNames, resolvePolicy } from '../../helpers/policy-engine.ts';

const template = loadTemplate();
const resources = template.Resources as Template;
// Every optional part on, so that every table and role the template can create is evaluated.
const parameters = {
  ...Object.fromEntries(
    Object.entries(template.Parameters ?? {})
      .filter(([, p]) => JSON.stringify((p as Template).AllowedValues ?? []).includes('enabled'))
      .map(([name]) => [name, 'enabled']),
  ),
  CognitoUserPoolArn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Example',
};
const names = deployedNames(template);

/** Who may put into each audit table: a table not listed here has no known writer and fails the test. */
const WRITERS: Record<string, string[]> = {
  LoginHistoryTable: ['LoginHistoryFunctionRole', 'ReplayRole'],
  AuthEventsTable: ['AuthEventsFunctionRole'],
};
const tables = Object.entries(resources)
  .filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')
  .map(([id]) => id);

const ADMINISTRATOR = `arn:aws:iam::${ACCOUNT}:role/Administrator`;
const ADMINISTRATOR_ACCESS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};
const READER = `arn:aws:iam::${ACCOUNT}:role/AuditReader`;
const READ_ONLY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['dynamodb:Query', 'dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:BatchGetItem'],
      Resource: '*',
    },
  ],
};
const A_SUB = '97446a08-1071-7008-8a0b-abb8cc5d9bab';
/** What PartiQL's ExecuteStatement, BatchExecuteStatement and ExecuteTransaction are authorized as. */
const PARTIQL_CHANGES = ['dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete'];
const ALL_CHANGES = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:BatchWriteItem',
  ...PARTIQL_CHANGES,
];

function identityOf(roleId: string): Template[] {
  assert.equal(resources[roleId]?.Type, 'AWS::IAM::Role', `${roleId} is a role of the template`);
  const statements = roleStatements(resources, roleId);
  return [resolvePolicy(template, { Version: '2012-10-17', Statement: statements }, parameters)];
}

for (const table of tables) {
  describe(`${table} is append-only (policy engine)`, () => {
    const tableArn = names[table]?.arn as string;
    const policy = resources[table].Properties.ResourcePolicy?.PolicyDocument;
    const resourcePolicy = resolvePolicy(template, policy, parameters);
    const ask = (principal: string, identityPolicies: Template[], action: string, partition = A_SUB) =>
      decide({
        principal,
        identityPolicies,
        resourcePolicy,
        action,
        resource: tableArn,
        context: { 'dynamodb:LeadingKeys': [partition] },
      });
    const roleArn = (id: string) => names[id]?.arn as string;
    const expectEach = async (
      principal: string,
      identity: Template[],
      actions: string[],
      expected: Decision,
      partition?: string,
    ) => {
      for (const action of actions) {
        assert.equal(await ask(principal, identity, action, partition), expected, `${principal} ${action}`);
      }
    };

    it('has a resource policy well inside DynamoDB 20 KB limit', () => {
      assert.ok(policy, `${table} has a ResourcePolicy`);
      assert.ok(JSON.stringify(resourcePolicy).length < 20 * 1024);
    });

    it('denies an administrator with AdministratorAccess every item change, PartiQL included', async () => {
      await expectEach(ADMINISTRATOR, [ADMINISTRATOR_ACCESS], ALL_CHANGES, 'ExplicitlyDenied');
    });

    it('still lets the administrator and a reader role read: Query, Scan, GetItem', async () => {
      await expectEach(ADMINISTRATOR, [ADMINISTRATOR_ACCESS], ['dynamodb:Query', 'dynamodb:Scan'], 'Allowed');
      await expectEach(
        READER,
        [READ_ONLY],
        ['dynamodb:Query', 'dynamodb:Scan', 'dynamodb:GetItem'],
        'Allowed',
      );
      await expectEach(READER, [READ_ONLY], ['dynamodb:PutItem', 'dynamodb:DeleteItem'], 'ExplicitlyDenied');
    });

    it('lets each writer put, and nothing else', async () => {
      const writers = WRITERS[table];
      assert.ok(writers, `${table}: add its writers to WRITERS (who may put into it?)`);
      for (const writer of writers) {
        const identity = identityOf(writer);
        await expectEach(roleArn(writer), identity, ['dynamodb:PutItem'], 'Allowed');
        await expectEach(
          roleArn(writer),
          identity,
          ALL_CHANGES.filter((a) => a !== 'dynamodb:PutItem'),
          'ExplicitlyDenied',
        );
      }
    });

    it('lets a writer that also held AdministratorAccess still only put', async () => {
      const [writer] = WRITERS[table] ?? [];
      const identity = [...identityOf(writer as string), ADMINISTRATOR_ACCESS];
      await expectEach(
        roleArn(writer as string),
        identity,
        ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', ...PARTIQL_CHANGES],
        'ExplicitlyDenied',
      );
    });

    it('lets the erasure role delete a person’s items and not put, update or batch-write them', async () => {
      const eraser = roleArn('ErasureRole');
      const identity = identityOf('ErasureRole');
      await expectEach(eraser, identity, ['dynamodb:DeleteItem', 'dynamodb:Query'], 'Allowed');
      await expectEach(
        eraser,
        identity,
        ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem', ...PARTIQL_CHANGES],
        'ExplicitlyDenied',
      );
      // Even with AdministratorAccess added to the role, the table's policy keeps it to deletes.
      await expectEach(eraser, [...identity, ADMINISTRATOR_ACCESS], ['dynamodb:PutItem'], 'ExplicitlyDenied');
    });

    it('keeps deletes to the erasure role: no other role of the stack may delete', async () => {
      for (const id of Object.keys(resources).filter(
        (r) => resources[r].Type === 'AWS::IAM::Role' && r !== 'ErasureRole',
      )) {
        assert.notEqual(await ask(roleArn(id), identityOf(id), 'dynamodb:DeleteItem'), 'Allowed', id);
      }
    });

    if (table === 'LoginHistoryTable') {
      it('lets the erasure role put erasure records and key announcements, which nobody may delete', async () => {
        const eraser = roleArn('ErasureRole');
        const identity = identityOf('ErasureRole');
        for (const partition of [ERASURE_PARTITION, ERASURE_KEYS_PARTITION]) {
          await expectEach(eraser, identity, ['dynamodb:PutItem'], 'Allowed', partition);
          await expectEach(eraser, identity, ['dynamodb:DeleteItem'], 'ExplicitlyDenied', partition);
          await expectEach(
            eraser,
            identity,
            ['dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'],
            'ExplicitlyDenied',
            partition,
          );
          await expectEach(
            ADMINISTRATOR,
            [ADMINISTRATOR_ACCESS],
            ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
            'ExplicitlyDenied',
            partition,
          );
        }
        await expectEach(eraser, identity, ['dynamodb:PutItem'], 'ExplicitlyDenied', REPLAY_PARTITION);
      });

      it('keeps the erasure records to the erasure role: no writer may plant or overwrite one', async () => {
        for (const writer of WRITERS[table] ?? []) {
          for (const partition of [ERASURE_PARTITION, ERASURE_KEYS_PARTITION]) {
            await expectEach(
              roleArn(writer),
              identityOf(writer),
              ['dynamodb:PutItem'],
              'ExplicitlyDenied',
              partition,
            );
          }
        }
      });

      it("keeps replay's announcements to the replay role, and nobody deletes them", async () => {
        await expectEach(
          roleArn('ReplayRole'),
          identityOf('ReplayRole'),
          ['dynamodb:PutItem'],
          'Allowed',
          REPLAY_PARTITION,
        );
        const trigger = 'LoginHistoryFunctionRole';
        await expectEach(
          roleArn(trigger),
          identityOf(trigger),
          ['dynamodb:PutItem'],
          'ExplicitlyDenied',
          REPLAY_PARTITION,
        );
        await expectEach(
          ADMINISTRATOR,
          [ADMINISTRATOR_ACCESS],
          ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
          'ExplicitlyDenied',
          REPLAY_PARTITION,
        );
        await expectEach(
          roleArn('ErasureRole'),
          identityOf('ErasureRole'),
          ['dynamodb:DeleteItem'],
          'ExplicitlyDenied',
          REPLAY_PARTITION,
        );
      });
    }
  });
}

describe('the engine itself (guards against a test that cannot fail)', () => {
  it('allows an administrator every change on a table without the resource policy', async () => {
    const table = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/unprotected`;
    for (const action of ALL_CHANGES) {
      const decision = await decide({
        principal: ADMINISTRATOR,
        identityPolicies: [ADMINISTRATOR_ACCESS],
        action,
        resource: table,
        context: { 'dynamodb:LeadingKeys': [A_SUB] },
      });
      assert.equal(decision, 'Allowed', action);
    }
  });

  it('covers every table of the template', () => {
    assert.ok(tables.includes('LoginHistoryTable'));
    for (const table of tables) assert.ok(WRITERS[table], `${table} has known writers`);
  });
});
