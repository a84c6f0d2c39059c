// One measured process: import the bundle (cold init), invoke it, optionally keep invoking (warm).
// argv: modulePath invocations eventJson [discard] ; prints one JSON line with timings in ms and peak RSS
// in KB. The first `discard` warm invocations are not recorded (JIT warm-up of this process).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

// VmHWM: getrusage's maxRSS survives exec on Linux and would include the bench parent's size.
const peakRssKb = () => {
  try {
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
  } catch {
    return process.resourceUsage().maxRSS;
  }
};

const [modulePath, invocationsArg, eventJson, discardArg] = process.argv.slice(2);
const invocations = Number(invocationsArg);
const discard = Number(discardArg ?? 0);
const event = JSON.parse(eventJson);
// An auth event is recorded once per CloudTrail eventID: a fresh id per invocation measures real writes.
const fresh = process.env.BENCH_FRESH_EVENT_ID === '1';
const eventFor = (i) => {
  const copy = structuredClone(event);
  if (fresh) copy.detail.eventID = `${process.pid}-${i}-${Math.random().toString(36).slice(2)}`;
  return copy;
};
const context = (i) => ({
  awsRequestId: `${process.pid}-${i}-${Math.random().toString(36).slice(2)}`,
  getRemainingTimeInMillis: () => 3000,
});

const t0 = performance.now();
const mod = await import(pathToFileURL(modulePath).href);
const t1 = performance.now();
await mod.handler(eventFor(0), context(0));
const t2 = performance.now();
const warm = [];
for (let i = 1; i < invocations; i++) {
  const start = performance.now();
  await mod.handler(eventFor(i), context(i));
  if (i > discard) warm.push(performance.now() - start);
}
process.stdout.write(
  `${JSON.stringify({ importMs: t1 - t0, firstInvokeMs: t2 - t1, coldMs: t2 - t0, warm, maxRssKb: peakRssKb() })}\n`,
);
process.exit(0);
