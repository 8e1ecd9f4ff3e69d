import { describe, expect, it } from 'vitest'
import { createMemoryHistory } from '../../src/server'
import { chatFrame, describeHistoryStore } from './historyStoreCases'

describeHistoryStore('createMemoryHistory', { make: createMemoryHistory, namesEpochs: false })

describe('createMemoryHistory', () => {
  const frame = (id: string) => chatFrame(id)

  it('forgets an id together with its dedupe key beyond 10 × historySize', async () => {
    const history = createMemoryHistory(1)
    for (let i = 0; i < 11; i++) await history.append('a', frame(`m${i}`), `k${i}`)
    expect(await history.conflicts?.('a', 'm0', 'other')).toBe(false)
    expect((await history.append('a', frame('m0'), 'other')).conflict).toBeUndefined()
    expect((await history.append('a', frame('m5'), 'another')).conflict).toBe(true)
  })

  it('forgets the oldest dedupe keys beyond 10 × historySize', async () => {
    const history = createMemoryHistory(1)
    for (let i = 0; i < 11; i++) await history.append('a', frame(`m${i}`), `k${i}`)
    expect((await history.append('a', frame('m10'), 'k10')).duplicate).toBe(true)
    expect((await history.append('a', frame('m0'), 'k0')).duplicate).toBe(false)
  })
})
