import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

/** What a bundler puts in an app for one entry: the files of node_modules packages it reads. */
async function packagesIn(entry: string): Promise<Set<string>> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    logLevel: 'silent',
  })
  const packages = new Set<string>()
  for (const input of Object.keys(result.metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)
    if (match?.[1]) packages.add(match[1])
  }
  return packages
}

describe('the collab entry is separate', () => {
  it('the core and React entries bundle no yjs or y-protocols; the collab entry does', async () => {
    for (const entry of ['src/index.ts', 'src/react/index.ts']) {
      const packages = await packagesIn(entry)
      expect(packages.has('yjs'), `${entry} bundles yjs`).toBe(false)
      expect(packages.has('y-protocols'), `${entry} bundles y-protocols`).toBe(false)
    }
    const collab = await packagesIn('src/collab/index.ts')
    expect(collab.has('yjs')).toBe(true)
    expect(collab.has('y-protocols')).toBe(true)
  })
})
