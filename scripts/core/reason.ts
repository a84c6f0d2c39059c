/**
 * Why something could not be read or is not known, as a code with its parameters, never as a sentence: the
 * command line words it in English (reasonText), the audit report in the pack's language (its dictionaries).
 * Parameters are names, ids, numbers and AWS's own error text, which stay as they are in every language.
 */
export type Reason =
  /** The endpoint answered UnknownOperationException (a local engine without this call). */
  | { code: 'not-implemented' }
  | { code: 'timeout'; seconds: number }
  /** An AWS error, named and quoted as AWS gave it. */
  | { code: 'aws-error'; name: string; message: string }
  /** DynamoDB is a local engine and this service has no endpoint of its own: AWS would describe another account. */
  | { code: 'local-endpoint'; service: string; variable: string; endpoint: string }
  /** The answer lacks the field this check rests on. */
  | { code: 'not-reported'; field: string }
  | { code: 'table-arn-unknown' }
  /** The alarm topic is found through the stack, and no --stack-name was given. */
  | { code: 'no-stack-name' }
  | { code: 'trail-unreadable'; trail: string; cause: Reason };

export type ReasonCode = Reason['code'];

/**
 * Reasons only the command line gives (`npm run doctor`, `npm run protect`): the audit report never shows them,
 * so its dictionaries need no words for them.
 */
export type CommandReason =
  | Reason
  /** The endpoint lacks a call DynamoDB has: an emulator whose answer to this one is not evidence. */
  | { code: 'partial-emulator'; missing: string; answer: string }
  /** What the check compares with is found through the stack. */
  | { code: 'needs-stack'; what: string }
  /** The stack was deployed without the part this check is about (AuthEvents=disabled, no AlarmEmail). */
  | { code: 'not-deployed'; part: string }
  /** The table or resource was not named on the command line. */
  | { code: 'not-named'; option: string }
  /** The stack's template uses something the resolver does not know. */
  | { code: 'unresolvable'; message: string }
  /** Nothing to compare: no event of this kind in the window, and no sample of it. */
  | { code: 'no-events'; what: string; hours: number }
  /** doctor does not know what a rule is for (a rule it was not taught). */
  | { code: 'no-expectation'; rule: string; matched: number; tested: number }
  /** No digest of this table yet, and the stack was deployed too recently for one to be due. */
  | { code: 'not-sealed-yet'; table: string; dueBy?: string };

/** A Reason from an error thrown by an AWS call made with a time budget of `budgetMs`. */
export function reasonOf(error: unknown, budgetMs: number): Reason {
  const e = error as Error;
  if (e.name === 'UnknownOperationException') return { code: 'not-implemented' };
  if (e.name === 'AbortError' || e.name === 'TimeoutError')
    return { code: 'timeout', seconds: budgetMs / 1000 };
  // The SDK could not read the answer (an emulator's HTML error page for a call it lacks): say that, in one line.
  const status = (error as { $response?: { statusCode?: number } }).$response?.statusCode;
  if (e.name === 'SyntaxError' && status !== undefined) {
    return { code: 'aws-error', name: `HTTP ${status}`, message: 'the answer is not an AWS response' };
  }
  return { code: 'aws-error', name: e.name, message: e.message.replace(/\s*\n\s*/g, ' ') };
}

/** One reason in English, as the command line and summary.json's readers see it. */
export function reasonText(reason: CommandReason): string {
  switch (reason.code) {
    case 'not-implemented':
      return 'the endpoint does not implement this call';
    case 'timeout':
      return `no answer within ${reason.seconds} s`;
    case 'aws-error':
      return `${reason.name}: ${reason.message}`;
    case 'local-endpoint':
      return `DynamoDB is a local endpoint (${reason.endpoint}) and ${reason.variable} is not set, so ${reason.service} would not describe this table's account`;
    case 'not-reported':
      return `the endpoint does not report ${reason.field}`;
    case 'table-arn-unknown':
      return 'the table ARN is not known (DescribeTable failed)';
    case 'no-stack-name':
      return 'no --stack-name: the alarm topic is found through the stack';
    case 'trail-unreadable':
      return `${reasonText(reason.cause)} (trail ${reason.trail})`;
    case 'partial-emulator':
      return `the endpoint does not implement ${reason.missing}, so it is an emulator, and its answer (${reason.answer}) is not the table's`;
    case 'needs-stack':
      return `no --stack-name: ${reason.what} found through the stack`;
    case 'not-deployed':
      return `the stack was deployed without ${reason.part}`;
    case 'not-named':
      return `no ${reason.option} was given`;
    case 'unresolvable':
      return `the stack's template cannot be read here: ${reason.message}`;
    case 'no-events':
      return `CloudTrail holds no ${reason.what} of the last ${reason.hours} hours`;
    case 'no-expectation':
      return `doctor does not know what ${reason.rule} is for (${reason.matched} of ${reason.tested} recent events matched)`;
    case 'not-sealed-yet':
      return `nothing of ${reason.table} is sealed yet${reason.dueBy ? `; the first digest is due by ${reason.dueBy}` : ''}`;
  }
}
