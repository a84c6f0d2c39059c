/**
 * "No trail, no silence" on moto's CloudTrail: attach says when no trail logs the region's management events
 * (read and write), names what is wrong with each trail that applies, and prints the command that fixes it.
 * Skipped with a notice when moto is not installed; CI (REQUIRE_TOOLCHAIN=1) installs it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  type PutEventSelectorsCommandInput,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { missingToolNotice, TOOLS } from '../../../../dev/build/toolchain.ts';
import { LOCAL_CREDENTIALS } from '../../../../dev/local-stack/local-clients.ts';
import { type RunningMoto, startMoto } from '../../../../dev/local-stack/moto.ts';
import { authEventTrail } from '../../../../scripts/account/protection.ts';
import { reportAuthEventTrail } from '../../../../scripts/account/trail-check.ts';
import { type Reason, reasonText } from '../../../../scripts/core/reason.ts';
import { closedEndpoint } from '../../../helpers/closed-port.ts';
import { skipBecause } from '../../../helpers/skip.ts';

const REGION = 'eu-west-1';
const credentials = LOCAL_CREDENTIALS;

describe('attach: the CloudTrail trail check (moto)', () => {
  let moto: RunningMoto | undefined;
  const clientFor = (region: string) =>
    new CloudTrailClient({ region, endpoint: moto?.endpoint, credentials });
  const created: { name: string; region: string }[] = [];

  /** A bucket through moto's S3 REST API (the project does not depend on the S3 client). */
  async function createBucket(name: string, region: string) {
    const response = await fetch(`${moto?.endpoint}/${name}`, {
      method: 'PUT',
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=local/20260101/${region}/s3/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body:
        region === 'us-east-1'
          ? ''
          : `<CreateBucketConfiguration><LocationConstraint>${region}</LocationConstraint></CreateBucketConfiguration>`,
    });
    const body = await response.text();
    assert.ok(
      response.ok || body.includes('BucketAlreadyOwnedByYou'),
      `CreateBucket: HTTP ${response.status} ${body}`,
    );
  }

  async function trail(
    name: string,
    options: {
      region?: string;
      multiRegion?: boolean;
      logging?: boolean;
      selectors?: Omit<PutEventSelectorsCommandInput, 'TrailName'>;
    },
  ) {
    const region = options.region ?? REGION;
    const client = clientFor(region);
    await createBucket(`${name}-logs`, region);
    await client.send(
      new CreateTrailCommand({
        Name: name,
        S3BucketName: `${name}-logs`,
        IsMultiRegionTrail: options.multiRegion,
      }),
    );
    created.push({ name, region });
    if (options.selectors)
      await client.send(new PutEventSelectorsCommand({ TrailName: name, ...options.selectors }));
    if (options.logging !== false) await client.send(new StartLoggingCommand({ Name: name }));
    client.destroy();
  }

  async function deleteTrails() {
    for (const { name, region } of created.splice(0)) {
      const client = clientFor(region);
      await client.send(new DeleteTrailCommand({ Name: name }));
      client.destroy();
    }
  }

  async function report() {
    const lines: string[] = [];
    const check = await reportAuthEventTrail(REGION, (line) => lines.push(line), clientFor);
    return { check, text: lines.join('\n') };
  }

  const ALL = { EventSelectors: [{ ReadWriteType: 'All' as const, IncludeManagementEvents: true }] };

  before(async () => {
    moto = await startMoto();
  });
  after(async () => {
    await moto?.stop();
  });

  const skipWithoutMoto = (t: { skip(message: string): void }) => {
    if (moto) return false;
    skipBecause(t, missingToolNotice(TOOLS.moto));
    return true;
  };

  it('no trail: a warning, what it means, and how to create one', async (t) => {
    if (skipWithoutMoto(t)) return;
    const { check, text } = await report();
    assert.equal(check?.logging, undefined);
    assert.deepEqual(check?.trails, []);
    assert.match(
      text,
      /WARNING: no CloudTrail trail logs eu-west-1's management events including read-only ones/,
    );
    assert.match(text, /failed attempts and the\s+source IP of each attempt are not/);
    assert.match(
      text,
      /aws cloudtrail create-trail --name management-events .*--is-multi-region-trail --region eu-west-1/,
    );
    assert.match(text, /aws cloudtrail start-logging --name management-events --region eu-west-1/);
  });

  it('a trail that is not logging: names it and says how to start it', async (t) => {
    if (skipWithoutMoto(t)) return;
    await trail('stopped-trail', { logging: false, selectors: ALL });
    try {
      const { check, text } = await report();
      assert.equal(check?.logging, undefined);
      assert.equal(check?.trails[0]?.problem, 'is not logging');
      assert.match(text, /trail stopped-trail \(eu-west-1\) is not logging/);
      assert.match(
        text,
        /aws cloudtrail start-logging --name arn:aws:cloudtrail:eu-west-1:\d+:trail\/stopped-trail/,
      );
    } finally {
      await deleteTrails();
    }
  });

  it('write-only trails (basic or advanced selectors) do not count: sign-in calls include read-only events', async (t) => {
    if (skipWithoutMoto(t)) return;
    await trail('write-only', {
      selectors: { EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] },
    });
    await trail('advanced-write-only', {
      selectors: {
        AdvancedEventSelectors: [
          {
            Name: 'writes',
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'readOnly', Equals: ['false'] },
            ],
          },
        ],
      },
    });
    await trail('no-management', {
      selectors: { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false }] },
    });
    try {
      const { check, text } = await report();
      assert.equal(check?.logging, undefined);
      assert.deepEqual(Object.fromEntries(check?.trails.map((f) => [f.name, f.problem]) ?? []), {
        'write-only':
          'logs write-only management events (sign-in calls such as InitiateAuth include read-only ones)',
        'advanced-write-only':
          'logs write-only management events (sign-in calls such as InitiateAuth include read-only ones)',
        'no-management': 'logs no management events',
      });
      assert.match(text, /aws cloudtrail put-event-selectors --trail-name arn:.*"ReadWriteType":"All"/);
      // The audit pack judges the trails as attach does.
      assert.deepEqual(await authEventTrail(REGION, clientFor), {
        status: 'not logging',
        facts: { trailsChecked: 3 },
      });
    } finally {
      await deleteTrails();
    }
  });

  it('a logging trail with read and write management events: basic, advanced, or multi-region from elsewhere', async (t) => {
    if (skipWithoutMoto(t)) return;
    for (const good of [
      { name: 'basic-all', options: { selectors: ALL } },
      {
        name: 'advanced-all',
        options: {
          selectors: {
            AdvancedEventSelectors: [
              { Name: 'management', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
            ],
          },
        },
      },
      { name: 'org-wide', options: { region: 'us-east-1', multiRegion: true, selectors: ALL } },
    ]) {
      // A single-region trail elsewhere never applies, whatever it logs.
      await trail('other-region', { region: 'us-west-2', selectors: ALL });
      await trail(good.name, good.options);
      try {
        const { check, text } = await report();
        assert.equal(check?.logging?.name, good.name, text);
        assert.deepEqual(
          check?.trails.map((f) => f.name),
          [good.name],
        );
        assert.match(
          text,
          new RegExp(`^Authentication events: trail ${good.name} logs eu-west-1's management events`),
        );
        assert.doesNotMatch(text, /WARNING/);
        assert.deepEqual(await authEventTrail(REGION, clientFor), {
          status: 'logging',
          facts: { trails: [good.name] },
        });
      } finally {
        await deleteTrails();
      }
    }
  });

  it('says so, without failing, when the region is not an AWS region or the check cannot be made', async () => {
    const lines: string[] = [];
    assert.equal(await reportAuthEventTrail('local', (l) => lines.push(l)), undefined);
    assert.match(lines.join('\n'), /local is not an AWS region/);
    lines.length = 0;
    const endpoint = await closedEndpoint();
    const unreachable = (region: string) =>
      new CloudTrailClient({ region, endpoint, credentials, maxAttempts: 1 });
    assert.equal(await reportAuthEventTrail(REGION, (l) => lines.push(l), unreachable), undefined);
    // A network problem, named as one: no permission is at fault, and Node's own text stays out.
    const port = new URL(endpoint).port;
    assert.match(
      lines.join('\n'),
      new RegExp(
        `could not check the CloudTrail trails \\(cannot reach the AWS endpoint 127\\.0\\.0\\.1:${port}: nothing accepts connections there;`,
      ),
    );
    assert.doesNotMatch(lines.join('\n'), /cloudtrail:DescribeTrails|ECONNREFUSED/);

    // A refusal is about permissions: it names them. (A mock: moto enforces no IAM.)
    lines.length = 0;
    const denying = new CloudTrailClient({ region: REGION });
    mockClient(denying)
      .on(DescribeTrailsCommand)
      .rejects(
        Object.assign(new Error('not authorized to perform: cloudtrail:DescribeTrails'), {
          name: 'AccessDeniedException',
        }),
      );
    assert.equal(
      await reportAuthEventTrail(
        REGION,
        (l) => lines.push(l),
        () => denying,
      ),
      undefined,
    );
    assert.match(
      lines.join('\n'),
      /could not check the CloudTrail trails \(access denied: .*\)\. .*; checking needs cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus and cloudtrail:GetEventSelectors\.$/,
    );
  });
});

