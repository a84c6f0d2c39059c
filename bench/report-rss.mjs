// Preloaded by the bench into a measured command: reports the process's peak RSS on stderr as it exits.
// VmHWM, not getrusage's maxRSS: Linux carries ru_maxrss across exec, so a child forked from a large parent
// would report the parent's size.
import { readFileSync, writeSync } from 'node:fs';

process.on('exit', () => {
  let kb = process.resourceUsage().maxRSS;
  try {
    kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? kb);
  } catch {
    // not Linux: keep maxRSS
  }
  writeSync(2, `BENCH_MAX_RSS_KB=${kb}\n`);
});
