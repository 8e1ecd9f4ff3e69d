/**
 * One row of `npm run bench`: what `test/bench/results.json` holds, one object per row.
 * `baseline` is the same measurement on the raw `ws` socket (or the peer it is compared with),
 * `ratio` is `value / baseline`. A row that could not be measured has `value: 0` and a `note`
 * saying why ("skipped: …", or a name saying "not built yet").
 */
export interface BenchRow {
  name: string
  value: number
  unit: string
  baseline?: number
  ratio?: number
  note?: string
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}

/** Nearest-rank percentile of values sorted ascending. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN
}

/**
 * Runs `measure` up to `runs` times, stopping early once `budgetMs` is spent (at least once).
 * Returns every result, so the caller takes a median and says how many runs it had.
 */
export async function repeat<T>(
  runs: number,
  budgetMs: number,
  measure: (run: number) => Promise<T>,
): Promise<T[]> {
  const started = performance.now()
  const results: T[] = []
  for (let run = 0; run < runs; run++) {
    results.push(await measure(run))
    if (performance.now() - started > budgetMs) break
  }
  return results
}

/**
 * Runs `a` and `b` alternately (a b, b a, a b, …), each up to `runs` times, stopping early once
 * `budgetMs` is spent (each at least once). On a shared machine the load changes during a
 * section: run one block after the other and the ratio measures that change as much as the
 * code; alternated, both sides see the same load.
 */
export async function alternate<A, B>(
  runs: number,
  budgetMs: number,
  a: (run: number) => Promise<A>,
  b: (run: number) => Promise<B>,
): Promise<[A[], B[]]> {
  const started = performance.now()
  const as: A[] = []
  const bs: B[] = []
  for (let run = 0; run < runs; run++) {
    if (run % 2 === 0) {
      as.push(await a(run))
      bs.push(await b(run))
    } else {
      bs.push(await b(run))
      as.push(await a(run))
    }
    if (performance.now() - started > budgetMs) break
  }
  return [as, bs]
}

/** A row compared with a baseline: `ratio` = value / baseline. */
export function compared(
  name: string,
  value: number,
  unit: string,
  baseline: number,
  note?: string,
): BenchRow {
  return { name, value, unit, baseline, ratio: value / baseline, ...(note ? { note } : {}) }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** `promise`, or a rejection saying what did not happen within `ms` (no wait is unbounded). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bench: ${what} did not happen within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
