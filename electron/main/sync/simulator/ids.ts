import type { PlatformId } from '../../../../shared/domain/entities'
import type { Rng } from './rng'

export type IdKind = 'campaign' | 'adSet' | 'ad' | 'creative'

/**
 * Platform-native id shapes, always strings (18-19 digit ids do not fit a double):
 * Meta "act_" + 16 digits and 18-digit objects, Google 10-digit customers and 11-12 digit objects,
 * TikTok 19-digit advertisers and 16-19 digit objects, Snapchat UUIDs.
 */
export class IdFactory {
  private readonly used = new Set<string>()

  constructor(private readonly rng: Rng) {}

  account(platform: PlatformId): string {
    return this.unique(() => {
      switch (platform) {
        case 'meta':
          return `act_${this.rng.digits(this.rng.chance(0.7) ? 16 : 15)}`
        case 'google_ads':
          return this.rng.digits(10)
        case 'tiktok':
          return `7${this.rng.digits(18)}`
        case 'snapchat':
          return this.uuid()
      }
    })
  }

  object(platform: PlatformId, kind: IdKind): string {
    return this.unique(() => {
      switch (platform) {
        case 'meta':
          // Post-2023 Meta object ids are 18 digits starting with 120.
          return `120${this.rng.digits(15)}`
        case 'google_ads':
          return kind === 'campaign'
            ? `2${this.rng.digits(10)}`
            : kind === 'adSet'
              ? `1${this.rng.digits(11)}`
              : kind === 'ad'
                ? `6${this.rng.digits(11)}`
                : `1${this.rng.digits(10)}`
        case 'tiktok':
          return kind === 'creative' ? `7${this.rng.digits(18)}` : `17${this.rng.digits(14)}`
        case 'snapchat':
          return this.uuid()
      }
    })
  }

  private uuid(): string {
    const h = this.rng.hex(32)
    const variant = '89ab'[Math.floor(this.rng.next() * 4)] ?? '8'
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
  }

  private unique(make: () => string): string {
    for (;;) {
      const id = make()
      if (!this.used.has(id)) {
        this.used.add(id)
        return id
      }
    }
  }
}
