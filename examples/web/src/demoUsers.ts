/** The identities the dev server hands out tokens for on the start screen. */
export const DEMO_USERS = ['alice', 'bob', 'eve'] as const

/**
 * A demo user the dev server lets open the shared document but not change it (its
 * `authorize` in dev mode: `DEMO_VIEWER` in `src/server/devServer.ts`).
 */
export const DEMO_VIEWER = 'viewer'

/** The rooms the chat example offers. */
export const ROOMS = ['general', 'random'] as const
