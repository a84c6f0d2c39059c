/** The q-quantile (0 ≤ q ≤ 1) of measured values, nearest rank: what the load test and the bench report. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}
