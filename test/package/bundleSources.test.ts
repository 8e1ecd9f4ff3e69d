import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { afterEach, describe, expect, it } from 'vitest'
import { gzipSync } from 'node:zlib'
import { bytesBySource, gzipShare } from '../../scripts/bundleSources.mjs'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

/**
 * A package built like ours (one flat ESM file with a source map of its sources), then bundled
 * as an app imports one name of it, minified, with a source map composed with the package's.
 */
async function appBundle(): Promise<{
  code: string
  map: { sources: string[]; mappings: string }
}> {
  const dir = await mkdtemp(join(tmpdir(), 'bundle-sources-'))
  dirs.push(dir)
  await mkdir(join(dir, 'src'))
  await writeFile(join(dir, 'src/used.ts'), `export function used() { return 'the used code' }\n`)
  await writeFile(
    join(dir, 'src/unused.ts'),
    `import { helper } from 'some-peer'\nexport function unused() { return helper('the unused code') }\n`,
  )
  await writeFile(join(dir, 'src/index.ts'), `export * from './used'\nexport * from './unused'\n`)
  await build({
    entryPoints: [join(dir, 'src/index.ts')],
    outfile: join(dir, 'dist/index.js'),
    bundle: true,
    format: 'esm',
    sourcemap: true,
    external: ['some-peer'],
    logLevel: 'silent',
  })
  await writeFile(
    join(dir, 'app.js'),
    `import { used } from './dist/index.js'\nconsole.log(used())\n`,
  )
  await build({
    entryPoints: [join(dir, 'app.js')],
    outfile: join(dir, 'out/app.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    sourcemap: true,
    external: ['some-peer'],
    logLevel: 'silent',
  })
  const [code, map] = await Promise.all([
    readFile(join(dir, 'out/app.js'), 'utf8'),
    readFile(join(dir, 'out/app.js.map'), 'utf8'),
  ])
  return { code, map: JSON.parse(map) as { sources: string[]; mappings: string } }
}

describe('bytesBySource (the source-map check of .size-limit.mjs)', () => {
  it('counts only the sources whose code is in the bundle, though the map lists them all', async () => {
    const { code, map } = await appBundle()
    // esbuild lists every source of the package's map, used or not: the list alone proves nothing.
    expect(map.sources.some((source) => source.endsWith('src/unused.ts'))).toBe(true)
    const counted = [...bytesBySource(map, code).keys()]
    expect(counted.some((source) => source.endsWith('src/used.ts'))).toBe(true)
    // The peer's import the tree-shaken code left behind is not code of unused.ts.
    expect(counted.filter((source) => source.endsWith('src/unused.ts'))).toEqual([])
    expect(code).not.toContain('the unused code')
  })
})

describe('gzipShare (the size shares of the benchmark)', () => {
  it("is what the gzip of the bundle loses without a source's code: all of it for every source, none for one not in it", async () => {
    const { code, map } = await appBundle()
    const whole = gzipSync(code, { level: 9 }).length
    const used = gzipShare(map, code, (source) => source.endsWith('src/used.ts'))
    expect(used).toBeGreaterThan('the used code'.length / 2)
    expect(used).toBeLessThan(whole)
    expect(gzipShare(map, code, (source) => source.endsWith('src/unused.ts'))).toBe(0)
    // Leaving out every source leaves the code of no source: the app's own line and the
    // gzip frame, less than the whole by more than the used source's share.
    const all = gzipShare(map, code, () => true)
    expect(all).toBeGreaterThanOrEqual(used)
    expect(all).toBeLessThan(whole)
  })
})
