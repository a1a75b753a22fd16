// Chart.js is half of the UI's JavaScript and only the Reports screen draws charts: it is
// loaded on the first chart, not parsed at every start.
let loading: Promise<typeof import('./chartjs')> | null = null;

export function loadChartJs(): Promise<typeof import('./chartjs')> {
  loading ??= import('./chartjs');
  return loading;
}
