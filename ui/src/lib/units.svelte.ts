// The official communes, loaded once, for showing a code as its name.
import { api } from './api';
import type { Commune } from './bindings/Commune';
import type { Province } from './bindings/Province';

export const units = $state({ communes: [] as Commune[], provinces: [] as Province[], loaded: false });
let loading: Promise<void> | null = null;

export function loadUnits(): Promise<void> {
  loading ??= Promise.all([api.adminCommunes(null), api.adminProvinces()]).then(([c, p]) => {
    units.communes = c;
    units.provinces = p;
    units.loaded = true;
  });
  return loading;
}

export function communeName(code: string | null | undefined): string {
  if (!code) return '';
  return units.communes.find((c) => c.code === code)?.name ?? code;
}

export function provinceName(code: string | null | undefined): string {
  if (!code) return '';
  return units.provinces.find((p) => p.code === code)?.name ?? code;
}
