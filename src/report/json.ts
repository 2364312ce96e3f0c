// The report for machines: the Report object as one JSON document (US$ as numbers, times in ms, instants ISO).
import type { Report } from './build.js';

export function formatJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
