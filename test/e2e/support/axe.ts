import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

/** axe-core's file, injected into the page: it runs there, on the real rendering. */
function axePath(): string {
  try {
    return createRequire(import.meta.url).resolve('axe-core')
  } catch {
    throw new Error('axe-core is not installed: npm install --save-dev axe-core')
  }
}

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: Array<{ target: string[] }>
}

/**
 * The page's WCAG 2.1 A/AA and best-practice violations (contrast, labels, headings,
 * landmarks…), one line each with the elements at fault.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath() })
  const violations = await page.evaluate(async () => {
    const { axe } = window as unknown as {
      axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> }
    }
    const results = await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
      resultTypes: ['violations'],
    })
    return results.violations.map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      nodes: nodes.map((node) => ({ target: node.target })),
    }))
  })
  return violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  )
}
