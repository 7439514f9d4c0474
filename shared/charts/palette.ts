/** Concrete chart colours (canvas and SVG need them); the app's palettes live in renderer/src/lib/chart-theme.ts. */
export interface ChartPalette {
  text: string
  textMuted: string
  axisLine: string
  splitLine: string
  tooltipBg: string
  tooltipBorder: string
  spend: string
  revenue: string
  provisionalFill: string
  provisionalText: string
  fontFamily: string
}
