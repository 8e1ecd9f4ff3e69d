import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeFrame, makeFrame } from '../../src/protocol'
import type { Frame } from '../../src/protocol'
import { replayBatches } from '../../src/server/joinReplay'

const chat = (seq: number, content: string): Frame =>
  makeFrame('chat_message', { room: 'general', userId: 'alice', seq, data: { content } })

const bytes = (frame: Frame) => Buffer.byteLength(encodeFrame(frame))

/** The frames a client gets out of the messages, batches expanded. */
const flat = (messages: Frame[]) =>
  messages.flatMap((frame) => (frame.type === 'batch' ? frame.data.frames : [frame]))

describe('replayBatches', () => {
  it('keeps every message within maxBytes and at most 200 frames, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(900), { maxLength: 400 }),
        fc.integer({ min: 1024, max: 8192 }),
        (lengths, maxBytes) => {
          const frames = lengths.map((length, i) => chat(i + 1, 'é'.repeat(length)))
          const messages = replayBatches('general', frames, maxBytes)
          for (const message of messages) {
            expect(bytes(message)).toBeLessThanOrEqual(maxBytes)
            if (message.type === 'batch')
              expect(message.data.frames.length).toBeLessThanOrEqual(200)
          }
          const expected = frames.map((frame) =>
            bytes(frame) > maxBytes ? `skip ${frame.seq}` : frame.seq,
          )
          const got = flat(messages).map((frame) =>
            frame.type === 'error' ? `skip ${frame.data.seq}` : frame.seq,
          )
          expect(got).toEqual(expected)
        },
      ),
    )
  })

  it('replaces a stream frame above the limit by MESSAGE_TOO_LARGE, outside any batch', () => {
    const frames = [chat(1, 'a'), chat(2, 'x'.repeat(5000)), chat(3, 'c')]
    const messages = replayBatches('general', frames, 2048)
    expect(messages.map((frame) => frame.type)).toEqual(['batch', 'error', 'batch'])
    expect(messages[1]).toMatchObject({
      room: 'general',
      data: { code: 'MESSAGE_TOO_LARGE', seq: 2 },
    })
  })

  it('sends a frame that fits alone but not inside a batch envelope as a plain frame', () => {
    const probe = chat(1, '')
    const frame = chat(1, 'x'.repeat(2048 - bytes(probe)))
    expect(bytes(frame)).toBe(2048)
    expect(replayBatches('general', [frame], 2048)).toEqual([frame])
  })

  it('leaves a non-stream frame above the limit alone for the send path to drop', () => {
    const receipt = makeFrame('read_receipt', {
      room: 'general',
      userId: 'bob',
      data: { messageId: 'm1', seq: 1 },
    })
    expect(replayBatches('general', [receipt], 100)).toEqual([receipt])
  })
})
