/** One row of `npm run bench`: a figure, and when it is compared, its baseline and ratio. */
export interface BenchRow {
  name: string
  value: number
  unit: string
  baseline?: number
  ratio?: number
  note?: string
}
