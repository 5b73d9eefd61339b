/**
 * CPU seconds this process has used, all threads, user and system (`process.cpuUsage()`). Unlike
 * wall-clock time it does not grow when other work shares the machine, so budgets of runs that
 * shared the cores with different loads stay comparable.
 */
export function processCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
