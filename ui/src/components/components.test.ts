import { describe, expect, it } from 'vitest';
import { fireEvent, render } from '@testing-library/svelte';
import CaseList from './CaseList.svelte';
import CommunePicker from './CommunePicker.svelte';
import DateInput from './DateInput.svelte';
import ClockPanel from './ClockPanel.svelte';
import DeadlineBadge from './DeadlineBadge.svelte';
import type { Clock } from '../lib/bindings/Clock';
import type { CaseRow } from '../lib/bindings/CaseRow';

const row = (summary: string): CaseRow => ({
  id: '0190-0000', station: '01843', register_no: '7/2025', received_at: '2025-06-17T22:40:00+07:00', channel: 'facebook',
  kind: 'to_giac', category: 'affray', urgency: 'emergency', summary, hamlet: null, status: 'received', assignee: null,
  assignee_name: null, deadline: null, overdue: false, due_soon: false, conflict: false, review: null,
  deadline_rule: null, deadline_label: null,
});

describe('citizen text is rendered as text', () => {
  it('shows an injection attempt as its characters, creating no element', () => {
    const { container, getByText } = render(CaseList, { rows: [row('<img src=x onerror=alert(1)>')], empty: '', testid: 't' });
    expect(getByText('<img src=x onerror=alert(1)>', { exact: false })).toBeTruthy();
    expect(container.querySelector('img')).toBeNull();
  });
});

describe('CommunePicker', () => {
  const communes = [
    { code: '01843', province: '19', name: 'Phường Bắc Kạn', kind: 'phường' },
    { code: '01840', province: '19', name: 'Phường Đức Xuân', kind: 'phường' },
    { code: '24280', province: '66', name: 'Xã Cư M’gar', kind: 'xã' },
  ];
  it('finds a commune typed without diacritics and chooses it with the keyboard', async () => {
    const { getByTestId, queryByTestId } = render(CommunePicker, { communes, value: null, testid: 'p' });
    const input = getByTestId('p') as HTMLInputElement;
    await fireEvent.focus(input);
    await fireEvent.input(input, { target: { value: 'duc xuan' } });
    expect(queryByTestId('p-option-01840')).toBeTruthy();
    expect(queryByTestId('p-option-01843')).toBeNull();
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(input.value).toBe('Phường Đức Xuân');
  });
  it('matches names written with either apostrophe', async () => {
    const { getByTestId, queryByTestId } = render(CommunePicker, { communes, value: null, testid: 'q' });
    const input = getByTestId('q') as HTMLInputElement;
    await fireEvent.focus(input);
    await fireEvent.input(input, { target: { value: "cu m'gar" } });
    expect(queryByTestId('q-option-24280')).toBeTruthy();
  });
});

describe('DateInput', () => {
  it('marks an impossible date instead of accepting it', async () => {
    const { getByTestId } = render(DateInput, { value: '', testid: 'd' });
    const input = getByTestId('d') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: '31/02/2024' } });
    await fireEvent.blur(input);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    await fireEvent.input(input, { target: { value: '29/02/2024' } });
    await fireEvent.blur(input);
    expect(input.getAttribute('aria-invalid')).toBe('false');
    expect(input.value).toBe('29/02/2024');
  });
});

describe('ClockPanel', () => {
  const clock = (rule: string, state: Clock['state'], due_at: string, ended_at: string | null = null): Clock => ({
    rule, label_vi: `nhãn ${rule}`, basis: `căn cứ ${rule}`, started_at: '2020-06-17T22:40:00+07:00', due_at, state, ended_at, reason: null,
  });
  it('says an unclassified case is not classified and lists the late clock first, in red', () => {
    const clocks = [
      clock('classify', 'running', '2099-06-18T10:40:00+07:00'),
      clock('urgent_report_emergency', 'late', '2020-06-17T23:10:00+07:00'),
    ];
    const { getByTestId, getAllByTestId } = render(ClockPanel, { clocks, caseClass: null });
    expect(getByTestId('case-class').textContent).toBe('Chưa phân loại');
    const rows = getAllByTestId('clock');
    expect(rows.map((r) => r.dataset.rule)).toEqual(['urgent_report_emergency', 'classify']);
    expect(rows[0].classList.contains('late')).toBe(true);
    expect(rows[0].textContent).toContain('Quá hạn');
    expect(rows[0].textContent).toContain('17/06/2020 23:10');
    expect(rows[0].querySelector('button')?.getAttribute('title')).toBe('căn cứ urgent_report_emergency');
  });
});

describe('DeadlineBadge', () => {
  it('says which clock is near', () => {
    const r = { ...row('x'), deadline: 1_592_412_600, overdue: true, deadline_rule: 'urgent_report_emergency', deadline_label: 'Báo cáo hỏa tốc lên cấp trên' };
    const { container } = render(DeadlineBadge, { row: r });
    expect(container.textContent).toContain('Quá hạn: Báo cáo hỏa tốc lên cấp trên');
  });
});
