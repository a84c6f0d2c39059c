// Preloaded by the bench into a measured command: reports the process's peak RSS (and the CPU time it used)
// on stderr as it exits.
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
  const { userCPUTime, systemCPUTime } = process.resourceUsage();
  writeSync(2, `BENCH_MAX_RSS_KB=${kb}\nBENCH_CPU_MS=${Math.round((userCPUTime + systemCPUTime) / 1000)}\n`);
});
