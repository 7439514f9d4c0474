import type { CreativeFormat, Objective, PlatformId } from '../../../../shared/domain/entities'
import type { Funnel } from './profiles'

/**
 * Campaign archetypes per platform, shaped after how performance teams structure and name
 * accounts there; weights set the campaign mix of each account.
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

const PRODUCTS = [
  'Rain Jackets',
  'Hiking Boots',
  'Down Jackets',
  'Trail Running Shoes',
  'Backpacks',
  'Fleece',
  'Base Layers',
]
const SOCIAL = [
  ['image', 0.35],
  ['video', 0.35],
  ['carousel', 0.2],
  ['collection', 0.1],
] as const
const VIDEO_FIRST = [
  ['video', 0.9],
  ['carousel', 0.1],
] as const
const SNAP_MIX = [
  ['video', 0.7],
  ['image', 0.22],
  ['collection', 0.08],
] as const
const PROSPECTING_SETS = [
  'Broad | 25-54 | All genders',
  'LAL 1% - Purchasers 180d',
  'LAL 3% - Add to Cart 30d',
  'Interests - Hiking & Camping',
  'Interests - Trail Running',
  'Advantage+ Audience',
  'Broad | 18-65+ | Women',
]
const RETARGETING_SETS = [
  'Retargeting - Cart Abandoners 7d',
  'Retargeting - Site Visitors 30d',
  'Retargeting - IG Engagers 60d',
  'Retargeting - Past Purchasers 180d',
  'Retargeting - Video Viewers 50%',
]

export const TEMPLATES: Record<PlatformId, readonly CampaignTemplate[]> = {
  meta: [
    {
      label: 'Prospecting',
      funnel: 'prospecting',
      objective: 'sales',
      weight: 0.42,
      formats: SOCIAL,
      evergreen: ['Always-on', 'Bestsellers', 'New Arrivals', 'Rain Shell Launch'],
      adSets: PROSPECTING_SETS,
      adStyle: 'social',
      budgetMult: 1.3,
    },
    {
      label: 'Advantage+ Shopping',
      funnel: 'prospecting',
      objective: 'sales',
      weight: 0.14,
      formats: [
        ['image', 0.25],
        ['video', 0.3],
        ['carousel', 0.2],
        ['collection', 0.25],
      ],
      evergreen: ['Always-on', 'Catalog', 'Bestsellers'],
      adSets: ['Advantage+ Shopping | {t}'],
      adStyle: 'social',
      budgetMult: 1.6,
    },
    {
      label: 'Retargeting',
      funnel: 'retargeting',
      objective: 'sales',
      weight: 0.2,
      formats: SOCIAL,
      evergreen: ['Cart Abandoners', 'Site Visitors 30d', 'DPA - Viewed Products'],
      adSets: RETARGETING_SETS,
      adStyle: 'social',
      budgetMult: 0.6,
    },
    {
      label: 'Leads',
      funnel: 'leads',
      objective: 'leads',
      weight: 0.08,
      formats: SOCIAL,
      evergreen: ['Newsletter Signup', 'Catalog Request', 'Giveaway'],
      adSets: ['Lead Form | Broad', 'Lead Form | LAL 2% Subscribers', 'Lead Form | Interests - Outdoors'],
      adStyle: 'social',
      budgetMult: 0.6,
    },
    {
      label: 'Awareness',
      funnel: 'awareness',
      objective: 'awareness',
      weight: 0.09,
      formats: [
        ['video', 0.8],
        ['image', 0.2],
      ],
      evergreen: ['Trail Series Video', 'Brand Story', 'Reach'],
      adSets: ['Reach | 18-54 | Broad', 'ThruPlay | Outdoor Enthusiasts', 'Reach | Cities'],
      adStyle: 'social',
      budgetMult: 0.8,
    },
    {
      label: 'Traffic',
      funnel: 'traffic',
      objective: 'traffic',
      weight: 0.07,
      formats: SOCIAL,
      evergreen: ['Journal - Trail Guides', 'Gear Care Blog'],
      adSets: ['LPV | Broad', 'LPV | Interests - Hiking'],
      adStyle: 'social',
      budgetMult: 0.5,
    },
  ],
  google_ads: [
    {
      label: 'Search | Non-Brand',
      funnel: 'prospecting',
      objective: 'sales',
      weight: 0.33,
      formats: [['image', 1]],
      evergreen: PRODUCTS,
      adSets: ['{t} - Exact', '{t} - Phrase', '{t} - Broad', '{t} - Women', '{t} - Men'],
      adStyle: 'search',
      budgetMult: 1.2,
    },
    {
      label: 'Search | Brand',
      funnel: 'brand',
      objective: 'sales',
      weight: 0.1,
      formats: [['image', 1]],
      evergreen: ['Exact', 'Phrase', 'Competitors'],
      adSets: ['Brand - Core', 'Brand + Product', 'Brand - Misspellings', 'Brand + Sale'],
      adStyle: 'search',
      budgetMult: 0.5,
    },
    {
      label: 'PMax | Shopping',
      funnel: 'prospecting',
      objective: 'sales',
      weight: 0.24,
      formats: [
        ['image', 0.6],
        ['video', 0.3],
        ['carousel', 0.1],
      ],
      evergreen: ['All Products', 'Bestsellers', 'New Arrivals', 'Clearance'],
      adSets: ['Asset Group - {t}', 'Asset Group - Outerwear', 'Asset Group - Footwear', 'Asset Group - Packs'],
      adStyle: 'social',
      budgetMult: 1.6,
    },
    {
      label: 'Display | Remarketing',
      funnel: 'retargeting',
      objective: 'sales',
      weight: 0.1,
      formats: [
        ['image', 0.85],
        ['video', 0.15],
      ],
      evergreen: ['Cart Abandoners', 'Site Visitors 30d'],
      adSets: ['Remarketing - Cart Abandoners', 'Remarketing - Product Viewers', 'Remarketing - Customers'],
      adStyle: 'social',
      budgetMult: 0.5,
    },
    {
      label: 'YouTube | Awareness',
      funnel: 'awareness',
      objective: 'awareness',
      weight: 0.1,
      formats: [['video', 1]],
      evergreen: ['Trail Series', 'Brand Film'],
      adSets: ['In-Stream | Outdoor Enthusiasts', 'Bumper | Affinity - Hiking', 'In-Feed | Custom Intent'],
      adStyle: 'social',
      budgetMult: 0.8,
    },
    {
      label: 'Demand Gen | Prospecting',
      funnel: 'traffic',
      objective: 'traffic',
      weight: 0.08,
      formats: [
        ['image', 0.45],
        ['video', 0.35],
        ['carousel', 0.2],
      ],
      evergreen: ['Lookalike Buyers', 'New Arrivals'],
      adSets: ['Lookalike - Purchasers', 'Custom Segment - Competitor URLs', 'Optimized Targeting'],
      adStyle: 'social',
      budgetMult: 0.7,
    },
    {
      label: 'Search | Leads',
      funnel: 'leads',
      objective: 'leads',
      weight: 0.05,
      formats: [['image', 1]],
      evergreen: ['Team Orders', 'Wholesale Inquiries'],
      adSets: ['{t} - Exact', '{t} - Phrase'],
      adStyle: 'search',
      budgetMult: 0.4,
    },
  ],
  tiktok: [
    {
      label: 'Prospecting',
      funnel: 'prospecting',
      objective: 'sales',
      weight: 0.42,
      formats: VIDEO_FIRST,
      evergreen: ['Always-on', 'Bestsellers'],
      adSets: [
        'Auto-targeting | 18-34',
        'Interest - Outdoors & Camping',
        'Smart+ | Broad',
        'Behaviour - Hiking Videos',
      ],
      adStyle: 'social',
      budgetMult: 1.2,
    },
    {
      label: 'Spark Ads',
      funnel: 'prospecting',
      objective: 'sales',
      weight: 0.2,
      formats: [['video', 1]],
      evergreen: ['Creator Hauls', 'UGC Reviews', 'Trail Tests'],
      adSets: ['Spark | Creator Posts | Broad', 'Spark | Creator Posts | 25-44', 'Spark | Whitelisted'],
      adStyle: 'social',
      budgetMult: 1,
    },
    {
      label: 'Retargeting',
      funnel: 'retargeting',
      objective: 'sales',
      weight: 0.1,
      formats: VIDEO_FIRST,
      evergreen: ['Site Visitors 30d', 'Video Viewers'],
      adSets: ['Custom Audience - Site Visitors', 'Custom Audience - Add to Cart 14d', 'Engaged Viewers 6s'],
      adStyle: 'social',
      budgetMult: 0.5,
    },
    {
      label: 'App Installs',
      funnel: 'app',
      objective: 'app_installs',
      weight: 0.12,
      formats: VIDEO_FIRST,
      evergreen: ['iOS', 'Android'],
      adSets: ['App | iOS 16+ | Broad', 'App | Android | Broad', 'App | 18-34'],
      adStyle: 'social',
      budgetMult: 0.8,
    },
    {
      label: 'Reach',
      funnel: 'awareness',
      objective: 'awareness',
      weight: 0.1,
      formats: [['video', 1]],
      evergreen: ['TopView', 'Brand Moment'],
      adSets: ['Reach | 18-44 | US', 'Reach | Interest - Outdoors'],
      adStyle: 'social',
      budgetMult: 0.9,
    },
    {
      label: 'Traffic',
      funnel: 'traffic',
      objective: 'traffic',
      weight: 0.06,
      formats: VIDEO_FIRST,
      evergreen: ['Journal'],
      adSets: ['Traffic | Broad', 'Traffic | Lookalike'],
      adStyle: 'social',
      budgetMult: 0.5,
    },
  ],
  snapchat: [
    {
      label: 'Story Ads',
      funnel: 'prospecting',
      objective: 'sales',
      weight: 0.4,
      formats: SNAP_MIX,
      evergreen: ['Always-on', 'Bestsellers'],
      adSets: ['Ad Squad - 18-24 Lifestyle', 'Ad Squad - Outdoor Enthusiasts', 'Ad Squad - Lookalike Purchasers'],
      adStyle: 'social',
      budgetMult: 1.1,
    },
    {
      label: 'Retargeting',
      funnel: 'retargeting',
      objective: 'sales',
      weight: 0.12,
      formats: SNAP_MIX,
      evergreen: ['Pixel - Add to Cart', 'Pixel - Site Visitors'],
      adSets: ['Ad Squad - Pixel Custom Audience', 'Ad Squad - Cart 14d'],
      adStyle: 'social',
      budgetMult: 0.5,
    },
    {
      label: 'App Installs',
      funnel: 'app',
      objective: 'app_installs',
      weight: 0.2,
      formats: SNAP_MIX,
      evergreen: ['iOS', 'Android'],
      adSets: ['Ad Squad - iOS', 'Ad Squad - Android', 'Ad Squad - 18-34 Broad'],
      adStyle: 'social',
      budgetMult: 0.8,
    },
    {
      label: 'Awareness',
      funnel: 'awareness',
      objective: 'awareness',
      weight: 0.18,
      formats: [
        ['video', 0.85],
        ['image', 0.15],
      ],
      evergreen: ['AR Lens', 'Commercials'],
      adSets: ['Ad Squad - Reach 13-34', 'Ad Squad - Lens Engagers'],
      adStyle: 'social',
      budgetMult: 0.8,
    },
    {
      label: 'Traffic',
      funnel: 'traffic',
      objective: 'traffic',
      weight: 0.1,
      formats: SNAP_MIX,
      evergreen: ['Swipe Up - Journal'],
      adSets: ['Ad Squad - Swipe Up Broad', 'Ad Squad - Interest Outdoors'],
      adStyle: 'social',
      budgetMult: 0.5,
    },
  ],
}
