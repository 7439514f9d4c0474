import type { CreativeFormat, PlatformId } from '../../../../shared/domain/entities'

/**
 * Naming vocabulary of a mid-size outdoor-apparel D2C brand ("Alder & Pine"), shaped after how
 * performance teams actually name things on each platform, so demo screenshots read as real.
 */

/** Seasonal flight themes by start month (index 0 = January). */
const THEMES: readonly (readonly string[])[] = [
  ['New Year Sale', 'January Clearance'],
  ['Winter Clearance', "Valentine's Gifts"],
  ['Spring Collection', 'Spring Hiking'],
  ['Spring Collection', 'Earth Day'],
  ["Mother's Day", 'Mid-Season Sale'],
  ['Summer Sale', 'Summer Camping'],
  ['Summer Sale', 'Mid-Year Sale'],
  ['Back to School', 'Summer Clearance'],
  ['Fall Layers', 'Back to School'],
  ['Fall Layers', 'Halloween'],
  ['Black Friday', 'Cyber Week'],
  ['Holiday Gift Guide', 'Last-Minute Gifts'],
]

export function seasonalTheme(month: number, pick: number): string {
  const themes = THEMES[month - 1] ?? ['Sale']
  return themes[pick % themes.length] ?? 'Sale'
}

export function campaignName(platform: PlatformId, market: string, label: string, theme: string): string {
  switch (platform) {
    case 'meta':
      return `${market} | ${label} | ${theme}`
    case 'google_ads':
      return `${label} | ${theme}`
    case 'tiktok':
      return `TT | ${market} | ${label} | ${theme}`
    case 'snapchat':
      return `SC | ${label} | ${theme}`
  }
}

const CONCEPTS = [
  'UGC Unboxing',
  'Founder Story',
  'Product Demo',
  'Customer Review',
  'Lifestyle Shoot',
  'Offer Static',
  'Bestseller Grid',
  'Trail Test',
  'Rain Test',
  'Packable Demo',
  'Creator Haul',
  'Gift Guide',
  'Size Guide',
  'Behind the Seams',
  'Storm Proof',
  'Comparison Chart',
  'Testimonial Quote',
  'Green Screen Review',
]
const FORMAT_CODES: Record<CreativeFormat, string> = { image: 'IMG', video: 'VID', carousel: 'CAR', collection: 'COL' }
const ASPECTS: Record<CreativeFormat, readonly string[]> = {
  image: ['1x1', '4x5'],
  video: ['9x16', '4x5', '1x1'],
  carousel: ['1x1'],
  collection: ['Instant Experience'],
}

export function adName(
  style: 'social' | 'search',
  format: CreativeFormat,
  adSetName: string,
  version: number,
  pick: number,
): string {
  if (style === 'search') return `RSA | ${adSetName.replace(/ - (Exact|Phrase|Broad)$/, '')} | v${version}`
  const concept = CONCEPTS[pick % CONCEPTS.length] ?? 'Concept'
  const aspects = ASPECTS[format]
  const aspect = aspects[(pick >>> 5) % aspects.length] ?? '1x1'
  return `${FORMAT_CODES[format]} | ${concept} | ${aspect} | v${version}`
}

const HEADLINES_EN = [
  'Free shipping on orders over {c}50',
  'Built for the trail. Made to last.',
  'Up to 40% off - this weekend only',
  'The rain shell 12,000 reviewers love',
  'New colors just dropped',
  'Lightweight. Packable. Waterproof.',
  'Your next adventure starts here',
  '30-day free returns, no questions asked',
  'Gear that keeps up with you',
  'Meet the Ridgeline Down Jacket',
  'Bestsellers are back in stock',
  'Layer up for cooler mornings',
  'Tested in the Cascades',
  'Join 200,000+ happy hikers',
  'Get 15% off your first order',
  'Boots broken in on day one',
  'Pack it, forget it, wear it',
  'Weatherproof your weekend',
]
const HEADLINES_DE = [
  'Kostenloser Versand ab 50 €',
  'Gemacht für jeden Trail',
  'Bis zu 40 % Rabatt – nur dieses Wochenende',
  'Neue Farben sind da',
  'Leicht. Packbar. Wasserdicht.',
  '30 Tage kostenlose Rückgabe',
  'Dein nächstes Abenteuer beginnt hier',
  '15 % Rabatt auf deine erste Bestellung',
  'Bestseller wieder verfügbar',
  'Im Regen getestet. Im Alltag geliebt.',
  'Die Ridgeline Daunenjacke ist da',
]
const THEMED_EN = ['{t}: up to 30% off', 'Shop the {t}', '{t} ends soon', '{t} - extra 20% off gear']
const THEMED_DE = ['{t}: bis zu 30 % Rabatt', 'Jetzt {t} entdecken', '{t} endet bald']

export function headline(language: 'en' | 'de', currencySymbol: string, theme: string | null, pick: number): string {
  const themed = theme !== null && pick % 3 === 0
  const pool = themed ? (language === 'de' ? THEMED_DE : THEMED_EN) : language === 'de' ? HEADLINES_DE : HEADLINES_EN
  const text = pool[(pick >>> 2) % pool.length] ?? 'Shop now'
  return text.replace('{c}', currencySymbol).replace('{t}', theme ?? '')
}

export function currencySymbol(currency: string): string {
  return currency === 'EUR' ? '€' : currency === 'GBP' ? '£' : '$'
}
