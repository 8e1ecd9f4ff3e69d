/**
 * `yjs` and `y-protocols` are optional peers: the server loads them the first time a document
 * is opened (a dynamic import), so a server with no collaborative documents never needs them.
 */
export type Yjs = typeof import('yjs')
export type AwarenessModule = typeof import('y-protocols/awareness')

export interface YjsModules {
  Y: Yjs
  awareness: AwarenessModule
}

export const MISSING_YJS_MESSAGE =
  'collaborative editing needs yjs and y-protocols installed on the server: npm install yjs y-protocols'

let loading: Promise<YjsModules> | undefined

/**
 * The loaded modules; rejects with `MISSING_YJS_MESSAGE` (and the cause) when they are not
 * installed. A failure is not cached: installing them and opening again works.
 *
 * @example
 * const { Y } = await loadYjs()
 */
export function loadYjs(): Promise<YjsModules> {
  loading ??= Promise.all([import('yjs'), import('y-protocols/awareness')]).then(
    ([Y, awareness]) => ({ Y, awareness }),
    (error: unknown) => {
      loading = undefined
      throw new Error(MISSING_YJS_MESSAGE, { cause: error })
    },
  )
  return loading
}
