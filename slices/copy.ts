/**
 * A copy of `array[start..end)`, as `slice` makes it but without V8's slow path for frozen
 * arrays: in development state is frozen (`freeze.ts`), and `slice`/`concat` on a frozen
 * 1000-message room cost ~40 µs instead of ~1 µs; spreading it does not.
 */
export function copyOf<T>(array: readonly T[], start = 0, end = array.length): T[] {
  if (!Object.isFrozen(array)) return array.slice(start, end)
  const copy = [...array]
  return start === 0 && end === array.length ? copy : copy.slice(start, end)
}
