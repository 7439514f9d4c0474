/** pino-roll 4 ships no types: the part the logger uses (it resolves to a SonicBoom stream). */
declare module 'pino-roll' {
  interface RollStream {
    write(chunk: string): boolean
    flushSync(): void
    end(): void
  }
  interface RollOptions {
    file: string | (() => string)
    size?: number | string
    frequency?: number | string
    extension?: string
    symlink?: boolean
    limit?: { count?: number; removeOtherLogFiles?: boolean }
    dateFormat?: string
    mkdir?: boolean
  }
  export default function build(options: RollOptions): Promise<RollStream>
}
