import { describe, expectTypeOf, it } from 'vitest'
import { createRealtime, type JsonValue, type RoomPresenceMember } from '../../src'
import { useRoomPresence, type RoomPresenceHandle } from '../../src/react'

describe('room presence types', () => {
  const realtime = createRealtime({ url: 'ws://localhost:3000', authToken: 't' })

  it('types selectRoomMembers as the SPEC shape', () => {
    expectTypeOf(realtime.selectors.selectRoomMembers).parameters.toEqualTypeOf<[unknown, string]>()
    expectTypeOf(realtime.selectors.selectRoomMembers).returns.toEqualTypeOf<
      readonly RoomPresenceMember[]
    >()
    expectTypeOf<RoomPresenceMember>().toEqualTypeOf<{
      userId: string
      status: 'online' | 'away' | 'busy' | 'offline'
      customStatus?: string
      data?: JsonValue
    }>()
  })

  it('takes JSON data only', () => {
    realtime.actions.setRoomPresence({ room: 'board', data: { cursor: [1, 2], tool: null } })
    // @ts-expect-error a Date is not JSON
    realtime.actions.setRoomPresence({ room: 'board', data: new Date() })
    // @ts-expect-error data is required
    realtime.actions.setRoomPresence({ room: 'board' })
    expectTypeOf(realtime.actions.setRoomPresence({ room: 'b', data: 1 }).payload).toEqualTypeOf<{
      room: string
      data: JsonValue
    }>()
  })

  it('types the hook in both forms', () => {
    expectTypeOf(useRoomPresence).toBeCallableWith('board')
    expectTypeOf<ReturnType<typeof useRoomPresence>>().toEqualTypeOf<RoomPresenceHandle>()
    expectTypeOf<RoomPresenceHandle['setPresence']>().parameters.toEqualTypeOf<[JsonValue]>()
  })
})