describe('attach: a trail that cannot be read (an organization trail seen from a member account)', () => {
  it('names the trail and why, checks the others, and never fails', async () => {
    // A mock only for what moto cannot produce: a trail listed but not readable.
    const client = new CloudTrailClient({ region: REGION });
    const mock = mockClient(client);
    const orgArn = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail';
    mock.on(DescribeTrailsCommand).resolves({
      trailList: [{ Name: 'org-trail', TrailARN: orgArn, HomeRegion: 'us-east-1', IsMultiRegionTrail: true }],
    });
    mock.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    const denied = Object.assign(new Error('not authorized to read this trail'), {
      name: 'AccessDeniedException',
    });
    mock.on(GetEventSelectorsCommand).rejects(denied);
    const lines: string[] = [];
    const check = await reportAuthEventTrail(
      REGION,
      (l) => lines.push(l),
      () => client,
    );
    assert.equal(check?.logging, undefined);
    assert.match(
      lines.join('\n'),
      /trail org-trail \(multi-region\) could not be checked \(AccessDeniedException/,
    );
    // The audit pack cannot say whether sign-ins are logged, and says why.
    const trail = await authEventTrail(REGION, () => client);
    assert.deepEqual(trail, {
      status: 'unknown',
      reason: {
        code: 'trail-unreadable',
        trail: 'org-trail',
        cause: {
          code: 'aws-error',
          name: 'AccessDeniedException',
          message: 'not authorized to read this trail',
        },
      },
    });
    assert.equal(
      reasonText(trail.reason as Reason),
      'AccessDeniedException: not authorized to read this trail (trail org-trail)',
    );
  });
});
