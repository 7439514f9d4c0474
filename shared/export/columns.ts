import type { Anomaly } from '../ipc/contracts/analytics-insights'
import type { ExportColumn } from './csv'

/** Columns of the anomalies export (the Anomalies page's Export CSV and `anomalies --csv`). */
export const ANOMALY_COLUMNS: ExportColumn<Anomaly>[] = [
  { header: 'severity', value: (a) => a.severity },
  { header: 'level', value: (a) => a.level },
  { header: 'entity', value: (a) => a.entityName },
  { header: 'metric', value: (a) => a.metric },
  { header: 'start', value: (a) => a.startDate },
  { header: 'end', value: (a) => a.endDate },
  { header: 'actual', value: (a) => a.actual },
  { header: 'expected', value: (a) => a.expected },
  { header: 'explanation', value: (a) => a.explanation },
]
