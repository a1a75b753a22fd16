// Cold start to an interactive Register and resident memory with a large register.
//   node bench.mjs            (100,000 cases; BENCH_CASES=N for another size)
//   BENCH_RUNS=5 node bench.mjs          launch the app 5 times on the same register; medians
//   BENCH_DATA=DIR node bench.mjs        keep the imported register in DIR and reuse it next time
//   BENCH_SMAPS=DIR node bench.mjs       also save each process's smaps (last run) in DIR
//   BENCH_LONG_SCROLL=50 node bench.mjs  then read 50 pages of the register in turn, memory again
// Memory is PSS summed over the app's processes (app, WebKitWebProcess, WebKitNetworkProcess),
// read after the Register, the 5,000-row jump and three searches; TINBAO_LOW_MEMORY=0 measures
// WebKit's own defaults (compositing, JIT) for comparison (src-tauri/main.rs).
// Uses target/debug/tinbao-desktop unless TINBAO_APP points elsewhere (a release build is
// what officers run: build it with `cargo build --release -p tinbao-desktop --features custom-protocol`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Key } from 'selenium-webdriver';
import { appBinary, click, launchApp, repoRoot, tid, type, waitVisible } from './lib/app.mjs';

const N = Number(process.env.BENCH_CASES ?? 100_000);
const STATION = '01843';
const USER = 'truong';
const PASSWORD = 'matkhau-bench-2025';
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 1));

function rssOfTree(rootPid) {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,comm=']).toString().trim().split('\n')
    .map((l) => l.trim().split(/\s+/)).map(([pid, ppid, rss, comm]) => ({ pid: +pid, ppid: +ppid, rss: +rss, comm }));
  const keep = new Set([rootPid]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of rows) if (keep.has(r.ppid) && !keep.has(r.pid)) { keep.add(r.pid); changed = true; }
  }
  const procs = rows.filter((r) => keep.has(r.pid));
  // RSS counts shared libraries (libwebkit2gtk, ICU…) once per process; PSS splits them.
  // Pss_Anon is heaps and stacks, Pss_File mapped code and data, Pss_Shmem shared buffers.
  const rollup = (pid) => {
    try {
      const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const kb = (k) => Number(text.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0);
      return { pss: kb('Pss'), anon: kb('Pss_Anon'), file: kb('Pss_File'), shmem: kb('Pss_Shmem') };
    } catch {
      return { pss: 0, anon: 0, file: 0, shmem: 0 };
    }
  };
  for (const p of procs) Object.assign(p, rollup(p.pid));
  return { kb: procs.reduce((a, r) => a + r.rss, 0), pssKb: procs.reduce((a, r) => a + r.pss, 0), procs };
}

function appPid() {
  const out = execFileSync('pgrep', ['-f', '-n', appBinary]).toString().trim();
  return Number(out.split('\n').pop());
}

