// Steps several specs share, written as an officer would do them.
import { Key } from 'selenium-webdriver';
import { By, click, find, tid, type, waitText, waitVisible } from './app.mjs';

export const CHIEF = { fullName: 'Nguyễn Văn Trường', rank: 'Thiếu tá', username: 'truong', password: 'matkhau-2025' };

/** First run on a fresh PC: station Phường Bắc Kạn (01843, Thái Nguyên), the chief's account. */
export async function firstRun(app, { province = '19', communeQuery = 'bac kan', commune = '01843' } = {}) {
  const d = app.driver;
  await waitVisible(d, 'setup-screen', 20_000);
  const sel = await find(d, 'setup-province');
  await sel.findElement(By.css(`option[value="${province}"]`)).click();
  await type(d, 'setup-commune', communeQuery);
  await click(d, `setup-commune-option-${commune}`);
  await type(d, 'setup-fullname', CHIEF.fullName);
  await type(d, 'setup-rank', CHIEF.rank);
  await type(d, 'setup-username', CHIEF.username);
  await type(d, 'setup-password', CHIEF.password);
  await type(d, 'setup-password2', CHIEF.password);
  return d;
}

export async function submitSetup(app) {
  await click(app.driver, 'setup-submit');
  await waitVisible(app.driver, 'today-screen', 30_000);
}

export async function login(app, username, password) {
  const d = app.driver;
  await type(d, 'login-username', username);
  await type(d, 'login-password', password);
  await click(d, 'login-submit');
}

export async function nav(app, name) {
  await click(app.driver, `nav-${name}`);
  await waitVisible(app.driver, `${name === 'new' ? 'new-report' : name}-screen`);
}

export async function selectValue(driver, id, value) {
  const sel = await find(driver, id);
  await sel.findElement(By.css(`option[value="${value}"]`)).click();
}

/** Sets a datetime-local input through the page: typing into it differs between engines. */
export async function setInputValue(driver, id, value) {
  const el = await find(driver, id);
  await driver.executeScript(
    'const el = arguments[0]; const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;' +
      'set.call(el, arguments[1]); el.dispatchEvent(new Event("input", { bubbles: true }));',
    el,
    value,
  );
}

export async function searchRegister(app, text) {
  const d = app.driver;
  const box = await waitVisible(d, 'register-search');
  await box.sendKeys(Key.chord(Key.CONTROL, 'a'), Key.BACK_SPACE);
  if (text) await box.sendKeys(text);
  // The count line says which search it shows and whether one is still running.
  await d.wait(async () => {
    const el = await d.findElement(tid('register-count'));
    return (await el.getAttribute('data-query')) === text.trim() && (await el.getAttribute('data-loading')) === 'false';
  }, 20_000, `search "${text}" never finished`);
  await d.sleep(100);
  return d.findElements(tid('register-row'));
}

export { Key };

// The case screen's clocks and folded sections, shared by the specs of issue 14.

/** Opens a folded section (a <details>) by its summary, if it is not open yet. */
export async function unfold(d, id) {
  const el = await waitVisible(d, id);
  if ((await el.getAttribute('open')) === null) {
    const summary = await el.findElement(By.css(':scope > summary'));
    await d.executeScript('arguments[0].scrollIntoView({ block: "center" })', summary);
    await summary.click();
  }
}

/** Scrolls the screen to the top, or to an element, before a screenshot. */
export async function scrollTo(d, id) {
  await d.executeScript(
    'const el = arguments[0] && document.querySelector(`[data-testid="${arguments[0]}"]`);' +
      'if (el) el.scrollIntoView({ block: "start" }); else document.querySelectorAll(".content, .actions").forEach((x) => x.scrollTo(0, 0));',
    id ?? null,
  );
}

/** The state of a clock in the case's clock panel (`running`, `met`, …), or null when absent. */
export async function clockState(d, rule) {
  const els = await d.findElements(By.css(`[data-testid="clock"][data-rule="${rule}"]`));
  return els.length ? els[0].getAttribute('data-state') : null;
}

export async function waitClock(d, rule, state, ms = 10_000) {
  let last = null;
  await d.wait(async () => (last = await clockState(d, rule)) === state, ms).catch(() => {
    throw new Error(`clock ${rule}: expected ${state}, saw ${last}`);
  });
}

/** The due time a clock shows. */
export async function clockDue(d, rule) {
  const el = await d.findElement(By.css(`[data-testid="clock"][data-rule="${rule}"] [data-testid="clock-due"]`));
  return el.getAttribute('textContent');
}

/** Creates an officer from Settings (the chief is logged in there). */
export async function addOfficer(d, fullName, username, password) {
  await type(d, 'user-fullname', fullName);
  await type(d, 'user-username', username);
  await type(d, 'user-password', password);
  await click(d, 'user-create');
  await waitText(d, 'user-ok', 'Đã tạo tài khoản', 20_000);
}

/** Locks the screen and logs in as another user of the shared PC. */
export async function switchUser(app, username, password) {
  const d = app.driver;
  await click(d, 'lock-button');
  await waitVisible(d, 'lock-screen');
  await click(d, 'switch-user');
  await waitVisible(d, 'login-username');
  await login(app, username, password);
}
