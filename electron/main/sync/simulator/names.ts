import type { CreativeFormat, Objective, PlatformId } from '../../../../shared/domain/entities'
import type { Funnel } from './profiles'

/**
 * Naming vocabulary of a mid-size outdoor-apparel D2C brand ("Alder & Pine"), shaped after how
 * performance teams actually name things on each platform, so demo screenshots read as real.
 */

export interface CampaignTemplate {
  /** Middle part of the campaign name, e.g. "Prospecting" or "Search | Non-Brand". */
  label: string
  funnel: Funnel
  objective: Objective
  weight: number
  formats: readonly (readonly [CreativeFormat, number])[]
  /** Name endings for always-on campaigns; flights use a seasonal theme instead. */
  evergreen: readonly string[]
  /** Ad set / ad group names; `{t}` is replaced with the campaign's theme. */
  adSets: readonly string[]
  /** Search ads are named after their ad group, social ads after the creative concept. */
  adStyle: 'social' | 'search'
  budgetMult: number
}

const PRODUCTS = ['Rain Jackets', 'Hiking Boots', 'Down Jackets', 'Trail Running Shoes', 'Backpacks', 'Fleece', 'Base Layers']
const SOCIAL = [['image', 0.35], ['video', 0.35], ['carousel', 0.2], ['collection', 0.1]] as const
const VIDEO_FIRST = [['video', 0.9], ['carousel', 0.1]] as const
const SNAP_MIX = [['video', 0.7], ['image', 0.22], ['collection', 0.08]] as const
const PROSPECTING_SETS = [
  'Broad | 25-54 | All genders', 'LAL 1% - Purchasers 180d', 'LAL 3% - Add to Cart 30d',
  'Interests - Hiking & Camping', 'Interests - Trail Running', 'Advantage+ Audience', 'Broad | 18-65+ | Women',
]
const RETARGETING_SETS = [
  'Retargeting - Cart Abandoners 7d', 'Retargeting - Site Visitors 30d', 'Retargeting - IG Engagers 60d',
  'Retargeting - Past Purchasers 180d', 'Retargeting - Video Viewers 50%',
]

