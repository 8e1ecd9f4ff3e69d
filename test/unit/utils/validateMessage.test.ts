import { describe, expect, it } from 'vitest'
import {
  MAX_MESSAGE_LENGTH,
  validateMessage,
  validateMessageDetailed,
} from '../../../src/utils/validateMessage'
import { validateFrame } from '../../../src/protocol/codec'

describe('validateMessage', () => {
  it('accepts ordinary text, with newlines, tabs and emoji', () => {
    expect(validateMessage('Hello')).toBe(true)
    expect(validateMessage('line one\nline two\twith a tab')).toBe(true)
    expect(validateMessage('  padded  ')).toBe(true)
    expect(validateMessage('héllo 👋')).toBe(true)
  })

  it('refuses empty and whitespace-only content', () => {
    expect(validateMessageDetailed('')).toMatchObject({ valid: false, reason: 'empty' })
    expect(validateMessageDetailed(' \n\t ')).toMatchObject({ valid: false, reason: 'empty' })
  })

  it("allows exactly the codec's limit and refuses one character more", () => {
    const atLimit = 'x'.repeat(MAX_MESSAGE_LENGTH)
    expect(validateMessage(atLimit)).toBe(true)
    expect(validateMessageDetailed(atLimit + 'x')).toMatchObject({
      valid: false,
      reason: 'too_long',
      message: 'message is longer than 16384 characters',
    })
    const frame = (content: string) =>
      validateFrame({
        v: 1,
        id: 'm1',
        type: 'chat_message',
        timestamp: 1,
        room: 'r',
        data: { content },
      })
    expect(frame(atLimit).ok).toBe(true)
    expect(frame(atLimit + 'x').ok).toBe(false)
  })

  it('refuses control characters other than \\n and \\t', () => {
    for (const c of ['\u0000', '\u0007', '\r', '\u001b', '\u007f', '\u0085']) {
      expect(validateMessage(`a${c}b`)).toBe(false)
    }
    expect(validateMessageDetailed('ok\u0000')).toEqual({
      valid: false,
      reason: 'control_character',
      message: 'message contains control character U+0000 at index 2',
    })
  })

  it('refuses anything that is not a string', () => {
    for (const value of [undefined, null, 42, { content: 'hi' }, ['hi']]) {
      expect(validateMessageDetailed(value)).toMatchObject({ valid: false, reason: 'not_string' })
    }
  })
})
