/**
 * Is there a CloudTrail trail that makes Cognito's authentication events reach EventBridge in this region?
 * EventBridge receives "AWS API Call via CloudTrail" events only while a trail is logging them
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html), and sign-in
 * calls include read-only management events: a trail must log this region's management events, read and
 * write. Without one the AuthEvents records stay empty and nothing else says so; `npm run attach` says it.
 */
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import { checkTrails, type TrailCheck, type TrailFinding } from '../../authenticated/src/trail-logging.ts';
import { explainAwsError, isNetworkError } from '../core/cli.ts';
import { clientConfig } from '../core/clients.ts';

export {
  selectorProblem,
  type TrailCheck,
  type TrailFinding,
} from '../../authenticated/src/trail-logging.ts';

/**
 * The trail check with this command's CloudTrail clients, one per region. `clientFor` gives a client for a
 * region (tests point it at an emulator through AWS_ENDPOINT_URL_CLOUDTRAIL); `sendOptions` are given to each
 * call (e.g. a time budget).
 */
export async function checkAuthEventTrail(
  region: string,
  clientFor: (region: string) => CloudTrailClient = (r) => new CloudTrailClient(clientConfig(r)),
  sendOptions: () => { abortSignal?: AbortSignal } = () => ({}),
): Promise<TrailCheck> {
  const clients = new Map<string, CloudTrailClient>();
  const client = (r: string) => {
    let c = clients.get(r);
    if (!c) {
      c = clientFor(r);
      clients.set(r, c);
    }
    return c;
  };
  try {
    return await checkTrails(region, {
      describeTrails: async (r) =>
        (await client(r).send(new DescribeTrailsCommand({ includeShadowTrails: true }), sendOptions()))
          .trailList ?? [],
      isLogging: async (home, arn) =>
        (await client(home).send(new GetTrailStatusCommand({ Name: arn }), sendOptions())).IsLogging === true,
      eventSelectors: (home, arn) =>
        client(home).send(new GetEventSelectorsCommand({ TrailName: arn }), sendOptions()),
    });
  } finally {
    for (const c of clients.values()) c.destroy();
  }
}

/**
 * What `npm run attach` prints about the trail: one line when a trail delivers the events; otherwise what
 * that means and the commands that fix it.
 */
export function describeTrailCheck(check: TrailCheck): string[] {
  if (check.logging) {
    return [
      `Authentication events: trail ${check.logging.name} logs ${check.region}'s management events (read and write), so failed sign-ins and source IPs reach the AuthEvents records (when the stack has AuthEvents=enabled).`,
    ];
  }
  const lines = [
    `WARNING: no CloudTrail trail logs ${check.region}'s management events including read-only ones.`,
    ...check.trails.map(
      (t) => `  trail ${t.name} (${t.multiRegion ? 'multi-region' : t.homeRegion}) ${t.problem}`,
    ),
    'What that means: successful sign-ins are still recorded by the trigger, but failed attempts and the',
    "source IP of each attempt are not: Cognito's API calls reach EventBridge (and the AuthEvents records)",
    'only through a trail that is logging them. The first trail copy of management events is free (S3 storage',
    'is not); docs/auth-events-reading.md has the recipe and its cost. To create one:',
  ];
  const fixable = check.trails.find((t) => t.problem === 'is not logging');
  if (fixable) {
    lines.push(`  aws cloudtrail start-logging --name ${fixable.arn}`);
  } else if (check.trails.length > 0) {
    const t = check.trails[0] as TrailFinding;
    lines.push(
      "  (this replaces the trail's event selectors: keep any data-event selectors it has in the list)",
      `  aws cloudtrail put-event-selectors --trail-name ${t.arn} --region ${t.homeRegion} --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]'`,
    );
  } else {
    lines.push(
      `  aws cloudtrail create-trail --name management-events --s3-bucket-name <bucket with the CloudTrail bucket policy> --is-multi-region-trail --region ${check.region}`,
      `  aws cloudtrail start-logging --name management-events --region ${check.region}`,
    );
  }
  return lines;
}

/** AWS region names (us-east-1, ap-southeast-2, us-gov-west-1, …); the offline stack's "local" is not one. */
const AWS_REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The trail check as `npm run attach` runs it: never fails the attach (the trigger works without a
 * trail), but says when the check could not be made and why.
 */
export async function reportAuthEventTrail(
  region: string,
  out: (line: string) => void,
  clientFor?: (region: string) => CloudTrailClient,
): Promise<TrailCheck | undefined> {
  if (!AWS_REGION_NAME.test(region)) {
    out(`Authentication events: ${region} is not an AWS region; there is no CloudTrail trail to check.`);
    return undefined;
  }
  try {
    const check = await checkAuthEventTrail(region, clientFor);
    for (const line of describeTrailCheck(check)) out(line);
    return check;
  } catch (error) {
    const { name, message } = error as Error;
    // The permissions are worth naming unless the call never reached CloudTrail.
    const needs = isNetworkError(error)
      ? ''
      : '; checking needs cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus and cloudtrail:GetEventSelectors';
    out(
      `Authentication events: could not check the CloudTrail trails (${explainAwsError(error as Error) ?? `${name}: ${message}`}). Failed sign-ins are recorded only while a trail logs ${region}'s management events${needs}.`,
    );
    return undefined;
  }
}
