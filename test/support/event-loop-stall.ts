// How long this process's event loop was held, measured two ways while some work runs:
//  - maxDelayMs: the longest wall-clock delay of the loop (perf_hooks monitorEventLoopDelay), what a request waiting
//    for /health felt. On a machine shared with other processes it also counts time the OS gave to them.
//  - maxHeldMs: the longest stretch the loop spent busy with this process's own work: for each gap between two ticks
//    of a 2 ms timer, the smaller of the wall-clock gap and the CPU time the process used in it. A process the OS
//    set aside used no CPU meanwhile, so a busy machine does not show up here; a loop held by a long computation does.
//    (The CPU time is the whole process's, GC and worker threads included — the WAL checkpoint thread starting
//    under a big import, say — so it is also bounded by the main thread's own active time, from
//    performance.eventLoopUtilization(), which in turn counts time the OS set the thread aside while busy. Each is
//    an upper bound of the time the loop was held by our work; so is the smallest of the three.)
import { monitorEventLoopDelay, performance as perf, type EventLoopUtilization } from 'node:perf_hooks';

export interface EventLoopStall {
  maxDelayMs: number;
  maxHeldMs: number;
}

const TICK_MS = 2;

export function startStallProbe(): { stop(): EventLoopStall } {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  let lastWall = performance.now();
  let lastCpu = cpuMs();
  let lastElu: EventLoopUtilization = perf.eventLoopUtilization();
  let maxHeldMs = 0;
  const measure = () => {
    const wall = performance.now();
    const cpu = cpuMs();
    const elu = perf.eventLoopUtilization();
    const active = perf.eventLoopUtilization(elu, lastElu).active;
    maxHeldMs = Math.max(maxHeldMs, Math.min(wall - lastWall, cpu - lastCpu, active));
    lastWall = wall;
    lastCpu = cpu;
    lastElu = elu;
  };
  const timer = setInterval(measure, TICK_MS);
  return {
    stop() {
      measure();
      clearInterval(timer);
      histogram.disable();
      return { maxDelayMs: histogram.max / 1e6, maxHeldMs };
    },
  };
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
