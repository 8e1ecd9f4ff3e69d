import { describe, expectTypeOf, it } from 'vitest'
import { createMemoryHistory, createRealtimeServer, createRedisEngine } from '../../src/server'
import type {
  RealtimeEngine,
  RealtimeServer,
  RealtimeServerOptions,
  RedisEngineOptions,
} from '../../src/server'

describe('createRedisEngine() types (SPEC §12)', () => {
  it("types SPEC's call: createRealtimeServer({ port, jwt, engine: createRedisEngine({ url }) })", () => {
    const start = () =>
      createRealtimeServer({
        port: 3000,
        jwt: { secret: 'dev-secret' },
        engine: createRedisEngine({ url: 'redis://127.0.0.1:6379' }),
      })
    expectTypeOf(start).returns.resolves.toEqualTypeOf<RealtimeServer>()
    expectTypeOf(createRedisEngine).returns.toEqualTypeOf<RealtimeEngine>()
    expectTypeOf(createRedisEngine).parameter(0).toEqualTypeOf<RedisEngineOptions>()
    expectTypeOf<RealtimeEngine['name']>().toEqualTypeOf<string>()
    createRedisEngine({
      url: 'rediss://cache.example:6380',
      prefix: 'chat:',
      historySize: 5000,
      dedupeTtlMs: 86_400_000,
      streamTtlMs: 0,
      presenceTtlMs: 30_000,
      connectTimeoutMs: 5000,
    })
  })

  it('refuses engine together with history, and keeps checking option names', () => {
    const engine = createRedisEngine({ url: 'redis://127.0.0.1:6379' })
    const jwt = { secret: 'dev-secret' }
    // @ts-expect-error the engine provides the history: not both
    void createRealtimeServer({ jwt, engine, history: createMemoryHistory(10) })
    void createRealtimeServer({ jwt, history: createMemoryHistory(10), historySize: 10 })
    void createRealtimeServer({ jwt, engine, historySize: 10 })
    // @ts-expect-error a misspelt option is still caught
    void createRealtimeServer({ jwt, engine, histroySize: 10 })
    // @ts-expect-error a misspelt option is still caught (without engine too)
    void createRealtimeServer({ jwt, histroySize: 10 })
    // Options built elsewhere and spread in (as Partial<RealtimeServerOptions>) still fit.
    const extra: Partial<RealtimeServerOptions> = { port: 0 }
    void createRealtimeServer({ jwt, ...extra })
  })

  it('refuses options it does not have and engines not made by the package', () => {
    // @ts-expect-error url is required
    createRedisEngine({})
    // @ts-expect-error historySize is a number
    createRedisEngine({ url: 'redis://127.0.0.1:6379', historySize: '5000' })
    // @ts-expect-error no such option
    createRedisEngine({ url: 'redis://127.0.0.1:6379', cluster: true })
    // @ts-expect-error an engine is made by createRedisEngine, not written by hand
    const handmade: RealtimeEngine = { name: 'mine' }
    void handmade
  })
})
