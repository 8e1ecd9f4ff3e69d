/**
 * Every action: commands you dispatch (`commands.ts`) and the past-tense events the middleware
 * dispatches and reducers answer (`events.ts`).
 */
export * from './commands'
export * from './events'