export const TEMPLATES: Record<PlatformId, readonly CampaignTemplate[]> = {
  meta: [
    { label: 'Prospecting', funnel: 'prospecting', objective: 'sales', weight: 0.42, formats: SOCIAL,
      evergreen: ['Always-on', 'Bestsellers', 'New Arrivals', 'Rain Shell Launch'], adSets: PROSPECTING_SETS,
      adStyle: 'social', budgetMult: 1.3 },
    { label: 'Advantage+ Shopping', funnel: 'prospecting', objective: 'sales', weight: 0.14,
      formats: [['image', 0.25], ['video', 0.3], ['carousel', 0.2], ['collection', 0.25]],
      evergreen: ['Always-on', 'Catalog', 'Bestsellers'], adSets: ['Advantage+ Shopping | {t}'],
      adStyle: 'social', budgetMult: 1.6 },
    { label: 'Retargeting', funnel: 'retargeting', objective: 'sales', weight: 0.2, formats: SOCIAL,
      evergreen: ['Cart Abandoners', 'Site Visitors 30d', 'DPA - Viewed Products'], adSets: RETARGETING_SETS,
      adStyle: 'social', budgetMult: 0.6 },
    { label: 'Leads', funnel: 'leads', objective: 'leads', weight: 0.08, formats: SOCIAL,
      evergreen: ['Newsletter Signup', 'Catalog Request', 'Giveaway'],
      adSets: ['Lead Form | Broad', 'Lead Form | LAL 2% Subscribers', 'Lead Form | Interests - Outdoors'],
      adStyle: 'social', budgetMult: 0.6 },
    { label: 'Awareness', funnel: 'awareness', objective: 'awareness', weight: 0.09,
      formats: [['video', 0.8], ['image', 0.2]], evergreen: ['Trail Series Video', 'Brand Story', 'Reach'],
      adSets: ['Reach | 18-54 | Broad', 'ThruPlay | Outdoor Enthusiasts', 'Reach | Cities'],
      adStyle: 'social', budgetMult: 0.8 },
    { label: 'Traffic', funnel: 'traffic', objective: 'traffic', weight: 0.07, formats: SOCIAL,
      evergreen: ['Journal - Trail Guides', 'Gear Care Blog'], adSets: ['LPV | Broad', 'LPV | Interests - Hiking'],
      adStyle: 'social', budgetMult: 0.5 },
  ],
  google_ads: [
    { label: 'Search | Non-Brand', funnel: 'prospecting', objective: 'sales', weight: 0.33, formats: [['image', 1]],
      evergreen: PRODUCTS, adSets: ['{t} - Exact', '{t} - Phrase', '{t} - Broad', '{t} - Women', '{t} - Men'],
      adStyle: 'search', budgetMult: 1.2 },
    { label: 'Search | Brand', funnel: 'brand', objective: 'sales', weight: 0.1, formats: [['image', 1]],
      evergreen: ['Exact', 'Phrase', 'Competitors'],
      adSets: ['Brand - Core', 'Brand + Product', 'Brand - Misspellings', 'Brand + Sale'],
      adStyle: 'search', budgetMult: 0.5 },
    { label: 'PMax | Shopping', funnel: 'prospecting', objective: 'sales', weight: 0.24,
      formats: [['image', 0.6], ['video', 0.3], ['carousel', 0.1]],
      evergreen: ['All Products', 'Bestsellers', 'New Arrivals', 'Clearance'],
      adSets: ['Asset Group - {t}', 'Asset Group - Outerwear', 'Asset Group - Footwear', 'Asset Group - Packs'],
      adStyle: 'social', budgetMult: 1.6 },
    { label: 'Display | Remarketing', funnel: 'retargeting', objective: 'sales', weight: 0.1,
      formats: [['image', 0.85], ['video', 0.15]], evergreen: ['Cart Abandoners', 'Site Visitors 30d'],
      adSets: ['Remarketing - Cart Abandoners', 'Remarketing - Product Viewers', 'Remarketing - Customers'],
      adStyle: 'social', budgetMult: 0.5 },
    { label: 'YouTube | Awareness', funnel: 'awareness', objective: 'awareness', weight: 0.1, formats: [['video', 1]],
      evergreen: ['Trail Series', 'Brand Film'],
      adSets: ['In-Stream | Outdoor Enthusiasts', 'Bumper | Affinity - Hiking', 'In-Feed | Custom Intent'],
      adStyle: 'social', budgetMult: 0.8 },
    { label: 'Demand Gen | Prospecting', funnel: 'traffic', objective: 'traffic', weight: 0.08,
      formats: [['image', 0.45], ['video', 0.35], ['carousel', 0.2]], evergreen: ['Lookalike Buyers', 'New Arrivals'],
      adSets: ['Lookalike - Purchasers', 'Custom Segment - Competitor URLs', 'Optimized Targeting'],
      adStyle: 'social', budgetMult: 0.7 },
    { label: 'Search | Leads', funnel: 'leads', objective: 'leads', weight: 0.05, formats: [['image', 1]],
      evergreen: ['Team Orders', 'Wholesale Inquiries'], adSets: ['{t} - Exact', '{t} - Phrase'],
      adStyle: 'search', budgetMult: 0.4 },
  ],
  tiktok: [
    { label: 'Prospecting', funnel: 'prospecting', objective: 'sales', weight: 0.42, formats: VIDEO_FIRST,
      evergreen: ['Always-on', 'Bestsellers'],
      adSets: ['Auto-targeting | 18-34', 'Interest - Outdoors & Camping', 'Smart+ | Broad', 'Behaviour - Hiking Videos'],
      adStyle: 'social', budgetMult: 1.2 },
    { label: 'Spark Ads', funnel: 'prospecting', objective: 'sales', weight: 0.2, formats: [['video', 1]],
      evergreen: ['Creator Hauls', 'UGC Reviews', 'Trail Tests'],
      adSets: ['Spark | Creator Posts | Broad', 'Spark | Creator Posts | 25-44', 'Spark | Whitelisted'],
      adStyle: 'social', budgetMult: 1 },
    { label: 'Retargeting', funnel: 'retargeting', objective: 'sales', weight: 0.1, formats: VIDEO_FIRST,
      evergreen: ['Site Visitors 30d', 'Video Viewers'],
      adSets: ['Custom Audience - Site Visitors', 'Custom Audience - Add to Cart 14d', 'Engaged Viewers 6s'],
      adStyle: 'social', budgetMult: 0.5 },
    { label: 'App Installs', funnel: 'app', objective: 'app_installs', weight: 0.12, formats: VIDEO_FIRST,
      evergreen: ['iOS', 'Android'], adSets: ['App | iOS 16+ | Broad', 'App | Android | Broad', 'App | 18-34'],
      adStyle: 'social', budgetMult: 0.8 },
    { label: 'Reach', funnel: 'awareness', objective: 'awareness', weight: 0.1, formats: [['video', 1]],
      evergreen: ['TopView', 'Brand Moment'], adSets: ['Reach | 18-44 | US', 'Reach | Interest - Outdoors'],
      adStyle: 'social', budgetMult: 0.9 },
    { label: 'Traffic', funnel: 'traffic', objective: 'traffic', weight: 0.06, formats: VIDEO_FIRST,
      evergreen: ['Journal'], adSets: ['Traffic | Broad', 'Traffic | Lookalike'],
      adStyle: 'social', budgetMult: 0.5 },
  ],
  snapchat: [
    { label: 'Story Ads', funnel: 'prospecting', objective: 'sales', weight: 0.4, formats: SNAP_MIX,
      evergreen: ['Always-on', 'Bestsellers'],
      adSets: ['Ad Squad - 18-24 Lifestyle', 'Ad Squad - Outdoor Enthusiasts', 'Ad Squad - Lookalike Purchasers'],
      adStyle: 'social', budgetMult: 1.1 },
    { label: 'Retargeting', funnel: 'retargeting', objective: 'sales', weight: 0.12, formats: SNAP_MIX,
      evergreen: ['Pixel - Add to Cart', 'Pixel - Site Visitors'],
      adSets: ['Ad Squad - Pixel Custom Audience', 'Ad Squad - Cart 14d'],
      adStyle: 'social', budgetMult: 0.5 },
    { label: 'App Installs', funnel: 'app', objective: 'app_installs', weight: 0.2, formats: SNAP_MIX,
      evergreen: ['iOS', 'Android'], adSets: ['Ad Squad - iOS', 'Ad Squad - Android', 'Ad Squad - 18-34 Broad'],
      adStyle: 'social', budgetMult: 0.8 },
    { label: 'Awareness', funnel: 'awareness', objective: 'awareness', weight: 0.18,
      formats: [['video', 0.85], ['image', 0.15]], evergreen: ['AR Lens', 'Commercials'],
      adSets: ['Ad Squad - Reach 13-34', 'Ad Squad - Lens Engagers'], adStyle: 'social', budgetMult: 0.8 },
    { label: 'Traffic', funnel: 'traffic', objective: 'traffic', weight: 0.1, formats: SNAP_MIX,
      evergreen: ['Swipe Up - Journal'], adSets: ['Ad Squad - Swipe Up Broad', 'Ad Squad - Interest Outdoors'],
      adStyle: 'social', budgetMult: 0.5 },
  ],
}

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
  'UGC Unboxing', 'Founder Story', 'Product Demo', 'Customer Review', 'Lifestyle Shoot', 'Offer Static',
  'Bestseller Grid', 'Trail Test', 'Rain Test', 'Packable Demo', 'Creator Haul', 'Gift Guide', 'Size Guide',
  'Behind the Seams', 'Storm Proof', 'Comparison Chart', 'Testimonial Quote', 'Green Screen Review',
]
const FORMAT_CODES: Record<CreativeFormat, string> = { image: 'IMG', video: 'VID', carousel: 'CAR', collection: 'COL' }
const ASPECTS: Record<CreativeFormat, readonly string[]> = {
  image: ['1x1', '4x5'],
  video: ['9x16', '4x5', '1x1'],
  carousel: ['1x1'],
  collection: ['Instant Experience'],
}