const keep = process.env.BENCH_DATA;
const dataDir = keep ?? mkdtempSync(join(tmpdir(), 'tinbao-bench-'));
let imported = N;
if (keep && existsSync(join(dataDir, 'tinbao.db'))) {
  console.log(`Reusing the register in ${dataDir}`);
} else {
  if (keep) mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'cases.jsonl');
  console.log(`Generating ${N} cases…`);
  const raw = execFileSync('python3', [join(repoRoot, 'scripts', 'gen_sample_cases.py'), String(N), '7'], { maxBuffer: 1 << 30 }).toString();
  // One station's register: every case moved to the bench station, numbered per year.
  const seq = {};
  const lines = raw.trim().split('\n').map((l) => {
    const c = JSON.parse(l);
    const year = c.received_at.slice(0, 4);
    seq[year] = (seq[year] ?? 0) + 1;
    c.station = STATION;
    c.register_no = `${seq[year]}/${year}`;
    c.location.commune = STATION;
    return JSON.stringify(c);
  });
  writeFileSync(file, lines.join('\n') + '\n');

  const t0 = Date.now();
  const rep = JSON.parse(execFileSync(appBinary, ['--data-dir', dataDir, '--user', USER, '--setup-station', STATION, '--full-name', 'Nguyễn Văn Trường', '--import', file], {
    env: { ...process.env, TINBAO_PASSWORD: PASSWORD }, maxBuffer: 1 << 24,
  }).toString());
  console.log(`Imported ${rep.imported} cases (${rep.rejected} rejected) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (rep.imported < N * 0.99) throw new Error(`import incomplete: ${JSON.stringify(rep)}`);
  imported = rep.imported;
  rmSync(file, { force: true });
}

async function once(run) {
  const app = await launchApp({ name: 'bench', dataDir });
  const d = app.driver;
  const fig = {};
  try {
    await waitVisible(d, 'login-screen', 30_000);
    fig.launch_to_login_ms = Date.now() - app.sessionRequestedAt;
    await type(d, 'login-username', USER);
    await type(d, 'login-password', PASSWORD);
    const tSubmit = Date.now();
    await click(d, 'login-submit');
    await waitVisible(d, 'today-screen', 30_000);
    fig.login_to_today_ms = Date.now() - tSubmit;
    const tNav = Date.now();
    await click(d, 'nav-register');
    await waitVisible(d, 'register-row', 30_000);
    fig.today_to_register_rows_ms = Date.now() - tNav;
    fig.cold_start_to_register_ms = fig.launch_to_login_ms + (Date.now() - tSubmit);
    fig.register_count = await (await d.findElement(tid('register-count'))).getText();
    if (run === RUNS - 1) await app.shot('register-100k');

    // Scroll to the middle of the first 10,000 rows and wait for that page to arrive.
    const tScroll = Date.now();
    await d.executeScript('document.querySelector("[data-testid=register-table]").scrollTop = 5000 * 34;');
    await d.wait(async () => {
      const loading = await d.findElements(tid('register-row-loading'));
      const rows = await d.findElements(tid('register-row'));
      return loading.length === 0 && rows.length > 0;
    }, 20_000, 'rows after the jump');
    fig.scroll_jump_5000_rows_ms = Date.now() - tScroll;
    if (run === RUNS - 1) await app.shot('register-scrolled');

    for (const q of ['lang lach', 'boc dau', 'danh bac']) {
      const box = await waitVisible(d, 'register-search');
      await box.sendKeys(Key.chord(Key.CONTROL, 'a'), Key.BACK_SPACE);
      await d.sleep(400);
      const t = Date.now();
      await box.sendKeys(q);
      // Includes the 180 ms typing debounce.
      await d.wait(async () => {
        const el = await d.findElement(tid('register-count'));
        return (await el.getAttribute('data-query')) === q && (await el.getAttribute('data-loading')) === 'false';
      }, 20_000, `search ${q}`);
      fig[`search_${q.replace(' ', '_')}_ms`] = Date.now() - t;
      fig[`search_${q.replace(' ', '_')}_result`] = await (await d.findElement(tid('register-count'))).getText();
    }
    if (run === RUNS - 1) await app.shot('register-search');
    const mem = rssOfTree(appPid());
    // BENCH_SMAPS=DIR keeps each process's /proc/PID/smaps of the last run, for ranking its
    // mappings by Pss (which library, which heap).
    if (process.env.BENCH_SMAPS && run === RUNS - 1) {
      mkdirSync(process.env.BENCH_SMAPS, { recursive: true });
      for (const p of mem.procs) {
        try {
          writeFileSync(join(process.env.BENCH_SMAPS, `${p.comm}.smaps`), readFileSync(`/proc/${p.pid}/smaps`));
        } catch {
          // The process has gone.
        }
      }
    }
    fig.resident_memory_rss_sum_mb = Math.round(mem.kb / 1024);
    fig.resident_memory_pss_sum_mb = Math.round(mem.pssKb / 1024);
    const mb = (kb) => Math.round(kb / 1024);
    fig.processes = mem.procs
      .map((p) => `${p.comm}: RSS ${mb(p.rss)} MB, PSS ${mb(p.pss)} MB (anon ${mb(p.anon)}, file ${mb(p.file)}, shmem ${mb(p.shmem)})`)
      .join('; ');
    for (const p of mem.procs) fig[`pss_mb_${p.comm}`] = mb(p.pss);
    // Wheel-like scrolling, after the memory is read (so that figure stays comparable): 90
    // animation frames moving the search results 60 px each. The total and the longest frame
    // show whether scrolling keeps up (16.7 ms a frame at 60 Hz).
    const [smoothMs, maxFrameMs] = await d.executeAsyncScript(`const done = arguments[arguments.length - 1];
      const el = document.querySelector("[data-testid=register-table]");
      el.scrollTop = 0;
      let n = 0, last = performance.now(), max = 0;
      const t0 = last;
      function step(t) {
        max = Math.max(max, t - last); last = t; el.scrollTop += 60;
        if (++n < 90) requestAnimationFrame(step); else done([Math.round(t - t0), Math.round(max)]);
      }
      requestAnimationFrame(step);`);
    fig.smooth_scroll_90_frames_ms = smoothMs;
    fig.smooth_scroll_longest_frame_ms = maxFrameMs;
    // BENCH_LONG_SCROLL=N: then the whole register from the top, N pages of 200 rows one after
    // the other, and the memory again (what a long session of browsing keeps).
    const longPages = Number(process.env.BENCH_LONG_SCROLL ?? 0);
    if (longPages > 0) {
      const box = await waitVisible(d, 'register-search');
      await box.sendKeys(Key.chord(Key.CONTROL, 'a'), Key.BACK_SPACE);
      await d.wait(async () => (await (await d.findElement(tid('register-count'))).getAttribute('data-query')) === '', 20_000, 'cleared search');
      for (let k = 0; k < longPages; k++) {
        await d.executeScript(`document.querySelector("[data-testid=register-table]").scrollTop = ${k * 200 * 34};`);
        await d.wait(async () => {
          const loading = await d.findElements(tid('register-row-loading'));
          return loading.length === 0 && (await d.findElements(tid('register-row'))).length > 0;
        }, 20_000, `rows of page ${k}`);
      }
      const after = rssOfTree(appPid());
      fig.long_scroll_pss_sum_mb = mb(after.pssKb);
      for (const p of after.procs) fig[`long_scroll_pss_mb_${p.comm}`] = mb(p.pss);
    }
    console.log(`run ${run + 1}/${RUNS}: ${JSON.stringify(fig)}`);
    return fig;
  } finally {
    await app.quit({ keepData: true });
  }
}

const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : Math.round((v[v.length / 2 - 1] + v[v.length / 2]) / 2);
};
try {
  const figs = [];
  for (let run = 0; run < RUNS; run++) figs.push(await once(run));
  // Numbers: the median over the runs; text: the last run's.
  const out = {};
  for (const k of Object.keys(figs.at(-1))) {
    out[k] = typeof figs.at(-1)[k] === 'number' ? median(figs.map((f) => f[k] ?? 0)) : figs.at(-1)[k];
  }
  out.cold_start_runs_ms = figs.map((f) => f.cold_start_to_register_ms).join(', ');
  out.runs = RUNS;
  out.binary = appBinary;
  out.cases = imported;
  console.log(JSON.stringify(out, null, 2));
} finally {
  if (!keep) rmSync(dataDir, { recursive: true, force: true });
}
