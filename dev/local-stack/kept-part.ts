/**
 * The hook for what the kept stack holds beyond its engines. Each part is started once the stack is up (the
 * pool attached, the start's sign-ins written) and adds variables to `start`'s exports; its `seal` runs at
 * start, on `npm run local-stack -- seal` and every SealIntervalMinutes, each time once every sign-in and auth
 * event begun before `until` is written. The trail (kept-trail.ts: the digest bucket and signing key) and the
 * lake (kept-lake.ts: the lake bucket, filled by the lake function from the tables' streams) are the two.
 */
import type { Template } from '../build/template.ts';
import type { LocalStack } from './local-stack.ts';

export interface KeptPartContext {
  stack: LocalStack;
  template: Template;
  /** moto, for every AWS service the stack emulates there (S3, KMS, …). */
  motoEndpoint: string;
  /** The stack's data folder (kept across stop and start); a part keeps its files in a folder of its own. */
  dataDir: string;
  /** One line to the stack's log (and to `start`'s progress while it starts). */
  log: (line: string) => void;
}

export interface KeptPart {
  /** What the part is, for the log and for failures. */
  name: string;
  /** Variables a shell needs to use the part (printed by `start` as export lines). */
  exports: Record<string, string>;
  /** Brings the part up to `until` (epoch ms); returns lines that say what it did. */
  seal?(until: number): Promise<string[]>;
  stop?(): Promise<void>;
}
