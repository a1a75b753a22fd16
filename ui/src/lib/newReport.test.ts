import { describe, expect, it } from 'vitest';
import { handedOverItems, minorBand, minorBandOn, newPersonDraft, personsToSend } from './newReport.svelte';
import { fmtMoney, parseMoney, fmtDateTime } from './format';

describe('minorBand', () => {
  it('flags the two teenagers of seed story 1 as 14–16 and 16–18 in 2022', () => {
    expect(minorBand(2007, 2022)).toBe('14-16');
    expect(minorBand(2006, 2022)).toBe('16-18');
    expect(minorBand(1979, 2022)).toBeNull();
    expect(minorBand(null, 2022)).toBeNull();
  });
});

describe('formats', () => {
  it('writes money the Vietnamese way', () => {
    expect(fmtMoney(8000000)).toBe('8.000.000 đ');
  });
  it('reads money as officers type it', () => {
    expect(parseMoney('8.000.000')).toBe(8000000);
    expect(parseMoney('8 000 000 đ')).toBe(8000000);
    expect(parseMoney('8tr')).toBe(8000000);
    expect(parseMoney('1,5 triệu')).toBe(1500000);
    expect(parseMoney('abc')).toBeNull();
  });
  it('shows times in Vietnam time as dd/MM/yyyy HH:mm', () => {
    expect(fmtDateTime('2022-09-29T14:15:00Z')).toBe('29/09/2022 21:15');
    expect(fmtDateTime('2022-09-29T21:15:00+07:00')).toBe('29/09/2022 21:15');
  });
});

describe('handedOverItems', () => {
  it('keeps one item per non-empty line, trimmed', () => {
    expect(handedOverItems(' 01 USB chứa video \n\n  02 ảnh chụp màn hình\n ')).toEqual(['01 USB chứa video', '02 ảnh chụp màn hình']);
    expect(handedOverItems('')).toEqual([]);
  });
});

describe('minorBandOn', () => {
  it('counts the age to the day from the date of birth', () => {
    expect(minorBandOn('2007-10-01', null, '2022-09-29T21:15')).toBe('14-16');
    expect(minorBandOn('2007-09-29', null, '2022-09-29T21:15')).toBe('14-16');
    expect(minorBandOn('2005-05-12', null, '2022-09-29T21:15')).toBe('16-18');
    expect(minorBandOn('2004-09-28', null, '2022-09-29')).toBeNull();
    expect(minorBandOn('', 2009, '2022-09-29')).toBe('under14');
    // From the year alone, the younger possible age, as the core counts it: born in 2006, on
    // 29/09/2022 15 or 16 years old, taken as 15; on 31 December, 16.
    expect(minorBandOn('', 2006, '2022-09-29T21:15')).toBe('14-16');
    expect(minorBandOn('', 2006, '2022-12-31')).toBe('16-18');
    expect(minorBandOn('', 2004, '2022-09-29')).toBe('16-18');
    expect(minorBandOn('', 2003, '2022-09-29')).toBeNull();
  });
});

describe('personsToSend', () => {
  const named = (role: string, name: string) => Object.assign(newPersonDraft(role), { name });
  it('sends a guardian with the position of their minor among the persons sent', () => {
    const blank = newPersonDraft('witness');
    const tung = named('suspect', 'Hoàng Văn Tùng');
    const thang = named('suspect', 'Lý Văn Thắng');
    const sang = Object.assign(named('guardian', 'Hoàng Văn Sáng'), { guardian_of: thang.ref });
    // The unnamed witness is not sent, so Thắng is the second person sent, not the third.
    const out = personsToSend([sang, blank, tung, thang]);
    expect(out.map((x) => [x.person.name, x.guardian_of_index])).toEqual([
      ['Hoàng Văn Sáng', 2],
      ['Hoàng Văn Tùng', null],
      ['Lý Văn Thắng', null],
    ]);
  });
  it('drops a link to a removed person, to another guardian, or from someone no longer a guardian', () => {
    const tung = named('suspect', 'Hoàng Văn Tùng');
    const gone = named('suspect', 'Đã bỏ');
    const a = Object.assign(named('guardian', 'A'), { guardian_of: gone.ref });
    const b = Object.assign(named('guardian', 'B'), { guardian_of: a.ref });
    const c = Object.assign(named('witness', 'C'), { guardian_of: tung.ref });
    expect(personsToSend([tung, a, b, c]).map((x) => x.guardian_of_index)).toEqual([null, null, null, null]);
  });
});
