/**
 * Does a CloudTrail trail log this region's management events, read and write? EventBridge receives "AWS API
 * Call via CloudTrail" events only while a trail is logging them, and Cognito's sign-in calls include read-only
 * ones: the auth-events records, and every tamper alarm of the stack, depend on such a trail. Used by
 * `npm run attach`, the audit pack and the watchdog; the CloudTrail calls are passed in (TrailApi), so the
 * commands and the function each use their own SDK.
 */
import type { AdvancedEventSelector, EventSelector, Trail } from '@aws-sdk/client-cloudtrail';

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

/** The three CloudTrail reads the check makes, each in the given region. */
export interface TrailApi {
  describeTrails(region: string): Promise<Trail[]>;
  isLogging(homeRegion: string, trailArn: string): Promise<boolean>;
  eventSelectors(
    homeRegion: string,
    trailArn: string,
  ): Promise<{ EventSelectors?: EventSelector[]; AdvancedEventSelectors?: AdvancedEventSelector[] }>;
}

/**
 * Looks at every trail that applies to `region`: multi-region trails (also those homed elsewhere, seen here
 * as shadow trails) and trails homed in the region. Each is asked, in its home region, whether it is
 * logging and what its event selectors select.
 */
export async function checkTrails(region: string, api: TrailApi): Promise<TrailCheck> {
  const trailList = await api.describeTrails(region);
  const applicable = trailList.filter((t) => t.IsMultiRegionTrail || t.HomeRegion === region);
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
      if (!(await api.isLogging(home, arn))) {
        finding.problem = 'is not logging';
      } else {
        const selectors = await api.eventSelectors(home, arn);
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
}
