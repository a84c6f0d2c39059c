/**
 * The sealer's handler, apart from its wiring (seal-trail.ts): it refuses to run on a configuration it cannot
 * use, seals up to a deadline its timeout leaves room for, and logs a failure before throwing it again, so
 * that the seal-failed alarm counts it and the Scheduler retries (then the dead-letter queue).
 */
import type { Context } from 'aws-lambda';
import type { Logger } from './log.ts';
import type { SealConfig } from './seal-config.ts';
import { SEAL_FAILED, type SealDependencies, type SealedUpTo, sealTrail } from './seal-intervals.ts';

/** Time kept back from the function's timeout: a run stops starting intervals this long before it. */
export const SEAL_RESERVE_MS = 30_000;

export function createSealTrailHandler(options: {
  configResult: { config: SealConfig; problems: string[] };
  deps: SealDependencies;
  log: Logger;
  now?: () => number;
}): (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<SealedUpTo[]> {
  const { configResult, deps, log } = options;
  const now = options.now ?? Date.now;
  return async (_event, context) => {
    if (configResult.problems.length > 0) {
      log('error', { code: SEAL_FAILED, message: 'invalid configuration', problems: configResult.problems });
      throw new Error(`invalid configuration: ${configResult.problems.join('; ')}`);
    }
    const started = now();
    try {
      return await sealTrail(deps, configResult.config, started, {
        deadline: started + context.getRemainingTimeInMillis() - SEAL_RESERVE_MS,
      });
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      log('error', {
        code: SEAL_FAILED,
        message: 'sealing failed',
        errorName: err.name,
        errorMessage: err.message,
      });
      throw error;
    }
  };
}
