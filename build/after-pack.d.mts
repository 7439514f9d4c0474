export declare const FUSES: Record<string, boolean>
export declare function fuseConfig(platform: string, arch: string): Record<string | number, unknown>
export interface AfterPackContext {
  appOutDir: string
  electronPlatformName: string
  arch: number
  packager: { appInfo: { productFilename: string }; executableName: string }
}
export declare function electronBinaryPath(context: AfterPackContext): string
export default function afterPack(context: AfterPackContext): Promise<void>
