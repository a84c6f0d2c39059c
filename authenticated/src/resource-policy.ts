/**
 * Reading a table's resource policy: which actions its Deny statements refuse, and whether those make the
 * table append-only. Used by the audit pack's protection status and by the watchdog.
 */

/** The actions a Deny statement of the resource policy refuses (to whomever it names). */
export function deniedActions(policyJson: string): string[] {
  const policy = JSON.parse(policyJson) as { Statement?: unknown };
  const statements = (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]) as {
    Effect?: string;
    Action?: string | string[];
  }[];
  const actions = statements
    .filter((s) => s?.Effect === 'Deny')
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : s.Action ? [s.Action] : []));
  return [...new Set(actions)].sort();
}

/** What the append-only policy must refuse: changing or deleting a recorded item. */
export const TAMPERING = ['dynamodb:DeleteItem', 'dynamodb:UpdateItem'];
const refuses = (denied: string[], action: string) =>
  denied.some(
    (d) =>
      d === action ||
      d === 'dynamodb:*' ||
      d === '*' ||
      (d.endsWith('*') && action.startsWith(d.slice(0, -1))),
  );

/** True when the denied actions cover every tampering action (the append-only policy is in force). */
export const refusesTampering = (denied: string[]) => TAMPERING.every((action) => refuses(denied, action));
