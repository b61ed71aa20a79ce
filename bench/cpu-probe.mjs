// `node --import ./bench/cpu-probe.mjs ...`: on exit, writes the process's own CPU time and peak
// memory to the file named by BENCH_CPU_FILE (JSON), so the bench can report CPU seconds beside
// wall time: CPU time is far less sensitive to other load on the machine than wall time.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_CPU_FILE;
if (file)
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ userMs: u.userCPUTime / 1000, systemMs: u.systemCPUTime / 1000, maxRssKiB: u.maxRSS }));
  });