export function adName(style: 'social' | 'search', format: CreativeFormat, adSetName: string, version: number, pick: number): string {
  if (style === 'search') return `RSA | ${adSetName.replace(/ - (Exact|Phrase|Broad)$/, '')} | v${version}`
  const concept = CONCEPTS[pick % CONCEPTS.length] ?? 'Concept'
  const aspects = ASPECTS[format]
  const aspect = aspects[(pick >>> 5) % aspects.length] ?? '1x1'
  return `${FORMAT_CODES[format]} | ${concept} | ${aspect} | v${version}`
}

const HEADLINES_EN = [
  'Free shipping on orders over {c}50', 'Built for the trail. Made to last.', 'Up to 40% off - this weekend only',
  'The rain shell 12,000 reviewers love', 'New colors just dropped', 'Lightweight. Packable. Waterproof.',
  'Your next adventure starts here', '30-day free returns, no questions asked', 'Gear that keeps up with you',
  'Meet the Ridgeline Down Jacket', 'Bestsellers are back in stock', 'Layer up for cooler mornings',
  'Tested in the Cascades', 'Join 200,000+ happy hikers', 'Get 15% off your first order',
  'Boots broken in on day one', 'Pack it, forget it, wear it', 'Weatherproof your weekend',
]
const HEADLINES_DE = [
  'Kostenloser Versand ab 50 €', 'Gemacht für jeden Trail', 'Bis zu 40 % Rabatt – nur dieses Wochenende',
  'Neue Farben sind da', 'Leicht. Packbar. Wasserdicht.', '30 Tage kostenlose Rückgabe',
  'Dein nächstes Abenteuer beginnt hier', '15 % Rabatt auf deine erste Bestellung', 'Bestseller wieder verfügbar',
  'Im Regen getestet. Im Alltag geliebt.', 'Die Ridgeline Daunenjacke ist da',
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
