import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createBrowserWorld, expectCount, screenshot, UI_TIMEOUT } from './support/browser'

const world = createBrowserWorld()

describe('example app: the shared board in Chromium', () => {
  beforeAll(() => world.start())
  afterAll(() => world.close())
  afterEach(() => {
    expect(world.pageErrors.splice(0)).toEqual([])
  })

  it('moves cards with durable messages, shows live pointers and who is here, and drops a member who leaves', async () => {
    const alice = await world.openAs('alice')
    const bob = await world.openAs('bob')
    const membersOf = (page: typeof alice) => page.getByTestId('board-members').locator('li')

    // Room presence: both see both, sorted by user id.
    for (const page of [alice, bob]) {
      await expectCount(membersOf(page), 2)
      await page.getByTestId('board-member-bob').waitFor()
      await page.getByTestId('board-member-alice').waitFor()
    }

    // A durable card_moved: alice moves "Sketch the board" twice; bob sees it in Done.
    await alice.getByRole('button', { name: 'Move "Sketch the board" to Doing' }).click()
    await alice.getByTestId('column-doing').getByTestId('card-c1').waitFor()
    await alice.getByRole('button', { name: 'Move "Sketch the board" to Done' }).click()
    await bob.getByTestId('column-done').getByTestId('card-c1').waitFor()
    await expectCount(bob.getByTestId('card-c1'), 1)

    // A volatile cursor: alice's pointer over the board appears on bob's page near the spot.
    const area = alice.getByTestId('board-area')
    const box = await area.boundingBox()
    if (!box) throw new Error('the board has no box')
    await alice.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.5)
    await alice.mouse.move(box.x + box.width * 0.75, box.y + box.height * 0.5, { steps: 5 })
    const cursor = bob.getByTestId('cursor-alice')
    await cursor.waitFor({ timeout: UI_TIMEOUT })
    await expect
      .poll(async () => {
        const left = await cursor.evaluate((el) => (el as HTMLElement).style.left)
        return Math.round(Number.parseFloat(left))
      })
      .toBe(75)
    await screenshot(bob.getByTestId('board'), 'board')

    // A late joiner (eve) gets the board from the room's history: c1 is in Done.
    const eve = await world.openAs('eve')
    await eve.getByTestId('column-done').getByTestId('card-c1').waitFor()
    await expectCount(membersOf(alice), 3)

    // bob closes his tab: he leaves alice's "who's here" (no ghost).
    await world.closePage(bob)
    await expectCount(membersOf(alice), 2)
    await expectCount(alice.getByTestId('board-member-bob'), 0)

    await world.closePage(alice)
    await world.closePage(eve)
  })
})
