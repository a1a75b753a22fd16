import { describe, expect, it } from 'vitest';
import { findPhones, findPlaces, findTimes } from './extract';

const ref = new Date('2020-06-18T03:00:00Z'); // 18/6/2020 10:00 in Vietnam

describe('findPhones', () => {
  it('reads mobiles written in many ways and normalises them', () => {
    const p = findPhones('Liên hệ 0912 345 678 hoặc +84 987.654.321, máy bàn 0262 3852 123');
    expect(p.map((x) => x.phone)).toEqual(['0912345678', '0987654321', '02623852123']);
  });
  it('ignores numbers that are not phones', () => {
    expect(findPhones('biển số 47B1-123.45, số tiền 8.000.000 đồng, năm 2022')).toEqual([]);
  });
});

describe('findTimes', () => {
  it('reads `tối 17/6` as 20:00 on 17 June, approximate', () => {
    const t = findTimes('Khoảng tối 17/6 có nhóm thanh niên tụ tập', ref);
    expect(t[0]).toMatchObject({ iso: '2020-06-17T20:00:00+07:00', approximate: true, text: 'tối 17/6' });
  });
  it('reads an exact hour after the date, in the evening', () => {
    const t = findTimes('vào 22h40 ngày 17/6/2020 tại khu đất trống', ref);
    expect(t[0]).toMatchObject({ iso: '2020-06-17T22:40:00+07:00', approximate: false });
  });
  it('turns 8 giờ tối into 20:00 and hôm qua into yesterday', () => {
    const t = findTimes('khoảng 8 giờ tối hôm qua', ref);
    expect(t[0].iso).toBe('2020-06-17T20:00:00+07:00');
  });
  it('takes a date without a year from last year when it would be in the future', () => {
    expect(findTimes('ngày 25/12', ref)[0].iso).toBe('2019-12-25T00:00:00+07:00');
  });
  it('rejects impossible dates', () => {
    expect(findTimes('tỉ số 31/2 và 45/13', ref)).toEqual([]);
  });
});

describe('findPlaces', () => {
  const units = [
    { code: '01843', name: 'Phường Bắc Kạn', province: '19' },
    { code: '00199', name: 'Phường Láng', province: '01' },
    { code: '24280', name: 'Xã Cư M’gar', province: '66' },
  ];
  it('finds a commune named with its kind word, apostrophes aside', () => {
    const p = findPlaces("Người dân xã Cư M'gar báo tin", units);
    expect(p[0]).toMatchObject({ kind: 'commune', code: '24280' });
  });
  it('does not take `lạng lách` for Phường Láng', () => {
    const p = findPlaces('bốc đầu, lạng lách, đánh võng tại Bắc Kạn', units);
    expect(p.map((x) => x.code)).toEqual(['01843']);
  });
  it('proposes hamlets and residential groups as written', () => {
    const p = findPlaces('tụ tập ở Thôn 7, gần tổ dân phố Xuất Hóa.', units);
    expect(p.filter((x) => x.kind === 'hamlet').map((x) => x.text)).toEqual(['Thôn 7', 'tổ dân phố Xuất Hóa']);
  });
});
