/** Numbers and durations as report.html shows them. Pure. */

/** A count with thousands separators: 10,000. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A duration in seconds: "850 ms", "12.4 s", "3 min 05 s", "1 h 02 min". */
export function formatSeconds(s: number): string {
  if (s === 0) return '0 s';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${Number.isInteger(s) || s >= 10 ? Math.round(s) : s.toFixed(1)} s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')} min`;
}
