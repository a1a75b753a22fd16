import { afterEach, describe, expect, it, vi } from 'vitest';
import { render } from '@testing-library/svelte';
import { tick } from 'svelte';

const takeAlerts = vi.fn();
vi.mock('../lib/api', () => ({ api: { takeAlerts }, onLocked: vi.fn(), errorText: String }));

const { app } = await import('../lib/app.svelte');
const { default: AlertToasts } = await import('./AlertToasts.svelte');

afterEach(() => {
  vi.useRealTimers();
  takeAlerts.mockReset();
});

describe('AlertToasts', () => {
  it('shows the alerts the core gives, citizen text as text, and asks nothing while locked', async () => {
    vi.useFakeTimers();
    app.session = { actor: { role: 'officer' } } as never;
    app.locked = false;
    takeAlerts.mockResolvedValue([
      { kind: 'overdue', case_id: 'c1', register_no: '7/2025', rule: 'classify', due_at: null, text: 'Vụ việc số 7/2025 (<img src=x>): quá hạn' },
    ]);
    const { findAllByTestId, container } = render(AlertToasts);
    await vi.advanceTimersByTimeAsync(3_000);
    const shown = await findAllByTestId('alert');
    expect(shown).toHaveLength(1);
    expect(shown[0].textContent).toContain('(<img src=x>): quá hạn');
    expect(container.querySelector('img')).toBeNull();

    app.locked = true;
    await tick();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(takeAlerts).toHaveBeenCalledTimes(1);
  });
});
