import type { BuildOptions, Plugin } from 'esbuild'

/** size-limit's esbuild config made what an app's production build does (`plugins` first). */
export declare const production: (...plugins: Plugin[]) => (config: BuildOptions) => BuildOptions

declare const checks: object[]
export default checks
