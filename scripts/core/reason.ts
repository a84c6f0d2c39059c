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

/** A Reason from an error thrown by an AWS call made with a time budget of `budgetMs`. */
export function reasonOf(error: unknown, budgetMs: number): Reason {
  const e = error as Error;
  if (e.name === 'UnknownOperationException') return { code: 'not-implemented' };
  if (e.name === 'AbortError' || e.name === 'TimeoutError')
    return { code: 'timeout', seconds: budgetMs / 1000 };
  return { code: 'aws-error', name: e.name, message: e.message };
}

/** One reason in English, as the command line and summary.json's readers see it. */
export function reasonText(reason: Reason): string {
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
  }
}
