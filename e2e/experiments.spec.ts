import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { demoReady, serverInfo } from './server-info'

const shots = join(import.meta.dirname, '..', 'test-results', 'screenshots')

async function openExperiments(page: Page): Promise<void> {
  const u = new URL(serverInfo().url)
  await page.goto(`${u.origin}${u.pathname}${u.search}#/experiments`)
  await expect(page.getByRole('heading', { level: 1, name: 'Experiments' })).toBeVisible()
}

test.describe('experiments page', () => {
  test.beforeAll(async () => {
    await demoReady()
  })

  test('analyses a suggested test from the store with its verdict and cumulative lift', async ({ page }) => {
    await openExperiments(page)
    const suggestions = page.getByTestId('experiment-suggestions')
    await expect(suggestions).toBeVisible()
    await suggestions
      .getByRole('button', { name: /^Analyse the ads of/ })
      .first()
      .click()
    const result = page.getByTestId('experiment-result')
    await expect(result).toBeVisible()
    await expect(page.getByTestId('experiment-verdict')).toHaveText(
      /(wins|No detectable difference|Not enough data yet)/,
    )
    await expect(result.getByRole('img', { name: /Cumulative relative lift/ })).toBeVisible()
    await expect(result.locator('canvas')).toHaveCount(1)
    mkdirSync(shots, { recursive: true })
    // The page scrolls inside its main area: one shot of the top, one of the result.
    await page.screenshot({ path: join(shots, 'experiments.png') })
    await result.screenshot({ path: join(shots, 'experiments-result.png') })
  })

  test('the power calculator answers as you type, and the store picker works from the keyboard', async ({ page }) => {
    await openExperiments(page)
    await page.getByTestId('calc-baseRate').fill('5')
    await page.getByTestId('calc-mde').fill('10')
    await page.getByTestId('calc-dailyTrials').fill('2000')
    await page.getByTestId('calc-dailySpend').fill('300')
    // R: power.prop.test(p1 = .05, p2 = .055, power = .8) → 31,234 per variant; 62,468 / 2,000 → 32 days.
    await expect(page.getByTestId('calc-answer')).toContainText('31,234 clicks per variant')
    await expect(page.getByTestId('calc-answer')).toContainText('about 32 days')
    await page.getByTestId('calc-baseRate').fill('abc')
    await expect(page.getByTestId('calc-answer')).toContainText('Current rate needs a number, got "abc".')
    await page.getByTestId('calc-baseRate').fill('5')
    // Keyboard: tick two ads with Space, run the analysis with Enter.
    const boxes = page.locator('.exp-pick input[type="checkbox"]')
    await boxes.nth(0).focus()
    await page.keyboard.press('Space')
    await boxes.nth(1).focus()
    await page.keyboard.press('Space')
    await page.getByTestId('analyse-store').focus()
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('experiment-verdict')).toBeVisible()
  })

  test('analyses the Udacity CSV (gzip) with the cleaning options: 12.04% vs 11.88%', async ({ page }) => {
    await openExperiments(page)
    await page.getByTestId('tab-csv').click()
    await page
      .getByTestId('csv-file')
      .setInputFiles(join(import.meta.dirname, '..', 'electron/main/experiments/fixtures/udacity_ab_data.csv.gz'))
    await page.getByTestId('csv-variantColumn').selectOption('group')
    await page.getByTestId('csv-outcomeColumn').selectOption('converted')
    await page.getByTestId('csv-consistentWith').selectOption('landing_page')
    await page.getByTestId('csv-uniqueBy').selectOption('user_id')
    await page.getByTestId('csv-dateColumn').selectOption('timestamp')
    await page.getByTestId('analyse-csv').click()
    const table = page.getByTestId('experiment-variants')
    await expect(table).toContainText('12.04%', { timeout: 60_000 })
    await expect(table).toContainText('11.88%')
    await expect(page.getByTestId('experiment-verdict')).toContainText('No detectable difference')
    await expect(page.getByText(/Cleaning dropped 3,893 rows/)).toBeVisible()
    await page.getByTestId('experiment-result').screenshot({ path: join(shots, 'experiments-csv.png') })
    // A broken choice is refused with the column named.
    await page.getByTestId('csv-outcomeColumn').selectOption('landing_page')
    await page.getByTestId('analyse-csv').click()
    await expect(page.getByRole('alert')).toContainText('column "landing_page" is not a binary outcome')
  })
})
