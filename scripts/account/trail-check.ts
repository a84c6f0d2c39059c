/**
 * Is there a CloudTrail trail that makes Cognito's authentication events reach EventBridge in this region?
 * EventBridge receives "AWS API Call via CloudTrail" events only while a trail is logging them
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html), and sign-in
 * calls include read-only management events: a trail must log this region's management events, read and
 * write. Without one the AuthEvents records stay empty and nothing else says so; `npm run attach` says it.
 */
import {
  type AdvancedEventSelector,
  CloudTrailClient,
  DescribeTrailsCommand,
  type EventSelector,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';

const COGNITO_SOURCE = 'cognito-idp.amazonaws.com';

/** One trail that applies to the region, and why it does not deliver the sign-in events (if it does not). */
export interface TrailFinding {
  name: string;
  arn: string;
  homeRegion: string;
  multiRegion: boolean;
  /** Undefined when the trail logs this region's management events, read and write. */
  problem?: string;
  /** What the trail's reads failed with, when it could not be checked (`problem` says so in words). */
  error?: unknown;
}

export interface TrailCheck {
  region: string;
  /** The first trail that delivers the events; undefined when none does. */
  logging?: TrailFinding;
  /** Every trail that applies to the region (multi-region, or homed here), with its problem if any. */
  trails: TrailFinding[];
}

/** Which of read-only and write management events of Cognito a selector set logs. */
interface Coverage {
  read: boolean;
  write: boolean;
}

function legacyCoverage(selectors: EventSelector[]): Coverage {
  const covered: Coverage = { read: false, write: false };
  for (const s of selectors) {
    if (s.IncludeManagementEvents === false) continue;
    if (s.ExcludeManagementEventSources?.includes(COGNITO_SOURCE)) continue;
    const type = s.ReadWriteType ?? 'All';
    if (type === 'All' || type === 'ReadOnly') covered.read = true;
    if (type === 'All' || type === 'WriteOnly') covered.write = true;
  }
  return covered;
}

/**
 * Advanced selectors: a selector logs management events when its eventCategory is Management; its readOnly
 * field, when present, narrows it to read-only ("true") or write ("false") events; an eventSource field
 * that excludes Cognito (or names only other sources) means it does not log Cognito at all.
 */
function advancedCoverage(selectors: AdvancedEventSelector[]): Coverage {
  const covered: Coverage = { read: false, write: false };
  for (const s of selectors) {
    const fields = s.FieldSelectors ?? [];
    const category = fields.find((f) => f.Field === 'eventCategory');
    if (!category?.Equals?.includes('Management')) continue;
    const source = fields.find((f) => f.Field === 'eventSource');
    if (source?.NotEquals?.includes(COGNITO_SOURCE)) continue;
    if (source?.Equals && !source.Equals.includes(COGNITO_SOURCE)) continue;
    const readOnly = fields.find((f) => f.Field === 'readOnly');
    const allows = (value: 'true' | 'false') =>
      !readOnly ||
      ((readOnly.Equals ? readOnly.Equals.includes(value) : true) &&
        !(readOnly.NotEquals ?? []).includes(value));
    if (allows('true')) covered.read = true;
    if (allows('false')) covered.write = true;
  }
  return covered;
}

/** Why the trail's selectors miss sign-in events, or undefined when they log them all. */
export function selectorProblem(
  selectors: EventSelector[] | undefined,
  advanced: AdvancedEventSelector[] | undefined,
): string | undefined {
  const covered =
    advanced && advanced.length > 0
      ? advancedCoverage(advanced)
      : selectors && selectors.length > 0
        ? legacyCoverage(selectors)
        : { read: false, write: false };
  if (covered.read && covered.write) return undefined;
  if (covered.write)
    return 'logs write-only management events (sign-in calls such as InitiateAuth include read-only ones)';
  if (covered.read) return 'logs read-only management events only';
  return 'logs no management events';
}

/**
 * Looks at every trail that applies to `region`: multi-region trails (also those homed elsewhere, seen here
 * as shadow trails) and trails homed in the region. Each is asked, in its home region, whether it is
 * logging and what its event selectors select. `clientFor` gives a client for a region (tests point it at
 * an emulator through AWS_ENDPOINT_URL_CLOUDTRAIL); `sendOptions` are given to each call (e.g. a time budget).
 */
export async function checkAuthEventTrail(
  region: string,
  clientFor: (region: string) => CloudTrailClient = (r) => new CloudTrailClient({ region: r }),
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
    const { trailList = [] } = await client(region).send(
      new DescribeTrailsCommand({ includeShadowTrails: true }),
      sendOptions(),
    );
    const applicable = trailList.filter((t: Trail) => t.IsMultiRegionTrail || t.HomeRegion === region);
    const trails: TrailFinding[] = [];
    for (const t of applicable) {
      const arn = t.TrailARN ?? '';
      const home = t.HomeRegion ?? region;
      const finding: TrailFinding = {
        name: t.Name ?? arn,
        arn,
        homeRegion: home,
        multiRegion: t.IsMultiRegionTrail === true,
      };
      try {
        const status = await client(home).send(new GetTrailStatusCommand({ Name: arn }), sendOptions());
        if (!status.IsLogging) {
          finding.problem = 'is not logging';
        } else {
          const selectors = await client(home).send(
            new GetEventSelectorsCommand({ TrailName: arn }),
            sendOptions(),
          );
          finding.problem = selectorProblem(selectors.EventSelectors, selectors.AdvancedEventSelectors);
        }
      } catch (error) {
        // e.g. an organization trail a member account may see but not read: say so, check the others.
        const { name, message } = error as Error;
        finding.error = error;
        finding.problem = `could not be checked (${name}: ${message}); if it logs read and write management events, sign-in attempts are recorded`;
      }
      trails.push(finding);
    }
    return { region, logging: trails.find((t) => !t.problem), trails };
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
    out(
      `Authentication events: could not check the CloudTrail trails (${name}: ${message}). Failed sign-ins are recorded only while a trail logs ${region}'s management events; checking needs cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus and cloudtrail:GetEventSelectors.`,
    );
    return undefined;
  }
}
