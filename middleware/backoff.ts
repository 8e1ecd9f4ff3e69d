/**
 * Reconnect delay with full jitter: uniform in `[0, min(cap, base · 2^(attempt−1))]`.
 * Full jitter spreads a crowd of clients that lost the same server instead of syncing them.
 *
 * @param attempt failed attempts so far, starting at 1
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 52))
  const ceiling = Math.min(capMs, baseMs * 2 ** exponent)
  return Math.floor(random() * ceiling)
}
