// The parts of Chart.js the Reports screen uses, registered once. Imported only through
// charts.ts's dynamic import, so that it lands in a chunk of its own.
import { ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Legend, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, DoughnutController, ArcElement, Legend, Tooltip);

export { Chart };
