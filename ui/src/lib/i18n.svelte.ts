// Vietnamese first, English as a switch. Strings are written as pairs where they are used,
// so no key can miss its translation and the Vietnamese reads in place.
export type Lang = 'vi' | 'en';

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('tinbao.lang') : null;
export const i18n = $state<{ lang: Lang }>({ lang: saved === 'en' ? 'en' : 'vi' });

export function setLang(lang: Lang) {
  i18n.lang = lang;
  try {
    localStorage.setItem('tinbao.lang', lang);
  } catch {
    // Private storage off: the choice lasts for this session only.
  }
  document.documentElement.lang = lang;
}

/** The text in the current language. */
export function L(vi: string, en: string): string {
  return i18n.lang === 'en' ? en : vi;
}

export interface Labelled {
  code: string;
  vi: string;
  en: string;
}

/** The label of a code from one of the backend's code lists, or the code itself. */
export function label(list: Labelled[] | undefined, code: string | null | undefined): string {
  if (!code) return '';
  const x = list?.find((l) => l.code === code);
  return x ? (i18n.lang === 'en' ? x.en : x.vi) : code;
}
