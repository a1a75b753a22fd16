// Starts the real app under its own Xvfb display through tauri-driver (which starts
// WebKitWebDriver), with its own temporary data folder, and hands back a selenium driver.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { Builder, By, until, Capabilities } from 'selenium-webdriver';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');
export const screenshotDir = process.env.TINBAO_SCREENSHOTS ?? join(here, '..', 'screenshots');
export const appBinary =
  process.env.TINBAO_APP ?? join(repoRoot, 'target', 'debug', 'tinbao-desktop');

function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** Xvfb picks a free display itself and writes its number to fd 3. */
function startXvfb() {
  return new Promise((res, rej) => {
    const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1366x768x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    xvfb.stderr.on('data', (d) => (err += d));
    xvfb.stdio[3].on('data', (d) => {
      out += d;
      if (out.includes('\n')) res({ proc: xvfb, display: `:${out.trim()}` });
    });
    xvfb.on('exit', (code) => rej(new Error(`Xvfb exited (${code}): ${err}`)));
    setTimeout(() => rej(new Error('Xvfb did not start within 10 s')), 10_000).unref();
  });
}

async function waitForPort(port, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port} after ${ms} ms`);
}

/**
 * Opens the app. `dataDir` defaults to a fresh temporary folder (a first run);
 * pass the same folder again to reopen an existing installation.
 */
export async function launchApp({ name, dataDir, args = [], env = {} } = {}) {
  dataDir ??= mkdtempSync(join(tmpdir(), 'tinbao-e2e-'));
  mkdirSync(screenshotDir, { recursive: true });
  const xvfb = await startXvfb();
  const port = await freePort();
  const nativePort = await freePort();
  const driverLog = [];
  const tauriDriver = spawn(
    process.env.TAURI_DRIVER ?? 'tauri-driver',
    ['--port', String(port), '--native-port', String(nativePort)],
    {
      env: { ...process.env, DISPLAY: xvfb.display, TINBAO_DATA_DIR: dataDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  tauriDriver.stdout.on('data', (d) => driverLog.push(String(d)));
  tauriDriver.stderr.on('data', (d) => driverLog.push(String(d)));
  const stopAll = () => {
    tauriDriver.kill();
    xvfb.proc.kill();
  };
  try {
    await waitForPort(port, 15_000);
    const caps = new Capabilities();
    caps.set('tauri:options', { application: appBinary, args });
    caps.setBrowserName('wry');
    const sessionRequestedAt = Date.now();
    const driver = await new Builder()
      .withCapabilities(caps)
      .usingServer(`http://127.0.0.1:${port}/`)
      .build();
    // WebKit keeps localStorage per OS user, not per data folder: start every run in Vietnamese.
    const lang = await driver.executeScript('return localStorage.getItem("tinbao.lang")');
    if (lang && lang !== 'vi') {
      await driver.executeScript('localStorage.setItem("tinbao.lang", "vi"); location.reload();');
      await driver.sleep(300);
    }
    let shotNo = 0;
    const app = {
      driver,
      dataDir,
      sessionRequestedAt,
      display: xvfb.display,
      /**
       * Saves a screenshot after the page has painted its latest state. It is taken from the
       * Xvfb display (ImageMagick's `import`), not through WebDriver: the app runs WebKit
       * without compositing mode (src-tauri/main.rs), where WebKitWebDriver's screenshot waits
       * for a composited frame that a still page never makes. The window fills the display.
       */
      async shot(label) {
        await driver.executeAsyncScript(
          'const done = arguments[arguments.length - 1];' +
            'requestAnimationFrame(() => requestAnimationFrame(() => done()));',
        );
        // The web process's last paint reaches the X window on GTK's next frame.
        await driver.sleep(100);
        shotNo += 1;
        const file = join(screenshotDir, `${name ?? 'app'}-${String(shotNo).padStart(2, '0')}-${label}.png`);
        execFileSync('import', ['-display', xvfb.display, '-window', 'root', file], { timeout: 15_000 });
        return file;
      },
      async quit({ keepData = false } = {}) {
        try {
          await driver.quit();
        } finally {
          stopAll();
          if (!keepData) rmSync(dataDir, { recursive: true, force: true });
        }
      },
    };
    return app;
  } catch (e) {
    stopAll();
    throw new Error(`${e.message}\ntauri-driver said:\n${driverLog.join('')}`);
  }
}

// Small helpers the specs share. Elements are found by data-testid so that changing the
// wording or the language does not break the tests.
export const tid = (id) => By.css(`[data-testid="${id}"]`);

export async function find(driver, id, ms = 10_000) {
  return driver.wait(until.elementLocated(tid(id)), ms, `no element [data-testid="${id}"]`);
}

export async function waitVisible(driver, id, ms = 10_000) {
  const el = await find(driver, id, ms);
  await driver.wait(until.elementIsVisible(el), ms, `[data-testid="${id}"] never became visible`);
  return el;
}

// WebKitWebDriver scrolls the page, not a column that scrolls on its own (the case screen's
// actions): an element below that column's fold is 'not interactable' until brought into view.
async function intoView(driver, el) {
  await driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', el);
}

export async function click(driver, id) {
  const el = await waitVisible(driver, id);
  await intoView(driver, el);
  await el.click();
  return el;
}

export async function type(driver, id, text, { clear = true } = {}) {
  const el = await waitVisible(driver, id);
  await intoView(driver, el);
  if (clear) await el.clear();
  await el.sendKeys(text);
  return el;
}

export async function textOf(driver, id) {
  return (await waitVisible(driver, id)).getText();
}

export async function waitText(driver, id, pattern, ms = 10_000) {
  let last = '';
  await driver.wait(
    async () => {
      try {
        const els = await driver.findElements(tid(id));
        if (els.length === 0) return false;
        // WebKitWebDriver leaves text cut by an ellipsis out of getText(); textContent has it.
        const shown = await els[0].getText();
        const all = await els[0].getAttribute('textContent');
        last = shown;
        const ok = (t) => (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t));
        return ok(shown) || ok(all ?? '');
      } catch {
        return false;
      }
    },
    ms,
  ).catch(() => {
    throw new Error(`[data-testid="${id}"] text never matched ${pattern}; last: ${JSON.stringify(last)}`);
  });
  return last;
}

export { By, until };

export async function waitGone(driver, id, ms = 20_000) {
  await driver.wait(async () => (await driver.findElements(tid(id))).length === 0, ms, `[data-testid="${id}"] is still there`);
}
