// Renders build/icon.svg to the PNG icons (app icon and tray) with Debian's Chromium.
import { chromium } from 'playwright-core'
import { readFileSync, mkdirSync } from 'node:fs'

const svg = readFileSync('build/icon.svg', 'utf8')
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
})
mkdirSync('resources/icons', { recursive: true })
const targets = [
  ['build/icon.png', 512],
  ['resources/icons/icon.png', 256],
  ['resources/icons/tray.png', 32],
  ['resources/icons/trayTemplate.png', 22],
]
for (const [file, size] of targets) {
  const page = await browser.newPage({ viewport: { width: size, height: size } })
  await page.setContent(
    `<html><body style="margin:0;background:transparent">${svg.replace('width="512" height="512"', `width="${size}" height="${size}"`)}</body></html>`,
  )
  mkdirSync(file.split('/').slice(0, -1).join('/'), { recursive: true })
  await page.screenshot({ path: file, omitBackground: true })
  await page.close()
}
await browser.close()
console.log('icons written')
