/** The identities the dev server hands out tokens for on the start screen. */
export const DEMO_USERS = ['alice', 'bob', 'eve'] as const

/** The rooms the chat example offers. */
export const ROOMS = ['general', 'random'] as const
